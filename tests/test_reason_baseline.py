"""The failure reason with a baseline: a new line no error word marks names the failure, not
a line every good run also prints (or a loop's new line printed again and again)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunLogtrim, py

# Copies files; failing, it says one thing no good run says, then goes on (``after``).
STEP = """
import sys
for i in range(2000):
    print(f"copy file {i} to /srv/app/f{i}.dat ok")
if sys.argv[1] == "fail":
    print("node-7 went quiet after 12 s of the sync")
    if sys.argv[2] == "retries":  # a new line of one shape, again and again
        for i in range(300):
            print(f"copy file {i} retry")
    else:  # lines the good run prints too
        for i in range(300):
            print(f"copy file {i} to /srv/app/f{i}.dat ok")
    sys.exit(4)
print("finished")
"""
# No error word, no system error text ("connection reset by peer" is one: it needs no baseline).
NEW = b"node-7 went quiet after 12 s of the sync"
OPTIONS = ("--budget", "20kB")


def _reason(console: bytes) -> bytes:
    lines = [line for line in console.splitlines() if b"failed (exit 4)" in line]
    assert len(lines) == 1, console[-2000:]
    return lines[0].split(b"): ", 1)[1]


@pytest.mark.parametrize("after", ["retries", "known"])
def test_with_a_history_the_new_line_is_the_reason(
    run_logtrim: RunLogtrim, tmp_path: Path, after: str
) -> None:
    history = str(tmp_path / "history")
    good = run_logtrim(*OPTIONS, "--history", history, "--", *py(STEP), "ok")
    assert good.code == 0, good.stderr
    bad = run_logtrim(*OPTIONS, "--history", history, "--", *py(STEP), "fail", after)
    assert bad.code == 4
    assert _reason(bad.console) == NEW
    # Without a baseline the reason is chosen as before: the last line.
    blind = run_logtrim(*OPTIONS, "--", *py(STEP), "fail", after)
    assert _reason(blind.console) != NEW


def test_with_a_baseline_archive_the_new_line_is_the_reason(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    good = run_logtrim(*OPTIONS, "--", *py(STEP), "ok", artifact=tmp_path / "good.zst")
    assert good.code == 0, good.stderr
    bad = run_logtrim(*OPTIONS, "--baseline", str(tmp_path / "good.zst"), "--", *py(STEP),
                      "fail", "retries")  # fmt: skip
    assert _reason(bad.console) == NEW


def test_an_error_line_still_outranks_the_new_line(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    history = str(tmp_path / "history")
    run_logtrim(*OPTIONS, "--history", history, "--", *py(STEP), "ok")
    failing = STEP.replace("sys.exit(4)", 'print("ERROR: upload failed: 403"); sys.exit(4)')
    bad = run_logtrim(*OPTIONS, "--history", history, "--", *py(failing), "fail", "known")
    assert _reason(bad.console) == b"ERROR: upload failed: 403"


def test_a_history_without_the_runs_name_says_so(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    history = tmp_path / "history"
    good = run_logtrim(*OPTIONS, "--history", str(history), "--", *py(STEP), "ok",
                       artifact=tmp_path / "good.zst")  # fmt: skip
    assert good.code == 0, good.stderr
    bad = run_logtrim(*OPTIONS, "--history", str(history), "--", *py(STEP), "fail", "known",
                      artifact=tmp_path / "bad.zst")  # fmt: skip
    notes = [line for line in bad.stderr.splitlines() if b"no remembered runs" in line]
    assert len(notes) == 1 and b"'bad.zst'" in notes[0] and b"no baseline" in notes[0]
    # A name that differs only in its digits finds the good run's: no note.
    again = run_logtrim(*OPTIONS, "--history", str(history), "--", *py(STEP), "fail", "known",
                        artifact=tmp_path / "good-2.zst")  # fmt: skip
    assert b"no remembered runs" not in again.stderr
    assert _reason(again.console) == NEW
