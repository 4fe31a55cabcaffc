"""Runs of similar lines in the failure tail, folded around a count (a countdown, a retry
loop does not fill the tail); a line whose number differs where the others agree stays."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from ..._regex import lazy
from ..._sizes import format_count
from ..console.output import STDOUT
from ..shapes.templates import template
from .failure import TailLine

FOLD = 12  # a run of this many similar lines shows as its first and last three
_NUMBER = lazy(rb"\d+")
# An id spelt in hex, inside a word too (``vendors~main.9e3779b1.js``, ``sha256:9e3779b1``):
# 6 hex characters or more, a digit among them. The template reads such an id as ``<hex>``,
# as ``<n>`` when it happens to hold no letter, or (inside a word) as letters and numbers.
# (Not between dashes: a UUID's parts, which the template reads whole.)
_HEX_RUN = lazy(rb"(?<![0-9A-Za-z-])(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{6,}(?![0-9A-Za-z-])")


def similar_key(text: bytes) -> bytes:
    """What similar lines share: their template, each id spelt in hex read as a number
    (lines that differ in a content hash, a digest, a short commit are alike)."""
    return template(_HEX_RUN.sub(b"0", text)).replace(b"<hex>", b"<n>")


def fold(run: list[TailLine], items: list[TailLine]) -> None:
    """Add a run of similar lines to ``items``: folded around a count when it is long. A line
    whose number differs where (nearly) all the others agree (``returned 503`` among
    ``returned 200``) is no line like the others: it is shown in its place."""
    if len(run) < FOLD:
        items.extend(run)
        return
    odd = _outliers(run)
    items.extend(run[:3])
    hidden: list[TailLine] = []
    for i, line in enumerate(run[3:-3], 3):
        if i in odd:
            _hide(hidden, items)
            hidden = []
            items.append(line)
        else:
            hidden.append(line)
    _hide(hidden, items)
    items.extend(run[-3:])


def _hide(hidden: list[TailLine], items: list[TailLine]) -> None:
    """The note that counts ``hidden``; one line alone is shown instead (its note would
    stand in for no more than itself)."""
    if len(hidden) == 1:
        items.extend(hidden)
    elif hidden:
        items.append(similar_note(len(hidden), earlier=hidden[0].earlier))


#: A stretch of lines repeated this many times over, but for numbers and ids (a goroutine
#: dump's idle goroutines, a retry's block), shows as its first and last block.
FOLD_BLOCKS = 4
_BLOCK_MAX = 16  # the longest block looked for, in lines (a goroutine of four frames: 10)


def fold_blocks(items: list[TailLine], *, written_on: bool = False) -> list[TailLine]:
    """``items`` with each stretch of :data:`FOLD_BLOCKS` or more blocks alike (each line as
    its place in the block's, but for numbers and ids; a block of 2 to 16 lines) folded:
    its first and last blocks, and a note that counts the lines between. ``written_on``:
    only lines written one right after the other make a stretch."""
    # A line a rule gives a tier is like no line without one (``3 failures`` among ``0
    # failures``): the block that holds it differs.
    keys = [
        b"\0" if line.lineno < 0 else (b"\2" if line.marked else b"") + similar_key(line.text)
        for line in items
    ]
    if written_on:  # a line after a gap is like no other: no block reads across it
        for k in range(1, len(items)):
            if items[k].lineno != items[k - 1].lineno + 1:
                keys[k] = b"\1%d" % items[k].lineno
    out: list[TailLine] = []
    i = 0
    while i < len(items):
        size, times = _repeated(keys, i)
        times = _until_odd(items, i, size, times)
        if times < FOLD_BLOCKS:
            out.append(items[i])
            i += 1
            continue
        out += items[i : i + size]
        out.append(similar_note(size * (times - 2), blocks=times - 2, earlier=items[i].earlier))
        out += items[i + size * (times - 1) : i + size * times]
        i += size * times
    return out


def _repeated(keys: list[bytes], at: int) -> tuple[int, int]:
    """The shortest block from ``at`` that repeats :data:`FOLD_BLOCKS` times or more right
    after itself (not a run of one line's: :func:`fold` counts those), and how many times."""
    for size in range(2, _BLOCK_MAX + 1):
        block = keys[at : at + size]
        if len(block) < size or b"\0" in block or len(set(block)) == 1:
            continue
        times = 1
        while keys[at + times * size : at + (times + 1) * size] == block:
            times += 1
        if times >= FOLD_BLOCKS:
            return size, times
    return 0, 0


def _until_odd(items: list[TailLine], at: int, size: int, times: int) -> int:
    """How many of the ``times`` blocks from ``at`` come before the first whose number
    differs, at some place, where (nearly) all the others agree (``replicas ready: 0/8``
    among ``8/8``, as :func:`fold` keeps such a line): that block is shown in its place."""
    odd: set[int] = set()
    for place in range(size):
        column = [_decimals(items[at + k * size + place].text) for k in range(times)]
        odd |= _uncommon(column)
    return min(odd, default=times)


# Hex offsets and ids (``+0x1b5``, a trace id) vary in how many digit groups they hold.
_HEX = lazy(rb"\b0x[0-9a-fA-F]+\b|\b[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*\b|\b[0-9a-f]{8,}\b")


def _decimals(text: bytes) -> tuple[bytes, ...]:
    """The decimal numbers of a line, its hex offsets and ids left out."""
    return tuple(_NUMBER.findall(_HEX.sub(b"", text)))


def _uncommon(column: list[tuple[bytes, ...]]) -> set[int]:
    """The blocks whose numbers at a line's place differ from the value three quarters of
    the blocks or more share there (a status; counters and times vary in every block)."""
    return _odd_ones(column, lambda total, common: common < total and common * 4 >= total * 3)


def _odd_ones(fields: Sequence[Sequence[bytes]], agreed: Callable[[int, int], bool]) -> set[int]:
    """The indexes of the rows of ``fields`` (each row's numbers, in order) whose number at
    some place differs from the most common one there, where ``agreed(rows, how many have
    the most common)``; none when the rows hold different counts of numbers."""
    width = len(fields[0])
    if any(len(f) != width for f in fields):
        return set()
    odd: set[int] = set()
    for place in range(width):
        common, count = Counter(f[place] for f in fields).most_common(1)[0]
        if agreed(len(fields), count):
            odd.update(i for i, f in enumerate(fields) if f[place] != common)
    return odd


def similar_note(count: int, *, blocks: int = 0, earlier: bool = False) -> TailLine:
    plural = "line" if count == 1 else "lines"
    like = f" ({format_count(blocks)} blocks like the one above)" if blocks else ""
    note = f"[logtrim] ... {format_count(count)} similar {plural}{like} ...\n"
    return TailLine(-1, STDOUT, note.encode(), earlier=earlier)


#: At most this many lines of a run may differ from the others in a number they all share.
_ODD = 3


def _outliers(run: list[TailLine]) -> set[int]:
    """The indexes of lines whose number in some place differs from the value all the other
    lines but at most :data:`_ODD` have there (a status code, an exit code); counters and
    times vary in every line and mark none."""
    fields = [_NUMBER.findall(line.text) for line in run]
    return _odd_ones(fields, lambda total, common: 0 < total - common <= _ODD)


def folded_count(note: bytes) -> int:
    """The count a :func:`similar_note` gives (0 for any other line)."""
    found = re.search(rb"\.\.\. ([\d,]+) similar", note)
    return int(found.group(1).replace(b",", b"")) if found else 0


def written_after(held: list[TailLine], since: int) -> int:
    """How many of the earlier lines were written after line ``since``, those a fold's note
    counts too (they follow the line before it)."""
    count, before = 0, -1
    for line in held:
        if line.lineno >= 0:
            count += line.lineno > since
            before = line.lineno
        elif before > since:
            count += folded_count(line.text)
    return count


def fold_earlier(lines: list[TailLine]) -> list[TailLine]:
    """The earlier lines, runs and blocks alike folded as the window's are: of the lines
    written one right after the other (the errors held back are often far apart)."""
    items: list[TailLine] = []
    run: list[TailLine] = []
    key = None
    for line in lines:
        new_key = (line.stream, similar_key(line.text))
        if new_key != key or line.lineno != run[-1].lineno + 1:
            fold(run, items)
            run, key = [], new_key
        run.append(line)
    fold(run, items)
    return fold_blocks(items, written_on=True)


__all__ = [
    "FOLD", "FOLD_BLOCKS", "fold", "fold_blocks", "fold_earlier", "folded_count", "similar_note",
    "written_after",
]  # fmt: skip
