"""The CI's own progress indicator, driven from the child's progress lines.

Some CI servers show a progress bar (or message) a person sees without
reading the log. When the child prints progress (``Uploading package 45%``, ``[12/40] ...``,
``Copied 12 of 40 files``), :class:`NativeProgress` turns it into the dialect's message
(:meth:`~logtrim.dialects.base.Dialect.native_progress`), under these rules:

* A *sequence* is a run of progress lines with the same template (the line with its numbers
  replaced; for counts, the total too). Within one, the percentage only moves forward: a lower
  value is not sent, so interleaved progress of parallel tasks does not shake the bar.
* A new sequence may restart the bar: a different template, a value after the sequence's end,
  or a value that falls back below :data:`RESTART_BELOW` percent (a new file, a retry).
* A sequence ends at 100% (or N of N): 100 is sent.
* At most one message per interval (``--progress-interval``); the latest state waits and is
  sent right after the next progress line shown, on a tick, or at the end of the run. Like a
  progress message of the child's, it is never printed after a later line of stdout: before
  the next line shown there it is sent if its interval is over, it is an end (100%) or that
  line is an error or a warning (the bar shows how far the step got), else dropped.
* Once the child sends the indicator's message itself, logtrim sends no more of its own.

The engine's parts call it; nothing here does I/O or reads a clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..._regex import lazy
from ..._text import ANSI_BYTES
from ...dialects import Dialect
from ...dialects.escape import reason_line
from ..console.output import STDOUT, Output
from ..ending.named import json_record, said
from ..match.kinds import Kind
from ..shapes.templates import template

#: A value below this percentage, lower than the sequence's highest, starts a new sequence.
RESTART_BELOW = 10
#: The longest message text sent with a percentage (characters).
MESSAGE_LIMIT = 200

# Not after a sign: "-5%" or "+5%" is a change (a delta, a range's end), not how far a step is.
# A URL's escape (``%25``: a byte) is no share either.
_PERCENT = lazy(rb"(?<![\d.+-])([0-9]{1,3})(?:\.[0-9]+)? ?%(?![0-9A-Fa-f]{2})")
# A count, with thousands separators or not ("9,400"): read whole, never as its last digits.
_COUNT = rb"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
_FRACTION = lazy(rb"[\[(][ \t]*" + _COUNT + rb"[ \t]*/[ \t]*" + _COUNT + rb"[ \t]*[\])]")
_OF_TOTAL = lazy(rb"(?<![\w.,])" + _COUNT + rb" of " + _COUNT + rb"(?![\w.]|,[0-9])")


_MARK = r"[.#=>*~_|<\-\u2580-\u259f\u25a0\u25a1]"
# A bar's drawing: a word of its marks (``=====>``, ``####----``, ``\u2588\u2588\u2591\u2591``,
# pytest's ``....F..s..``), where a letter is one result's mark, never two in a row; or its
# marks and blanks between brackets (``[=====>     ]``, ``|#####     |``).
_DRAWN = lazy(
    rf"[\[(|] *{_MARK}[{_MARK[1:-1]} ]*[\])|]"
    rf"|(?<!\S)(?=\S{{4}})(?:{_MARK}|[A-Za-z](?![A-Za-z]))+(?!\S)"
)
_MARKS = lazy(_MARK)
_BLANKS = lazy(r"\s{2,}")
_PADDED = lazy(r"([\[(]) +")  # ``[  8%]``: pytest's count padded to its width


def message_of(text: str) -> str:
    """A progress line's words for the CI's indicator: without the bar it draws (the
    indicator is one) or the runs of spaces that pad it to the terminal's width; a JSON
    record's message (``{"level": "info", "msg": "Uploading 40%"}``)."""
    if text[:1] == "{" and (record := json_record(text.strip().encode())) is not None:
        text = said(text.encode(), record).decode("utf-8", "replace")
    words = _DRAWN.sub(lambda m: " " if _mostly_marks(m.group()) else m.group(), text).strip()
    return _PADDED.sub(r"\1", _BLANKS.sub(" ", words or text.strip()))


def _mostly_marks(word: str) -> bool:
    inside = word.strip("[]()|").replace(" ", "")
    return len(_MARKS.findall(inside)) * 4 >= len(inside) * 3


@dataclass(frozen=True)
class Reading:
    """What one progress line says: how far, and which sequence it belongs to."""

    percent: int  # 0..100, rounded down
    key: bytes  # the sequence: the line's template (and, for counts, the total)
    end: bool  # 100%, or N of N


