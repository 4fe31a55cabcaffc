"""``run``'s console: the child's selected lines on logtrim's stdout and stderr.

It fails soft: a closed console (EPIPE) never stops the run by itself (the archive still
takes everything). The stream whose reader left is in :attr:`Console.gone`: the run then
closes the child's end of it too, so the child meets what it would have met without logtrim
(SIGPIPE, or EPIPE) and does not run on, writing into the archive, for nobody. Any other
write error (a full disk under a redirected console, an I/O error) is no reader leaving: the
child would have met it on its writes and gone on, so it runs on; that stream of the console
is written no more (:attr:`Console.failed`), said once on the other. The archive writers live
in :mod:`logtrim.archive`.
"""

from __future__ import annotations

import os
import select
import stat
import sys
from collections.abc import Callable, Sequence
from typing import IO

from .._writes import write_all
from ..engine.core import STDERR, STDOUT, Emit


class Console:
    """logtrim's stdout and stderr; a closed console (EPIPE) must not stop the run."""

    def __init__(self) -> None:
        self._files: dict[int, IO[bytes]] = {STDOUT: sys.stdout.buffer, STDERR: sys.stderr.buffer}
        self.gone: set[int] = set()  # the streams whose reader left (EPIPE)
        self.failed: set[int] = set()  # the streams that cannot be written (ENOSPC, EIO...)
        # {fd: stream} of the pipes a reader can leave while nothing is written, polled.
        self._pipes = _pipes()
        self._poller = _poller(self._pipes)
        self._open_line = {STDOUT: False, STDERR: False}  # the last write did not end a line
        # Told of a stream whose reader left while nothing was written (the run's readers
        # of the child's pipes stop waiting, to close them).
        self.on_gone: Callable[[int], None] = _nothing
        self.writing = False  # in a write: a reader that stopped reading holds the run here
        self.written = 0  # the bytes written (logtrim's diagnostics aside: _log.written)

    def end_line(self) -> None:
        """Our own lines start at column 0, even after a child's unterminated last line."""
        if self._open_line[STDOUT]:
            self.write([(STDOUT, b"\n")])

    def watch(self) -> None:
        """Notice a reader that left while nothing was written: a pipe with no reader
        polls as an error on its writing end (a filtered run may print nothing for long)."""
        if self._poller is None:
            return
        for fd, events in self._poller.poll(0):
            if events & (select.POLLERR | select.POLLHUP):
                self.gone.add(self._pipes[fd])
                self._poller.unregister(fd)
                self.on_gone(self._pipes[fd])

    def write(self, emits: Sequence[Emit]) -> None:
        if not emits:
            return
        # One write per run of lines on the same stream: the order across streams is kept.
        stream, batch = emits[0][0], list[bytes]()
        for next_stream, data in emits:
            if next_stream != stream:
                self._write(stream, b"".join(batch))
                stream, batch = next_stream, []
            batch.append(data)
        self._write(stream, b"".join(batch))

    def _write(self, stream: int, data: bytes) -> None:
        if data and stream not in self.gone and stream not in self.failed:
            file = self._files[stream]
            self.writing = True
            try:
                self.written += len(data)
                write_all(file, data)
                file.flush()
            except (BrokenPipeError, ConnectionResetError):
                self.gone.add(stream)
                return
            except (OSError, ValueError) as exc:
                self.failed.add(stream)
                self._say_failed(stream, exc)
                return
            finally:
                self.writing = False
            self._open_line[stream] = not data.endswith(b"\n")

    def _say_failed(self, stream: int, exc: Exception) -> None:
        why = (exc.strerror or type(exc).__name__) if isinstance(exc, OSError) else "closed"
        name = "stdout" if stream == STDOUT else "stderr"
        other = STDERR if stream == STDOUT else STDOUT
        self._write(other, f"logtrim: warning: cannot write to {name} ({why}); the command "
                    "runs on and the archive takes everything\n".encode())  # fmt: skip


def _poller(fds: dict[int, int]) -> select.poll | None:
    """A poller of ``fds`` for writing (None: nothing to poll)."""
    if not fds:
        return None
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLOUT)
    return poller


def _pipes() -> dict[int, int]:
    """{fd: stream} of logtrim's stdout and stderr that are pipes or sockets (POSIX)."""
    if not hasattr(select, "poll"):
        return {}
    found = {}
    for stream, fd in ((STDOUT, 1), (STDERR, 2)):
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            continue
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            found[fd] = stream
    return found


def _nothing(_stream: int) -> None:
    pass
