"""Hostile inputs: peak RSS of ``cat``/``trim``/``stats`` on a zstd bomb and on one huge line;
of ``stats`` and ``diff`` on a log of distinct lines (a template, a shape per line).

The bomb is zeros compressed at level 19 (a few kB per GB); readers decode it in bounded
steps. The long line has no newline for 100 MB; readers take it in 1 MiB pieces. Binary input
is refused by default (NUL bytes), so ``trim``/``stats`` read the bomb with ``--binary``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from harness import MB, OUT, Suite, failure, mb

LIMIT = 128 * 2**20  # the bound every reader keeps, any input, any line length


def _bomb(size: int) -> Path:
    """``size`` bytes of zeros in one zstd frame (made once, kept in bench-out/)."""
    import zstandard

    path = OUT / f"bomb-{size >> 20}MiB.log.zst"
    if not path.exists():
        zeros = bytes(16 << 20)
        with open(path, "wb") as file:
            writer = zstandard.ZstdCompressor(level=19).stream_writer(file)
            for _ in range(size // len(zeros)):
                writer.write(zeros)
            writer.flush(zstandard.FLUSH_FRAME)
    return path


def _long_line(size: int) -> tuple[Path, Path]:
    """One ``size``-byte line of words and numbers, plain and as zstd."""
    import zstandard

    plain = OUT / f"line-{size // MB}MB.log"
    packed = plain.with_suffix(".log.zst")
    if not plain.exists() or not packed.exists():
        unit = b"copy static/js/app.js 4096 bytes ok; "
        line = (unit * (size // len(unit) + 1))[: size - 1] + b"\n"
        plain.write_bytes(line)
        packed.write_bytes(zstandard.ZstdCompressor(level=3).compress(line))
    return plain, packed


def _distinct(lines: int) -> Path:
    """``lines`` lines of five random words each: as many templates and shapes."""
    import random
    import string

    path = OUT / f"distinct-{lines // 1000}k.log"
    if not path.exists():
        rng = random.Random(1)
        letters = string.ascii_lowercase
        with open(path, "w") as file:
            for _ in range(lines):
                file.write(" ".join("".join(rng.choices(letters, k=6)) for _ in range(5)) + "\n")
    return path


# The peak RSS of the command alone: a fresh small interpreter starts it and reads
# RUSAGE_CHILDREN (a child forked from this process would count this process's pages).
_WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, wall)
"""


def _peak(cmd: list[str]) -> tuple[int, float]:
    """(peak RSS in bytes, seconds) of ``cmd``, its output discarded."""
    wrapped = [sys.executable, "-c", _WRAPPER, *cmd]
    proc = subprocess.run(wrapped, capture_output=True, check=False)
    rc, kb, secs = proc.stdout.split()
    if int(rc) != 0:
        raise failure(cmd, int(rc), proc.stderr)
    return int(kb) * 1024, float(secs)


def bench(suite: Suite) -> None:
    OUT.mkdir(exist_ok=True)
    bomb_size = suite.size(4 << 30, 256 << 20)
    bomb = _bomb(bomb_size)
    plain, packed = _long_line(suite.size(100 * MB, 16 * MB))
    line_mb = plain.stat().st_size / MB
    lines = suite.size(1_200_000, 200_000)
    distinct, count = _distinct(lines), f"{lines // 1000}k"
    one = OUT / "one-line.log"
    one.write_bytes(b"deploy started\n")
    cases: list[tuple[str, list[str | Path]]] = [
        (f"`cat`, zstd bomb ({bomb_size >> 20} MiB of zeros)", ["cat", bomb]),
        (f"`trim --binary`, zstd bomb ({bomb_size >> 20} MiB)", ["trim", "--binary", bomb]),
        (f"`stats --binary`, zstd bomb ({bomb_size >> 20} MiB)", ["stats", "--binary", bomb]),
        (f"`cat`, one {line_mb:.0f} MB line (.zst)", ["cat", packed]),
        (f"`trim`, one {line_mb:.0f} MB line", ["trim", plain]),
        (f"`trim`, one {line_mb:.0f} MB line (.zst)", ["trim", packed]),
        (f"`stats`, one {line_mb:.0f} MB line", ["stats", plain]),
        (f"`stats`, one {line_mb:.0f} MB line (.zst)", ["stats", packed]),
        (f"`stats`, {count} distinct lines", ["stats", distinct]),
        (f"`diff`, one-line GOOD, {count} distinct lines", ["diff", one, distinct]),
        (f"`diff` GOOD=BAD, {count} distinct lines", ["diff", distinct, distinct]),
    ]
    for name, args in cases:
        cmd = suite.cmd(*suite.logtrim, *args)
        runs = [_peak(cmd) for _ in range(suite.runs)]
        rss = statistics.median(r[0] for r in runs)
        secs = statistics.median(r[1] for r in runs)
        suite.add(
            f"peak RSS, {name}",
            mb(rss),
            "—",
            f"{secs:.1f} s",
            "≤ 128 MiB",
            ok=rss <= LIMIT,
        )
