"""Commands a CI only reads (a level switch, a variable set): in no log, so they cost nothing
of the budget and leave the gap marker where the lines shown need it.

Octopus's helpers wrap each ``Write-Verbose`` in switches (``##octopus[stdout-verbose]``, the
line, ``##octopus[stdout-default]``): the line is archive only, the switches pass. A marker
printed after each pair, and the switches paid from the budget, filled a small console with
``... 1 line (78 B) not shown ...`` and left no room for the warning after them. Real child
processes.
"""

from __future__ import annotations

import re

import pytest
from conftest import RunLogtrim, py

VERBOSE = (
    "for i in range({n}):\n"
    "    print('##octopus[stdout-verbose]')\n"
    "    print(f'resolving package reference {{i}} from feed https://nuget.internal/v3/')\n"
    "    print('##octopus[stdout-default]')\n"
)
_MARKER = re.compile(rb"^\[logtrim\] \.\.\. ([\d,]+) lines?\b.* not shown \.\.\.$", re.M)


def _text(console: bytes) -> bytes:
    """The console less the child's commands (which pass whatever the budget)."""
    return b"".join(
        line for line in console.splitlines(keepends=True) if not line.startswith(b"##octopus[")
    )


def test_verbose_messages_cost_one_marker_not_one_each(run_logtrim: RunLogtrim) -> None:
    code = VERBOSE.format(n=300) + "print('deployment finished')\n"
    result = run_logtrim("--ci", "octopus", "--budget", "4kB", "--", *py(code))
    assert result.code == 0
    lines = result.stdout.splitlines()
    # Every switch passes, in order.
    switches = [ln for ln in lines if ln.startswith(b"##octopus[stdout-")]
    assert switches == [b"##octopus[stdout-verbose]", b"##octopus[stdout-default]"] * 300
    # One marker counts the 300 lines left out, before the next line shown.
    counts = [int(m.group(1).replace(b",", b"")) for m in _MARKER.finditer(result.stdout)]
    assert counts == [300]
    assert lines.index(b"deployment finished") > max(
        i for i, ln in enumerate(lines) if _MARKER.match(ln)
    )
    assert len(_text(result.console)) <= 4000


