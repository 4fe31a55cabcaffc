"""Printing a line the selector decided to show, with the context before it.

A part of the :class:`~.select.Selector`. The budget has the last word: a line it does not
allow is held (counted, and the first of its tier says the tier is no longer shown); a line
it allows comes with the lines before it that are not on the console yet, when they fit too.
"""

from __future__ import annotations

from collections.abc import Callable

from ..._regex import lazy
from ..._text import COLOUR
from ..flow.history import History, Shaper
from ..flow.throttle import Progress
from ..match.kinds import ERROR, INFO, NOISE, PROGRESS, TIERS, Kind
from .output import STDOUT, Output
from .tally import WORTH
from .titles import find_title, print_title

#: A section's heading: a title between runs of one rule character (pytest's
#: ``____ test_refund ____`` and ``==== FAILURES ====``, unittest's and tox's, a ``--- x ---``).
HEADING = lazy(
    rb"^(?:" + COLOUR.encode() + rb")*([=_*#~-])\1{2,} \S.*? \1{3,}(?:" + COLOUR.encode()
    + rb")*\s*$"
)  # fmt: skip
#: How far above the context before an error its section's heading is looked for.
HEADING_REACH = 3
#: How far above that the heading is looked for, when its lines cost little (see
#: :meth:`Shower.context_before`): a pytest failure's ``___ test_x[3-19.99] ___`` and its
#: argument values sit above a parametrize list.
HEADING_FAR = 16
#: The most lines left out that are shown instead of their marker when they cost at most
#: :data:`.tally.WORTH` times as much: a marker that saves less leaves a hole in an error's block
#: (the ``+`` line of a unittest diff, under its ``-`` line) for a few bytes.
_INSTEAD = 4
#: The most lines left out shown instead of their marker while the tier has room: their cost
#: at most a :data:`_ROOMY`-th of the room left (a 64th kept the marker in a race report's
#: middle at 20 kB, 1.3 kB of it printed; at 8 kB the marker stays).
_INSTEAD_ROOMY = 8
_ROOMY = 32


def _continues(line: tuple[int, int, bytes], cut: list[tuple[int, int, bytes]]) -> bool:
    """Whether ``line`` (lineno, stream, text) continues the last line ``cut`` on its
    stream: indented, right after it."""
    if not cut:
        return False
    lineno, stream, text = line
    last = cut[-1]
    return last[1] == stream and last[0] < lineno and text[:1] in (b" ", b"\t")


