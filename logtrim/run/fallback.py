"""The console when the engine itself broke: a plain head and tail, under the budget.

Fail-open keeps the step running, but "unfiltered" must not mean "unlimited": a flood would
bury the failure reason and can break the CI's log view. With no engine to trust, the rule
is the simplest one: the first half of the budget left is shown as it comes, the last half
is kept in a ring and shown at the end, after one line saying how much was left out. The CI's
commands are no part of it: each reaches the CI, in order, whatever the budget. Which CI's: the
one in use and Octopus's, as the engine passes them (another system's are text); every
system's when logtrim failed before it knew the CI in use.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .._regex import lazy
from .._sizes import format_size
from ..dialects import octomask, teamcity
from ..dialects.ghcommands import BLANKS
from ..dialects.octopus import ATTRIBUTES
from ..engine.core import STDOUT, Emit
from ..engine.masking.declarations import MAX_LINES
from ..engine.service.forward import ABANDONED
from .lastbytes import LastBytes

# The runner trims .NET's whitespace before ``::`` (the line's own ends aside), UTF-8 encoded.
_BLANK = rb"(?:" + rb"|".join(re.escape(c.encode()) for c in BLANKS if c not in "\r\n") + rb")"
# A line that may be a CI command: one the CI reads anywhere in a line (Octopus in any case,
# Azure, TeamCity), or one at a line's start (GitHub's ``::``).
_ANYWHERE = {
    "azure": rb"##(?i:vso)\[|##\[",  # older agents in any case; formatting commands
    "github": rb"##\[|\r" + _BLANK + rb"*::",  # the older syntax; a command after a redraw's CR
    "teamcity": rb"##teamcity\[",
    "octopus": rb"##(?i:octopus)",
}
_LINE_START = {"github": _BLANK + rb"*::"}
# A line of a message's attributes (``value='eQ=='``, then ``]``): Octopus's server reads a
# message on over such lines, and the engine's dialect passes them so.
_ATTRIBUTES = lazy(ATTRIBUTES.encode())
# The messages that end at their ``]`` (another system's command runs to its line's end), by
# their first ten bytes, each as its system reads one: "see ##octopus[ docs" is text.
_MESSAGES = {b"##octopus[": octomask.MESSAGE, b"##teamcity": teamcity.MESSAGE}
# A line that is a progress command alone: Octopus's, TeamCity's message, Azure's percentage.
_PROGRESS_LINE = lazy(
    rb"[ \t]*##(?:(?P<octopus>(?i:octopus)[ \t]*\[+[ \t]*(?i:progress)\b)|"
    rb"(?P<teamcity>teamcity\[progressMessage )|(?P<azure>(?i:vso)\[task\.setprogress\b))"
    rb"[^\n]*\n"
)


#: The longest command line the dialect is shown whole (a switch is a short line).
_OBSERVED_MAX = 64 * 1024


def _opens_message(part: bytes) -> bool:
    """Whether a command part is an Octopus or TeamCity message left open on its line, at
    the line's start (the server reads one there only, on to its ``]``)."""
    return part[:10].lower() in _MESSAGES and b"]" not in part


def _patterns(ci: str | None) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """(a marker, a command's whole line) of the CI ``ci`` and Octopus; None: every CI."""
    anywhere = [p for name, p in _ANYWHERE.items() if ci in (None, name) or name == "octopus"]
    start = [p for name, p in _LINE_START.items() if ci in (None, name)]
    opener = rb"(?:" + rb"|".join(anywhere) + rb")"
    marker = [opener, *(rb"(?:^|\n)" + p for p in start)]
    lines = [rb"^[^\n]*" + opener + rb"[^\n]*\n?", *(rb"^" + p + rb"[^\n]*\n?" for p in start)]
    return lazy(rb"|".join(marker)), lazy(rb"|".join(lines), re.M)


