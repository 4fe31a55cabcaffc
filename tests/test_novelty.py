"""The engine with a baseline: new lines rank above what good runs also print."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import RunLogtrim, py
from test_engine import drive, noise

from logtrim.engine.core import STDOUT, Core
from logtrim.engine.ending.failure import TailLine, pick
from logtrim.engine.match.kinds import Kind
from logtrim.engine.policy import Policy
from logtrim.engine.shapes.baseline import Baseline
from logtrim.engine.shapes.shapes import Shapes

GOOD = (
    noise(500)
    + b"Deploying release 41 to Production\n"
    + b"WARNING: certificate expires in 30 days\n"
    + b"error: retrying connection to db-01 (attempt 1)\n"
)
SILENT = b"Using cached credentials from /home/deploy/.aws/config\n"


def baseline_of(data: bytes) -> Baseline:
    shapes = Shapes()
    shapes.feed(data)
    return Baseline(shapes.hashes)


def core(baseline: Baseline | None, **kwargs: Any) -> Core:
    kwargs.setdefault("head", 0)
    kwargs.setdefault("verbatim", 0)
    return Core(Policy(**kwargs), baseline=baseline)


def console(baseline: Baseline | None, data: bytes, exit_code: int = 0, **kw: Any) -> bytes:
    _, out = drive(core(baseline, **kw), [(STDOUT, data, 1.0)], exit_code=exit_code)
    return out[STDOUT]


BAD = (
    noise(300, start=7)
    + SILENT
    + noise(200, start=400)
    + b"Deploying release 42 to Production\n"
    + b"WARNING: certificate expires in 29 days\n"
    + b"error: retrying connection to db-02 (attempt 1)\n"
)


def test_a_new_line_with_no_error_word_is_shown() -> None:
    assert SILENT not in console(None, BAD)
    assert SILENT in console(baseline_of(GOOD), BAD)
    # ... and not when a good run printed it too.
    assert SILENT not in console(baseline_of(GOOD + SILENT), BAD)


def test_lines_good_runs_print_drop_a_tier_but_errors_stay() -> None:
    without = console(None, BAD)
    with_baseline = console(baseline_of(GOOD), BAD)
    assert b"Deploying release 42" in without
    assert b"Deploying release 42" not in with_baseline  # info -> detail
    assert b"WARNING: certificate expires in 29 days" in with_baseline  # warning -> info: room
    assert b"error: retrying connection to db-02" in with_baseline  # an error stays shown


def test_the_summary_counts_the_new_shapes() -> None:
    assert b"; 1 new line shape" in console(baseline_of(GOOD), BAD)
    assert b"new line shape" not in console(None, BAD)


def test_the_summary_says_what_the_baseline_knew(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """A warning good runs also print is shown as info: the summary says so, else
    "warnings 0/0" would read as if the run had none."""
    good = tmp_path / "good.log"
    good.write_bytes(GOOD)
    code = f"import sys; sys.stdout.buffer.write({BAD!r})"
    result = run_logtrim("--ci", "plain", "--baseline", str(good), "--", *py(code))
    console = result.stdout.decode()
    assert "warnings 0/0" in console  # the one warning is known: shown as info
    assert "known to the baseline (each shown a tier lower): warnings 1 · info 1" in console
    assert (
        "known to the baseline"
        not in run_logtrim("--ci", "plain", "--", *py(code)).console.decode()
    )


def test_a_new_record_of_detail_is_shown_through_the_record_path() -> None:
    engine = core(baseline_of(GOOD))
    out = b""
    # Five hidden lines before it: a gap marker saves room (four or fewer, at most twice
    # as long as their marker, would be shown instead).
    copies = [b"copying file %06d.dat" % n for n in range(1, 6)]
    for record in (*copies, SILENT.rstrip(), b"copying file 000006.dat"):
        out += b"".join(d for _, d in engine.feed_line(STDOUT, record, Kind.NOISE, 1.0)[1])
    out += b"".join(d for _, d in engine.close(0, 2.0)[0])
    assert SILENT in out
    assert b"copying file 000001" not in out


def test_the_failure_tail_prefers_new_lines_when_it_must_choose() -> None:
    # Distinct lines (no one repeats another, which would rank it last anyway).
    lines = [TailLine(n, STDOUT, b"step %s done\n" % _word(n)) for n in range(40)]
    lines[10] = TailLine(10, STDOUT, b"Using cached credentials\n", new=True)
    room = 6 * len(lines[0].text)
    chosen = [t.lineno for t in pick(lines, room)]
    assert 10 in chosen
    plain = [TailLine(t.lineno, t.stream, t.text) for t in lines]
    assert 10 not in [t.lineno for t in pick(plain, room)]


def test_an_incidents_new_lines_come_before_its_frames_good_runs_also_print() -> None:
    """An error's block holds lines a good run printed too (its indented details) and a new
    line after it: when only part fits, the new line is shown before those details."""
    error = TailLine(0, STDOUT, b"ERROR: step failed:\n", True, 0, True, new=True)
    details = [
        TailLine(n, STDOUT, b"  detail %s\n" % _word(n), incident=0, cont=True) for n in range(1, 4)
    ]
    after = TailLine(4, STDOUT, b"report saved to /tmp/r.log\n", incident=0, new=True)
    tail = [TailLine(n, STDOUT, b"tail line %s\n" % _word(n)) for n in range(5, 7)]
    lines = [error, *details, after, *tail]
    room = len(error.text) + len(after.text) + sum(len(t.text) for t in tail)
    chosen = [t.lineno for t in pick(lines, room)]
    assert 0 in chosen and 4 in chosen
    assert not {1, 2, 3} & set(chosen)
    # Without a baseline the block reads in order: its details before the line after.
    plain = [TailLine(t.lineno, t.stream, t.text, t.marked, t.incident, t.cont) for t in lines]
    assert 4 not in [t.lineno for t in pick(plain, room)]


def _word(n: int) -> bytes:
    return bytes((97 + n // 26, 97 + n % 26)) * 4


def test_the_run_remembers_its_own_shapes_for_the_next() -> None:
    base = baseline_of(GOOD)
    drive(core(base), [(STDOUT, BAD, 1.0)])
    again = Baseline(base.seen.hashes)
    assert again.new_lines(BAD) == []


def test_a_new_line_the_small_budget_held_back_comes_back_when_the_run_fails(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """At a small budget the info tier closes early: a new line with no error word written
    then is not lost, the failure tail shows it."""
    steps = "".join(
        f"print('[{i:03d}] copying web-{i}.{i}.nupkg to the share')\n" for i in range(60)
    )
    good = tmp_path / "good.log"
    run = ["-c", f"import sys\n{steps}"]
    good.write_bytes(subprocess.run([sys.executable, *run], capture_output=True).stdout)
    code = (
        "import sys\n"
        f"{steps}"
        # New warnings (the good run had none) fill the live budget past the info tier's share.
        "for v in ('alpha', 'bravo', 'charlie', 'delta', 'echo'):\n"
        "    print(f'WARNING: disk quota of volume {v} is at 91 percent of its limit')\n"
        f"print({SILENT.decode().strip()!r})\n"
        f"{steps}"
        "print('ERROR: upload of web-59.59.nupkg failed: 403 Forbidden')\n"
        "sys.exit(2)\n"
    )
    args = ("--budget", "2048", "--head", "0", "--tail", "10")
    plain = run_logtrim(*args, "--", *py(code))
    r = run_logtrim(*args, "--baseline", str(good), "--", *py(code))
    assert plain.code == r.code == 2
    assert len(r.console) <= 2048
    assert SILENT not in plain.console
    assert r.stdout.splitlines().count(SILENT.rstrip()) == 1
    # Not shown live (the info tier had closed): it comes back under a section of the end.
    before = r.stdout.split(SILENT.rstrip())[0]
    assert b"[logtrim] --- " in before
    assert b"ERROR: upload of web-59.59.nupkg failed: 403 Forbidden" in r.stdout


_LOGGER = "2024-05-01 13:36:02,886 INFO:build:"  # a logger that stamps each line of a trace


def _logged(*lines: str) -> str:
    return "".join(f"{_LOGGER}{line}\n" for line in lines)


def test_a_new_error_block_comes_before_errors_every_good_run_prints(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """A small budget: the trace that says why (no good run printed it) is shown, not more
    of the errors every good run prints; without the baseline, those win."""
    copying = [f"DEBUG: copying file {i:06d}.dat to the staging area" for i in range(300)]
    known = [
        f"ERROR: cannot load {word}: disabled in the settings"
        for word in [
            "alpha",
            "bravo",
            "charlie",
            "delta",
            "echo",
            "foxtrot",
            "golf",
            "hotel",
            "india",
            "juliett",
            "kilo",
            "lima",
            "mike",
            "november",
            "oscar",
            "papa",
        ]
    ]
    frame = 'DEBUG:   File "/usr/lib/python3/site-packages/sphinx/env.py", line 1097, in load'
    good = tmp_path / "good.log"
    good.write_text(_logged(*copying, *copying[:100], *known, "INFO: done"))
    bad = tmp_path / "bad.log"
    bad.write_text(
        _logged(
            *copying,
            "DEBUG: Exception occurred:",
            frame,
            "DEBUG:     f = open(doctree_filename, 'rb')",
            "DEBUG: IOError: [Errno 2] No such file or directory: '/build/man/index.doctree'",
            *copying[:250],
            *known,
            "ERROR: Command failed. See logs for output.",
        )
    )
    args = ("--budget", "2300", "--", "sh", "-c", 'cat "$0"; exit 1', str(bad))
    plain = run_logtrim(*args)
    r = run_logtrim("--baseline", str(good), *args)
    assert plain.code == r.code == 1
    assert len(r.console) <= 2300
    assert frame.encode() not in plain.console
    assert frame.encode() in r.stdout
