"""The child's CI commands on the console: verbatim, in order, at the level they were written.

A command passes verbatim; only a ``progress`` message may wait (throttled, the latest kept).
What must come before a command is printed first, at the level in effect before it (the
command may be a level switch): the waiting progress state, a pending collapse count, the
gap marker.
"""

from __future__ import annotations

from .commands import Commands
from .history import History
from .kinds import Kind
from .output import Output
from .throttle import Progress


class Forwarder:
    """Forwards the child's command lines (see the module docstring)."""

    def __init__(
        self, commands: Commands, progress: Progress, out: Output, history: History
    ) -> None:
        self.commands = commands
        self.progress = progress
        self.out = out
        self.history = history

    def service(self, stream: int, line: bytes, lineno: int, now: float) -> bool:
        """A line with a command marker: forwarded if it is a command (True), else False."""
        text = line.decode("utf-8", "replace")
        commands = self.commands
        if not commands.is_command(text):
            commands.see(text)  # state that spans lines (GitHub's stop-commands)
            return False
        self.out.tally.seen_lines[Kind.SERVICE] += 1
        self.out.tally.seen_bytes[Kind.SERVICE] += len(line)
        throttled = commands.is_progress(text) and not self.progress.due(
            stream, now, lineno, line, service=True
        )
        if not throttled:
            self._before(stream)
        commands.see(text)
        commands.open_after(stream, text)
        if not throttled:  # else it waits as the latest state
            self.forward(stream, line, lineno)
        return True

    def forward(self, stream: int, line: bytes, lineno: int) -> None:
        """A command line (or the next line of one), verbatim."""
        if not line.endswith(b"\n"):
            line += b"\n"
        self._before(stream)
        self.out.emit(stream, line, Kind.SERVICE)
        self.history.mark_shown(lineno, stream=stream)

    def _before(self, stream: int) -> None:
        self.progress.late(stream)  # a throttled progress message came first: it goes first
        self.out.settle_now()
        self.out.flush_gap()
