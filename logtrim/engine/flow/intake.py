"""The intake: the child's bytes become lines for the :class:`~.select.Selector`.

A part of the :class:`~.core.Core`. Whole-line regions are masked, remembered in the history
and handed to the selector in one call; a line too long to hold arrives in pieces, of which
only the first is looked at; records whose tier the caller knows (the handler, a task log)
come through :meth:`Intake.record`. The ``nbytes`` counter is the child's output so far.
"""

from __future__ import annotations

from ..._sizes import format_size
from ..console.output import STDERR, STDOUT, Output
from ..console.partial import Partial
from ..console.redraw import Redraws
from ..console.tally import Tally
from ..ending.detail import add_detail
from ..masking.mask import Masker
from ..masking.secrets import Secrets
from ..match.kinds import Kind
from ..match.matcher import Matcher
from ..service.longline import LongCommands, blank
from ..shapes.novelty import Novelty
from .history import CUT, History, Shaper
from .lines import StreamInput
from .promote import looks_at
from .select import Selector


class Intake:
    """Lines in, per stream: see the module docstring."""

    def __init__(
        self,
        *,
        history: History,
        tally: Tally,
        select: Selector,
        out: Output,
        matcher: Matcher,
        shaper: Shaper,
        masker: Masker,
        secrets: Secrets,
        partial: Partial,
        max_pending: int,
        novelty: Novelty | None = None,
    ) -> None:
        self._history, self._tally, self._select, self._out = history, tally, select, out
        self._matcher, self._shaper, self._masker = matcher, shaper, masker
        self._secrets, self._partial = secrets, partial
        self._novelty = novelty  # with a baseline: new lines rank higher (engine/shapes/novelty.py)
        self.inputs = {STDOUT: StreamInput(max_pending), STDERR: StreamInput(max_pending)}
        self.longs = LongCommands(
            select.commands, select.forward, out, masker, secrets, max_pending
        )
        self.redraws = Redraws()  # a long line's last state after its \r redraws
        self.nbytes = 0
        history.dropping = self._dropping

    def record(
        self,
        stream: int,
        data: bytes,
        kind: Kind | None,
        size: int,
        now: float,
        lines: int | None = None,
    ) -> None:
        """One record's console form (``size``: its bytes as written; ``lines``: its newlines,
        if the caller counted them: counting is most of the cost of a Verbose run)."""
        history, tally = self._history, self._tally
        base = history.lines
        history.remember(stream, data, base)
        novelty = self._novelty
        fresh = novelty.record(data, kind, base) if novelty is not None else None
        pos = 0
        lineno = base
        while pos < len(data):
            if kind == Kind.NOISE and fresh is None and not looks_at(self._select, stream, lineno):
                # Detail the caller vouches for (DEBUG records, Verbose entries): count it in C.
                if self._select.verbatim.left > 0:
                    self._select.verbatim.consume(len(data) - pos)
                rest = data.count(b"\n", pos) if lines is None else lines - (lineno - base)
                self._out.hide(len(data) - pos, rest)
                tally.seen_lines[Kind.NOISE] += rest
                tally.seen_bytes[Kind.NOISE] += len(data) - pos
                lineno += rest
                break
            end = data.index(b"\n", pos) + 1
            line = data[pos:end]
            line_kind = kind if kind is not None else self._matcher.line_kind(line)
            if pos and kind is not None and kind > Kind.NOISE and self._command(line):
                line_kind = Kind.SERVICE  # a command on a later line: forwarded as ``run`` does
            if novelty is not None:
                line_kind = novelty.tier(line_kind, fresh is not None and fresh[lineno - base])
            history.hint = (lineno, pos)
            self._select.line(stream, line, line_kind, lineno, now, detail=kind == Kind.NOISE)
            pos = end
            lineno += 1
        history.lines = lineno
        history.seal(lineno - base)
        self.nbytes += size

    def _command(self, line: bytes) -> bool:
        """Whether a later line of a record is a CI command: the record's tier is the
        caller's, but its system reads each line alone (an ``::add-mask::`` there declares)."""
        commands = self._select.commands
        lowered = line.lower()
        if not any(m.lower() in lowered for m in commands.markers):
            return False
        return commands.is_command(line.decode("utf-8", "replace"))

    def pieces(
        self, stream: int, pieces: list[tuple[bool, bytes]], now: float
    ) -> tuple[list[bytes], bytes]:
        """A chunk's regions of whole lines and pieces of a line too long to hold (``long``),
        in order: their archive forms, and the bytes the last piece carries to the next chunk
        (:meth:`piece`)."""
        archive = []
        carried = b""
        for long, piece in pieces:
            buf = carried + piece if carried else piece
            if long:
                done, carried = self.piece(stream, buf, now)
                archive.append(done)
            else:
                archive.append(self.region(stream, buf, now))
                carried = b""
        return archive, carried

    def piece(self, stream: int, buf: bytes, now: float) -> tuple[bytes, bytes]:
        """A piece of a line too long to hold: classify its start, pass its commands,
        archive it; returns the archive form and the bytes carried to what comes next."""
        st = self.inputs[stream]
        masker = self._masker
        known = masker.generation
        too_long = self._secrets.learn_piece(buf)  # before any of it is shown or archived
        carried = b""
        if masker.generation != known and too_long < 0 and (held := masker.held(buf)):
            # It declared a secret whose use may begin at its end: the piece was cut before
            # the secret was known, with no room kept for it. Its start goes with the rest.
            buf, carried = buf[:-held], buf[-held:]
        self.nbytes += len(buf)
        if not st.in_long:
            st.in_long = True
            self._long_start(stream, buf, now)
            self._past_verbatim()
        if too_long >= 0:
            self.longs.declares_from(stream, too_long)
        # A hidden line's gap counts its bytes as if seen whole, but for its commands'.
        self.longs.feed(stream, buf, now)
        self.redraws.feed(stream, buf, self._state_keep())
        return self._secrets.piece(buf), carried

    def _state_keep(self) -> int:
        """The bytes of a redrawn state to keep: enough for its console form, and for a
        secret begun in it to be masked whole (:meth:`.mask.Masker.head`)."""
        return self._shaper.max_line + 2 * self._masker.max_len + 1

    def long_end(self, stream: int, rest: bytes, now: float) -> None:
        """The stream's long line ends with ``rest`` (its newline, if it has one): its
        commands, then its last state when it was redrawn past the start shown."""
        self.longs.feed(stream, rest, now, end=True)
        keep = self._state_keep()
        self.redraws.feed(stream, rest, keep)
        state = self.redraws.end(stream)
        if state is not None:
            shaper = self._shaper
            if len(state) < keep:
                form = shaper.masked(state + b"\n")
            else:  # as the start of a long line is shown
                form = shaper.masked(shaper.line_start(state) + CUT + b"\n")
            self._partial.state(stream, form)

    def _past_verbatim(self) -> None:
        """A line too long to hold ends the verbatim allowance (it counts bytes seen, and
        when within the line it would end depends on the reads)."""
        verbatim = self._select.verbatim
        if verbatim.left > 0:
            limit = format_size(self._shaper.max_pending)
            verbatim.stop(f"a line longer than {limit}")

    def _long_start(self, stream: int, buf: bytes, now: float) -> None:
        """The first piece of a long line: its text (before a command it starts with) as a
        line cut to its start; none when blank (the command is all of it)."""
        lineno = self._history.lines
        text = buf[: self.longs.text_end(buf)]
        declares = self.longs.declared_at(buf)
        if declares >= 0:
            text = text[:declares]  # a value too long to learn: never shown
        st = self.inputs[stream]
        st.long_hidden = False
        covered = None
        if st.partial_shown and not blank(text):  # its start is on the console: the rest
            on = self._partial.long_start(stream, text, self._long_kind(text))
            if on is not None:
                self._history.remember(stream, self._shaper.line_start(text) + CUT + b"\n", lineno)
                if on:
                    self._history.mark_shown(lineno)
                st.long_hidden = not on
                covered = on or None
                self._long_begun(stream, lineno, len(text), covered, declares)
                return
        if st.partial_shown:
            self._partial.end_line(stream)
        if blank(text):
            self._history.remember(stream, b"\n", lineno)  # no text: never context or tail
            self._history.mark_shown(lineno)
        else:
            shown = text
            if len(text) < len(buf) and self._masker.open_secret(text):
                shown = text[: self._masker.safe_cut(buf, len(text))]  # no secret cut: left out
            head = self._shaper.line_start(shown)
            kind = self._long_kind(text)
            line = head + CUT + b"\n"
            self._history.remember(stream, line, lineno)
            self._history.hint = (lineno, 0)
            gap = self._out.gap_lines
            self._select.line(stream, line, kind, lineno, now, size=len(text))
            st.long_hidden = self._out.gap_lines > gap  # it went into the gap (not a repeat)
            # A progress start the throttle holds is printed late: its last state follows.
            waiting = self._select.progress.streams[stream].line
            later = waiting is not None and waiting[0] == lineno
            shown_len = min(len(shown), self._shaper.max_line)
            covered = None if st.long_hidden and not later else shown_len
        self._long_begun(stream, lineno, len(text), covered, declares)

    def _long_kind(self, text: bytes) -> Kind:
        """A long line's tier, by its start (as a whole line is scanned)."""
        hits = self._matcher.scan(text[: self._shaper.max_line])
        return hits[0][1] if hits else Kind.NOISE

    def _long_begun(
        self, stream: int, lineno: int, size: int, covered: int | None, declares: int
    ) -> None:
        """A long line's first piece is decided: its redraws and commands are followed."""
        hidden = self.inputs[stream].long_hidden
        self.redraws.begin(stream, covered)
        self.longs.begin(stream, lineno, size, hidden=hidden, declares=declares)
        self._history.lines += 1
        self._history.seal(1)

    def region(self, stream: int, region: bytes, now: float) -> bytes:
        st = self.inputs[stream]
        self.nbytes += len(region)
        if st.in_long:  # its commands, then the rest as the archive and console have it
            rest = region[: region.find(b"\n") + 1 or len(region)]
            too_long = self._secrets.learn_piece(rest)  # before its commands pass
            if too_long >= 0:
                self.longs.declares_from(stream, too_long)
            self.long_end(stream, rest, now)
        # Masked whole: a secret over lines may begin in the rest of a long line.
        raw = region
        archive, region, hits = self._secrets.region(stream, region)
        if st.in_long:
            # Its rest may hold a command's value whose head was in an earlier piece.
            end = archive.find(b"\n") + 1 or len(archive)
            archive = self._masker.mask_piece(archive[:end]) + archive[end:]
            # The rest of a long line: archive only, it was counted with its first piece.
            end = region.find(b"\n") + 1 or len(region)
            region = region[end:]
            st.in_long = False
            if not region:
                return archive
            hits = self._matcher.scan(region)
        if st.partial_shown:  # the line whose start is on the console ends first
            region = self._partial.complete(stream, raw, region)
            if not region:
                return archive
            hits = self._matcher.scan(region)
        base = self._history.lines
        if self._novelty is not None:
            hits = self._novelty.hits(region, hits, base)
        self._history.remember(stream, region, base)
        self._history.lines = self._select.region(stream, region, hits, base, now)
        self._history.seal(self._history.lines - base)
        return archive

    def _dropping(self, first: int, count: int) -> None:
        """The history lets lines ``first`` to ``first + count`` go: if the failure reason is
        among them, its detail is read now from the line after it (at the end it is gone)."""
        best = self._select.reasons.best
        if best is not None and not best.detailed and first <= best.lineno < first + count:
            add_detail(best, self._history.line_after)
