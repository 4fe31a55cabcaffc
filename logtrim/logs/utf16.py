"""Logs written in UTF-16 with their byte-order mark (PowerShell's ``>`` and ``Out-File``):
told from a step's output that merely starts with the bytes FF FE, and read as UTF-8."""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Iterator

#: The bytes :func:`is_utf16` looks at: the mark and what follows it. A UTF-16 text has a
#: NUL in every ASCII character it holds (a newline, a space, a digit): 64 KiB without one
#: is no log in UTF-16.
UTF16_PEEK = 2 + (64 << 10)


def is_utf16(head: bytes) -> bool:
    """Whether bytes that start with ``head`` (their first :data:`UTF16_PEEK`, or all) are
    UTF-16 text with its byte-order mark: the mark, then text that decodes as UTF-16 whose
    newlines are UTF-16's (``0A 00``: at least half of the code units whose low byte is ``0A``),
    or, with no newline yet, a quarter of ASCII characters. A step's output that merely
    starts with the bytes FF FE, then UTF-8, Latin-1, ASCII with a stray NUL or binary bytes,
    is no UTF-16: it is read and printed as stored (``cat`` of a run's archive gives the
    bytes the step wrote)."""
    mark = head[:2]
    if mark not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return False
    sample = head[2:UTF16_PEEK]
    if not sample:
        return True
    little = mark == codecs.BOM_UTF16_LE
    low, high = (sample[0::2], sample[1::2]) if little else (sample[1::2], sample[0::2])
    newlines = sum(1 for lo, hi in zip(low, high, strict=False) if lo == 10 and hi == 0)
    if newlines:
        if 2 * newlines < low.count(10):  # (``0A`` as a high byte: Gurmukhi, U+0Axx)
            return False
    elif 4 * high.count(0) < len(high):
        return False
    decoder = codecs.getincrementaldecoder("utf-16-le" if little else "utf-16-be")()
    try:
        decoder.decode(sample)  # a character cut at the end: fine
    except UnicodeDecodeError:  # an unpaired surrogate: no text
        return False
    return True


def utf16_as_utf8(raw: Iterator[bytes]) -> Iterator[bytes]:
    """A UTF-16 text that starts with its byte-order mark (as PowerShell's ``>`` and
    ``Out-File`` write logs) as UTF-8, so that its lines are read, not refused as binary
    for the NUL in every other byte; any other bytes as they are."""
    first = b""
    for block in raw:
        first += block
        if len(first) >= UTF16_PEEK:
            break
    if not is_utf16(first):
        if first:
            yield first
        yield from raw
        return
    decoder = codecs.getincrementaldecoder("utf-16")("replace")  # (the mark read, not kept)
    for block in itertools.chain((first,), raw):
        if text := decoder.decode(block):
            yield text.encode("utf-8")
    if text := decoder.decode(b"", final=True):
        yield text.encode("utf-8")


__all__ = ["UTF16_PEEK", "is_utf16", "utf16_as_utf8"]
