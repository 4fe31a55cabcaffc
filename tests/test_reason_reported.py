"""An error the child reports to its CI with a command (GitHub's ``::error::``, Azure's
``task.logissue type=error``, TeamCity's ``buildProblem``, ``message status='ERROR'`` and
``testFailed``) is a failure reason candidate: the program itself says what went wrong, and a
line that only says the step failed (``Error: Process completed with exit code 3``) is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunLogtrim
from octopus_decoder import messages

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
    run_logtrim: RunLogtrim, tmp_path: Path, ci: str, command: str, reason: str
) -> None:
    """The reason is the reported error. GitHub and Azure show that error already, as an
    annotation (an issue) of its own: logtrim adds no second one saying the same (GitHub's
    step summary names it), but the log still says that the step failed, and why, in plain
    text; TeamCity's closing message carries it."""
    script = f"echo 'deploying'; echo \"$0\"; {STATUS}"
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    r = run_logtrim("--ci", ci, "--", "sh", "-c", script, command, env=env)
    assert r.code == 3
    assert command.encode() in r.stdout  # verbatim, as always
    closing = r.stdout.decode().splitlines()
    if ci in ("github", "azure") and "task.complete" not in command:
        assert f"[logtrim] failed (exit 3): {reason}" in closing
    if ci == "github":
        assert not [line for line in closing if line.startswith("::error title=logtrim")]
        assert f"Reason: `{reason}`" in summary.read_text()
    elif ci == "azure":
        assert not [x for x in closing if x.startswith("##vso[task.logissue") and x != command]
    else:
        text = reason.replace("'", "|'")
        assert f"##teamcity[message text='{text}' status='ERROR']" in closing


