"""A user regex that can run away on Python's ``re`` (a repeat inside a repeat) is refused
before anything runs: on the child's output it would hang the step for good."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env

import logtrim
from logtrim._runaway import runaway

RUNAWAY = [
    r"^(\w+\s?)+$",
    r"(a+)+",
    r"(.*,)+x",
    r"(x+x+)+y",
    r"((ab)*)*",
    r"(a{1,20}){1,20}",
    r"(\s*\w+)*$",
    r"(?:\w+ ?)+x",
    r"(?:[a-z ]+ )+done",
]
SAFE = [
    r"(\d+\.)+\d+",  # each turn ends at a dot, which \d cannot match
    r"(\w+,)*",
    r"(?:[a-z]+ )+done",
    r"Deploying .*",
    r"^(ERROR|FATAL)",
    r"GET /health(check)?",
    r"^\s*at ",
    r"^\[\d+/\d+\] Applying",
    r"(\w++\s?)+",  # possessive: never backtracked into
    r"(?>\w+\s?)+",  # atomic
    r"(ab){2}",
    r"(foo|bar)+",
]


@pytest.mark.parametrize("pattern", RUNAWAY)
def test_nested_repeats_are_found(pattern: str) -> None:
    assert runaway(pattern)
    assert runaway(pattern.encode())


@pytest.mark.parametrize("pattern", SAFE)
def test_ordinary_patterns_pass(pattern: str) -> None:
    assert not runaway(pattern)


def test_run_refuses_it_at_once_with_one_line(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """The attack: one line of 36 word characters and a ``!``, which ``re`` would try 2**36
    ways. Refused as a bad regex (exit 2) before the child runs; no archive is made."""
    marker = tmp_path / "ran"
    r = run_logtrim(
        "--ci", "plain", "--keep", r"^(\w+\s?)+$", "--",
        "sh", "-c", f"touch {marker}; echo {'a' * 36}!; exit 4",
        timeout=30,
    )  # fmt: skip
    assert r.code == 2
    lines = r.stderr.decode().splitlines()
    assert len(lines) == 1 and "a repeat inside a repeat" in lines[0], r.stderr
    assert not marker.exists()
    assert r.artifact is not None and not r.artifact.exists()


def test_a_config_file_trim_and_cat_grep_are_refused_too(tmp_path: Path) -> None:
    (tmp_path / "logtrim.toml").write_text('drop = ["(a+)+$"]\n')
    log = tmp_path / "x.log"
    log.write_bytes(b"a" * 40 + b"!\n")
    for args in (
        ["run", "--ci", "plain", "--", "cat", str(log)],
        ["trim", "--keep", r"(x+x+)+y", str(log)],
        ["cat", "--grep", r"(\s*\w+)*$", str(log)],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "logtrim", *args], cwd=tmp_path, env=clean_env(),
            capture_output=True, timeout=30, check=False,
        )  # fmt: skip
        assert proc.returncode == 2, proc.stderr
        assert b"a repeat inside a repeat" in proc.stderr
        assert proc.stdout == b""


def test_the_handler_refuses_it(tmp_path: Path) -> None:
    with pytest.raises(logtrim.ArgumentError, match="a repeat inside a repeat"):
        logtrim.LogtrimHandler(tmp_path / "x.zst", stream=io.StringIO(), drop=[r"(x+x+)+y"])
    assert not list(tmp_path.iterdir())
