"""Line shapes, and what is new against a baseline (a good run's shapes). Sans-IO.

A line's *shape* is its template (:mod:`.templates`: numbers, ids, timestamps, paths,
quoted strings replaced; the normalisation ``stats`` uses) with runs of blanks as one and
none at either end, hashed to 64 bits with BLAKE2b: the same in every process and on every
machine, so an index written by one run is read by the next. A new shape passes for a known
one with odds of n/2⁶⁴: one in 10¹⁴ for a full index. A good run's shapes also hold the
skeletons whose token varies (:mod:`.variables`): a line that matches one is not new either.

The per-line work over a chunk stays in C: digits mapped with ``bytes.translate``, lines
split, each looked up in a set of the lines met before. Only the distinct digit-free lines
not met before meet the template regex (once, over all of them joined) and the hash; a
bounded cache maps them to their shape after that. A chunk of lines met before and not new
costs one look-up per line. A run takes over the cache of the Shaper that loaded a
plain-log baseline: the lines the baseline has need no regex again (the run still learns
their shapes, for its own index).

Bounded: the run's shapes are a :class:`~.shapes.Shapes` (at most :data:`~.shapes.SHAPE_CAP`;
past it, lines of shapes not added count as new). The cache (with the lines taken over) holds
at most 65,536 lines and 16 MB of them, and starts anew past that.
A line is shaped on its first :data:`KEY_MAX` bytes.
"""

from __future__ import annotations

from itertools import accumulate, compress, count
from operator import not_

from .hashset import Hashes
from .shaper import KEY_MAX, Shaper, shape_hash, split_keys
from .shapes import SHAPE_CAP, Shapes
from .templates import coarse
from .variables import known_by_skeleton

#: Bytes of a chunk a Baseline looks up at a time (see :meth:`Baseline._unmet`).
_SLICE = 1 << 17

#: What :meth:`Baseline.check` found in a block: where its new lines start, their shapes
#: (as :meth:`Baseline.shape_of_key` gives them), the shapes it learnt (hash -> shape, b"" for
#: one the run had) and the new ones among them.
Checked = tuple[list[int], list[int | bytes], dict[int, bytes], list[int]]


