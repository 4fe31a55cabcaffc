"""The heap keeps the memory of large buffers freed, for the next ones (glibc, Linux).

``run`` reads the child's output a MiB at a time and joins each read's whole lines to the
start of the line before it: buffers of up to a MiB, made and freed hundreds of times a
second. glibc gives freed memory back to the kernel as soon as the heap's free top exceeds
twice its mmap threshold, so the next buffer faults its pages in again: about 12,000 page
faults on 256 MB of output, a few % of the process's CPU. Fixed thresholds keep up to
64 MiB of freed heap for reuse (and serve buffers below 16 MiB from it). Elsewhere (another
libc, another system), or if the call fails, nothing changes.
"""

from __future__ import annotations

import contextlib
import sys

_M_TRIM_THRESHOLD = -1  # mallopt's parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
TRIM_THRESHOLD = 64 << 20
MMAP_THRESHOLD = 16 << 20


def keep_freed_memory() -> None:
    """Let the heap keep freed large buffers (see the module docstring); best effort."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):  # no ctypes, no mallopt (musl): as it was
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
        # The mmap threshold first: fixing either ends glibc's dynamic thresholds.
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
