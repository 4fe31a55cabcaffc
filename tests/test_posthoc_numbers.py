"""The whole numbers of ``trim``, ``stats`` and ``diff`` are refused as ``run``'s bad
numbers are (``--OPTION: bad value for NAME: 'RAW' (what a good one is)``, exit 2), and
several inputs to stdout are refused as such (not named by files never written)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env


def _logtrim(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", *args],
        capture_output=True, env=clean_env(), timeout=60, check=False, cwd=cwd,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("command", "option", "raw", "least"),
    [
        ("diff", "--context", "1e100", 0),
        ("diff", "--context", "-1", 0),
        ("stats", "--top", "1e100", 1),
        ("stats", "--top", "0", 1),
        ("trim", "--jobs", "x", 1),
        ("trim", "--jobs", "0", 1),
    ],
)
def test_a_bad_whole_number_reads_as_run_says_it(
    tmp_path: Path, command: str, option: str, raw: str, least: int
) -> None:
    log = tmp_path / "a.log"
    log.write_bytes(b"one\ntwo\n")
    inputs = [str(log), str(log)] if command == "diff" else [str(log)]
    proc = _logtrim(command, option, raw, *inputs, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == b""
    name = option.lstrip("-")
    hint = f"a whole number, {least} or more"
    assert (
        proc.stderr.decode()
        == f"logtrim: error: {option}: bad value for {name}: '{raw}' ({hint})\n"
    )


def test_several_inputs_to_stdout_are_refused_as_such(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_bytes(b"one\n")
    for inputs in ([str(log), str(log)], [str(log), str(tmp_path / "b.log")]):
        proc = _logtrim("trim", *inputs, "-o", "-", cwd=tmp_path)
        assert proc.returncode == 2 and proc.stdout == b""
        said = "logtrim: error: several inputs need -o DIR: one trimmed file each (not stdout)\n"
        assert proc.stderr.decode() == said
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.log"]  # no directory "-"


def test_good_numbers_still_work(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_bytes(b"one\ntwo\nthree 3\n")
    assert _logtrim("diff", "--context", "2", str(log), str(log), cwd=tmp_path).returncode == 0
    stats = _logtrim("stats", "--top", "1", str(log), cwd=tmp_path)
    assert stats.returncode == 0 and b"top 1" in stats.stdout
    assert _logtrim("trim", "--jobs", "1", str(log), cwd=tmp_path).returncode == 0
