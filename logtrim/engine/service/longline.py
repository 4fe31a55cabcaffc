"""The CI commands in a line too long to hold (a part of the :class:`~.intake.Intake`).

Such a line reaches the engine in pieces (engine/flow/lines.py) and is shown by its start, but every
command in it still reaches the console, verbatim and in order with the lines around it
(where one starts: :mod:`.longstart`, on a window of the bytes from there, whatever the reads).
A command that ends within its window is forwarded as a command line of its own. One that goes
on past it is passed through as it comes (masked), to its ``]`` (the systems that close their
commands so) or to the end of its line, never held whole: logtrim's own lines on that stream
wait for its end (:meth:`.output.Output.command_part`).

The line's text is what comes before its first command, when that command starts within the
first half of what the splitter holds: the text line is shown cut as any long line is, or is
no line at all when it is blank (colour codes, spaces, a redraw before the ``\\r``).
"""

from __future__ import annotations

from ..._regex import lazy
from ..._text import ANSI
from ...dialects import Dialect
from ...dialects.escape import unescaped
from ..console.output import STDERR, STDOUT, Output
from ..masking.mask import MASK, Masker
from ..masking.passing import PassingValues
from ..masking.secrets import Secrets
from ..masking.toolong import LongValue
from ..match.kinds import Kind
from .commands import Commands
from .forward import Forwarder
from .longstart import Starts

# Blank before a command: colour codes and other escapes, spaces, and what a \r redraws.
_BLANK = lazy(rf"(?:{ANSI}|\s)*\Z".encode())


def blank(text: bytes) -> bool:
    """Whether ``text`` shows nothing before a command (what a ``\\r`` redraws counts not)."""
    return _BLANK.match(text.rpartition(b"\r")[2]) is not None


