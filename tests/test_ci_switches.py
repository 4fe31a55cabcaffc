"""What the child switches in its CI, and what logtrim switches back before its own lines.

TeamCity ignores every service message after ``##teamcity[disableServiceMessages]`` until
``##teamcity[enableServiceMessages]``: a child that leaves them off would turn logtrim's status
message and ``publishArtifacts`` into plain text, so logtrim turns them on first. Octopus's
``##octopus[stdout-*]`` level switches are read as switches under ``--ci octopus`` only (the
message still passes verbatim elsewhere): under another CI no server reads one, so it changes
no line's tier, the failure reason stays the real error, and a child's ``resultMessage`` does
not stand for logtrim's own failure mark. Real child processes.
"""

from __future__ import annotations

import pytest
from conftest import RunLogtrim, py


def test_teamcity_messages_are_turned_back_on_before_logtrims_own(
    run_logtrim: RunLogtrim,
) -> None:
    child = py(
        "print('##teamcity[disableServiceMessages]'); print('ERROR: boom'); raise SystemExit(2)"
    )
    result = run_logtrim("--ci", "teamcity", "--", *child)
    assert result.code == 2
    lines = result.stdout.splitlines()
    enable = lines.index(b"##teamcity[enableServiceMessages]")
    assert lines.index(b"##teamcity[disableServiceMessages]") < enable
    status = next(i for i, ln in enumerate(lines) if ln.startswith(b"##teamcity[message "))
    publish = next(i for i, ln in enumerate(lines) if ln.startswith(b"##teamcity[publishArtifacts"))
    assert enable < status and enable < publish
    assert lines[status] == b"##teamcity[message text='ERROR: boom' status='ERROR']"
    # Turned back on by the child: nothing more to do.
    child = py(
        "print('##teamcity[disableServiceMessages]'); print('quiet'); "
        "print('##teamcity[enableServiceMessages]'); print('ERROR: boom'); raise SystemExit(2)"
    )
    again = run_logtrim("--ci", "teamcity", "--", *child)
    assert again.stdout.count(b"##teamcity[enableServiceMessages]") == 1


FAILING = (
    "print('f: ERROR failed with token'); print('j: ##octopus[stdout-error] hello'); "
    "print('##octopus[stdout-verbose]'); print('m: last'); "
    "print(\"##octopus[resultMessage message='Ym9vbQ==']\"); raise SystemExit(4)"
)


@pytest.mark.parametrize("ci", ["github", "plain", "teamcity"])
def test_octopus_level_switches_change_nothing_under_another_ci(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    result = run_logtrim("--ci", ci, "--", *py(FAILING))
    assert result.code == 4
    assert b"m: last" in result.stdout  # not made archive-only by stdout-verbose
    assert b"##octopus[stdout-verbose]" in result.stdout  # still passes verbatim
    reason = {
        "github": b"::error title=logtrim%3A exit code 4::f: ERROR failed with token",
        "plain": b"[logtrim] failed (exit 4): f: ERROR failed with token",
        "teamcity": b"##teamcity[message text='f: ERROR failed with token' status='ERROR']",
    }[ci]
    assert reason in result.stdout.splitlines()
    # Under Octopus the same switches count: stdout-verbose keeps the last line archive-only.
    octopus = run_logtrim("--ci", "octopus", "--", *py(FAILING))
    assert b"m: last" not in octopus.stdout and b"m: last" in octopus.archive
