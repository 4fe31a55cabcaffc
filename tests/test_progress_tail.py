"""A failed run that ends in progress lines (a coverage report's ``src/x.js 100%``, a
download's percentages) still gets its failure tail. The last progress state was printed
when the output ended (the last always kept), which made it its stream's last line shown:
the tail, of newer lines only, had none, and the line that said what failed, 50 lines
before the end, was on no console."""

from __future__ import annotations

import sys

import pytest
from conftest import RunLogtrim, py

from logtrim._matchers import compiler
from logtrim.engine.core import Core
from logtrim.engine.policy import Policy

SCRIPT = """
echo "Running tests"
for i in $(seq 1 2000); do echo "coverage src/file$i.js 100%"; done
echo "coverage threshold for lines (80%) not met: 79.5%"
for i in $(seq 1 50); do echo "coverage src/other$i.js 100%"; done
exit 1
"""


def test_a_failed_run_ending_in_progress_lines_has_its_tail(run_logtrim: RunLogtrim) -> None:
    r = run_logtrim("--ci", "plain", "--budget", "8kB", "--", "sh", "-c", SCRIPT)
    assert r.code == 1
    text = r.stdout.decode()
    assert "--- last 200 lines (exit code 1)" in text
    assert "coverage threshold for lines (80%) not met: 79.5%\n" in text
    # The last state once, in its place at the end of the tail.
    assert text.count("coverage src/other50.js 100%\n") == 1
    tail = text.split("--- last 200 lines")[1]
    assert tail.index("not met") < tail.index("src/other50.js")


def test_a_successful_run_still_ends_with_its_last_progress_state(
    run_logtrim: RunLogtrim,
) -> None:
    script = SCRIPT.replace("exit 1", "exit 0")
    r = run_logtrim("--ci", "plain", "--budget", "8kB", "--", "sh", "-c", script)
    assert r.code == 0
    assert r.stdout.decode().count("coverage src/other50.js 100%\n") == 1


def test_a_progress_flood_between_lines_keeps_to_the_budget(run_logtrim: RunLogtrim) -> None:
    """An Octopus progress message, then a line, on stderr, under a flood on stdout: each
    line, shown or not, let the waiting message out: 1,600 of 2,000 passed (86 kB at a
    4 kB budget). It waits for a line shown, a tick or the end."""
    code = (
        "import sys\n"
        "for i in range(200000):\n"
        "    sys.stdout.write(f'noise line {i} something {i * 7}\\n')\n"
        "    if i % 100 == 0:\n"
        "        sys.stderr.write(\"##octopus[progress percentage='NTA=' message='eA==']\\n\")\n"
        "        sys.stderr.write(f'stderr Warning {i}\\n')\n"
    )
    r = run_logtrim("--ci", "octopus", "--budget", "4kB",
                    "--", sys.executable, "-c", code)  # fmt: skip
    assert r.code == 0
    assert len(r.console) <= 4000
    # The first (due at once), one before each line shown, and the last (the final state).
    shown = r.stderr.count(b"stderr Warning")
    assert 2 <= r.stderr.count(b"##octopus[progress ") <= shown + 2


# A deploy script whose last line is its only progress line, shown as it came: the lines
# before it were no progress, and the tail that followed it had none of them.
LAST_STATE = """
for n in $(seq 1 300); do echo "copy file_$n.dll"; done
echo "Restarting service shop-api"
echo "Stopping worker pool"
echo "Uploading package 100%"
exit {code}
"""


def test_the_tail_shows_the_lines_before_a_last_progress_line_shown_as_it_came(
    run_logtrim: RunLogtrim,
) -> None:
    r = run_logtrim("--ci", "plain", "--budget", "5kB", "--", "sh", "-c", LAST_STATE.format(code=3))
    assert r.code == 3
    text = r.stdout.decode()
    assert "--- last 200 lines (exit code 3)" in text
    tail = text.split("--- last 200 lines")[1]
    assert "Restarting service shop-api\nStopping worker pool\n" in tail
    assert text.count("Uploading package 100%\n") == 1  # a state is not shown again
    assert len(r.console) <= 5000


def test_the_success_tail_shows_the_lines_before_a_last_progress_line(
    run_logtrim: RunLogtrim,
) -> None:
    r = run_logtrim("--ci", "plain", "--budget", "5kB", "--", "sh", "-c", LAST_STATE.format(code=0))
    assert r.code == 0
    assert "Restarting service shop-api\nStopping worker pool\n" in r.stdout.decode()