class Baseline:
    """Which lines of a run are *new*: their shape is not among the baseline's.

    Also remembers the run's own shapes (:attr:`seen`), so that a successful run can be the
    next run's baseline, and counts the new ones (:attr:`new_shapes`).

    Per chunk the work is C: the digit-free lines, each looked up once among the lines met
    before whose shape is not new (``map`` over a set). Only a chunk holding another line goes
    on: those lines (new ones, lines not met yet) are made a set, and only the lines not met
    before are templated and tested against the baseline.
    """

    def __init__(
        self,
        known: Hashes | frozenset[int] | None,
        *,
        tasklog: bool = False,
        prior: Shaper | None = None,
        learn: bool = True,
    ) -> None:
        self.known = known  # None: nothing to compare with yet; only learn the run's shapes
        self.seen = Shapes()  # this run's shapes (with ``learn``: ``diff`` needs them not)
        self._learn = learn
        self.new_shapes: set[int] = set()  # this run's shapes the baseline lacks (bounded)
        self._shaper = Shaper(tasklog)
        # The baseline's own lines (``prior``: the Shaper that loaded it) need no regex here
        # either; only if all their shapes are known (none was left out past a cap).
        if (
            prior is not None
            and prior.tasklog == tasklog
            and known is not None
            and known.issuperset(prior.cache.values())
        ):
            self._shaper.take(prior.cache, prior.shapes)
            self.seen.take_cuts(prior.cuts)
            prior.cache, prior.shapes, prior.cuts, prior.met = {}, None, None, set()
        # The lines of the shaper's cache whose shape is new, and those whose shape is not: a
        # chunk of lines met before needs one look-up per line (in :attr:`_old`, a set: its
        # table and the lines it holds are all a look-up reads).
        self._fresh: set[bytes] = set()
        self._old: set[bytes] = set()
        # While :meth:`check` runs: the shapes learnt, and the new ones.
        self._learnt: tuple[dict[int, bytes], list[int]] | None = None

    def _new_keys(self, distinct: set[bytes]) -> set[bytes]:
        learned, cleared = self._shaper.learn(distinct, self.seen.hashes)
        if cleared:
            self._fresh.clear()
            self._old.clear()
        if learned:
            texts = self._shaper.texts
            if self._learn:
                self.seen.add_shapes(texts)
            if self._learnt is not None:
                self._learnt[0].update(texts)
            known = self.known
            if known is not None:
                # Not new either: a good run's shape but for a token that varies there.
                old = {
                    h for h, text in texts.items() if h in known or known_by_skeleton(text, known)
                }
                new = {k: h for k, h in learned.items() if h not in old}
                self._fresh.update(new)
                if len(self.new_shapes) < SHAPE_CAP:
                    self.new_shapes.update(new.values())
                if self._learnt is not None:
                    self._learnt[1].extend(new.values())
            self._old.update(learned.keys() - self._fresh)
        return self._fresh.intersection(distinct) if self._fresh else self._fresh

    def new_lines(self, chunk: bytes) -> list[int]:
        """The indexes of the new lines of a whole-line chunk (0 = its first line)."""
        return self._new_in(chunk)[0]

    def new_offsets(self, chunk: bytes) -> list[int]:
        """Where each new line of a whole-line chunk starts (its byte offset), in order."""
        return self._new_in(chunk)[1]

    def _new_in(self, chunk: bytes) -> tuple[list[int], list[int]]:
        """:meth:`new_lines`, and where those lines start."""
        at, starts, rest = self._unmet(chunk)
        if not at:
            return [], []
        distinct = set(rest)  # none of them met before and not new
        if max(map(len, rest)) > KEY_MAX:
            rest = [k[:KEY_MAX] for k in rest]
            distinct = set(rest).difference(self._old)
        fresh = self._new_keys(distinct)
        if not fresh:
            return [], []
        flags = list(map(fresh.__contains__, rest))
        return list(compress(at, flags)), list(compress(starts, flags))

    def _unmet(self, chunk: bytes) -> tuple[list[int], list[int], list[bytes]]:
        """The lines of a whole-line chunk not met before as lines whose shape is not new:
        their indexes, where they start, their keys (uncut).

        Most lines of a run were met before and are not new: one look-up per line, in C,
        leaves them out (a line past KEY_MAX is never among them: its key is cut by the
        caller). The chunk is looked at :data:`_SLICE` bytes at a time: its digit-free copy
        and the keys split from it are then still in the processor's caches when they are
        hashed and looked up (a whole chunk's are not, between the engine's work on others).
        """
        old = self._old
        at: list[int] = []
        starts: list[int] = []
        rest: list[bytes] = []
        line = begin = 0
        size = len(chunk)
        while begin < size:
            end = chunk.find(b"\n", begin + _SLICE - 1) + 1 or size
            keys = coarse(chunk[begin:end]).split(b"\n")
            if not keys[-1]:
                keys.pop()
            # Most slices were all met before: one call in C, no list (a miss costs the
            # look-ups again, their hashes kept by the keys). The slice's distinct keys are
            # looked up, a set first: its small table stays in the caches, the large one is
            # read once per distinct key (a fifth less time than a look-up per line).
            if not old.issuperset(set(keys)) and not all(
                flags := list(map(old.__contains__, keys))
            ):
                here = list(compress(count(), map(not_, flags)))
                rest += map(keys.__getitem__, here)
                # Line starts from the lengths (a key is as long as its line), summed in C.
                ends = [0, *accumulate(map((1).__add__, map(len, keys[: here[-1]])))]
                starts += map(begin.__add__, map(ends.__getitem__, here))
                at += map(line.__add__, here)
            line += len(keys)
            begin = end
        return at, starts, rest

    def check(self, block: bytes) -> Checked:
        """:meth:`new_offsets` of a whole-line block, in a process of its own that holds a copy
        of this Baseline (``run``'s checker), with what the run's own Baseline needs to
        :meth:`take` it instead of looking at the block itself."""
        learnt: tuple[dict[int, bytes], list[int]] = ({}, [])
        self._learnt = learnt
        try:
            offsets = self.new_offsets(block)
        finally:
            self._learnt = None
        shapes = [self.shape_of_key(coarse(_line(block, at)[:KEY_MAX])) for at in offsets]
        return offsets, shapes, *learnt

    def can_take(self, checked: Checked) -> bool:
        """Whether the shapes of a :meth:`check` make the same sets here as if this Baseline
        had looked at the block: while no cap is in reach, the run's shapes and its new ones
        are sets, whichever process learnt them first."""
        new = checked[3]
        return self.seen.has_room(len(checked[2])) and len(self.new_shapes) + len(new) < SHAPE_CAP

    def take(self, checked: Checked) -> None:
        """What a :meth:`check` of a block learnt (see :meth:`can_take`)."""
        if checked[2] and self._learn:
            self.seen.add_shapes(checked[2])
        self.new_shapes.update(checked[3])

    def shape_of_key(self, key: bytes) -> int | bytes:
        """The shape hash of a line met (its digit-free form, cut): the key if no longer held."""
        return self._shaper.cache.get(key, key)

    def is_new(self, line: bytes) -> bool:
        """Whether one line is new (:meth:`new_lines` is the fast way for many)."""
        return bool(self.new_lines(line.rstrip(b"\n")))


def _line(block: bytes, at: int) -> bytes:
    """The line starting at ``at`` (without its newline)."""
    end = block.find(b"\n", at)
    return block[at : end if end >= 0 else len(block)]


__all__ = ["KEY_MAX", "Baseline", "Checked", "Shaper", "shape_hash", "split_keys"]
