"""Digit-free lines to line shapes, the template regex run once per distinct line. Sans-IO.

See :mod:`.baseline` for what a shape is. A :class:`Shaper` maps a chunk's distinct
digit-free lines (*keys*: :func:`split_keys`) to shape hashes: only the keys its bounded
cache lacks meet the regex, all of them joined in one pass. The cache holds at most
65,536 keys and 16 MB of them, and starts anew past that.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Container, Hashable
from hashlib import blake2b
from itertools import compress
from operator import not_

from ..._regex import lazy
from ..stats.counting import TemplateCounter
from .templates import coarse, has_redraws, last_state, template_uncached
from .variables import Cuts

KEY_MAX = TemplateCounter.KEY_MAX
_CACHE_MAX = 1 << 16  # digit-free lines remembered with their shape
_CACHE_BYTES = 16 << 20  # and their bytes at most (a line is up to KEY_MAX bytes)
_KEEP_BYTES = 4 << 20  # shapes kept for a run to take over (a good run's: a few MB)
# Column padding is no part of a shape (as ``stats`` merges templates that differ in it).
# ``[ \t]+`` with a single space left alone: far fewer matches, the same result; it starts
# with a char class, so ``re`` still skips to candidates with its fast scan.
_BLANKS = lazy(rb"[ \t](?:[ \t]+|(?<=\t))")
# A raw task log's entry prefix (time, level, bar) and continuation bar: a step's
# own line carries neither, so a task-log baseline is shaped without them.
_TASKLOG_PREFIX = lazy(
    rb"^(?:\xef\xbb\xbf)?(?:(?:\d{4}-\d\d-\d\dT)?\d\d:\d\d:\d\d\S*\s+[A-Za-z]+)?[ \t]*\| ?",
    re.M,
)


# A line met before is found by its ``hash()`` (64 bits, this process only): a set of ints is
# probed without reading the line met before again (a cache miss per line, on a large log).
# Two lines with one hash would make a line not met yet pass for one met, with odds of
# 65,536/2⁶⁴ per line: the odds the shape hash already takes. Where ``hash()`` is narrower,
# the lines themselves are kept.
MET: Callable[[bytes], Hashable] = hash if sys.hash_info.width >= 64 else bytes


def shape_hash(shape: bytes) -> int:
    """The 64-bit hash of a shape, the same in every process."""
    return int.from_bytes(blake2b(shape, digest_size=8).digest(), "little")


def split_keys(chunk: bytes) -> list[bytes]:
    """The digit-free form of each line of a whole-line chunk, cut to :data:`KEY_MAX`."""
    keys = coarse(chunk).split(b"\n")
    if keys and not keys[-1]:
        keys.pop()
    if len(chunk) > KEY_MAX and max(map(len, keys), default=0) > KEY_MAX:
        keys = [k[:KEY_MAX] for k in keys]
    return keys


def _last(key: bytes) -> bytes:
    """A line redrawn with ``\\r``: its last state, as ``stats`` templates it (whatever the
    number of redraws, one shape; in a line cut to :data:`KEY_MAX`, the last state in its
    first bytes); any other as it is."""
    last = last_state(key.rstrip(b"\r"))
    return key if last is None else last


class Shaper:
    """Maps digit-free lines to shape hashes, the regex run once per distinct line."""

    def __init__(self, tasklog: bool = False, *, keep: bool = False) -> None:
        self.tasklog = tasklog  # input lines carry a raw task log's prefix
        self.cache: dict[bytes, int] = {}  # digit-free line -> shape hash (bounded)
        self.met: set[Hashable] = set()  # :data:`MET` of lines the cache has (not all of them)
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
        # The cuts of the shapes met, set by a keeping Shapes (:mod:`.variables`), for a run
        # that takes this one over.
        self.cuts: Cuts | None = None

    def take(self, prior: dict[bytes, int], shapes: dict[int, bytes] | None = None) -> None:
        """Start with ``prior`` (another Shaper's :attr:`cache`, of the same kind: its lines
        then need no regex here) and that Shaper's :attr:`shapes`."""
        self.prior = prior
        self._bytes += sum(map(len, prior))
        self._prior_shapes = shapes or {}

    def unmet(self, chunk: bytes) -> set[bytes]:
        """The distinct keys of a whole-line chunk not met before (a few met before may be
        among them: :meth:`learn` passes those over). The lines met before are looked up by
        :data:`MET`, in C; a chunk of those builds no set at all."""
        keys = coarse(chunk).split(b"\n")
        if keys and not keys[-1]:
            keys.pop()
        # One look-up per line (a key past KEY_MAX is never met as it is, only cut).
        flags = list(map(self.met.__contains__, map(MET, keys)))
        if all(flags):
            return set()
        rest = set(compress(keys, map(not_, flags)))
        if max(map(len, rest)) > KEY_MAX:
            rest = {k[:KEY_MAX] for k in rest}
        return rest

    def learn(
        self, distinct: set[bytes], have: Container[int] = frozenset()
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
            self.met.clear()
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
            if has_redraws(joined):
                joined = b"\n".join([_last(key) if b"\r" in key else key for key in keys])
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
        self.met.update(map(MET, distinct))  # all in the cache now
        learned.update(reused)
        return learned, cleared

    def pass_over(self, keys: set[bytes]) -> None:
        """Lines another process shapes: :meth:`unmet` gives them no more (while the set of
        lines met is under its bound; past it, it starts anew)."""
        if len(self.met) > _CACHE_MAX:
            self.met.clear()
        self.met.update(map(MET, keys))

    def adopt(self, pairs: dict[bytes, int], texts: dict[int, bytes]) -> None:
        """Lines another Shaper of the same kind shaped (``pairs``; ``texts``: their shapes):
        into the cache while it has room (else they are shaped again if met)."""
        size = sum(map(len, pairs))
        held = len(self.cache) + len(self.prior) + len(pairs)
        if held <= _CACHE_MAX and self._bytes + size <= _CACHE_BYTES:
            self.cache.update(pairs)
            self.met.update(map(MET, pairs))
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
