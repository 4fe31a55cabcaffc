"""The engine's per-line decisions: tiers, levels, context, error blocks, what is shown.

:class:`Selector` looks at the lines of a region: only those a rule hit, in the head, around
an error or under a level switch one by one; the rest are counted in C. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable

from ..console.output import STDERR, STDOUT, Emit, Output
from ..console.show import Shower
from ..console.verbatim import Verbatim
from ..ending.held import Held
from ..ending.incident import Incident, hold_cut
from ..ending.reason import ReasonChooser
from ..match.kinds import ERROR, INFO, KEEP, NOISE, PROGRESS, SERVICE, Kind
from ..match.matcher import Matcher
from ..policy import Budget, Policy, verbatim_allowance
from ..service.commands import Commands
from ..service.forward import Forwarder
from ..service.native import NativeProgress
from ..shapes.novelty import Withheld
from . import walk
from .history import History, Shaper
from .promote import promote
from .repeats import Repeats
from .throttle import Progress

__all__ = ["STDERR", "STDOUT", "Emit", "Selector"]


class Selector:
    """Decides, line by line, what reaches the console (see the module docstring)."""

    def __init__(
        self,
        policy: Policy,
        out: Output,
        history: History,
        held: Held,
        shaper: Shaper,
        matcher: Matcher,
        commands: Commands,
        dropped: Callable[[bytes], bool],
    ) -> None:
        self.policy = policy
        self.out = out
        self.budget: Budget = out.budget
        self.history = history
        self.held = held
        self.shaper = shaper
        self.matcher = matcher
        # Rarely needed (a marker that was no command): built on first use, pure Python.
        self._plain: Matcher | None = None
        self.commands = commands
        self.dropped = dropped
        self.has_drop = False  # whether ``dropped`` can be true: the hot loop skips it if not
        self.withheld: Withheld | None = None  # with a baseline: new lines held back
        self.progress = Progress(policy.progress_interval, out, history, shaper.masked)
        self.repeats = Repeats(policy.repeat_report, out, history, shaper.masker.mask)
        self.forward = Forwarder(
            commands, self.progress, out, history, shaper.masker.mask, matcher.line_kind,
            shaper.display,
        )  # fmt: skip
        tally = out.tally
        self.reasons = ReasonChooser(error_lines=lambda: tally.seen_lines[ERROR])
        self.reasons.powershell.before = history.line_before
        self.forward.on_text = self._text_by_command
        self.forward.masker = shaper.masker
        held.reason = self.reasons.strong_block  # its block is the last the held store drops
        held.command = lambda text: commands.is_command(text.decode("utf-8", "replace"))
        self.incidents = {STDOUT: Incident(), STDERR: Incident()}
        # The output shown whole before filtering starts.
        self.verbatim = Verbatim(verbatim_allowance(policy, self.budget), out, shaper, history)
        out.settle = self.repeats.settle
        self.show = Shower(policy.context, out, history, shaper, dropped, self.progress)
        self.forward.fill_gap = self.show.fill_gap

    def region(
        self, stream: int, region: bytes, hits: list[tuple[int, Kind]], base: int, now: float
    ) -> int:
        """Look at a region of whole lines numbered from ``base``; return the next number
        (the hot loop: engine/flow/walk.py)."""
        return walk.region(self, stream, region, hits, base, now)

    def _text_by_command(self, text: bytes, lineno: int, kind: Kind) -> None:
        """Text on a command's line, around it: plain output to the server, seen in its
        tier and a reason candidate as any line (the line itself passes as a command)."""
        if Kind.NOISE < kind < SERVICE:
            self.out.tally.seen_lines[kind] += 1
            self.out.tally.seen_bytes[kind] += len(text)
        self.reasons.offer(text, lineno, error=kind == ERROR)

    @property
    def stopped(self) -> set[Kind]:
        """The tiers the budget no longer shows."""
        return self.show.stopped

    # Long: one line's whole decision in order (forwarded, verbatim, promoted, filtered).
    def line(
        self,
        stream: int,
        line: bytes,
        kind: Kind,
        lineno: int,
        now: float,
        size: int = -1,
        *,
        detail: bool = False,
    ) -> None:
        """Decide one line: shown (with context), held back, counted as a repeat, or hidden.

        ``detail``: the caller's level says the line is detail (a DEBUG record): it takes
        its share of the verbatim allowance but is not shown for it.
        """
        commands = self.commands
        verbatim = False
        if self.verbatim.left > 0:
            inc = self.incidents[stream]
            in_block = inc.in_trace(line, kind, self.policy.block)
            verbatim = self.verbatim.consume(len(line) if size < 0 else size, in_block=in_block)
        verbatim = verbatim and not detail
        if commands.is_open(stream) and commands.opened.continues(
            stream, line.decode("utf-8", "replace")
        ):
            tally = self.out.tally  # seen as what it is shown as: a command's line
            tally.seen_lines[SERVICE] += 1
            tally.seen_bytes[SERVICE] += len(line)
            self.forward.continued(stream, line, lineno)
            return
        if kind == SERVICE:
            if self.forward.service(stream, line, lineno, now):
                if (reported := commands.reported_error(line)) is not None:
                    self.reasons.offer_reported(*reported, lineno)
                return
            if self._plain is None:
                self._plain = self.matcher.text_only()
            kind = self._plain.line_kind(line)
        kind = self.commands.apply(stream, kind)
        seen = kind  # the line's own tier, before it is promoted to context
        native = self.progress.native if kind == PROGRESS else None
        context = cont = False
        # A line a drop rule keeps off the console: never shown, nor named (as a detail line).
        dropped = self.has_drop and kind < KEEP and self.dropped(line)
        if kind != NOISE or not self.commands.quiet(stream):
            kind, seen, context, cont = promote(self, stream, line, kind, lineno, detail, dropped)
        size = len(line) if size < 0 else size
        tally = self.out.tally
        tally.seen_lines[seen] += 1
        tally.seen_bytes[seen] += size
        # Every line looked at is a reason candidate; its own tier says whether it is an
        # error (counted first, as every path counts it: the reason reads the counts).
        if not commands.ignored(stream):
            self.reasons.offer(line, lineno, error=seen == ERROR and not dropped,
                               detail=detail or dropped)  # fmt: skip
        # An error after hidden lines (detail, archive only) takes the usual path: its
        # context before it.
        opens_after_gap = kind == ERROR and not context and self.out.gap_lines > 0
        if verbatim and commands.as_written(stream) and not opens_after_gap and not dropped:
            if native is not None:  # the CI's own indicator follows the line as written
                native.see(line, now)
            self._show_verbatim(stream, line, kind, seen, context, lineno)
            return
        if dropped and (verbatim or lineno < self.policy.head):
            # Where every line is shown: the user's cut, no gap (no marker of its own).
            tally.dropped_lines += 1
            return
        self._filtered(stream, line, kind, seen, lineno, now, size, context, cont, native)

    def _filtered(
        self,
        stream: int,
        line: bytes,
        kind: Kind,
        seen: Kind,
        lineno: int,
        now: float,
        size: int,
        context: bool,
        cont: bool,
        native: NativeProgress | None,
    ) -> None:
        """A line past the verbatim allowance: hidden, throttled, collapsed, held or shown."""
        tally = self.out.tally
        if kind == NOISE:
            self.out.hide(size)
            return
        shown = self.shaper.display(line)
        if kind == PROGRESS and not self.progress.due(stream, now, lineno, line):
            return
        if (
            native is not None
        ):  # shown now: the CI's own indicator follows (engine/service/native.py)
            native.see(line, now)
        if kind == INFO and not context and self.repeats.recurs(shown):
            self.out.hide(size)
            return
        key = None
        # (progress is throttled, not collapsed; a --keep line is the user's: each is shown)
        if not context and kind not in (PROGRESS, KEEP):
            key = self.repeats.key(stream, shown, now, lineno, kind)
            if key is None:
                return
        inc = self.incidents[stream]
        if context and inc.holding >= 0:
            # The rest of an error the budget held back: held with it, for the end.
            masked = self.shaper.masker.mask(shown)
            self.held.add(lineno, stream, masked, inc.holding, cont)
            if self.withheld is not None:  # new: kept for the tail even if the error is not
                self.withheld.offer(lineno, stream, line, masked)
            tally.held_lines += 1
            tally.held_bytes += size  # as written, whatever its console form
            self.out.hide(size)
            return
        opens = kind == ERROR and not context
        # Context is looked up only for a line the budget could still show: once the error
        # tier is closed, an error line costs no history walk (issue 17.20).
        fits = self.budget.allows(kind, len(shown))
        before = self.show.context_before(lineno) if opens and fits else []
        frame = cont and inc.opened >= 0  # (a held error's rest was held above)
        shown_now = self.show.line(
            stream, shown, kind, lineno, before, context=context, own=seen, size=size, frame=frame
        )
        if context and not shown_now and inc.opened >= 0:
            # The rest of an error shown live, cut by the budget: held for the end too.
            masked = self.shaper.masker.mask(shown)
            self.held.add(lineno, stream, masked, inc.opened, cont)
            if self.withheld is not None:
                self.withheld.offer(lineno, stream, line, masked)
        elif not shown_now and not opens and self.withheld is not None:
            self.withheld.offer(lineno, stream, line, self.shaper.masker.mask(shown))
        if opens:
            # (the context cut: held for the end, unless it is all debug or trace lines,
            # which would only say after the failure that the program went on)
            cut = self.show.cut
            if shown_now and cut and not all(self.matcher.is_detail(t) for _, _, t in cut):
                hold_cut(self.held, line, cut, lineno)
            pol = self.policy
            inc.open(line, lineno, pol.after, pol.block, -1 if shown_now else lineno)
            if not shown_now:
                self.held.add(lineno, stream, self.shaper.masker.mask(shown), lineno, True)
        if shown_now and key is not None:
            self.repeats.shown(stream, key, now)
        if kind == PROGRESS and not shown_now and native is not None:
            native.flush()  # its state goes now, or waits for the next line shown: not later

    def _show_verbatim(
        self, stream: int, line: bytes, kind: Kind, seen: Kind, context: bool, lineno: int
    ) -> None:
        """A line within the verbatim allowance: shown as written; an error opens its
        incident as when filtering (the lines after it)."""
        self.verbatim.show(stream, line, seen, lineno)
        if kind == ERROR and not context:
            self.incidents[stream].open(line, lineno, self.policy.after, self.policy.block)