@pytest.mark.parametrize("ci", ["plain", "github", "azure"])
def test_verbose_messages_under_another_ci_cost_one_marker(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    """Octopus's switches pass under any CI; where no Octopus reads them they are lines of the
    log (paid), but the lines between them no longer cost a marker each: 567 markers filled a
    200 kB console."""
    code = VERBOSE.format(n=300) + "print('deployment finished')\n"
    result = run_logtrim("--ci", ci, "--budget", "20kB", "--", *py(code))
    assert result.code == 0
    switches = [ln for ln in result.stdout.splitlines() if ln.startswith(b"##octopus[stdout-")]
    assert switches == [b"##octopus[stdout-verbose]", b"##octopus[stdout-default]"] * 300
    counts = [int(m.group(1).replace(b",", b"")) for m in _MARKER.finditer(result.stdout)]
    assert len(counts) <= 2, counts
    assert b"deployment finished" in result.stdout
    assert len(result.console) <= 20_000


def test_a_warning_after_many_verbose_messages_is_shown(run_logtrim: RunLogtrim) -> None:
    """The 120 switches (3.1 kB) paid from a 2 kB budget left the warning no room."""
    code = VERBOSE.format(n=60) + (
        "print('##octopus[stdout-warning]')\n"
        "print('Certificate for shop-api.internal expires in 14 days')\n"
        "print('##octopus[stdout-default]')\n"
        "print('done')\n"
    )
    result = run_logtrim("--ci", "octopus", "--budget", "2kB", "--", *py(code))
    assert result.code == 0
    lines = result.stdout.splitlines()
    warning = lines.index(b"Certificate for shop-api.internal expires in 14 days")
    assert lines[warning - 1] == b"##octopus[stdout-warning]"
    assert lines[warning + 1] == b"##octopus[stdout-default]"
    assert len(_text(result.console)) <= 2000


@pytest.mark.parametrize(
    ("ci", "command"),
    [
        ("octopus", "##octopus[setVariable name='eA==' value='eQ==']"),
        ("teamcity", "##teamcity[setParameter name='x' value='y']"),
        ("github", "::debug::polling the deployment"),
    ],
)
def test_variables_set_leave_the_warnings_their_room(
    run_logtrim: RunLogtrim, ci: str, command: str
) -> None:
    """Read-only commands between a step's lines, 100 of them (4-5 kB), then a warning: the
    warning is shown, the commands pass in order, the text stays under the budget."""
    code = (
        f"for i in range(100):\n    print({command!r})\n    print(f'step {{i}} ok')\n"
        "print('WARNING: certificate for shop-api.internal expires in 14 days')\n"
        "print('done')\n"
    )
    result = run_logtrim("--ci", ci, "--budget", "2kB", "--", *py(code))
    assert result.code == 0
    assert result.stdout.count(command.encode() + b"\n") == 100
    assert b"WARNING: certificate for shop-api.internal expires in 14 days\n" in result.stdout
    text = [ln for ln in result.console.splitlines(keepends=True) if ln != command.encode() + b"\n"]
    assert len(b"".join(text)) <= 2000


def test_a_group_still_says_inside_it_what_it_left_out(run_logtrim: RunLogtrim) -> None:
    """``::endgroup::`` is in no log, but the marker of the lines hidden inside the group
    comes before it, in the group."""
    code = (
        "print('::group::install')\n"
        "for i in range(400):\n    print(f'unpacking module {i} into node_modules')\n"
        "print('::endgroup::')\n"
        "print('install done')\n"
    )
    result = run_logtrim("--ci", "github", "--budget", "2kB", "--", *py(code))
    assert result.code == 0
    lines = result.stdout.splitlines()
    end = lines.index(b"::endgroup::")
    inside = lines[lines.index(b"::group::install") : end]
    assert any(_MARKER.match(ln) for ln in inside)
    assert not any(_MARKER.match(ln) for ln in lines[end:])


# A small console with no head, no verbatim start and a one-line tail: the markers show.
_LEAN = ("--budget", "2000", "--verbatim", "0", "--head", "1", "--success-tail", "1")


def _quiet(n: int, tag: str) -> str:
    return f"for i in range({n}):\n    print(f'{tag} quiet line {{i}} nothing to see')\n"


# A line whose CI shows something though a command it only reads comes first on it (each
# command is judged on its own), one TeamCity prints as text (its messages are off), one
# Calamari cannot parse (it writes those as warnings): each shows, so the marker of the
# lines hidden before it comes before it, as before any line shown.
SHOWN = {
    "teamcity-two": ("teamcity", "", "##teamcity[setParameter name='a' value='b']"
                     "##teamcity[message text='VISIBLE MESSAGE']"),
    "azure-two": ("azure", "", "##vso[task.setvariable variable=a]b\r"
                  "##vso[task.logissue type=warning]VISIBLE WARNING"),
    "teamcity-off": ("teamcity", "print('##teamcity[disableServiceMessages]')\n",
                     "##teamcity[setParameter name='a' value='PLAIN TEXT TO TEAMCITY']"),
    "octopus-bad": ("octopus", "", "##octopus[setVariable name='eA==' value='NOT BASE64 AT ALL']"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(SHOWN))
def test_a_command_line_its_ci_shows_has_the_marker_before_it(
    run_logtrim: RunLogtrim, case: str
) -> None:
    ci, before, command = SHOWN[case]
    code = (
        "print('first line')\n" + before + _quiet(50, "h") + f"print({command!r})\n"
        + _quiet(50, "g") + "print('last line')\n"
    )  # fmt: skip
    result = run_logtrim("--ci", ci, *_LEAN, "--", *py(code))
    assert result.code == 0
    lines = result.stdout.split(b"\n")
    at = lines.index(command.encode())
    marker = _MARKER.match(lines[at - 1])
    assert marker is not None and marker.group(1) == b"50"


def test_no_marker_inside_a_message_open_over_two_lines(run_logtrim: RunLogtrim) -> None:
    """Text cut before a message left open (``X`` * 6000 then ``##octopus[setVariable ...``)
    opened a gap whose marker came between the message's two lines: Calamari read the
    message to the marker's ``]`` and never set the variable."""
    code = (
        "print('first line')\n" + _quiet(20, "h")
        + "print('X' * 6000 + \" ##octopus[setVariable name='eA=='\")\n"
        + "print(\"value='eQ==']\")\n" + _quiet(20, "g") + "print('last line')\n"
    )  # fmt: skip
    result = run_logtrim("--ci", "octopus", *_LEAN, "--", *py(code))
    assert result.code == 0
    assert b"##octopus[setVariable name='eA=='\nvalue='eQ==']\n" in result.stdout


def test_text_cut_after_messages_at_the_end_still_gets_its_marker(run_logtrim: RunLogtrim) -> None:
    """Sixty messages over two lines, each with an error's text after its ``]``, the budget
    used: the text was cut from the console and counted in the gap, but the run ended with
    no marker (the tail found no line to show, so it printed nothing, its marker neither)."""
    code = (
        "for i in range(60):\n"
        "    print(\"##octopus[setVariable name='eA=='\")\n"
        "    print(f\"value='eQ=='] ERROR: failure number {i} with some words to fill room\")\n"
        "raise SystemExit(1)\n"
    )
    result = run_logtrim("--ci", "plain", "--budget", "3000", "--", *py(code))
    assert result.code == 1
    lines = result.stdout.splitlines()
    last = max(i for i, ln in enumerate(lines) if ln == b"value='eQ==']")
    assert any(_MARKER.match(ln) for ln in lines[last + 1 :])
