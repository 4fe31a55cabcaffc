"""Finding candidate lines in a whole chunk: the lines where a literal, a regex or a pass's
strings are, each line's start with the prefilter's pieces that brought it (:mod:`.prefilter`).

Each search runs over the whole chunk in C; Python steps once per hit, and a line found many
times by one pass ("::::") is taken whole after :data:`PER_LINE` finds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = [
    "PER_LINE",
    "Candidates",
    "add",
    "all_of",
    "every_line",
    "lines_at_byte",
    "lines_with_group",
    "lines_with_literal",
    "lines_with_regex",
    "merge",
    "or_into",
]

Candidates = dict[int, list[int]]  # line start -> pieces that may match the line
# A pass's strings found on one line at most this many times (a search each); then the line
# is a candidate of all its strings, and the pass goes on at the next line: a line of one
# byte repeated ("::::", "====") costs a few searches, not one per byte.
PER_LINE = 8


def line_starts(data: bytes) -> Callable[[int], int]:
    """``end -> `` the start of the line of a match ending at ``end`` (one past its last
    byte; 0 for a match at 0), asked in order of ``end`` as a scan reports them: each look
    reads back only to the last one's place. ``rfind`` from the data's start read a line back
    to its start for each match: a line of megabytes with an error word every 20 bytes took
    12 s for 4 MB, the square of its length."""
    rfind = data.rfind
    seen = start = 0  # no newline in data[start:seen]

    def of(end: int) -> int:
        nonlocal seen, start
        if not end:
            return 0
        last = end - 1
        if last >= seen:
            newline = rfind(b"\n", seen, last)
            if newline >= 0:
                start = newline + 1
        else:  # reported out of order: read back from the data's start
            start = rfind(b"\n", 0, last) + 1
        seen = last
        return start

    return of


def or_into(
    hits: dict[int, int], data: bytes, bits: Sequence[int], offset: int = 0
) -> Callable[[int, int, int, int, object], None]:
    """A scan's match handler that ORs each rule's bit into ``hits`` at its line's start, a
    match at ``to`` in a view of ``data`` from ``offset``: :func:`line_starts` inlined, as a
    call per match costs (a chunk's scan reports one match or more per hit line)."""
    rfind, get = data.rfind, hits.get
    seen = start = 0  # no newline in data[start:seen]

    def on_match(rule: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
        nonlocal seen, start
        last = offset + to - 1
        if last >= seen:
            newline = rfind(b"\n", seen, last)
            if newline >= 0:
                start = newline + 1
            seen = last
        elif last >= 0:  # reported out of order: read back from the data's start
            start, seen = rfind(b"\n", 0, last) + 1, last
        else:
            start = 0
        hits[start] = get(start, 0) | bits[rule]

    return on_match


def add(cand: Candidates, start: int, ids: Sequence[int]) -> None:
    got = cand.get(start)
    if got is None:
        cand[start] = list(ids)
    else:
        got.extend(ids)


def lines_with_literal(
    hay: bytes, lit: bytes, ids: Sequence[int], cand: Candidates, limit: int = -1
) -> bool:
    """Adds the lines that contain ``lit``; False if it gave up after ``limit`` of them."""
    find, rfind = hay.find, hay.rfind
    pos = find(lit)
    while pos >= 0:
        add(cand, rfind(b"\n", 0, pos) + 1, ids)
        limit -= 1
        if limit == 0:
            return False
        end = find(b"\n", pos)
        if end < 0:
            break
        pos = find(lit, end + 1)
    return True


def lines_with_regex(
    hay: bytes, rx: re.Pattern[bytes], ids: Sequence[int], cand: Candidates, skip: int = 0
) -> None:
    """Adds the lines where ``rx`` matches (``skip``: bytes of the match before the line)."""
    search, find, rfind = rx.search, hay.find, hay.rfind
    m = search(hay)
    while m is not None:
        pos = m.start() + skip
        add(cand, rfind(b"\n", 0, pos) + 1, ids)
        end = find(b"\n", pos)  # the next line may hold a match of its own
        if end < 0:
            return
        # A match that starts at a line's "\n" (a user rule may match one) is in no line.
        m = search(hay, end if end > m.start() else end + 1)


def lines_with_group(
    hay: bytes, rx: re.Pattern[bytes], ids_of: dict[int, list[int]], cand: Candidates
) -> None:
    """Adds the lines where each string of ``rx`` is, with that string's pieces: re is asked
    again from the next byte on, so no string hides another on its line."""
    search, rfind, find = rx.search, hay.rfind, hay.find
    line = tries = 0
    every: list[int] = []  # all the pass's pieces, made once needed
    m = search(hay)
    while m is not None:
        pos = m.start()
        start = rfind(b"\n", 0, pos) + 1
        line, tries = (line, tries + 1) if start == line else (start, 1)
        if tries > PER_LINE:  # a string at every byte ("::::"): the line is done
            every = every or all_of(ids_of)
            add(cand, start, every)
            end = find(b"\n", pos)
            if end < 0:
                return
            m = search(hay, end + 1)
            continue
        add(cand, start, ids_of[m.lastindex or 0])
        m = search(hay, pos + 1)


def lines_at_byte(
    hay: bytes, byte: bytes, rx: re.Pattern[bytes], ids_of: dict[int, list[int]], cand: Candidates
) -> None:
    """As :func:`lines_with_group` for a pass whose first byte is rare: each occurrence of
    that byte (found by ``bytes.find``) is where the pass's regex is tried."""
    find, match, rfind = hay.find, rx.match, hay.rfind
    line, tries = -1, 0
    end = -1  # the end of the line of the last try
    every: list[int] = []
    pos = find(byte)
    while pos >= 0:
        if pos > end:
            end = find(b"\n", pos)
            end = len(hay) if end < 0 else end
            line, tries = rfind(b"\n", 0, pos) + 1, 0
        tries += 1
        if tries > PER_LINE:  # the byte at every byte of the line ("::::"): it is done
            every = every or all_of(ids_of)
            add(cand, line, every)
            pos = find(byte, end + 1)
            continue
        m = match(hay, pos)
        if m is not None:
            add(cand, line, ids_of[m.lastindex or 0])
        pos = find(byte, pos + 1)


def all_of(ids_of: dict[int, list[int]]) -> list[int]:
    """The pieces of every string of a pass: a superset of a line's, where it holds many."""
    return sorted({k for ids in ids_of.values() for k in ids})


def every_line(chunk: bytes, ids: Sequence[int], cand: Candidates) -> None:
    """Adds every line: for pieces that only their own regex on each line can judge."""
    start = 0
    for line in chunk.split(b"\n"):
        add(cand, start, ids)
        start += len(line) + 1


def merge(cand: Candidates, more: Candidates) -> None:
    """Adds the lines of ``more`` with their pieces."""
    for start, ids in more.items():
        add(cand, start, ids)
