"""A failed run whose last lines were shown as they came (a generic ``Build failed`` and the
context before it) still gets its failure tail: the lines before them, which no rule hit,
are where a person reads why. The tail showed only lines newer than its stream's last one
shown: none, and the line that named the cause, forty lines before the end, was on no
console at any budget."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import TAKEN, RunLogtrim

CODE = """
import sys
for i in range(30000):
    if i == 30000 - 40:
        print("upstream answered 0 bytes for /api/v2/orders (expected 1,204)")
    print(f"[worker-{i % 8}] processed record {i} batch={i // 1000} status=ok")
print("Build failed")
sys.exit(1)
"""


def test_the_lines_before_a_shown_last_error_are_the_tail(run_logtrim: RunLogtrim) -> None:
    for budget in ("8kB", "20MB"):
        r = run_logtrim("--ci", "plain", "--budget", budget, "--", sys.executable, "-c", CODE)
        assert r.code == 1
        text = r.stdout.decode()
        assert len(r.stdout) + len(r.stderr) <= (8000 if budget == "8kB" else 20_000_000)
        # Under the header of lines out of order, after the last ones.
        head, _, tail = text.partition("Build failed\n[logtrim] --- ")
        assert tail, budget
        assert "upstream answered 0 bytes" in tail and "upstream answered" not in head
        assert tail.startswith(("earlier lines held back", "held back, written earlier"))
        assert "processed record 29993 " in tail.split("\n[logtrim] 30,002 lines")[0]
        assert "processed record 29995 " in head and "processed record 29995 " not in tail
        assert text.splitlines().count("Build failed") == 1


def test_a_success_keeps_its_short_tail(run_logtrim: RunLogtrim) -> None:
    code = CODE.replace('print("Build failed")\nsys.exit(1)', 'print("Build succeeded")')
    r = run_logtrim("--ci", "plain", "--budget", "8kB", "--", sys.executable, "-c", code)
    assert r.code == 0
    assert "upstream answered" not in r.stdout.decode()
    assert "shown above" not in r.stdout.decode()


ENDINGS = [
    "Build failed",
    "[2026-12-05 10:00:01] Build failed",  # read past its stamp, as the reason is
    "error: build failed",  # a phase, not a compiler's error
    "FAILED",
    "step 3/5 failed",  # a plain error of three words says no more than that
]


@pytest.mark.parametrize("ending", ENDINGS)
def test_a_generic_last_line_of_any_form_gets_the_lines_before_it(
    run_logtrim: RunLogtrim, ending: str
) -> None:
    code = CODE.replace('print("Build failed")', f"print({ending!r})")
    r = run_logtrim("--ci", "plain", "--budget", "8kB", "--", sys.executable, "-c", code)
    assert r.code == 1
    assert b"upstream answered 0 bytes" in r.stdout


def test_a_ci_command_between_the_cause_and_the_end_is_no_line_of_it(
    run_logtrim: RunLogtrim,
) -> None:
    """A ``::notice::`` after the cause always passes: it ended the lines the tail took, so
    the cause was left out again."""
    code = CODE.replace(
        '        print("upstream answered 0 bytes for /api/v2/orders (expected 1,204)")',
        '        print("upstream answered 0 bytes for /api/v2/orders (expected 1,204)")\n'
        "    if i == 30000 - 30:\n"
        '        print("::notice::retrying the upload")',
    )
    r = run_logtrim("--ci", "github", "--budget", "8kB", "--", sys.executable, "-c", code)
    assert r.code == 1
    assert b"::notice::retrying the upload\n" in r.stdout
    assert b"upstream answered 0 bytes" in r.stdout


@pytest.mark.parametrize("ending", ["Error: ENOSPC", "KeyError: 'url'", "panic: boom"])
def test_a_short_last_line_that_says_why_adds_nothing(run_logtrim: RunLogtrim, ending: str) -> None:
    """A last line of a word or two that names its cause is the console's reason already:
    thirty lines of the run before it were added as lines held back."""
    code = CODE.replace('print("Build failed")', f"print({ending!r})")
    r = run_logtrim("--ci", "plain", "--budget", "8kB", "--", sys.executable, "-c", code)
    assert r.code == 1
    assert b"upstream answered" not in r.stdout
    assert b"held back" not in r.stdout and b"earlier lines" not in r.stdout


AFTER_THE_ERROR = """
for i in range(50):
    print(f"copy file {i} ok")
