"""The failure tail of a small budget: every stretch it leaves out is marked where it is, so
that the lines around a stretch do not read as one block (one test's header over another
test's error)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env, examples, split
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim.engine.console.whole import Whole
from logtrim.engine.core import STDOUT, Core, Emit
from logtrim.engine.policy import Policy

TESTS = """
import pytest

@pytest.mark.parametrize("n", range(400))
def test_many(n):
    print("output for", n)
    assert n not in (57, 211, 390), f"bad n {n}"
"""
OWN = b"[logtrim] "
PYTEST = ["-m", "pytest", "-v", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:xdist"]


def _unmarked(console: bytes, archive: bytes) -> list[bytes]:
    """The child's lines in each section of the console (the earlier lines held back, the
    last lines) that come right after a line which was not the one before them in the
    archive, with no marker between. A line the archive holds more than once (a pytest
    section's rule) may be any of its copies: each is followed as a possible place."""
    lines = archive.splitlines()
    where: dict[bytes, list[int]] = {}
    for n, line in enumerate(lines):
        where.setdefault(line, []).append(n)
    found: list[bytes] = []
    at: list[int] | None = None  # where the line shown last may be in the archive
    marked = True
    for line in console.splitlines():
        if line.startswith(OWN):
            if b"---" in line:
                at, marked = None, True  # a section starts: no order with what came before
            elif b"..." in line:
                marked = True
            continue
        after = -1 if at is None else min(at)
        places = [n for n in where.get(line, []) if n > after]
        if not places:
            continue  # a line cut or masked on the console
        if at is not None and not marked:
            next_ones = [n + 1 for n in at if n + 1 in places]
            if not next_ones:
                found.append(line)
            else:
                places = next_ones
        at, marked = places, False
    return found


@pytest.mark.parametrize("budget", [3000, 4000, 6000])
def test_a_small_budget_marks_each_stretch_of_the_failure_tail(
    run_logtrim: RunLogtrim, tmp_path: Path, budget: int
) -> None:
    (tmp_path / "test_many.py").write_text(TESTS)
    result = run_logtrim("--budget", str(budget), "--", sys.executable, *PYTEST,
                         str(tmp_path / "test_many.py"))  # fmt: skip
    assert result.code == 1
    assert len(result.console) <= budget
    console = result.console
    assert b"AssertionError: bad n 57" in console  # the reason
    if budget >= 4000:
        for n in (211, 390):
            assert b"AssertionError: bad n %d" % n in console
    tail = console[console.index(b"[logtrim] --- ") :]
    assert _unmarked(tail, result.archive) == []


@pytest.fixture(scope="module")
def pytest_output(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """What ``pytest -v`` writes for TESTS: a real run, once."""
    where = tmp_path_factory.mktemp("many")
    (where / "test_many.py").write_text(TESTS)
    argv = [sys.executable, *PYTEST, str(where / "test_many.py")]
    done = subprocess.run(argv, cwd=where, env=clean_env(), capture_output=True, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 1
    return done.stdout


@settings(max_examples=examples(25), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    budget=st.integers(2400, 4200),
    cuts=st.lists(st.integers(0, 40_000), max_size=60),
    pauses=st.lists(st.sampled_from([0.001, 0.3, 2.0, 11.0]), max_size=60),
)
def test_the_tail_marks_its_stretches_whatever_the_chunks_and_pauses(
    pytest_output: bytes, budget: int, cuts: list[int], pauses: list[float]
) -> None:
    """However the output is read and however long the child pauses between reads (a loaded
    machine: a progress line shown, the console held and let go), the tail fits the budget
    and marks each stretch it leaves out."""
    policy = Policy(budget=budget)
    whole = Whole(Core(policy), lambda: Core(policy))
    emits: list[Emit] = []
    now = 0.0
    for n, chunk in enumerate(split(pytest_output, cuts)):
        emits += whole.feed(STDOUT, chunk, now)[1]
        now += pauses[n] if n < len(pauses) else 0.001
        emits += whole.tick(now)
    emits += whole.finish_input(now)[1]
    emits += whole.close(lambda c: c.close(1, now, archive="/tmp/a.zst", archive_name="a.zst",
                                           archive_size=10))[0]  # fmt: skip
    console = b"".join(data for stream, data in emits if stream == STDOUT)
    assert len(console) <= budget
    assert b"AssertionError: bad n 57" in console
    tail = console[console.index(b"[logtrim] --- ") :]
    assert _unmarked(tail, pytest_output) == []


def _migration_log() -> bytes:
    """A migration's log: DEBUG rows, an early error (which uses the error lines' share of a
    small budget), more rows, then a chained traceback and two closing lines."""
    rows = [f"2026-12-05 03:05:52,{n % 1000:03d} DEBUG migrator: row {n}: transforming fields"
            for n in range(1800)]  # fmt: skip
    rows.insert(1200, "2026-12-05 03:05:52,371 ERROR migrator: row 1200: upstream returned 429")
    trace = [
        "2026-12-05 03:05:52,389 ERROR migrator: migration aborted",
        "Traceback (most recent call last):",
        '  File "/srv/app/migrate.py", line 19, in run',
        "    apply(n)",
        '  File "/srv/app/migrate.py", line 8, in apply',
        '    raise KeyError("customer_id")',
        "KeyError: 'customer_id'",
        "",
        "The above exception was the direct cause of the following exception:",
        "",
        "Traceback (most recent call last):",
        '  File "/srv/app/migrate.py", line 23, in <module>',
        "    run()",
        '  File "/srv/app/migrate.py", line 21, in run',
        '    raise MigrationError(f"row {n}: required field missing") from e',
        "MigrationError: row 1799: required field missing",
        "2026-12-05 03:05:52,395 DEBUG migrator: closing 4 pooled connections",
        "2026-12-05 03:05:52,395 INFO migrator: wrote partial report to /var/tmp/report.json",
    ]
    return "\n".join([*rows, *trace, ""]).encode()


@pytest.mark.parametrize("budget", ["2kB", "3kB"])
def test_a_chained_traceback_that_does_not_fit_keeps_its_exceptions(
    tmp_path: Path, budget: str
) -> None:
    """At a small budget the tail took a traceback's lines in order as they fit: its first
    frame, then the blank lines of the chain (a byte each) between markers, and not the root
    cause's ``KeyError``. Its exceptions come first now, then its frames from the innermost;
    a blank line is never shown alone between two markers."""
    log = tmp_path / "migrate.log"
    log.write_bytes(_migration_log())
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "trim", "--budget", budget, str(log)],
        capture_output=True, env=clean_env(), timeout=60, check=True,
    )  # fmt: skip
    console = result.stdout
    assert len(console) <= {"2kB": 2000, "3kB": 3000}[budget]
    assert b"\nKeyError: 'customer_id'\n" in console
    assert b"\nMigrationError: row 1799: required field missing\n" in console
    assert b"...\n\n" + OWN not in console


def test_a_fold_never_counts_a_single_line(run_logtrim: RunLogtrim) -> None:
    """A run of similar lines folds around its odd one (a 503 among 200s); a stretch of one
    line between them is shown, not a ``... 1 similar line ...`` that stands in for it."""
    code = (
        "import sys\n"
        "for i in range(5000): print(f'copy object {i} done')\n"
        "for i in range(20): print(f'GET /api/orders/{i} -> {503 if i == 4 else 200} in 9 ms')\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", sys.executable, "-c", code)
    assert r.code == 1
    text = r.stdout.decode()
    assert "GET /api/orders/3 -> 200 in 9 ms\nGET /api/orders/4 -> 503" in text
    assert "... 1 similar line ..." not in text


GOROUTINES = r"""
import sys
for i in range(2000):
    print(f"=== RUN   TestCase{i}\n--- PASS: TestCase{i} (0.00s)")
print("=== RUN   TestWorkerPool")
print("panic: runtime error: invalid memory address or nil pointer dereference")
print("[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x5f3a1c]")
print()
print("goroutine 7 [running]:")
print("example.com/shop/worker.(*Pool).Submit(0x0)\n\t/src/shop/worker/pool.go:88 +0x3c")
for g in range(8, 300):
    print(f"\ngoroutine {g} [chan receive]:")
    print(f"example.com/shop/worker.(*Pool).loop(0xc000{g:06x})\n\t/src/shop/worker/pool.go:120 +0x{g:x}")
    print(f"created by example.com/shop/worker.New in goroutine 1\n\t/src/shop/worker/pool.go:40 +0x{g * 3:x}")
print("FAIL\texample.com/shop/worker\t0.021s")
sys.exit(1)
"""  # noqa: E501


def test_blocks_alike_in_the_tail_fold_around_a_count(run_logtrim: RunLogtrim) -> None:
    """A Go panic's dump of 292 idle goroutines, five lines and a blank each, differing in
    numbers: the failure tail was 200 lines of them. It shows the first and last of them
    now, and a note that counts the lines between."""
    r = run_logtrim("--ci", "plain", "--budget", "20kB", "--", sys.executable, "-c", GOROUTINES)
    assert r.code == 1
    tail = r.stdout.decode().split("--- last 200 lines", 1)[1]
    found = re.search(r"\.\.\. ([\d,]+) similar lines \(([\d,]+) blocks like the one above\)", tail)
    assert found, tail
    assert int(found.group(1)) == 6 * int(found.group(2))
    assert tail.count("[chan receive]:") == 2
    assert "goroutine 299 [chan receive]:" in tail and "FAIL\texample.com/shop/worker" in tail
    # The blocks before the note and after it, and the note's, are the window's lines.
    shown = [ln for ln in tail.splitlines()[1:] if not ln.startswith("[logtrim]")]
    assert len(shown) + int(found.group(1)) == 200


BUNDLER = r"""
import sys
for i in range(4000):
    print(f"ERROR in ./src/components/Widget{i}.tsx 12:4-18 export 'useLegacyStore' was not found")
    for j in range(5):
        print(f"  asset chunk-{i}-{j}.js {i * j % 900} KiB [emitted] [minimized]")
    if i == 3000:
        print("ERROR: could not upload sourcemaps to sentry: 401 Unauthorized")
sys.exit(1)
"""


def test_blocks_alike_among_the_errors_held_back_fold(run_logtrim: RunLogtrim) -> None:
    """4,000 errors of one kind, each with its asset lines, and one of another kind: the
    section of errors held back showed 63 of the same block, 380 lines. It folds them as the
    last lines are folded, and the one error of another kind is still there."""
    r = run_logtrim("--ci", "plain", "--budget", "100kB", "--", sys.executable, "-c", BUNDLER)
    assert r.code == 1 and len(r.console) <= 100_000
    text = r.stdout.decode()
    earlier = text.split("--- earlier lines held back", 1)[1].split("--- last 200 lines")[0]
    assert "ERROR: could not upload sourcemaps to sentry: 401 Unauthorized" in earlier
    found = re.search(
        r"\.\.\. ([\d,]+) similar lines \(([\d,]+) blocks like the one above\)", earlier
    )
    assert found, earlier
    assert earlier.count("ERROR in ./src/components/Widget") <= 3


def test_the_lines_a_held_fold_counts_are_not_counted_again() -> None:
    """The marker before the last lines counts the lines the tail does not cover: the lines
    a fold's note among the earlier ones counts are covered (by the note)."""
    from logtrim.engine.ending.failure import TailLine
    from logtrim.engine.ending.fold import similar_note, written_after

    def line(n: int) -> TailLine:
        return TailLine(n, 1, b"x\n", earlier=True)

    held = [line(3), line(10), similar_note(5, earlier=True), line(16)]
    assert written_after(held, 5) == 1 + 5 + 1
    assert written_after(held, 20) == 0


IDLE_GOROUTINES = r"""
import sys
o=sys.stdout; e=sys.stderr
for i in range(3000):
    o.write(f"2025/03/14 09:21:{i%60:02d} worker-{i%8}: processed batch {i} (120 items) in 35ms\n")
o.flush()
e.write("panic: runtime error: invalid memory address or nil pointer dereference\n")
e.write("[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6b2f1a]\n\n")
e.write("goroutine 42 [running]:\n")
e.write("github.com/acme/shop/internal/orders.(*Service).Place(0x0, {0x7f1c2c0, 0xc0001a2000}, 0xc000312000)\n")
e.write("\t/build/internal/orders/service.go:118 +0x3a\n")
e.write("github.com/acme/shop/internal/api.(*Handler).CreateOrder(0xc0000b6000, {0x7f1b980, 0xc0002c41c0}, 0xc000318100)\n")
e.write("\t/build/internal/api/orders.go:57 +0x1f4\n")
e.write("net/http.HandlerFunc.ServeHTTP(0xc0000a4a00?, {0x7f1b980?, 0xc0002c41c0?}, 0x0?)\n")
e.write("\t/usr/local/go/src/net/http/server.go:2136 +0x29\n")
e.write("created by net/http.(*Server).Serve in goroutine 1\n")
e.write("\t/usr/local/go/src/net/http/server.go:3285 +0x4b4\n")
for g in range(1, 60):
    if g == 42: continue
    e.write(f"\ngoroutine {g} [select, {g} minutes]:\n")
    e.write("runtime.gopark(0xc000060f28?, 0x2?, 0x0?, 0x0?, 0xc000060ef4?)\n")
    e.write("\t/usr/local/go/src/runtime/proc.go:402 +0xce\n")
    e.write("runtime.selectgo(0xc000060f28, 0xc000060ef0, 0x0?, 0x0, 0x0?, 0x1)\n")
    e.write("\t/usr/local/go/src/runtime/select.go:327 +0x725\n")
    e.write(f"github.com/acme/shop/internal/worker.(*Pool).loop(0xc0000{g:03d}00)\n")
    e.write("\t/build/internal/worker/pool.go:88 +0x12f\n")
    e.write("created by github.com/acme/shop/internal/worker.New in goroutine 1\n")
    e.write("\t/build/internal/worker/pool.go:41 +0x1c5\n")
e.write("exit status 2\n")
sys.exit(2)
"""  # noqa: E501


def test_ten_line_blocks_alike_do_not_leave_markers_around_blank_lines(
    run_logtrim: RunLogtrim,
) -> None:
    """Goroutines of four frames (ten lines with the blank one) were not folded (blocks of 8
    lines at most), and at 4 kB the lines held back were six bare ``[logtrim] ...`` with a
    blank line between each: twelve lines that said nothing."""
    # One stream: the blank lines (stderr's) and the markers (stdout's) in one order.
    child = f"exec {shlex.quote(sys.executable)} -c {shlex.quote(IDLE_GOROUTINES)} 2>&1"
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", "sh", "-c", child)
    assert r.code == 2 and len(r.console) <= 4000
    text = r.stdout.decode()
    assert not re.search(r"\[logtrim\] \.\.\.\n\n\[logtrim\] \.\.\.\n", text), text


@pytest.mark.parametrize("case", ["four-odd", "hex-offsets"])
def test_blocks_that_differ_are_shown_though_four_do_or_their_hex_ids_vary(
    run_logtrim: RunLogtrim, case: str
) -> None:
    """Four rounds of 31 degraded (``0/8``): the odd blocks were folded away (at most
    three odd ones were looked for). A goroutine stuck at another line, whose offset has
    fewer hex digits: folded away too (odd blocks were looked for only where every block
    had as many digit groups)."""
    if case == "four-odd":
        body = (
            "    print(f'rollout node-{g}')\n"
            "    ready = 0 if g in (15, 19, 23, 27) else 8\n"
            "    print(f'  replicas ready: {ready}/8')\n"
        )
        want, times = b"replicas ready: 0/8", 4
    else:
        body = (
            "    print(f'goroutine {g} [select]:')\n"
            "    line, offset = (141, 0x1b5) if g == 33 else (57, g * 0x1001)\n"
            "    print(f'\\t/build/worker.go:{line} +{offset:#x}')\n"
        )
        want, times = b"/build/worker.go:141 +0x1b5", 1
    code = (
        "import sys\n"
        "for i in range(1500): print(f'ERROR fetch item-{i} failed, retrying')\n"
        "for g in range(10, 41):\n" + body + "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "32kB", "--", sys.executable, "-c", code)
    assert r.code == 1 and len(r.console) <= 32_000
    assert r.stdout.count(want) == times


@pytest.mark.parametrize(
    ("odd", "options"),
    [
        # A number that differs where all the other blocks agree.
        ("  replicas ready: 0/8", ("--verbatim", "0", "--head", "0")),
        # A line a rule gives a tier (``3 failures``) among lines it gives none.
        ("  tests: 40 passed, 3 failures", ("--budget", "32kB")),
    ],
)
def test_a_block_that_differs_is_shown_in_its_place(
    run_logtrim: RunLogtrim, odd: str, options: tuple[str, ...]
) -> None:
    """31 blocks alike but one: the fold of blocks hid that one (``... 58 similar lines (29
    blocks like the one above) ...``), as a fold of lines never hides a line that differs."""
    common = "  tests: 43 passed, 0 failures" if "tests" in odd else "  replicas ready: 8/8"
    code = (
        "import random, string, sys\n"
        "random.seed(1)\n"
        "word = lambda: ''.join(random.choice(string.ascii_lowercase) for _ in range(7))\n"
        "for i in range(1500): print(f'ERROR fetch {word()}/{word()} failed, retrying')\n"
        "for i in range(10, 41):\n"
        "    print(f'suite pkg-{i}')\n"
        f"    print({odd!r} if i == 34 else {common!r})\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", *options, "--", sys.executable, "-c", code)
    assert r.code == 1
    assert f"suite pkg-34\n{odd}\n".encode() in r.stdout


# A flood of one failure's reports with a few others among them (an attacker's log).
_FLOOD = """import sys
o = sys.stdout.buffer
for i in range(500):
    o.write(b"ERROR E12 failed at %(address)s in module\\n" %% (i * 37 & 0xffff))
    if i in (100, 250, 251, 400):
        o.write(b"ERROR E13 checksum mismatch at %(address)s in module\\n" %% i)
    if i == 300:
        o.write(b"ERROR failed at 0x00000000deadbeef: segmentation fault in libc\\n")
    if i == 350:
        o.write(b"ERROR E12 failed at 0x7ffe3a2b9c01 in module (fatal, aborting)\\n")
    if i %% 97 == 0:
        o.write(b"info: still working %%d\\n" %% i)
o.write(b"Deployment failed: could not write to 0x7ffe0000 region\\n")
sys.exit(3)
"""


@pytest.mark.parametrize("address", ["0x7ffe3a2b%04x", "71234567%06d"])
def test_a_distinct_error_is_not_crowded_out_by_copies_that_differ_in_an_address(
    run_logtrim: RunLogtrim, address: str
) -> None:
    """At the smallest budget the tail keeps room for the one error that says something else
    among many reports of the same failure, whether the copies differ in a number or in an
    address (``0x7ffe...``: a hex id, not words of their own)."""
    code = _FLOOD % {"address": address}
    result = run_logtrim("--ci", "plain", "--budget", "2kB", "--", sys.executable, "-c", code)
    assert result.code == 3
    assert b"segmentation fault in libc" in result.console


@pytest.mark.parametrize(
    "line",
    ["emitted chunk vendors~main.{h}.js", "layer sha256:{h} pulled"],
)
def test_lines_that_differ_in_a_content_hash_fold_as_one_run(
    run_logtrim: RunLogtrim, line: str
) -> None:
    """A bundler's chunks named by their content hash, a registry's layers by their digest:
    the template reads a hash inside a word as letters and numbers, and one with no letter
    as a number, so the last lines were shown one by one or folded in fragments."""
    code = (
        "import sys\n"
        "print('ERROR: chunk optimisation failed', file=sys.stderr)\n"
        "for i in range(400):\n"
        f"    print({line!r}.format(h=f'{{(i * 2654435761) % 4294967296:08x}}'))\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "8kB", "--", sys.executable, "-c", code)
    assert r.code == 1
    folds = re.findall(rb"\.\.\. (\d+) similar lines", r.stdout)
    assert len(folds) == 1 and int(folds[0]) > 150, r.stdout.decode()[-2500:]
    assert len(r.console) < 2000


def test_the_last_lines_header_says_how_many_of_them_were_shown_already(
    run_logtrim: RunLogtrim,
) -> None:
    """A program's stderr error and trace shown live, after its stdout's loop: the last 200
    lines hold both, and the header over the loop's lines says how many of the 200 the
    console shows already (``last 200 lines`` over 183 read as 17 lost)."""
    code = (
        "import sys\n"
        "for i in range(1500): print(f'[worker] GET /api/items/{i} 200 {i % 50}ms')\n"
        "sys.stdout.flush()\n"
        "print(\"Warning: deprecated option 'useLegacyParser' in config.yml\", file=sys.stderr)\n"
        "for n in range(6): print(f'/srv/app.js:3 source line {n}', file=sys.stderr)\n"
        "print('TypeError: Cannot read properties of undefined', file=sys.stderr)\n"
        "for n in range(9): print(f'    at frame{n} (/srv/app.js:{n}:1)', file=sys.stderr)\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", sys.executable, "-c", code)
    assert r.code == 1
    header = next(ln for ln in r.stdout.decode().splitlines() if "--- last" in ln)
    assert "last 200 lines (exit code 1), 17 shown already" in header, header
