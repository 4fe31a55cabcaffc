"""Line shapes, and what is new against a baseline (a good run's shapes). Sans-IO.

A line's *shape* is its template (:mod:`.templates`: numbers, ids, timestamps, paths,
quoted strings replaced; the normalisation ``stats`` uses) with runs of blanks as one and
none at either end, hashed to 64 bits with BLAKE2b: the same in every process and on every
machine, so an index written by one run is read by the next. A new shape passes for a known
one with odds of n/2⁶⁴: one in 10¹⁴ for a full index. A good run's shapes also hold the
skeletons whose token varies (:mod:`.variables`): a line that matches one is not new either.

The per-line work over a chunk stays in C: digits mapped with ``bytes.translate``, lines split,
distinct lines found with a set. Only the distinct digit-free lines not met before meet the
template regex (once, over all of them joined) and the hash; a bounded cache maps them to
their shape after that. A chunk of lines met before, none of them new, costs one look-up per
line. A run takes over the cache of the Shaper that loaded a plain-log baseline: the lines the
baseline has need no regex again (the run still learns their shapes, for its own index).

Bounded: an index holds at most ``cap`` shapes (:data:`SHAPE_CAP` by default, about 10 MB);
past it, :attr:`Shapes.full` is set and further shapes are not added (their lines then count
as new). The cache (with the lines taken over) holds at most 65,536 lines and 16 MB of them, and
starts anew past that.
A line is shaped on its first :data:`KEY_MAX` bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from hashlib import blake2b
from itertools import accumulate, compress, count
from operator import not_

from .counting import TemplateCounter
from .templates import coarse, template_uncached
from .variables import FIRST_CAP, Variables, known_by_skeleton

#: Shapes an index holds at most: a log with more distinct shapes than this is not a run's
#: output that repeats; 131,072 hashes take about 10 MB as a Python set.
SHAPE_CAP = 1 << 17
KEY_MAX = TemplateCounter.KEY_MAX
_CACHE_MAX = 1 << 16  # digit-free lines remembered with their shape
_CACHE_BYTES = 16 << 20  # and their bytes at most (a line is up to KEY_MAX bytes)
_KEEP_BYTES = 4 << 20  # shapes kept for a run to take over (a good run's: a few MB)
# Column padding is no part of a shape (as ``stats`` merges templates that differ in it).
# ``[ \t]+`` with a single space left alone: far fewer matches, the same result; it starts
# with a char class, so ``re`` still skips to candidates with its fast scan.
_BLANKS = re.compile(rb"[ \t](?:[ \t]+|(?<=\t))")
# A raw task log's entry prefix (time, level, bar) and continuation bar: a step's
# own line carries neither, so a task-log baseline is shaped without them.
_TASKLOG_PREFIX = re.compile(
    rb"^(?:\xef\xbb\xbf)?(?:(?:\d{4}-\d\d-\d\dT)?\d\d:\d\d:\d\d\S*\s+[A-Za-z]+)?[ \t]*\| ?",
    re.M,
)


def shape_hash(shape: bytes) -> int:
    """The 64-bit hash of a shape, the same in every process."""
    return int.from_bytes(blake2b(shape, digest_size=8).digest(), "little")


def shape_of(line: bytes) -> bytes:
    """The shape of one line (for display: ``diff --json``, ``stats``)."""
    key = coarse(line.rstrip(b"\r\n")[:KEY_MAX])
    return _BLANKS.sub(b" ", template_uncached(key)).strip()


# The same prefix once templated (``stats`` has templates, not lines).
_TEMPLATED_PREFIX = re.compile(rb"^<ts>\S*\s+[A-Za-z]+[ \t]*\| ?|^[ \t]+\| ?")


def template_hashes(templates: Iterable[bytes], tasklog: bool = False) -> list[int]:
    """The shape hash of each template (``stats``'s, of lines of a raw task log if ``tasklog``)."""
    out = []
    for tpl in templates:
        body = _TEMPLATED_PREFIX.sub(b"", tpl, count=1) if tasklog else tpl
        out.append(shape_hash(_BLANKS.sub(b" ", body).strip()))
    return out


def split_keys(chunk: bytes) -> list[bytes]:
    """The digit-free form of each line of a whole-line chunk, cut to :data:`KEY_MAX`."""
    keys = coarse(chunk).split(b"\n")
    if keys and not keys[-1]:
        keys.pop()
    if len(chunk) > KEY_MAX and max(map(len, keys), default=0) > KEY_MAX:
        keys = [k[:KEY_MAX] for k in keys]
    return keys


class Shaper:
    """Maps digit-free lines to shape hashes, the regex run once per distinct line."""

    def __init__(self, tasklog: bool = False, *, keep: bool = False) -> None:
        self.tasklog = tasklog  # input lines carry a raw task log's prefix
        self.cache: dict[bytes, int] = {}  # digit-free line -> shape hash (bounded)
        # Lines shaped by another Shaper of the same kind (the baseline's load), not met here
        # yet: taken over (popped) when met. Counts in the cache's bounds; dropped at a clear.
        self.prior: dict[bytes, int] = {}
        self._bytes = 0  # of the cache's and the prior's lines
        # shape hash -> shape, of the last call's lines (b"" for one the caller said it has)
        self.texts: dict[int, bytes] = {}
        # With ``keep``: every shape met, hash -> shape (bounded as the cache), for a Shaper
        # that takes this one's cache over: it then needs no regex for their texts either.
        self.shapes: dict[int, bytes] | None = {} if keep else None
        self._shape_bytes = 0
        self._prior_shapes: dict[int, bytes] = {}  # the :attr:`shapes` of the one taken over

    def take(self, prior: dict[bytes, int], shapes: dict[int, bytes] | None = None) -> None:
        """Start with ``prior`` (another Shaper's :attr:`cache`, of the same kind: its lines
        then need no regex here) and that Shaper's :attr:`shapes`."""
        self.prior = prior
        self._bytes += sum(map(len, prior))
        self._prior_shapes = shapes or {}

    def learn(
        self, distinct: set[bytes], have: set[int] | frozenset[int] = frozenset()
    ) -> tuple[dict[bytes, int], bool]:
        """Shape the lines of ``distinct`` (digit-free, no newline) the cache lacks: ``({key:
        hash} of those, whether the cache started anew)``. Every line of ``distinct`` is in
        :attr:`cache` afterwards: past its bound the cache starts anew with ``distinct``.
        ``have``: shapes whose text the caller needs not (from :attr:`prior` only)."""
        cache, prior = self.cache, self.prior
        missing = distinct.difference(cache)  # in C: a set minus a dict's keys
        if not missing:
            self.texts = {}
            return {}, False
        # ``filter``, not ``intersection``: that one walks the whole dict.
        reused = {k: prior.pop(k) for k in filter(prior.__contains__, missing)} if prior else {}
        if reused:
            missing.difference_update(reused)
        size = sum(map(len, missing))
        held = len(cache) + len(prior) + len(reused)
        cleared = held + len(missing) > _CACHE_MAX or self._bytes + size > _CACHE_BYTES
        if cleared:
            cache.clear()
            prior.clear()
            self._bytes = size = sum(map(len, distinct))
            missing = distinct.difference(reused)
        else:
            self._bytes += size
        # A prior line's hash is known; its text is needed once per shape the caller lacks.
        texts = dict.fromkeys(reused.values(), b"")
        wanted = {h: k for k, h in reused.items() if h not in have}
        if wanted and self._prior_shapes:
            known = {h: t for h in wanted if (t := self._prior_shapes.get(h)) is not None}
            texts.update(known)
            for h in known:
                del wanted[h]
        keys = [*missing, *wanted.values()]
        learned: dict[bytes, int] = {}
        if keys:
            joined = b"\n".join(keys)
            if self.tasklog:
                joined = _TASKLOG_PREFIX.sub(b"", joined)
            shapes = _BLANKS.sub(b" ", template_uncached(joined)).split(b"\n")
            shapes = list(map(bytes.strip, shapes))
            hashes = list(map(shape_hash, shapes))
            learned = dict(zip(keys[: len(missing)], hashes, strict=False))
            texts.update(zip(hashes, shapes, strict=True))
            if self.shapes is not None:
                self._keep(hashes, shapes)
        self.texts = texts
        cache.update(learned)
        cache.update(reused)
        learned.update(reused)
        return learned, cleared

    def adopt(self, pairs: dict[bytes, int], texts: dict[int, bytes]) -> None:
        """Lines another Shaper of the same kind shaped (``pairs``; ``texts``: their shapes):
        into the cache while it has room (else they are shaped again if met)."""
        size = sum(map(len, pairs))
        held = len(self.cache) + len(self.prior) + len(pairs)
        if held <= _CACHE_MAX and self._bytes + size <= _CACHE_BYTES:
            self.cache.update(pairs)
            self._bytes += size
        if self.shapes is not None and texts:
            self._keep(list(texts), list(texts.values()))

    def _keep(self, hashes: list[int], shapes: list[bytes]) -> None:
        kept = self.shapes
        assert kept is not None
        if len(kept) + len(hashes) > _CACHE_MAX or self._shape_bytes > _KEEP_BYTES:
            return  # enough: the rest are templated again where they are needed
        kept.update(zip(hashes, shapes, strict=True))
        self._shape_bytes += sum(map(len, shapes))


class Shapes:
    """A set of shape hashes, built from whole-line chunks (a baseline, or a run's own lines)."""

    def __init__(self, cap: int = SHAPE_CAP, *, tasklog: bool = False, keep: bool = False) -> None:
        self.cap = cap
        self.hashes: set[int] = set()
        self.full = False  # the cap was reached: some shapes were not added
        self.shaper = Shaper(tasklog, keep=keep)  # its cache: the lines already added
        self._variables = Variables()  # which token positions vary (engine/variables.py)

    def feed(self, chunk: bytes) -> None:
        """Add the shapes of a chunk that ends at a line end (only the last may not)."""
        if chunk:
            self.feed_keys(set(split_keys(chunk)))

    def feed_keys(self, keys: set[bytes]) -> None:
        """:meth:`feed` for lines already in key form (:func:`split_keys`)."""
        if keys:
            self.shaper.learn(keys)
            self.add_shapes(self.shaper.texts)

    def adopt(self, pairs: dict[bytes, int], texts: dict[int, bytes]) -> None:
        """Add lines another Shapes' Shaper of the same kind shaped (:meth:`Shaper.adopt`)."""
        self.shaper.adopt(pairs, texts)
        self.add_shapes(texts)

    def add_shapes(self, texts: dict[int, bytes]) -> None:
        """Add shapes (hash -> shape), and the skeletons their new ones show to vary."""
        fresh = [text for h, text in texts.items() if h not in self.hashes]
        self.add(texts)
        if fresh and not self.full:
            self.add(self._variables.learn(fresh))

    def add(self, hashes: Iterable[int]) -> None:
        """Add shape hashes (from an index file, another run), up to the cap."""
        mine = self.hashes
        if self.full:
            return
        mine.update(hashes)
        if len(mine) > self.cap:
            # Which ones go does not matter for correctness, only that the set stays bounded.
            for _ in range(len(mine) - self.cap):
                mine.pop()
            self.full = True

    @property
    def capped(self) -> bool:
        """A cap was reached (shapes left out, or values of tokens not remembered): which
        ones depends on the order the lines came in."""
        return self.full or len(self._variables.first) >= FIRST_CAP

    def __len__(self) -> int:
        return len(self.hashes)


class Baseline:
    """Which lines of a run are *new*: their shape is not among the baseline's.

    Also remembers the run's own shapes (:attr:`seen`), so that a successful run can be the
    next run's baseline, and counts the new ones (:attr:`new_shapes`).

    Per chunk the work is C: the digit-free lines, their set, the set minus the lines met
    before, and that set met with the new ones (:attr:`_fresh`). Only lines not met before
    are templated and tested against the baseline, and only a chunk holding a new line is
    walked line by line (in C, too: ``compress`` over ``map``).
    """

    def __init__(
        self,
        known: set[int] | frozenset[int] | None,
        *,
        tasklog: bool = False,
        prior: Shaper | None = None,
    ) -> None:
        self.known = known  # None: nothing to compare with yet; only learn the run's shapes
        self.seen = Shapes()  # this run's shapes
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
            prior.cache, prior.shapes = {}, None
        self._fresh: set[bytes] = set()  # lines of the shaper's cache whose shape is new
        # The rest of the cache's lines: a chunk of those only needs their hashes looked up.
        self._old: set[bytes] = set()

    def _new_keys(self, distinct: set[bytes]) -> set[bytes]:
        learned, cleared = self._shaper.learn(distinct, self.seen.hashes)
        if cleared:
            self._fresh.clear()
            self._old.clear()
        if learned:
            texts = self._shaper.texts
            self.seen.add_shapes(texts)
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
            self._old.update(learned.keys() - self._fresh)
        return self._fresh.intersection(distinct) if self._fresh else self._fresh

    def new_lines(self, chunk: bytes) -> list[int]:
        """The indexes of the new lines of a whole-line chunk (0 = its first line)."""
        return self._new_in(chunk)[0]

    def new_offsets(self, chunk: bytes) -> list[int]:
        """Where each new line of a whole-line chunk starts (its byte offset), in order."""
        indexes, keys = self._new_in(chunk)
        if not indexes:
            return []
        # Line ends from the lengths (a key is as long as its line), summed in C.
        ends = list(accumulate(map(len, keys[: indexes[-1]])))
        return [ends[i - 1] + i if i else 0 for i in indexes]

    def _new_in(self, chunk: bytes) -> tuple[list[int], list[bytes]]:
        """:meth:`new_lines`, and the chunk's keys (uncut)."""
        if not chunk:
            return [], []
        keys = coarse(chunk).split(b"\n")
        if keys and not keys[-1]:
            keys.pop()
        # Most lines of a run were met before and are not new: one look-up per line, no set
        # of the chunk built (a line past KEY_MAX is never in ``_old``: its key is cut,
        # below). Then only the rest are looked at (new lines, lines not met yet).
        old = self._old
        met = list(map(old.__contains__, keys))
        if all(met):
            return [], keys
        at = list(compress(count(), map(not_, met)))
        rest = list(map(keys.__getitem__, at))
        if max(map(len, rest)) > KEY_MAX:
            rest = [k[:KEY_MAX] for k in rest]
        fresh = self._new_keys(set(rest).difference(old))
        if not fresh:
            return [], keys
        return list(compress(at, map(fresh.__contains__, rest))), keys

    def is_new(self, line: bytes) -> bool:
        """Whether one line is new (:meth:`new_lines` is the fast way for many)."""
        return bool(self.new_lines(line.rstrip(b"\n")))
