"""``trim`` of a large log on two cores: a forked process reads a plain log ahead, cuts it
into chunks of whole lines and finds the lines of each that a rule hits (``Matcher.scan``,
most of the engine's work on a noisy chunk), while this process does the per-line work of the
chunks before. The chunks come back through a pipe with their hits, and the engine takes the
hits for those bytes alone (``Matcher.offer``): where it cuts the input otherwise (bytes held
back for a secret over several lines) it scans as before. The output is the same either way.

A raw task log is read ahead the same way, each chunk with the newlines of each of its blocks
of ``BLOCK`` bytes: the runs of Verbose entries its grouper hands out are counted from them
(:class:`Newlines`) instead of byte by byte.

It fails open: if the other process ends early, this one reads on from the end of the last
chunk it got (with ``pread``: the other process held the file's position).
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
from array import array
from collections.abc import Generator, Iterator
from itertools import accumulate
from operator import itemgetter
from typing import BinaryIO

from .._errors import InputError
from .._fork import can_fork
from ..archive.forked import grow_pipe
from ..engine.kinds import Kind
from ..engine.matcher import Matcher
from . import inputs
from .inputs import Input, InputFormat, line_chunks

#: Smaller logs are read here: a fork costs a few milliseconds.
MIN_SIZE = 8 << 20
# Tests of the fail-open path make the other process end after this many chunks (as the
# scanner of ``run``).
_FAULT = "LOGTRIM_FAULT_SCANNER"
# A frame: its tag, then (chunk bytes, hits or blocks) for a chunk, (0, message bytes) for
# an error.
_FRAME = struct.Struct("<BQQ")
_CHUNK, _ERROR, _END, _NEWLINES = range(4)
_KINDS = tuple(Kind)  # a hit's tier travels as its value, one byte

#: The newlines of a task log's chunk are counted in blocks of this many bytes.
BLOCK = 4096

Hits = list[tuple[int, Kind]]


class Newlines:
    """``chunk.count(b"\\n", start, end)`` from the newlines of each block of the chunk: the
    blocks within the range are added up, only the bytes at its ends are counted."""

    def __init__(self, chunk: bytes, counts: array[int]) -> None:
        self._count = chunk.count
        self._before = [0, *accumulate(counts)]  # newlines before each block

    def __call__(self, sub: bytes, start: int, end: int) -> int:
        first, last = -(-start // BLOCK), end // BLOCK  # the blocks inside [start, end)
        if last - first < 2:
            return self._count(sub, start, end)
        inside = self._before[last] - self._before[first]
        return self._count(sub, start, first * BLOCK) + inside + self._count(sub, last * BLOCK, end)


Found = Hits | Newlines
Scanned = Iterator[tuple[bytes, Found | None]]


def wanted(inp: Input) -> bool:
    """A plain file large enough, not read to its end yet, where ``fork`` is allowed."""
    plain = inp.format == InputFormat.PLAIN and inp.path != "-" and not inp.closed
    return plain and (inp.size or 0) >= MIN_SIZE and can_fork()


def scanned(inp: Input, chunks: Iterator[bytes], matcher: Matcher | None) -> Scanned:
    """``chunks`` (line chunks of the plain file ``inp``, not started but for a peek), each
    with its hits as ``matcher.scan`` gives them (no matcher: its :class:`Newlines`), found in
    a forked process; None for the chunks this process reads itself after the other one
    failed."""
    own = os.dup(inp.fileno())  # to read on from, if need be (the input may be closed)
    try:
        received = yield from _received(inp, chunks, matcher)
        if received is not None:  # it failed: read on here, from the end of what it sent
            yield from ((chunk, None) for chunk in line_chunks(_pread(inp, own, received)))
    finally:
        os.close(own)


def _received(
    inp: Input, chunks: Iterator[bytes], matcher: Matcher | None
) -> Generator[tuple[bytes, Found], None, int | None]:
    """The chunks and hits the other process sends; then None, or the bytes received if it
    ended early."""
    read, write = os.pipe()
    grow_pipe(write)
    fault = int(os.environ[_FAULT]) if _FAULT in os.environ else None
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the forked process; its frames are what is tested)
        code = 1
        try:
            os.close(read)
            _serve(chunks, matcher, write, fault)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    pipe = os.fdopen(read, "rb", buffering=1 << 16)
    received, ended = 0, False
    try:
        while (frame := _frame(pipe)) is not None:
            chunk, hits = frame
            if not chunk:
                ended = True
                break
            received += len(chunk)
            inp.consumed = received
            yield chunk, hits
    finally:
        pipe.close()  # the other process, if it is still writing, gets a broken pipe
        if not ended:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)  # our own child
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    return None if ended else received


def _frame(pipe: BinaryIO) -> tuple[bytes, Found] | None:
    """The next chunk and what was found in it; ``(b"", [])`` at the end; None if the other
    process ended without saying so. An error it met reading the file is raised here."""
    head = pipe.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    tag, size, count = _FRAME.unpack(head)
    if tag == _END:
        return b"", []
    if tag == _ERROR:
        raise InputError(pipe.read(count).decode("utf-8", "replace"))
    chunk = pipe.read(size)
    numbers = array("q" if tag == _CHUNK else "I")
    raw = pipe.read(numbers.itemsize * count)
    kinds = pipe.read(count) if tag == _CHUNK else b""
    if (
        len(chunk) < size
        or len(raw) < numbers.itemsize * count
        or len(kinds) < count * (tag == _CHUNK)
    ):
        return None
    numbers.frombytes(raw)
    if tag == _NEWLINES:
        return chunk, Newlines(chunk, numbers)
    return chunk, list(zip(numbers, map(_KINDS.__getitem__, kinds), strict=True))


def _serve(chunks: Iterator[bytes], matcher: Matcher | None, out: int, fault: int | None) -> None:
    """The other process: each chunk and its hits (or newlines) down the pipe, then the end
    (or the message of the input error that stopped the reading)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent's end (a closed pipe) ends it
    try:
        for chunk in chunks:
            if fault is not None:
                if fault <= 0:
                    return
                fault -= 1
            if matcher is None:
                count = chunk.count
                blocks = array(
                    "I", [count(b"\n", at, at + BLOCK) for at in range(0, len(chunk), BLOCK)]
                )
                _write(out, [_FRAME.pack(_NEWLINES, len(chunk), len(blocks)), chunk, blocks])
                continue
            hits = matcher.scan(chunk)
            starts = array("q", map(itemgetter(0), hits))
            kinds = bytes(map(itemgetter(1), hits))
            _write(out, [_FRAME.pack(_CHUNK, len(chunk), len(hits)), chunk, starts, kinds])
    except InputError as exc:
        message = str(exc).encode()
        _write(out, [_FRAME.pack(_ERROR, 0, len(message)), message])
        return
    _write(out, [_FRAME.pack(_END, 0, 0)])


def _write(fd: int, parts: list[bytes | array[int]]) -> None:
    views = [memoryview(part).cast("B") for part in parts if len(part)]
    while views:
        sent = os.writev(fd, views)
        while views and sent >= len(views[0]):
            sent -= len(views.pop(0))
        if sent:
            views[0] = views[0][sent:]


def _pread(inp: Input, fd: int, offset: int) -> Iterator[bytes]:
    """The plain file from ``offset`` on, without moving its position, in the blocks this
    process reads it in (ending at multiples of ``CHUNK``): the line chunks cut from them
    are those the other process would have sent, so the clock of ``trim`` is the same."""
    size = inputs.CHUNK
    while block := _read_at(inp, fd, offset, size - offset % size):
        offset += len(block)
        inp.consumed = offset
        yield block


def _read_at(inp: Input, fd: int, offset: int, size: int) -> bytes:
    """``size`` bytes from ``offset``, fewer only at the end of the file."""
    parts: list[bytes] = []
    try:
        while size and (part := os.pread(fd, size, offset)):
            parts.append(part)
            offset += len(part)
            size -= len(part)
    except OSError as exc:
        raise InputError(f"{inp.name}: {exc.strerror or exc}") from exc
    return b"".join(parts)
