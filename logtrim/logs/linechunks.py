"""Chunks cut at places fixed by the input's bytes alone, and lines: a file, its gzip copy
and a pipe read in any sizes give the same chunks, so the post-hoc commands give the same
answers whatever the reads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..engine.masking import urlcreds

CHUNK = 1 << 20
# A "line" longer than this is handled in pieces (cut by ``line_chunks``), so one newline-free
# input cannot fill memory.
MAX_LINE = CHUNK


def line_chunks(
    chunks: Iterable[bytes], start: int = 0, grid: int | None = None
) -> Iterator[bytes]:
    """Re-cut chunks at places fixed by the bytes alone, not by the sizes they were read in:
    each chunk ends at the last newline before the next multiple of ``grid`` (``CHUNK``) bytes
    of the input (where a line is longer: at the multiple itself, or a little before it,
    where a URL's credential would be cut, see :func:`_piece_end`). ``start``: the input
    offset of the first byte, a place where a chunk ended. So a file, its gzip copy and a
    pipe give the same chunks, and ``trim``'s clock (bytes read at each chunk's end) the
    same answers."""
    grid = grid or CHUNK  # (read when called: the tests make it small)
    # The chunk that ended at ``start`` ended before the multiple of ``grid`` at or after it.
    target = (start // grid + (1 if start % grid == 0 else 2)) * grid
    parts: list[bytes] = []  # read, not yet given out; ``size`` bytes from ``offset``
    offset, size = start, 0
    for data in chunks:
        if not data:
            continue
        chunk = data
        if offset + size + len(chunk) < target:
            parts.append(chunk)
            size += len(chunk)
            continue
        pos = 0
        if parts:
            cut = chunk.rfind(b"\n", 0, target - offset - size) + 1
            if cut:  # the common case (a file read in blocks of ``grid``): one copy
                yield b"".join((*parts, memoryview(chunk)[:cut]))
                offset, pos, target = offset + size + cut, cut, target + grid
            else:
                chunk = b"".join((*parts, chunk))
            parts, size = [], 0
        while offset + len(chunk) - pos >= target:
            end = pos + target - offset
            cut = chunk.rfind(b"\n", pos, end) + 1 or _piece_end(chunk, pos, end, grid)
            yield chunk if pos == 0 and cut == len(chunk) else chunk[pos:cut]
            offset, pos, target = offset + cut - pos, cut, target + grid
        if pos < len(chunk):
            parts.append(chunk[pos:] if pos else chunk)
            size = len(chunk) - pos
    if parts:
        yield b"".join(parts)


def _piece_end(chunk: bytes, pos: int, end: int, grid: int) -> int:
    """Where a piece of a line longer than ``grid`` ends: at ``end`` (a multiple of the
    grid), or before a URL's credential the multiple falls in, so that the credential is
    whole in the next piece: a report that masks each piece alone (``stats``' templates)
    then sees its scheme. Within the grid's cell, so a reader resuming at a chunk's end
    finds the same cuts."""
    start = max(pos, end - urlcreds.HOLD_MAX, end - grid + 1)
    at = start + urlcreds.open_context(chunk[start:end])
    return at if at > pos and at > end - grid else end


def lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Lines with their newline (the last may lack it); a line over ``CHUNK`` bytes is cut
    where :func:`line_chunks` cuts it."""
    for chunk in line_chunks(chunks):
        parts = chunk.split(b"\n")
        last = parts.pop()
        for part in parts:
            yield part + b"\n"
        if last:
            yield last
