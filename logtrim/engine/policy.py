"""The policy knobs, and the byte budget with its tiers (the counters: engine/console/tally.py)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from .match.kinds import KEEP, SERVICE, Kind

#: Share of the live budget each tier may fill before it stops being shown. Lowest first:
#: repeated progress goes first, then info, then warnings; errors may use all of it.
TIER_CEILINGS = {
    Kind.PROGRESS: 0.40,
    Kind.INFO: 0.60,
    Kind.WARNING: 0.85,
    Kind.ERROR: 1.0,
    Kind.KEEP: 1.0,
}
MIN_BUDGET = 2000  # "2kB": room for the summary, the reason and the closing lines
COMPACT_BELOW = 32_000  # budgets below this get the short forms of logtrim's own lines
#: Budgets below this (where the failure tail takes its largest share, see :func:`tail_share`)
#: get no note that says why lines stop: the gap markers say where and how many.
TINY_BELOW = 8_000
#: The most that info and warnings of a failed task log leave its errors (``trim``).
ERRORS_KEPT = 8_000
#: A line up to this long is held whole and classified on all of it (an error at the end of
#: a 20 kB JSON response names the failure); a longer one comes in pieces, memory bounded,
#: and is classified on its first ``max_line`` bytes, as they are decided before its end.
LINE_HELD = 1 << 20


class MatcherChoice(str, Enum):
    """Which line matcher to use; both give the same answers (``logtrim._matchers``)."""

    AUTO = "auto"  # hyperscan where installed, else re
    HYPERSCAN = "hyperscan"  # the compiled matcher (re, with a warning, where it is missing)
    RE = "re"  # the pure-Python matcher: re behind a literal prefilter


@dataclass
class Policy:
    """What the console shows. The same object drives ``run``, the handler and ``trim``.

    These defaults are also the command line's and the config files' (``cli/settings.py``
    reads them from here), so each is written once.
    """

    budget: int = 20_000_000
    head: int = 10  # first lines of the run, shown as info
    context: int = 5  # lines before an error
    after: int = 3  # lines after an error
    block: int = 200  # at most this many continuation lines of a stack trace
    tail: int = 200  # last lines shown on failure
    success_tail: int = 20  # last lines shown on success (those not shown yet)
    # Output (bytes seen) shown whole, as written, before any filtering; None: a twentieth
    # of the budget. It is paid from the budget like any other line.
    verbatim: int | None = None
    heartbeat: float = 60.0
    progress_interval: float = 5.0
    native_progress: bool = True  # drive the CI's own indicator, where it has one
    repeat_report: float = 30.0
    max_line: int = 16_384  # longer lines are cut on the console (never in the archive)
    keep: Sequence[str] = ()
    drop: Sequence[str] = ()
    masks: Sequence[str] = ()
    # The line matcher: auto (the front end chooses: hyperscan where installed, unless
    # LOGTRIM_ENGINE says otherwise), hyperscan, or re (the pure-Python one).
    engine: MatcherChoice | str = MatcherChoice.AUTO


def verbatim_allowance(policy: Policy, budget: Budget) -> int:
    """The bytes of output shown whole: the setting (a twentieth of the budget by default),
    never more than a quarter of the live budget, so the tiers keep room after it."""
    wanted = policy.budget // 20 if policy.verbatim is None else policy.verbatim
    return max(min(wanted, budget.live // 4), 0)


def tail_share(total: int) -> float:
    """The share of a budget kept for the end of a failed run (held-back errors, the tail).

    The smaller the budget, the more of it goes to why the run failed: 70% at 8 kB and below,
    25% at 1 MB and above, and in between in proportion to the budget's logarithm.
    """
    low, high = 8_000, 1_000_000
    if total <= low:
        return 0.70
    if total >= high:
        return 0.25
    return 0.70 - 0.45 * math.log(total / low) / math.log(high / low)


class Budget:
    """Bytes logtrim may still write, split into live output, the failure tail and closing."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.closing = min(max(total // 10, 600), 16_384)
        self.tail = self._tail_share()
        self.live = total - self.closing - self.tail
        self.dip = self.closing // 4  # what logtrim's own notes may take of the reserve
        self.used = 0
        self.borrowed = 0  # what error frames took of the tail's room (allows_block)
        self.beyond = 0  # the child's commands printed past the budget (they always pass)
        self.read_only = 0  # the child's commands its CI only reads (in no log): never paid
        self.kept_back = 0  # what info and warnings leave to the lines above them (trim)
        #: What the notes say of lines left out: untrue once the archive could not be written.
        self.archive_note = "the archive has everything"

    def keep_for_closing(self, floor: int) -> None:
        """Reserve at least ``floor`` bytes for the closing lines (long archive names), before
        any output, besides what logtrim's own notes may take of the reserve."""
        closing = max(self.closing, floor + self.dip)
        if closing > self.closing:
            self.closing = min(closing, self.total)
            self.tail = self._tail_share()
            self.live = self.total - self.closing - self.tail

    def release_tail(self) -> None:
        """No failure tail will be printed (``trim`` closes with 0): its room goes live."""
        self.live += self.tail
        self.tail = 0

    def keep_back_for_errors(self) -> None:
        """Info and warnings leave the lines above them the share a failed run keeps for its
        end (:func:`tail_share`), up to :data:`ERRORS_KEPT`, not only a tenth of the live
        budget (:meth:`demotes`): a few errors with their context, not more info held off."""
        self.kept_back = min(self._tail_share(), ERRORS_KEPT)

    def _tail_share(self) -> int:
        """What a failed run keeps for its end of what the closing lines leave."""
        return int((self.total - self.closing) * tail_share(self.total))

    def allows(self, kind: Kind, cost: int) -> bool:
        if kind == SERVICE:
            return True
        if kind == KEEP:  # kept lines (--keep, task log node headers) rank with markers
            return self.allows_marker(cost)
        ceiling = TIER_CEILINGS.get(kind, 0.0) * self.live
        return self.used + cost <= ceiling

    def allows_block(self, cost: int) -> bool:
        """A frame of an error shown live (a stack frame, a compiler's source and caret
        lines) may take a quarter of the tail's room once the live room is used: the tail
        would show it anyway, after other lines, apart from its error."""
        return self.used + cost <= self.live + self.tail // 4

    def borrow(self) -> None:
        """After a frame shown (:meth:`allows_block`): what it took past the live room, if
        anything, is the tail's, not the live room's (logtrim's own notes keep their dip)."""
        self.borrowed = max(self.borrowed, self.used - self.live)

    def ceiling(self, kind: Kind) -> float:
        """What ``used`` may reach with a line of ``kind``: :meth:`allows` is ``used + cost <=
        ceiling(kind)`` (the per-line paths compare it for the line and its gap marker)."""
        if kind == SERVICE:
            return math.inf
        if kind == KEEP:
            return self.live + self.dip + self.borrowed
        return TIER_CEILINGS.get(kind, 0.0) * self.live

    def tier_room(self, kind: Kind) -> float:
        """The largest cost :meth:`allows` still allows a line of ``kind`` (negative: none)."""
        return TIER_CEILINGS.get(kind, 0.0) * self.live - self.used

    def allows_marker(self, cost: int) -> bool:
        """logtrim's own short notes may dip into a quarter of the closing reserve."""
        return self.used - self.borrowed + cost <= self.live + self.dip

    def demotes(self, kind: Kind, cost: int) -> bool:
        """True when an info or warning line no longer fits with a tenth of the live budget
        (or what :meth:`keep_back_for_errors` says) kept back for what ranks above it
        (``trim``: node headers, errors, failed nodes' tails)."""
        back = max(self.live // 10, self.kept_back)
        return Kind.NOISE < kind < Kind.ERROR and not self.allows(kind, cost + back)

    @property
    def compact(self) -> bool:
        """A small budget is for the failure: logtrim's own lines take their short forms
        (the closing lines still say where the archive is)."""
        return self.total < COMPACT_BELOW

    @property
    def tiny(self) -> bool:
        """A budget of a few lines: a note costs as much as a line of the failure, so only the
        notes that say *where* lines are left out (gap markers) and that errors are held for
        the end are printed, not those that say why a lower tier stopped."""
        return self.total < TINY_BELOW

    def says_stop(self, kind: Kind) -> bool:
        """Whether the stop of ``kind``'s lines gets its note (:meth:`stop_note`)."""
        return kind >= Kind.ERROR or not self.tiny

    def stop_note(self, kind: Kind, lines: str, *, none_shown: bool = False) -> str:
        """The note printed once when ``lines`` (e.g. ``"info lines"``) of ``kind`` stop.

        It says why in words, not as a share of the whole budget: with the failure tail's and
        the closing reserve kept back, errors can stop at "7% used", which reads as a fault.
        ``none_shown``: no line of the tier was shown (the tiers above used its share).
        """
        if self.compact:  # short forms: a small budget is for the failure
            if kind >= Kind.ERROR:
                return f"{lines} from here on are held for the end"
            if none_shown:
                return f"{lines} are not shown: the lines above used their share"
            # ("as they come": an error's context and the tail still show some of them)
            return f"{lines} are no longer shown as they come: their share is used"
        if kind >= Kind.ERROR:
            why = "the rest of the budget is kept for the end of the run"
        elif none_shown:
            why = "the lines shown before them used their share of the budget"
        else:
            why = "their share of the budget is used"
        return f"{lines} are no longer shown as they come: {why} ({self.archive_note})"

    def room(self, reserve: int) -> int:
        """What is left for the tail when ``reserve`` bytes are needed after it."""
        return max(self.total - self.used - reserve, 0)

    def allows_layout(self, cost: int) -> bool:
        """A command that only lays out the log (a Buildkite group header) passes while the
        live room holds it: it is no command the CI acts on, so it does not go beyond."""
        return self.beyond == 0 and self.used + cost <= self.live

    def spend(self, cost: int) -> None:
        self.used += cost

    @property
    def unpaid(self) -> int:
        """The child's command bytes printed and not paid from the budget."""
        return self.beyond + self.read_only

    def spend_command(self, cost: int, *, paid: bool = True) -> None:
        """A command of the child's passes whatever the budget, and pays only from the live
        room: the rest goes beyond the budget, so a flood of commands still leaves the gap
        markers, the failure tail and the closing lines (summary, reason, archive) their room.
        Not ``paid``: a command its CI only reads (a level switch), which lands in no log."""
        if not paid:
            self.read_only += cost
            return
        spent = max(min(cost, self.live - self.used), 0)
        self.used += spent
        self.beyond += cost - spent


def min_budget(floor: int) -> int:
    """The smallest budget whose reserve holds closing lines of ``floor`` bytes, and leaves
    the output as much as :data:`MIN_BUDGET` does."""
    smallest = Budget(MIN_BUDGET)
    return MIN_BUDGET + max(floor + smallest.dip - smallest.closing, 0)
