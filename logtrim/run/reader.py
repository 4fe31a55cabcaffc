"""Reading one of the child's streams into the pipeline until it ends or the drain is over.

``--drain-timeout`` bounds the wait for output that never ends (a daemon holding the pipe),
never the work on output already written. So a reader is stopped only where it waits for
the pipe: a chunk taken from it always reaches the engine and the archive, even while the
archive's backpressure (a slow ``--level``) holds the reader past the deadline. A stopped
reader still reads what the pipe holds at that moment: everything the command wrote before
it exited is there, whatever the load.
"""

from __future__ import annotations

import array
import collections
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Union

import anyio
from anyio.abc import ByteReceiveStream

from ..archive.forked import shrink_pipe
from .lines import StreamLines

READ_SIZE = 1 << 20
_LOOKS = 8  # once stopped: how often a reader looks for what the pipe still holds
_LEAVE_MAX = 8 * READ_SIZE  # the most read from a pipe being closed (a grown pipe holds 1 MiB)
_STOP_ROUNDS = 64  # once the drain is over: turns of reading both pipes, at most, per chunk
_SETTLE = 0.02  # seconds a pty may take to hand on what the command wrote before it exited

Source = Union[int, ByteReceiveStream]  # noqa: UP007 - an alias evaluated at run time
Feed = Callable[[int, bytes], Awaitable[None]]
Learn = Callable[[bytes], None]


