"""Writing bytes whole to a file object that may be raw.

Under ``PYTHONUNBUFFERED=1`` or ``python -u`` (common in CI images), ``sys.stdout.buffer`` is a
raw ``FileIO``: its ``write`` returns how much it took, which can be part of the bytes (a
signal during a write blocked on a full pipe, a reader that left after reading some). A
buffered writer loops until all is written; a raw one does not, and the rest was lost.
"""

from __future__ import annotations

from typing import IO


def write_all(file: IO[bytes], data: bytes) -> None:
    """``file.write(data)``, all of it, raw file or buffered (errors propagate)."""
    view = memoryview(data)
    while view:
        taken = file.write(view)
        if taken is None:  # a non-blocking raw file that took nothing: wait is not ours
            raise BlockingIOError(0, "write would block", 0)
        view = view[taken:]