def read(line: bytes) -> Reading | None:
    """The progress a line's text states, or None. A line redrawn with ``\\r`` is read by
    what a terminal would show: its last segment."""
    text = ANSI_BYTES.sub(b"", line.rstrip(b"\r\n")).rsplit(b"\r", 1)[-1]
    match = _PERCENT.search(text)
    if match and int(match.group(1)) <= 100:
        percent = int(match.group(1))
        return Reading(percent, template(text), percent == 100)
    for form in (_FRACTION, _OF_TOTAL):
        match = form.search(text)
        if match:
            done, total = (int(match.group(i).replace(b",", b"")) for i in (1, 2))
            if total > 0 and done <= total:
                # Its counts as one number each: "500 of 9,400" and "2,000 of 9,400" are
                # one sequence (the template would tell "<n>" from "<n>,<n>").
                counts = text[: match.start(1)], text[match.end(1) : match.start(2)]
                key = template(b"0".join((*counts, text[match.end(2) :]))) + b"\0" + match.group(2)
                return Reading(done * 100 // total, key, done == total)
    return None


class Sequence:
    """The current progress sequence: its key, the highest percentage, whether it ended."""

    def __init__(self) -> None:
        self.key: bytes | None = None
        self.high = -1
        self.ended = False

    def advance(self, reading: Reading) -> bool:
        """Take a reading; True when it moves the indicator (see the module docstring)."""
        back = reading.percent < self.high
        if reading.key != self.key or (back and (self.ended or reading.percent < RESTART_BELOW)):
            self.key, self.high, self.ended = reading.key, reading.percent, reading.end
            return True
        if reading.percent <= self.high:
            return False
        self.high, self.ended = reading.percent, reading.end
        return True


class NativeProgress:
    """Sends the dialect's progress messages for the progress lines the engine sees.

    ``see`` takes a progress line (or a command of the child's) when the selector decides
    one; ``flush`` sends the latest state once the interval is over, and is called right
    after a progress line is printed and on each tick; ``finish`` sends it at the end.
    """

    def __init__(
        self,
        dialect: Dialect,
        interval: float,
        out: Output,
        console_form: Callable[[bytes], bytes],
        *,
        enabled: bool = True,
    ) -> None:
        self._dialect = dialect
        self.interval = interval
        self._out = out
        self._console_form = console_form  # a raw line as the console shows it, masked
        # Only where the CI has an indicator; elsewhere this object does nothing at all.
        self.active = enabled and dialect.native_progress(0, "") is not None
        self.sequence = Sequence()
        self.pending: tuple[int, str] | None = None  # the latest state not sent yet
        self.waits = False  # ... and its line is printed: it waits as a state of stdout
        self.sent_at = float("-inf")
        self.now = 0.0  # the latest time the engine was told
        self.sent = 0

    def see(self, line: bytes, now: float | None = None, *, command: bool = False) -> None:
        """A progress line (or, with ``command``, a progress command of the child's)."""
        if not self.active:
            return
        if now is not None:
            self.now = now
        if command:
            if self._dialect.is_progress(line.decode("utf-8", "replace")):
                # The child drives the indicator: its messages win, for the rest of the run.
                self.active, self.pending = False, None
            return
        shown = self._console_form(line)
        reading = read(shown)
        if reading is None:
            return
        # A state that waits is the latest still: it goes after this line of its sequence.
        self.waits = False
        if not self.sequence.advance(reading):
            return
        text = ANSI_BYTES.sub(b"", shown.rstrip(b"\r\n")).rsplit(b"\r", 1)[-1]
        message = reason_line(message_of(text.decode("utf-8", "replace")), MESSAGE_LIMIT)
        self.pending, self.waits = (reading.percent, message), False

    def flush(self) -> None:
        """Send the latest state if the interval since the last message is over; else it
        waits as a progress state of stdout, the stream it is printed on (:meth:`settle`)."""
        if self.pending is None:
            return
        if self.now - self.sent_at >= self.interval:
            self._send()
        else:
            self.waits = self._out.waiting[STDOUT].waiting = True

    def settle(self, *, failing: bool = False) -> None:
        """A line of the child's is printed on stdout next: the waiting state goes first when
        its interval is over, it ends its sequence (100%: the bar's final state) or that line
        is an error or a warning (``failing``: the bar shows how far the step got when it
        went wrong; ``rollout: 2 of 3`` before ``error: ... exceeded its progress deadline``),
        else it is dropped (a later one follows); never printed after a line written after
        it. (Paid from the budget, as the lines shown: a flood is bounded by them.)"""
        if self.pending is None or not self.waits:  # else the state of the line shown next
            return
        if self.pending[0] >= 100 or failing or self.now - self.sent_at >= self.interval:
            self._send()
        else:
            self.pending = None

    def tick(self, now: float) -> None:
        """Time passes: a waiting state whose interval is over is sent."""
        self.now = max(self.now, now)
        self.flush()

    def finish(self) -> None:
        """The end of the run: the latest state is sent at once."""
        if self.active and self.pending is not None:
            self._send()

    def _send(self) -> None:
        assert self.pending is not None
        percent, message = self.pending
        self.pending, self.waits = None, False
        text = self._dialect.native_progress(percent, message)
        if text is None:
            return
        data = text.encode("utf-8") + b"\n"
        if self._out.budget.allows_marker(len(data)):  # paid like logtrim's own notes
            self._out.emit(STDOUT, data, Kind.NOISE, shows=False)  # (the CI's bar: no line)
            self._out.own_bytes += len(data)
            self.sent_at = self.now
            self.sent += 1