class Reader:
    """One stream's reader task (:meth:`run`); :meth:`stop` ends its waiting."""

    def __init__(
        self, source: Source, stream: int, feed: Feed, gone: Callable[[int], bool] | None = None
    ) -> None:
        self.source = source
        self.stream = stream
        self._feed = feed
        # Whether the console's reader of this stream left: then the child's pipe is closed
        # here (:attr:`closed`), and the child meets SIGPIPE as it would without logtrim.
        self._gone = gone
        self.closed = False
        # The other streams' readers, the lock they share and what reads declarations ahead
        # (:meth:`pair`): a secret declared on one stream is masked in the other's next line.
        self._peers: list[Reader] = []
        self._turn: anyio.Lock | None = None
        self._learn: Learn | None = None
        # Waits until the chunks fed so far reached the engine (a helper on the second core
        # may hold them); whether it waited (:meth:`pair`).
        self._settle: Callable[[], Awaitable[bool]] | None = None
        self._lines = StreamLines()  # where this stream's lines start, in read order
        self.done = anyio.Event()
        self._stopping = False
        self._wait: anyio.CancelScope | None = None

    @staticmethod
    def pair(
        readers: list[Reader], learn: Learn, settle: Callable[[], Awaitable[bool]] | None = None
    ) -> None:
        """Let ``readers`` take turns: each reads and feeds under one lock and, before it
        feeds a chunk, reads what the others' pipes hold too, learns the declarations of
        its whole lines, and feeds it right after its own (the order of each stream kept),
        each such chunk in turn fed only once the others were read again (:meth:`_deliver`).
        ``settle``: waits until what was fed reached the engine (see :meth:`_turn_of`)."""
        turn = anyio.Lock()
        for reader in readers:
            reader._peers = [r for r in readers if r is not reader]
            reader._turn, reader._learn, reader._settle = turn, learn, settle

    def wake(self) -> None:
        """The console's reader of this stream left: stop waiting for the child's next
        write, so that the pipe is read out and closed now (:meth:`_leave`)."""
        if self._wait is not None:
            self._wait.cancel()

    def stop(self) -> None:
        """The drain is over: read what the pipe holds now, wait for nothing more."""
        self._stopping = True
        if self._wait is not None:
            self._wait.cancel()

    async def run(self) -> None:
        try:
            if isinstance(self.source, int):
                await self._read_fd(self.source)
            else:
                await self._read_stream(self.source)
        finally:
            self.done.set()

    @contextlib.contextmanager
    def _waiting(self) -> Iterator[None]:
        """The one place a reader may be cancelled (by :meth:`stop`): it holds no data."""
        with anyio.CancelScope() as scope:
            self._wait = scope
            if self._stopping:
                scope.cancel()
            try:
                yield
            finally:
                self._wait = None

    async def _read_fd(self, fd: int) -> None:
        left: int | None = None  # once stopped: what the pipe held at the last look, to read
        looks = 0
        while True:
            if self.closed:  # read out and closed in another stream's turn (its console left)
                return
            if self._is_gone():  # its console's reader left while the child was quiet
                async with self._taking_turn():
                    await self._leave(fd)
                return
            if self._stopping and not left:
                # What the command wrote is in the pipe by now; a pty hands it on a moment
                # later, so look again briefly. A few looks: an orphan writing on is not
                # waited for.
                if looks == _LOOKS:
                    return
                looks += 1
                left = available(fd)
                if not left:
                    await anyio.sleep(_SETTLE)
                    left = available(fd)
                    if not left:
                        return
                continue
            async with self._taking_turn():
                state, left = await self._turn_of(fd, left)
            if state == "ended":
                return
            if state == "empty":
                if self._stopping:
                    left = 0  # it held less than it said: look again
                    continue
                # Wait only when the pipe is empty: a busy child keeps it full.
                with self._waiting():
                    await anyio.wait_readable(fd)
                continue
            await anyio.lowlevel.checkpoint()  # fairness: the other stream, the ticker, the archive

    async def _turn_of(self, fd: int, left: int | None) -> tuple[str, int | None]:
        """Read and feed while the pipe holds bytes, the other stream's after each chunk (one
        turn: a reader that falls behind catches up before the other stream's next bytes).
        Returns "empty", "ended", or "read" (stopped: what the pipe holds is looked at anew)."""
        while True:
            if self.closed:
                return "ended", left
            try:
                data = os.read(fd, READ_SIZE if left is None else min(left, READ_SIZE))
            except BlockingIOError:
                if self._peers and self._settle is not None and await self._settle():
                    # A helper held the chunks fed: the turn lasts while the engine takes
                    # them, as it does when this task feeds it, and this pipe is read again
                    # first. Else the other stream's reader, woken meanwhile, could read
                    # its line first, before the lines this pipe got then (an error on
                    # stderr ahead of the forty stdout lines written before it).
                    continue
                return "empty", left
            except OSError:  # EIO: the pty's other side closed
                return "ended", left
            if not data:
                return "ended", left
            if left is not None:
                left -= len(data)
            await self._deliver(data)
            if self._gone is not None and self._gone(self.stream):
                await self._leave(fd)
                return "ended", left
            if self._stopping and not left:  # the drain is over: read what the pipe holds
                return "read", left
            await anyio.lowlevel.checkpoint()  # the ticker and the archive (not the other reader)

    @contextlib.asynccontextmanager
    async def _taking_turn(self) -> AsyncIterator[None]:
        if self._turn is None:
            yield
            return
        async with self._turn:
            yield

    async def _deliver(self, data: bytes) -> None:
        """Feed ``data``, then what the other pipes hold, and so on in turn while they hold
        bytes. A chunk is fed only after the other pipes were read *after* it and the
        declarations of their whole lines learned: a secret declared on one stream and used
        on the other right after it was then declared in what was read before the use's
        chunk is fed, however the two writes fell between the reads (see :meth:`pair`).
        A pipe whose console reader left is read out and closed here (:meth:`_held`). Once
        the drain is over, a process still writing both pipes is read for a bounded number
        of turns; what the last look finds is learned from, not fed (the warning said so)."""
        self._lines.passed(data)  # fed in order: what it declares is learned as it is fed
        queue = collections.deque([(self, data)])
        rounds = 0
        while queue:
            reader, chunk = queue.popleft()
            rounds += 1
            for other in (self, *self._peers):
                if other is reader:
                    continue
                more = other._held() if other._is_gone() else other._ready()
                if more:
                    lines = other._lines.whole(more)
                    if lines and self._learn is not None:
                        self._learn(lines)
                    if not (self._stopping and rounds > _STOP_ROUNDS):
                        queue.append((other, more))
            await reader._feed(reader.stream, chunk)

    def _is_gone(self) -> bool:
        return not self.closed and self._gone is not None and self._gone(self.stream)

    def _ready(self) -> bytes:
        """What this stream's pipe holds now, read without waiting (b"": nothing)."""
        if self.closed or not isinstance(self.source, int):
            return b""
        try:
            return os.read(self.source, READ_SIZE)
        except OSError:
            return b""

    async def _leave(self, fd: int) -> None:
        """The console's reader left: close the pipe so that the child's next write fails
        (EPIPE) as it would without logtrim; what it held is fed as any chunk is."""
        if self.closed:
            return
        data = self._held()
        if data:
            await self._deliver(data)

    def _held(self) -> bytes:
        """What the pipe holds, read with no wait between the last read and the close (a
        write the child saw succeed is archived), then the pipe closed."""
        held: list[bytes] = []
        size = 0
        fd = self.source
        assert isinstance(fd, int)
        # Read empty, made one page, read empty again: a write landing between the last read
        # and the close is lost with the pipe, and however long that gap (a loaded machine, a
        # thread holding the GIL) the child can have written a page into it, not a pipe's worth.
        small = False
        while size < _LEAVE_MAX:  # a child writing on is not read for ever
            try:
                data = os.read(fd, READ_SIZE)
            except BlockingIOError:  # empty for now
                if small:
                    break
                small = shrink_pipe(fd)
                continue
            except OSError:  # the other side closed
                break
            if not data:
                break
            held.append(data)
            size += len(data)
        os.close(fd)
        self.closed = True
        if self._wait is not None:
            self._wait.cancel()  # its reader may wait on it: it ends at its next look
        return b"".join(held)

    async def _read_stream(self, source: ByteReceiveStream) -> None:
        """Windows: anyio's process pipe, whose content cannot be asked for; once stopped,
        what was not received yet stays unread."""
        with contextlib.suppress(anyio.EndOfStream, anyio.ClosedResourceError):
            while not self._stopping:
                data = b""
                with self._waiting():
                    data = await source.receive(READ_SIZE)
                if data:
                    await self._feed(self.stream, data)


def available(fd: int) -> int:
    """The bytes a pipe or pty holds now (FIONREAD); a pipe's worth if it cannot say."""
    import fcntl
    import termios

    count = array.array("i", [0])
    try:
        fcntl.ioctl(fd, termios.FIONREAD, count, True)
    except OSError:
        return READ_SIZE  # the reads stop at the first empty one anyway
    return count[0]
