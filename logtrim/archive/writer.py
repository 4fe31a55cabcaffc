"""What every archive writer shares: the Protocol, the frame timing and failing open.

Two writers serve ``run`` (:class:`~logtrim.archive.inprocess.InProcessArchive` and
:class:`~logtrim.archive.forked.ForkedArchive`), one serves the handler and ``trim``
(:class:`~logtrim.archive.sync.SyncArchive`). All of them end frames by :class:`Frames`
and report a failure once through :class:`Failure`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from .._log import logger

#: A frame is ended this long after its first byte arrived, so a killed process leaves
#: all but its last second readable.
FRAME_SECONDS = 1.0

Report = Callable[[Path, "BaseException | str"], None]


class ArchiveWriter(Protocol):
    """``run``'s archive: opened before the child starts, written as output arrives.

    ``failed`` turns true when the archive cannot take more bytes (the run then forwards
    output unfiltered); the pipeline may also set it. ``close`` ends the archive with
    ``trailer`` (if any: :mod:`~logtrim.archive.trailer`) and returns the archive's size.
    """

    path: Path
    failed: bool

    async def open(self) -> None: ...

    async def write(self, data: bytes) -> None: ...

    async def tick(self) -> None: ...

    async def watch(self) -> None: ...

    async def close(self, trailer: bytes = b"") -> int: ...

    async def discard(self) -> None: ...


def warn_unfiltered(path: Path, why: BaseException | str) -> None:
    """The default report: one warning from logtrim's diagnostics."""
    logger().warning(
        "archive cannot be written; it keeps what was stored before (output is still filtered)",
        path=str(path),
        error=str(why),
    )


class Failure:
    """Fail open once: the first failure is reported, the writer takes no bytes after it."""

    def __init__(self, path: Path, report: Report = warn_unfiltered) -> None:
        self.path = path
        self.failed = False
        self._report = report

    def __call__(self, why: BaseException | str) -> None:
        if not self.failed:
            self.failed = True
            self._report(self.path, why)


class Frames:
    """An :class:`ArchiveEncoder` whose frames end ``frame_seconds`` after their first byte.

    Sans-IO: bytes in, compressed bytes out; ``now`` is the caller's monotonic clock.
    """

    def __init__(self, level: int, frame_seconds: float = FRAME_SECONDS) -> None:
        # Imported here: ``run``'s forked writer imports zstandard in the child, on the other
        # core, not in ``run`` before the fork (start-up counts).
        from .zstd import ArchiveEncoder

        self.encoder = ArchiveEncoder(level, frame_seconds=frame_seconds)

    def expect(self, now: float) -> None:
        """Bytes for the archive arrived upstream: the open frame's clock runs from ``now``."""
        self.encoder.start(now)

    def compress(self, data: bytes | memoryview, now: float) -> bytes:
        """Compress ``data``; end the frame when it is due."""
        out = self.encoder.feed(data, now)
        if self.encoder.due(now):
            out += self.encoder.end_frame()
        return out

    def due(self, now: float) -> bool:
        return self.encoder.due(now)

    def tick(self, now: float) -> bytes:
        """The end of the open frame when it is due, else nothing."""
        return self.encoder.end_frame() if self.encoder.due(now) else b""

    def time_left(self, now: float) -> float | None:
        return self.encoder.time_left(now)

    def end_frame(self) -> bytes:
        return self.encoder.end_frame()

    def finish(self) -> bytes:
        return self.encoder.finish()
