"""A line of a CI's message syntax that never closes, written to make a regex read it in
square time: logtrim reads it in linear time, archives it whole and exits with the child's
code. Before, ``##octopus[`` and a run of letters took 11 s at 40 kB and ignored SIGTERM;
``##vso[a `` or ``##teamcity[a b='`` over and over, hours for a line of a megabyte.
(A hang test, not a speed test: the timeout is many times what the run takes.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim

_SIZE = 1_000_000  # one line, under the 1 MiB a line is read whole up to

LINES = {
    "octopus-openers": ("octopus", "##octopus[a " * (_SIZE // 12)),
    "octopus-word": ("octopus", "##octopus[" + "x" * _SIZE),
    "teamcity-openers": ("teamcity", "##teamcity[a b='" * (_SIZE // 16)),
    "teamcity-word": ("teamcity", "##teamcity[buildProblem description='x' " + "a" * _SIZE + "]"),
    # Each value opened with an escaped quote (``|'``) reads on to the next message's quote.
    "teamcity-escaped-quotes": ("teamcity", "##teamcity[a b='|'\r" * (_SIZE // 19)),
    # ... or with an escaped ']': each a loose message, each found with a search to the end.
    "teamcity-escaped-brackets": ("teamcity", "##teamcity[a b='|]'" * (_SIZE // 19)),
    "azure-openers": ("azure", "##vso[a " * (_SIZE // 8)),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_an_unclosed_message_over_and_over_is_read_in_linear_time(
    run_logtrim: RunLogtrim, tmp_path: Path, case: str
) -> None:
    ci, line = LINES[case]
    log = tmp_path / "line.txt"
    log.write_text(line + "\n", encoding="ascii")
    child = [
        sys.executable,
        "-c",
        f"import sys; sys.stdout.buffer.write(open({str(log)!r}, 'rb').read()); sys.exit(3)",
    ]
    r = run_logtrim("--ci", ci, "--budget", "64kB", "--", *child, timeout=30)
    assert r.code == 3
    assert r.archive == (line + "\n").encode()


# Commands after carriage returns inside a line too long to hold: each was read with every
# command after it in its window (a quarter of a megabyte): 4,000 of them took 27 s.
_PAD = "x" * 1_200_000
LONG_LINES = {
    "github": _PAD + "".join(f"\r::warning::w{i:09d}" for i in range(6000)),
    "azure": _PAD + "".join(f"\r##vso[task.logissue type=warning]w{i:09d}" for i in range(6000)),
}


@pytest.mark.parametrize("ci", sorted(LONG_LINES))
def test_commands_after_carriage_returns_in_a_long_line_are_read_in_linear_time(
    run_logtrim: RunLogtrim, tmp_path: Path, ci: str
) -> None:
    line = LONG_LINES[ci]
    log = tmp_path / "line.txt"
    log.write_text(line + "\n", encoding="ascii")
    read = f"open({str(log)!r}, 'rb').read()"  # (bytes: text mode reads a \r as a newline)
    child = [sys.executable, "-c", f"import sys; sys.stdout.buffer.write({read})"]
    r = run_logtrim("--ci", ci, "--budget", "1MB", "--", *child, timeout=30)
    assert r.code == 0
    assert r.archive == (line + "\n").encode()
