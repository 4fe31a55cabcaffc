"""The archive written by a process of its own (Linux): compression on the other core.

python-zstandard holds the GIL while it compresses, so a thread cannot overlap compression
with the engine. A forked writer can: ``run`` pipes it the masked bytes, the writer compresses
them and ends a frame every second. When ``run`` dies, even by SIGKILL, the writer sees the
pipe close and ends the archive cleanly.

The writer writes a temporary file next to the archive and renames it into place when its
input ends (:mod:`logtrim.archive.target`), so a killed ``run`` still leaves the archive
under its name. If the disk fails (full, I/O error), the writer tells ``run`` through a
status pipe and exits with the errno; the file keeps what was stored before the failure.
``run`` goes on filtering under its budget: the console is never flooded.

A trailer (:mod:`logtrim.archive.trailer`) comes on a pipe of its own once the input has
ended: its length (u32), then it. The writer puts it in the archive only when it came whole,
so a ``run`` killed while sending it leaves an archive without one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import struct
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .._fork import can_fork_before_exec
from .._log import say
from . import stopped
from .target import Target
from .writer import Failure
from .writerloop import PIPE_SIZE, write_all, write_loop

if TYPE_CHECKING:
    from .inprocess import InProcessArchive

_F_SETPIPE_SZ = 1031  # Linux only


def available() -> bool:
    """On Linux, unless ``LOGTRIM_NO_FORK=1`` keeps compression in-process."""
    return can_fork_before_exec()


def grow_pipe(fd: int) -> None:
    """A 1 MiB pipe on Linux: fewer, larger reads and writes. Elsewhere a no-op."""
    if sys.platform.startswith("linux"):
        import fcntl

        # Above /proc/sys/fs/pipe-max-size this fails: the default size works too.
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_SIZE)


def shrink_pipe(fd: int) -> bool:
    """Make a pipe about to be closed hold one page, so that what its writer sees succeed
    between the last read and the close is that much at most. False: it holds more than a
    page now (EBUSY), read it and try again; True: done, or not possible here."""
    if sys.platform.startswith("linux"):
        import errno
        import fcntl

        try:
            fcntl.fcntl(fd, _F_SETPIPE_SZ, 1)  # rounded up to a page
        except OSError as exc:
            return exc.errno != errno.EBUSY  # EBADF, EINVAL: a pty, or no such pipe
    return True


class ForkedArchive:
    """An :class:`~logtrim.archive.writer.ArchiveWriter` writing through a child process."""

    def __init__(self, target: Target, level: int) -> None:
        self.target = target
        self.path: Path = target.path
        self.level = level
        self.failure = Failure(self.path)
        self._pipe = -1
        self._status = -1
        self._trailer = -1
        self._pid = 0
        self._heir: InProcessArchive | None = None  # writes on after the writer was killed
        self._sent = 0  # bytes the writer accepted
        self._discarded = False  # the archive was removed on purpose: the writer's rename fails
        self._stopped = 0.0  # seconds the writer has been seen stopped, taking nothing
        self._killed = False  # killed here, having been stopped too long
        self._input = -1  # the writer's descriptor of its input pipe
        self._rescue = -1  # that pipe, opened anew when the writer was killed stopped

    @property
    def failed(self) -> bool:
        return self.failure.failed

    @failed.setter
    def failed(self, value: bool) -> None:
        self.failure.failed = value

    async def open(self) -> None:
        if self._pid == 0 and not self.failed:
            self.start()

    def start(self) -> None:
        """Fork the writer (call it early: the child shares our memory)."""
        fd = self.target.take_fd()
        if fd < 0:
            return
        read, write = os.pipe()
        status_read, status_write = os.pipe()
        trailer_read, trailer_write = os.pipe()
        grow_pipe(write)
        pid = os.fork()
        if pid == 0:  # the writer: no asyncio, no atexit, just the loop
            code = 1
            try:
                os.close(write)
                os.close(status_read)
                os.close(trailer_write)
                code = write_loop(read, fd, status_write, self.level, trailer_read)
                # In place only now: a reader never sees a half file. A rename that fails
                # (the file or its directory removed meanwhile) is a failure the parent
                # tells, or the path would publish what it held before; none if discarded.
                try:
                    os.replace(self.target.temp, self.target.path)
                except OSError as exc:
                    code = code or exc.errno or 1
            finally:
                os._exit(code)
        for own in (read, fd, status_write, trailer_read):
            os.close(own)
        os.set_blocking(write, False)
        os.set_blocking(status_read, False)
        self._pipe, self._status, self._pid, self._input = write, status_read, pid, read
        self._trailer = trailer_write

    async def watch(self) -> None:
        """Wait for the writer's word: one byte (an errno) if the disk failed, else EOF."""
        import anyio

        if self._status < 0:
            return
        while True:
            try:
                data = os.read(self._status, 1)
            except BlockingIOError:
                await anyio.wait_readable(self._status)
                continue
            if data:
                self.failure(os.strerror(data[0]))
            return

    async def write(self, data: bytes) -> None:
        if self._heir is not None:
            await self._heir.write(data)
            return
        if self.failed or self._pipe < 0:
            return
        import anyio

        view = memoryview(data)
        while view:
            try:
                sent = os.write(self._pipe, view)
                self._sent += sent
                view = view[sent:]
            except BlockingIOError:
                with anyio.move_on_after(stopped.LOOK):
                    await anyio.wait_writable(self._pipe)
                    continue
                if self._watch_stopped():
                    await self._gone(view, BrokenPipeError("the archive writer was stopped"))
                    return
            except OSError as exc:
                await self._gone(view, exc)
                return

    async def _gone(self, view: memoryview, exc: OSError) -> None:
        """The writer is gone: its word says why, if it left one; else (killed) the archive
        is taken over and ``view`` written to it."""
        reason = self._reason()
        if reason is not None or not await self._take_over(await self._reap()):
            self.failure(reason or exc)
            return
        assert self._heir is not None
        await self._heir.write(bytes(view))

    def _watch_stopped(self) -> bool:
        """After :data:`.stopped.LOOK` seconds of waiting for the writer: count how long it
        has been stopped; past :data:`.stopped.STOPPED_MAX`, kill it (its archive is taken
        over as a killed writer's). True: killed now."""
        if not self._pid or self._killed or not stopped.is_stopped(self._pid):
            self._stopped = 0.0
            return False
        self._stopped += stopped.LOOK
        if self._stopped < stopped.STOPPED_MAX:
            return False
        self._rescue = stopped.kill(self._pid, self._input)
        self._killed = True
        return True

    async def _reap(self) -> int:
        """Wait for the writer; its exit code (minus the signal that killed it). One that
        stays stopped is killed (:meth:`_watch_stopped`)."""
        import anyio

        from .._threads import reaped

        async def watch() -> None:
            while True:
                await anyio.sleep(stopped.LOOK)
                self._watch_stopped()

        async with anyio.create_task_group() as group:
            group.start_soon(watch)
            try:
                status = await reaped(self._pid)
            except ChildProcessError:  # reaped by the system (SIGCHLD ignored): it ended
                status = 0
            group.cancel_scope.cancel()
        self._pid = 0
        return os.waitstatus_to_exitcode(status)

    async def _take_over(self, code: int) -> bool:
        """After the writer died without a word (killed: ``code`` < 0), keep its whole
        frames and write the rest here (:mod:`.salvage`). False if that is not the case or
        fails too."""
        from .salvage import take_over

        self._end_pipes()
        unread = stopped.unread(self._rescue)  # (a stopped writer's: never read)
        self._rescue = -1
        if code >= 0:
            return False
        try:
            self._heir, kept = await take_over(self.target, self.level)
        except OSError:
            return False
        if unread:
            await self._heir.write(unread)
        if self._heir.failed:
            return False
        lost = self._sent - kept - len(unread)
        if not lost:
            missing = "nothing is missing from it"
        elif kept:
            missing = f"{lost:,} bytes of output after its first {kept:,} are missing from it"
        else:
            missing = f"the first {lost:,} bytes of output are missing from it"
        how = (
            f"was stopped for {stopped.STOPPED_MAX:g} s and killed"
            if self._killed
            else f"was killed (signal {-code})"
        )
        say(f"the archive writer {how}: logtrim writes the archive itself from here; {missing}",
            "warning")  # fmt: skip
        return True

    def _end_status(self) -> None:
        if self._status >= 0:
            os.close(self._status)
            self._status = -1

    def _end_pipes(self) -> None:
        # Not the status pipe: ``watch`` may still be reading it; :meth:`close` closes it.
        for fd in (self._pipe, self._trailer):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._pipe = self._trailer = -1

    def _reason(self) -> str | None:
        try:
            data = os.read(self._status, 1) if self._status >= 0 else b""
        except OSError:
            return None
        return os.strerror(data[0]) if data else None

    async def tick(self) -> None:
        """Frames are ended by the writer itself (or by its heir)."""
        if self._heir is not None:
            await self._heir.tick()

    async def close(self, trailer: bytes = b"") -> int:

        from .._threads import in_thread

        if self._heir is not None:
            self._end_status()
            return await self._heir.close(trailer)
        if self._pipe >= 0:
            os.close(self._pipe)
            self._pipe = -1
        if self._trailer >= 0:
            # The writer reads it once it has finished the archive; closing it says "no more".
            if trailer and not self.failed:
                data = struct.pack("<I", len(trailer)) + trailer
                with contextlib.suppress(OSError):  # the writer is gone: no trailer
                    await in_thread(write_all, self._trailer, data)
            os.close(self._trailer)
            self._trailer = -1
        if self._pid:
            code = await self._reap()
            if code < 0 and not self.failed and await self._take_over(code):
                assert self._heir is not None
                self._end_status()
                return await self._heir.close(trailer)
            if code != 0 and not self._discarded:
                self.failure(os.strerror(code) if code > 0 else f"writer ended ({code})")
        self._end_status()
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    async def discard(self) -> None:
        """Stop the writer and remove the archive (the command never ran)."""
        self.target.discard()  # before the writer's input ends: it has nothing to rename
        self._discarded = True
        await self.close()