print("ERROR: upload to cdn-origin failed")
print("status: 403")
print("request: PUT /packages/shop-api/4.12.0/chunk-0333")
print("token scope: read-only (needs write)")
print("hint: run 'deployctl token refresh --scope write'")
print("WARNING: cleaning up partial upload")
print("done cleanup")
raise SystemExit(1)
"""


def test_what_the_program_said_after_its_error_reaches_the_console(
    run_logtrim: RunLogtrim,
) -> None:
    """The error line says why, and the three lines after it are its context; the hint after
    them was hidden for good once the warning after it was shown, with the budget unused."""
    for budget in ("4kB", "20MB"):
        r = run_logtrim(
            "--ci", "plain", "--budget", budget, "--verbatim", "0", "--",
            sys.executable, "-c", AFTER_THE_ERROR,
        )  # fmt: skip
        assert r.code == 1
        text = r.stdout.decode()
        assert text.count("hint: run 'deployctl token refresh --scope write'\n") == 1, budget
        # After the error (in order: one line, shown instead of its marker; a longer gap
        # brings it under the header that says it was held back); the lines before the
        # error, which it names, stay as they were.
        assert text.index("ERROR: upload to cdn-origin failed") < text.index("hint: run")
        assert "copy file 30 ok" not in text


BOXED = """
import sys
for i in range(120):
    print(f"aws_s3_object.asset[{i}]: Refreshing state... [id=releases/asset-{i}.js]")
sys.stdout.flush()
sys.stderr.write('''\u2577
\u2502 Error: creating EC2 Instance: InvalidParameterValue: instance type 't9.huge' unknown
\u2502 \\tstatus code: 400, request id: 3f9c2c1e-1a2b-4c5d-9e8f-0a1b2c3d4e5f
\u2502
\u2502   with aws_instance.web[0],
\u2502   on main.tf line 42, in resource "aws_instance" "web":
\u2502   42: resource "aws_instance" "web" {
\u2575
\u2577
\u2502 Warning: Argument is deprecated
\u2502
\u2502   with aws_s3_bucket.releases,
\u2502   on main.tf line 10, in resource "aws_s3_bucket" "releases":
\u2575
''')
sys.exit(1)
"""


def test_an_error_drawn_in_a_box_is_shown_whole_in_order(run_logtrim: RunLogtrim) -> None:
    """Terraform draws its diagnostics in a box: the lines in its gutter continue the error
    (where in the code, which resource), like a stack trace's frames."""
    r = run_logtrim("--ci", "plain", "--budget", "8kB", "--", sys.executable, "-c", BOXED)
    assert r.code == 1
    text = r.stderr.decode()  # (where Terraform writes it)
    box = text[text.index("\u2502 Error: creating EC2") :]
    assert box.index("status code: 400") < box.index("on main.tf line 42") < box.index("42: res")
    assert "[logtrim]" not in box[: box.index("42: resource")]
    assert b"held back" not in r.stdout + r.stderr


SKIPPED_PAGE = """
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stdout,
                    format="%(asctime)s %(levelname)-8s %(name)s: %(message)s")
log = logging.getLogger("sync")
for i in range(6000):
    log.debug("fetched page %d of 6000 from https://api.internal/v2/orders?cursor=%08x",
              i + 1, i * 7919)
    if i % 500 == 0:
        log.info("progress: %d/6000 pages", i)
    if i == 4200:
        log.error("page 4201 returned malformed JSON, skipping")
log.info("sync complete")
"""


def test_a_success_does_not_show_the_cut_context_of_an_error_shown_live(
    run_logtrim: RunLogtrim,
) -> None:
    """The error went out live with part of its context; the rest of it, held for a failure,
    came at the end of a run that passed, out of order, under a "held back" header."""
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", sys.executable, "-c", SKIPPED_PAGE)
    assert r.code == 0
    text = r.stdout.decode()
    assert text.count("page 4201 returned malformed JSON") == 1
    assert "held back" not in text and "earlier lines" not in text
    assert "sync complete" in text
    # After a failure, the same lines still come (docs/policy.md).
    failing = SKIPPED_PAGE + "sys.exit(1)\n"
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", sys.executable, "-c", failing)
    assert r.code == 1
    assert b"held back" in r.stdout


