"""What the console says about lines it does not show is true: a count says "repeated" only
for the very same line, right after it; the line that differs and the failure tail are not
swallowed by a count; every stretch of lines left out is marked where it is.

Real child processes (``logtrim run``) and real files (``logtrim trim``); the console as a
user reads it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import RunLogtrim, clean_env

OWN = b"[logtrim] "
_COUNT = re.compile(rb"^\[logtrim\] \(repeated (?:once|([\d,]+) (?:more )?times)(?: so far)?\)$")


def _trim(*args: str) -> bytes:
    proc = subprocess.run(
        [sys.executable, "-m", "logtrim", "trim", *args],
        capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _body(console: bytes) -> list[bytes]:
    """The console up to the summary: the child's lines and logtrim's markers."""
    lines = console.splitlines()
    end = next(i for i, line in enumerate(lines) if re.match(rb"\[logtrim\] [\d,]+ lines \(", line))
    return lines[:end]


def _python_run(run_logtrim: RunLogtrim, script: str, *options: str) -> tuple[int, list[bytes]]:
    """``logtrim run OPTIONS -- python -c SCRIPT``: its exit code and :func:`_body`."""
    r = run_logtrim(*options, "--", sys.executable, "-c", script)
    return r.code, _body(r.stdout)


def _check_repeats_true(console: bytes, written: list[bytes]) -> None:
    """Each ``(repeated N more times)`` follows the line it counts, and the input has that
    very line N more times right after it."""
    body = _body(console)
    for i, line in enumerate(body):
        found = _COUNT.match(line)
        if not found:
            continue
        before = [x for x in body[:i] if not x.startswith(OWN)]
        assert before, f"{line!r} counts no line"
        counted = before[-1]
        times = 1 if found.group(1) is None else int(found.group(1).replace(b",", b""))
        at = max(j for j, x in enumerate(written) if x == counted and j + times < len(written))
        assert written[at : at + times + 1] == [counted] * (times + 1), (
            f"{line!r} after {counted!r}: the input does not repeat it"
        )


def _check_stretches_marked(console: bytes, number: re.Pattern[bytes]) -> None:
    """Between two in-order lines of the child that are not neighbours in the input, a marker
    of logtrim's says lines are left out. The section of earlier lines is out of order under
    its own header: a stretch that spans it is marked after it, next to the lines it skips."""
    previous, marked, earlier = -1, True, False
    for line in _body(console):
        if line.startswith(OWN):
            if b"--- held back" in line or b"--- earlier lines" in line:
                earlier, marked = True, False
            elif b"--- last" in line:
                earlier = False
            elif b"not shown" in line or b"similar line" in line or b"(repeated" in line:
                marked = True
            continue
        found = number.search(line)
        if found is None or earlier:
            continue
        at = int(found.group(1))
        if previous >= 0 and at != previous + 1:
            assert marked, f"lines {previous + 1} to {at - 1} left out without a marker"
        previous, marked = at, False


def test_a_line_that_differs_in_a_number_is_not_called_a_repeat(run_logtrim: RunLogtrim) -> None:
    """Health checks that differ in their numbers, one of them a 503, then a failure: the
    console never says they repeated, and the 503 is on it."""
    script = (
        "for i in $(seq -w 1 20); do code=200; [ $i = 09 ] && code=503; "
        'echo "health check web-$i returned $code in 12 ms"; done; echo "rollout aborted"; exit 1'
    )
    r = run_logtrim("--verbatim", "0", "--", "bash", "-c", script)
    assert r.code == 1
    assert r.stdout.count(b"health check web-09 returned 503 in 12 ms\n") == 2  # and the reason
    assert b"(repeated" not in r.stdout
    # The 503, an error line, ends the run of similar info lines before it: shown live, with
    # its context, not counted among them (it was, and came back only in the failure tail).
    live = r.stdout.split(b"[logtrim] --- last")[0]
    assert b"health check web-09 returned 503 in 12 ms\n" in live


def test_similar_lines_show_their_last_one(run_logtrim: RunLogtrim) -> None:
    """A successful run of similar lines: counted as similar, the last of them shown where the
    run ended (the final state), the very same line counted as repeated."""
    script = (
        'for i in $(seq 1 50); do echo "WARNING: slow disk $i"; done; '
        'yes "WARNING: same" | head -30'
    )
    options = ("--verbatim", "0", "--head", "0", "--success-tail", "0")
    r = run_logtrim(*options, "--", "bash", "-c", script)
    assert r.code == 0
    body = _body(r.stdout)
    assert body[:3] == [
        b"WARNING: slow disk 1",
        b"[logtrim] ... 48 similar lines ...",
        b"WARNING: slow disk 50",
    ]
    assert body[3:5] == [b"WARNING: same", b"[logtrim] (repeated 29 more times)"]


def test_a_checksum_without_letters_is_similar_all_the_same(run_logtrim: RunLogtrim) -> None:
    """Lines that differ in a hex id are similar whether the id holds a letter or not: before,
    each checksum made of digits only (a number to the template) ended the run, and the
    console showed three lines and a new count around each one."""
    script = (
        "for i in range(3000):\n"
        "    h = '1234567890123456' if i % 500 == 250 else '%016x' % (0xabcdef << 40 | i * 7919)\n"
        "    print(f'step {i}: checksum={h} status=ok')\n"
    )
    options = ("--verbatim", "0", "--head", "0", "--success-tail", "0")
    code, body = _python_run(run_logtrim, script, *options)
    assert code == 0
    assert body[1] == b"[logtrim] ... 2,998 similar lines ...", body[:6]
    assert len(body) == 3


def test_a_heading_printed_before_each_test_s_output_goes_into_the_gaps(
    run_logtrim: RunLogtrim,
) -> None:
    """``pytest -rA`` prints the same heading before each passing test's captured output.
    Before, each one was shown with a gap marker after it (17 pairs spent the info share of
    a 20 kB console); now, once a quarter of the info room is spent, the very same info line
    shown three times goes with its neighbours into one gap, and what follows is still shown."""
    bar = "-" * 29 + " Captured stdout call " + "-" * 29
    script = (
        "for i in range(400):\n"
        f"    print({bar!r})\n"
        "    print(f'setting up fixture {i}')\n"
        "    print(f'connected to db-{i % 4}')\n"
        "print('=== short test summary info ===')\n"
        "print('FAILED tests/test_total.py::test_total - assert 9 == 10')\n"
        "raise SystemExit(1)\n"
    )
    options = ("--budget", "20kB", "--verbatim", "0", "--head", "0")
    code, body = _python_run(run_logtrim, script, *options)
    assert code == 1
    assert 3 <= body.count(bar.encode()) <= 14, body
    assert b"=== short test summary info ===" in body
    assert b"FAILED tests/test_total.py::test_total - assert 9 == 10" in body
    assert re.match(rb"\[logtrim\] \.\.\. 1,1\d\d lines \(.*\) not shown \.\.\.", body[-3]), body


def test_a_console_with_room_shows_a_repeated_heading_each_time(run_logtrim: RunLogtrim) -> None:
    """A short run at the default budget: ``Waiting for lock...`` between detail lines is shown
    each time, as written (the gap rule above waits for a quarter of the info room)."""
    script = 'for k in 1 2 3 4 5 6; do echo "INFO Waiting for lock..."; echo "DEBUG d$k"; done'
    options = ("--verbatim", "0", "--head", "0", "--success-tail", "0")
    r = run_logtrim(*options, "--", "sh", "-c", script)
    assert r.code == 0
    assert _body(r.stdout).count(b"INFO Waiting for lock...") == 6


def test_a_count_follows_the_line_it_counts(tmp_path: Path) -> None:
    """A progress line between two runs of routine lines: no count after it claims the
    routine lines as its repeats."""
    written = [f"INFO routine line {i}".encode() for i in range(1, 21)]
    written += [b"Uploading package 55%"]
    written += [f"INFO routine line {i}".encode() for i in range(21, 41)]
    written += [b"INFO all done"] * 5
    log = tmp_path / "rep.log"
    log.write_bytes(b"\n".join(written) + b"\n")
    console = _trim("--verbatim", "0", str(log))
    assert b"Uploading package 55%\n" in console
    assert not re.search(rb"Uploading package 55%\n\[logtrim\]", console)
    _check_repeats_true(console, written)
    assert b"[logtrim] (repeated 4 more times)" in console


def test_a_failed_run_of_numbered_lines_ends_with_its_tail(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """3,000 lines alike but for their number, then exit 1: the console ends with the failure
    tail, the last line written in it, not with a count that swallowed them."""
    log = tmp_path / "simple.log"
    log.write_text("".join(f"2025-01-01 INFO routine line {i}\n" for i in range(1, 3001)))
    r = run_logtrim("--budget", "30kB", "--", "bash", "-c", f"cat {log}; exit 1")
    assert r.code == 1
    body = _body(r.stdout)
    header = body.index(b"[logtrim] --- last 200 lines (exit code 1) ---")
    assert body[-1] == b"2025-01-01 INFO routine line 3000"
    assert header < len(body) - 1
    assert b"(repeated" not in r.stdout
    _check_stretches_marked(r.stdout, re.compile(rb"routine line (\d+)"))


def _gap_log(path: Path) -> None:
    lines = [
        f"ERROR thing {i} failed" if i % 300 == 169 else f"2025-01-01 INFO routine line {i} x"
        for i in range(30000)
    ]
    path.write_text("\n".join(lines) + "\nfinal line\n")


def test_no_stretch_before_or_inside_the_last_lines_goes_unmarked(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """An error every 300 lines, a budget they outgrow: in ``run`` and in ``trim``, every
    stretch left out before and inside the last lines has its marker."""
    log = tmp_path / "gap.log"
    _gap_log(log)
    number = re.compile(rb"(?:routine line|thing) (\d+)")
    r = run_logtrim("--budget", "30kB", "--", "cat", str(log))
    assert r.code == 0
    assert len(r.stdout) + len(r.stderr) <= 30_000
    _check_stretches_marked(r.stdout, number)
    trimmed = _trim("--budget", "30kB", str(log))
    assert len(trimmed) <= 30_000
    _check_stretches_marked(trimmed, number)


def test_an_error_record_is_no_repeat_of_the_info_records_around_it(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """A JSON logger's records share one template (every value a quoted string or a number):
    an error record among info records was counted as one more of their similar lines, and
    the console never showed it (``errors 0/1``). A line of another tier ends the run."""
    record = '{{"level":{},"time":{},"pid":4242,"hostname":"worker-3","msg":"{}"}}\n'
    info = [record.format(30, 1733346000000 + i, f"processed batch {i}") for i in range(300)]
    error = record.format(50, 1733346002000, "payment declined for order 7731")
    (tmp_path / "log.txt").write_text("".join([*info, error, *info]), encoding="utf-8")
    r = run_logtrim("--budget", "40kB", "--", "cat", "log.txt", cwd=tmp_path)
    assert r.code == 0
    assert r.stdout.count(error.encode()) == 1
    assert b"errors 1/1" in r.stdout