class _Line:
    """One stream's long line being read."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.buf = b""  # the last bytes read not yet looked at (from a command's start)
        self.offset = 0  # the bytes of the line read so far
        self.dialect: Dialect | None = None  # the system whose command passes through
        self.window = ""  # ... and the start it was recognised by
        self.lineno = -1
        self.led = False  # the line's start was looked at for a command
        self.hidden = False  # its text went into the gap: so do its bytes, but commands'
        self.counted = 0  # the bytes of the line counted so far
        self.value = LongValue()  # the value of a secret the command passing may declare
        self.declares = -1  # where the value a text line declares starts (no command here)
        self.escaped = False  # the command's last part ended in an escape (TeamCity's ``|``)
        self.values: PassingValues | None = None  # its base64 values (Octopus's), as they pass


class LongCommands:
    """Finds and forwards the commands of long lines (see the module docstring)."""

    def __init__(
        self,
        commands: Commands,
        forward: Forwarder,
        out: Output,
        masker: Masker,
        secrets: Secrets,
        max_pending: int,
    ) -> None:
        self._commands, self._forward, self._out = commands, forward, out
        self._masker, self._secrets = masker, secrets
        self.starts = Starts(commands, max_pending)
        self._lines = {STDOUT: _Line(), STDERR: _Line()}
        self._fed = 0  # where the bytes being fed start in their line

    def text_end(self, start: bytes) -> int:
        """Where the text of a long line ends (:meth:`.Starts.text_end`)."""
        return self.starts.text_end(start)

    def begin(
        self, stream: int, lineno: int, counted: int, *, hidden: bool, declares: int = -1
    ) -> None:
        """A long line starts (``lineno``: its number; ``counted``: the bytes of its text
        counted with it, ``hidden``: in the gap; ``declares``: :meth:`declared_at`)."""
        line = self._lines[stream]
        line.reset()
        line.lineno, line.counted, line.hidden = lineno, counted, hidden
        line.declares = declares

    def declared_at(self, start: bytes) -> int:
        """Where the value of a secret a long line (``start``: its first piece) declares at
        its start begins, in a syntax no command read here has (``::add-mask::`` under
        Octopus: the line is text), else -1. Too long to learn, the value is masked from
        there in the archive, and left out of the line's start the console shows."""
        return self._commands.declared_value_at(start, self.starts.window)

    def declares_from(self, stream: int, at: int) -> None:
        """The bytes fed next declare a value too long to learn from their byte ``at``: the
        line is masked from there by place (as one that declares at its start)."""
        line = self._lines[stream]
        place = line.offset + at
        line.declares = place if line.declares < 0 else min(line.declares, place)

    def _count(self, line: _Line, upto: int, skip: int = 0) -> None:
        """The bytes of a hidden line before ``upto`` join the gap (a command's ``skip``
        bytes after it are shown, not hidden)."""
        if line.hidden and upto > line.counted:
            self._out.gap_bytes += upto - line.counted
        line.counted = max(line.counted, upto + skip)

    def feed(self, stream: int, data: bytes, now: float, *, end: bool = False) -> None:
        """The next raw bytes of the stream's long line (``end``: its last, with its newline
        if it has one)."""
        line = self._lines[stream]
        at = self._fed = line.offset  # where ``data`` starts in the line
        line.offset += len(data)
        if line.declares >= 0:  # a text line declaring a value too long to learn
            stop = len(data.rstrip(b"\r\n")) if end else len(data)
            if max(line.declares - at, 0) < stop:
                self._secrets.too_long.place(max(line.declares - at, 0), stop)
            if end:
                self._secrets.too_long.refuse()
        if line.dialect is not None:
            used = self._through(stream, line, data, at, end=end)
            if line.dialect is not None:
                return
            data, at = data[used:], at + used
        buf, pos = line.buf + data, 0
        low = buf.lower()
        starts = self.starts
        starts.reset()
        at -= len(line.buf)  # where ``buf`` starts in the line
        while (found := starts.candidate(buf, low, pos, lead=not line.led)) >= 0:
            decided = starts.window_at(buf, found, lead=not line.led, end=end)
            if decided is None:
                pos = starts.held_from(buf, found)  # decided when its window is whole
                break
            lead, line.led = not line.led, True
            pos = self._decide(stream, line, buf, found, decided[0], at, now, end=end)
            if line.dialect is not None:
                line.buf = b""
                return
            if pos == found + 1:  # it started none
                pos = starts.passed(buf, found, decided, lead=lead)
            else:
                starts.prev = -1
        else:
            pos = max(pos, len(buf) - starts.keep)
        line.buf = buf[pos:]
        if end:
            self._count(line, line.offset)
            line.reset()

    # Long: the two outcomes of one decision, each with its accounting.
    def _decide(
        self,
        stream: int,
        line: _Line,
        buf: bytes,
        found: int,
        window: str,
        at: int,
        now: float,
        *,
        end: bool,
    ) -> int:
        """Whether a command starts at ``found`` of ``buf`` (``window``: what decides it;
        ``at``: where ``buf`` starts in the line): forwarded, or begun; where to look on."""
        recognised = self.starts.recognise(window)
        if recognised is None:
            return found + 1
        dialect, close = recognised
        if close >= 0:
            size = len(window[:close].encode("utf-8", "surrogateescape"))
            command = buf[found : found + size] + b"\n"
            self._count(line, at + found, size)
            self._secrets.learn(command, [0])
            # A value too long to learn: masked in the archive where it is (by place: the
            # rest of a long line is no command line of its region), and on the console.
            self._secrets.too_long.place_found(command, at + found - self._fed)
            if not self._commands.declares(command):
                command = self._secrets.too_long.masked(command)
            self._forward.service(stream, command, line.lineno, now)
            return found + size
        line.dialect, line.window = dialect, window
        # Its value is read past the window that told the command (up to its first ``]``:
        # Azure's data follows it).
        head = buf[found : found + self.starts.window].decode("utf-8", "surrogateescape")
        line.value = LongValue(head, *self._commands.long_value(dialect, head))
        line.values = PassingValues() if dialect.base64_values else None
        self._forward.before(stream)
        return found + self._through(stream, line, buf[found:], at + found, end=end, first=True)

    def _through(
        self, stream: int, line: _Line, data: bytes, at: int, *, end: bool, first: bool = False
    ) -> int:
        """Pass the bytes of a command too long to hold (``data`` starts at ``at`` in the
        line); how many of ``data`` it took."""
        dialect = line.dialect
        assert dialect is not None
        close = 0
        if dialect.closes_at_bracket:  # (an escaped ``]`` ends none: the part's end is kept)
            bracket, line.escaped = unescaped(data, b"]", dialect.escape, line.escaped)
            close = bracket + 1
        # A .NET reader ends the command at a lone \r: what follows is another line.
        cr = data.find(b"\r") if dialect.ends_at_cr and not close else -1
        part = data[:close] if close else data[:cr] if cr >= 0 else data
        done = bool(close) or cr >= 0 or end
        self._count(line, at, len(part))
        if first and done and not close:  # whole here (a pause, its end): as the CI read it
            self._commands.observe_passed(part.decode("utf-8", "replace"))
        shown = self._shown(stream, line, part, at, close=bool(close), first=first)
        if done and not shown.endswith(b"\n"):
            shown += b"\n"
        self._out.command_part(stream, shown, first=first, last=done)
        tally = self._out.tally
        tally.seen_lines[Kind.SERVICE] += first
        tally.seen_bytes[Kind.SERVICE] += len(part)
        if done:
            if line.value.declared(dialect):
                self._secrets.too_long.refuse()
            if not close and cr < 0:  # its line ended first: a message over lines goes on
                self._commands.opened.after(stream, line.window)
            self._forward.history.mark_shown(line.lineno)
            line.dialect = None
        return len(part)

    def _shown(
        self, stream: int, line: _Line, part: bytes, at: int, *, close: bool, first: bool
    ) -> bytes:
        """The console form of a part of a command passing (``at``: where it starts in the
        line). A value it may declare is too long to learn: masked in the archive, and on the
        console but where the CI in use reads it (it needs the value)."""
        span = line.value.span(part, close=close)
        if span is None:
            if line.values is not None:
                return self._passing(stream, line.values, part, first=first)
            if first and close is False and self._commands.declares_in_use(part):
                # A declaration to the CI in use, whole in this part (after a \r: GitHub's,
                # Azure's): as written, its value learned ahead may be masked elsewhere.
                return self._commands.declaration(part, self._masker.mask)
            # (a value it starts may end in a later piece: read in every escape)
            form = self._forward.command_form(stream, part) if first else part
            return self._masker.mask_piece(form)
        begin, end = span
        fed = at - self._fed  # where the part starts in the bytes fed (none before: passed)
        self._secrets.too_long.place(max(fed + begin, 0), max(fed + end, 0))
        if line.value.ours:  # the CI in use reads it: as written (learned already, it would
            # be masked), the text around its command masked (``Commands.declaration``); a
            # secret known before, in its base64
            if line.values is not None:
                part = self._in_values(line.values, part)
            return self._commands.declaration(part, self._masker.mask) if first else part
        if line.values is not None:
            line.values.mask(part, [])  # (its value is masked whole: no CI in use reads it)
        head = part[:begin]
        head = self._forward.command_form(stream, head) if first else head
        head = self._masker.mask_piece(head)
        return head + (MASK if line.value.begins(part, begin) else b"") + part[end:]

    def _passing(self, stream: int, values: PassingValues, part: bytes, *, first: bool) -> bytes:
        """A part of a command whose values are base64 (Octopus's): its head, to its first
        value, as its dialect reads it; its values masked as base64 (the server would drop
        a message whose value holds ``********``)."""
        cut = values.head(part) if first else 0
        head = self._forward.command_form(stream, part[:cut]) if cut else b""
        return head + self._in_values(values, part[cut:])

    def _in_values(self, values: PassingValues, part: bytes) -> bytes:
        """``part`` with the secrets in its base64 values masked as base64."""
        return values.mask(part, self._masker.piece_spans(part))
