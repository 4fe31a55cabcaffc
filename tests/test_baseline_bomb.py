"""A decompression bomb given as ``--baseline`` does not hold the step: the part read in
the time allowed is the baseline, and a warning says how much that was."""

from __future__ import annotations

import base64
import gzip
import re
import time
from pathlib import Path

import pytest
import zstandard
from conftest import RunLogtrim, py

LINE = b"deploy step ok line\n"


def _bomb(path: Path, size: int) -> None:
    """A zstd file of a few hundred kB that inflates to ``size`` bytes of one line."""
    block = LINE * ((16 << 20) // len(LINE))
    with open(path, "wb") as file, zstandard.ZstdCompressor(level=1).stream_writer(file) as out:
        for _ in range(size // len(block)):
            out.write(block)


def test_a_bomb_baseline_is_read_in_part_and_the_step_runs(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    bomb = tmp_path / "good.zst"
    whole = 1900 << 20  # under the 2 GiB read cap: only the time allowed stops the read
    _bomb(bomb, whole)
    assert bomb.stat().st_size < whole // 1000
    res = run_logtrim("--baseline", str(bomb), "--", *py("print('deploy step ok line')"),
                      timeout=120)  # fmt: skip
    assert res.code == 0, res.stderr
    assert b"deploy step ok line" in res.archive
    warnings = [line for line in res.stderr.splitlines() if b"read as a baseline" in line]
    assert len(warnings) == 1, res.stderr
    read = re.search(rb"only its first ([0-9.]+) (kB|MB|GB)", warnings[0])
    assert read is not None, warnings[0]
    scale = {b"kB": 1e3, b"MB": 1e6, b"GB": 1e9}[read.group(2)]
    assert float(read.group(1)) * scale < whole  # the part read, not the whole


def _declares(name: str, value: str) -> bytes:
    """Octopus's sensitive output variable, as a step declares it (its values in base64)."""
    b64 = [base64.b64encode(v.encode()).decode() for v in (name, value, "True")]
    return ("##octopus[setVariable name='{}' value='{}' sensitive='{}']\n".format(*b64)).encode()


def test_a_secret_a_baseline_declares_past_its_read_cut_is_masked(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """The shapes of a large compressed baseline are read for the time allowed; what it
    declares past that cut was never learned, and the step printed that secret in clear.
    Nor was what a directory's file declares when the load had no time left for it."""
    big = tmp_path / "good" / "a-big.log.zst"
    big.parent.mkdir()
    _bomb(big, 1900 << 20)
    with open(big, "ab") as file:  # a frame of its own: read after the others
        file.write(zstandard.ZstdCompressor().compress(_declares("DbPassword", "B0mbS3cretValue")))
    small = tmp_path / "good" / "b-small.log.gz"
    small.write_bytes(gzip.compress(b"deploy\n" + _declares("ApiKey", "D1rS3cretValue")))
    child = py("print('connecting with B0mbS3cretValue and D1rS3cretValue')")
    for baseline in (big, big.parent):
        res = run_logtrim("--ci", "octopus", "--baseline", str(baseline), "--", *child,
                          timeout=120)  # fmt: skip
        assert res.code == 0, res.stderr
        assert b"read as a baseline" in res.stderr  # (cut: the case looked at)
        for where in (res.stdout, res.stderr, res.archive):
            assert b"B0mbS3cretValue" not in where
        assert b"connecting with ********" in res.archive
    assert b"D1rS3cretValue" not in res.stdout + res.archive  # (the directory's small file)


def test_what_a_bomb_declares_is_read_for_a_bounded_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past the load's time, the rest of a compressed baseline is decoded for what it
    declares, for 15 s more at most (a bomb of tens of gigabytes held the step for as long
    as it inflated): past that, a warning says a secret declared further on is not masked.
    (The load's time is taken as spent 100 s ago: both cuts come at once.)"""
    from logtrim.baseline.load import load_with_lines

    bomb = tmp_path / "good.zst"
    _bomb(bomb, 64 << 20)
    with open(bomb, "ab") as file:
        file.write(zstandard.ZstdCompressor().compress(_declares("DbPassword", "B0mbS3cretValue")))
    seen: list[bytes] = []
    load_with_lines(bomb, time.monotonic() - 100, seen.append)
    err = capsys.readouterr().err
    assert "not read as a baseline" in err  # (no time was left for its shapes)
    assert "is not read: a secret declared there is not masked" in err
    assert sum(map(len, seen)) < 64 << 20  # (it stopped)
