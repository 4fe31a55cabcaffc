"""When the forked writer is killed (the OOM killer, a stray ``kill -9``): ``run`` takes over.

The writer leaves its temporary file as it was: whole frames, perhaps the start of one more.
``run`` cuts the file back to the end of its last whole frame (a frame ends at most about a
second of output after it began), then writes the rest of the output itself, in process,
into the same file, which it renames into place at the end as the writer would have. What
the writer had read but not yet stored is lost, and the warning says so; everything after
reaches the archive.
"""

from __future__ import annotations

import os

import zstandard

from .inprocess import InProcessArchive
from .target import Target

_READ = 1 << 20


def whole_frames(path: os.PathLike[str] | str) -> tuple[int, int]:
    """The length of the leading run of whole zstd frames in the file at ``path``, and of
    what they decode to."""
    end = decoded = pending = 0
    with open(path, "rb") as file:
        data = b""
        decoder = zstandard.ZstdDecompressor().decompressobj()
        used = 0  # bytes of the current frame fed to the decoder
        while True:
            if not data:
                data = file.read(_READ)
                if not data:
                    return end, decoded
            try:
                pending += len(decoder.decompress(data))
            except zstandard.ZstdError:
                return end, decoded
            if not decoder.eof:
                used += len(data)
                data = b""
                continue
            rest = decoder.unused_data
            end += used + len(data) - len(rest)
            decoded += pending
            used, pending, data = 0, 0, rest
            decoder = zstandard.ZstdDecompressor().decompressobj()


async def take_over(target: Target, level: int) -> tuple[InProcessArchive, int]:
    """An in-process writer going on in ``target``'s temporary file after its whole frames,
    and how many bytes of output those frames hold."""
    from .._threads import in_thread

    kept, decoded = await in_thread(whole_frames, target.temp)
    fd = os.open(target.temp, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        os.ftruncate(fd, kept)
        os.lseek(fd, kept, os.SEEK_SET)
    except OSError:
        os.close(fd)
        raise
    writer = InProcessArchive(Target(target.path, target.temp, fd), level, start=kept)
    await writer.open()
    return writer, decoded
