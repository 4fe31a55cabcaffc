"""A forked archive writer that stays stopped (SIGSTOP, a debugger, a cgroup freezer): ``run``
must not wait for it without end (the step would hang until the CI's timeout). Seen stopped
for :data:`STOPPED_MAX` while it takes nothing, it is killed, and the bytes still in its pipe,
which it never read, are read back through ``/proc`` for the writer that takes over."""

from __future__ import annotations

import contextlib
import os
import signal

# Seconds the writer may stay stopped before it is killed. A writer slow on its disk is not
# stopped: it is waited for.
STOPPED_MAX = 10.0
LOOK = 1.0  # how often a writer that takes nothing is looked at


def is_stopped(pid: int) -> bool:
    """Whether process ``pid`` is stopped (``T``: a signal; ``t``: a tracer), from /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return False
    # The state follows the command's name in parentheses, which may hold anything.
    return text[text.rfind(b")") + 2 :][:1] in (b"T", b"t")


def kill(pid: int, fd: int) -> int:
    """Kill the stopped writer ``pid``; return a new descriptor of its input pipe (its
    ``fd``), opened first, so that what it never read can still be read (-1: none)."""
    rescue = -1
    with contextlib.suppress(OSError):
        rescue = os.open(f"/proc/{pid}/fd/{fd}", os.O_RDONLY | os.O_NONBLOCK)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    return rescue


def unread(fd: int) -> bytes:
    """What the pipe ``fd`` still holds (its write end closed: it grows no more), and close
    it. Read until empty, not to its end: another fork may hold the write end open."""
    if fd < 0:
        return b""
    parts: list[bytes] = []
    try:
        while data := os.read(fd, 1 << 20):
            parts.append(data)
    except OSError:  # BlockingIOError: empty
        pass
    finally:
        os.close(fd)
    return b"".join(parts)
