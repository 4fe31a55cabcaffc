"""A ``--baseline`` the run would overwrite, or one that could hold the step before it
starts (a FIFO), is refused with a usage error (exit 2) before the step starts; ``stats``
and ``diff`` refuse a FIFO good run as an input they cannot read (exit 3)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env

SAID = "is the same file as the --baseline: refusing"


@pytest.fixture
def good(run_logtrim: RunLogtrim, tmp_path: Path) -> Path:
    path = tmp_path / "good.log.zst"
    assert run_logtrim("--", "seq", "1", "50", artifact=path).code == 0
    return path


@pytest.mark.parametrize("through_link", [False, True])
def test_run_refuses_an_artifact_that_is_its_baseline(
    run_logtrim: RunLogtrim, good: Path, tmp_path: Path, through_link: bool
) -> None:
    before = good.read_bytes()
    baseline = good
    if through_link:
        baseline = tmp_path / "link.zst"
        baseline.symlink_to(good)
    marker = tmp_path / "ran"
    result = run_logtrim("--baseline", str(baseline), "--", "touch", str(marker), artifact=good)
    assert result.code == 2
    assert result.stderr.decode() == f"logtrim: error: --artifact {good} {SAID}\n"
    assert not marker.exists() and good.read_bytes() == before


def test_trim_refuses_an_output_that_is_its_baseline(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.log", tmp_path / "bad.log"
    good.write_bytes(b"ok\n" * 10)
    bad.write_bytes(b"ok\nboom\n")
    proc = subprocess.run(
        [sys.executable, "-m", "logtrim", "trim", "--baseline", str(good), "-o", str(good),
         str(bad)],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"logtrim: error: -o {good} {SAID}\n"
    assert good.read_bytes() == b"ok\n" * 10


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_baseline_that_is_not_a_file_or_directory_is_refused_at_once(
    run_logtrim: RunLogtrim, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "fifo"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    marker = tmp_path / "ran"
    result = run_logtrim("--baseline", str(path), "--", "touch", str(marker), timeout=20)
    assert result.code == 2
    assert result.stderr.decode() == (
        f"logtrim: error: --baseline: bad value for baseline: '{path}' "
        "(not a regular file or directory)\n"
    )
    assert not marker.exists()


@pytest.mark.parametrize("command", ["stats", "diff"])
def test_stats_and_diff_refuse_a_good_run_that_is_a_pipe(tmp_path: Path, command: str) -> None:
    """A FIFO with no writer held them for ever; one read through ``<(...)`` lost the bytes
    its format was sniffed from (a log diffed against itself had new lines). Exit 3, as for
    a good run that cannot be read."""
    fifo = tmp_path / "good.fifo"
    os.mkfifo(fifo)
    bad = tmp_path / "bad.log"
    bad.write_bytes(b"step 1\nerror: boom\n")
    args = ["--baseline", str(fifo), str(bad)] if command == "stats" else [str(fifo), str(bad)]
    proc = subprocess.run(
        [sys.executable, "-m", "logtrim", command, *args],
        capture_output=True, env=clean_env(), timeout=30, check=False,
    )  # fmt: skip
    assert proc.returncode == 3
    assert proc.stderr.decode() == (
        f"logtrim: error: {fifo}: not a regular file or directory (a good run is read twice)\n"
    )
    assert proc.stdout == b""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_where_an_index_or_a_good_run_is_read_holds_no_step(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Anyone who can write to a shared history folder could hang every step that uses it:
    a FIFO named as the index held ``run`` at ``open`` (waiting for a writer) before the
    step started, and so did one given to the handler as ``baseline=`` or inside a
    directory of good runs. Each is a warning now, and the step runs."""
    history = tmp_path / "history"
    history.mkdir()
    os.mkfifo(history / "good.log.zst.shapes")
    marker = tmp_path / "ran"
    result = run_logtrim("--history", str(history), "--", "touch", str(marker),
                         artifact=tmp_path / "good.log.zst", timeout=30)  # fmt: skip
    assert result.code == 0 and marker.exists()
    assert b"good.log.zst.shapes is no logtrim index" in result.stderr
    runs = tmp_path / "runs"
    runs.mkdir()
    os.mkfifo(runs / "a.log")
    (runs / "b.log").write_bytes(b"copying assets\n")
    result = run_logtrim("--baseline", str(runs), "--", "echo", "copying assets", timeout=30)
    assert result.code == 0
    assert b"a.log: not a regular file" in result.stderr and b"skipped" in result.stderr
    app = (
        "import logtrim\n"
        f"h = logtrim.LogtrimHandler({str(tmp_path / 'h.log.zst')!r}, "
        f"baseline={str(runs / 'a.log')!r})\n"
        "h.close()\n"
    )
    proc = subprocess.run([sys.executable, "-c", app], capture_output=True, timeout=30,
                          env=clean_env())  # fmt: skip
    assert proc.returncode == 0
    assert b"not a regular file" in proc.stderr
