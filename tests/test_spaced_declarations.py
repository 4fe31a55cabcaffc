"""A declared value with whitespace around it (``::add-mask:: VALUE``): the bare value,
what a script prints elsewhere, is masked too, by every system's declaring commands."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env

SECRET = "tok3nValue99"
_B64 = base64.b64encode(f" {SECRET} ".encode()).decode()
DECLARING = [
    f"::add-mask:: {SECRET}",
    f"::add-mask::{SECRET}  ",
    f"::add-mask::\t{SECRET}\t",
    f"##[add-mask] {SECRET} ",
    f"##vso[task.setsecret]{SECRET} ",
    f"##vso[task.setsecret] {SECRET}",
    f"##vso[task.setvariable variable=TOKEN;issecret=true] {SECRET} ",
    f"##octopus[mask value='{_B64}']",
    # Any case of Azure's prefix (older agents read it so); before, these were not learned.
    f"##VSO[TASK.SETSECRET]{SECRET}",
    f"##Vso[task.setvariable variable=TOKEN;issecret=true]{SECRET}",
    # The agent drops the empty pieces of a command's name and of a property (its
    # ``Command.TryParse``); before, these were not learned.
    f"##vso[task..setsecret]{SECRET}",
    f"##vso[task.setsecret.]{SECRET}",
    f"##vso[task.setvariable variable=TOKEN;issecret==true]{SECRET}",
    f"##vso[task.setvariable variable=TOKEN;=issecret=true]{SECRET}",
    f"##vso[task.setendpoint id=1;field==authParameter;key=k]{SECRET}",
    f"##vso[.task.setsecret]{SECRET}",
    # A key with a blank is another key to the agent (it keeps them), and a pair with an
    # empty side is none: ``issecret=true`` stands in both.
    f"##vso[task.setvariable variable=TOKEN;issecret=true; issecret=false]{SECRET}",
    f"##vso[task.setvariable variable=TOKEN;issecret=true;issecret=]{SECRET}",
    f"##vso[task.setendpoint id=1;field=authParameter;key=k; field=url]{SECRET}",
]


@pytest.mark.parametrize("ci", ["github", "azure", "octopus"])
@pytest.mark.parametrize("declaration", DECLARING)
def test_the_bare_value_is_masked_on_the_console_and_in_the_archive(
    run_logtrim: RunLogtrim, declaration: str, ci: str
) -> None:
    lines = (declaration, f"token={SECRET}", f"x {SECRET} y")
    result = run_logtrim("--ci", ci, "--", "printf", r"%s\n", *lines)
    assert result.code == 0
    # Only the declaring line may carry it (verbatim when the CI in use reads it).
    shown = [line for line in result.console.splitlines() if SECRET.encode() in line]
    assert shown in ([], [declaration.encode()])
    assert b"token=********" in result.console
    assert SECRET.encode() not in result.archive


def test_trim_masks_the_bare_value(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text(f"token={SECRET}\n" + "".join(f"{d}\n" for d in DECLARING) + SECRET + "\n")
    for command in ("trim", "cat"):
        args = [command, str(log)] + (["-o", "-"] if command == "trim" else [])
        proc = subprocess.run(
            [sys.executable, "-m", "logtrim", *args],
            capture_output=True, env=clean_env(), timeout=60, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert SECRET.encode() not in proc.stdout and b"token=********" in proc.stdout


def test_a_bare_value_too_short_is_not_masked_and_said(run_logtrim: RunLogtrim) -> None:
    """The minimum length holds for the bare value too: CI servers mask none shorter."""
    result = run_logtrim("--ci", "github", "--", "printf", r"::add-mask:: ab \nab\n")
    assert result.code == 0 and b"\nab\n" in result.archive
    assert b"not masking a value of 2 characters: shorter than 4" in result.stderr


def test_thousands_of_short_values_are_said_once(run_logtrim: RunLogtrim) -> None:
    """A note named no value, yet each short value declared had its own: 30,000 of them put
    1.2 MB of identical warnings on a 4 kB console. One of each kind says it all."""
    script = (
        "import itertools, string\n"
        "for i, t in enumerate(itertools.product(string.ascii_letters, repeat=3)):\n"
        "    if i == 3000: break\n"
        "    print('##vso[task.setsecret]' + ''.join(t))\n"
        "print('##vso[task.setsecret]  ')\n"
        "print('##vso[task.setsecret]  ')\n"
    )
    result = run_logtrim("--ci", "plain", "--budget", "4kB", "--", sys.executable, "-c", script)
    assert result.code == 0
    assert result.stderr.count(b"not masking a value of 3 characters") == 1
    assert result.stderr.count(b"not masking a value of 2 characters: blanks only") == 1
    assert len(result.console) <= 4000


@pytest.mark.parametrize("ci", ["github", "plain"])
def test_each_part_of_a_value_over_a_carriage_return_is_masked(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    """A declared value with an escaped lone ``\\r`` (``%0D``): the runner and the agent read
    a lone ``\\r`` as a line's end, as they read ``\\n``, so each part is masked alone too (an
    indenting tool prints it a line at a time), as for a value over lines."""
    second = "OtherHalfValue9"
    result = run_logtrim(
        "--ci", ci, "--", "printf", r"%s\n",
        f"::add-mask::{SECRET}%0D{second}", f"use: {second}", f"and {SECRET}",
    )  # fmt: skip
    assert result.code == 0
    assert second.encode() not in result.archive, result.archive
    assert SECRET.encode() not in result.archive
    assert b"use: ********" in result.console
