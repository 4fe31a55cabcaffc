"""An error the child reports to its CI with a command (GitHub's ``::error::``, Azure's
``task.logissue type=error``, TeamCity's ``buildProblem``, ``message status='ERROR'`` and
``testFailed``) is a failure reason candidate: the program itself says what went wrong, and a
line that only says the step failed (``Error: Process completed with exit code 3``) is not."""

from __future__ import annotations

import pytest
from conftest import RunLogtrim

STATUS = "echo 'Error: Process completed with exit code 3' >&2; exit 3"

# (dialect, the child's command, the reason logtrim's closing message carries)
CASES = [
    ("github", "::error file=app.py,line=3::bad thing%0Ahappened", "bad thing happened"),
    ("github", "##[error]old form: disk full", "old form: disk full"),
    ("azure", "##vso[task.logissue type=error;sourcepath=a.cs]CS0103: x is unknown",
     "CS0103: x is unknown"),
    ("azure", "##vso[task.complete result=Failed;]migration 42 failed", "migration 42 failed"),
    ("teamcity", "##teamcity[buildProblem description='schema check failed: orders']",
     "schema check failed: orders"),
    ("teamcity", "##teamcity[message text='quota |'prod|' exceeded' status='ERROR']",
     "quota 'prod' exceeded"),
    ("teamcity", "##teamcity[testFailed name='cart.discount' message='expected 90 got 100']",
     "cart.discount: expected 90 got 100"),
]  # fmt: skip


@pytest.mark.parametrize(("ci", "command", "reason"), CASES)
def test_a_reported_error_is_the_reason(
    run_logtrim: RunLogtrim, ci: str, command: str, reason: str
) -> None:
    script = f"echo 'deploying'; echo \"$0\"; {STATUS}"
    r = run_logtrim("--ci", ci, "--", "sh", "-c", script, command)
    assert r.code == 3
    assert command.encode() in r.stdout  # verbatim, as always
    closing = r.stdout.decode().splitlines()
    if ci == "github":
        assert f"::error title=logtrim%3A exit code 3::{reason}" in closing
    elif ci == "azure":
        assert f"##vso[task.logissue type=error]{reason}" in closing
    else:
        text = reason.replace("'", "|'")
        assert f"##teamcity[message text='{text}' status='ERROR']" in closing


@pytest.mark.parametrize(
    ("ci", "script"),
    [
        # TeamCity's messages disabled report nothing (the line is text: no error word here).
        ("teamcity", "echo '##teamcity[disableServiceMessages]'; "
                     "echo \"##teamcity[buildProblem description='off']\"; "
                     "echo '##teamcity[enableServiceMessages]'"),
        # A warning, a notice and a passing test are no errors.
        ("github", "echo '::warning::slow disk'"),
        ("azure", "echo '##vso[task.logissue type=warning]slow disk'"),
        ("teamcity", "echo \"##teamcity[message text='all good' status='NORMAL']\""),
    ],
)  # fmt: skip
def test_a_command_that_reports_no_error_is_no_reason(
    run_logtrim: RunLogtrim, ci: str, script: str
) -> None:
    r = run_logtrim("--ci", ci, "--", "sh", "-c", f"{script}; exit 1")
    assert r.code == 1
    closing = {
        "github": "::error title=logtrim%3A exit code 1::exited with code 1",
        "azure": "##vso[task.logissue type=error]exited with code 1",
        "teamcity": "##teamcity[message text='exited with code 1' status='ERROR']",
    }
    assert closing[ci] in r.stdout.decode().splitlines()
