"""The zstd archive: a sans-IO encoder with crash-safe frames, and a tolerant reader.

The archive is a sequence of complete zstd frames. A frame is ended at least every
``frame_seconds`` while data flows (and when ``frame_bytes`` of input have gone in), so a
process killed with SIGKILL leaves a file whose complete frames ``zstd -dc`` reads, and whose
last, unfinished frame :func:`read_archive` decodes as far as its blocks go.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import zstandard

from . import DEFAULT_LEVEL

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SKIPPABLE = range(0x184D2A50, 0x184D2A60)  # skippable frames' magic numbers (pzstd starts so)


def is_zstd(head: bytes) -> bool:
    """Whether data starting with ``head`` (4 bytes or more) is zstd: a frame, or a
    skippable frame (pzstd's, a seekable archive's index)."""
    return head.startswith(ZSTD_MAGIC) or (
        len(head) >= 4 and int.from_bytes(head[:4], "little") in _SKIPPABLE
    )


WINDOW_LOG = 23  # 8 MiB: any zstd decoder accepts it (the default limit is 128 MiB)
HASH_LOG = 16  # 64 Ki entries (256 KiB): level 2's; a bigger table costs more time than it saves
FRAME_BYTES = 64 << 20  # the most input of a frame, however large the window (level 22: 128 MiB)


def compression_params(level: int) -> zstandard.ZstdCompressionParameters:
    """``level``'s zstd parameters with a window of at least 8 MiB and a hash table of at
    least 2^16 entries.

    Deploy logs repeat themselves at long distances: with these, level 1 compresses them
    about as well as ``zstd -3`` (level 1 alone has a 2^14 table and a 512 KiB window). No
    zstd worker threads: measured no faster on 2 cores (the engine needs one), with bigger
    archives and more memory.
    """
    base = zstandard.ZstdCompressionParameters.from_level(level)
    return zstandard.ZstdCompressionParameters.from_level(
        level,
        window_log=max(base.window_log, WINDOW_LOG),
        hash_log=max(base.hash_log, HASH_LOG),
        write_checksum=1,
    )


class ArchiveEncoder:
    """Compress a byte stream into a chain of zstd frames.

    ``feed`` returns compressed bytes ready to be written (often empty); ``end_frame`` closes
    the current frame; ``finish`` closes the last one. Plain synchronous calls.

    A frame holds at most one window of input (``frame_bytes`` caps it further): zstd then
    compresses from one contiguous buffer, whereas a frame that wraps its window buffer
    searches two segments for each match: about 12% more time for about 0.5% less size.
    """

    def __init__(
        self,
        level: int = DEFAULT_LEVEL,
        *,
        frame_seconds: float = 1.0,
        frame_bytes: int = FRAME_BYTES,
    ) -> None:
        params = compression_params(level)
        self._cctx = zstandard.ZstdCompressor(compression_params=params)
        self._cobj = self._cctx.compressobj()
        self.frame_seconds = frame_seconds
        self.frame_bytes = min(frame_bytes, 1 << params.window_log)
        self._frame_in = 0
        self._frame_started: float | None = None
        self.bytes_in = 0

    def start(self, now: float) -> None:
        """Data for the open frame arrived at ``now`` (its clock starts, if not yet running)."""
        if self._frame_started is None:
            self._frame_started = now

    def feed(self, data: bytes | memoryview, now: float) -> bytes:
        out: list[bytes] = []
        view = memoryview(data)
        while view:
            self.start(now)
            room = self.frame_bytes - self._frame_in
            piece, view = view[:room], view[room:]
            out.append(self._cobj.compress(piece))
            self._frame_in += len(piece)
            self.bytes_in += len(piece)
            if self._frame_in >= self.frame_bytes:
                out.append(self.end_frame())
        return b"".join(out)

    def time_left(self, now: float) -> float | None:
        """Seconds until the open frame is due to end; None when no frame is open."""
        if self._frame_started is None:
            return None
        return max(self.frame_seconds - (now - self._frame_started), 0.0)

    def due(self, now: float) -> bool:
        """True when the open frame has waited ``frame_seconds`` and should be ended."""
        return self._frame_started is not None and now - self._frame_started >= self.frame_seconds

    def end_frame(self) -> bytes:
        """End the open frame (if any data went in), returning its last bytes."""
        self._frame_started = None
        if self._frame_in == 0:
            return b""
        out = self._cobj.flush(zstandard.COMPRESSOBJ_FLUSH_FINISH)
        self._cobj = self._cctx.compressobj()
        self._frame_in = 0
        return out

    def finish(self) -> bytes:
        if self.bytes_in == 0:
            # An empty run still leaves a valid archive: one empty frame.
            return self._cobj.flush(zstandard.COMPRESSOBJ_FLUSH_FINISH)
        return self.end_frame()


@dataclass
class ReadResult:
    """How reading an archive ended."""

    truncated: bool = False
    error: str | None = None
    #: The cut frame is a skippable one (logtrim's index frame): the log before it is whole.
    index_cut: bool = False


def _skippable(head: bytes) -> bool:
    # A skippable frame's magic is 0x184D2A50-0x184D2A5F, little-endian.
    return len(head) == 4 and head[1:] == b"\x2a\x4d\x18" and head[0] & 0xF0 == 0x50


#: Compressed bytes given to the decoder at a time. zstd expands at most ~32,768:1 (RLE
#: blocks), so one step yields at most ~16 MiB: a decompression bomb is read in bounded memory.
DECODE_STEP = 512
#: Decoded bytes are handed on in pieces of at most this size.
DECODE_PIECE = 1 << 20


def decode_chunks(chunks: Iterable[bytes], result: ReadResult) -> Iterator[bytes]:
    """Decode a chain of zstd frames given as chunks; tolerate a truncated last frame.

    Everything decodable is yielded, in pieces of at most :data:`DECODE_PIECE` bytes.
    ``result.truncated`` is set when the input ends inside a frame; ``result.error`` when
    bytes that are not zstd follow (decoding stops there).
    """
    dctx = zstandard.ZstdDecompressor()
    dobj = dctx.decompressobj()
    in_frame = False
    head = b""  # the current frame's first bytes, to tell a skippable frame
    for chunk in chunks:
        view = memoryview(chunk)
        while view:
            step, view = view[:DECODE_STEP], view[DECODE_STEP:]
            while step:
                if len(head) < 4:
                    head += bytes(step[: 4 - len(head)])
                try:
                    out = dobj.decompress(step)
                except zstandard.ZstdError as exc:
                    result.error = str(exc)
                    return
                in_frame = True
                for start in range(0, len(out), DECODE_PIECE):
                    yield out[start : start + DECODE_PIECE]
                del out
                if dobj.eof:
                    step = memoryview(dobj.unused_data)
                    dobj = dctx.decompressobj()
                    in_frame = False
                    head = b""
                else:
                    step = memoryview(b"")
    result.truncated = in_frame
    result.index_cut = in_frame and _skippable(head)


def read_archive(path: str, result: ReadResult, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """Decode the archive at ``path``, also one that is truncated or still growing."""

    def chunks() -> Iterator[bytes]:
        with open(path, "rb") as file:
            while block := file.read(chunk_size):
                yield block

    yield from decode_chunks(chunks(), result)
