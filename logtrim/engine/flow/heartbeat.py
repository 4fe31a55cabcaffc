"""The heartbeat: a line of logtrim's own when the console was quiet for a while.

It keeps its own state and is told the time; it reads no clock.
"""

from __future__ import annotations

from collections.abc import Callable

from ..._sizes import format_size
from ..console.output import Output
from ..console.tally import lines_text


class Heartbeat:
    """A line of logtrim's own when the console was quiet for ``every`` seconds."""

    def __init__(self, every: float, out: Output) -> None:
        self.every = every
        self._out = out
        self.started: float | None = None  # the time of the first input
        self.last = 0.0  # the time something was last printed
        # The lines not ended yet: (lines, bytes seen) of them (engine/console/partial.py).
        self.open_lines: Callable[[], tuple[int, int]] = lambda: (0, 0)

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
        # before its newline, context and repeats' reports too; not our own lines).
        budget = self._out.budget
        shown = budget.used + budget.unpaid - self._out.own_bytes
        share = min(100.0 * shown / nbytes, 100.0) if nbytes else 0.0
        self._out.marker(
            f"still running after {_clock(now - self.started)}: "
            f"{lines_text(lines)} ({format_size(nbytes)}) so far, {share:.1f}% shown"
        )
        self.last = now


def _clock(seconds: float) -> str:
    if seconds < 60:  # seconds under a minute, as the summary says them ("0m00s" would say
        return f"{seconds:.1f}s"  # no time passed between two heartbeats a second apart)
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s"
