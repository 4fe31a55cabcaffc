"""Where a region's lines lie: its last lines with text (what the history keeps of each
stream's end), and the start of any line of it.

Found with a few finds per line from the nearer end; a run of blank lines is passed over in
C, so a region of a million blank lines costs no Python loop.
"""

from __future__ import annotations

from collections.abc import Callable


def last_text(
    data: bytes, first: int, nlines: int, want: int, skip: Callable[[bytes], bool]
) -> list[tuple[int, bytes]]:
    """Up to ``want`` last non-blank lines of a region (``nlines`` lines numbered from
    ``first``) that ``skip`` does not refuse, newest first, without their newline. A run of
    blank lines is passed over in C: a million of them cost no Python loop."""
    found: list[tuple[int, bytes]] = []
    end, lineno = len(data), first + nlines
    while end > 0 and lineno > first and len(found) < want:
        text = _text_end(data, end)
        if not text:
            break  # blank lines only
        # The lines after the one that holds the text's last byte are blank.
        line_end = data.find(b"\n", text - 1, end) + 1 or end
        lineno -= data.count(b"\n", line_end, end) + (data[end - 1] != 10 and end > line_end)
        start = data.rfind(b"\n", 0, line_end - 1) + 1
        lineno -= 1
        if lineno < first:
            break
        line = data[start:line_end].rstrip(b"\n")
        if not skip(line):
            found.append((lineno, line))
        end = start
    return found


def _text_end(data: bytes, end: int) -> int:
    """Just after the last byte before ``end`` that is not ASCII whitespace (0: none), found
    in windows that grow: a short look for an ordinary line, linear for a blank run."""
    step = 256
    while True:
        low = max(0, end - step)
        kept = len(data[low:end].rstrip())
        if kept or not low:
            return low + kept
        end, step = low, step * 4


def line_start(data: bytes, k: int, lines: int, end: int) -> int:
    """The offset of line ``k`` (from 0) of ``data``, where line ``lines`` starts at ``end``
    (0, 0: not known): a guess in proportion, the newlines to it counted in C, then a few
    lines on. A walk from the start, line by line, cost a Python step per line."""
    if k <= 0:
        return 0
    if k == lines:
        return end
    if k > lines:
        pos = end
        n = lines
    else:
        pos = data.rfind(b"\n", 0, end * k // lines) + 1
        # From the nearer end: ``lines`` newlines before ``end``, less those after ``pos``.
        n = data.count(b"\n", 0, pos) if 2 * pos <= end else lines - data.count(b"\n", pos, end)
    index, rfind = data.index, data.rfind
    while n < k:
        pos = index(b"\n", pos) + 1
        n += 1
    while n > k:
        pos = rfind(b"\n", 0, pos - 1) + 1
        n -= 1
    return pos
