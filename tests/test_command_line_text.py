"""Text on a command's line, outside the command, is the child's text: classified and shown
under the budget as any line, while the command itself always passes. Azure's commands (and
GitHub's older ``##[...]`` form) take the rest of their line from the marker, and the text
before the marker passed with them whatever the budget: 20 lines of 5 kB and a command each
put 100 kB on a 3 kB console."""

from __future__ import annotations

import pytest
from conftest import RunLogtrim, py

COMMANDS = {
    "azure": "##vso[task.logissue type=warning]slow disk",
    "github": "##[warning]slow disk",
    "octopus": "##octopus[stdout-default]",
    "teamcity": "##teamcity[message text='slow disk' status='WARNING']",
}
FLOOD = """
import sys
for i in range(20):
    sys.stdout.write("x" * 5000 + " " + sys.argv[1] + "\\n")
"""


@pytest.mark.parametrize("ci", sorted(COMMANDS))
def test_text_before_a_command_stays_under_the_budget(run_logtrim: RunLogtrim, ci: str) -> None:
    command = COMMANDS[ci]
    r = run_logtrim("--ci", ci, "--budget", "3kB", "--", *py(FLOOD), command)
    assert r.code == 0
    lines = r.stdout.split(b"\n")
    assert sum(line.endswith(command.encode()) for line in lines) == 20  # each passes
    # The commands pass outside the budget; the rest of the console stays within it.
    assert len(r.console) - 20 * (len(command) + 1) <= 3_000
    assert r.archive.count(b"x" * 5000) == 20


@pytest.mark.parametrize("ci", ["azure", "github"])
def test_text_before_a_command_is_shown_while_there_is_room(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    command = COMMANDS[ci]
    script = f"echo 'ERROR: disk full on /var {command}'; exit 1"
    r = run_logtrim("--ci", ci, "--", "sh", "-c", script)
    assert r.code == 1
    assert f"ERROR: disk full on /var {command}\n".encode() in r.stdout


BETWEEN = """
import sys
command, text = sys.argv[1], "t" * 5000
for i in range(20):
    sys.stdout.write(command + text + command + text + command + "\\n")
"""


@pytest.mark.parametrize("ci", ["octopus", "teamcity"])
@pytest.mark.parametrize("fault", [None, "100"])
def test_text_between_messages_on_a_line_stays_under_the_budget(
    run_logtrim: RunLogtrim, ci: str, fault: str | None
) -> None:
    """Octopus's and TeamCity's messages end at their ``]``: the text between two of them
    is text (5 kB between three messages on each of 20 lines put 100 kB on a 3 kB console,
    and so did the fail-open path)."""
    command = COMMANDS[ci]
    env = {"LOGTRIM_FAULT_AFTER": fault} if fault else None
    r = run_logtrim("--ci", ci, "--budget", "3kB", "--", *py(BETWEEN), command, env=env)
    assert r.code == 0
    assert r.stdout.count(command.encode()) >= 60  # every one passes
    assert len(r.console) - r.stdout.count(command.encode()) * len(command) <= 3_000 + 1_000
    assert r.archive.count(b"t" * 5000) == 40


def test_messages_left_open_again_and_again_stay_under_the_budget(
    run_logtrim: RunLogtrim,
) -> None:
    """``##octopus[setVariable ...`` with no ``]``, then text, 3,000 times: each opener passed
    as a message whatever the budget (142 kB on a 4 kB console), though none was one (the next
    line never continued it). Past the live room they are text; a message its next lines
    close still passes whole."""
    code = (
        "for i in range(3000):\n"
        "    print(\"##octopus[setVariable name='eA==' value='eQ=='\")\n"
        "    print('plain text', i)\n"
        "print(\"##octopus[setVariable name='Zg=='\")\n"
        "print(\"  value='Yg==']\")\n"
    )
    r = run_logtrim("--ci", "octopus", "--budget", "4kB", "--", *py(code))
    assert r.code == 0
    assert len(r.console) <= 4000
    assert b"##octopus[setVariable name='Zg=='\n  value='Yg==']\n" in r.stdout
