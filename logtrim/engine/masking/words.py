"""Finding many literals without hyperscan, by the aligned words they hold.

One ``re`` alternation of the forms tries every form at every byte: with 30 secrets (a few
hundred forms) masking ran at about 3 MB/s, and a declared certificate (its lines, pieces
and encodings, a thousand forms of up to 1 kB) at a fraction of a MB/s. Here the data is
read as machine words at the offsets that are a multiple of the width (``array``: no Python
loop per byte). A form at least two words long holds one such word whatever its offset, so
each form is indexed by the words at its first ``width`` offsets: only the words also found
in the data are looked at, and each place they are at is checked against the whole form.
Data that holds no secret costs a copy and a set intersection, both at C speed.
"""

from __future__ import annotations

import array
import functools
import sys

#: Array type codes by word width (an ``I`` is 4 bytes, a ``Q`` 8, wherever Python runs).
_TYPES = {4: "I", 8: "Q"}
Found = list[tuple[int, int]]
_FEW = 64  # places of found words, at most, checked without a look at the cost
_CHECK = 100  # bytes ``bytes.find`` reads in the time of one check of a place


def shortest(width: int) -> int:
    """The shortest form a table of ``width``-byte words finds: one word at any offset."""
    return 2 * width - 1


class Words:
    """Forms of at least :func:`shortest` bytes, indexed by their words of ``width`` bytes."""

    def __init__(self, width: int) -> None:
        self.width = width
        self._type = _TYPES[width]
        assert array.array(self._type).itemsize == width
        # word -> (the offset of the word in a form, the form's length) -> those forms, for
        # the offsets 0 .. width-1. Grouped: a place is checked once per group (its bytes
        # looked up in the group's set), however many forms share the word there (thousands
        # of declared tokens that differ only in their last digits).
        self._table: dict[int, dict[tuple[int, int], set[bytes]]] = {}

    def __bool__(self) -> bool:
        return bool(self._table)

    def add(self, form: bytes) -> None:
        width, size = self.width, len(form)
        assert size >= shortest(width)
        for offset in range(width):
            word = int.from_bytes(form[offset : offset + width], sys.byteorder)
            self._table.setdefault(word, {}).setdefault((offset, size), set()).add(form)

    def find(self, data: bytes, found: Found) -> None:
        """Append the ``[start, end)`` of every form in ``data`` (overlapping ones too)."""
        width = self.width
        size = len(data) // width * width
        if size < width:
            return
        words = array.array(self._type)
        words.frombytes(memoryview(data)[:size])
        hits = self._table.keys() & words  # at C speed: most data holds none
        if not hits:
            return
        table = self._table
        if sum(map(hits.__contains__, words)) > _FEW:  # (a C loop: no list of places yet)
            # Hostile text (one byte over and over) holds a word of many forms at every
            # place: then each of those forms is looked for whole, at C speed, instead.
            checks = sum(len(table[word]) * words.count(word) for word in hits)
            forms = {form for word in hits for group in table[word].values() for form in group}
            if len(forms) * len(data) < checks * _CHECK:
                for form in forms:
                    every(data, form, found)
                return
        # One pass for every place at once (``array.index`` per word would pass per word).
        for at in [i for i, word in enumerate(words) if word in hits]:
            place = at * width
            for (offset, length), group in table[words[at]].items():
                start = place - offset
                if start >= 0 and data[start : start + length] in group:
                    add_span(found, start, start + length)


def add_span(found: Found, start: int, end: int) -> None:
    """Append ``[start, end)``, or grow the last span where it overlaps or touches it: a run
    of occurrences (a secret repeated) is one span, not one each."""
    if found and start <= found[-1][1] and found[-1][0] <= end:
        found[-1] = (min(found[-1][0], start), max(found[-1][1], end))
    else:
        found.append((start, end))


def every(data: bytes, form: bytes, found: Found) -> None:
    """Append where ``form`` is in ``data``; its occurrences that follow each other a period
    apart (``AAAA`` in a line of A's, ``abcd`` in ``abcdabcd...``) as one span: hostile
    output that repeats a secret made a span per occurrence, hundreds of megabytes for a
    line of a few. What a span covers is masked: an occurrence inside it is not looked for."""
    size = len(form)
    step = period(form)
    at = data.find(form)
    while at >= 0:
        end = at + size
        if data.startswith(form, at + step):
            # Occurrences every ``step`` bytes while the text repeats with that period.
            end += (run_end(data, end, step) - end) // step * step
        found.append((at, end))
        at = data.find(form, end - size + 1)


@functools.lru_cache(maxsize=4096)
def period(form: bytes) -> int:
    """The shortest period of ``form`` (``AAAA``: 1, ``abab``: 2, ``abcd``: 4)."""
    border = [0] * len(form)  # the longest proper border of each prefix (KMP's table)
    k = 0
    for i in range(1, len(form)):
        while k and form[i] != form[k]:
            k = border[k - 1]
        if form[i] == form[k]:
            k += 1
        border[i] = k
    return len(form) - (border[-1] if form else 0)


def run_end(data: bytes, start: int, step: int) -> int:
    """The first place at or after ``start`` where ``data`` stops repeating with period
    ``step`` (``data[x] != data[x - step]``), or its end: compared a block at a time, at C
    speed, the blocks doubling, then halved to the place."""
    end, block = len(data), 64
    while start < end:
        stop = min(start + block, end)
        if data[start:stop] != data[start - step : stop - step]:
            while stop - start > 1:  # the first byte that differs is in [start, stop)
                mid = (start + stop) // 2
                if data[start:mid] == data[start - step : mid - step]:
                    start = mid
                else:
                    stop = mid
            return start
        start, block = stop, block * 2
    return end


__all__ = ["Words", "add_span", "every", "period", "run_end", "shortest"]
