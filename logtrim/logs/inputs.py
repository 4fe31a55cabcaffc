"""Inputs of ``trim``, ``stats`` and ``cat``: plain files, gzip, zstd (logtrim archives), stdin.

The format comes from the first bytes (gzip ``1f 8b``, zstd ``28 b5 2f fd``), whatever the
name says. Reading streams in chunks with bounded memory; a compressed input that ends early
is decoded as far as it goes and reported by :attr:`Input.damage`, not raised.
"""

from __future__ import annotations

import os
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from enum import Enum
from typing import BinaryIO

from .._errors import InputError
from .._sizes import format_size
from ..archive.zstd import ZSTD_MAGIC, ReadResult, decode_chunks
from .tasklog import is_tasklog

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 20
# A compressed chunk can expand a thousandfold; read those in small pieces.
_COMPRESSED_CHUNK = 64 << 10
# A "line" longer than this is cut, so one newline-free input cannot fill memory.
MAX_LINE = 16 << 20
_PROGRESS_MIN = 64 << 20  # inputs smaller than this get no progress bar


class InputFormat(str, Enum):
    """How an input is stored, from its first bytes."""

    PLAIN = "plain"
    GZIP = "gzip"
    ZSTD = "zstd"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of(cls, head: bytes) -> InputFormat:
        if head.startswith(GZIP_MAGIC):
            return cls.GZIP
        return cls.ZSTD if head.startswith(ZSTD_MAGIC) else cls.PLAIN


class Input:
    """One opened input. Iterate :meth:`chunks` once; check :attr:`damage` afterwards."""

    def __init__(self, path: str, file: BinaryIO, head: bytes, size: int | None) -> None:
        self.path = path
        self.name = "<stdin>" if path == "-" else path
        self.size = size  # bytes on disk, when known (for progress)
        self.consumed = 0  # bytes read from disk so far
        self.decoded = 0  # bytes yielded so far
        self.damage: str | None = None  # "truncated at the end", or a decoding error
        self._file = file
        self._head = head
        self.format = InputFormat.of(head)

    def _raw(self, size: int) -> Iterator[bytes]:
        if self._head:
            self.consumed += len(self._head)
            yield self._head
            self._head = b""
        try:
            while block := self._file.read(size):
                self.consumed += len(block)
                yield block
        except OSError as exc:
            raise InputError(f"{self.name}: {exc.strerror or exc}") from exc

    def chunks(self) -> Iterator[bytes]:
        """The decoded bytes, in chunks of any size (not aligned to lines)."""
        result = ReadResult()
        if self.format == InputFormat.PLAIN:
            decoded: Iterator[bytes] = self._raw(CHUNK)
        elif self.format == InputFormat.GZIP:
            decoded = self._gunzip(self._raw(_COMPRESSED_CHUNK))
        else:
            decoded = decode_chunks(self._raw(_COMPRESSED_CHUNK), result)
        try:
            for chunk in decoded:
                self.decoded += len(chunk)
                yield chunk
        finally:
            self.close()
        if self.format == InputFormat.ZSTD:
            if result.error:
                self.damage = f"not zstd after {self.decoded:,} bytes decoded ({result.error})"
            elif result.truncated:
                self.damage = f"truncated at the end ({self.decoded:,} bytes decoded)"

    def _gunzip(self, raw: Iterable[bytes]) -> Iterator[bytes]:
        # Members are concatenated (``cat a.gz b.gz``); max_length bounds each step's output.
        dobj = zlib.decompressobj(wbits=31)
        in_member = False
        for block in raw:
            data = block
            while data:
                try:
                    out = dobj.decompress(data, CHUNK)
                except zlib.error as exc:
                    self.damage = f"not gzip after {self.decoded:,} bytes decoded ({exc})"
                    return
                in_member = True
                if out:
                    yield out
                if dobj.eof:
                    data = dobj.unused_data
                    dobj = zlib.decompressobj(wbits=31)
                    in_member = False
                else:
                    data = dobj.unconsumed_tail
        if in_member:
            if tail := dobj.flush():
                yield tail
            self.damage = f"truncated at the end ({self.decoded:,} bytes decoded)"

    def close(self) -> None:
        if self._file is not sys.stdin.buffer:
            self._file.close()


def open_input(path: str) -> Input:
    """Open ``path`` (``-`` is stdin) and detect its format; raise :class:`InputError`."""
    if path == "-":
        stdin = sys.stdin.buffer
        return Input(path, stdin, stdin.read(4), None)
    try:
        file = open(path, "rb")  # noqa: SIM115 (closed by Input when read or on error)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(file.fileno())
        head = file.read(4)
    except OSError as exc:
        file.close()
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return Input(path, file, head, st.st_size if st.st_size > 0 else None)


def _peek(chunks: Iterator[bytes], want: int = 8192) -> tuple[bytes, Iterator[bytes]]:
    """The first ``want`` bytes, and all the chunks as if none were read."""
    taken: list[bytes] = []
    size = 0
    for chunk in chunks:
        taken.append(chunk)
        size += len(chunk)
        if size >= want:
            break

    def chained() -> Iterator[bytes]:
        yield from taken
        yield from chunks

    return b"".join(taken)[:want], chained()


def open_detected(inp: Input) -> tuple[bool, Iterator[bytes]]:
    """(is a raw task log, the input's decoded chunks cut at line ends)."""
    head, chunks = _peek(inp.chunks())
    return is_tasklog(head), line_chunks(chunks)


def line_chunks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Re-cut chunks so that each ends at a newline (the last may not)."""
    carry = b""
    for chunk in chunks:
        cut = chunk.rfind(b"\n") + 1
        if not cut:
            carry += chunk
            if len(carry) >= MAX_LINE:
                yield carry
                carry = b""
            continue
        if carry:
            yield b"".join((carry, memoryview(chunk)[:cut]))  # one copy, not two
        else:
            yield chunk if cut == len(chunk) else chunk[:cut]
        carry = chunk[cut:]
    if carry:
        yield carry


def lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Lines with their newline (the last may lack it); lines over MAX_LINE are cut."""
    for chunk in line_chunks(chunks):
        parts = chunk.split(b"\n")
        last = parts.pop()
        for part in parts:
            yield part + b"\n"
        if last:
            yield last


class Progress:
    """A one-line progress bar on stderr, redrawn at most every 0.2 s."""

    def __init__(self, inp: Input, enabled: bool) -> None:
        self.inp = inp
        self.enabled = enabled and (inp.size or 0) >= _PROGRESS_MIN
        self._last = 0.0

    def update(self) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        size = self.inp.size or 1
        share = min(self.inp.consumed / size, 1.0)
        bar = "█" * int(share * 30) + "░" * (30 - int(share * 30))
        sys.stderr.write(f"\r{self.inp.name}: {bar} {share:4.0%} of {format_size(size)}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self._last:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
