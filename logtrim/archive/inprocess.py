"""``run``'s archive in logtrim's own process: compression in a worker thread, aiofiles.

The writer where ``fork`` is not to be used (macOS, Windows, ``LOGTRIM_NO_FORK=1``).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any

from .._threads import in_thread
from .target import Target
from .trailer import frame
from .writer import Failure, Frames
from .writerloop import write_all


class InProcessArchive:
    """The zstd archive on disk: compression off the event loop, frames ended every second."""

    def __init__(self, target: Target, level: int, *, start: int = 0) -> None:
        self.target = target
        self.path: Path = target.path
        self.frames = Frames(level)
        self.failure = Failure(self.path)
        self._file: Any = None
        self._written = start  # bytes in the file (where a trailer goes)

    @property
    def failed(self) -> bool:
        return self.failure.failed

    @failed.setter
    def failed(self, value: bool) -> None:
        self.failure.failed = value

    async def open(self) -> None:
        import aiofiles

        fd = self.target.take_fd()
        if fd < 0:
            return
        try:
            # Unbuffered: each frame is on disk at once.
            self._file = await aiofiles.open(fd, "wb", buffering=0)
        except RuntimeError:  # no thread can start (_threads.py): written on the loop
            self._file = _OnLoop(fd)
        except OSError as exc:
            os.close(fd)
            self.failure(exc)

    async def write(self, data: bytes) -> None:
        if self.failed or self._file is None:
            return
        try:
            out = await in_thread(self.frames.compress, data, time.monotonic())
            if out:
                await self._put(out)
        except Exception as exc:  # disk full, I/O error: fail open
            self.failure(exc)

    async def tick(self) -> None:
        if self.failed or self._file is None:
            return
        try:
            out = self.frames.tick(time.monotonic())
            if out:
                await self._put(out)
        except Exception as exc:
            self.failure(exc)

    async def watch(self) -> None:
        """Failures show up in ``write``: nothing to watch."""

    async def _put(self, out: bytes) -> None:
        try:
            await self._file.write(out)
        except RuntimeError:  # no thread can start now: this file is written on the loop
            self._file = _OnLoop(self._file.fileno())
            await self._file.write(out)
        self._written += len(out)

    async def close(self, trailer: bytes = b"") -> int:
        if self._file is None:
            return 0
        try:
            if not self.failed:
                await self._put(self.frames.finish())
                if trailer:
                    await self._put(frame(trailer, self._written))
            await self._close()
        except Exception as exc:
            self.failure(exc)
        self._file = None
        try:
            self.target.commit()  # in place only now: a reader never sees a half file
        except OSError as exc:
            self.failure(exc)
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    async def discard(self) -> None:
        """Close and remove the archive (the command never ran)."""
        if self._file is not None:
            with contextlib.suppress(Exception):
                await self._close()
            self._file = None
        self.target.discard()

    async def _close(self) -> None:
        try:
            await self._file.close()
        except RuntimeError:  # no thread can start now
            await _OnLoop(self._file.fileno()).close()


class _OnLoop:
    """The archive's file written on the loop, where no thread can start (a frame at a time,
    about once a second: a short hold of the loop)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def fileno(self) -> int:
        return self._fd

    async def write(self, data: bytes) -> None:
        write_all(self._fd, data)

    async def close(self) -> None:
        os.close(self._fd)
