"""Whether logtrim may start a second process with ``fork``: one answer for every user.

``run``'s archive writer and ``stats``'s counting aside both ask here. ``LOGTRIM_NO_FORK=1``
keeps all work in the one process; it is read once, at the first question.
"""

from __future__ import annotations

import functools
import os
import sys


@functools.lru_cache(maxsize=1)
def can_fork() -> bool:
    """True when ``os.fork`` exists and ``LOGTRIM_NO_FORK`` is not set."""
    return hasattr(os, "fork") and not os.environ.get("LOGTRIM_NO_FORK")


def can_fork_before_exec() -> bool:
    """Forking a process that will start an asyncio child is well trodden on Linux only."""
    return can_fork() and sys.platform.startswith("linux")
