"""A failed run whose last lines were shown as they came (a generic ``Build failed`` and the
context before it) still gets its failure tail: the lines before them, which no rule hit,
are where a person reads why. The tail showed only lines newer than its stream's last one
shown: none, and the line that named the cause, forty lines before the end, was on no
console at any budget."""

from __future__ import annotations

import sys

import pytest
from conftest import RunLogtrim

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
