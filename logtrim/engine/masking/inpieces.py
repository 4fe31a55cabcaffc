"""Declarations in a line too long to hold, which reaches the engine in pieces.

A piece is masked and archived before the next one comes, so a secret a piece declares must
be learned from that piece, and a declaration must never be split between two pieces: the
first would hold the start of the value, learned as it is (a prefix) and archived as it is.
So a piece ends before a declaration whose value has not ended by the cut (:func:`cut`): it
goes whole to the next piece, or to the rest of the line. A value ends where its system's
reader ends it: at the line's end or a lone carriage return (.NET's ``ReadLine``, as GitHub's
runner and Azure's agent read), and an Octopus message at its ``]``. A value longer than
:data:`MAX_DECLARED` is too long to learn anyway (:mod:`.toolong`): no piece waits for one.

Then each piece's declarations are learned before it is looked at (:func:`declares` says
whether it may hold one, at the cost of a search), in every system's syntax, as whole lines'
are (more masking is always safe).
"""

from __future__ import annotations

from ...dialects import all_dialects

#: The longest declared value learned (bytes): GitHub's secrets are at most 48 KB.
MAX_DECLARED = 64 << 10

#: How each declaring command starts, in lower case (``Dialect.declaring``).
STARTS = tuple(sorted({m for d in all_dialects() for m in d.declaring}))
_LONGEST = max(map(len, STARTS))
#: The declarations that end at their first ``]`` (an Octopus message), by their starts.
_BRACKETED = tuple(m for m in STARTS if m.startswith(b"##octopus["))


def declares(data: bytes) -> bool:
    """Whether ``data`` may hold a declaration (a marker's bytes that have no case first)."""
    if b"##" not in data and b"::" not in data:
        return False
    low = data.lower()
    return any(m in low for m in STARTS)


def cut(data: bytes, at: int) -> int:
    """``at``, or where a declaration begun before it whose value has not ended by then
    starts (never 0: a piece holds something; a value begun that far back is too long)."""
    at = _before_start(data, at)
    low_start = max(at - MAX_DECLARED - _LONGEST, 0)
    # The reader's line the cut falls in: a value runs on to its end.
    start = max(data.rfind(b"\r", low_start, at), data.rfind(b"\n", low_start, at)) + 1
    start = max(start, low_start)
    if start >= at or (b"##" not in data[start:at] and b"::" not in data[start:at]):
        return at
    window = data[start:at].lower()
    found = [
        i
        for m in STARTS
        if (i := window.find(m)) >= 0 and not (m in _BRACKETED and window.find(b"]", i) >= 0)
    ]
    first = start + min(found) if found else at
    return first if first > 0 else at


def first_start(data: bytes) -> int:
    """Where the first declaring command in ``data`` starts (0 when none is found)."""
    low = data.lower()
    return min((at for m in STARTS if (at := low.find(m)) >= 0), default=0)


def _before_start(data: bytes, at: int) -> int:
    """``at``, or where the start of a declaring command that ``data[:at]`` ends with
    begins (``\\r::add``: its bytes came, the rest of them has not): a piece never ends
    inside one (never at 0)."""
    tail = data[max(at - _LONGEST, 0) : at].lower()
    for size in range(len(tail), 0, -1):
        end = tail[len(tail) - size :]
        if any(m.startswith(end) for m in STARTS) and at - size > 0:
            return at - size
    return at


__all__ = ["MAX_DECLARED", "STARTS", "cut", "declares", "first_start"]
