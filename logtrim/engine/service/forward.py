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

from ..console.output import Output
from ..flow.history import History
from ..flow.throttle import Progress
from ..masking import urlcreds
from ..masking.mask import Masker
from ..match.kinds import Kind
from . import online
from .commands import Commands
from .online import CommandLine

#: Blanks before a command line past which they are dropped on the console.
_BLANKS_MAX = 256

#: Commands left open and abandoned before an open one is read as text past the live room
#: (the fail-open console counts them so too: run/fallback.py).
ABANDONED = 16


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
        display: Callable[[bytes], bytes],
    ) -> None:
        self.commands = commands
        self.classify = classify
        self.display = display  # a line's console form: a long one cut (engine/console/display.py)
        #: The text around a command (a line of its own to the server): (text, lineno, tier).
        self.on_text: Callable[[bytes, int, Kind], None] = lambda _text, _lineno, _kind: None
        #: Before a command at a line number: the few lines hidden since the last one shown,
        #: shown instead of a gap marker where they cost little more (the console's rule).
        self.fill_gap: Callable[[int], None] = lambda _lineno: None
        self.mask = mask
        self.progress = progress
        self.out = out
        self.history = history
        #: The masker behind ``mask``: an inert command line without a secret's form passes
        #: as it is (:meth:`quick`); None: every line is read through its dialect.
        self.masker: Masker | None = None

    def service(self, stream: int, line: bytes, lineno: int, now: float) -> bool:
        """A line with a command marker: forwarded if it is a command (True), else False.

        An inert command of the system in use (``Dialect.quick``) without a secret's form
        is its own console form, all command: it is not read through every dialect."""
        if len(line) > _BLANKS_MAX and line[:_BLANKS_MAX].isspace():
            # A command passes whatever the budget, the blanks before it do not (megabytes of
            # them): every CI reads the command without them (the archive keeps them).
            line = line.lstrip(b" \t\r\x0b\x0c") or b"\n"
        commands = self.commands
        quick = self._quick(stream, line)
        if quick is None:
            text = line.decode("utf-8", "replace")
            if not commands.is_command(text) or self._abandons(text, len(line)):
                commands.see(text)  # state that spans lines (GitHub's stop-commands)
                return False
        self.out.tally.seen_lines[Kind.SERVICE] += 1
        self.out.tally.seen_bytes[Kind.SERVICE] += len(line)
        if commands.cosmetic(line) and not self.out.budget.allows_layout(len(line)):
            self.out.hide(len(line))  # a layout line past the budget: counted in the gap
            return True
        if quick is None:
            line, text, progress, cut, alone = self._read(stream, line, lineno)
        else:
            progress, cut, alone = quick or None, 0, True
        native = self.progress.native
        if native is not None and progress is not None:
            native.see(line, now, command=True)  # the child drives its CI's indicator itself
        throttled = progress is not None and not self.progress.due(
            stream, now, lineno, line, command=progress
        )
        levelled = self.out.levelled()
        shown, visible = self._placed(line, None if quick is not None else text, alone)
        if not throttled:
            self._ahead(stream)
            if not levelled and visible:
                self.fill_gap(lineno)
                self.out.flush_gap()
        if quick is None:
            levels = commands.levels()
            commands.see(text)
            commands.opened.after(stream, text)
            switched = commands.levels() != levels
        else:
            switched = commands.see_quick(stream, line)
        if switched and not throttled:
            # The other stream's waiting progress state goes first, at the level it was
            # written at (Octopus reads a stderr line after ``stderr-default`` as an error).
            for other in self.progress.streams:
                if other != stream:
                    self.progress.late(other)
        if not throttled:  # else it waits as the latest state
            # Back to the default level: the gap marker right after it needs no switches
            # around it (a Verbose line hidden between two switches cost two more lines).
            back = visible and levelled and not self.out.levelled()
            if levelled and not back and visible:
                self.out.flush_gap()
            # A command that leaves the levels as they were (setVariable, ::endgroup::) does
            # not keep the failure tail from the lines before it.
            self.forward(stream, line, lineno, keeps_order=switched,
                         progress=progress is not None, gap_after=back,
                         read_only=not shown, keeps_gap=not visible)  # fmt: skip
        if cut:
            self.out.hide(cut)  # the archive has it: the next gap marker counts it
        return True

    def _read(
        self, stream: int, line: bytes, lineno: int
    ) -> tuple[bytes, str, str | None, int, bool]:
        """A command line read through its dialect: its console form, its text, the progress
        state it sends (None: none alone), the bytes left out of it (the archive has them),
        and whether it holds its commands alone."""
        commands, cut = self.commands, 0
        parsed = online.read(commands, line)
        thinned = online.newest_progress(commands, parsed)
        if thinned is not None:  # (the progress commands left out: the archive has them)
            line, cut = thinned, len(line) - len(thinned)
            parsed = online.read(commands, line)
        text = line.decode("utf-8", "replace")
        progress = commands.progress_of(text)
        if progress is not None and not online.only_progress(commands, parsed):
            progress = None  # (another command beside it: no progress state to throw out)
        alone = online.lone(parsed)
        line, more = self._bounded(line, lineno, parsed)
        if more and not alone:  # the text around it cut, or left out
            alone = online.lone(online.read(commands, line))
        return self.command_form(stream, line), text, progress, cut + more, alone

    def _placed(self, line: bytes, text: str | None, alone: bool) -> tuple[bool, bool]:
        """Whether the CI shows the command line ``line`` as a line of its log, and whether
        the gap marker must come before it (``text``: the line read, None for a quick one;
        ``alone``: it holds its commands alone, no text around them).

        A command its CI only reads (a level switch, a variable set) is in no log: it costs
        nothing of the budget, and the gap stays open over it. A script's every
        ``Write-Verbose`` (switch, hidden line, switch back) would else cost a marker each,
        and its switches the room of the lines that matter; the next line shown says how
        many were left out. The marker still comes before a section's end (what was left out
        inside it is said inside it) and a command left open over lines (none inside it)."""
        commands = self.commands
        # (One left open may be text after all: its next line may not continue it.)
        opens = text is not None and commands.opened.leaves_open(text)
        if not alone or opens:
            return True, True
        # Octopus's switches under another CI: lines of its log (paid), but a script's every
        # Write-Verbose would else cost a marker each there too.
        shown = commands.shows_line(line)
        return shown, not commands.read_only(line) or commands.ends_section(line)

    def _abandons(self, text: str, size: int) -> bool:
        """A message opened and left open again and again (``##octopus[setVariable ...``
        with no ``]``, then text), past the live room: no message after all, text under the
        budget (a flood of them passed whatever the budget). A message its next lines close
        is never left: it passes whole."""
        return (
            self.commands.opened.abandoned >= ABANDONED
            and self.commands.opened.leaves_open(text)
            and not self.out.budget.allows_layout(size)
        )

    def _quick(self, stream: int, line: bytes) -> str | None:
        """:meth:`.Commands.quick` of a line that holds no secret's form (nor a URL's
        password) as written: None when it must be read through its dialect."""
        masker = self.masker
        if masker is None:
            return None
        quick = self.commands.quick(stream, line)
        if quick is None or urlcreds.AT in line or masker.holds_form(line):
            return None
        return quick

    def _bounded(self, line: bytes, lineno: int, parsed: CommandLine) -> tuple[bytes, int]:
        """A command line, and the bytes of text around its commands left out: that text is
        printed as plain output (Octopus, TeamCity), so it is classified as any line is (an
        error there is an error, and may be the failure reason), and it passes with the
        commands only while the budget has room for it as a line of its own tier (at least
        info), cut as a long line is, or a flood of it would pass outside the budget: before,
        between and after them (``##octopus[a] <5 kB> ##octopus[b]``)."""
        raw, body, spans = parsed.raw, parsed.body, parsed.spans
        if not spans or (spans[0][0] == 0 and spans[-1][1] >= body and len(spans) == 1):
            return line, 0
        edges = [0, *(x for span in spans for x in span), body]
        texts = [
            raw[a:b].encode("utf-8", "surrogateescape")
            for a, b in zip(edges[::2], edges[1::2], strict=True)
        ]
        commands = [raw[a:b].encode("utf-8", "surrogateescape") for a, b in spans]
        said = [t for t in texts if t.strip()]
        if not said:
            return line, 0
        size = sum(map(len, texts))
        kind, fits = self._text_fits(b" ".join(said), b"".join(texts), lineno, size)
        if fits:
            return line, 0
        tier, budget = max(kind, Kind.INFO), self.out.budget
        end = line[len(line.rstrip(b"\r\n")) :]
        short = [self._short(t) for t in texts]
        cut = sum(map(len, short))
        if cut < size and budget.allows(tier, cut):
            form = b"".join(x for pair in zip(short, [*commands, b""], strict=True) for x in pair)
            self.commands.cut_from(line, form)
            self._shown(kind, cut)
            return form + end, 0  # shown, cut as a long line is: the note in it says so
        # (to GitHub's runner and Azure's agent a lone ``\r`` ends a command: one stays
        # between two, or the next one is read as the first one's value)
        cr = "\r" in raw[:body] and self.commands.ends_at_cr()
        alone = (b"\r" if cr else b"").join(commands)
        self.commands.cut_from(line, alone)
        return alone + b"\n", size - (len(commands) - 1 if cr else 0)

    def continued(self, stream: int, line: bytes, lineno: int) -> None:
        """The next line of a command open over several lines: the text after its ``]`` is
        text, as on a command's own line (:meth:`_bounded`): it passes with it while the
        budget has room for it, else the command goes alone and the text is counted."""
        close = line.find(b"]") + 1
        rest = line[close:].rstrip(b"\r\n") if close else b""
        cut = 0
        if rest.strip() and not self._text_fits(rest, rest, lineno, len(rest))[1]:
            self.commands.cut_from(line, line[:close])
            line, cut = line[:close] + b"\n", len(rest)
        # (No marker inside a message open over lines: the gap stays open to the next line.)
        self.forward(stream, self.command_form(stream, line), lineno, keeps_gap=True)
        if cut:
            self.out.hide(cut)  # the archive has it: the next gap marker counts it

    def _text_fits(self, said: bytes, text: bytes, lineno: int, size: int) -> tuple[Kind, bool]:
        """The text on a command's line (``said``: its words): its tier (the reason reads it,
        as any line), and whether it passes with the command, counted shown in its tier:
        while the budget has room for it as a line of that tier, at least info."""
        kind = self.classify(said)
        if kind >= Kind.SERVICE:  # another system's command: text to this CI, as any line
            kind = Kind.INFO
        self.on_text(text, lineno, kind)
        fits = self.out.budget.allows(max(kind, Kind.INFO), size)
        if fits:
            self._shown(kind, size)
        return kind, fits

    def _short(self, text: bytes) -> bytes:
        """Text around a command in its console form: cut as a long line is, masked; each
        ``\r`` kept, and the text between two cut alone (to GitHub's runner and Azure's
        agent a ``\r`` ends a line: read as a redraw, what came before one was lost)."""
        if len(text) <= 64:
            return text
        parts = text.split(b"\r")
        return b"\r".join(self.display(p + b"\n")[:-1] if len(p) > 64 else p for p in parts)

    def _shown(self, kind: Kind, size: int) -> None:
        """The text around a command reached the console: counted in its tier."""
        if Kind.NOISE < kind < Kind.SERVICE:
            tally = self.out.tally
            tally.shown_lines[kind] += 1
            tally.shown_bytes[kind] += size
            tally.both_lines += 1  # one line on the console, counted in two tiers

    def command_form(self, stream: int, line: bytes) -> bytes:
        """A command line as it reaches the CI: masked as its dialect reads it; empty if the
        dialect drops it."""
        masked = self.commands.mask(stream, line, self.mask)
        if masked is None:
            self.out.marker("a command that would carry a secret was not printed")
            return b""
        return masked

    def forward(
        self, stream: int, line: bytes, lineno: int, *, keeps_order: bool = True,
        progress: bool = False, gap_after: bool = False, read_only: bool = False,
        keeps_gap: bool = False,
    ) -> None:  # fmt: skip
        """A command line (or the next line of one), already masked. ``keeps_order``: lines
        before it may no longer be shown after it (it switched the level they show at);
        ``progress``: a progress command (its CI shows no line for it); ``gap_after``: the
        gap marker comes after it (it switched stdout back to the default level);
        ``read_only``: a command its CI only reads, in no log: it costs nothing of the
        budget; ``keeps_gap``: the gap stays open over it (see :meth:`service`)."""
        if not line:
            return
        if not line.endswith(b"\n"):
            line += b"\n"
        if gap_after or keeps_gap:
            self._ahead(stream)
        else:
            self.before(stream)
        # (asked only while nothing shown since the heartbeat last looked: one line will do)
        out = self.out
        shows = not progress and (out.visible != out.looked or self.commands.shows_line(line))
        out.emit(stream, line, Kind.SERVICE, command=True, shows=shows, paid=not read_only)
        # Shown (no context repeats it); its stream's order counts only if it switched a level.
        self.history.mark_shown(lineno, stream=stream if keeps_order else 0)
        if gap_after:
            self.out.flush_gap()

    def before(self, stream: int) -> None:
        self._ahead(stream)
        self.out.flush_gap()

    def _ahead(self, stream: int) -> None:
        self.progress.late(stream)  # a throttled progress message came first: it goes first
        self.out.settle_now()
