"""Which held error lines go first when the held store is full: a rank, then age.

Under a tight budget the engine holds the error blocks it could not show live
(:class:`~.history.Held`) for the end of a failed run. Dropping the oldest first loses the
block that names the failure (a traceback ending in the exception before the exit) to the
later, lesser errors a test suite or a retry loop goes on printing. So a block (an
*incident*: an error line with its stack trace and the lines after it) ranks:

    NAMED     holds the line the failure reason names (:mod:`.reason`): kept longest
    DISTINCT  no newer held block has its shape (its lines but numbers and level names)
    REPEAT    a newer held block has the same shape: the older copy goes first

and within a rank the oldest goes first. A run of flood lines (one raw block, see
:meth:`~.history.Held.add_run`) gets no shape worked out, so no per-line cost: it ranks as
distinct and loses its oldest lines first. Plain functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import IntEnum

from .templates import coarse

# The same message logged at two levels is the same failure.
_LEVEL = re.compile(rb"\b(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL)\b")
_NUMBER = re.compile(rb"0{2,}")  # after ``coarse``: 9 and 10 are the same number

#: A held entry as ranked: (first line number, end line number, incident; -1: a flood run).
Span = tuple[int, int, int]


def same(text: bytes) -> bytes:
    """What two reports of the same failure share: all but numbers and the level's name."""
    return _LEVEL.sub(b"L", _NUMBER.sub(b"0", coarse(text)))


class Rank(IntEnum):
    """How long a held block is kept; the lowest rank is evicted first."""

    REPEAT = 0
    DISTINCT = 1
    NAMED = 2


def ranks(spans: Sequence[Span], shapes: dict[int, int], named: tuple[int, int]) -> list[Rank]:
    """The rank of each entry. ``shapes``: incident -> a hash of its block's shape (the
    :func:`same` form of its lines; 0: none); ``named``: the first and last line numbers of the
    block that holds the failure reason (the incidents of its lines are part of it)."""
    low, high = named
    inside = [first <= high and low < end for first, end, _ in spans]
    incidents = {span[2] for span, hit in zip(spans, inside, strict=True) if hit}
    incidents.discard(-1)
    newest: dict[int, int] = {}
    for _, _, incident in spans:
        if shape := shapes.get(incident):
            newest[shape] = max(newest.get(shape, -1), incident)
    out: list[Rank] = []
    for (_, _, incident), hit in zip(spans, inside, strict=True):
        if hit or incident in incidents:
            out.append(Rank.NAMED)
        elif (shape := shapes.get(incident)) and newest[shape] != incident:
            out.append(Rank.REPEAT)
        else:
            out.append(Rank.DISTINCT)
    return out


def victims(rank: Sequence[Rank]) -> list[int]:
    """Entry indexes in eviction order: the lowest rank first, then the oldest (the store
    keeps entries in arrival order)."""
    return sorted(range(len(rank)), key=lambda i: (rank[i], i))
