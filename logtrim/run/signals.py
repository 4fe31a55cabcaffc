"""Signals to ``run``: passed on to the step's process group, the step killed after the grace
period; also while the loop is held in a console write (a reader that stopped reading)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

import anyio

from .._fork import PASSED_ON, SIGINT_ECHO, STOPPING

if TYPE_CHECKING:
    from .process import Step


class EarlySignals:
    """The signals :func:`forward_signals` passes on, recorded from before the command
    starts until it listens: a SIGTERM then would otherwise end logtrim with its default
    action, the command left running with no reader of its output.

    A signal ignored when logtrim started (a background job's SIGINT, nohup's SIGHUP) is
    ignored by the command too: neither recorded nor forwarded."""

    def __init__(self) -> None:
        ignored = signal.SIG_IGN
        self.stopping = [s for s in STOPPING if signal.getsignal(s) is not ignored]
        # Signals a command is told things with (dump state, reopen logs): passed on, nothing
        # more; the command decides what they do (by default it ends, and says so by its status).
        self.passed = [s for s in PASSED_ON if signal.getsignal(s) is not ignored]
        self.pending: list[int] = []
        self._before: dict[int, Any] = {}

    def record(self) -> None:
        """From now on, until :meth:`restore` or :func:`forward_signals` listens."""
        for sig in (*self.stopping, *self.passed):
            self._before[sig] = signal.signal(sig, self._note)

    def _note(self, sig: int, _frame: object) -> None:
        self.pending.append(sig)

    def taken(self) -> None:
        """The receiver of :func:`forward_signals` handles them now."""
        self._before.clear()

    def restore(self) -> None:
        """The handlers from before :meth:`record`, unless taken (no command to pass
        signals to, or the run is over)."""
        for sig, before in self._before.items():
            signal.signal(sig, before)
        self._before.clear()


class _Forwarder:
    """What :func:`forward_signals` does with each signal, from the loop (:meth:`handle`) or
    from a handler of its own while the loop is held (:meth:`held`)."""

    def __init__(
        self,
        process: Step,
        grace: float,
        received: Callable[[signal.Signals], None] | None,
        passed: Collection[int],
        blocked: Callable[[], bool],
    ) -> None:
        self._process, self._received, self._passed, self._blocked = (
            process, received, passed, blocked
        )  # fmt: skip
        self._escalating = False
        self._int_at = -1.0  # when the first SIGINT was passed on (monotonic)
        self._at_once: collections.Counter[int] = collections.Counter()  # passed on in held
        # The grace period runs on a thread: the loop's timer could not fire while the loop
        # is held in a console write (a reader that stopped reading), however the signal came.
        self.timer = threading.Timer(grace, self._kill, (signal.SIGKILL,))
        # Where no thread can start, the loop's timer (_threads.py); asyncio's, as ``run``
        # runs on it. Made from a signal's handler too: ``call_soon_threadsafe`` is safe there.
        self._grace = grace
        self._loop = asyncio.get_running_loop()
        self.timer.daemon = True

    def _kill(self, sig: int) -> None:
        if self._reaped():
            return  # its number may be another process group's by now (the grace's SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, sig)

    def _reaped(self) -> bool:
        """Whether the step was reaped (by the loop's child watcher, maybe on its own thread
        while the loop is held): then its process group's number is free for another."""
        if self._process.returncode is not None:
            return True
        waitid = getattr(os, "waitid", None)
        if waitid is None:
            return False
        try:  # (WNOWAIT: looked at, not reaped: the watcher still reaps it)
            waitid(os.P_PID, self._process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        return False

    def _escalate(self, sig: int) -> None:
        if not self._escalating:
            self._escalating = True
            try:
                self.timer.start()
            except RuntimeError:  # no thread can start: the loop's timer, then
                self._loop.call_soon_threadsafe(
                    self._loop.call_later, self._grace, self._kill, signal.SIGKILL
                )
            if sig == signal.SIGINT:
                self._int_at = time.monotonic()

    def _echo(self, sig: int) -> bool:
        """Whether ``sig`` is the first SIGINT delivered again (see :data:`.SIGINT_ECHO`)."""
        return sig == signal.SIGINT and 0 <= time.monotonic() - self._int_at < SIGINT_ECHO

    def handle(self, sig: int) -> None:
        if sig in self._passed:
            self._kill(sig)
            return
        # Once the command has exited (its output still draining), a signal is no reason
        # it failed: its own exit code is.
        if self._received is not None and self._process.returncode is None:
            self._received(signal.Signals(sig))
        if self._at_once[sig]:  # passed on already, while the loop was held
            self._at_once[sig] -= 1
        elif self._escalating and sig == signal.SIGINT:
            if not self._echo(sig):
                self._kill(signal.SIGKILL)  # a second Ctrl-C: now
            return
        else:
            self._kill(sig)
        self._escalate(sig)

    def held(self, sig: int, _frame: object) -> None:
        # Runs in the interrupted write (Python retries it after handlers), or between two
        # steps of the engine's work on a chunk: the loop would see the signal only once a
        # reader takes the console's bytes, or the chunk is done. (The loop still gets it
        # through its wakeup descriptor: :meth:`handle` passes over each one taken here.)
        if self._blocked():
            # What interrupted the step, said now: by the time the loop runs it may be gone.
            if self._received is not None and self._process.returncode is None:
                self._received(signal.Signals(sig))
            # A second Ctrl-C is SIGKILL, as when the loop runs; one delivered twice is not
            # (judged now: the loop comes to it later than 0.1 s after the first).
            again = sig == signal.SIGINT and (self._escalating or self._at_once[sig] > 0)
            self._at_once[sig] += 1
            if again and self._echo(sig):
                return
            self._kill(signal.SIGKILL if again else sig)
            self._escalate(sig)


async def forward_signals(
    process: Step,
    grace: float,
    received: Callable[[signal.Signals], None] | None,
    early: EarlySignals,
    blocked: Callable[[], bool] = lambda: False,
) -> None:
    """Forward SIGINT/SIGTERM/SIGHUP to the child's group; SIGKILL after the grace period.
    SIGUSR1/SIGUSR2/SIGALRM are passed on to it alone (no grace period, no interruption).

    ``received`` is told of each signal (the summary says what interrupted the run);
    ``early``: the signals that came while the command started, passed on first;
    ``blocked``: whether the loop is held in a console write (a reader that stopped reading)
    or in the engine's work on a chunk: a stopping signal is then passed on at once, from
    its handler, not when the loop runs.
    """
    if not early.stopping and not early.passed:
        return
    forwarder = _Forwarder(process, grace, received, early.passed, blocked)
    with anyio.open_signal_receiver(*early.stopping, *early.passed) as signals:
        # Listening now (the receiver took the handlers over): those noted before go first.
        early.taken()
        # Also a handler of our own for the stopping signals: the loop's restarts the system
        # call it interrupts, so a write held by a reader that stopped reading never ends.
        before = {sig: signal.signal(sig, forwarder.held) for sig in early.stopping}
        try:
            for sig in early.pending:
                forwarder.handle(sig)
            early.pending.clear()
            async for sig in signals:
                forwarder.handle(sig)
        finally:
            forwarder.timer.cancel()
            for sig, handler in before.items():
                signal.signal(sig, handler)
