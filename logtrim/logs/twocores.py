"""Counting a large input's templates on two cores: the second half of a plain file, or a
whole raw task log's templates, in a forked process (:mod:`.aside`) while this one reads on.

Lines are counted alike wherever the file is cut, so the figures are those of one pass.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..engine.counting import Handoff, TemplateCounter, TemplateStat
from .aside import aside
from .inputs import CHUNK, MAX_LINE, Input, InputFormat, line_chunks, open_input

if TYPE_CHECKING:
    from .stats import InputStats


def count_plain(
    inp: Input, chunks: Iterable[bytes], counter: TemplateCounter, info: InputStats, min_size: int
) -> None:
    # A large plain file: its second half (from a line start) is counted on the second
    # core. Lines are counted alike wherever the file is cut, so the figures are the same.
    half = _half(inp, min_size)
    side = aside(functools.partial(_second_half, inp.path, half)) if half else None
    for chunk in chunks:
        last = bool(half) and info.bytes + len(chunk) >= half
        mine = chunk[: half - info.bytes] if last else chunk
        counter.feed(mine)
        info.bytes += len(mine)
        if last:
            inp.close()
            break
    if side is not None:
        # The lines both halves hold are templated once: each process takes one parity.
        counter.share(0)
        got = side()
        if got is None:  # (failed: count it here)
            counter.result()
            lines, size, templates = count_file(inp.path, half)
            counter.add(lines, templates)
        else:
            size, handoff = got
            counter.take(handoff)  # this half's templates first, as a single pass lists them
        info.bytes += size


def _half(inp: Input, min_size: int) -> int:
    """Where a large plain file is cut for counting on two cores (a line start), else 0."""
    size = inp.size or 0
    if inp.path == "-" or inp.format != InputFormat.PLAIN or size < max(min_size, 2):
        return 0
    middle = size // 2
    try:
        with open(inp.path, "rb") as file:
            file.seek(middle - 1)
            near = file.read(MAX_LINE)
    except OSError:
        return 0
    newline = near.find(b"\n")
    return middle + newline if 0 <= newline < len(near) - 1 else 0


def count_file(path: str, start: int = 0) -> tuple[int, int, dict[bytes, TemplateStat]]:
    """Lines, bytes and templates of the input at ``path``, read anew (a plain file from
    byte ``start``, a line start)."""
    if not start:
        return _count(open_input(path, binary=True).chunks())
    with open(path, "rb") as file:
        file.seek(start)
        return _count(iter(functools.partial(file.read, CHUNK), b""))


def _second_half(path: str, start: int) -> tuple[int, Handoff]:
    """Bytes and counts of a plain file from byte ``start`` (a line start), templates of one
    parity of the distinct lines made (the other process makes the other's)."""
    with open(path, "rb") as file:
        file.seek(start)
        counter, size = _counted(iter(functools.partial(file.read, CHUNK), b""))
    return size, counter.handoff(counter.share(1))


def _count(raw: Iterable[bytes]) -> tuple[int, int, dict[bytes, TemplateStat]]:
    counter, size = _counted(raw)
    return counter.lines, size, counter.result()


def _counted(raw: Iterable[bytes]) -> tuple[TemplateCounter, int]:
    counter = TemplateCounter()
    size = 0
    for chunk in line_chunks(raw):
        counter.feed(chunk)
        size += len(chunk)
    return counter, size
