"""``trim`` of a large plain log on two cores: a forked process reads the log ahead, cuts it
into chunks of whole lines and finds the lines of each that a rule hits (``Matcher.scan``,
most of the engine's work on a noisy chunk), while this process does the per-line work of the
chunks before. The chunks come back through a pipe with their hits, and the engine takes the
hits for those bytes alone (``Matcher.offer``): where it cuts the input otherwise (bytes held
back for a secret over several lines) it scans as before. The output is the same either way.

It fails open: if the other process ends early, this one reads on from the end of the last
chunk it got (with ``pread``: the other process held the file's position).
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import time
from array import array
from collections.abc import Generator, Iterator
from operator import itemgetter
from typing import BinaryIO

from .._errors import InputError
from .._fork import can_fork, fault_hook, fork_serving
from ..archive.forked import grow_pipe
from ..engine.match.kinds import Kind
from ..engine.match.matcher import Matcher
from . import linechunks
from .inputs import Input, InputFormat
from .linechunks import line_chunks

#: Smaller logs are read here: a fork costs a few milliseconds.
MIN_SIZE = 8 << 20
# Tests of the fail-open path make the other process end after this many chunks (as the
# scanner of ``run``).
_FAULT = "LOGTRIM_FAULT_SCANNER"
# A frame: its tag, then (chunk bytes, hits) for a chunk, (0, message bytes) for an error.
_FRAME = struct.Struct("<BQQ")
_CHUNK, _ERROR, _END = range(3)
_KINDS = tuple(Kind)  # a hit's tier travels as its value, one byte

Hits = list[tuple[int, Kind]]
Scanned = Iterator[tuple[bytes, Hits | None]]


def wanted(inp: Input) -> bool:
    """A plain file large enough, not read to its end yet, where ``fork`` is allowed and a
    processor is idle."""
    # (Not a UTF-16 log: what it failed to send would be read on as stored, not decoded.)
    plain = inp.format == InputFormat.PLAIN and inp.path != "-" and not inp.closed
    plain = plain and not inp.utf16
    return plain and (inp.size or 0) >= MIN_SIZE and can_fork() and spare_core()


def spare_core(busy: int = 0) -> bool:
    """Whether a processor is idle: the two processes spend about a fifth more CPU time in
    all than one, which only pays where the second runs beside the first rather than in the
    place of other work. On Linux, the tasks runnable now (``/proc/loadavg``, this one among
    them) in most of a few looks; elsewhere, the last minute's load. ``busy``: processes of
    ours, idle now, that will keep a processor busy too (``run``'s archive writer)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    if cpus < 2 + busy:
        return False
    try:
        free = 0
        for _ in range(_LOOKS):
            with open("/proc/loadavg", "rb") as file:
                running = int(file.read().split()[3].split(b"/")[0])
            free += running - 1 + busy <= cpus - 2  # others leave a processor free
            time.sleep(0.002)
        return free * 2 > _LOOKS
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.getloadavg()[0] + busy <= cpus - 1
    except (AttributeError, OSError):
        return True


_LOOKS = 5


def scanned(inp: Input, chunks: Iterator[bytes], matcher: Matcher) -> Scanned:
    """``chunks`` (line chunks of the plain file ``inp``, not started but for a peek), each
    with its hits as ``matcher.scan`` gives them, scanned in a forked process; None for the
    chunks this process reads itself after the other one failed."""
    own = os.dup(inp.fileno())  # to read on from, if need be (the input may be closed)
    try:
        received = yield from _received(inp, chunks, matcher)
        if received is not None:  # it failed: read on here, from the end of what it sent
            rest = line_chunks(_pread(inp, own, received), received)
            yield from ((chunk, None) for chunk in rest)
        inp.check_whole()
    finally:
        os.close(own)


def _received(
    inp: Input, chunks: Iterator[bytes], matcher: Matcher
) -> Generator[tuple[bytes, Hits], None, int | None]:
    """The chunks and hits the other process sends; then None, or the bytes received if it
    ended early."""
    read, write = os.pipe()
    grow_pipe(write)
    fault = fault_hook(_FAULT)
    pid = fork_serving(lambda: _serve(chunks, matcher, write, fault), close=[read])
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


def _frame(pipe: BinaryIO) -> tuple[bytes, Hits] | None:
    """The next chunk and its hits; ``(b"", [])`` at the end; None if the other process
    ended without saying so. An error it met reading the file is raised here."""
    head = pipe.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    tag, size, count = _FRAME.unpack(head)
    if tag == _END:
        return b"", []
    if tag == _ERROR:
        raise InputError(pipe.read(count).decode("utf-8", "replace"))
    chunk = pipe.read(size)
    starts = array("q")
    raw = pipe.read(8 * count)
    kinds = pipe.read(count)
    if len(chunk) < size or len(raw) < 8 * count or len(kinds) < count:
        return None
    starts.frombytes(raw)
    return chunk, list(zip(starts, map(_KINDS.__getitem__, kinds), strict=True))


def _serve(chunks: Iterator[bytes], matcher: Matcher, out: int, fault: int | None) -> None:
    """The other process: each chunk and its hits down the pipe, then the end (or the
    message of the input error that stopped the reading)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent's end (a closed pipe) ends it
    try:
        for chunk in chunks:
            if fault is not None:
                if fault <= 0:
                    return
                fault -= 1
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
    size = linechunks.CHUNK
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
