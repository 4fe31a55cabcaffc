"""The baseline's look-ups on the second core: ``run`` with ``--baseline`` or ``--history``.

Which lines of a chunk are new (:meth:`.Baseline.new_offsets`) costs about half the rest of
the engine's work on it: a pass over every line, its digits mapped, split, hashed and looked
up. Whether a line is new depends on its bytes alone, so a forked process holding a copy of
the baseline (:class:`.Baseline.check`, served by :mod:`logtrim.run.scanner`) checks the next
chunks while this one does the per-line work of the last. As with the scans of
:mod:`logtrim.run.aside`, each chunk's whole lines are sent there and the chunks are fed to
the engine in order, each with the check of its lines (:meth:`.Novelty.offer`); the engine
takes it only for a region of equal bytes.

What the check learnt (the run's own shapes, and its new ones) is taken with it: while no cap
is in reach these are sets, the same whichever process learnt a shape first. A region that
differs from the lines sent (a secret masked, a line too long to hold, a line whose start is
on the console) is looked at here; then the checker has learnt lines this process did not
take, and it is stopped: this process looks at every chunk from then on. So do a checker
that ends or falls silent, and a cap in reach. The checker shares its core with the archive
writer, so only a share of the blocks goes to it (as :mod:`.aside` shares each block): this
process looks the others up, more while it had to wait for a check. The console, archive,
reason and summary are the same either way (the property tests compare them).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import _log
from ..engine.shapes.baseline import Baseline, Checked
from ..engine.shapes.novelty import Novelty
from .aside import MIN_BLOCK, Lines, Process
from .conveyor import Conveyor
from .scanner import Scanner

_DEPTH = 4  # chunks read ahead of the one fed to the engine (each at most 1 MB)
# The share of blocks this process checks itself: (least, most, step up, step down).
_SHARE = (0.0, 0.6, 0.04, 0.02)


class _Check:
    """The forked process's side: a block in, its check out."""

    def __init__(self, baseline: Baseline) -> None:
        self._baseline = baseline  # the forked process's copy

    def scan(self, chunk: bytes) -> Checked:
        return self._baseline.check(chunk)


@dataclass
class _Item:
    """A chunk on its way: the parts of its block of whole lines, if that was sent."""

    stream: int
    data: bytes
    parts: tuple[bytes, memoryview] | None = None


class Checker:
    """The chunks of a run on their way to the engine, checked aside (see the module)."""

    def __init__(self, novelty: Novelty, process: Process, max_pending: int) -> None:
        self._novelty = novelty
        self._process = process
        self._lines = Lines(max_pending)
        self._scanner: Scanner[Checked] | None = Scanner(_Check(novelty.baseline))
        self._line = Conveyor[_Item](_DEPTH)
        # Of each block, here or aside: a block not sent is the engine's to look at (this
        # process shares its core with nothing, the checker with the archive writer), more
        # blocks while it had to wait for the checks, fewer while they were there when asked.
        self._share = self._owed = _SHARE[0]
        self.blocks = self.taken = 0  # blocks checked aside; of them, taken by the engine

    async def feed(self, stream: int, data: bytes) -> None:
        """A chunk read: its lines sent to be checked, it fed to the engine in its turn."""
        await self._line.room()
        item = _Item(stream, data)
        try:
            carry, start, end = self._lines.block(stream, data)
            if self._scanner is not None and len(carry) + end - start >= MIN_BLOCK and self._send():
                whole = memoryview(data)[start:end]
                await self._scanner.send(memoryview(carry + whole) if carry else whole)
                item.parts = (carry, whole)
        except Exception:  # the checker gone, or a fault here: the engine looks as before
            item.parts = None
            await self.close()
        self._line.put(item)

    def _send(self) -> bool:
        """Whether the next block goes to the checker (else this process looks at it)."""
        self._owed += self._share
        if self._owed < 1:
            return True
        self._owed -= 1
        return False

    async def settled(self) -> bool:
        """Wait until the chunks read so far were fed (see :meth:`.Conveyor.settled`)."""
        return await self._line.settled()

    async def run(self) -> None:
        """The task that feeds the engine, in order, until :meth:`end`."""
        await self._line.run(self._step, self.close)

    async def _step(self, item: _Item) -> None:
        if item.parts is not None and self._scanner is not None:
            await self._offer(item, self._scanner)
        await self._process(item.stream, item.data)
        if self._novelty.offered:  # not taken: the checker learnt lines this one did not
            self._novelty.offer(None)
            await self.close()
        elif item.parts is not None and self._scanner is not None:
            self.taken += 1

    async def _offer(self, item: _Item, scanner: Scanner[Checked]) -> None:
        try:
            checked, waited = await scanner.receive()
        except Exception:  # as in feed: the engine looks at the lines itself
            await self.close()
            return
        self.blocks += 1
        low, high, up, down = _SHARE
        self._share = min(self._share + up, high) if waited else max(self._share - down, low)
        assert item.parts is not None
        self._novelty.offer(checked, *item.parts)

    async def end(self) -> None:
        """No more chunks: wait until every one has reached the engine."""
        await self._line.end()
        if _log.verbose():
            _log.logger().debug("checked aside", blocks=self.blocks, taken=self.taken)

    async def close(self) -> None:
        """Stop the checker: this process looks at every chunk from now on."""
        scanner, self._scanner = self._scanner, None
        if scanner is not None:
            await scanner.close()


__all__ = ["Checker"]
