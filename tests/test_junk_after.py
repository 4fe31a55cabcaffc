"""Junk after a compressed input (an archive with bytes appended, a ``.gz`` with a stray
tail): every post-hoc command uses every byte that decoded before it, then exits 3."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env

JUNK = b"junk\n"


def _logtrim(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", *args],
        capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module", params=[20_000, 300_000], ids=["small", "over-1MiB"])
def text(request: pytest.FixtureRequest) -> bytes:
    count: int = request.param
    return b"".join(b"%d\n" % i for i in range(1, count + 1))


@pytest.fixture(scope="module", params=["zst", "gz"])
def damaged(
    request: pytest.FixtureRequest, text: bytes, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """``text`` compressed (a zstd archive written by ``logtrim run``, or gzip), then junk."""
    where = tmp_path_factory.mktemp("junk")
    path = where / f"r.log.{request.param}"
    if request.param == "zst":
        count = str(text.count(b"\n"))
        proc = _logtrim("run", "--artifact", str(path), "--", "seq", "1", count)
        assert proc.returncode == 0, proc.stderr
    else:
        path.write_bytes(gzip.compress(text))
    with path.open("ab") as file:
        file.write(JUNK)
    return path


def _says_junk(proc: subprocess.CompletedProcess[bytes], path: Path, decoded: int) -> None:
    kind = "zstd" if path.suffix == ".zst" else "gzip"
    assert proc.returncode == 3
    error = f"logtrim: error: {path}: not {kind} after {decoded:,} bytes decoded ("
    assert proc.stderr.decode().startswith(error) and proc.stderr.count(b"\n") == 1


def test_cat_prints_every_byte_before_the_junk(damaged: Path, text: bytes) -> None:
    proc = _logtrim("cat", str(damaged))
    assert len(proc.stdout) == len(text) and proc.stdout == text
    _says_junk(proc, damaged, len(text))


def test_trim_uses_every_line_before_the_junk(damaged: Path, text: bytes, tmp_path: Path) -> None:
    """trim's summary counts every line; the output file is kept, as ``-o -`` prints it."""
    last = text.rsplit(b"\n", 2)[-2] + b"\n"
    lines = text.count(b"\n")
    for output in ("-", str(tmp_path / "out.log")):
        proc = _logtrim("trim", "-o", output, str(damaged))
        _says_junk(proc, damaged, len(text))
        printed = proc.stdout if output == "-" else Path(output).read_bytes()
        assert f"[logtrim] {lines:,} lines".encode() in printed
        assert last in printed


def test_stats_and_diff_count_every_line_before_the_junk(damaged: Path, text: bytes) -> None:
    proc = _logtrim("stats", "--json", str(damaged))
    _says_junk(proc, damaged, len(text))
    figures = json.loads(proc.stdout)
    assert figures["total_lines"] == text.count(b"\n") and figures["total_bytes"] == len(text)
    good = damaged.with_name("good.log")
    good.write_bytes(text)
    proc = _logtrim("diff", "--json", str(good), str(damaged))
    _says_junk(proc, damaged, len(text))
    assert json.loads(proc.stdout)["lines"] == text.count(b"\n")


@pytest.mark.parametrize("kind", ["zst", "gz"])
def test_an_input_damaged_before_its_first_byte_writes_no_output(tmp_path: Path, kind: str) -> None:
    """Nothing decoded: exit 3, and the files named with ``-o`` and ``--artifact`` keep what
    they held (an output made of nothing replaced a file with an empty summary)."""
    src = tmp_path / f"bad.log.{kind}"
    header = b"\x28\xb5\x2f\xfd" if kind == "zst" else b"\x1f\x8b\x08\x00"
    src.write_bytes(header + bytes(range(256)) * 8)
    kept = tmp_path / "keep.log"
    kept.write_bytes(b"precious\n")
    artifact = tmp_path / "copy.log.zst"
    proc = _logtrim("trim", str(src), "-o", str(kept), "--artifact", str(artifact))
    assert proc.returncode == 3, proc.stderr
    assert kept.read_bytes() == b"precious\n"
    assert not artifact.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [src.name, "keep.log"]
