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

    async def room(self) -> None:
        """Wait for a place (the reader is held while ``depth`` chunks wait)."""
        await self._room.acquire()

    def put(self, item: T) -> None:
        self._queue.append(item)
        self._ready.set()

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
        finally:
            self.done.set()
            with anyio.CancelScope(shield=True):
                await stop()

    async def end(self) -> None:
        """No more chunks: wait until every one has been fed."""
        self._ended = True
        self._ready.set()
        await self.done.wait()
