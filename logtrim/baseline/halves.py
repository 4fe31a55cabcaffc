"""A large plain-log baseline loaded on two cores: the second half of the file in a forked
process (:func:`~logtrim.logs.aside.talk`) while this one reads the first.

The halves of a log hold mostly the same distinct lines, and the template regex is most of
the cost: each process shapes the lines of one parity (Python's ``hash``, the same in a
forked process) and this one takes the other's shapes, so a line meets the regex about once.
A baseline's shapes are a set, and the tokens that vary are learnt from the set of its shapes
(:mod:`~logtrim.engine.shapes.variables`), so the result is that of one pass in any order (the
property tests compare them). Past a cap (:attr:`Shapes.full`, :data:`FIRST_CAP`) the order
counts: the caller then reads the file again in one pass.

Memory stays bounded: lines wait for the other process's shapes, and go to this one, in
batches of at most :data:`BATCH` bytes; past that, the waiting ones are shaped here. This
process takes the other's batches between its own chunks, and the other waits while the
pipe is full; when they arrive changes which process shapes a line, never its shape.

The file is cut where one pass ends a chunk (:func:`~logtrim.logs.inputs.line_chunks`
cuts at places the bytes fix), so a line longer than a chunk comes in the same pieces; if the
forked process fails, this one reads its half itself. A fork pays only where a processor is
idle (:func:`~logtrim.logs.ahead.spare_core`): two processes spend more CPU time in all.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Iterator
from itertools import compress

from .._fork import can_fork_before_exec
from ..engine.shapes.shaper import Shaper
from ..engine.shapes.shapes import Shapes
from ..logs.ahead import spare_core
from ..logs.aside import Link, talk
from ..logs.inputs import Input, InputFormat
from ..logs.linechunks import CHUNK, line_chunks

#: Smaller plain logs are read in one pass (a fork and the exchange cost more than they save).
MIN_SIZE = 16 << 20
#: Bytes of lines a batch holds at most (see the module).
BATCH = 2 << 20
_ODD = (1).__and__
# (lines shaped there: line -> shape hash, their shapes: hash -> text, lines to shape here)
Batch = tuple[dict[bytes, int], dict[int, bytes], list[bytes]]  # then an int: bytes read


def odd(keys: Iterable[bytes]) -> set[bytes]:
    """The lines of one parity (in C: a look-up of each line's cached hash)."""
    listed = list(keys)
    return set(compress(listed, map(_ODD, map(hash, listed))))


def forkable() -> bool:
    """Where a fork is safe (a process with threads, as an app with the handler may be, is
    not forked) and a processor is idle."""
    return can_fork_before_exec() and threading.active_count() == 1 and spare_core()


def load(inp: Input, chunks: Iterable[bytes], mine: Shapes) -> bool | None:
    """Shape the plain log ``inp`` (``chunks``: its line chunks from the start) into
    ``mine``, the second half on the second core. None: not started (no line start near
    the middle, no fork; ``chunks`` untouched); False: a cap was reached, where the order
    counts (read it again in one pass, into a new :class:`Shapes`)."""
    half = chunk_end(inp)
    side = (
        talk(functools.partial(_second_half, inp.path, half, mine.shaper.tasklog)) if half else None
    )
    if side is None:
        return None
    link, done = side
    first = Half(mine, link)
    read = 0
    try:
        for chunk in chunks:
            part = chunk[: half - read]
            first.feed(part)
            read += len(part)
            if read >= half:
                break
            first.poll()
    except BaseException:
        done()  # the other process is not left behind (it ends at its broken pipe)
        raise
    inp.close()
    try:
        first.take()
    except Exception:  # the other process failed: this one reads its half
        first.failed = True
    if not done() or first.failed:
        first.read = 0
        for chunk in line_chunks(read_from(inp.path, half, first), half):
            first.feed(chunk)
    first.finish()
    inp.consumed = half + first.read
    inp.check_whole()  # a file cut while it was read (a rotated log): the caller warns
    return not mine.capped


def chunk_end(inp: Input) -> int:
    """Where one pass over a large plain file ends a chunk near its middle (after the last
    newline before a multiple of ``CHUNK``); 0 when it is not to be cut: too small,
    compressed, stdin, or a line longer than a chunk is there."""
    size = inp.size or 0
    if inp.path == "-" or inp.format != InputFormat.PLAIN or size < max(MIN_SIZE, 2 * CHUNK):
        return 0
    at = size // 2 // CHUNK * CHUNK
    try:
        with open(inp.path, "rb") as file:
            file.seek(at - CHUNK)
            near = file.read(CHUNK)
    except OSError:
        return 0
    return at - CHUNK + near.rfind(b"\n") + 1 if len(near) == CHUNK and b"\n" in near else 0


class Half:
    """This process's side: its lines of one parity shaped as they come, the others held
    for the other process's shapes; the other's batches taken as they come."""

    def __init__(self, mine: Shapes, link: Link) -> None:
        self.mine = mine
        self.held: set[bytes] = set()
        self._held_bytes = 0
        self._link: Link | None = link  # None: the other has sent all, or failed
        self.read = 0  # bytes the other read (its half's size, unless the file shrank)
        self.failed = False  # its batches did not all arrive: read its half here

    def feed(self, chunk: bytes) -> None:
        keys = self.mine.shaper.unmet(chunk)
        if self.held:
            keys = keys.difference(self.held)  # (not ``-=``: that walks all of ``held``)
        theirs = odd(keys)
        if theirs:
            keys.difference_update(theirs)
            self.held |= theirs
            self.mine.shaper.pass_over(theirs)  # held until shaped (at the latest by finish)
            self._held_bytes += sum(map(len, theirs))
            if self._held_bytes > BATCH:
                self.finish()
        self.mine.feed_keys(keys)

    def poll(self) -> None:
        """The batches the other process has sent by now (it waits while the pipe is full)."""
        try:
            while self._link is not None and self._link.ready():
                self._batch(self._link.receive())
        except Exception:
            self._link, self.failed = None, True

    def take(self) -> None:
        """The other process's batches, to the last; raise if it failed."""
        while self._link is not None:
            self._batch(self._link.receive())

    def _batch(self, got: Batch | int) -> None:
        if isinstance(got, int):  # the last: the bytes it read
            self._link, self.read = None, got
            return
        pairs, texts, lines = got
        self.mine.adopt(pairs, texts)
        self.mine.feed_keys(set(lines))

    def finish(self) -> None:
        """Shape the held lines the other's shapes did not cover."""
        held, self.held, self._held_bytes = self.held, set(), 0
        self.mine.feed_keys(held)


def read_from(path: str, start: int, count: Half | None = None) -> Iterator[bytes]:
    """A plain file from byte ``start`` (with ``count``: its :attr:`Half.read` counted)."""
    with open(path, "rb") as file:
        file.seek(start)
        for block in iter(functools.partial(file.read, CHUNK), b""):
            if count is not None:
                count.read += len(block)
            yield block


def _second_half(path: str, start: int, tasklog: bool, link: Link) -> None:
    """In the forked process: the lines from ``start`` (where one pass ends a chunk), those
    of one parity shaped, the others sent as they are; in batches, then the bytes read."""
    shaper = Shaper(tasklog)
    pairs: dict[bytes, int] = {}
    texts: dict[int, bytes] = {}
    lines: set[bytes] = set()
    size = read = 0
    for chunk in line_chunks(read_from(path, start), start):
        read += len(chunk)
        keys = shaper.unmet(chunk)
        if lines:
            keys = keys.difference(lines)
        here = odd(keys)
        learned, _ = shaper.learn(here)
        pairs.update(learned)
        texts.update(shaper.texts)
        keys.difference_update(here)
        lines |= keys
        shaper.pass_over(keys)  # the other process shapes them
        size += sum(map(len, learned)) + sum(map(len, keys)) + sum(map(len, shaper.texts.values()))
        if size > BATCH:
            link.send((pairs, texts, list(lines)))
            pairs, texts, lines, size = {}, {}, set(), 0
    link.send((pairs, texts, list(lines)))
    link.send(read)
