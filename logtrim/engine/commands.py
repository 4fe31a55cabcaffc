"""The child's CI commands, as the dialects read them: secrets, level switches, results.

Secrets are learned from every system's syntax (more masking is safe), in a pass of their
own over each region with their own dialect instances. Commands pass verbatim for the system
in use and for those whose commands always do (:attr:`Dialect.forward_always`); those
dialects also track the level switches the engine applies, line by line, and say when a
command goes on over the next lines (each of which must look like part of it).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from ..dialects import Dialect, Level, all_dialects
from ..dialects.base import Mask
from .kinds import NOISE, PROGRESS, Kind
from .output import STDERR, STDOUT

# The tier a level raises every line of its stream to, at least.
# Plain names: on CPython 3.11 ``Level.NORMAL`` is a look-up through the enum's metaclass,
# and the selector asks for a stream's level several times a line.
_NORMAL, _QUIET, _PROGRESS = Level.NORMAL, Level.QUIET, Level.PROGRESS
_FLOOR = {Level.INFO: Kind.INFO, Level.WARNING: Kind.WARNING, Level.ERROR: Kind.ERROR}
#: A command over several lines holds at most this many more: a bound, whatever the input.
MAX_LINES = 64


def _opens(dialect: Dialect, text: str) -> bool:
    """Whether ``text`` starts a command of ``dialect`` that goes on on the next lines (a
    line without its marker starts none, whatever :meth:`Dialect.unclosed` says of it)."""
    if not dialect.unclosed(text):
        return False
    lowered = text.lower()
    return any(m.decode("latin-1").lower() in lowered for m in dialect.markers)


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
        # Per stream: a message still open at the end of the last region learned (its
        # dialect and lines), read on into the next region's first lines.
        self._gathering: dict[int, tuple[Dialect, list[bytes]]] = {}

    def gathering(self, stream: int) -> bool:
        """Whether a message of the stream is open since its last region."""
        return stream in self._gathering

    def learn(self, region: bytes, starts: Sequence[int], stream: int | None = None) -> list[str]:
        """The secrets the command lines starting at ``starts`` declare (``stream``: the
        one ``region`` comes from, for a message open over the end of a region)."""
        found: list[str] = []
        self._declaring.clear()
        held = self._gathering.pop(stream, None) if stream is not None else None
        if held is not None:
            dialect, before = held
            lines, end = self._gather(region, -1, dialect, len(before))
            found += self._learn_lines([*before, *lines], lines)
            self._hold(stream, dialect, [*before, *lines], end, region)
        for start in starts:
            end = region.find(b"\n", start)
            end = end if end >= 0 else len(region)
            first = region[start:end]
            text = first.decode("utf-8", "replace")
            opened = next((d for d in self._secret_dialects if _opens(d, text)), None)
            more, end = ([], end) if opened is None else self._gather(region, end, opened, 1)
            lines = [first, *more]
            found += self._learn_lines(lines, lines)
            if opened is not None:
                self._hold(stream, opened, lines, end, region)
        return found

    def declared_in(self, region: bytes, starts: Sequence[int]) -> list[str]:
        """What the one-line commands starting at ``starts`` declare, with no state changed:
        for lines read ahead of their turn (they are learned again in it)."""
        texts = [region[s : region.find(b"\n", s)].decode("utf-8", "replace") for s in starts]
        return [v for t in texts for d in self._secret_dialects for v in d.declared_secrets(t)]

    def _learn_lines(self, lines: list[bytes], here: list[bytes]) -> list[str]:
        """What a message over ``lines`` declares, read joined with and without a space
        (Calamari drops line breaks); ``here``: its lines in this region."""
        found: list[str] = []
        texts = [raw.decode("utf-8", "replace") for raw in lines]
        spaced, tight = " ".join(texts), "".join(t.rstrip("\r") for t in texts)
        ours = False
        for i, dialect in enumerate(self._secret_dialects):
            declared = dialect.declared_secrets(spaced)
            if len(lines) > 1:
                declared += [v for v in dialect.declared_secrets(tight) if v not in declared]
            found += declared
            # The first: the system in use, when it reads the declaration as one.
            ours = ours or (i == 0 and bool(declared) and dialect.declares_to_ci(spaced))
            dialect.observe(spaced)
        if ours:
            self._declaring.update(raw.rstrip(b"\r") for raw in here)
        return found

    def _gather(
        self, region: bytes, end: int, dialect: Dialect, count: int
    ) -> tuple[list[bytes], int]:
        """The lines after the newline at ``end`` that the open message of ``dialect``
        reads on (``count`` lines so far), and where the last one ends."""
        lines: list[bytes] = []
        while end + 1 < len(region) and count + len(lines) <= MAX_LINES:
            nxt = region.find(b"\n", end + 1)
            nxt = nxt if nxt >= 0 else len(region)
            line = region[end + 1 : nxt]
            text = line.decode("utf-8", "replace")
            if not dialect.gathers(text):
                break
            lines.append(line)
            end = nxt
            if not dialect.unclosed(text):
                return lines, -2  # closed
        return lines, end

    def _hold(
        self, stream: int | None, dialect: Dialect, lines: list[bytes], end: int, region: bytes
    ) -> None:
        """Keep a message open at the end of the region for the next one."""
        if stream is not None and end >= len(region) - 1 and len(lines) <= MAX_LINES:
            self._gathering[stream] = (dialect, lines)

    def syntax_word(self, value: str) -> str | None:
        """A word of a command's syntax that holds ``value`` (kept there unmasked), if any."""
        for dialect in self._secret_dialects:
            words = [m.decode("latin-1") for m in dialect.markers] + list(dialect.syntax_words)
            found = next((w for w in words if value in w), None)
            if found is not None:
                return found
        return None

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
        # The dialects as the region's lines will find them, each line seen in turn as the
        # selector sees it: a ``::stop-commands::`` pause, or its end, in the region changes
        # what the lines after it are (copies: their state is a few plain values).
        dialects = [copy.copy(d) for d in self._dialects]
        for start in starts:
            if start < pos:
                continue
            end = region.find(b"\n", start) + 1 or len(region)
            text = region[start:end].decode("utf-8", "replace")
            command = any(d.is_command(text) for d in dialects)
            for d in dialects:
                d.observe(text)
            if not command:
                continue  # a marker in plain text ("--- " in "-----END KEY----- done")
            out.append((start, end))
            dialect = next((d for d in dialects if d.unclosed(text)), None)
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

    def declares(self, line: bytes) -> bool:
        """Whether ``line`` declares a secret to the system in use (its command carries it)."""
        return line.rstrip(b"\r\n") in self._declaring

    def cut_from(self, line: bytes, command: bytes) -> None:
        """``command`` goes alone, without the text around it on ``line``: if the line
        declares a secret to the system in use, so does the command (as it is)."""
        if line.rstrip(b"\r\n") in self._declaring:
            self._declaring.add(command)

    def _declaration(self, line: bytes, mask: Mask) -> bytes:
        """A line declaring a secret to the system in use: its command verbatim (the system
        needs the value), the text before and after it masked (another command there as its
        system reads it)."""
        ours = self._dialects[0]
        text = line.decode("utf-8", "surrogateescape")
        spans = ours.declaring_spans(text)
        if spans is None:
            return line  # the whole line is the command (``::add-mask::VALUE``)
        parts, pos = [], 0
        for first, last in spans:
            start = len(text[:first].encode("utf-8", "surrogateescape"))
            end = len(text[:last].encode("utf-8", "surrogateescape"))
            parts += [self._between(line[pos:start], mask), line[start:end]]
            pos = end
        return b"".join([*parts, self._between(line[pos:], mask)])

    def _between(self, piece: bytes, mask: Mask) -> bytes:
        """Text around a declaring command: masked, a command there as its system reads it."""
        if not piece:
            return piece
        text = piece.decode("utf-8", "replace")
        other = next((d for d in self._dialects if d.is_command(text)), None)
        masked = mask(piece) if other is None else other.mask_command(piece, mask)
        return masked if masked is not None else mask(piece)

    def is_command(self, text: str) -> bool:
        """Whether a line carries a command to forward verbatim."""
        return any(d.is_command(text) for d in self._dialects)

    def long_command(self, text: str) -> Dialect | None:
        """The system whose command ``text`` (the start of one too long to hold) begins."""
        return next((d for d in self._dialects if d.long_command(text)), None)

    def command_span(self, text: str) -> tuple[int, int] | None:
        """The span of the command on a command line, when text around it is not part of
        it (see :meth:`Dialect.command_span`); None: the whole line."""
        dialect = next((d for d in self._dialects if d.is_command(text)), None)
        return None if dialect is None else dialect.command_span(text)

    def text_before(self, text: str) -> str:
        """On a line that is all command (``##vso[...]``): the text before its marker."""
        dialect = next((d for d in self._dialects if d.is_command(text)), None)
        lowered = text.lower()
        found = [lowered.find(m.decode("latin-1").lower()) for m in getattr(dialect, "markers", ())]
        return text[: min((at for at in found if at >= 0), default=0)]

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

    def progress_of(self, text: str) -> str | None:
        """The dialect whose progress command the line is (each has one), or None."""
        return next((d.name for d in self._dialects if d.is_progress(text)), None)

    @property
    def child_sent_result(self) -> bool:
        return any(d.child_sent_result() for d in self._dialects)

    # -- the level switches ---------------------------------------------------------------
    def quiet(self, stream: int) -> bool:
        """Whether the stream's lines go to the archive only."""
        return self._levels[stream] is _QUIET

    def as_written(self, stream: int) -> bool:
        """Whether the stream's lines may be shown as written (within the verbatim
        allowance): not under a level that keeps them off the console or throttles them."""
        return self._levels[stream] not in (_QUIET, _PROGRESS)

    def forced(self, stream: int) -> bool:
        """Whether the stream's level makes every line worth a look."""
        return self._levels[stream] not in (_NORMAL, _QUIET)

    def apply(self, stream: int, kind: Kind) -> Kind:
        """A line's tier under its stream's level."""
        level = self._levels[stream]
        if level is _NORMAL:
            return kind
        if level is _QUIET:
            return NOISE
        if level is _PROGRESS:
            return PROGRESS
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

    def close_open(self, stream: int) -> None:
        """The stream ended with its command still open: nothing more continues it."""
        self._open[stream] = None
