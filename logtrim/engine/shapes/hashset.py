"""A compact set of 64-bit hashes: a good run's line shapes when there may be millions. Sans-IO.

A Python ``set`` of ints takes about 90 bytes a hash (the int object, and a table kept at
most 60% full): 100 MB for the 1.2 million shapes of a log of distinct lines. Here a hash
takes 8 bytes and a little slack: the hashes are spread over :data:`BUCKETS` sorted arrays
by their top bits (shape hashes are uniform), found by ``bisect`` and added by
``bisect.insort`` (a ``memmove`` of one bucket, a few kB even at 8 million hashes). A look-up
costs a few hundred nanoseconds more than a set's: fine where a hash is looked up once per
distinct line, not once per line.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from typing import Protocol

_BITS = 12
BUCKETS = 1 << _BITS
_SHIFT = 64 - _BITS


class Hashes(Protocol):
    """What a set of shape hashes is used for: a ``set[int]``, or a :class:`HashSet`."""

    def __contains__(self, h: object, /) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[int]: ...
    def add(self, h: int, /) -> None: ...
    def update(self, hashes: Iterable[int], /) -> None: ...
    def pop(self) -> int: ...
    def issuperset(self, hashes: Iterable[int], /) -> bool: ...


class HashSet:
    """A set of unsigned 64-bit ints (shape hashes), 8 bytes each."""

    __slots__ = ("_buckets", "_len")

    def __init__(self, hashes: Iterable[int] = ()) -> None:
        self._buckets = [array("Q") for _ in range(BUCKETS)]
        self._len = 0
        self.update(hashes)

    def add(self, h: int) -> None:
        self.update((h,))

    def update(self, hashes: Iterable[int]) -> None:
        buckets = self._buckets
        for h in hashes:
            bucket = buckets[h >> _SHIFT]
            at = bisect_left(bucket, h)
            if at == len(bucket) or bucket[at] != h:
                bucket.insert(at, h)  # (OverflowError past 64 bits, or negative)
                self._len += 1

    def pop(self) -> int:
        """Remove and return some hash (KeyError when empty)."""
        for bucket in reversed(self._buckets):
            if bucket:
                self._len -= 1
                return bucket.pop()
        raise KeyError("pop from an empty HashSet")

    def issuperset(self, hashes: Iterable[int]) -> bool:
        return all(map(self.__contains__, hashes))

    def __contains__(self, h: object) -> bool:
        if not isinstance(h, int) or h >> 64:  # (negative, or wider than a hash)
            return False
        bucket = self._buckets[h >> _SHIFT]
        at = bisect_left(bucket, h)
        return at < len(bucket) and bucket[at] == h

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[int]:
        for bucket in self._buckets:
            yield from bucket
