"""The tail of the fail-open paths (:class:`.fallback.HeadTail`): the last bytes of both
streams within a room, in the order written. stderr's last bytes, up to a quarter of the room,
outlast stdout's older ones: a program says why it stops there, and a stdout flood written
after it (a child's buffered output flushed at its exit) would push it out."""

from __future__ import annotations

from collections import deque

from ..engine.core import STDERR, STDOUT, Emit


class LastBytes:
    """Keep the last bytes of each stream within ``room`` (see the module docstring)."""

    def __init__(self, room: int) -> None:
        self.room = room
        self._pieces: dict[int, deque[tuple[int, bytes]]] = {STDOUT: deque(), STDERR: deque()}
        self._sizes = {STDOUT: 0, STDERR: 0}
        self._written = 0  # pieces kept so far: their order across the streams

    def keep(self, stream: int, data: bytes) -> int:
        """Keep ``data``; the bytes dropped to stay within the room."""
        stream = STDERR if stream == STDERR else STDOUT
        if data:
            self._written += 1
            self._pieces[stream].append((self._written, data))
            self._sizes[stream] += len(data)
        dropped = 0
        while self._sizes[STDOUT] + self._sizes[STDERR] > self.room:
            victim = self._victim()
            # stderr past its quarter gives up only what is past it while stdout has bytes
            most = (
                self._sizes[STDERR] - self.room // 4
                if victim == STDERR and self._pieces[STDOUT]
                else None
            )
            dropped += self._drop(victim, most)
        return dropped

    def _victim(self) -> int:
        """The stream whose oldest piece goes: the older one's, but stdout's while stderr
        keeps no more than its quarter."""
        out, err = self._pieces[STDOUT], self._pieces[STDERR]
        if not err or (out and (self._sizes[STDERR] <= self.room // 4 or out[0][0] < err[0][0])):
            return STDOUT
        return STDERR

    def _drop(self, stream: int, most: int | None = None) -> int:
        """Drop the stream's oldest piece, or as much of it as the room needs, at ``most``
        bytes (from a line start when it holds one); the bytes dropped."""
        pieces = self._pieces[stream]
        order, old = pieces.popleft()
        over = self._sizes[STDOUT] + self._sizes[STDERR] - self.room
        if most is not None:
            over = max(min(over, most), 1)
        if len(old) > over:
            keep = old[over:]
            cut = keep.find(b"\n") + 1
            if 0 < cut < len(keep):
                over, keep = over + cut, keep[cut:]
            pieces.appendleft((order, keep))
            self._sizes[stream] -= over
            return over
        self._sizes[stream] -= len(old)
        return len(old)

    def emits(self) -> list[Emit]:
        """What is kept, in the order written."""
        tagged = [(order, s, data) for s, pieces in self._pieces.items() for order, data in pieces]
        return [(stream, data) for _, stream, data in sorted(tagged)]


__all__ = ["LastBytes"]
