"""A service-message marker inside ordinary text does not make the line a message.

Only a line that holds a message (marker, name, attributes, ``]``) passes verbatim outside the
budget; ``see ##octopus[ docs ...`` (or ``##vso[``, ``##teamcity[``) on every line is text like
any other. Real child processes.
"""

from __future__ import annotations

import base64

import pytest
from conftest import RunLogtrim, py

SECRET = "m4rker-S3cret-value"
BUDGET = 3000
# Room for logtrim's closing lines (summary, archive line, the CI's artifact message).
CLOSING = 1200


def _child(marker: str, lines: int, width: int) -> list[str]:
    return py(
        f"for i in range({lines}):\n"
        f"    print(f'see {marker} docs {{i}} {SECRET} ' + 'x' * {width})\n"
    )


@pytest.mark.parametrize(
    ("ci", "marker"),
    [
        ("octopus", "##octopus["),
        ("github", "##octopus["),
        ("azure", "##octopus["),
        ("plain", "##octopus["),
        ("azure", "##vso["),
        ("teamcity", "##teamcity["),
    ],
)
def test_marker_in_text_on_every_line_keeps_the_budget(
    run_logtrim: RunLogtrim, ci: str, marker: str
) -> None:
    child = _child(marker, lines=40, width=5000)
    result = run_logtrim("--ci", ci, "--budget", f"{BUDGET}B", "--mask", SECRET, "--", *child)
    assert result.code == 0
    assert len(result.stdout) < BUDGET + CLOSING
    assert SECRET.encode() not in result.console
    assert SECRET.encode() not in result.archive
    # The archive still has every line, the secret masked.
    assert result.archive.count(f"see {marker} docs".encode()) == 40


def test_a_real_message_next_to_text_still_passes(run_logtrim: RunLogtrim) -> None:
    pct = base64.b64encode(b"50").decode()
    msg = f"##octopus[progress percentage='{pct}' message='{pct}']"
    child = py(
        "print('##octopus[stdout-warning]')\n"
        "print('careful')\n"
        "print('##octopus[stdout-default]')\n"
        f"print({'step 1 ' + msg!r})\n"
    )
    result = run_logtrim("--ci", "octopus", "--", *child)
    lines = result.stdout.splitlines()
    assert b"##octopus[stdout-warning]" in lines
    assert f"step 1 {msg}".encode() in lines


@pytest.mark.parametrize(
    ("ci", "message"),
    [("octopus", "##octopus[stdout-default]"), ("teamcity", "##teamcity[blockOpened name='x']")],
)
def test_text_after_a_message_is_budgeted_as_plain_output(
    run_logtrim: RunLogtrim, ci: str, message: str
) -> None:
    """Octopus and TeamCity print the text after a message's ``]`` as plain output: a flood
    of it rides on the message no more. The message still reaches the server, in order."""
    child = py(
        f"for i in range(40):\n"
        f"    print({message!r} + f' {{i}} {SECRET} ' + 'x' * 5000)\n"
        "print('done')\n"
    )
    result = run_logtrim("--ci", ci, "--budget", f"{BUDGET}B", "--mask", SECRET, "--", *child)
    assert result.code == 0
    assert len(result.stdout) < BUDGET + CLOSING
    assert result.stdout.count(message.encode()) == 40  # every message, as written
    assert SECRET.encode() not in result.console
    assert result.archive.count(b"x" * 5000) == 40  # the archive has each line whole
    assert SECRET.encode() not in result.archive


def test_short_text_after_a_message_passes_with_it(run_logtrim: RunLogtrim) -> None:
    child = py("print('##octopus[stdout-default] then the deploy starts')\n")
    result = run_logtrim("--ci", "octopus", "--", *child)
    assert b"##octopus[stdout-default] then the deploy starts" in result.stdout.splitlines()
