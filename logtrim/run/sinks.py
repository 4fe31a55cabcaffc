"""Where ``run`` writes: the console (stdout, stderr) and the archive file.

Both fail soft: a closed console (EPIPE) or an archive that cannot be written never stops the
run; the archive says so once, and the pipeline forwards output unfiltered from then on.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import anyio

from .._log import logger
from ..archive.zstd import ArchiveEncoder
from ..engine.select import STDERR, STDOUT, Emit


class Console:
    """logtrim's stdout and stderr; a closed console (EPIPE) must not stop the run."""

    def __init__(self) -> None:
        self._files: dict[int, IO[bytes]] = {STDOUT: sys.stdout.buffer, STDERR: sys.stderr.buffer}
        self.closed = False
        self._open_line = {STDOUT: False, STDERR: False}  # the last write did not end a line

    def end_line(self) -> None:
        """Our own lines start at column 0, even after a child's unterminated last line."""
        if self._open_line[STDOUT]:
            self.write([(STDOUT, b"\n")])

    def write(self, emits: Sequence[Emit]) -> None:
        if not emits or self.closed:
            return
        try:
            # One write per run of lines on the same stream: the order across streams is kept.
            stream, batch = emits[0][0], list[bytes]()
            for next_stream, data in emits:
                if next_stream != stream:
                    self._write(stream, b"".join(batch))
                    stream, batch = next_stream, []
                batch.append(data)
            self._write(stream, b"".join(batch))
        except (BrokenPipeError, OSError):
            self.closed = True

    def _write(self, stream: int, data: bytes) -> None:
        if data:
            file = self._files[stream]
            file.write(data)
            file.flush()
            self._open_line[stream] = not data.endswith(b"\n")


class ArchiveSink:
    """The zstd archive on disk: compression off the event loop, frames ended every second."""

    def __init__(self, path: Path, level: int) -> None:
        self.path = path
        self.encoder = ArchiveEncoder(level)
        self.failed = False
        self._file: Any = None

    async def open(self) -> None:
        import aiofiles

        try:
            self._file = await aiofiles.open(
                self.path, "wb", buffering=0
            )  # unbuffered: on disk at once
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        if not self.failed:
            self.failed = True
            logger().warning(
                "archive cannot be written; forwarding all output unfiltered",
                path=str(self.path),
                error=str(exc),
            )

    async def write(self, data: bytes) -> None:
        if self.failed or self._file is None:
            return
        try:
            out = await anyio.to_thread.run_sync(self._compress, data)
            if out:
                await self._file.write(out)
        except Exception as exc:  # disk full, I/O error: fail open
            self._fail(exc)

    def _compress(self, data: bytes) -> bytes:
        now = time.monotonic()
        out = self.encoder.feed(data, now)
        if self.encoder.due(now):
            out += self.encoder.end_frame()
        return out

    async def tick(self) -> None:
        if self.failed or self._file is None or not self.encoder.due(time.monotonic()):
            return
        try:
            out = self.encoder.end_frame()
            if out:
                await self._file.write(out)
        except Exception as exc:
            self._fail(exc)

    async def close(self) -> int:
        if self._file is None:
            return 0
        try:
            if not self.failed:
                await self._file.write(self.encoder.finish())
            await self._file.close()
        except Exception as exc:
            self._fail(exc)
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    async def watch(self) -> None:
        """Failures show up in ``write``: nothing to watch."""

    async def discard(self) -> None:
        """Close and remove the archive (the command never ran)."""
        if self._file is not None:
            with contextlib.suppress(Exception):
                await self._file.close()
            with contextlib.suppress(OSError):
                self.path.unlink()
