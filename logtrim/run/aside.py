"""The pure-Python matcher's scans on the second core: ``run`` on the fallback engine.

Without a compiled matcher, finding the lines of a chunk that a rule hits (the engine's
``Matcher.scan``) costs about twice the rest of the engine's work on the chunk. That scan is
a function of the bytes of the chunk's whole lines alone, so a forked process
(:mod:`logtrim.run.scanner`) can scan the next chunks while this one does the per-line work
of the last. The reader hands each chunk to :class:`Ahead`, which sends its whole lines to
the scanner; a task of its own feeds the chunks to the engine in order, each with the hits
of its lines (``Matcher.offer``). The engine takes them only for bytes equal to those it
scans, so where it cuts the input otherwise (a line too long to hold, a secret over several
lines held back) it scans as before: the answers are the same either way.

It fails open: if the scanner ends or falls silent, this process scans from then on; every
chunk is this process's to feed, so nothing is lost.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .. import _log
from .._fork import can_fork_before_exec
from ..engine.match.matcher import Matcher
from .conveyor import Conveyor
from .scanner import Hits, Scanner

#: Blocks are scanned aside from this size: a smaller one is scanned here sooner than sent.
MIN_BLOCK = 64 * 1024
_DEPTH = 4  # chunks read ahead of the one fed to the engine (each at most 1 MB)
# The share of each block scanned here: (least, most, step up, step down).
_SHARE = (0.0, 0.6, 0.04, 0.02)

Process = Callable[[int, bytes], Awaitable[None]]


def wanted(matcher: Matcher) -> bool:
    """On the pure-Python matcher, with a second processor, where forking is safe."""
    return matcher.engine == "re" and can_fork()


def can_fork() -> bool:
    """With a second processor, where forking is safe."""
    return _cpus() > 1 and can_fork_before_exec()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Lines:
    """The whole lines of each stream's chunks, gathered as the engine's splitter gathers
    them: the partial last line waits for the next chunk; a line too long to hold is left
    out. A block is ``carry + data[start:end]``, given unjoined (a 1 MB chunk is not copied
    for it)."""

    def __init__(self, max_pending: int) -> None:
        self._max = max_pending
        self._carry: dict[int, bytes | None] = {}  # None: inside a line too long to hold

    def block(self, stream: int, data: bytes) -> tuple[bytes, int, int]:
        """``(carry, start, end)`` of the chunk's block; ``end`` is 0 when it ends no line."""
        carry = self._carry.get(stream, b"")
        last = data.rfind(b"\n")
        if last < 0:
            grown = None if carry is None else carry + data
            self._carry[stream] = grown if grown is None or len(grown) <= self._max else None
            return b"", 0, 0
        rest = len(data) - last - 1
        self._carry[stream] = data[last + 1 :] if rest <= self._max else None
        if carry is None:  # the end of a long line: the engine scans the lines after it
            return b"", data.find(b"\n") + 1, last + 1
        return carry, 0, last + 1


def cut(carry: bytes, data: bytes, start: int, end: int, share: float) -> int:
    """Where this process's share of a block ends: ``carry + data[start:cut]`` is scanned
    here, ``data[cut:end]`` aside; a line start, past ``share`` of the block. A carried
    partial line is a line's start: at least its line is scanned here, whole."""
    if share <= 0 and not carry:
        return start
    at = start + max(int((len(carry) + end - start) * share) - len(carry), 0)
    return data.find(b"\n", min(at, end - 1), end) + 1 or end


def joined(mine: Hits, theirs: Hits, shift: int) -> Hits:
    """The hits of a block from those of its two parts (the second one ``shift`` bytes in)."""
    return mine + [(at + shift, kind) for at, kind in theirs] if theirs else mine


@dataclass
class _Item:
    """A chunk on its way: its block's parts, and the share of it scanned here."""

    stream: int
    data: bytes
    parts: tuple[bytes, memoryview] | None = None
    here: bytes = field(default=b"")


class Ahead:
    """The chunks of a run on their way to the engine, scanned aside (see the module).

    This process scans a share of each block too (its first lines), so that neither waits
    long for the other: more while it has had to wait for the scanner's hits, less while
    they were there when asked for (it shares its core with the archive writer, and the
    machine may be busy with other work).
    """

    def __init__(self, matcher: Matcher, process: Process, max_pending: int) -> None:
        self._matcher = matcher
        self._process = process
        self._lines = Lines(max_pending)
        self._scanner: Scanner[Hits] | None = Scanner(matcher)
        self._line = Conveyor[_Item](_DEPTH)
        self._share = _SHARE[0]
        self.blocks = self.taken = 0  # blocks scanned aside; of them, taken by the engine

    async def feed(self, stream: int, data: bytes) -> None:
        """A chunk read: its lines sent to be scanned, it fed to the engine in its turn."""
        await self._line.room()
        item = _Item(stream, data)
        try:
            carry, start, end = self._lines.block(stream, data)
            if self._scanner is not None and len(carry) + end - start >= MIN_BLOCK:
                at = cut(carry, data, start, end, self._share)
                await self._scanner.send(memoryview(data)[at:end])
                item.parts = (carry, memoryview(data)[start:end])
                item.here = carry + data[start:at] if at > start else carry
        except Exception:  # the scanner gone, or a fault here: the engine scans as before
            item.parts = None
            await self._lost()
        self._line.put(item)

    async def settled(self) -> bool:
        """Wait until the chunks read so far were fed (see :meth:`.Conveyor.settled`)."""
        return await self._line.settled()

    async def run(self) -> None:
        """The task that feeds the engine, in order, until :meth:`end`."""
        await self._line.run(self._step, self.close)

    async def _step(self, item: _Item) -> None:
        offered = False
        if item.parts is not None and self._scanner is not None:
            offered = await self._offer(item, self._scanner)
        await self._process(item.stream, item.data)
        if self._matcher.offered:
            self._matcher.offer([])  # not taken: none left for other bytes
        elif offered:
            self.taken += 1

    async def _offer(self, item: _Item, scanner: Scanner[Hits]) -> bool:
        """The block's hits to the engine: this process's share's, then the scanner's."""
        try:
            mine = self._matcher.scan(item.here) if item.here else []
            theirs, waited = await scanner.receive()
        except Exception:  # as in feed: the engine scans, and meets any fault of its own
            await self._lost()
            return False
        self.blocks += 1
        low, high, up, down = _SHARE
        self._share = min(self._share + up, high) if waited else max(self._share - down, low)
        assert item.parts is not None
        self._matcher.offer(joined(mine, theirs, len(item.here)), *item.parts)
        return True

    async def end(self) -> None:
        """No more chunks: wait until every one has reached the engine."""
        await self._line.end()
        if _log.verbose():
            _log.logger().debug("scanned aside", blocks=self.blocks, taken=self.taken)

    async def close(self) -> None:
        """Stop the scanner (the run ends before it began)."""
        scanner, self._scanner = self._scanner, None
        if scanner is not None:
            await scanner.close()

    async def _lost(self) -> None:
        """The scanner is gone: this process scans from now on."""
        if self._scanner is not None:
            await self.close()
            _log.logger().debug("the scanner process ended; scanning in this one")


__all__ = ["MIN_BLOCK", "Ahead", "Lines", "cut", "joined", "wanted"]
