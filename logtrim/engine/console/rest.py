"""The rest of a line whose start is on the console already (engine/console/partial.py).

The start was printed masked with the secrets known then; the rest is masked with the line
read whole, so a secret learned since (or one that began in the part shown) is masked in
it too, and it is cut, paid for and collapsed as any line is.
"""

from __future__ import annotations

from ..masking.mask import Masker, apply
from .display import CUT, display


def aligned(masker: Masker, raw: bytes, shown: int) -> bytes:
    """``raw[shown:]`` in its console form: ``raw`` masked whole, from the raw offset
    ``shown`` on. A secret that began before ``shown`` (its start shown when it was not
    known yet) is masked from its start: the rest then begins with its mask, never with the
    part of it not shown yet; no text of the rest is dropped (offsets are raw, so masks
    that change lengths before ``shown`` move nothing)."""
    spans = masker.spans(raw)
    start = shown
    for a, b in spans:
        if a < shown < b:
            start = a
            break
    return apply(raw[start:], [(a - start, b - start) for a, b in spans if a >= start])


def body_of(rest: bytes) -> bytes:
    """``rest`` without its newline and a carriage return before it (as :func:`display`)."""
    body = rest[:-1] if rest.endswith(b"\n") else rest
    return body[:-1] if body.endswith(b"\r") else body


def redrawn(body: bytes) -> bool:
    """Whether the line is redrawn past its start: its console form is its last state."""
    return b"\r" in body


def form(body: bytes, shown: int, width: int, *, long: bool = False) -> bytes:
    """The console form of the rest ``body`` after ``shown`` bytes of the line, cut as a
    long line is: the whole line about ``width`` bytes with a note where it was cut (``long``:
    the start of a line too long to hold, which ends in :data:`CUT`)."""
    room = max(width - shown, 0)
    if long:
        return body[:room] + CUT
    if len(body) <= room:
        return body
    return display(body, max(room, width // 2))[:-1]
