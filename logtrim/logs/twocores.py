"""Counting a large input's templates on two cores: the second part of a plain file, or
most of a raw task log's templates, in a forked process (:mod:`.aside`) while this one reads on.
The halves of a plain file hold mostly the same distinct lines: each process templates half
of them and hands the other its templates, so each line meets the regex once.

Lines are counted alike wherever the file is cut, so the figures are those of one pass.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..engine.stats.counting import TemplateCounter, TemplateStat
from ..engine.stats.tiertally import Tiers, TierTally
from .aside import Link, talk
from .inputs import Input, InputFormat, open_input
from .linechunks import CHUNK, MAX_LINE, line_chunks
from .tiers import by_key, line_tiers

if TYPE_CHECKING:
    from .declared import Hits
    from .stats import InputStats

# The share of a large plain file this process counts, in percent; the other process counts
# the rest. This one also reads through the input's layers: with half each, the other waited
# for it on the benchmark's deploy log (its time to the exchange 1.04x-1.26x the other's;
# 0.95x at 48). On the short-line log 1.0x at 50, 0.97x at 48.
FIRST_PERCENT = 49
# Lines, bytes and templates of a part of a file, and its declaring lines (Hits.starts).
Counts = tuple[int, int, dict[bytes, TemplateStat], list[int] | None]


def count_plain(
    inp: Input,
    chunks: Iterable[bytes],
    counter: TemplateCounter,
    info: InputStats,
    min_size: int,
    hits: Hits | None = None,
    tally: TierTally | None = None,
) -> None:
    # A large plain file: its second part (from a line start past FIRST_PERCENT) is counted
    # on the second core. Lines are counted alike wherever the file is cut, so the figures
    # are the same.
    # ``hits``: gathers the declaring lines of all of it, each process those of its half;
    # ``tally``: each line's tier, each process its half's (a half has no head lines).
    half = _half(inp, min_size)
    tiers = tally is not None
    # Most lines' tiers counted by key as the counter folds, until it has folded this half
    # (asked before the fork: the other process finds the rules compiled).
    fed = None if half and tally is not None and by_key(counter, tally) else tally
    side = talk(functools.partial(_second_half, inp.path, half, hits, tiers)) if half else None
    for chunk in chunks:
        last = bool(half) and info.bytes + len(chunk) >= half
        mine = chunk[: half - info.bytes] if last else chunk
        _feed(mine, counter, hits, fed)
        info.bytes += len(mine)
        if last:
            inp.close()
            break
    if half:
        got = _with_second_half(counter, side) if side else None
        counter.result()  # this half's templates first, as a single pass would list them
        counter.watch = None
        if got is None:  # the other process failed: this one counts its half
            lines, size, templates, starts = count_file(inp.path, half, hits, tally)
        else:
            (lines, size, templates, starts), their_tiers = got
            if tally is not None and their_tiers is not None:
                tally.absorb(their_tiers)
        counter.add(lines, templates)
        info.bytes += size
        if hits is not None:
            hits.extend(starts)


def _with_second_half(
    counter: TemplateCounter, side: tuple[Link, Callable[[], bool]]
) -> tuple[Counts, Tiers | None] | None:
    """The other process's counts of the second half, the templates of the lines both
    halves hold made once: each process makes those of one parity and hands them over."""
    link, done = side
    try:
        mine = counter.share(0)
        theirs = link.receive()
        link.send(mine)
        del mine  # (its blobs: not held while the other's are learned)
        counter.learn(theirs)
        del theirs
        counter.result()  # while the other process folds its half
        got: tuple[Counts, Tiers | None] | None = link.receive()
    except Exception:  # the other process failed: this one counts its half
        got = None
    finally:
        ok = done()
    return got if ok else None


def _half(inp: Input, min_size: int) -> int:
    """Where a large plain file is cut for counting on two cores (a line start), else 0."""
    return line_start(inp, 100, min_size, FIRST_PERCENT)


def line_start(inp: Input, parts: int, min_size: int, share: int = 1) -> int:
    """The first line start from ``share / parts`` of a plain file of ``min_size`` bytes or more
    (where it is cut for counting on two cores), else 0: too small, compressed (no seeking),
    stdin, or no line starts there."""
    size = inp.size or 0
    if inp.path == "-" or inp.format != InputFormat.PLAIN or size < min_size or inp.utf16:
        return 0  # (a UTF-16 file's half would be counted from its raw bytes)
    if size * share < parts:  # (a cut at byte 0: no cut)
        return 0
    at = size * share // parts
    try:
        with open(inp.path, "rb") as file:
            file.seek(at - 1)
            near = file.read(MAX_LINE)
    except OSError:
        return 0
    newline = near.find(b"\n")
    return at + newline if 0 <= newline < len(near) - 1 else 0


def count_file(
    path: str, start: int = 0, hits: Hits | None = None, tally: TierTally | None = None
) -> Counts:
    """Lines, bytes and templates of the input at ``path``, read anew (a plain file from
    byte ``start``, a line start); with ``hits``, also the part's declaring lines; with
    ``tally``, its lines' tiers too."""
    part = None if hits is None else hits.part(start)
    if not start:
        raw: Iterable[bytes] = open_input(path, binary=True).chunks()
        counter, size = _counted(raw, part, tally=tally)
    else:
        with open(path, "rb") as file:
            file.seek(start)
            chunks = iter(functools.partial(file.read, CHUNK), b"")
            counter, size = _counted(chunks, part, start, tally)
    return counter.lines, size, counter.result(), None if part is None else part.starts


def _second_half(path: str, start: int, hits: Hits | None, tiers: bool, link: Link) -> None:
    """In the other process: count a plain file from byte ``start`` (a line start), make
    the templates of one parity of its distinct lines, take the others' and send the
    figures (with ``tiers``, its lines' tiers too)."""
    part = None if hits is None else hits.part(start)
    tally = line_tiers(part=True) if tiers else None
    with open(path, "rb") as file:
        file.seek(start)
        chunks = iter(functools.partial(file.read, CHUNK), b"")
        counter, size = _counted(chunks, part, start, tally, keyed=True)
    link.send(counter.share(1))
    counter.learn(link.receive())
    starts = None if part is None else part.starts
    if tally is not None:
        tally.finish()
    counts = (counter.lines, size, counter.result(), starts)
    link.send((counts, None if tally is None else tally.counts()))


def _counted(
    raw: Iterable[bytes],
    hits: Hits | None,
    start: int = 0,
    tally: TierTally | None = None,
    keyed: bool = False,
) -> tuple[TemplateCounter, int]:
    """``keyed``: the tally is fed by the counter (most lines by key, as it folds)."""
    counter = TemplateCounter()
    if keyed and tally is not None and by_key(counter, tally):
        tally = None
    size = 0
    for chunk in line_chunks(raw, start):
        _feed(chunk, counter, hits, tally)
        size += len(chunk)
    return counter, size


def _feed(
    chunk: bytes, counter: TemplateCounter, hits: Hits | None, tally: TierTally | None
) -> None:
    before = counter.lines
    counter.feed(chunk)
    if hits is not None:
        hits.feed(chunk)
    if tally is not None:
        # The counter split the chunk into lines: its newlines are known (a C count less).
        ends = counter.lines - before - (not chunk.endswith(b"\n")) if chunk else 0
        tally.feed(chunk, ends)
