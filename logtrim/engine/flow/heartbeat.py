"""The heartbeat: a line of logtrim's own when the console was quiet for a while, with the
step's newest line when that is not on the console (``Waiting for CDN invalidation``, held
as an error's possible context: what the step is at, while it waits).

It keeps its own state and is told the time; it reads no clock.
"""

from __future__ import annotations

from collections.abc import Callable

from ..._sizes import format_size
from ..._text import inert, plain_text
from ..console.output import Output
from ..console.tally import lines_text
from ..masking.mask import Masker
from .history import History

#: Characters of the newest line the heartbeat quotes, at most.
QUOTED = 100


class Heartbeat:
    """A line of logtrim's own when the console was quiet for ``every`` seconds."""

    def __init__(self, every: float, out: Output) -> None:
        self.every = every
        self._out = out
        self.started: float | None = None  # the time of the first input
        self.last = 0.0  # the time something was last printed
        # The lines not ended yet: (lines, bytes seen) of them (engine/console/partial.py).
        self.open_lines: Callable[[], tuple[int, int]] = lambda: (0, 0)
        # The newest line when the console lacks it (:func:`newest_unshown`), else None.
        self.newest: Callable[[], bytes | None] = lambda: None

    def start(self, now: float) -> None:
        if self.started is None:
            self.started = self.last = now

    def beat(self, now: float, lines: int, nbytes: int) -> None:
        if self.started is None or self.every <= 0 or now - self.last < self.every:
            return
        # A line begun on the console counts: "0 lines (0 B)" would hide what was shown.
        more_lines, more_bytes = self.open_lines()
        lines, nbytes = lines + more_lines, nbytes + more_bytes
        # The child's bytes printed, as the summary counts them (a line's start printed
        # before its newline, context and repeats' reports too; not our own lines): a
        # report that comes before this line is printed first, so it is counted.
        self._out.settle_now()
        budget = self._out.budget
        shown = budget.used + budget.unpaid - self._out.own_bytes
        share = min(100.0 * shown / nbytes, 100.0) if nbytes else 0.0
        said = (
            f"still running after {_clock(now - self.started)}: "
            f"{lines_text(lines)} ({format_size(nbytes)}) so far, {share:.1f}% shown"
        )
        newest = self.newest()
        quoted = quote(newest) if newest is not None else ""
        self._out.marker(f"{said}; the last line: {quoted}" if quoted else said)
        self.last = now


def newest_unshown(
    history: History,
    masker: Masker,
    dropped: Callable[[bytes], bool],
    is_command: Callable[[str], bool],
) -> bytes | None:
    """The step's newest line (masked) if the console lacks it and may show it: not shown,
    not archive only (a CI level, a ``--drop`` rule), no CI command."""
    found = history.recent(history.lines, 1)
    if not found:
        return None
    lineno, _, raw = found[0]
    if lineno in history.shown() or history.is_quiet(lineno) or dropped(raw):
        return None
    if is_command(raw.decode("utf-8", "replace")):
        return None
    return masker.mask(raw)


def quote(raw: bytes) -> str:
    """A line inside the heartbeat's: its last state (after ``\r`` redraws), no colour
    codes, at most :data:`QUOTED` characters, one line and no CI command in it."""
    states = [s for s in raw.rstrip(b"\r\n").split(b"\r") if s.strip()]
    text = plain_text(states[-1]).decode("utf-8", "replace").strip() if states else ""
    if len(text) > QUOTED:
        text = text[: QUOTED - 4].rstrip() + " ..."
    return inert(text)


def _clock(seconds: float) -> str:
    if seconds < 60:  # seconds under a minute, as the summary says them ("0m00s" would say
        return f"{seconds:.1f}s"  # no time passed between two heartbeats a second apart)
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s"
