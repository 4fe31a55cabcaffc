"""An error's incident: the stack trace or message block that continues the error line, and
the lines after it. Plain functions, no I/O.
"""

from __future__ import annotations

from ..._regex import lazy
from ..._text import ANSI_BYTES
from ..match.kinds import ERROR, Kind
from ..shapes.templates import coarse
from .held import Held
from .traces import FRAME, ends_frames

# Lines that continue a stack trace whatever their indent: Java's "Caused by:" and
# "... 12 more"; Go's signal line, goroutine headers (``goroutine 1 [running]:``, newer Go
# puts ``gp=0x...`` before the bracket), ``created by main.main in goroutine 1`` and a
# frame's function (``main.apply(0x0)``, ``pkg.(*T).Run(...)``, a recovered panic's
# ``panic({0x8a3e40?, ...})``, a closure's ``.func1``, a generic's ``[...]``, an escaped path's
# ``%2e``: arguments of Go's hex values only, not a call in a log line);
# in a compiler's diagnostic drawn as rustc draws them (cargo, ruff, deno), a source line in
# the gutter with its number in the first column (``6 |     let s: String = 5;``) and its
# ``help:`` and ``note:`` sections.
_CONTINUATION = lazy(
    rb"Caused by:|\.\.\. [0-9]+ more|\[signal [A-Z]|goroutine [0-9]+ [^\n]*\[|"
    rb"created by [\w.~/%-]+\.|"
    rb"(?:panic|[\w.~/%-]+\.(?:\(\*?[\w\[\], .]+\)\.)?[\w.]+(?:\[[^\]\n]*\])?)"
    rb"\([0-9a-fx?{}, .]*\)\s*$|"
    rb"[0-9]+ +\||(?:help|note): "
)
_FIELD_END = frozenset(b" \t:]|>")
# A box-drawing character (U+2500 to U+257F) in UTF-8: a diagnostic drawn in a box
# (Terraform's ``│ Error: ...``) continues while its lines start with the same one.
_BOX = lazy(rb"\xe2[\x94\x95][\x80-\xbf]")
# A test runner prints a failure's message, its values and a ``Stack Trace:`` heading between
# the failure and its frames (.NET's): a heading that ends the context after an error takes
# the line it introduces too (once), and a frame there reopens the trace. Bounded: a suite of
# failures would otherwise fill the console with frames and leave no room for the failures'
# names, so the first few errors of a stream get their frames, and a few frames each.
_REOPENS = 3
_REOPENED_FRAMES = 10
# Lines in a row that continue an error's block by their indent alone (no frame, no line of
# a trace's own form): an error's message block, its values, a quoted source. Past this, an
# indented list after the error (a test run's 20,000 ``  Passed ...`` lines) is no part of it.
_LOOSE = 20
_BLANK = b" \t"


def continues(head: bytes, line: bytes) -> bool:
    """Whether ``line`` continues the error block ``head`` opened.

    It does when it is more indented than ``head`` (a stack frame under its header), either
    from its start or after the log prefix both share: a logger that stamps every line of a
    traceback with the time and its name (``2017-06-24 13:36:02,965 INFO:build:  File ...``),
    pytest's ``E`` before each line of an assertion's explanation.
    Tools that indent everything (MSBuild) do not make every line a continuation.
    A line in the gutter of the box an error is drawn in continues it too.
    """
    head, line = ANSI_BYTES.sub(b"", head[:160]), ANSI_BYTES.sub(b"", line[:160])
    if _CONTINUATION.match(line) or _indent(line, 0) > _indent(head, 0):
        return True
    if line[:3] == head[:3] and _BOX.match(head) and _gutter_only(head) and _gutter_only(line):
        return True  # the box's gutter: its location, its hint (no table's row, no tree's)
    a, b = coarse(head), coarse(line)  # same length, digits alike
    n = common_prefix(a, b)
    while n and a[n - 1] not in _FIELD_END:  # back to the end of a prefix field
        n -= 1
    # A blank line of the block under that prefix continues it too (pytest's ``E`` lines:
    # an empty ``E`` line splits an assertion's explanation from the values that differ).
    return n >= 8 and (_indent(line, n) > _indent(head, n) or not line[n:].strip())


def _gutter_only(line: bytes) -> bool:
    """Whether a line starting with a box-drawing character has no other: a diagnostic's
    gutter (``│   on main.tf line 42``), not a table's row (``│ web │ failed │``) or a tree's
    branch (``├── src``)."""
    return _BOX.search(line, 3) is None


