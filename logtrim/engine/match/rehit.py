"""The rule hits of a region's console form, from those of the region (engine/masking/secrets.py).

A line's tier depends on that line alone: after masking, only the lines a mask changed are
scanned again; the others keep their hits, moved by what the masks added before them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..masking.mask import replacement
from .kinds import Kind

Hits = list[tuple[int, Kind]]
Spans = list[tuple[int, int]]

_RESCAN = 16  # masked line ranges from which a region's console form is scanned whole
_MANY = 256  # masks from which it is, whatever the lines they are on


def _changed_lines(region: bytes, spans: Spans) -> list[tuple[int, int, int]]:
    """The ranges of whole lines of ``region`` that ``spans`` touch, merged, in order:
    ``(start, end, grown)``, ``grown`` being how much longer masking makes the range."""
    out: list[tuple[int, int, int]] = []
    for s_start, s_end in spans:
        start = region.rfind(b"\n", 0, s_start) + 1
        end = region.find(b"\n", max(s_end - 1, s_start)) + 1 or len(region)
        grown = len(replacement(region[s_start:s_end])) - (s_end - s_start)
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]), out[-1][2] + grown)
        else:
            out.append((start, end, grown))
    return out


def rehit(
    scan: Callable[[bytes], Hits], region: bytes, console: bytes, spans: Spans, hits: Hits
) -> Hits:
    """The hits of ``console`` (``region`` with ``spans`` masked), from those of
    ``region``: the lines with a mask are scanned again, the others moved."""
    if len(spans) > _MANY:
        return scan(console)  # (a secret over and over: a look per mask would cost more)
    ranges = _changed_lines(region, spans)
    if len(ranges) > _RESCAN and sum(e - s for s, e, _ in ranges) * 4 > len(region):
        # A mask on most lines (a URL with a password on each): one scan of it all
        # costs less than one per line, and finds the same (a line's tier is its own).
        return scan(console)
    out: Hits = []
    k = 0
    shift = 0  # console offset minus region offset, before the current line range
    for start, end, grown in ranges:
        while k < len(hits) and hits[k][0] < start:
            out.append((hits[k][0] + shift, hits[k][1]))
            k += 1
        while k < len(hits) and hits[k][0] < end:
            k += 1  # a line of the range: scanned again below
        at = start + shift
        out.extend((at + pos, kind) for pos, kind in scan(console[at : end + shift + grown]))
        shift += grown
    out.extend((pos + shift, kind) for pos, kind in hits[k:])
    return out


__all__ = ["rehit"]
