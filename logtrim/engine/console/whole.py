"""A small run shown whole: the console waits until the run is known not to fit.

The verbatim allowance is a twentieth of the budget, so a run that all fits was filtered as it
came: lines left out with a gap marker, notes that tiers stopped, and the section of
held-back errors after the last lines, out of order, when nothing needed to be left out.
Whether a run fits is known only when it ends or outgrows the budget, so while its output
could still fit (at most the budget less the closing reserve, at most :data:`HOLD_MAX`, and
for at most :data:`HOLD_SECONDS`, or the heartbeat's interval if shorter: a step watched live
must not look stuck) the engine's console is held, not printed, and the calls that fed it are
kept. Below a compact
budget the hold starts with the first line; above it, once the verbatim allowance is passed
(what the allowance showed is printed as it comes). When the run outgrows the window, the held
console is released as it was: the same lines, only later. When the run ends within it, the
calls are replayed on a fresh engine whose verbatim allowance covers the whole run, and that
engine closes: the console is the output as written, in order, then the closing lines.

Only where ``--verbatim`` is left to its default (a set allowance is the user's choice). The
archive is never held: it gets its bytes from the first engine as they come. ``run``, the
handler and ``trim`` of a plain log (its clock: the bytes read) each hold so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from ...dialects.actions import RunProgram
from ..match.kinds import Kind
from .output import Emit

if TYPE_CHECKING:
    from ...dialects.base import Action
    from ..core import Core

Call = Callable[["Core"], list[Emit]]
#: Above a compact budget, the output a run may reach and still be held to be shown whole:
#: the default budget's own allowance (memory and the wait stay small; a budget whose
#: allowance is this or more shows such runs whole anyway).
HOLD_MAX = 1_000_000
#: The longest the console is held: a step watched live must not look stuck for a heartbeat's
#: minute (below a compact budget, from its first line).
HOLD_SECONDS = 10.0
Closing = Callable[["Core"], "tuple[list[Emit], list[Action]]"]


class Whole:
    """The console of ``core`` held while the run could still be shown whole (see the module
    docstring); ``fresh`` builds an engine as ``core`` was built, before any input."""

    def __init__(self, core: Core, fresh: Callable[[], Core]) -> None:
        self.core = core
        budget = core.budget
        # The closing reserve is for the worst closing lines (a reason of 500 characters, a
        # long path): the run's own are known at its end, so a run is held while its output
        # alone fits the budget, and shown whole if it does with its closing lines.
        self._limit = budget.total
        if not budget.compact:
            self._limit = min(self._limit, HOLD_MAX)
        wider = core.select.verbatim.allowance < self._limit
        on = core.policy.verbatim is None and (budget.compact or wider)
        self._fresh: Callable[[], Core] | None = fresh if on else None
        self._calls: list[Call] = []
        self._held: list[Emit] = []
        # Above a compact budget, what the allowance showed before the hold (printed); the
        # run's replay starts with the same lines.
        self._printed: list[Emit] | None = None if budget.compact else []
        self._since: float | None = None
        every = core.policy.heartbeat
        self._wait = min(every if every > 0 else math.inf, HOLD_SECONDS)

    @property
    def holding(self) -> bool:
        """Whether the console is still held."""
        return self._fresh is not None

    def feed(self, stream: int, data: bytes, now: float) -> tuple[bytes, list[Emit]]:
        """:meth:`Core.feed`, its console held while the run could be shown whole."""
        archived, emits = self.core.feed(stream, data, now)
        return archived, self._hold(lambda c: c.feed(stream, data, now)[1], emits, now)

    def feed_line(
        self, stream: int, data: bytes, kind: Kind | None, now: float
    ) -> tuple[bytes, list[Emit]]:
        """:meth:`Core.feed_line`, likewise."""
        archived, emits = self.core.feed_line(stream, data, kind, now)
        return archived, self._hold(lambda c: c.feed_line(stream, data, kind, now)[1], emits, now)

    def finish_input(self, now: float) -> tuple[bytes, list[Emit]]:
        """:meth:`Core.finish_input`, likewise."""
        archived, emits = self.core.finish_input(now)
        return archived, self._hold(lambda c: c.finish_input(now)[1], emits, now)

    def tick(self, now: float) -> list[Emit]:
        """:meth:`Core.tick`, likewise."""
        return self._hold(lambda c: c.tick(now), self.core.tick(now), now)

    def learn_ahead(self, lines: bytes) -> None:
        """What whole lines declare, learned before their turn (the shell's reader)."""
        self.core.secrets.learn_ahead(lines)
        if self._fresh is not None:
            self._calls.append(_learning(lines))

    def _hold(self, call: Call, emits: list[Emit], now: float) -> list[Emit]:
        if self._fresh is None:
            return emits
        self._calls.append(call)
        if self._printed is not None and self.core.select.verbatim.left > 0:
            self._printed += emits  # within the allowance: shown as it comes
            return emits
        self._held += emits
        if self._since is None:
            self._since = now
        if self.core.nbytes <= self._limit and now - self._since < self._wait:
            return []
        return self.release()

    def release(self) -> list[Emit]:
        """Stop holding: the console held so far, to print now (also when the engine fails)."""
        self._fresh = None
        self._calls = []
        self._printed = None
        held, self._held = self._held, []
        return held

    def abandon(self) -> list[Emit]:
        """The engine failed: the console it held, then the marker of the lines it left out
        since its last line shown (the fallback's lines come next: none vanish without one).
        What a failed feed had begun to print is dropped (the fallback gets that input
        whole); no marker if the engine's output is what fails."""
        held = self.release()
        try:
            self.core.out.take()
            self.core.out.flush_gap(sized=False)
            return held + self.core.out.take()
        except Exception:
            return held

    def close(self, close: Closing) -> tuple[list[Emit], list[Action]]:
        """The end: ``close`` (which calls :meth:`Core.close`) on the whole run's engine when
        it all fits, else on the first one, after the console it held."""
        whole = self._replay() if self._fresh is not None else None
        printed = self._printed or []
        held = self.release()
        # The replay repeats what the allowance printed (the same lines, as written): only
        # what follows is new. Should it differ, the console filtered so far stands.
        if whole is not None and whole[1][: len(printed)] == printed:
            core, shown = whole
            emits, actions = close(core)
            # (with logtrim's diagnostics, printed on stderr before: the budget pays them)
            if _size(shown + emits, actions) + core.out.elsewhere <= self.core.budget.total:
                return shown[len(printed) :] + emits, actions
        emits, actions = close(self.core)
        return held + emits, actions

    def _replay(self) -> tuple[Core, list[Emit]] | None:
        """A fresh engine fed the same calls with every line shown as written, and its
        console; None when that does not fit the budget (a mask longer than its secret, a
        cut line's note). Its budget has room for the closing lines beyond the real one, so
        that they are whole: :meth:`close` keeps it only if all it printed fits the real one."""
        assert self._fresh is not None
        core = self._fresh()
        # Every secret the first engine learned, however (the handler's message, a UTF-16
        # log's stored bytes): the replay shows the run whole, and must mask it no less.
        core.masker.adopt(self.core.masker)
        budget = core.budget
        real = budget.total
        budget.total += budget.closing
        budget.live += budget.closing
        core.select.verbatim.widen(real + 1)  # left > 0: not passed
        shown = [emit for call in self._calls for emit in call(core)]
        core.out.spend_own(self.core.out.elsewhere)  # logtrim's diagnostics, printed
        if budget.used > real or core.select.verbatim.left <= 0:
            return None
        return core, shown


def _size(emits: list[Emit], actions: list[Action]) -> int:
    """The console bytes of a whole run: its lines, the closing lines, and what the shell
    prints for a program of the CI's that is missing (Buildkite's agent)."""
    missing = sum(len(a.missing.encode()) + 1 for a in actions if isinstance(a, RunProgram))
    return sum(len(data) for _, data in emits) + missing


def _learning(lines: bytes) -> Call:
    def call(core: Core) -> list[Emit]:
        core.secrets.learn_ahead(lines)
        return []

    return call
