"""The archive written by plain synchronous calls: the handler's and ``trim``'s.

The same frame timing (:class:`~logtrim.archive.writer.Frames`) and the same single failure
report (:class:`~logtrim.archive.writer.Failure`) as ``run``'s writers; the caller passes
``now`` and decides what a failure means (the handler fails open, ``trim`` stops).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

from .._errors import UsageError
from .target import Target
from .trailer import frame
from .writer import FRAME_SECONDS, Failure, Frames, Report, warn_unfiltered


class SyncArchive:
    """A zstd archive file written as bytes arrive; frames end ``frame_seconds`` after their
    first byte (``math.inf``: only every ``frame_bytes``, as ``trim``'s virtual clock wants).
    """

    def __init__(
        self,
        path: str | Path,
        level: int,
        *,
        frame_seconds: float = FRAME_SECONDS,
        report: Report = warn_unfiltered,
        target: Target | None = None,
    ) -> None:
        self.path = Path(path)
        self.target = target  # given: written under a temporary name, renamed at close
        self.frames = Frames(level, frame_seconds)
        self.failure = Failure(self.path, report)
        self._file: IO[bytes] | None = None
        self._written = 0  # bytes in the file (where a trailer goes)

    @property
    def failed(self) -> bool:
        return self.failure.failed

    def open(self) -> None:
        """Create the file now: a bad path is reported before any work starts.

        Written in place (no ``target``, the handler's archive), the file is locked first:
        :class:`~logtrim.UsageError` if another writer holds it (a second handler on the
        same path, in this process or another: the two would interleave their frames)."""
        try:
            if self.target is not None:
                self._file = open(self.target.take_fd(), "wb", buffering=0)  # noqa: SIM115
            else:
                self._file = open(_alone(self.path), "wb", buffering=0)  # noqa: SIM115
        except OSError as exc:
            self.fail(exc)

    def expect(self, now: float) -> None:
        """Bytes for the archive arrived upstream at ``now``: their frame ends in time."""
        self.frames.expect(now)

    def due(self, now: float) -> bool:
        return self.frames.due(now)

    def write(self, data: bytes, now: float) -> None:
        if data:
            self._put(lambda: self.frames.compress(data, now))

    def tick(self, now: float) -> None:
        """End the open frame if it is due."""
        self._put(lambda: self.frames.tick(now))

    def sync(self) -> None:
        """Put everything written so far on disk as complete zstd frames."""
        self._put(self.frames.end_frame)

    def close(self, trailer: bytes = b"") -> int:
        """Finish the archive, ``trailer`` last (:mod:`~logtrim.archive.trailer`); its size
        (0 when it failed)."""
        self._put(self.frames.finish)
        if trailer:
            self._put(lambda: frame(trailer, self._written))
        if self._file is None:
            return 0
        try:
            self._file.close()
            if self.target is not None and not self.failed:
                self.target.commit()
            return self.path.stat().st_size
        except OSError as exc:
            self.fail(exc)
            return 0
        finally:
            self._file = None

    def discard(self) -> None:
        """Close and remove the archive."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
            if self.target is None:
                with contextlib.suppress(OSError):
                    self.path.unlink()
        if self.target is not None:
            self.target.discard()

    def detach(self) -> None:
        """Let go of the file without writing (a forked copy: the file is the parent's)."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()  # unbuffered: closing writes nothing
            self._file = None

    def _put(self, compress: Callable[[], bytes]) -> None:
        if self._file is None:
            return
        try:
            out = compress()
            if out:
                self._file.write(out)
                self._written += len(out)
        except Exception as exc:  # disk full, I/O error
            self.fail(exc)

    def fail(self, why: BaseException | str) -> None:
        """Stop archiving (reported once); what is on disk stays."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        self.failure(why)


def _alone(path: Path) -> int:
    """``path`` opened for writing, emptied once no other writer holds it (an advisory lock,
    held while the file is open; where there is none, as on Windows, unlocked)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        import fcntl
    except ImportError:  # Windows
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise UsageError(
                f"LogtrimHandler: artifact: {path} is being written by another handler (in "
                "this process or another: a module that makes the handler, imported by a "
                "spawned process?)"
            ) from None
        except OSError:
            pass  # a file system without locks: written as before
    os.ftruncate(fd, 0)
    return fd
