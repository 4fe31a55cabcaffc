"""The policy knobs, the byte budget with its tiers, and the counters behind the summary."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from .._sizes import format_count, format_size
from .kinds import KEEP, SERVICE, TIERS, Kind

#: Share of the live budget each tier may fill before it stops being shown. Lowest first:
#: repeated progress goes first, then info, then warnings; errors may use all of it.
TIER_CEILINGS = {
    Kind.PROGRESS: 0.40,
    Kind.INFO: 0.60,
    Kind.WARNING: 0.85,
    Kind.ERROR: 1.0,
    Kind.KEEP: 1.0,
}
MIN_BUDGET = 2048
COMPACT_BELOW = 32_000  # budgets below this get the short forms of logtrim's own lines
#: Budgets below this (where the failure tail takes its largest share, see :func:`tail_share`)
#: get no note that says why lines stop: the gap markers say where and how many.
TINY_BELOW = 8_000


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
        self.tail = int((total - self.closing) * tail_share(total))
        self.live = total - self.closing - self.tail
        self.dip = self.closing // 4  # what logtrim's own notes may take of the reserve
        self.used = 0
        self.beyond = 0  # the child's commands printed past the budget (they always pass)
        #: What the notes say of lines left out: untrue once the archive could not be written.
        self.archive_note = "the archive has everything"

    def keep_for_closing(self, floor: int) -> None:
        """Reserve at least ``floor`` bytes for the closing lines (long archive names), before
        any output, besides what logtrim's own notes may take of the reserve."""
        closing = max(self.closing, floor + self.dip)
        if closing > self.closing:
            self.closing = min(closing, self.total)
            self.tail = int((self.total - self.closing) * tail_share(self.total))
            self.live = self.total - self.closing - self.tail

    def release_tail(self) -> None:
        """No failure tail will be printed (``trim`` closes with 0): its room goes live."""
        self.live += self.tail
        self.tail = 0

    def allows(self, kind: Kind, cost: int) -> bool:
        if kind == SERVICE:
            return True
        if kind == KEEP:  # kept lines (--keep, task log node headers) rank with markers
            return self.allows_marker(cost)
        ceiling = TIER_CEILINGS.get(kind, 0.0) * self.live
        return self.used + cost <= ceiling

    def ceiling(self, kind: Kind) -> float:
        """What ``used`` may reach with a line of ``kind``: :meth:`allows` is ``used + cost <=
        ceiling(kind)`` (the per-line paths compare it for the line and its gap marker)."""
        if kind == SERVICE:
            return math.inf
        if kind == KEEP:
            return self.live + self.dip
        return TIER_CEILINGS.get(kind, 0.0) * self.live

    def tier_room(self, kind: Kind) -> float:
        """The largest cost :meth:`allows` still allows a line of ``kind`` (negative: none)."""
        return TIER_CEILINGS.get(kind, 0.0) * self.live - self.used

    def allows_marker(self, cost: int) -> bool:
        """logtrim's own short notes may dip into a quarter of the closing reserve."""
        return self.used + cost <= self.live + self.dip

    def demotes(self, kind: Kind, cost: int) -> bool:
        """True when an info or warning line no longer fits with a tenth of the live budget
        kept back for what ranks above it (``trim``: node headers, errors, failed nodes' tails).
        """
        return Kind.NOISE < kind < Kind.ERROR and not self.allows(kind, cost + self.live // 10)

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

    def stop_note(self, kind: Kind, lines: str) -> str:
        """The note printed once when ``lines`` (e.g. ``"info lines"``) of ``kind`` stop.

        It says why in words, not as a share of the whole budget: with the failure tail's and
        the closing reserve kept back, errors can stop at "7% used", which reads as a fault.
        """
        if self.compact:  # short forms: a small budget is for the failure
            why = "room kept for the end" if kind >= Kind.ERROR else "their share is used"
            return f"{lines} are no longer shown: {why}"
        if kind >= Kind.ERROR:
            why = "the rest of the budget is kept for the end of the run"
        else:
            why = "their share of the budget is used"
        return f"{lines} are no longer shown: {why} ({self.archive_note})"

    def room(self, reserve: int) -> int:
        """What is left for the tail when ``reserve`` bytes are needed after it."""
        return max(self.total - self.used - reserve, 0)

    def spend(self, cost: int) -> None:
        self.used += cost

    def spend_command(self, cost: int) -> None:
        """A command of the child's passes whatever the budget, and pays only from the live
        room: the rest goes beyond the budget, so a flood of commands still leaves the gap
        markers, the failure tail and the closing lines (summary, reason, archive) their room."""
        paid = max(min(cost, self.live - self.used), 0)
        self.used += paid
        self.beyond += cost - paid


def min_budget(floor: int) -> int:
    """The smallest budget whose reserve holds closing lines of ``floor`` bytes, and leaves
    the output as much as :data:`MIN_BUDGET` does."""
    smallest = Budget(MIN_BUDGET)
    return MIN_BUDGET + max(floor + smallest.dip - smallest.closing, 0)


@dataclass
class Tally:
    """Lines and bytes seen and shown, per tier."""

    seen_lines: dict[Kind, int] = field(default_factory=lambda: dict.fromkeys(Kind, 0))
    seen_bytes: dict[Kind, int] = field(default_factory=lambda: dict.fromkeys(Kind, 0))
    shown_lines: dict[Kind, int] = field(default_factory=lambda: dict.fromkeys(Kind, 0))
    shown_bytes: dict[Kind, int] = field(default_factory=lambda: dict.fromkeys(Kind, 0))
    collapsed: int = 0
    held_lines: int = 0  # lines a tier would show but the budget held back
    held_bytes: int = 0
    tail_lines: int = 0  # lines shown in the failure tail
    context_lines: int = 0  # lines shown around errors and in stack traces
    # Lines shown as a service message that also count in the tier of the text around it.
    both_lines: int = 0
    new_shapes: int | None = None  # with a baseline: line shapes no good run had
    known: dict[Kind, int] | None = None  # ... and lines good runs also print, by own tier

    def summary(
        self,
        *,
        lines: int,
        nbytes: int,
        console: int,
        duration: float | None,
        archive: str | None,
        archive_size: int,
        archived: int,
        compact: bool = False,
        interrupted: str | None = None,
        lost: str | None = None,
    ) -> list[str]:
        shown_lines = sum(self.shown_lines.values()) + self.tail_lines + self.context_lines
        shown_lines -= self.both_lines
        share = 100.0 * console / nbytes if nbytes else 100.0
        head = (
            f"[logtrim] {lines_text(lines)} ({format_size(nbytes)})"
            + (f" in {_duration(duration)}" if duration is not None else "")
            + (f", interrupted by {interrupted}" if interrupted else "")
            + "; "
            # The console's bytes for them (masks, cut notes included): a mask longer than
            # the secret it replaces can make them more than the bytes written.
            f"shown {lines_text(shown_lines)} ({format_size(console)} printed"
            + (f", {share:.1f}%)" if share < 100 else ")")
        )
        if self.new_shapes is not None:
            shapes = "shape" if self.new_shapes == 1 else "shapes"
            head += f"; {format_count(self.new_shapes)} new line {shapes} against the baseline"
        out = [head]
        if not compact:
            out += self._breakdown()
        if archive:
            smaller = archive_size and archived / archive_size >= 1.05
            ratio = f", {archived / archive_size:.1f}x smaller" if smaller else ""
            out.append(f"[logtrim] archive: {archive} ({format_size(archive_size)}{ratio})")
        elif lost:
            out.append(f"[logtrim] archive: {lost} is incomplete: writing it failed (see the "
                       "warning above); it holds the output up to then")  # fmt: skip
        return out

    def _breakdown(self) -> list[str]:
        """The summary's detail lines: shown/seen per tier, the baseline, what was held."""
        out: list[str] = []
        tiers = " · ".join(
            f"{TIERS[k].plural} {format_count(self.shown_lines[k])}/"
            f"{format_count(self.seen_lines[k])}"
            for k in (Kind.ERROR, Kind.WARNING, Kind.INFO, Kind.PROGRESS, Kind.NOISE)
        )
        # Kept lines and service messages count in "shown N lines" too: named when there
        # are any, so the parts add up to the whole.
        extra = "".join(
            f" · {TIERS[k].plural} {format_count(self.shown_lines[k])}/"
            f"{format_count(self.seen_lines[k])}"
            for k in (Kind.KEEP, Kind.SERVICE)
            if self.seen_lines[k] or self.shown_lines[k]
        )
        extra += f" · context {format_count(self.context_lines)}"
        if self.tail_lines:
            extra += f" · tail {format_count(self.tail_lines)}"
        out.append(f"[logtrim]   shown/seen: {tiers}{extra}")
        if self.known and any(self.known.values()):
            # Else "warnings 0/0" reads as if the run had none.
            known = " · ".join(
                f"{TIERS[k].plural} {format_count(n)}"
                for k, n in sorted(self.known.items(), reverse=True)
            )
            out.append(f"[logtrim]   known to the baseline (each shown a tier lower): {known}")
        if self.collapsed or self.held_lines:
            out.append(
                f"[logtrim]   collapsed {format_count(self.collapsed)} repeated lines; "
                f"held back for budget {format_count(self.held_lines)} lines "
                f"({format_size(self.held_bytes)})"
            )
        return out


def lines_text(n: int) -> str:
    """``1 line``, ``2,345 lines``."""
    return f"{format_count(n)} line{'' if n == 1 else 's'}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