def test_a_state_shown_as_a_line_instead_of_a_marker_is_not_shown_again() -> None:
    """A waiting progress state on stdout, the one line a marker would have counted before
    a line on stderr: shown there (shorter than the marker), it still waited, and came
    again after it."""
    policy = Policy(budget=5000, progress_interval=0.2, verbatim=0, head=2)
    core = Core(policy, compiler=compiler())
    core.start(0.0)
    out = core.feed(1, b"warning: deprecated 0\nUploading 7%\nUploading 34%\n", 0.01)[1]
    out += core.feed(2, b"Step 3 done\n", 0.02)[1]
    out += core.tick(0.3)
    out += core.feed(1, b"Uploading 100%\n", 0.32)[1]
    out += core.finish_input(0.33)[1]
    out += core.close(3, 0.34)[0]
    console = b"".join(data for _, data in out)
    assert console.count(b"Uploading 34%\n") == 1, console.decode()
    assert b"shown 5 lines" in console


@pytest.mark.parametrize(
    ("ci", "command"),
    [
        ("octopus", "##octopus[progress percentage='{p}' message='eA==']"),
        ("teamcity", "##teamcity[progressMessage 'step {p}']"),
    ],
)
def test_progress_commands_written_on_one_line_are_throttled_as_on_lines_of_their_own(
    run_logtrim: RunLogtrim, ci: str, command: str
) -> None:
    """2,000 progress commands on one line all reached the CI (104 kB at ``--budget 4kB``;
    a flood of progress updates hurts the Octopus server), where one a line are throttled:
    the newest is kept, as the newest state always is."""
    code = (
        "import base64, sys\n"
        "b64 = lambda n: base64.b64encode(str(n).encode()).decode()\n"
        f"sys.stdout.write(''.join({command!r}.format(p=b64(n) if {ci!r} == 'octopus' else n)"
        " for n in range(2000)) + '\\n')\n"
        "print('deploy done')\n"
    )
    r = run_logtrim("--ci", ci, "--budget", "4kB", "--", *py(code))
    assert r.code == 0
    assert len(r.console) <= 4000
    newest = command.format(p="MTk5OQ==" if ci == "octopus" else 1999).encode()
    assert r.stdout.count(newest) == 1
    start = command.partition("{")[0].encode()
    assert r.stdout.count(start) == 1
    assert r.archive.count(start) == 2000


@pytest.mark.parametrize(
    ("ci", "progress", "other"),
    [
        ("octopus", "##octopus[progress percentage='MjA=' message='eA==']",
         "##octopus[setVariable name='UmVsZWFzZVVybA==' value='aHR0cHM6Ly94LzE=']"),
        ("teamcity", "##teamcity[progressMessage 'Uploading 20%']",
         "##teamcity[buildProblem description='upload failed']"),
    ],
)  # fmt: skip
def test_a_command_on_a_progress_commands_line_is_never_thrown_out(
    run_logtrim: RunLogtrim, ci: str, progress: str, other: str
) -> None:
    """A line of a progress command and a setVariable (a buildProblem), after a progress
    line: the whole line waited as a progress state and a later one replaced it; the
    variable was never set, the problem never reported. Only progress commands are thinned."""
    code = (
        "import sys\n"
        "print('starting')\n"
        f"print({progress!r})\n"
        f"print({progress!r} + {other!r})\n"
        f"print({progress!r})\n"
        "print('finished')\n"
    )
    r = run_logtrim("--ci", ci, "--budget", "8kB", "--", *py(code))
    assert r.code == 0
    assert other.encode() in r.stdout, r.stdout.decode()


def test_a_flood_of_progress_commands_beside_a_setvariable_is_thinned_too(
    run_logtrim: RunLogtrim,
) -> None:
    """2,000 progress commands, a setVariable, 2,000 more, on one line: the line passed
    whole (224 kB at ``--budget 4kB``). The setVariable passes, with the newest progress."""
    progress = "##octopus[progress percentage='{p}' message='eA==']"
    other = "##octopus[setVariable name='UmVsZWFzZVVybA==' value='aHR0cHM6Ly94LzE=']"
    code = (
        "import sys\n"
        f"p = lambda n: {progress!r}.format(p=n)\n"
        f"sys.stdout.write(''.join(p(n) for n in range(2000)) + {other!r}"
        " + ''.join(p(n) for n in range(2000, 4000)) + '\\n')\n"
        "print('done')\n"
    )
    r = run_logtrim("--ci", "octopus", "--budget", "4kB", "--", *py(code))
    assert r.code == 0
    assert len(r.console) <= 4000
    assert f"{other}{progress.format(p=3999)}\n".encode() in r.stdout
