"""Small runs whole: the output shown as written, before any filtering starts.

While the bytes seen (both streams) stay within the allowance, every line is shown as the
script wrote it (masked, cut only if longer than a console line may be); the first line past
it ends the allowance for good, and one line of logtrim's own says so (not below an 8 kB
budget, where that line would cost one of the failure's: the gap marker says it).
"""

from __future__ import annotations

from ..._sizes import format_size
from ..flow.history import History, Shaper
from ..match.kinds import NOISE, Kind
from .output import Output


class Verbatim:
    """The allowance left, and the showing of a line within it."""

    def __init__(self, allowance: int, out: Output, shaper: Shaper, history: History) -> None:
        self.allowance = self.left = allowance
        # What the stack traces in progress may run past the allowance, at most once more
        # the allowance: a run of traces cannot keep the note away for long.
        self._grace = allowance
        self._out = out
        self._shaper = shaper
        self._history = history

    def widen(self, allowance: int) -> None:
        """Before any output: an allowance past the setting's cap (a run replayed whole,
        :mod:`.whole`)."""
        self.allowance = self.left = self._grace = allowance

    def consume(self, size: int, *, in_block: bool = False) -> bool:
        """Whether ``size`` more bytes of output are still within the allowance; past it,
        one line says that filtering starts. ``in_block``: the line continues a stack trace
        shown as written: the trace ends first, so the note never splits one."""
        if size <= self.left:
            self.left -= size
            return True
        if in_block and size <= self._grace:
            self._grace -= size
            return True
        self.stop(f"output passed {format_size(self.allowance)}")
        return False

    def stop(self, why: str) -> None:
        """End the allowance for good, one line saying ``why`` and that filtering starts."""
        self.left = 0
        if self._out.budget.tiny:
            return  # a few lines' worth: the gap marker after them says lines are left out
        if self._out.budget.compact:
            self._out.marker(f"{why}: filtered from here on")
        else:
            self._out.marker(
                f"{why}: from here on only what matters is shown ({self._out.budget.archive_note})"
            )

    def show(self, stream: int, line: bytes, kind: Kind, lineno: int) -> bytes:
        """Print a line as written (masked), counted as shown in its tier ``kind``; returns
        its console form."""
        shown = self._shaper.display(line)
        out = self._out
        if out.late is not None and out.waiting[stream].waiting:
            out.late(stream)  # a waiting progress state of the stream first (before the gap)
        out.flush_gap()  # lines kept off the console by a level (archive only)
        masked = self._shaper.masker.mask(shown)
        out.emit(stream, masked, kind)
        if kind == NOISE:  # ``emit`` counts the tiers only
            out.tally.shown_lines[kind] += 1
            out.tally.shown_bytes[kind] += len(masked)
        self._history.mark_shown(lineno, stream=stream)
        return shown

    def show_run(self, stream: int, shown: bytes, size: int, first: int, lines: int) -> None:
        """``lines`` lines from ``first`` on, of no tier (``size`` bytes as written, ``shown``
        their console form, nothing to mask), within the allowance: what :meth:`consume` and
        :meth:`show` of each do, in one emit (engine/flow/asis.py)."""
        self.left -= size
        out = self._out
        if out.late is not None and out.waiting[stream].waiting:
            out.late(stream)
        gaps = out.gaps
        out.flush_gap()
        out.emit(stream, shown, NOISE)
        if out.gaps > gaps:  # each line's empty gap cleared after the first's
            out.gaps += lines - 1
        out.printed += lines - 1
        tally = out.tally
        tally.seen_lines[NOISE] += lines
        tally.seen_bytes[NOISE] += size
        tally.shown_lines[NOISE] += lines
        tally.shown_bytes[NOISE] += len(shown)
        self._history.mark_range(first, first + lines - 1, stream)
