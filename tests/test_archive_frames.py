"""The archive's frames: each holds at most one window of input, whatever the chunking, and
the archive decodes with the stock ``zstd`` within a window's memory."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys

import pytest
import zstandard
from conftest import RunLogtrim, split
from hypothesis import given
from hypothesis import strategies as st

from logtrim.archive.zstd import WINDOW_LOG, ArchiveEncoder


def frames_of(archive: bytes) -> list[bytes]:
    """The decoded content of each zstd frame of ``archive``, in order."""
    dctx = zstandard.ZstdDecompressor()
    frames = []
    rest = archive
    while rest:
        dobj = dctx.decompressobj()
        frames.append(dobj.decompress(rest))
        assert dobj.eof, "a frame is cut"
        rest = dobj.unused_data
    return frames


def encode(chunks: list[bytes], frame_bytes: int) -> bytes:
    encoder = ArchiveEncoder(frame_seconds=math.inf, frame_bytes=frame_bytes)
    return b"".join(encoder.feed(chunk, 0.0) for chunk in chunks) + encoder.finish()


@given(
    data=st.binary(max_size=3000).map(lambda b: b * 3),
    cuts=st.lists(st.integers(min_value=0), max_size=12),
    frame_bytes=st.integers(min_value=1, max_value=4000),
)
def test_frames_split_at_the_same_bytes_whatever_the_chunking(
    data: bytes, cuts: list[int], frame_bytes: int
) -> None:
    """Every frame but the last holds exactly ``frame_bytes`` of input (a chunk that crosses
    the limit is split), so the archive is the same bytes however the input came."""
    archive = encode(split(data, cuts), frame_bytes)
    frames = frames_of(archive)
    assert b"".join(frames) == data
    assert all(len(f) == frame_bytes for f in frames[:-1])
    assert len(frames[-1]) <= frame_bytes
    assert archive == encode([data], frame_bytes)


@pytest.mark.skipif(shutil.which("zstd") is None, reason="needs the zstd command line tool")
def test_an_archive_of_many_windows_decodes_in_one_windows_memory(
    run_logtrim: RunLogtrim,
) -> None:
    """Output of several windows (in pieces of odd sizes): ``zstd -d`` limited to one window
    of memory and ``logtrim cat`` both give it back byte for byte, in one frame per window."""
    window = 1 << WINDOW_LOG
    code = (
        "import sys, random\n"
        "r = random.Random(7)\n"
        "words = [b'deploy', b'step', b'upload', b'package', b'retry', b'ok', b'node-7']\n"
        f"left = {2 * window + 12345}\n"
        "while left > 0:\n"
        "    n = r.randrange(1, 70000)\n"
        "    line = b' '.join(r.choice(words) for _ in range(12)) + b'\\n'\n"
        "    piece = (line * (n // len(line) + 1))[: min(n, left)]\n"
        "    sys.stdout.buffer.write(piece)\n"
        "    left -= len(piece)\n"
    )
    result = run_logtrim("--ci", "plain", "--", sys.executable, "-c", code, timeout=120)
    assert result.code == 0
    assert result.artifact is not None
    assert len(result.archive) == 2 * window + 12345
    stock = subprocess.run(
        ["zstd", "-d", "-c", f"--memory={window >> 20}MB", str(result.artifact)],
        capture_output=True,
        check=True,
    )
    assert stock.stdout == result.archive
    cat = subprocess.run(
        [sys.executable, "-m", "logtrim", "cat", str(result.artifact)],
        capture_output=True,
        check=True,
    )
    assert cat.stdout == result.archive
    frames = frames_of(result.artifact.read_bytes())
    assert len(frames) >= 3
    assert max(len(f) for f in frames) <= window