class HeadTail:
    """Pass the first ``room // 2`` bytes, keep the last ``room // 2``, count the rest."""

    def __init__(
        self,
        room: int,
        ci: str | None = None,
        observe: Callable[[str], None] | None = None,
        archived: bool = True,
    ) -> None:
        self._archived = archived  # False: no archive keeps what is not shown (the last resort)
        # A byte per stream kept from the head: a head cut mid-line ends its line there, so
        # what follows on that stream (a CI command above all) starts a line of its own.
        ends = min(room // 2, 2)
        self.head_left = self._head_room = room // 2 - ends
        self.tail_room = room - room // 2
        self._tail = LastBytes(self.tail_room)
        self.seen = 0
        self.skipped = 0
        self._cut = False  # the head is over: plain output goes to the tail
        self._open: set[int] = set()  # the streams whose last line shown has no end yet
        self._command: set[int] = set()  # the streams where a command's line goes on
        # The streams where a message goes on over the next lines (a ``##octopus[`` with no
        # ``]`` on its line: the server reads on to it), and how many lines it may still take.
        self._message: dict[int, int] = {}
        # Messages left open, then text: past ABANDONED an opener is text (a flood of
        # ``##octopus[a `` lines passed whatever the budget), as the engine's forwarder counts.
        self._abandoned = 0
        self._marker, self._command_line = _patterns(ci)
        # Progress commands pass while their share lasts; then each system's newest state
        # waits (of either stream: the bar never steps back), for the next other command or
        # the end: a progress flood stays in the budget, as the engine's throttle keeps it
        # there, and the CI still gets the last state. (system -> its stream and line)
        self._progress_left = room // 4
        self._held: dict[str, Emit] = {}
        # Each command line passed, whole, to the CI's dialect: what the child switched (a
        # pause, a level, a group) is switched back before logtrim's closing messages.
        self._observe = observe
        self._passing: dict[int, bytes] = {}

    def write(self, stream: int, data: bytes) -> list[Emit]:
        """What to show of ``data`` now (the head, and every CI command); the rest waits
        in the tail."""
        out: list[Emit] = []
        if stream in self._command and data:  # the rest of a command cut across writes
            end = data.find(b"\n") + 1 or len(data)
            out.append(self._pass(stream, data[:end]))
            if b"]" in data[:end]:
                self._message.pop(stream, None)
            data = data[end:]
        pos = self._read_on(stream, data, 0, out)
        if pos == len(data) or self._marker.search(data, pos) is None:
            return out + self._plain(stream, data[pos:])
        for command in self._command_line.finditer(data, pos):
            if command.start() < pos:
                continue  # a line of a message read on below
            out += self._plain(stream, data[pos : command.start()], ends=True)
            if (progress := _PROGRESS_LINE.fullmatch(command.group())) is not None:
                out += self._progress(stream, command.group(), progress.lastgroup or "")
                pos = command.end()
                continue
            out += self._release()  # the states waiting go before any later command
            # The CI acts on each command: it passes whatever the budget, in the order
            # written; the text before, between and after them on the line is text.
            parts = self._parts(command.group())
            for k, part in enumerate(parts):
                if k % 2 and _opens_message(part) and self._abandoned >= ABANDONED:
                    out += self._plain(stream, part, ends=k < len(parts) - 1)
                elif k % 2:
                    out.append(self._pass(stream, part))
                    if k == 1 and not parts[0] and _opens_message(part):
                        self._message[stream] = MAX_LINES
                elif part:
                    self._command.discard(stream)  # the line goes on here: no more of it
                    out += self._plain(stream, part, ends=k < len(parts) - 1)
            pos = self._read_on(stream, data, command.end(), out)
        return out + self._plain(stream, data[pos:])

    def _read_on(self, stream: int, data: bytes, pos: int, out: list[Emit]) -> int:
        """The lines from ``pos`` of a message open on ``stream``, passed as its command (to
        its ``]``, at most :data:`MAX_LINES`): the server reads them as one; where they end.
        Only lines of attributes, as the engine passes them (other text ends the message:
        a ``##octopus[`` in a sentence is no flood past the budget)."""
        while stream in self._message and pos < len(data):
            end = data.find(b"\n", pos) + 1 or len(data)
            if end == len(data) and not data.endswith(b"\n"):
                out.append(self._pass(stream, data[pos:end]))  # the rest comes as a command's
                return end
            if not _ATTRIBUTES.fullmatch(data[pos:end].rstrip(b"\r\n")):
                del self._message[stream]
                self._abandoned += 1
                return pos
            close = data.find(b"]", pos, end) + 1
            if close and data[close:end].strip():
                # Text after the ``]`` is text, as on a message's own line: under the budget.
                del self._message[stream]
                out.append(self._pass(stream, data[pos:close]))
                self._command.discard(stream)
                out += self._plain(stream, data[close:end])
                return end
            out.append(self._pass(stream, data[pos:end]))
            left = self._message[stream] - 1
            if close or left <= 0:
                del self._message[stream]
            else:
                self._message[stream] = left
            pos = end
        return pos

    def _progress(self, stream: int, line: bytes, system: str) -> list[Emit]:
        """A progress command's line: passed while the share for them lasts, else held in
        place of the system's state that waited (this newer one passed it)."""
        if self._progress_left >= len(line) and not self._held:
            self._progress_left -= len(line)
            return [self._pass(stream, line)]
        self._progress_left = 0
        self._held.pop(system, None)  # re-inserted: the states wait in the order written
        self._held[system] = (stream, line)
        return []

    def _release(self) -> list[Emit]:
        """The progress states waiting, in the order written."""
        held, self._held = self._held, {}
        return [self._pass(stream, line) for stream, line in held.values()]

    def _parts(self, line: bytes) -> list[bytes]:
        """A command's line as text, command, text, command, ..., text: a message that ends
        at its ``]`` (Octopus's, TeamCity's) to there, another system's to the line's end."""
        parts: list[bytes] = []
        pos = look = 0
        while (marker := self._marker.search(line, look)) is not None:
            start = marker.start()
            if line[start : start + 1] == b"\n":
                start += 1  # (a marker at a line's start is found with the newline before it)
            end = len(line)
            if (head := line[start : start + 10].lower()) in _MESSAGES:
                if _MESSAGES[head].match(line, start) is None:
                    look = start + 1  # no message there ("see ##octopus[ docs"): text
                    continue
                close = line.find(b"]", start) + 1
                end = close if close > 0 and line[close:].strip() else len(line)
            if end <= pos:
                break
            parts += [line[pos:start], line[start:end]]
            pos = look = end
        return [*parts, line[pos:]]

    def _pass(self, stream: int, command: bytes) -> Emit:
        """A command's line, or a part of it: shown whatever the budget."""
        self.seen += len(command)
        self._shown(stream, command)
        if self._observe is not None:
            # A message that ends at its ``]`` is whole there (text may follow on its line).
            line = self._passing.pop(stream, b"") + command
            if line.endswith((b"\n", b"]")):
                self._observe(line.decode("utf-8", "replace"))
            elif len(line) <= _OBSERVED_MAX:
                self._passing[stream] = line
        if command.endswith(b"\n"):
            self._command.discard(stream)
        else:
            self._command.add(stream)
        return stream, command

    def _plain(self, stream: int, data: bytes, *, ends: bool = False) -> list[Emit]:
        """Text: in the head while it lasts, else kept for the tail. ``ends``: a command
        passed follows it on its line, so in the tail (where the command is not) it ends a
        line of its own: ``step 1 done ``, ``step 2 done `` are not glued into one."""
        if not data:
            return []
        self.seen += len(data)
        if self._cut:
            shown = b""
        elif len(data) < self.head_left:
            shown = data
            self.head_left -= len(data)
        else:
            shown = self._cut_head(stream, data)
        rest = data[len(shown) :]
        if rest and ends and not rest.endswith(b"\n"):
            rest += b"\n"
        if rest:
            self._keep(stream, rest[-self.tail_room :] if self.tail_room else b"")
            self.skipped += len(rest) - min(len(rest), self.tail_room)
        if not shown:
            return self._close_lines()
        self._shown(stream, shown)
        return [(stream, shown), *self._close_lines()]

    def _cut_head(self, stream: int, data: bytes) -> bytes:
        """The head's last bytes: up to the last line end they hold; with none, a line begun
        here is left to the tail whole, unless the head has shown nothing yet; one begun
        before is cut (and ended after)."""
        end = data.rfind(b"\n", 0, self.head_left) + 1
        if not end and (stream in self._open or self.head_left == self._head_room):
            end = self.head_left
        self.head_left = 0
        self._cut = True
        return data[:end]

    def _shown(self, stream: int, data: bytes) -> None:
        if data.endswith(b"\n"):
            self._open.discard(stream)
        else:
            self._open.add(stream)

    def _close_lines(self) -> list[Emit]:
        """Once the head is over, a line it left open on any stream ends (from the bytes
        kept for it): nothing shown later is glued to a line the head cut."""
        if not self._cut:
            return []
        out = [(stream, b"\n") for stream in sorted(self._open - self._command)]
        self._open &= self._command  # a command's line ends with its own rest
        return out

    def _keep(self, stream: int, data: bytes) -> None:
        self.skipped += self._tail.keep(stream, data)

    def finish(self) -> list[Emit]:
        """The progress states still waiting, the note on what was left out, then the tail."""
        states = self._release()
        if not self.skipped:
            return states + self._tail.emits()
        kept = "the archive has everything it could take" if self._archived else "no archive"
        note = (
            f"\nlogtrim: {format_size(self.skipped)} of {format_size(self.seen)} not shown "
            f"after an internal error (the console budget holds; {kept})\n"
        )
        return [*states, (STDOUT, note.encode()), *self._tail.emits()]