@pytest.mark.parametrize("ci", ["github", "azure"])
def test_an_error_reported_before_another_failure_leaves_the_closing_annotation(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    """A reported error that is not the reason (a lint annotation, then a traceback): the
    closing annotation names the traceback's exception."""
    command = {"github": "::error::lint: unused import",
               "azure": "##vso[task.logissue type=error]lint: unused import"}[ci]  # fmt: skip
    script = ('echo "$0"; echo "Traceback (most recent call last):"; '
              'echo \'  File "x.py", line 1, in <module>\'; '
              'echo "ValueError: bad config"; exit 1')  # fmt: skip
    r = run_logtrim("--ci", ci, "--", "sh", "-c", script, command)
    closing = r.stdout.decode().splitlines()
    mark = {"github": "::error title=logtrim%3A exit code 1::ValueError: bad config",
            "azure": "##vso[task.logissue type=error]ValueError: bad config"}[ci]  # fmt: skip
    assert mark in closing


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


@pytest.mark.parametrize("ci", ["plain", "octopus"])
@pytest.mark.parametrize("annotation", ["::warning::", "##[warning]"])
def test_an_annotation_printed_as_text_keeps_its_level(
    run_logtrim: RunLogtrim, ci: str, annotation: str
) -> None:
    """Where a CI's annotation is no command (another ``--ci``), it is text, and a person
    reads its level: a warning that says ``failed`` is a warning, never the reason, and the
    later error is."""
    script = f"echo '{annotation}schema check failed'; echo 'Error: disk full on /var'; exit 7"
    r = run_logtrim("--ci", ci, "--", "sh", "-c", script)
    assert r.code == 7
    out = r.stdout.decode()
    assert "errors 1/1 · warnings 1/1" in out
    if ci == "plain":
        assert "[logtrim] failed (exit 7): Error: disk full on /var" in out.splitlines()
    else:
        reasons = [m.attrs["message"] for m in messages(r.stdout) if m.name == "resultMessage"]
        assert len(reasons) == 1 and "Error: disk full on /var" in reasons[0]


def test_an_octopus_reason_keeps_a_command_opener_as_written(run_logtrim: RunLogtrim) -> None:
    """The ``resultMessage`` goes out base64-encoded: no CI reads a command in it, and the
    step's status in the portal shows the line as the script wrote it (it showed
    ``\\x23#[error]...``)."""
    script = "echo build; echo '##[error]Azure task failed: missing file app.zip'; exit 1"
    r = run_logtrim("--ci", "octopus", "--", "sh", "-c", script)
    assert r.code == 1
    reasons = [m.attrs["message"] for m in messages(r.stdout) if m.name == "resultMessage"]
    assert reasons == ["##[error]Azure task failed: missing file app.zip"]


@pytest.mark.parametrize("ci", ["github", "azure"])
def test_a_test_reported_by_its_runner_and_the_child_gets_one_annotation(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    """TAP's ``not ok 201 - checkout total includes tax`` is the reason, and the child also
    reported the test's assertion with a command: the CI shows that failure already, so
    logtrim adds no second annotation for it; the TAP summary after it is no reason."""
    command = {
        "github": "::error file=test/checkout.test.js,line=44::checkout total includes tax:"
        " expected 107.00, got 100.00",
        "azure": "##vso[task.logissue type=error]checkout total includes tax: expected 107.00",
    }[ci]
    script = (
        'for i in $(seq 1 20); do echo "ok $i - test $i"; done; '
        'echo "not ok 21 - checkout total includes tax"; echo "$0"; '
        'echo "# tests 21, pass 20, fail 1"; exit 1'
    )
    r = run_logtrim("--ci", ci, "--", "sh", "-c", script, command)
    assert r.code == 1
    lines = r.stdout.decode().splitlines()
    assert "[logtrim] failed (exit 1): not ok 21 - checkout total includes tax" in lines
    mark = {"github": "::error", "azure": "##vso[task.logissue type=error]"}[ci]
    assert [line for line in lines if line.startswith(mark)] == [command]


_WHY = "Deployment to slot 'staging' failed: Conflict (409)"


@pytest.mark.parametrize(
    ("ci", "why", "generic"),
    [
        ("azure", f"##vso[task.logissue type=error;sourcepath=deploy.ps1]{_WHY}",
         "##vso[task.complete result=Failed;]Deployment failed"),
        ("github", f"::error::{_WHY}", "::error::Deployment failed"),
    ],
)  # fmt: skip
def test_a_report_that_says_why_outranks_a_later_one_that_only_says_it_failed(
    run_logtrim: RunLogtrim, ci: str, why: str, generic: str
) -> None:
    """A script reports the error, then that the deployment failed: the reason is the
    report that names the cause, not the later one of failure words alone."""
    script = 'echo "uploading"; echo "$0"; echo "$1"; exit 1'
    r = run_logtrim("--ci", ci, "--", "sh", "-c", script, why, generic)
    assert r.code == 1
    reasons = [x for x in r.stdout.decode().splitlines() if x.startswith("[logtrim] failed")]
    assert reasons == [f"[logtrim] failed (exit 1): {_WHY}"]


@pytest.mark.parametrize("ci", ["octopus", "plain"])
def test_a_github_annotation_read_as_text_is_named_by_its_message(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    """A tool that writes GitHub's annotations whatever CI runs it: under another ``--ci``
    the line is text, and the reason says its message as the runner would show it, not the
    command's syntax (``::error file=app.js,line=3::``)."""
    r = run_logtrim(
        "--ci", ci, "--", "sh", "-c",
        "echo '::error file=app.js,line=3::Lint failed in app.js: 2%25 over'; "
        "echo 'Error: release failed' >&2; exit 1",
    )  # fmt: skip
    assert r.code == 1
    failed = [x for x in r.console.decode().splitlines() if x.startswith("[logtrim] failed")]
    if ci == "octopus":
        (named,) = [m.attrs["message"] for m in messages(r.stdout) if m.name == "resultMessage"]
    else:
        named = failed[0].split(": ", 1)[1]
    assert named == "Lint failed in app.js: 2% over"