def test_a_failure_leaves_out_the_cut_context_of_an_error_it_went_on_from(
    run_logtrim: RunLogtrim,
) -> None:
    """An error shown live 1,800 lines before the end, with no part in the failure: its cut
    context took a quarter of a 4 kB console at the end, before the error that failed."""
    failing = SKIPPED_PAGE + (
        "log.error('warehouse load failed: batch 17 has a duplicate key')\nsys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", sys.executable, "-c", failing)
    assert r.code == 1
    text = r.stdout.decode()
    assert "held back" not in text and "fetched page 4203 of 6000" not in text
    assert text.count("warehouse load failed: batch 17 has a duplicate key") == 2  # and reason


def _after_error(before: str, middle: str = "") -> str:
    """A script: ``before``, the error that says why and its context, ``middle``, a hint
    hidden live, a warning shown, then five cleanup lines; exit 2."""
    return (
        f"{before}\n"
        "echo 'ERROR: upload to cdn failed: 403 quota exceeded'; echo a; echo b; echo c\n"
        f"{middle}\n"
        "echo \"hint: run 'deployctl quota raise --bucket assets'\"\n"
        "echo 'WARNING: cleaning up'\n"
        "for i in 1 2 3 4 5; do echo cleanup $i; done\nexit 2\n"
    )


def test_lines_written_archive_only_stay_so_when_reopened(run_logtrim: RunLogtrim) -> None:
    """Lines after ``##octopus[stdout-verbose]`` are the archive's: the lines reopened after
    the error showed them, at the default level."""
    middle = (
        "echo '##octopus[stdout-verbose]'\n"
        "for i in 1 2 3 4 5 6; do echo verbose detail $i; done\n"
        "echo '##octopus[stdout-default]'"
    )
    script = _after_error("echo start", middle)
    r = run_logtrim("--ci", "octopus", "--verbatim", "0", "--", "bash", "-c", script)
    assert r.code == 2
    assert b"verbose detail" not in r.stdout
    assert b"hint: run 'deployctl quota raise" in r.stdout
    assert b"verbose detail 6" in r.archive


def test_only_lines_after_the_newest_error_that_says_why_are_reopened(
    run_logtrim: RunLogtrim,
) -> None:
    """An earlier error the run went on from (a cache warm-up) says why too: the lines after
    it, 150 of them, were all reopened, before the error the failure was."""
    before = (
        "echo 'ERROR: cache warm-up failed: timeout contacting redis-01'\n"
        "w=(alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron)\n"
        "for i in $(seq 1 150); do\n"
        "  echo sync ${w[$((i % 15))]} bucket ${w[$((i * 7 % 15))]}/${w[$((i * 3 % 15))]} done\n"
        "  if [ $((i % 40)) = 0 ]; then echo WARNING: slow batch $i; fi\n"
        "done"
    )
    r = run_logtrim(
        "--ci", "plain", "--verbatim", "0", "--", "bash", "-c", _after_error(before)
    )  # fmt: skip
    assert r.code == 2
    text = r.stdout.decode()
    assert text.count("hint: run 'deployctl quota raise") == 1
    assert text.index("hint: run 'deployctl quota raise") > text.index("ERROR: cache warm-up")
    assert text.count("\nsync ") < 30  # the head, the warnings' and the errors' context


def test_the_tail_s_header_counts_only_what_a_marker_counted(run_logtrim: RunLogtrim) -> None:
    """The cleanup lines come after the last line shown: no marker counted them, but the
    lines reopened made the header say some were in a "not shown" count above."""
    before = "for i in $(seq 1 50); do echo step $i copying file$i; done"
    for budget in ("2kB", "20MB"):
        r = run_logtrim(
            "--ci", "plain", "--verbatim", "0", "--budget", budget, "--",
            "bash", "-c", _after_error(before),
        )  # fmt: skip
        assert r.code == 2
        assert b"--- last 5 lines (exit code 2) ---\ncleanup 1\n" in r.stdout, budget


SILENT = """
set -e
echo "==> Syncing assets"
for i in $(seq 1 30000); do echo "synced assets/img/product-$i.webp ($((i * 37 % 900)) kB)"; done
echo "==> Checking that the release directory is free"
grep -q "4.12.0" ./no-such-file 2>/dev/null
echo "==> Switching symlink"
"""


