"""What the engine prints: console lines in order, paid from the budget, counted per tier.

The :class:`Output` also counts the *gap*: lines not shown since the last one that was, which
the next shown line is preceded by as ``[logtrim] ... N lines (S) not shown ...``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from ..._text import as_bytes
from ..match.kinds import ERROR, NOISE, PROGRESS, WARNING, Kind
from ..policy import Budget
from ..service.through import Through
from .tally import Tally, gap_note

STDOUT, STDERR = 1, 2
Emit = tuple[int, bytes]
#: Where a waiting progress state was written among the lines not shown: the gap then
#: (:attr:`Output.gaps`), and its lines and bytes before the state.
Mark = tuple[int, int, int]
OWN = b"[logtrim] "  # how logtrim's own lines start
#: The lines that put the console at its default level before logtrim's own lines, and
#: those that give the child its level back after them (from the dialect).
Wrap = Callable[[], tuple[list[bytes], list[bytes]]]


def _no_wrap() -> tuple[list[bytes], list[bytes]]:
    return [], []


def _never() -> bool:
    return False


class Waiting(Protocol):
    """A stream's progress throttle, as far as printing asks (engine/flow/throttle.py)."""

    waiting: bool  # a progress state waits to be printed
    mark: Mark  # where the plain line that waits was written among the lines not shown

    def after(self, lineno: int) -> bool:
        """Whether a state written after line ``lineno`` waits."""
        ...


