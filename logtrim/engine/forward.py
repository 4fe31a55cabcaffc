"""The child's CI commands on the console: verbatim, in order, at the level they were written.

A command passes as written, its secrets masked in the encoding its CI reads (the line that
declares a secret is the one exception); only a ``progress`` message may wait (throttled, the
latest kept).
What must come before a command is printed first, at the level in effect before it (the
command may be a level switch): the waiting progress state, a pending collapse count, the
gap marker.
"""

from __future__ import annotations

from collections.abc import Callable

from .commands import Commands
from .history import History
from .kinds import Kind
from .output import Output
from .throttle import Progress


class Forwarder:
    """Forwards the child's command lines (see the module docstring)."""

    def __init__(
        self,
        commands: Commands,
        progress: Progress,
        out: Output,
        history: History,
        mask: Callable[[bytes], bytes],
        classify: Callable[[bytes], Kind],
    ) -> None:
        self.commands = commands
        self.classify = classify
        self.mask = mask
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
        line, cut = self._bounded(line)
        line = self.command_form(stream, line)
        native = self.progress.native
        progress = commands.progress_of(text)
        if native is not None and progress is not None:
            native.see(line, now, command=True)  # the child drives its CI's indicator itself
        throttled = progress is not None and not self.progress.due(
            stream, now, lineno, line, command=progress
        )
        if not throttled:
            self.before(stream)
        levels = commands.levels()
        commands.see(text)
        commands.open_after(stream, text)
        if not throttled:  # else it waits as the latest state
            # A command that leaves the levels as they were (setVariable, ::endgroup::) does
            # not keep the failure tail from the lines before it.
            self.forward(stream, line, lineno, keeps_order=commands.levels() != levels)
        if cut:
            self.out.hide(cut)  # the archive has it: the next gap marker counts it
        return True

    def _bounded(self, line: bytes) -> tuple[bytes, int]:
        """A command line, and the bytes of text around its command left out: that text is
        printed as plain output (Octopus, TeamCity), so it passes with the command only
        while the budget has room for it as a line of its own tier (at least info), or a
        flood of it would pass outside the budget."""
        raw = line.decode("utf-8", "surrogateescape")
        span = self.commands.command_span(raw)
        body = len(raw.rstrip("\r\n"))
        if span is None or (span[0] == 0 and span[1] >= body):
            return line, 0
        start, end = span
        around = (raw[:start] + raw[end:body]).encode("utf-8", "surrogateescape")
        if not around.strip() or self.out.budget.allows(
            max(self.classify(around), Kind.INFO), len(around)
        ):
            return line, 0
        alone = raw[start:end].encode("utf-8", "surrogateescape")
        self.commands.cut_from(line, alone)
        return alone + b"\n", len(around)

    def command_form(self, stream: int, line: bytes) -> bytes:
        """A command line as it reaches the CI: masked as its dialect reads it; empty if the
        dialect drops it."""
        masked = self.commands.mask(stream, line, self.mask)
        if masked is None:
            self.out.marker("a command that would carry a secret was not printed")
            return b""
        return masked

    def forward(self, stream: int, line: bytes, lineno: int, *, keeps_order: bool = True) -> None:
        """A command line (or the next line of one), already masked. ``keeps_order``: lines
        before it may no longer be shown after it (it switched the level they show at)."""
        if not line:
            return
        if not line.endswith(b"\n"):
            line += b"\n"
        self.before(stream)
        self.out.emit(stream, line, Kind.SERVICE, command=True)
        # Shown (no context repeats it); its stream's order counts only if it switched a level.
        self.history.mark_shown(lineno, stream=stream if keeps_order else 0)

    def before(self, stream: int) -> None:
        self.progress.late(stream)  # a throttled progress message came first: it goes first
        self.out.settle_now()
        self.out.flush_gap()