def common_prefix(a: bytes, b: bytes) -> int:
    """The length of the common prefix: a binary search of C slice compares, not a loop."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _indent(line: bytes, start: int) -> int:
    """Blanks at ``start``, if something other than a blank follows them (else 0)."""
    end = start
    while end < len(line) and line[end] in _BLANK:
        end += 1
    return end - start if end < len(line) and line[end] not in b"\r\n" else 0


def hold_cut(held: Held, error: bytes, cut: list[tuple[int, int, bytes]], at: int) -> None:
    """The lines before an error shown live that the budget left out of its context (``cut``:
    lineno, stream, console form): held for the end of a failed run with the error (``at``),
    as the rest of its block is. Python and others write a trace's frames first and the
    exception last (held as its block); a linter writes its findings before the line that
    says it failed."""
    for lineno, stream, text in cut:
        held.add(lineno, stream, text, at, continues(error, text))


class Incident:
    """A stream's open error: the lines after it and the block (stack trace) continuing it."""

    def __init__(self) -> None:
        self.after = 0
        self.block = 0
        self.head = b""  # the error line the block continues
        self.holding = -1  # line number of the error whose rest is held back, if any
        self.opened = -1  # line number of the error
        self._frames = 0  # the block's size when it opened: fewer left, a frame was seen
        self._framed = False  # past the exception that closed a trace: only frames go on
        self._extended = False  # the context after the error took a heading's line
        self._reopens = 0  # traces reopened on this stream (never reset)
        self._loose = 0  # lines in a row that continued the block by their indent alone

    def open(self, line: bytes, lineno: int, after: int, block: int, holding: int = -1) -> None:
        """An error line opens the incident: ``after`` lines of context, a ``block`` of
        frames; ``holding``: its line number when the budget held it back."""
        self.after, self.block, self.head, self.holding, self.opened = (
            after, block, line, holding, lineno
        )  # fmt: skip
        self._frames = block
        self._framed = False
        self._extended = False
        self._loose = 0

    def ran(self, head: bytes, holding: int, after: int, block: int) -> None:
        """The last of a run of error lines taken in bulk (:mod:`.flood`), held back at
        ``holding``: the lines after it are its context and block, as :meth:`open` makes
        them, its trace state left as it is."""
        self.after, self.block, self.holding, self.head = after, block, holding, head
        self._loose = 0

    def take(self, line: bytes, kind: Kind) -> tuple[Kind, bool, bool]:
        """A line after the error: (tier, context, continues). In its block (a frame, a
        blank line) it is an error's context that continues it; among the lines after it,
        context of at least the error tier; else as it is."""
        if self.after and self._reopens < _REOPENS and self._reopen(line):
            # Frames among the lines after the error, under its detail (.NET's values and
            # ``Stack Trace:``): its trace goes on from here, frames only.
            self._reopens += 1
            self.block, self._framed = min(self._frames, _REOPENED_FRAMES), True
        if self.block and (not line.strip() or self._goes_on(line)):
            if not self._too_loose(line):
                self.block -= 1
                return ERROR, True, True
            self.block = 0
        if kind == ERROR and 0 < self.block < self._frames and ends_frames(line):
            # The exception that closes the frames (Python's ``ConnectionError: ...``): the
            # end of the same trace, shown with it, not a new error the budget may cut off.
            # Frames may follow it too (Node's ``Error: x`` under its source excerpt and
            # caret): they continue the trace, frames only.
            self.block, self._framed = self._frames, True
            return ERROR, True, True
        self.block = 0
        if self.after:
            self.after -= 1
            if not self.after and not self._extended and line.rstrip().endswith(b":"):
                self.after, self._extended = 1, True  # a heading: the line it introduces
            if kind < ERROR:
                return ERROR, True, False
        return kind, False, False

    def _too_loose(self, line: bytes) -> bool:
        """Whether ``line``, which continues the block, is past :data:`_LOOSE` lines in a row
        that continue it by their indent alone (a blank line neither counts nor breaks)."""
        text = ANSI_BYTES.sub(b"", line[:160])
        if not text.strip():
            return False
        if FRAME.match(text) or _CONTINUATION.match(text) or _BOX.match(text):
            self._loose = 0
            return False
        self._loose += 1
        return self._loose > _LOOSE

    def _reopen(self, line: bytes) -> bool:
        return not self.block and bool(self._frames) and FRAME.match(line) is not None

    def _goes_on(self, line: bytes) -> bool:
        return FRAME.match(line) is not None if self._framed else continues(self.head, line)

    def in_trace(self, line: bytes, kind: Kind, block: int) -> bool:
        """Whether ``line`` goes on the stack trace under way: a frame, a blank line, or the
        error line that closes the frames (Python's ``ValueError: ...``; ``block``: the
        most frames a trace may have, so a first frame was seen if fewer are left)."""
        return self.block > 0 and (
            not line.strip() or self._goes_on(line) or (kind == ERROR and self.block < block)
        )
