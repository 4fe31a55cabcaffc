"""A partial line on the console: ``printf 'Deploying... '; sleep 3; echo done``.

A line is decided when it is whole, but a person watching a step should not wait for its
newline. On the first tick after the start of a line has waited ``WAIT`` seconds, it is printed as
it is (masked) when the whole line would be shown anyway: in the head, or because its tier
is shown within the budget. Only the bytes that could be the start of a secret wait on. The
rest of the line follows as it arrives while it fits a console line and the budget, and with
its newline the line is done (counted once, in its tier): its rest is then shown as any line
is (engine/console/rest.py): masked with the line read whole, cut with a note when the line is wider
than a console line, or a note of what is left out when the budget has no room for it; a
line redrawn with ``\r`` past its start is decided as any line, by its last state. Commands,
lines with a carriage return, lines wider than the console's line width, and lines under an
archive-only level wait for their newline as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._sizes import format_size
from ..._text import ANSI_BYTES
from ..match.kinds import Kind
from .display import CUT
from .rest import aligned, body_of, form, redrawn

if TYPE_CHECKING:
    from ..core import Core

#: Seconds the start of a line waits before it may be printed on its own.
WAIT = 0.05
#: ... when it may be the next of a run of like lines being counted: its rest is most likely
#: in the pipe already (logtrim read the chunk before it), and shown it would end the count.
WAIT_IN_RUN = 1.0


class Partial:
    """Shows the waiting partial line of each stream (a part of the :class:`Core`)."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def waiting(self, stream: int, now: float, *, fresh: bool) -> None:
        """After a chunk: note since when the stream's partial last line waits (``fresh``:
        the chunk ended lines, so the partial line is a new one)."""
        st = self._core._inputs[stream]
        if fresh:
            st.state_shown = b""  # a new partial line: none of its states printed yet
        if fresh and not st.partial_shown:
            st.partial_at = None
        if not st.splitter.pending or st.in_long:
            st.partial_at = None
        elif st.partial_at is None:
            st.partial_at = now

    def show(self, stream: int, now: float) -> None:
        """On a tick: print what may be printed of the stream's partial line."""
        core = self._core
        st = core._inputs[stream]
        if st.partial_at is None or now - st.partial_at < WAIT:
            return
        pending = st.splitter.peek()
        if not st.partial_shown and not ANSI_BYTES.sub(b"", pending).strip():
            return  # colour codes alone (a reset before the next write): nothing to see
        if b"\r" in pending and not st.partial_shown:
            self._redrawn(stream, pending, now)
            return
        if (
            not st.partial_shown
            and now - st.partial_at < WAIT_IN_RUN
            and core.select.repeats.may_continue(stream, pending)
        ):
            return
        if (
            b"\r" in pending
            or b"\n" in pending
            or len(pending) > core.shaper.width
            or not self._shown(stream, pending)
        ):
            return
        masker = core.masker
        cut = masker.safe_cut(pending, len(pending) - masker.held(pending))
        if cut <= st.partial_shown:
            return
        # Masked as part of what has come of the line, not alone: a secret begun in the
        # part shown (learned since) is masked in the piece too.
        piece = aligned(masker, pending[:cut], st.partial_shown)
        if st.partial_shown and not self._affords(stream, pending, len(piece)):
            return  # the budget has no room for more: the line's end says what is left out
        if not st.partial_shown:
            self._before_state(stream)
        core.out.emit(stream, piece, Kind.NOISE, partial=True)
        st.partial_shown = cut
        st.partial_text += piece

    def _redrawn(self, stream: int, pending: bytes, now: float) -> None:
        """A line redrawn with carriage returns (a progress bar: curl, pip, docker pull) that
        has no newline yet: its latest whole state, as a progress line, at most once per
        progress interval of the stream (shared with its other progress lines). The line
        itself is decided, counted and archived once, when its newline comes."""
        core = self._core
        throttle = core.select.progress.streams[stream]
        if b"\n" in pending or now - throttle.at < core.select.progress.interval:
            return
        # What follows the last \r may be half written: the state before it is whole.
        state = pending.rpartition(b"\r")[0].rpartition(b"\r")[2]
        masker = core.masker
        state = state[: masker.safe_cut(state, len(state) - masker.held(state))]
        if (
            not state.strip()
            or len(state) > core.shaper.width
            or not self._shown(stream, pending, (Kind.PROGRESS, len(state) + 1))
        ):
            return
        form = masker.mask(state) + b"\n"
        st = core._inputs[stream]
        if form == st.state_shown:
            return  # the bar did not move: its state is on the console already
        throttle.at = now
        st.state_shown = form
        self._emit(stream, form)

    def state(self, stream: int, form: bytes) -> None:
        """The last state of a line too long to hold, redrawn past its start shown
        (``form``: its console form, masked), when a progress line that size is shown."""
        if form.strip() and self._shown(stream, form, (Kind.PROGRESS, len(form))):
            self._emit(stream, form)

    def _emit(self, stream: int, form: bytes) -> None:
        self._before_state(stream)
        # A state of a line not ended, not a line: the line counts once, in its tier, when
        # it ends (as ``stats`` and ``cat`` count it); its states only spend the budget.
        self._core.out.emit(stream, form, Kind.NOISE)

    def _before_state(self, stream: int) -> None:
        """What goes before a state of a line not ended: the progress states waiting, the
        marker of the lines not shown. The console has moved past those lines: no error's
        context reaches back to them later (it would print after what came later)."""
        core = self._core
        core.select.progress.late(stream)
        core.out.flush_gap()
        core.history.passed = core.history.lines - 1

    def _shown(self, stream: int, pending: bytes, state: tuple[Kind, int] | None = None) -> bool:
        """Whether the whole line would be shown: not a command, in the head or its tier."""
        core = self._core
        commands = core.commands
        if commands.quiet(stream) or commands.is_open(stream):
            return False
        hits = core.matcher.scan(pending)
        if any(kind == Kind.SERVICE for _, kind in hits) or _may_become_command(
            pending, commands.markers
        ):
            return False
        if core._inputs[stream].partial_shown:
            return True
        budget = core.budget
        if core.history.lines < core.policy.head and budget.used < budget.live // 10:
            return True
        if state is not None:  # a redrawn state (tier, size): that tier's, whatever its words
            return budget.allows(*state)
        kind = commands.apply(stream, hits[0][1] if hits else Kind.NOISE)
        return Kind.INFO <= kind < Kind.SERVICE and budget.allows(kind, len(pending) + 1)

    def open_lines(self) -> tuple[int, int]:
        """The streams' lines not ended yet: how many, and their bytes so far (a long line's
        pieces were counted as they came)."""
        lines = nbytes = 0
        for st in self._core._inputs.values():
            pending = st.splitter.pending
            if pending:
                lines += not st.in_long
                nbytes += pending
        return lines, nbytes

    def complete(self, stream: int, raw: bytes, region: bytes) -> bytes:
        """The line whose start is on the console ends (``raw``: the region as written,
        ``region``: its console form): print its rest as any line is printed (cut, paid
        for), count it once; return the rest of the region. A line redrawn past its start
        stays in the region: it is decided as any line is, by its last state."""
        core = self._core
        st = core._inputs[stream]
        end = region.find(b"\n") + 1 or len(region)
        line = region[:end]
        raw_line = raw[: raw.find(b"\n") + 1 or len(raw)]
        body = body_of(aligned(core.masker, raw_line, st.partial_shown))
        if redrawn(body):
            self.end_line(stream)
            return region
        command = self._command_rest(stream, raw_line, st.partial_shown)
        kind = self._kind(stream, line)
        if command is not None:
            # The CI reads the line whole: its command goes on as written, whatever the
            # budget or the width (a declared value masked would be the value it sets).
            core.out.emit(stream, body_of(command) + b"\n", Kind.SERVICE, command=True,
                          partial=True)  # fmt: skip
            shown = True
        else:
            text = form(body, len(st.partial_text), core.shaper.width)
            shown = self._rest(stream, text, kind, len(raw_line) - st.partial_shown)
        tally, history = core.tally, core.history
        tally.seen_lines[kind] += 1
        tally.seen_bytes[kind] += len(line)
        lineno = history.lines
        history.remember(stream, line, lineno)
        history.lines += 1
        history.seal(1)
        if shown:
            history.mark_shown(lineno, stream=stream)
        if kind == Kind.ERROR:
            core.select.reasons.offer(line, lineno, error=True)
        self._reset(stream)
        return region[end:]

    def _command_rest(self, stream: int, raw_line: bytes, shown: int) -> bytes | None:
        """The rest of the line open on the console when the line turned out to carry a
        command (``shown`` bytes of it printed as text): masked as its system reads it, a
        declaring command as it is (:meth:`.Commands.mask`). None: no command, or the rest
        alone would not mask what the whole line masks there (a mask or a declaring command
        across the part shown, a URL's password whose user was shown): the rest is then
        masked as text, from the secret's start."""
        commands, masker = self._core.commands, self._core.masker
        if not commands.is_command(raw_line.decode("utf-8", "surrogateescape")):
            return None
        keep = commands.declaring_commands(raw_line) if commands.declares(raw_line) else []
        whole = [(a, b) for a, b in masker.spans(raw_line) if b > shown]
        if any(a < shown < b for a, b in [*keep, *whole]):
            return None
        rest = raw_line[shown:]
        alone = [(a + shown, b + shown) for a, b in masker.spans(rest)]
        kept = [(a, b) for a, b in keep if a >= shown]
        if not all(_covered(span, alone + kept) for span in whole):
            return None
        commands.cut_from(raw_line, rest.rstrip(b"\r\n"))
        return commands.mask(stream, rest, masker.mask)

    def long_start(self, stream: int, raw: bytes, kind: Kind) -> int | None:
        """The line whose start is on the console became too long to hold (``raw``: its
        text in the first piece): print the rest of its start and the cut note, as a long
        line is shown. Returns the bytes of its start on the console (0: the rest not shown,
        None: redrawn past its start, left to be shown as any long line)."""
        core = self._core
        st, masker = core._inputs[stream], core.masker
        part = raw[: core.shaper.max_line + masker.max_len]
        part = part[: masker.safe_cut(part, len(part) - masker.held(part))]
        body = aligned(masker, part, st.partial_shown)
        if redrawn(body):
            self.end_line(stream)
            return None
        shown_len = len(st.partial_text)
        text = form(body, shown_len, core.shaper.width, long=True)
        kind = self._tier(stream, kind)
        shown = self._rest(stream, text, kind, len(raw) - st.partial_shown)
        core.tally.seen_lines[kind] += 1
        core.tally.seen_bytes[kind] += len(raw)
        self._reset(stream)
        return shown_len + len(text) - len(CUT) if shown else 0

    def _rest(self, stream: int, text: bytes, kind: Kind, nbytes: int) -> bool:
        """Print ``text``, the rest of the line open on the console, with its newline, when
        the budget allows it; else end the line with a note of the ``nbytes`` left out (or,
        without room for it, count the line in the gap). Whether the rest was printed."""
        core = self._core
        budget, out = core.budget, core.out
        if not text or budget.allows(kind, len(text) + 1):
            out.emit(stream, text + b"\n", kind, partial=True)
            return True
        note = f" ... [logtrim: {format_size(nbytes)} of this line not shown; "
        line = (note + budget.archive_note + "]\n").encode()
        if budget.allows_marker(len(line)):
            out.emit(stream, line, Kind.NOISE, partial=True)
        else:
            self.end_line(stream)
            out.hide(nbytes)
        return False

    def _kind(self, stream: int, line: bytes) -> Kind:
        """The tier of the line open on the console (at least info: its start is shown)."""
        return self._tier(stream, self._core.classify(line))

    def _tier(self, stream: int, kind: Kind) -> Kind:
        kind = max(self._core.commands.apply(stream, kind), Kind.INFO)
        return Kind.INFO if kind >= Kind.SERVICE else kind

    def _affords(self, stream: int, pending: bytes, cost: int) -> bool:
        """Whether the budget has room for ``cost`` more bytes of the line open on the
        console, and its newline."""
        return self._core.budget.allows(self._kind(stream, pending), cost + 1)

    def end_line(self, stream: int) -> None:
        """End the line open on the console there (not in the archive)."""
        out = self._core.out
        if stream in out.midline:  # else a line of logtrim's own ended it already
            out.emit(stream, b"\n", Kind.NOISE, partial=True)
        self._reset(stream)

    def _reset(self, stream: int) -> None:
        st = self._core._inputs[stream]
        st.partial_shown = 0
        st.partial_text = b""
        st.partial_at = None


def _covered(span: tuple[int, int], by: list[tuple[int, int]]) -> bool:
    """Whether one of ``by`` holds all of ``span``."""
    return any(a <= span[0] and span[1] <= b for a, b in by)


def _may_become_command(pending: bytes, markers: list[bytes]) -> bool:
    """Whether the line so far may still turn into a command: it ends in the start of a
    marker that counts anywhere (``##``...), or is the start of one that counts at the start
    of a line (``::``, after spaces). Shown early, its start would be printed as text."""
    head = pending.lstrip()
    tail = pending[-16:].lower()
    for marker in markers:
        if marker.startswith(b"##"):
            if any(tail.endswith(marker[:k]) for k in range(1, len(marker))):
                return True
        elif len(head) < len(marker) and marker.startswith(head):
            return True
    return False
