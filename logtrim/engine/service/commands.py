"""The child's CI commands, as the dialects read them: level switches, results, and the
secrets they declare (learned by the :class:`~.declarations.Declarations` it owns).

Commands pass verbatim for the system in use and for those whose commands always do
(:attr:`Dialect.forward_always`); those dialects also track the level switches the engine
applies, line by line, and say when a command goes on over the next lines (each of which
must look like part of it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...dialects import Dialect, Level, all_dialects
from ...dialects.syntax import Mask
from ..console.output import STDERR, STDOUT
from ..masking.declarations import Declarations
from ..match.kinds import NOISE, PROGRESS, Kind
from .opened import OpenCommands
from .spans import command_spans, declaring_bytes

# The tier a level raises every line of its stream to, at least.
# Plain names: on CPython 3.11 ``Level.NORMAL`` is a look-up through the enum's metaclass,
# and the selector asks for a stream's level several times a line.
_NORMAL, _QUIET, _PROGRESS = Level.NORMAL, Level.QUIET, Level.PROGRESS
_IGNORED = Level.IGNORED
_OFF = frozenset((_QUIET, _IGNORED))  # archive only
_FLOOR = {Level.INFO: Kind.INFO, Level.WARNING: Kind.WARNING, Level.ERROR: Kind.ERROR}


class Commands:
    """Reads the child's commands for the engine; holds the level of each stream."""

    def __init__(self, dialect: Dialect) -> None:
        # What the commands of every system declare: the secrets' side (with instances of
        # its own, for the secrets pass sees a region before its lines are looked at).
        self.declared = Declarations(dialect)
        self.markers = self.declared.markers
        others = [d for d in all_dialects() if d.name != dialect.name and d.forward_always]
        self._dialects = [dialect, *others]
        self._levels = {STDOUT: Level.NORMAL, STDERR: Level.NORMAL}
        self.opened = OpenCommands(self._dialects)  # commands that go on over lines
        # Inert lines of the system in use (``Dialect.quick``), and who watches them go by.
        self._quick = type(dialect).quick_lines()
        self._leveled = type(dialect).level is not Dialect.level  # else always NORMAL
        self._watching = [
            d for d in self._dialects if type(d).observe_quick is not Dialect.observe_quick
        ]

    def observe_passed(self, text: str) -> None:
        """A command that passed inside a line too long to hold (engine/service/longline.py),
        as the CI read it: a pause it starts or ends is the dialects' state, the declarations'
        dialects too (a declaration in a pause is text to the CI)."""
        for dialect in (*self._dialects, *self.declared.dialects):
            dialect.observe(text)

    def hide_with(self, hide: Callable[[str], str]) -> None:
        """The console's masking, for the dialects' state of what the CI read (see
        :meth:`Dialect.hide_with`), the declarations' dialects too."""
        for dialect in (*self._dialects, *self.declared.dialects):
            dialect.hide_with(hide)

    # -- the commands that pass verbatim ----------------------------------------------------
    def command_lines(
        self, stream: int, region: bytes, starts: Sequence[int]
    ) -> list[tuple[int, int]]:
        """The ``[start, end)`` offsets of the lines that may be commands: each line
        that is one, and the lines after one its dialect leaves open. Their secrets are
        masked as the command's system reads them (:meth:`mask`), not as plain text."""
        opened = self.opened
        return command_spans(
            self._dialects, self._quick, region, starts, opened.now[stream], opened.lines[stream]
        )

    def mask(self, stream: int, line: bytes, mask: Mask) -> bytes | None:
        """A command line masked as its system reads it; a declaring line's command as it
        is, the text around it masked."""
        if line.rstrip(b"\r\n") in self.declared.declaring:
            return self.declaration(line, mask)
        dialect = self.opened.continued[stream]
        self.opened.continued[stream] = None
        if dialect is not None:  # the next line of a message opened on an earlier one
            return dialect.mask_command(line, mask, continued=True)
        text = line.decode("utf-8", "replace")
        dialect = next((d for d in self._dialects if d.is_command(text)), None)
        return mask(line) if dialect is None else dialect.mask_command(line, mask)

    def declares(self, line: bytes) -> bool:
        """Whether ``line`` declares a secret to the system in use (its command carries it)."""
        return line.rstrip(b"\r\n") in self.declared.declaring

    def declares_in_use(self, line: bytes) -> bool:
        """Whether a whole command line declares a secret the system in use reads as one
        (it needs the value as written), whether or not it was learned already."""
        dialect = self.declared.dialects[0]
        text = line.decode("utf-8", "surrogateescape")
        return bool(dialect.declared_secrets(text)) and dialect.declares_to_ci(text)

    def keeps_command(self, line: bytes) -> bool:
        """Whether a command line is shown as written whatever the secrets: one that declares
        a secret to the system in use, or resumes a pause whose token the console showed in
        clear (:meth:`.Dialect.resumes_in_clear`)."""
        if self.declares(line):
            return True
        text = line.decode("utf-8", "surrogateescape")
        return any(d.resumes_in_clear(text) for d in self._dialects)

    def cut_from(self, line: bytes, command: bytes) -> None:
        """``command`` goes alone, without the text around it on ``line``: if the line
        declares a secret to the system in use, so does the command (as it is)."""
        if line.rstrip(b"\r\n") in self.declared.declaring:
            self.declared.declaring.add(command)

    def declaration(self, line: bytes, mask: Mask) -> bytes:
        """A line declaring a secret to the system in use (or a command too long to hold that
        does: engine/service/longline.py): its command verbatim (the system needs the value),
        the text before and after it masked (another command there as its system reads it)."""
        parts, pos = [], 0
        for start, end in self.declaring_commands(line):
            parts += [self._between(line[pos:start], mask), line[start:end]]
            pos = end
        return b"".join([*parts, self._between(line[pos:], mask)])

    def declaring_commands(self, line: bytes) -> list[tuple[int, int]]:
        """The bytes of the commands that declare a secret on a line that declares one to the
        system in use (:func:`.spans.declaring_bytes`)."""
        return declaring_bytes(self._dialects[0], line)

    def _between(self, piece: bytes, mask: Mask) -> bytes:
        """Text around a declaring command: masked, a command there as its system reads it."""
        if not piece:
            return piece
        text = piece.decode("utf-8", "replace")
        other = next((d for d in self._dialects if d.is_command(text)), None)
        masked = mask(piece) if other is None else other.mask_command(piece, mask)
        return masked if masked is not None else mask(piece)

    def quick(self, stream: int, line: bytes) -> str | None:
        """Whether ``line`` is an inert command of the system in use (``Dialect.quick``),
        forwarded as it is unless it holds a secret's form (:meth:`see_quick`): None if
        not; else the system's name if it is a progress command, or ``""``."""
        quick = self._quick
        if quick is None or self.opened.continued[stream] is not None:
            return None
        found = quick.fullmatch(line)
        if found is None or not self._dialects[0].quick_ready():
            return None
        if line[:-1] in self.declared.declaring:
            return None
        progress = found.re.groupindex.get("progress")
        return "" if progress is None or found.group(progress) is None else self._dialects[0].name

    def see_quick(self, stream: int, line: bytes) -> bool:
        """:meth:`see` and :meth:`.OpenCommands.reset` of a :meth:`quick` line; True when the levels
        changed (they are read again, as after any command)."""
        for dialect in self._watching:
            dialect.observe_quick(line)
        self.opened.reset(stream)
        if not self._leveled:
            return False  # every level NORMAL, as ever
        levels = self.levels()
        for each in self._levels:
            self._levels[each] = self._level(each == STDERR)
        return self.levels() != levels

    def is_command(self, text: str) -> bool:
        """Whether a line carries a command to forward verbatim."""
        return any(d.is_command(text) for d in self._dialects)

    def long_command(self, text: str) -> Dialect | None:
        """The system whose command ``text`` (the start of one too long to hold) begins."""
        return next((d for d in self._dialects if d.long_command(text)), None)

    def long_value(self, dialect: Dialect, window: str) -> tuple[int, bool]:
        """Of a command too long to hold that starts with ``window``: the byte where the
        value of a secret it may declare begins (-1: none), and whether the CI in use reads
        it (the value then reaches the CI as written)."""
        at = dialect.long_value_at(window)
        if at < 0:
            return -1, False
        # Its own line to the CI's reader: up to the window's first line end (a lone \r
        # too). The commands after it on the window are decided in their turn (read whole
        # for each, a line of a thousand \r-separated declarations took minutes).
        own = window.partition("\r")[0].partition("\n")[0]
        ours = dialect is self._dialects[0] and dialect.declares_to_ci(own)
        return len(window[:at].encode("utf-8", "surrogateescape")), ours

    def declared_value_at(self, start: bytes, window: int) -> int:
        """Where the value of a secret a long line declares at its start (``start``: its
        first ``window`` bytes or more) begins, in a syntax that is no command here, else -1
        (a command passes as one: :meth:`long_value`)."""
        lead = len(start) - len(start.lstrip())
        text = start[lead : lead + window].decode("utf-8", "surrogateescape")
        if self.long_command(text) is not None:
            return -1
        at = self.declared.long_value_at(text)
        return -1 if at < 0 else lead + len(text[:at].encode("utf-8", "surrogateescape"))

    def command_span(self, text: str) -> tuple[int, int] | None:
        """The span of the command on a command line, when text around it is not part of
        it (see :meth:`Dialect.command_span`); None: the whole line."""
        dialect = next((d for d in self._dialects if d.is_command(text)), None)
        return None if dialect is None else dialect.command_span(text)

    def ends_at_cr(self) -> bool:
        """Whether the CI in use reads a lone ``\r`` as a line's end (GitHub's runner,
        Azure's agent): a child's line is several to it, whoever's commands it holds."""
        return self._dialects[0].ends_at_cr

    def may_be_command(self, text: str) -> bool:
        """Whether ``text`` (a part of a line the CI reads as several) may be a command: any
        system's now, or the CI's in the state the parts before it may leave it in."""
        return self.is_command(text) or self._dialects[0].may_be_command(text)

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
        # Only the system in use switches levels: under another one nobody reads an
        # ``##octopus[stdout-error]`` as a switch, though the message passes verbatim.
        return self._dialects[0].level(stderr)

    def cosmetic(self, line: bytes) -> bool:
        """Whether the command only lays out the log (:meth:`.Dialect.is_cosmetic`)."""
        return self._dialects[0].is_cosmetic(line)

    def progress_of(self, text: str) -> str | None:
        """The dialect whose progress command the line is (each has one), or None."""
        return next((d.name for d in self._dialects if d.is_progress(text)), None)

    @property
    def reads(self) -> frozenset[str]:
        """The systems whose commands are read as commands here (the one in use, and those
        whose commands always pass)."""
        return frozenset(d.name for d in self._dialects)

    def shows_line(self, line: bytes) -> bool:
        """Whether the system in use shows the command on ``line`` as a line of its log."""
        return self._dialects[0].shows_line(line.decode("utf-8", "replace"))

    def read_only(self, line: bytes) -> bool:
        """Whether a system whose commands are read here reads the command on ``line`` and
        writes no line for it (Octopus's level switches under any CI: the gap stays open over
        them, though where no Octopus reads them they are lines of the log)."""
        text = line.decode("utf-8", "replace")
        return any(not d.shows_line(text) for d in self._dialects)

    def ends_section(self, line: bytes) -> bool:
        """Whether the command on ``line`` ends a section of the system in use's log."""
        return self._dialects[0].ends_section(line.decode("utf-8", "replace"))

    def reported_error(self, line: bytes) -> tuple[bytes, bool] | None:
        """The error a command on ``line`` reports to the system in use (its text, and
        whether it names a failing test): :meth:`.Dialect.reported_error`."""
        if b"rror" not in line and b"ail" not in line and b"roblem" not in line:
            return None  # (every such command says one of these: most lines are looked no further)
        found = self._dialects[0].reported_error(line.decode("utf-8", "replace"))
        if found is None:
            return None
        return found[0].encode("utf-8", "replace"), found[1]

    @property
    def child_sent_result(self) -> bool:
        # As for levels: only the system in use reads the child's own result.
        return self._dialects[0].child_sent_result()

    # -- the level switches ---------------------------------------------------------------
    def quiet(self, stream: int) -> bool:
        """Whether the stream's lines go to the archive only."""
        return self._levels[stream] in _OFF

    def ignored(self, stream: int) -> bool:
        """Whether the CI shows none of the stream's lines (Octopus's ``stdout-ignore``): not
        even as the failure reason."""
        return self._levels[stream] is _IGNORED

    def as_written(self, stream: int) -> bool:
        """Whether the stream's lines may be shown as written (within the verbatim
        allowance): not under a level that keeps them off the console or throttles them."""
        return self._levels[stream] not in (_QUIET, _IGNORED, _PROGRESS)

    def forced(self, stream: int) -> bool:
        """Whether the stream's level makes every line worth a look."""
        return self._levels[stream] not in (_NORMAL, _QUIET, _IGNORED)

    def apply(self, stream: int, kind: Kind) -> Kind:
        """A line's tier under its stream's level."""
        level = self._levels[stream]
        if level is _NORMAL:
            return kind
        if level in _OFF:
            return NOISE
        if level is _PROGRESS:
            return PROGRESS
        return max(kind, _FLOOR[level])

    def is_open(self, stream: int) -> bool:
        """Whether a command opened on the stream goes on on its next line (:attr:`opened`)."""
        return self.opened.now[stream] is not None
