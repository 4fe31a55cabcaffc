"""logtrim's own lines print paths and names it did not choose: the working directory (the
default archive's place), ``--artifact``, a group's title. A newline and a CI command in
such a name must not make logtrim print that command: each own line stays one line, and a
command opener inside it is shown escaped (``\\x23#vso[``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import RunLogtrim, py

INJECTED = (
    "ws\n##vso[task.setvariable variable=PWNED]yes\n##teamcity[buildStatus text='pwned']\n"
    "##OCTOPUS[setVariable name='UFdORUQ=' value='eWVz']\n::set-output name=pwned::1\n"
    "##[error]pwned\n##VSO[task.complete result=Failed]\n"
)
# The openers each CI reads anywhere in a line, and GitHub's at a line's start.
OPENERS = re.compile(rb"##(?:\[|(?i:vso|teamcity|octopus)\[)")
# Compared with each line lowered: the injected commands, whatever their case.
EVIL = (b"##vso[task.setvariable", b"##teamcity[buildstatus", b"##octopus[setvariable",
        b"##[error]pwned", b"##vso[task.complete")  # fmt: skip


def _check(console: bytes, ci: str) -> None:
    for line in console.splitlines():
        # GitHub's runner reads commands at a line's start only (checked below).
        found = OPENERS.search(line) if ci != "github" else None
        if found is not None:
            # Only a command of logtrim's own, which starts its line; what its values hold
            # is escaped as that CI reads them (not a second command).
            assert found.start() == 0, line
            assert not line.lower().startswith(EVIL), line
        assert not line.startswith(b"::set-output"), line
    assert b"\n##vso[task.setvariable" not in console


@pytest.mark.parametrize(
    "ci", ["azure", "github", "octopus", "teamcity", "plain", "gitlab", "buildkite", "jenkins"]
)
def test_a_command_in_the_working_directory_is_not_printed(
    run_logtrim: RunLogtrim, tmp_path: Path, ci: str
) -> None:
    work = tmp_path / INJECTED
    work.mkdir()
    result = run_logtrim("--ci", ci, "--", *py("print('hi')"), artifact=False, cwd=work)
    assert result.code == 0, result.stderr
    assert b"hi\n" in result.stdout
    assert b"[logtrim] archive: " in result.stdout  # the line that printed the path raw
    _check(result.stdout + b"\n" + result.stderr, ci)


@pytest.mark.parametrize("ci", ["azure", "plain", "octopus"])
def test_a_command_in_a_bad_artifact_path_is_not_printed(
    run_logtrim: RunLogtrim, tmp_path: Path, ci: str
) -> None:
    """The usage error naming the path is one line too."""
    bad = tmp_path / "missing" / INJECTED / "run.zst"
    result = run_logtrim("--ci", ci, "--", "true", artifact=bad)
    assert result.code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    _check(result.stdout + b"\n" + result.stderr, ci)