class Shower:
    """Shows lines within the budget (see the module docstring)."""

    def __init__(
        self,
        context: int,
        out: Output,
        history: History,
        shaper: Shaper,
        dropped: Callable[[bytes], bool],
        progress: Progress,
    ) -> None:
        self._context = context
        self.out = out
        self.budget = out.budget
        self.history = history
        self.shaper = shaper
        self.dropped = dropped
        self.progress = progress
        self.stopped: set[Kind] = set()  # tiers the budget no longer shows
        # The context before the last line shown that the budget left out, oldest first.
        self.cut: list[tuple[int, int, bytes]] = []

    def context_before(self, lineno: int) -> list[tuple[int, int, bytes]]:
        """(lineno, stream, console form) of the lines before an error not shown yet, each
        newer than what its stream showed last, none archive only."""
        history = self.history
        unseen = lineno - max(history.last_shown, history.passed) - 1
        want = min(self._context, unseen)
        if want <= 0:
            return []
        # (and the few lines shown last: the heading may be among them, a rule's line)
        lines = history.recent(lineno, min(want + HEADING_FAR, unseen + HEADING_REACH))
        shown = max(len(lines) - unseen, 0)
        # The heading of the error's section (which test failed) when it is just above, or
        # further up when the lines to it cost at most a twentieth of the budget (1 kB).
        above = len(lines) - want
        start = next(
            (i for i in range(above - 1, -1, -1) if HEADING.match(lines[i][2])), max(above, 0)
        )
        start, near = max(start, shown), max(above - HEADING_REACH, shown)
        if start < near:
            cost = sum(len(raw) for _, _, raw in lines[start:near])
            if cost > min(1024, self.budget.total // 20):
                start = max(above, 0)
        replaced = self.progress.replaced
        return [
            (n, stream, self.shaper.display(raw))
            for n, stream, raw in lines[start:]
            if history.visible(n, stream) and not self.dropped(raw) and n not in replaced
        ]

    def line(
        self,
        stream: int,
        shown: bytes,
        kind: Kind,
        lineno: int,
        before: list[tuple[int, int, bytes]],
        *,
        context: bool = False,
        own: Kind = NOISE,
        size: int = -1,
        frame: bool = False,
    ) -> bool:
        """Print a line with its context before it, if the budget allows its tier.

        ``own``: the line's own tier, when it is shown as ``context`` of an error; ``size``:
        its bytes as written (a held line counts them, not its cut console form); ``frame``:
        it continues an error shown live (:meth:`.Budget.allows_block`)."""
        written = len(shown) if size < 0 else size
        # The progress states before this line and its context, of either stream, in order
        # (dropped when the context shows them).
        # A state the gap marker below counts could not be shown after it: the other
        # stream's too, the oldest first.
        # (before states_before drops those shown here; a line alone has no context)
        waiting = self._waiting_numbers() if before or context else set()
        self.states_before(before[0][0] if before else lineno)
        out, mask = self.out, self.shaper.masker.mask
        masked = mask(shown)
        if not before and not context:
            return self.alone(stream, masked, kind, lineno, written)
        budget = self.budget

        def allows(cost: int) -> bool:
            return budget.allows(kind, cost) or (frame and budget.allows_block(cost))

        if not allows(len(masked)):  # no room even alone: no gap, no context
            self.hold(kind, written)
            return False
        before = self._few_left(lineno, before, kind)
        ctx = [(n, s, mask(b)) for n, s, b in before]
        # The gap marker counts the lines before the context: less its lines and their bytes
        # as written (the history's form; a long line's start only, so never more).
        # A waiting progress command shown as context is no line of the gap (the gap stays
        # open over a command): the marker still counts the lines left out before it.
        sizes = [0 if n in waiting else len(b) for n, _, b in before]
        self.cut = []
        # The context nearest the line when not all of it fits: the line just before an
        # error (a compiler's message, the frame that raised) says most about it. It does not
        # start inside a block cut (a warning's caret under the source line cut above it).
        while True:
            gap = out.gap_text(sum(1 for n, _, _ in ctx if n not in waiting), sum(sizes))
            cost = len(masked) + len(gap) + sum(len(b) for _, _, b in ctx)
            if not ctx or (allows(cost) and not _continues(ctx[0], self.cut)):
                break
            self.cut.append(ctx[0])
            ctx, sizes = ctx[1:], sizes[1:]
        if not allows(cost):
            self.hold(kind, written)
            return False
        title = find_title(self, lineno, ctx, sizes, gap, allows, cost) if kind == ERROR else None
        if title is not None:
            gap = print_title(self, *title)
        if gap:
            out.emit(STDOUT, gap, NOISE, own=True)
        out.clear_gap()
        for ctx_lineno, ctx_stream, line in ctx:
            out.emit(ctx_stream, line, NOISE)
            out.tally.context_lines += 1
            self.history.mark_shown(ctx_lineno, stream=ctx_stream)
        out.emit(stream, masked, NOISE if context else kind)
        if frame:
            budget.borrow()
        if context and own != NOISE:
            # An error line inside a stack trace is an error shown, as in the verbatim part:
            # counted in its own tier, or "errors 3/4" would claim one is missing.
            out.tally.shown_lines[own] += 1
            out.tally.shown_bytes[own] += len(masked)
        elif context:
            out.tally.context_lines += 1
        self.history.mark_shown(lineno, stream=stream)
        return True

    def alone(self, stream: int, masked: bytes, kind: Kind, lineno: int, size: int) -> bool:
        """Print a line (its console form, masked) with no context before it, after the gap
        marker, if the budget allows its tier; ``size``: its bytes as written."""
        out, budget = self.out, self.budget
        room = budget.ceiling(kind) - len(masked)  # Budget.allows, once for both costs
        if budget.used > room:
            self.hold(kind, size)
            return False
        if self.cut:
            self.cut = []
        gap = out.gap_text() if out.gap_lines > 0 else b""
        if gap and out.gap_lines <= _INSTEAD and out.gap_bytes <= WORTH * len(gap):
            gap = self._instead_of_gap(lineno, len(gap), room)
        if gap and budget.used + len(gap) > room:
            self.hold(kind, size)
            return False
        out.after_gap(stream, gap, masked, kind)
        # A state shown as it came: the tail may show the lines since the state before it.
        state = self.progress.streams[stream].before if kind == PROGRESS else None
        self.history.mark_shown(lineno, stream=stream, state=state)
        return True

    def _few_left(
        self, lineno: int, before: list[tuple[int, int, bytes]], kind: Kind
    ) -> list[tuple[int, int, bytes]]:
        """``before``, and the few lines the gap marker above it would count when they are
        at most twice as long together as it (a test's expected and actual values between its
        message and the frames shown after them), or, between a line shown and the context,
        while the tier of the line (``kind``) has room, at most a 64th of that room (the other
        half of a race detector's report between its warning and the context of the failure
        under it): they are context too."""
        out = self.out
        left = out.gap_lines - len(before)
        if not 0 < left <= _INSTEAD_ROOMY:
            return before
        first = before[0][0] if before else lineno
        history = self.history
        if first - left <= max(history.last_shown, history.passed):
            return before
        lines = [
            (n, stream, self.shaper.display(raw))
            for n, stream, raw in history.recent(first, left)
            if history.visible(n, stream) and not self.dropped(raw)
        ]
        if len(lines) != left or lines[0][0] != first - left:
            return before
        marker = out.gap_text(len(before), sum(len(b) for _, _, b in before))
        cost = sum(len(b) for _, _, b in lines)
        cheap = left <= _INSTEAD and cost <= WORTH * len(marker)
        # (a hole between lines shown, not the lines before the first one: the context's size
        # is the user's there)
        hole = history.last_shown >= 0 and history.last_shown == first - left - 1
        roomy = hole and cost <= self.budget.tier_room(kind) / _ROOMY
        return [*lines, *before] if cheap or roomy else before

    def fill_gap(self, lineno: int) -> None:
        """Before line ``lineno``, printed by another path (a CI command): the few lines left
        out since the last shown, shown instead of their marker as :meth:`alone` shows them,
        when they cost little more and the info tier has room for them."""
        out, budget = self.out, self.budget
        marker = len(out.gap_text()) if 0 < out.gap_lines <= _INSTEAD else 0
        if marker and out.gap_bytes <= WORTH * marker:
            # Lines no longer than their marker take its room (a test's one line of output
            # between its commands, past the info tier's share): the marker would cost more.
            cheap = out.gap_bytes <= marker
            room = budget.live + budget.dip + budget.borrowed if cheap else budget.ceiling(INFO)
            self._instead_of_gap(lineno, marker, room)

    def _instead_of_gap(self, lineno: int, marker: int, room: float) -> bytes:
        """The few lines left out, at most twice as long together as the marker that would
        say so (a logger's header line above its record, a compiler's source and caret lines
        under its warning): shown instead, as context, when they may be (not archive only, not
        dropped) and fit; returns the marker still to print (empty: none)."""
        gap = self.out.gap_text()
        lines = self.out.gap_lines
        before = self.context_before(lineno)
        if len(before) != lines or before[0][0] != lineno - lines or self._waiting(before):
            return gap
        shown = [(n, stream, self.shaper.masker.mask(text)) for n, stream, text in before]
        cost = sum(len(text) for _, _, text in shown)
        if cost > WORTH * marker or self.budget.used + cost > room:
            return gap
        self.states_before(before[0][0])  # a state among them is shown there, not again
        self.out.clear_gap()
        for n, stream, text in shown:
            self.out.emit(stream, text, NOISE)
            self.out.tally.context_lines += 1
            self.history.mark_shown(n, stream=stream)
        return b""

    def _waiting(self, before: list[tuple[int, int, bytes]]) -> bool:
        """Whether one of ``before`` is a progress command waiting (throttled): no line of
        the gap, which then holds older lines (the gap stays open over a command)."""
        waiting = self._waiting_numbers()
        return any(n in waiting for n, _, _ in before)

    def _waiting_numbers(self) -> set[int]:
        """The line numbers of the progress commands waiting (throttled), of either stream."""
        return {n for st in self.progress.streams.values() for n, _ in st.commands.values()}

    def states_before(self, first: int) -> None:
        """The progress states waiting on either stream written before line ``first``,
        shown in order; those from it on dropped (the caller prints them as context)."""
        progress = self.progress
        waiting = progress.streams
        for each in sorted(
            (s for s in waiting if waiting[s].waiting), key=lambda s: waiting[s].mark
        ):
            progress.late(each, before=first, hold=True)

    def hold(self, kind: Kind, size: int) -> None:
        """A line the budget does not allow: counted, and the first of its tier says so."""
        self.out.tally.held_lines += 1
        self.out.tally.held_bytes += size
        if kind not in self.stopped:
            self.stopped.add(kind)
            if self.budget.says_stop(kind):
                if kind >= ERROR:  # "from here on": after the lines before this one
                    self.out.flush_gap()
                none = self.out.tally.shown_lines[kind] == 0
                self.out.marker(self.budget.stop_note(kind, TIERS[kind].lines, none_shown=none))
        self.out.hide(size)