@pytest.mark.parametrize("budget", ["30kB", "20MB"])
def test_a_shown_last_line_that_says_nothing_failed_stays_last(
    run_logtrim: RunLogtrim, budget: str
) -> None:
    """``set -e`` and a command that fails without a word: the script's last line shown (a
    milestone) is where a person reads which step failed. The sync lines before it were
    printed after it, as lines held back, and the console ended on them as if they failed."""
    r = run_logtrim("--ci", "plain", "--budget", budget, "--", "bash", "-c", SILENT)
    assert r.code == 2
    child = [ln for ln in r.stdout.decode().splitlines() if not ln.startswith("[logtrim]")]
    assert child[-1] == "==> Checking that the release directory is free"
    assert "held back" not in r.stdout.decode()


def test_a_fold_among_the_lines_held_back_needs_no_other_marker(run_logtrim: RunLogtrim) -> None:
    """The lines before a shown ``Build failed`` fold around a count: the lines after the
    count follow it, and a bare ``[logtrim] ...`` after it said more were left out. (The
    loop's lines before the odd one stay in their marker's count.)"""
    code = (
        "import sys\n"
        "for i in range(30000):\n"
        "    if i == 29900: print('cdn: purge requested for assets/img')\n"
        "    print(f'synced assets/img/product-{i}.webp ({i * 37 % 900} kB)')\n"
        "print('Build failed')\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "30kB", "--", sys.executable, "-c", code)
    assert r.code == 1
    lines = r.stdout.decode().splitlines()
    fold = next(i for i, ln in enumerate(lines) if ln.endswith(" similar lines ..."))
    count = int(lines[fold].split()[2].replace(",", ""))
    before, after = lines[fold - 1], lines[fold + 1]
    assert _product(after) == _product(before) + count + 1
    assert "[logtrim] ..." not in lines
    assert lines.index("cdn: purge requested for assets/img") < fold


def _product(line: str) -> int:
    return int(line.split("product-")[1].split(".", maxsplit=1)[0])


CAUSE_THEN_MILESTONE = (
    TAKEN
    + """
import sys
for i in range(30000):
    if i == 30000 - 40:
        print("checksum mismatch: assets/img/product-17.webp expected 9f1c got 77ab")
    print(f"synced assets/img/product-{i}.webp")
print("==> Publishing release")
sys.stdout.flush()
taken(1)  # the ending, on another stream, comes after what stdout said
"""
)


@pytest.mark.parametrize(
    ("ci", "ending"),
    [
        ("plain", "print('Build failed', file=sys.stderr)"),  # on the other stream
        ("github", "print('::error::Publishing failed')"),  # the CI's own error report
        ("plain", "print('WARNING: publish step failed, see above', file=sys.stderr)"),
        ("github", "print('::warning::Publishing failed')"),
        ("teamcity", "print(\"##teamcity[testFailed name='shop.publish' message='failed']\")"),
        ("teamcity", "print(\"##teamcity[message text='upload |[0|] failed' status='ERROR']\")"),
        ("octopus", "print('##octopus[stderr-error]')"),
    ],
)
@pytest.mark.parametrize("budget", ["4kB", "30kB", "20MB"])
def test_a_failure_said_elsewhere_brings_back_the_lines_before(
    run_logtrim: RunLogtrim, ci: str, ending: str, budget: str
) -> None:
    """stdout's last line shown is a milestone, but stderr, or a CI command, says the run
    failed: the lines before the milestone still come, where the cause is."""
    code = CAUSE_THEN_MILESTONE + ending + "\nsys.exit(1)\n"
    r = run_logtrim("--ci", ci, "--budget", budget, "--", sys.executable, "-c", code)
    assert r.code == 1
    assert b"checksum mismatch: assets/img/product-17.webp" in r.stdout


@pytest.mark.parametrize(
    "said",
    [
        "::notice::lint finished: 0 errors, 0 failures",
        "WARNING: lint finished: 0 errors, 2 warnings",
    ],
)
def test_a_line_that_reports_no_error_keeps_the_last_line_last(
    run_logtrim: RunLogtrim, said: str
) -> None:
    """A ``::notice::`` or a warning that names errors (``0 errors, 0 failures``) reports
    none: the lines before the milestone shown last stay in their gap."""
    code = (
        "import sys\n"
        "for i in range(3000): print(f'synced assets/img/product-{i}.webp')\n"
        f"print({said!r})\n"
        "print('==> Checking the release')\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "github", "--budget", "30kB", "--", sys.executable, "-c", code)
    assert r.code == 1
    own = ("[logtrim]", "::error title=logtrim", "::notice title=logtrim")
    child = [ln for ln in r.stdout.decode().splitlines() if not ln.startswith(own)]
    assert child[-1] == "==> Checking the release"


def test_a_group_of_earlier_lines_alone_is_titled_so(run_logtrim: RunLogtrim) -> None:
    """Under GitHub the failure tail is a collapsible group: when it holds only the earlier
    lines held back (no last lines), its title says that, not ``last 200 lines``."""
    code = CAUSE_THEN_MILESTONE + "print('Build failed', file=sys.stderr)\nsys.exit(1)\n"
    r = run_logtrim("--ci", "github", "--budget", "4kB", "--", sys.executable, "-c", code)
    assert r.code == 1
    lines = r.stdout.decode().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("::group::"))
    end = lines.index("::endgroup::", start)
    assert (
        "checksum mismatch: assets/img/product-17.webp expected 9f1c got 77ab" in lines[start:end]
    )
    assert not any(line.startswith("[logtrim] --- ") for line in lines[start:end])
    # The earlier lines' header is the title, with its note (the tail's headers say it once).
    assert lines[start].startswith("::group::held back, written earlier")
    assert lines[start].endswith(" (exit code 1)")


@pytest.mark.parametrize("last", ["=== Rolling back to 4.11.2 ===", "Deployed web-01 in 12.4s"])
@pytest.mark.parametrize("budget", ["40kB", "20MB"])
def test_the_odd_lines_before_a_last_line_shown_come_back(
    run_logtrim: RunLogtrim, last: str, budget: str
) -> None:
    """Thousands of like lines not shown, two lines unlike them, then a heading or a
    milestone shown as it came, and the step fails with no error line: the two lines are
    what the program said last before its end, and the tail shows them (as earlier lines).
    Before, the console ended on the heading, and nothing said what went wrong."""
    code = (
        "import sys\n"
        "for i in range(40000): print(f'sync file{i}.js -> /srv/www/static/file{i}.js')\n"
        "print('invalidating CDN cache for /static/*')\n"
        "print('CDN invalidation still InProgress after 300s')\n"
        f"print({last!r})\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", budget, "--", sys.executable, "-c", code)
    assert r.code == 1
    out = r.stdout.decode()
    assert "CDN invalidation still InProgress after 300s" in out
    assert out.index(last) < out.index("CDN invalidation still InProgress")
    assert out.count("CDN invalidation still InProgress") == 1


_MAKE = r"""
for i in $(seq 1 300); do echo "gcc -O2 -Wall -c src/module_$i.c -o build/module_$i.o"; done
echo "src/net/socket.c: In function 'open_conn':"
echo "src/net/socket.c:42:17: error: 'SOCK_NONBLOCKING' undeclared (first use in this function)"
echo "   42 |     int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCKING, 0);"
echo "      |                 ^~~~~~~~~~~~~~~~"
echo "src/net/socket.c:42:17: note: each undeclared identifier is reported only once"
for i in $(seq 301 340); do echo "gcc -O2 -Wall -c src/module_$i.c -o build/module_$i.o"; done
echo "make: *** [Makefile:5: all] Error 2" >&2
exit 2
"""


def test_like_lines_cut_from_an_errors_context_do_not_come_back(run_logtrim: RunLogtrim) -> None:
    """At 2 kB a compiler error came with two lines before it (``gcc -c module_299``,
    ``module_300``); the two before those, cut by the budget, came back after the failure's
    last lines as "held back, written earlier": more of the same, out of order. Lines alike
    (digits aside) cut from an error's context stay counted in the marker; distinct ones
    still come back (the bundled deploy's ``Running smoke tests against ...``)."""
    r = run_logtrim("--ci", "plain", "--budget", "2kB", "--", "bash", "-c", _MAKE)
    assert r.code == 2
    text = r.stdout.decode()
    assert "error: 'SOCK_NONBLOCKING' undeclared" in text
    assert "held back" not in text, text
    shown = [n for n in range(1, 341) if f"module_{n}.c " in text]
    assert shown == sorted(shown)  # in the order written: nothing out of order
    assert len(r.stdout) + len(r.stderr) <= 2000


def test_a_loops_output_after_the_cause_stays_in_its_count(run_logtrim: RunLogtrim) -> None:
    """A test run: one failing test with its assertion shown, then sixty more that passed,
    left out, then the summary shown. The passing tests came back under "held back, written
    earlier", after the summary: the console ended on ``test_case_398 passed``."""
    code = (
        "import sys\n"
        "for i in range(400):\n"
        "    print(f'ok test_case_{i:03d} passed ({i % 9} ms)')\n"
        "    if i == 333:\n"
        "        print(f'FAIL test_case_333')\n"
        "        print(f'    AssertionError: expected 200, got 503')\n"
        "print('Tests: 1 failed, 399 passed, 400 total')\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", sys.executable, "-c", code)
    assert r.code == 1
    lines = r.stdout.decode().splitlines()
    assert "    AssertionError: expected 200, got 503" in lines
    assert not any("held back" in line for line in lines)
    child = [line for line in lines if not line.startswith("[logtrim]")]
    assert child[-1] == "Tests: 1 failed, 399 passed, 400 total"


def test_context_like_the_lines_shown_before_an_error_is_not_shown_after_it(
    run_logtrim: RunLogtrim,
) -> None:
    """An app's DEBUG lines before its traceback, the last four shown live as its context:
    the fifth came back alone after the traceback, under "held back, written earlier". It
    differs from the line after it only in its numbers' widths (``in 24 ms``, ``in 8 ms``)."""
    code = (
        "import logging, random, sys\n"
        "logging.basicConfig(level=logging.DEBUG,\n"
        "    format='2026-12-07 09:25:34,824 %(levelname)s %(name)s: %(message)s')\n"
        "log = logging.getLogger('sync')\n"
        "random.seed(1)\n"
        "log.info('sync starting: 2000 batches')\n"
        "for i in range(1501):\n"
        "    log.debug('batch %d: fetched %d rows in %d ms', i, random.randint(100, 900),\n"
        "              random.randint(5, 80))\n"
        "    if i % 400 == 0:\n"
        "        log.warning('batch %d: slow response (%d ms)', i, 2500)\n"
        "    if i == 1200:\n"
        "        log.error('batch %d: 3 rows rejected (schema mismatch), continuing', i)\n"
        "try:\n"
        "    raise ConnectionError('upstream inventory-svc refused connection for batch 1500')\n"
        "except ConnectionError:\n"
        "    log.exception('batch 1500 failed')\n"
        "    log.critical('aborting sync')\n"
        "    sys.exit(4)\n"
    )
    for budget in ("4kB", "5kB", "6kB"):
        r = run_logtrim("--ci", "plain", "--budget", budget, "--", sys.executable, "-c", code)
        assert r.code == 4
        lines = [line[24:] for line in r.stderr.decode().splitlines()]
        error = lines.index("ERROR sync: batch 1500 failed")
        before = [line for line in lines[:error] if re.match(r"DEBUG sync: batch 1[45]", line)]
        after = [line for line in lines[error:] if line.startswith("DEBUG")]
        # The context shown live, in order; none of it again after the error, but for the
        # line right before it when the live console showed none.
        assert not after or (not before and len(after) == 1), (budget, before, after)


@pytest.mark.parametrize("budget", ["2kB", "4kB", "20MB"])
def test_a_loop_before_the_failure_is_not_shown_again_after_it(
    run_logtrim: RunLogtrim, budget: str
) -> None:
    """Thousands of ``record N ok``, the last few shown live as the fatal line's context, then
    the fatal line: the console ends on it, not on the loop's lines shown again under a
    "held back" header (they say nothing the lines shown do not)."""
    code = (
        "import sys\n"
        "for i in range(100000):\n"
        "    print(f'2025-06-01 12:00:{i % 60:02d} processing record id={i} status=ok')\n"
        "print('Summary: 99998 ok, 2 rejected')\n"
        "print(\"record 40512 rejected: missing field 'email'\", file=sys.stderr)\n"
        "print('FATAL: aborting import, 2 records rejected', file=sys.stderr)\n"
        "sys.exit(2)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", budget, "--", sys.executable, "-c", code)
    assert r.code == 2
    lines = r.console.decode().splitlines()
    own = [ln for ln in lines if not ln.startswith("[logtrim]")]
    assert own[-1] == "FATAL: aborting import, 2 records rejected"
    assert not any("held back" in ln for ln in lines)
