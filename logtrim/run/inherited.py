"""The descriptors above 2 that ``logtrim run`` was started with, passed on to the child.

A step run without logtrim inherits every descriptor its shell left open: ``exec 3>trace``,
``cmd 3>f``, an old make's jobserver pipes (``--jobserver-auth=3,4``). ``subprocess`` closes
all but 0-2 in the child, so the same step under logtrim failed (``3: Bad file
descriptor``, make's ``jobserver unavailable``). They are noted at start-up, before logtrim
opens any file of its own, and passed on where each still is the file it was then: a
number logtrim closed and reused since is its own, never the child's.
"""

from __future__ import annotations

import os
import sys

_PROBE_MAX = 1024  # descriptors probed where the system cannot list them
_noted: dict[int, tuple[int, int]] | None = None


def note() -> None:
    """Note the open descriptors above 2 and the file each is (call it first thing)."""
    global _noted
    if os.name == "nt":
        _noted = {}
        return
    try:
        listed = [int(name) for name in os.listdir("/proc/self/fd" if _proc() else "/dev/fd")]
    except (OSError, ValueError):
        listed = list(range(3, _PROBE_MAX))
    _noted = {fd: ident for fd in listed if fd > 2 and (ident := _ident(fd)) is not None}


def passed() -> list[int]:
    """The noted descriptors still open on the same file, for ``Popen(pass_fds=...)``."""
    if not _noted:
        return []
    return sorted(fd for fd, ident in _noted.items() if _ident(fd) == ident)


def _proc() -> bool:
    return sys.platform.startswith("linux") and os.path.isdir("/proc/self/fd")


def _ident(fd: int) -> tuple[int, int] | None:
    try:
        st = os.fstat(fd)
    except OSError:  # closed (the listing's own descriptor among them)
        return None
    return st.st_dev, st.st_ino


__all__ = ["note", "passed"]
