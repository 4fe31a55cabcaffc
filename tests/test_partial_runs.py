"""A line whose start is on the console before its newline (engine/console/partial.py), real
children.

A child writes the start of a line, pauses (the start is shown on a tick), then the rest: the
rest is shown as any line is (cut when long, its last state when redrawn, within the budget),
masked with the secrets known when it ends, and the summary and failure reason still close
the run. Pauses are long (0.5-1 s) so a loaded machine still shows the start first; the
assertions hold whether it did or not.
"""

from __future__ import annotations

import re

import pytest
from conftest import RunLogtrim, py
from octopus_decoder import decode

_LONG_REST = """
import sys, time
sys.stdout.write("Downloading: "); sys.stdout.flush(); time.sleep(0.7)
print("x" * int(sys.argv[1])); print("ERROR: upload rejected"); sys.exit(3)
"""


def _budget_kept(console: bytes, budget: int) -> None:
    assert len(console) <= budget, len(console)
    assert re.search(rb"\[logtrim\] [\d,]+ lines? \(", console), console[-600:]
    assert b"archive: " in console or b"full log: " in console, console[-600:]


def test_a_long_rest_after_a_pause_is_cut_within_the_budget(run_logtrim: RunLogtrim) -> None:
    r = run_logtrim("--ci", "octopus", "--budget", "8kB", "--", *py(_LONG_REST), "100000")
    assert r.code == 3
    _budget_kept(r.console, 8000)
    assert b"cut; the full log has all of it]" in r.console
    assert r.console.count(b"Downloading: ") == 1
    reasons = [decode(line) for line in r.stdout.decode().splitlines() if "resultMessage" in line]
    assert [m.attrs["message"] for m in reasons] == ["ERROR: upload rejected"]
    assert r.archive.count(b"x" * 100_000) == 1  # the archive has all of it


def test_a_rest_past_a_mebibyte_shows_the_start_once(run_logtrim: RunLogtrim) -> None:
    r = run_logtrim("--budget", "8kB", "--", *py(_LONG_REST), "2000000")
    assert r.code == 3
    _budget_kept(r.console, 8000)
    assert r.console.count(b"Downloading: ") == 1
    assert b"line cut; the full log has all of it]" in r.console
    assert b"[logtrim] failed (exit 3): ERROR: upload rejected" in r.console


_BAR = """
import sys, time
sys.stdout.write("Downloading: "); sys.stdout.flush(); time.sleep(0.7)
for i in range(6001):
    sys.stdout.write("\\r[%-60s] %d/6000" % ("#" * (i // 100), i))
print(); print("ERROR: checksum mismatch"); sys.exit(2)
"""


def test_a_bar_redrawn_after_a_pause_shows_its_last_state_only(run_logtrim: RunLogtrim) -> None:
    for budget in ("8kB", "64kB"):
        r = run_logtrim("--budget", budget, "--", *py(_BAR))
        assert r.code == 2
        _budget_kept(r.console, 8000)  # a few lines, at any budget
        assert b"\r" not in r.console
        assert r.console.count(b"/6000") <= 2, r.console[:2000]  # the state shown, the last
        assert b"6000/6000" in r.console
        assert b"[logtrim] failed (exit 2): ERROR: checksum mismatch" in r.console


_ERROR_IN_TWO = """
import sys, time
for i in range(400):
    print("compiling module %d of 400" % i)
sys.stdout.flush()
sys.stdout.write("ERROR: upload failed: "); sys.stdout.flush(); time.sleep(0.7)
print("server said " + "no " * 20000 + "(HTTP 500)"); sys.exit(1)
"""


def test_an_error_written_in_two_parts_when_filtered(run_logtrim: RunLogtrim) -> None:
    r = run_logtrim("--budget", "8kB", "--", *py(_ERROR_IN_TWO))
    assert r.code == 1
    _budget_kept(r.console, 8000)
    assert b"ERROR: upload failed: " in r.console
    assert b"(HTTP 500)" in r.console  # the end of a long line is kept, as for any line


_SECRET = b"Tok-abcdefghijklmnopqrstuvwxyz0123456789"
_MID_LINE_SECRET = """
import os, sys, time
os.write(2, b"auth: Bearer Tok-abcdefghijklmnopqrstuvwxyz"); time.sleep(0.7)
os.write(1, b"::add-mask::Tok-abcdefghijklmnopqrstuvwxyz0123456789\\n"); time.sleep(0.7)
os.write(2, b"0123456789 -> ERROR: deploy rejected by server (HTTP 403)\\n"); sys.exit(1)
"""


@pytest.mark.parametrize("ci", [[], ["--ci", "github"]])
def test_a_secret_learned_mid_line_loses_no_text(run_logtrim: RunLogtrim, ci: list[str]) -> None:
    r = run_logtrim(*ci, "--", *py(_MID_LINE_SECRET))
    assert r.code == 1
    assert b" -> ERROR: deploy rejected by server (HTTP 403)\n" in r.stderr, r.stderr
    # The runner masks what follows its ``::add-mask::`` line: only that line has the value.
    console = r.console.replace(b"::add-mask::" + _SECRET + b"\n", b"", 1 if ci else 0)
    for where in (console, r.archive):
        assert _SECRET not in where
        assert b"0123456789" not in where  # the part of it not on the console yet
    assert b"auth: Bearer ******** -> ERROR: deploy rejected" in r.archive


# Maven writes a colour reset without a newline on stderr at its start and end.
_RESET = """
import sys, time
sys.stderr.write("\\x1b[0m"); sys.stderr.flush(); time.sleep(0.6)
for i in range(200):
    print(f"[INFO] compiling module {i} of 200")
print("[ERROR]   OrderTest.totalSums:5 expected: <6> but was: <7>", flush=True)
time.sleep(0.6)
for i in range(30):
    print(f"[INFO] step {i}")
sys.stderr.write("\\x1b[0m"); sys.exit(1)
"""


def test_a_colour_reset_alone_is_no_partial_line(run_logtrim: RunLogtrim) -> None:
    """A colour reset was shown as a line's start, then said to be "4 B of this line not
    shown" (after another stream's lines, read as their cut), and shown again at the end."""
    r = run_logtrim("--ci", "plain", "--budget", "3kB", "--", *py(_RESET))
    assert r.code == 1
    _budget_kept(r.console, 3000)
    assert b"of this line not shown" not in r.console
    assert r.console.count(b"\x1b[0m") == 2  # the line, once, as the run wrote it
