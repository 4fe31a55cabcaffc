"""Work off the event loop that still gets done where no thread can start.

A container's pid limit, ``ulimit -u`` for the agent's user or a tight address-space limit
(``ulimit -v``: a thread's stack is reserved memory) make ``thread.start()`` fail after the
step's command is already running. ``run`` fails open: what it would do on a thread it does
on the loop then, and it waits for its processes without one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import anyio

_T = TypeVar("_T")

#: The longest pause between two looks at a process that has no pidfd to wait on (seconds).
_POLL_MAX = 0.05


async def in_thread(func: Callable[..., _T], *args: object) -> _T:
    """``func(*args)`` on a worker thread, or on the loop when no thread can start."""
    started = False

    def call() -> _T:
        nonlocal started
        started = True
        return func(*args)

    try:
        return await anyio.to_thread.run_sync(call)
    except RuntimeError:
        if started:  # (``func``'s own error)
            raise
        return call()


async def reaped(pid: int) -> int:
    """Wait for the child ``pid`` to end, without a thread; its wait status. On a pidfd
    where the system has one (Linux 5.3), else looking every few milliseconds.
    ``ChildProcessError`` when it was reaped already."""
    fd = _pidfd(pid)
    delay = 0.001
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)  # noqa: ASYNC222 (never blocks)
            if done:
                return status
            if fd >= 0:
                await anyio.wait_readable(fd)
            else:
                await anyio.sleep(delay)
                delay = min(delay * 2, _POLL_MAX)
    finally:
        if fd >= 0:
            os.close(fd)


def _pidfd(pid: int) -> int:
    """A descriptor that becomes readable when ``pid`` ends; -1 where there is none."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return -1
    try:
        fd: int = pidfd_open(pid)
    except OSError:  # an older kernel (ENOSYS), or the process is gone already
        return -1
    return fd


__all__ = ["in_thread", "reaped"]
