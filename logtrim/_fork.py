"""Whether logtrim may start a second process with ``fork``: one answer for every user; and
what an object of logtrim's does in a process forked from the one that made it.

``run``'s archive writer and ``stats``'s counting aside both ask here. ``LOGTRIM_NO_FORK=1``
keeps all work in the one process; it is read once, at the first question.
"""

from __future__ import annotations

import functools
import math
import os
import select
import signal
import sys
import weakref
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Protocol


def _signals(*names: str) -> tuple[signal.Signals, ...]:
    return tuple(getattr(signal, name) for name in names if hasattr(signal, name))


#: Signals that stop a step: ``run`` forwards them to the command's group, then kills it.
STOPPING = _signals("SIGINT", "SIGTERM", "SIGHUP")
#: Signals a command is told things with (dump state, reopen logs; SIGQUIT: a JVM's thread
#: dump): ``run`` passes them on.
PASSED_ON = _signals("SIGUSR1", "SIGUSR2", "SIGALRM", "SIGQUIT")
#: A SIGINT this soon (seconds) after the one passed on is the same one delivered twice (to
#: the process group and by a wrapper, ``timeout``, that passes it on): no second Ctrl-C.
SIGINT_ECHO = 0.1
#: Signals a helper process (the archive writer, the scanner) ignores: the pipe closing is what
#: ends it, and those sent to logtrim's group for the step (``kill -USR1 -PGID``) are not its.
HELPER_IGNORES = STOPPING + PASSED_ON


def ignore_signals() -> None:
    """In a helper process: :data:`HELPER_IGNORES` ignored."""
    for sig in HELPER_IGNORES:
        signal.signal(sig, signal.SIG_IGN)


def fork_serving(serve: Callable[[], None], close: Sequence[int] = ()) -> int:
    """Fork a process that closes the fds ``close`` and runs ``serve``, then exits (0, or 1
    if ``serve`` raised) without returning here; the pid, in this process."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the forked process; what it sends is what is tested)
        code = 1
        try:
            for fd in close:
                os.close(fd)
            serve()
            code = 0
        finally:
            os._exit(code)
    return pid


def readable(fd: int, timeout: float | None = 0.0) -> bool:
    """Whether ``fd`` has something to read (or its end) within ``timeout`` seconds (None:
    wait). Polls: ``select.select`` fails for a descriptor numbered past 1023, and a step
    that inherited many open files gives logtrim's pipes such numbers."""
    poll = select.poll()
    poll.register(fd, select.POLLIN)
    wait = None if timeout is None else max(0, math.ceil(timeout * 1000))
    return bool(poll.poll(wait))


def switched_on(raw: str | None) -> bool:
    """Whether a ``LOGTRIM_NO_*`` switch's value turns it on: any but unset, empty, ``0``,
    ``false``, ``no`` and ``off`` (a typo never fails the step: it switches, as ``1``)."""
    return raw is not None and raw.strip().lower() not in ("", "0", "false", "no", "off")


@functools.lru_cache(maxsize=1)
def can_fork() -> bool:
    """True when ``os.fork`` exists and ``LOGTRIM_NO_FORK`` is not switched on."""
    return hasattr(os, "fork") and not switched_on(os.environ.get("LOGTRIM_NO_FORK"))


def can_fork_before_exec() -> bool:
    """Forking a process that will start an asyncio child is well trodden on Linux only."""
    return can_fork() and sys.platform.startswith("linux")


class _ForkAware(Protocol):
    def after_fork_in_child(self) -> None: ...


# Weak: a handler the app dropped is not kept alive for the sake of a fork.
_LIVE: weakref.WeakSet[_ForkAware] = weakref.WeakSet()


def after_fork_in_child(obj: _ForkAware) -> None:
    """Call ``obj.after_fork_in_child()`` in every process forked from this one (the
    handler: the archive and the summary stay the parent's)."""
    _LIVE.add(obj)


def _in_child() -> None:
    for obj in list(_LIVE):
        with suppress(Exception):
            obj.after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_in_child)


class _Closable(Protocol):
    def close(self) -> None: ...


def close_in_worker(obj: _Closable) -> None:
    """In a process ``multiprocessing`` started (a ``Pool``'s worker, a ``Process``), close
    ``obj`` as that process ends: it ends with ``os._exit``, past ``atexit`` and logging's
    shutdown, but runs multiprocessing's own finalizers first. Elsewhere: nothing (an app
    that never imported multiprocessing does not import it here)."""
    mp = sys.modules.get("multiprocessing")
    if mp is None or mp.parent_process() is None:
        return
    from multiprocessing import util

    ref = weakref.ref(obj)  # (the finalizer keeps no handler alive)

    def close() -> None:
        if (live := ref()) is not None:
            live.close()

    util.Finalize(None, close, exitpriority=0)


def fault_hook(name: str) -> int | None:
    """A testing hook's count (``LOGTRIM_FAULT_AFTER``, ``LOGTRIM_FAULT_SCANNER``: make a part
    fail after so many bytes or blocks); None when unset or not a whole number, so that a
    mistyped hook never keeps the step from running."""
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip().isdigit() else None
