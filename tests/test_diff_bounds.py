"""``logtrim diff`` on logs of more distinct lines than its bounds: a line the good run has
is never new, and the summary says when the similarity stage was bounded."""

from __future__ import annotations

import os
import random
import string
import subprocess
import sys
from pathlib import Path

from conftest import clean_env

from logtrim.engine.shapes.shapes import SHAPE_CAP


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", *args],
        capture_output=True, env=clean_env(), timeout=300, check=False,
    )  # fmt: skip


def _words(rng: random.Random, n: int) -> list[bytes]:
    """``n`` lines of random words: a shape per line."""
    letters = string.ascii_lowercase
    return [
        " ".join("".join(rng.choices(letters, k=rng.randint(4, 9))) for _ in range(6)).encode()
        for _ in range(n)
    ]


def _reported(out: bytes) -> list[bytes]:
    """The lines ``diff`` reports as new (``12:text``), without their numbers."""
    return [
        line.split(b":", 1)[1]
        for line in out.splitlines()
        if line[:1].isdigit() and line.split(b":", 1)[0].isdigit()
    ]


def test_a_log_of_more_shapes_than_a_runs_index_has_no_new_line_against_itself(
    tmp_path: Path,
) -> None:
    lines = _words(random.Random(7), SHAPE_CAP + SHAPE_CAP // 8)
    log = tmp_path / "x.log"
    log.write_bytes(b"\n".join(lines) + b"\n")
    res = _cli("diff", str(log), str(log))
    assert res.returncode == 0, res.stderr
    assert _reported(res.stdout) == []
    assert b"0 new line shapes" in res.stdout


def test_of_a_large_good_run_only_the_lines_it_lacks_are_new_and_the_bound_is_said(
    tmp_path: Path,
) -> None:
    rng = random.Random(11)
    lines = _words(rng, SHAPE_CAP + SHAPE_CAP // 8)
    good = tmp_path / "good.log"
    good.write_bytes(b"\n".join(lines) + b"\n")
    fresh = _words(random.Random(12), 200)
    bad_lines = rng.sample(lines, 3000) + fresh
    rng.shuffle(bad_lines)
    bad = tmp_path / "bad.log"
    bad.write_bytes(b"\n".join(bad_lines) + b"\n")
    res = _cli("diff", "--budget", "10MB", str(good), str(bad))
    assert res.returncode == 0, res.stderr
    reported = _reported(res.stdout)
    assert set(reported) <= set(fresh)
    assert len(reported) == len(fresh)  # random words: none near a line of GOOD
    # GOOD has more distinct lines than the similarity stage indexes: the summary says so.
    assert b"similarity stage reached its bounds" in res.stdout.splitlines()[-1]


def test_a_number_past_any_log_s_lines_means_all_of_them(tmp_path: Path) -> None:
    """``--context`` (and ``stats --top``, ``trim --jobs``) past what a C size holds: as
    large as any log (it was an internal error, exit 1); the summary counts in the singular
    where there is one."""
    (tmp_path / "good.log").write_bytes(b"deploy started\ndeploy done\n")
    (tmp_path / "bad.log").write_bytes(b"deploy started\nquota exceeded for bucket\n")
    huge = "9" * 20
    res = _cli("diff", str(tmp_path / "good.log"), str(tmp_path / "bad.log"), "--context", huge)
    assert res.returncode == 0, res.stderr
    assert b"quota exceeded for bucket" in res.stdout
    assert b"1 new line shape (1 of 2 lines)" in res.stdout
    assert _cli("stats", "--top", huge, str(tmp_path / "bad.log")).returncode == 0
    trimmed = _cli("trim", "--jobs", huge, str(tmp_path / "bad.log"), "-o", os.devnull)
    assert trimmed.returncode == 0, trimmed.stderr
