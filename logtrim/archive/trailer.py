"""The trailer: data about an archive, stored at its end as a zstd *skippable frame*.

Every zstd decoder (``zstd -d``, python-zstandard, ``logtrim cat``) passes over a skippable
frame, so the archive still decodes byte for byte to what the child wrote. A reader that
wants the trailer reads only the file's last bytes. Layout (little-endian)::

    magic 0x184D2A5C (u32) | size of the rest (u32) | payload
    | offset of the frame in the file (u64) | size of the rest again (u32) | b"LTTRAIL1"

The offset tells a trailer that belongs to the file from one that came with a copy joined to
its end (``cat a.zst b.zst``: b's trailer speaks only for b). The payload is opaque here (the
run's line shapes: :mod:`logtrim.baseline.frame`), and carries its own check.
"""

from __future__ import annotations

import os
import struct

#: One of the 16 skippable-frame magic numbers (0x184D2A50-0x184D2A5F) of RFC 8878.
MAGIC = 0x184D2A5C
FOOTER = b"LTTRAIL1"
_HEAD = struct.Struct("<II")
_FOOT = struct.Struct("<QI8s")
#: The largest payload a trailer may hold (a reader reads no more than this).
MAX_PAYLOAD = 16 << 20


class TrailerError(Exception):
    """A trailer is there but cannot be used (damaged, or not this file's own)."""


def frame(payload: bytes, offset: int) -> bytes:
    """The skippable frame holding ``payload``, to be written at byte ``offset`` of the file."""
    rest = len(payload) + _FOOT.size
    return _HEAD.pack(MAGIC, rest) + payload + _FOOT.pack(offset, rest, FOOTER)


def read(path: str | os.PathLike[str]) -> bytes | None:
    """The payload of the trailer at the end of the file at ``path``; None when it has none.
    Raise :class:`TrailerError` when it has one that cannot be used, OSError when unreadable."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size < _HEAD.size + _FOOT.size:
            return None
        file.seek(size - _FOOT.size)
        offset, rest, footer = _FOOT.unpack(file.read(_FOOT.size))
        if footer != FOOTER:
            return None
        start = size - _HEAD.size - rest
        if rest > MAX_PAYLOAD + _FOOT.size or start < 0:
            raise TrailerError("its index frame is damaged")
        file.seek(start)
        data = file.read(_HEAD.size + rest)
    magic, told = _HEAD.unpack_from(data)
    if magic != MAGIC or told != rest:
        raise TrailerError("its index frame is damaged")
    if offset != start:
        raise TrailerError("its index frame is that of another archive joined to its end")
    return data[_HEAD.size : -_FOOT.size]
