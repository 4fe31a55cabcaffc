"""The note that a service message was left open is for one truly left open at the end.

With ``--ci github`` a step whose last line was a one-line workflow command (``::endgroup::``)
got "the command's service message left open ends here": GitHub's commands have no ']' and
were taken for the start of an Octopus message over several lines.
"""

from __future__ import annotations

import pytest
from conftest import RunLogtrim

NOTE = b"service message left open"
LAST_LINES = [
    ("github", "::endgroup::"),
    ("github", "::error::x"),
    ("github", "::error file=a.py,line=1::boom"),
    ("github", "::add-mask::some-value-here"),
    ("azure", "##[endgroup]"),
    ("azure", "##vso[task.logissue type=error]boom"),
    ("teamcity", "##teamcity[blockClosed name='build']"),
    ("octopus", "##octopus[setVariable name='QQ==' value='QQ==']"),
    ("plain", "::endgroup::"),
]


@pytest.mark.parametrize(("ci", "last"), LAST_LINES)
def test_one_line_command_last_gives_no_note(run_logtrim: RunLogtrim, ci: str, last: str) -> None:
    script = f'echo building; echo "{last}"'
    result = run_logtrim("--ci", ci, "--", "bash", "-c", script)
    assert result.code == 0
    assert last.encode() in result.stdout  # passed as written
    assert NOTE not in result.stdout + result.stderr


@pytest.mark.parametrize("ci", ["octopus", "github"])
def test_octopus_message_left_open_still_noted(run_logtrim: RunLogtrim, ci: str) -> None:
    script = "echo building; printf \"##octopus[setVariable name='QQ=='\\nvalue='QQ=='\\n\""
    result = run_logtrim("--ci", ci, "--", "bash", "-c", script)
    assert result.code == 0
    assert NOTE in result.stdout
    # The note comes after the open message's lines, to take Calamari's ']'.
    assert result.stdout.index(b"value='QQ=='") < result.stdout.index(NOTE)
