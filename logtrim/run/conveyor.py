"""Chunks read ahead and fed to the engine in their order: what the second core's helpers
(:mod:`.aside`'s scans, :mod:`.checker`'s look-ups) share. The reader puts a chunk on it once
its lines were sent to the helper; the feeding task takes them off one by one, letting the
reader send the next chunk before it waits for this one's answer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")


class Conveyor(Generic[T]):
    """At most ``depth`` chunks on their way; :meth:`run` feeds them in order."""

    def __init__(self, depth: int) -> None:
        self._queue: deque[T] = deque()
        self._room = anyio.Semaphore(depth)
        self._ready = anyio.Event()
        self._ended = False
        self.done = anyio.Event()
        self._busy = 0  # chunks put and not yet fed
        self._idle = anyio.Event()

    async def room(self) -> None:
        """Wait for a place (the reader is held while ``depth`` chunks wait)."""
        await self._room.acquire()

    def put(self, item: T) -> None:
        if not self._busy:
            self._idle = anyio.Event()
        self._busy += 1
        self._queue.append(item)
        self._ready.set()

    async def settled(self) -> bool:
        """Wait until every chunk put has been fed; whether there were any to wait for."""
        if not self._busy or self.done.is_set():
            return False
        await self._idle.wait()
        return True

    async def run(
        self, step: Callable[[T], Awaitable[None]], stop: Callable[[], Awaitable[None]]
    ) -> None:
        """``step`` each chunk in order until :meth:`end`; ``stop`` the helper at the end."""
        try:
            while self._queue or not self._ended:
                if not self._queue:
                    await self._ready.wait()
                    self._ready = anyio.Event()
                    continue
                item = self._queue.popleft()
                self._room.release()
                # The reader's turn first: the helper gets the next chunk before this one
                # is worked on here.
                await anyio.lowlevel.checkpoint()
                await step(item)
                self._busy -= 1
                if not self._busy:
                    self._idle.set()
        finally:
            self.done.set()
            self._idle.set()  # (a reader waiting for it waits no more)
            with anyio.CancelScope(shield=True):
                await stop()

    async def end(self) -> None:
        """No more chunks: wait until every one has been fed."""
        self._ended = True
        self._ready.set()
        await self.done.wait()
