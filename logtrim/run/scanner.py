"""The scanner process of :mod:`logtrim.run.aside`: blocks of whole lines in, their hits out
(and of :mod:`logtrim.run.checker`: blocks in, their new lines out).

Forked from ``run`` once its engine is built, so it holds the same rules (and baseline).
Each block comes as a length (u64) and its bytes; each answer goes back as a length and the
pickled answer (``Matcher.scan``'s list, ``Baseline.check``'s tuple). It ends when its input
pipe closes, and ignores the signals the terminal sends the whole process group (``run``
forwards them to the command and closes the pipe when it is done).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

import anyio

from .._fork import fault_hook, fork_serving, ignore_signals
from .._threads import reaped
from ..archive.forked import grow_pipe
from ..engine.match.kinds import Kind
from . import collector

_SILENCE = 30.0  # seconds without an answer before the scanner counts as gone
_HEADER = struct.Struct("<Q")
# Tests of the fail-open path make the scanner end after this many blocks.
_FAULT = "LOGTRIM_FAULT_SCANNER"

Hits = list[tuple[int, Kind]]
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Scans(Protocol[T_co]):
    """What the forked process does to each block (``Matcher.scan``)."""

    def scan(self, chunk: bytes) -> T_co: ...


class Gone(Exception):
    """The scanner ended, failed or fell silent."""


class Scanner(Generic[T]):
    """The forked process that scans blocks of whole lines and sends back their hits."""

    def __init__(self, matcher: Scans[T]) -> None:
        down_read, down_write = os.pipe()
        up_read, up_write = os.pipe()
        grow_pipe(down_write)
        fault = fault_hook(_FAULT)
        self.pid = fork_serving(
            lambda: _serve(matcher, down_read, up_write, fault), close=[down_write, up_read]
        )
        os.close(down_read)
        os.close(up_write)
        os.set_blocking(down_write, False)
        os.set_blocking(up_read, False)
        self._to, self._from = down_write, up_read
        self._got = bytearray()
        self._closed = False
        # Descriptors a task waits on: closed by that task, not under it (a closed number
        # may be reused at once, and a wait on it might never end).
        self._waiting: set[int] = set()

    async def send(self, block: memoryview) -> None:
        """A block to scan (a 1 MB chunk is not copied to be sent)."""
        views = [memoryview(_HEADER.pack(len(block))), block]
        while views:
            if self._closed:
                raise Gone("the scanner was stopped")
            try:
                sent = os.writev(self._to, views)
            except BlockingIOError:
                await self._wait(self._to, anyio.wait_writable)
                continue
            except OSError as exc:
                raise Gone from exc
            while views and sent >= len(views[0]):
                sent -= len(views.pop(0))
            if sent:
                views[0] = views[0][sent:]

    async def receive(self) -> tuple[T, bool]:
        """The next block's hits, and whether they were waited for; :class:`Gone` if the
        scanner ended or is silent too long."""
        waited = False
        try:
            with anyio.fail_after(_SILENCE):
                while True:
                    hits = self._answer()
                    if hits is not None:
                        return hits, waited
                    if self._closed:
                        raise Gone("the scanner was stopped")
                    try:
                        data = os.read(self._from, 1 << 16)
                    except BlockingIOError:
                        waited = True
                        await self._wait(self._from, anyio.wait_readable)
                        continue
                    if not data:
                        raise Gone("the scanner ended")
                    self._got += data
        except (OSError, TimeoutError, pickle.UnpicklingError) as exc:
            raise Gone from exc

    def _answer(self) -> T | None:
        """The first answer received whole, taken from the buffer; None if there is none."""
        if len(self._got) < _HEADER.size:
            return None
        end = _HEADER.size + _HEADER.unpack_from(self._got)[0]
        if len(self._got) < end:
            return None
        answer: T = pickle.loads(self._got[_HEADER.size : end])  # our own child's bytes
        del self._got[:end]
        return answer

    async def _wait(self, fd: int, ready: Callable[[int], Awaitable[None]]) -> None:
        self._waiting.add(fd)
        try:
            await ready(fd)
        finally:
            self._waiting.discard(fd)
            if self._closed:
                with contextlib.suppress(OSError):
                    os.close(fd)

    async def close(self) -> None:
        """Stop it (its answers are no longer wanted) and reap it. A task waiting on one of
        its pipes wakes as the process dies (end of file, broken pipe) and closes that one."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)  # our own child: it may be mid-scan
        for fd in (self._to, self._from):
            if fd not in self._waiting:
                with contextlib.suppress(OSError):
                    os.close(fd)
        with contextlib.suppress(ChildProcessError):
            await reaped(self.pid)


def _serve(matcher: Scans[object], inp: int, out: int, fault: int | None) -> None:
    """The scanner's loop: a block in, its hits out, until the input ends."""
    ignore_signals()  # the pipe closing is what ends it
    _keep_only(inp, out)
    with collector.relaxed():  # as ``run`` itself: a chunk's objects die young
        while fault is None or fault > 0:
            header = _read(inp, _HEADER.size)
            if len(header) < _HEADER.size:
                return
            block = _read(inp, _HEADER.unpack(header)[0])
            payload = pickle.dumps(matcher.scan(block), protocol=pickle.HIGHEST_PROTOCOL)
            _write(out, _HEADER.pack(len(payload)) + payload)
            if fault is not None:
                fault -= 1


def _keep_only(*fds: int) -> None:
    """Close every other descriptor: the archive writer's pipe must end when ``run`` does."""
    start = 3
    for fd in sorted(fds):
        os.closerange(start, fd)
        start = fd + 1
    limit = 1 << 16
    with contextlib.suppress(Exception):
        import resource

        limit = min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], limit)
    os.closerange(start, limit)


def _read(fd: int, size: int) -> bytes:
    """``size`` bytes, fewer only at the end of the input."""
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            return bytes(buf[:got])
        got += n
    return bytes(buf)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


__all__ = ["Gone", "Hits", "Scanner", "Scans"]
