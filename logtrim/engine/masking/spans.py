"""Spans of secrets found in a text, merged, and the text with them masked. Sans-IO."""

from __future__ import annotations

from ... import _text

MASK = _text.MASK


def merged(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans, sorted and merged where they overlap or touch."""
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def apply(data: bytes, spans: list[tuple[int, int]]) -> bytes:
    """``data`` with each span replaced by ``********`` (a newline in a span is kept)."""
    view = memoryview(data)  # the text between spans is copied once, by the join
    parts: list[bytes | memoryview] = []
    pos = 0
    for found, end in spans:
        # A ``]`` that begins a secret is kept: it may end a CI's command (``##octopus[...]``,
        # ``##vso[...]``), which masked would stay open over the next lines.
        start = found + (data[found] == _BRACKET and end - found > 1)
        # A short gap copied (a view costs 200 bytes: a secret over and over makes many).
        parts.append(data[pos:start] if start - pos < _VIEW else view[pos:start])
        parts.append(MASK if data.find(b"\n", start, end) < 0 else replacement(data[start:end]))
        pos = end
    parts.append(view[pos:])
    return b"".join(parts)


_BRACKET = 0x5D  # ``]``
_VIEW = 512  # the gaps between masks from which a view is taken, not a copy


def replacement(secret: bytes) -> bytes:
    """What masks ``secret``: ``********``, per line when it spans lines."""
    if b"\n" in secret:
        return b"\n".join(MASK if p else b"" for p in secret.split(b"\n"))
    return MASK


__all__ = ["apply", "merged", "replacement"]
