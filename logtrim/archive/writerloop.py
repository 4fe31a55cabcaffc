"""The forked archive writer's side (:mod:`.forked`): a loop with no asyncio, compressing
what ``run`` pipes to it into the archive's temporary file, then adding the trailer.
"""

from __future__ import annotations

import contextlib
import os
import struct
import time

from .._fork import ignore_signals, readable
from .trailer import MAX_PAYLOAD, frame
from .writer import Frames

PIPE_SIZE = 1 << 20


def write_loop(read: int, fd: int, status: int, level: int, trailer: int) -> int:
    """Compress what arrives on ``read`` into ``fd`` until the pipe closes, then add what
    comes whole on ``trailer`` as the archive's trailer; the exit code."""
    ignore_signals()  # the pipe closing is what ends it
    frames = Frames(level)
    written = 0
    # One buffer read into again and again: zstd copies what it is given into its window, and
    # a fresh 1 MiB bytes object for each read costs page faults.
    buffer = bytearray(PIPE_SIZE)
    view = memoryview(buffer)
    try:
        while True:
            out = b""
            if readable(read, frames.time_left(time.monotonic())):
                size = os.readv(read, [buffer])
                if not size:
                    break
                out = frames.compress(view[:size], time.monotonic())
            out += frames.tick(time.monotonic())
            write_all(fd, out)
            written += len(out)
        out = frames.finish()
        write_all(fd, out)
        payload = _read_trailer(trailer)
        if payload:
            write_all(fd, frame(payload, written + len(out)))
        return 0
    except OSError as exc:
        code = exc.errno if exc.errno and 0 < exc.errno < 126 else 1
        with contextlib.suppress(OSError):
            os.write(status, bytes([code]))
        return code  # run sees the pipe close and keeps filtering; the console is not flooded
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


def _read_trailer(fd: int) -> bytes:
    """The trailer ``run`` sends, or b"" when none came whole (``run`` died sending it)."""
    parts: list[bytes] = []
    size = 0
    with contextlib.suppress(OSError):
        while size <= MAX_PAYLOAD + 4:
            data = os.read(fd, PIPE_SIZE)
            if not data:
                break
            parts.append(data)
            size += len(data)
    got = b"".join(parts)
    if len(got) < 4 or struct.unpack_from("<I", got)[0] != len(got) - 4:
        return b""
    return got[4:]


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
