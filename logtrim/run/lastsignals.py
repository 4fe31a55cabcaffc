"""Signals to ``run``'s last resort (:mod:`.unfiltered`), as a normal run handles them
(:mod:`.signals`) with no event loop: SIGINT, SIGTERM and SIGHUP go to the step's process group,
which decides when to end; SIGKILL after the grace period, or at a second Ctrl-C. The signals
a step is told things with (SIGUSR1, SIGUSR2, SIGALRM, SIGQUIT) are passed on."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from typing import Any

from .._fork import PASSED_ON, SIGINT_ECHO, STOPPING


class LastSignals:
    """Installed in the main thread for the step's run (:meth:`install`, :meth:`restore`);
    :meth:`tick` (from the pump's loop) kills the step once the grace period is over."""

    def __init__(self, child: subprocess.Popen[bytes], grace: float) -> None:
        self._child, self._grace = child, grace
        self._stop_at: float | None = None  # when the first stopping signal was passed on
        self._int_at = -1.0
        self._replaced: dict[int, Any] = {}

    def install(self) -> None:
        for sig in STOPPING + PASSED_ON:
            if signal.getsignal(sig) is not signal.SIG_IGN:
                with contextlib.suppress(ValueError, OSError):  # not the main thread
                    self._replaced[sig] = signal.signal(sig, self._handle)

    def restore(self) -> None:
        for sig, handler in self._replaced.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, handler)
        self._replaced.clear()

    def tick(self) -> None:
        if self._stop_at is not None and time.monotonic() - self._stop_at >= self._grace:
            self._kill(signal.SIGKILL)

    def _handle(self, sig: int, _frame: object) -> None:
        now = time.monotonic()
        if sig in STOPPING:
            if sig == signal.SIGINT and self._stop_at is not None:
                if now - self._int_at >= SIGINT_ECHO:
                    self._kill(signal.SIGKILL)  # a second Ctrl-C: now
                return
            if self._stop_at is None:
                self._stop_at = now
            if sig == signal.SIGINT:
                self._int_at = now
        self._kill(sig)

    def _kill(self, sig: int) -> None:
        if self._child.returncode is not None:
            return  # reaped: its number may be another process group's by now
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if hasattr(os, "killpg"):
                os.killpg(self._child.pid, sig)  # (its own session: the step's group)
            else:
                self._child.send_signal(sig)


__all__ = ["LastSignals"]
