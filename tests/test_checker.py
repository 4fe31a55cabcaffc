"""``run --baseline`` looks its lines up on the second core (logtrim/run/checker.py): the same
console, archive and index as a run that looks them up in one process. Real runs of a child
that writes large, odd-sized chunks (lines split across reads), with lines the baseline lacks;
one declares a secret mid-run (its masked lines stop the checker) and writes a line too long
to hold."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import Result, RunLogtrim
from second_core import chunked_child, timeless

from logtrim.archive import trailer

SECRET = "s3cr3t-Pa55w0rd-check"
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the checker is forked on Linux only"
)


def _log(path: Path, n: int, secret: bool) -> Path:
    lines = []
    for i in range(n):
        if secret and i == n // 3:
            lines.append(f"::add-mask::{SECRET}\n")
        if secret and i == n // 2:
            lines.append("z" * 1_500_000 + " error in a very long line\n")
        if i % 997 == 0:
            lines.append(
                f"ERROR: unit {i} failed with {SECRET if secret and i > n // 3 else 'x'}\n"
            )
        elif i % 331 == 0:
            lines.append(f"warning: slow disk on node {i}\n")
        elif i % 113 == 0:
            lines.append(f"retrying mirror-{chr(97 + i % 26)}.example.org after reset\n")
        else:
            lines.append(f"2024-05-01 12:00:00 copying file {i:05d}.dat to /srv/app ({i * 7} B)\n")
    path.write_text("".join(lines))
    return path


@pytest.mark.parametrize("secret", [False, True])
def test_a_run_checked_aside_is_the_run_checked_here(
    run_logtrim: RunLogtrim, tmp_path: Path, secret: bool
) -> None:
    good = tmp_path / "good.log"
    good.write_text("".join(f"copying file {i:05d}.dat to /srv/app\n" for i in range(500)))
    child = chunked_child(_log(tmp_path / "step.log", 40_000, secret))
    same = tmp_path / "step.log.zst"
    args = ("--ci", "github", "--budget", "64kB", "--baseline", str(good), "--", *child)

    def run(*more: str, alone: bool = False) -> tuple[Result, bytes | None]:
        env = {"LOGTRIM_CHECKER": "0" if alone else "1"}
        got = run_logtrim(*more, *args, env=env, artifact=same)
        return got, trailer.read(str(same))

    (aside_run, aside_index), (here, index) = run(), run(alone=True)
    told, _ = run("-v")
    assert aside_run.code == here.code == 3
    assert timeless(aside_run.stdout) == timeless(here.stdout)
    assert timeless(aside_run.stderr) == timeless(here.stderr)
    assert aside_run.archive == here.archive
    assert aside_index == index and index
    assert b"new line shapes against the baseline" in aside_run.console
    assert SECRET.encode() not in aside_run.archive
    taken = re.search(rb"checked aside \(blocks=(\d+) taken=(\d+)\)", told.stderr)
    assert taken is not None, told.stderr[-2000:]
    blocks, took = int(taken[1]), int(taken[2])
    if secret:
        assert took < blocks or blocks < 4  # the first masked line stops the checker
    else:
        assert blocks >= 2 and took == blocks


def test_the_archive_writer_counts_as_a_busy_processor(monkeypatch: pytest.MonkeyPatch) -> None:
    """On two processors the forked archive writer keeps one busy: a checker beside it took
    CPU from the engine (the run was about a tenth slower), so none is started there."""
    import os

    from logtrim.logs import ahead

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    assert not ahead.spare_core(busy=1)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(64)))
    assert ahead.spare_core(busy=1)  # this machine's load leaves one of 64 idle
