"""The child's CI commands, as the dialects read them: secrets, level switches, results.

Secrets are learned from every system's syntax (more masking is safe), in a pass of their
own over each region with their own dialect instances. Commands pass verbatim for the system
in use and for those whose commands always do (:attr:`Dialect.forward_always`); those
dialects also track the level switches the engine applies, line by line, and say when a
command goes on over the next lines (each of which must look like part of it).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..dialects import Dialect, Level, all_dialects
from ..dialects.base import Mask
from .kinds import Kind
from .output import STDERR, STDOUT

# The tier a level raises every line of its stream to, at least.
_FLOOR = {Level.INFO: Kind.INFO, Level.WARNING: Kind.WARNING, Level.ERROR: Kind.ERROR}
#: A command over several lines holds at most this many more: a bound, whatever the input.
MAX_LINES = 64


class Commands:
    """Reads the child's commands for the engine; holds the level of each stream."""

    def __init__(self, dialect: Dialect) -> None:
        others = [d for d in all_dialects() if d.name != dialect.name]
        self._secret_dialects = [type(dialect)(), *others]
        # Instances of their own: the secrets pass sees a region before its lines are looked at.
        self._dialects = [dialect] + [type(d)() for d in others if d.forward_always]
        self.markers = sorted({m for d in self._secret_dialects for m in d.markers})
        self._levels = {STDOUT: Level.NORMAL, STDERR: Level.NORMAL}
        self._open: dict[int, Dialect | None] = {STDOUT: None, STDERR: None}
        self._open_lines = {STDOUT: 0, STDERR: 0}
        self._continued: dict[int, Dialect | None] = {STDOUT: None, STDERR: None}
        # The lines of the latest region that declare a secret to the system in use: the only
        # ones whose command carries it (another system's declaration is masked as it reads
        # it: nobody there takes the value, and a reader could decode it).
        self._declaring: set[bytes] = set()

    def learn(self, region: bytes, starts: Sequence[int]) -> list[str]:
        """The secrets the command lines starting at ``starts`` declare."""
        found: list[str] = []
        self._declaring.clear()
        for start in starts:
            lines = self._message_lines(region, start)
            text = " ".join(raw.decode("utf-8", "replace") for raw in lines)
            ours = False
            for i, dialect in enumerate(self._secret_dialects):
                declared = dialect.declared_secrets(text)
                found += declared
                ours = ours or (i == 0 and bool(declared))  # the first: the system in use
                dialect.observe(text)
            if ours:
                self._declaring.update(raw.rstrip(b"\r") for raw in lines)
        return found

    def _message_lines(self, region: bytes, start: int) -> list[bytes]:
        """The line at ``start`` and, for a message its dialect reads over several lines
        (a service message whose closing ``]`` comes later), the lines that continue it."""
        end = region.find(b"\n", start)
        end = end if end >= 0 else len(region)
        lines = [region[start:end]]
        text = lines[0].decode("utf-8", "replace")
        dialect = next((d for d in self._secret_dialects if d.unclosed(text)), None)
        while dialect is not None and end < len(region) and len(lines) <= MAX_LINES:
            nxt = region.find(b"\n", end + 1)
            nxt = nxt if nxt >= 0 else len(region)
            line = region[end + 1 : nxt]
            text = line.decode("utf-8", "replace")
            if not dialect.continues(text):
                break
            lines.append(line)
            end = nxt
            if not dialect.unclosed(text):
                break
        return lines

    def secret_forms(self, value: str) -> list[str]:
        """The escaped forms of a secret in every system's commands."""
        return [f for d in self._secret_dialects for f in d.secret_forms(value) if f != value]

    def command_lines(
        self, stream: int, region: bytes, starts: Sequence[int]
    ) -> list[tuple[int, int]]:
        """The ``[start, end)`` offsets of the lines that may be commands: each line
        that is one, and the lines after one its dialect leaves open. Their secrets are
        masked as the command's system reads them (:meth:`mask`), not as plain text."""
        out: list[tuple[int, int]] = []
        pos = 0
        if self._open[stream] is not None:  # a command open since the previous region
            pos = self._continuation(region, 0, self._open[stream], self._open_lines[stream], out)
        for start in starts:
            if start < pos:
                continue
            end = region.find(b"\n", start) + 1 or len(region)
            text = region[start:end].decode("utf-8", "replace")
            if not self.is_command(text):
                continue  # a marker in plain text ("--- " in "-----END KEY----- done")
            out.append((start, end))
            dialect = next((d for d in self._dialects if d.unclosed(text)), None)
            pos = self._continuation(region, end, dialect, 0, out) if dialect else end
        return out

    @staticmethod
    def _continuation(
        region: bytes, pos: int, dialect: Dialect | None, count: int, out: list[tuple[int, int]]
    ) -> int:
        while dialect is not None and pos < len(region) and count < MAX_LINES:
            end = region.find(b"\n", pos) + 1 or len(region)
            text = region[pos:end].decode("utf-8", "replace")
            if not dialect.continues(text):
                break
            out.append((pos, end))
            pos, count = end, count + 1
            if not dialect.unclosed(text):
                break
        return pos

    def mask(self, stream: int, line: bytes, mask: Mask) -> bytes | None:
        """A command line masked as its system reads it; a declaring line's command as it
        is, the text around it masked."""
        if line.rstrip(b"\r\n") in self._declaring:
            return self._declaration(line, mask)
        dialect = self._continued[stream]
        self._continued[stream] = None
        if dialect is None:
            text = line.decode("utf-8", "replace")
            dialect = next((d for d in self._dialects if d.is_command(text)), None)
        return mask(line) if dialect is None else dialect.mask_command(line, mask)

    def _declaration(self, line: bytes, mask: Mask) -> bytes:
        """A line declaring a secret to the system in use: its command verbatim (the system
        needs the value), the text before and after it masked (another command there as its
        system reads it)."""
        ours = self._dialects[0]
        text = line.decode("utf-8", "surrogateescape")
        span = ours.command_span(text)
        if span is None:
            return line  # the whole line is the command (``::add-mask::VALUE``)
        start = len(text[: span[0]].encode("utf-8", "surrogateescape"))
        end = len(text[: span[1]].encode("utf-8", "surrogateescape"))
        rest = line[end:]
        rest_text = rest.decode("utf-8", "replace")
        other = next((d for d in self._dialects if d.is_command(rest_text)), None)
        after = mask(rest) if other is None else other.mask_command(rest, mask)
        return mask(line[:start]) + line[start:end] + (after or b"")

    def is_command(self, text: str) -> bool:
        """Whether a line carries a command to forward verbatim."""
        return any(d.is_command(text) for d in self._dialects)

    def command_span(self, text: str) -> tuple[int, int] | None:
        """The span of the command on a command line, when text around it is not part of
        it (see :meth:`Dialect.command_span`); None: the whole line."""
        dialect = next((d for d in self._dialects if d.is_command(text)), None)
        return None if dialect is None else dialect.command_span(text)

    def see(self, text: str) -> bool:
        """Look at a line that may be a command, in order; True when it is one."""
        command = self.is_command(text)
        for dialect in self._dialects:
            dialect.observe(text)
        if command:
            for stream in self._levels:
                self._levels[stream] = self._level(stream == STDERR)
        return command

    def levels(self) -> tuple[Level, ...]:
        """The level in effect on each stream (a snapshot, to see whether a command switched)."""
        return tuple(self._levels.values())

    def _level(self, stderr: bool) -> Level:
        for dialect in self._dialects:
            level = dialect.level(stderr)
            if level is not Level.NORMAL:
                return level
        return Level.NORMAL

    def is_progress(self, text: str) -> bool:
        return any(d.is_progress(text) for d in self._dialects)

    @property
    def child_sent_result(self) -> bool:
        return any(d.child_sent_result() for d in self._dialects)

    # -- the level switches ---------------------------------------------------------------
    def quiet(self, stream: int) -> bool:
        """Whether the stream's lines go to the archive only."""
        return self._levels[stream] is Level.QUIET

    def as_written(self, stream: int) -> bool:
        """Whether the stream's lines may be shown as written (within the verbatim
        allowance): not under a level that keeps them off the console or throttles them."""
        return self._levels[stream] not in (Level.QUIET, Level.PROGRESS)

    def forced(self, stream: int) -> bool:
        """Whether the stream's level makes every line worth a look."""
        return self._levels[stream] not in (Level.NORMAL, Level.QUIET)

    def apply(self, stream: int, kind: Kind) -> Kind:
        """A line's tier under its stream's level."""
        level = self._levels[stream]
        if level is Level.NORMAL:
            return kind
        if level is Level.QUIET:
            return Kind.NOISE
        if level is Level.PROGRESS:
            return Kind.PROGRESS
        return max(kind, _FLOOR[level])

    # -- commands over several lines ------------------------------------------------------
    def open_after(self, stream: int, text: str) -> None:
        """After a command line: whether its command goes on on the stream's next lines."""
        self._open[stream] = next((d for d in self._dialects if d.unclosed(text)), None)
        self._open_lines[stream] = 0

    def continues(self, stream: int, text: str) -> bool:
        """Whether a line is the next line of the stream's open command (it stays open while
        its dialect says so, for at most ``MAX_LINES`` lines)."""
        dialect = self._open[stream]
        if dialect is None:
            return False
        self._open_lines[stream] += 1
        if not dialect.continues(text) or self._open_lines[stream] > MAX_LINES:
            self._open[stream] = None
            return False
        self._continued[stream] = dialect
        if not dialect.unclosed(text):
            self._open[stream] = None
        return True

    def is_open(self, stream: int) -> bool:
        return self._open[stream] is not None