class Output:
    """Console emits not yet taken by the shell, and the gap before the next shown line."""

    def __init__(self, budget: Budget, tally: Tally) -> None:
        self.budget = budget
        self.tally = tally
        self.gap_lines = 0
        self.gap_bytes = 0
        self.gaps = 0  # gaps cleared so far: which gap counts a line hidden earlier
        self.printed = 0  # the child's lines printed so far: a run of repeats ends at one
        self.own_bytes = 0  # logtrim's own lines (markers, level switches): not the child's
        # Lines printed that a CI shows in its log (not a progress command, which moves its
        # bar and writes no line: Octopus's ``progress``): the heartbeat's activity.
        self.visible = 0
        self.looked = 0  # ``visible`` when the heartbeat last looked (engine/core.py)
        self.elsewhere = 0  # ... of which printed elsewhere (diagnostics, ``spend_own``)
        self._out: list[Emit] = []
        # Called before anything is printed: a pending collapse marker goes first.
        self.settle: Callable[[int | None], None] | None = None
        self.unsettled = False  # set when ``settle`` has something to print (the hot path asks)
        self._settling = False
        self.wrap: Wrap = _no_wrap
        self._reset: list[bytes] = []  # the level resets in effect for our own lines
        self._restore: list[bytes] = []  # ... and the child's level, to give back
        self.final = False  # the closing lines: the levels were reset for good
        self.after_progress: Callable[[], None] | None = None  # called after a progress line
        # The progress throttle's waiting states, and how to print a stream's: before any
        # other line of that stream (whatever path shows it), never after one.
        self.waiting: Mapping[int, Waiting] = {}
        self.late: Callable[..., None] | None = None
        # The streams whose console line is open: the start of a child's line shown before
        # its newline (engine/console/partial.py). Anything else printed there starts a line first.
        self.midline: set[int] = set()
        self.through = Through()  # a command too long to hold, passing (engine/service/longline.py)
        # Whether the child's command on stdout is open over several lines: our own lines
        # there would land inside it (Calamari reads up to the first ']'), so they wait in
        # ``_deferred`` until a line of the child's has closed it.
        self.holding: Callable[[], bool] = _never
        self._deferred: list[Emit] = []

    def emit(
        self,
        stream: int,
        data: bytes,
        kind: Kind,
        *,
        own: bool = False,
        settle: bool = True,
        command: bool = False,
        partial: bool = False,
        lineno: int | None = None,
        shows: bool = True,
        paid: bool = True,
    ) -> None:
        """Print ``data``; a line of a tier (not context, not logtrim's own) counts as shown.

        ``own``: a line of logtrim's own, printed at the console's default level;
        ``command``: a command of the child's (:meth:`Budget.spend_command`);
        ``partial``: the next bytes of the child's line open on ``stream`` (it may stay open);
        ``lineno``: the line's number when it may be older than a waiting progress state
        (the last line of a count, printed when the count ends); ``shows``: False for a
        progress command, which its CI reads and shows as no line (no console activity);
        ``paid``: False for a command its CI only reads (in no log: not paid from the budget).
        """
        if not own and self.late is not None and self.waiting[stream].waiting:
            # a waiting progress state written before it first
            self.late(stream, upto=lineno, shows=True, failing=WARNING <= kind <= ERROR)
        if settle and self.unsettled:
            self.settle_now(lineno)
        if self.midline:
            if partial:
                self.midline.discard(stream)
            else:
                self.end_line(stream)
        if own:
            if self.wrap is not _no_wrap:
                self._to_default()
            self.own_bytes += len(data)
        else:
            self.printed += 1
            if self._restore:
                self._put([(STDOUT, line) for line in self._restore])
                self._reset = self._restore = []
        if own and stream == STDOUT and self.holding():
            self._deferred.append((stream, data))
        else:
            self._out.append((stream, data))
            if self._deferred and not own and not self.holding():
                self._out += self._deferred
                self._deferred = []
        if partial and not data.endswith(b"\n"):
            self.midline.add(stream)
        size = len(data)
        self.visible += shows
        if command:
            self.budget.spend_command(size, paid=paid)
        else:
            self.budget.used += size  # Budget.spend, inline: a call per line shown costs
        if kind != NOISE:
            tally = self.tally
            tally.shown_lines[kind] += 1
            tally.shown_bytes[kind] += size
            if kind == PROGRESS and self.after_progress is not None:
                self.after_progress()

    def after_gap(self, stream: int, gap: bytes, data: bytes, kind: Kind) -> None:
        """The gap marker ``gap`` (if any), then ``data``: what ``emit`` of each does, with
        the gap cleared between them; in one call for the common state (nothing to settle,
        no levels to switch): a shown line costs this once."""
        if (
            self.unsettled
            or self.wrap is not _no_wrap
            or self._restore
            or kind == PROGRESS
            or self.midline
            or (self.late is not None and self._waits())
        ):
            if self.late is not None and self._waits():
                # The states that waited, of either stream, go first, in the order written,
                # each after the marker of the lines before it: the gap left is of the lines
                # written after them (one this marker counted could not be shown after it).
                self._late_first(stream)
                gap = self.gap_text() if self.gap_lines > 0 else b""
            if gap:
                self.emit(STDOUT, gap, NOISE, own=True)
            self.clear_gap()
            self.emit(stream, data, kind)
            return
        out, size = self._out, len(data)
        if gap:
            out.append((STDOUT, gap))
            self.own_bytes += len(gap)
        self.gap_lines = self.gap_bytes = 0
        self.gaps += 1
        self.printed += 1
        self.visible += 1
        out.append((stream, data))
        self.budget.used += len(gap) + size
        if kind != NOISE:
            tally = self.tally
            tally.shown_lines[kind] += 1
            tally.shown_bytes[kind] += size

    def end_line(self, stream: int) -> None:
        """The child's line open on ``stream`` is ended on the console (not in the archive),
        so what comes next starts a line: a service message is read only at a line start."""
        if stream in self.midline:
            self.midline.discard(stream)
            self._put([(stream, b"\n")])

    def settle_now(self, before: int | None = None) -> None:
        """Print what must come before anything else (a pending collapse count); ``before``:
        only the counts whose lines were written before that line (a progress state printed
        late: a count of later lines comes after it)."""
        if self.settle is not None and self.unsettled and not self._settling:
            self._settling = True
            try:
                self.settle(before)
            finally:
                self._settling = False

    def levelled(self) -> bool:
        """Whether logtrim's own line printed now would need the child's level switched off
        around it (it switched stdout to another level)."""
        return self.wrap is not _no_wrap and bool(self.wrap()[0])

    def _to_default(self) -> None:
        """Before our own line: the child's level switched off, once for a run of them."""
        if self._reset or self.final:
            return
        reset, restore = self.wrap()
        if reset:
            self._put([(STDOUT, line) for line in reset])
            self._reset, self._restore = reset, restore

    def _put(self, emits: list[Emit]) -> None:
        """Level switches around our own lines: logtrim's bytes too."""
        out = self._deferred if self.holding() else self._out
        for emit in emits:
            out.append(emit)
            self.budget.spend(len(emit[1]))
            self.own_bytes += len(emit[1])

    def own_lines(self, nbytes: int) -> None:
        """logtrim's own lines the caller puts on the console (a fold's, a pause's): paid from
        the budget, never counted as the child's in the summary."""
        self.budget.spend(nbytes)
        self.own_bytes += nbytes

    def spend_own(self, nbytes: int) -> None:
        """logtrim's own bytes printed elsewhere (its diagnostics on stderr): paid from the
        budget, never counted as the child's in the summary."""
        self.budget.spend(nbytes)
        self.own_bytes += nbytes
        self.elsewhere += nbytes

    def end_levels(self) -> list[bytes]:
        """The closing lines start: our own lines from now on. Returns the resets already
        printed (still in effect)."""
        self.final = True
        reset, self._reset, self._restore = self._reset, [], []
        return reset

    def push(self, emits: list[Emit]) -> None:
        """Put back emits taken earlier (already paid for)."""
        self._out.extend(emits)

    def _waits(self) -> bool:
        waiting = self.waiting
        return waiting[STDOUT].waiting or waiting[STDERR].waiting

    def _late_first(self, shows: int = 0) -> None:
        """The waiting progress states of either stream, in the order written, each after
        the marker of the lines before it, before a marker that would count them: one
        counted there could not be shown after it. ``shows``: the stream whose line comes."""
        waiting, late = self.waiting, self.late
        if late is None:
            return
        for stream in sorted(
            (s for s in waiting if waiting[s].waiting), key=lambda s: waiting[s].mark
        ):
            late(stream, shows=stream == shows)

    def hide(self, nbytes: int, lines: int = 1) -> None:
        """Lines not shown: they join the gap."""
        self.gap_lines += lines
        self.gap_bytes += nbytes

    def clear_gap(self) -> None:
        self.gap_lines = self.gap_bytes = 0
        self.gaps += 1

    def marker(self, text: str, *, settle: bool = True) -> None:
        """One line of logtrim's own, when the budget has room for it."""
        line = OWN + as_bytes(text) + b"\n"
        if self.budget.allows_marker(len(line)):
            self.emit(STDOUT, line, NOISE, own=True, settle=settle)

    def gap_text(
        self, context_lines: int = 0, context_bytes: int = 0, *, sized: bool = True
    ) -> bytes:
        """The gap marker, for the gap less the ``context_lines`` (``context_bytes``) shown
        with the next line."""
        nbytes = self.gap_bytes - context_bytes
        return gap_note(self.gap_lines - context_lines, nbytes if nbytes > 0 else 0, sized=sized)

    def flush_gap(self, *, sized: bool = True, paid: bool = False) -> None:
        """Print the gap marker now and start a new gap; when the budget has no room for it,
        the gap goes on (a later marker counts its lines: none vanish without one).
        ``paid``: the caller kept room for it (the failure tail)."""
        if self.gap_lines > 0 and self.late is not None and self._waits():
            self._late_first()  # the states it would count, of either stream, go first
        gap = self.gap_text(0, sized=sized)
        if gap and not paid and not self.budget.allows_marker(len(gap)):
            return
        if gap:
            self.emit(STDOUT, gap, NOISE, own=True)
        self.clear_gap()

    def mark(self) -> Mark:
        """Where the gap stands: a progress state that starts to wait notes it."""
        return self.gaps, self.gap_lines, self.gap_bytes

    def command_part(self, stream: int, data: bytes, *, first: bool, last: bool) -> None:
        """The next bytes of a command too long to hold, printed as they come (``last``:
        its end, with its newline). Nothing else is printed on its stream until its end:
        logtrim's own lines there wait (else they would cut the command in two)."""
        if first:
            self.through.begin(stream, len(self._out))
        self.emit(stream, data, Kind.SERVICE if first else NOISE, command=True, settle=first)
        self.through.part(len(self._out) - 1)
        if last:
            self.through.end(self._out)

    def take(self) -> list[Emit]:
        if self._deferred and not self.holding():
            self._out += self._deferred
            self._deferred = []
        out, self._out = self._out, []
        if self.through.stream is not None:
            self.through.untangle(out)
        return out
