"""Declared values too long to learn, with real children: refused with a warning, and never
shown or archived in their own declaration, whether its line is short or too long to hold."""

from __future__ import annotations

import base64
import re
import subprocess

import pytest
from conftest import RunLogtrim, py

#: The tester's children: a value of N bytes declared, then printed whole and in part.
GITHUB = """
import sys
sec = "Q" * int(sys.argv[1]) + "EndOfBigSecret"
sys.stdout.write("::add-mask::" + sec + "\\nuse " + sec[-2000:] + "\\n")
"""
OCTOPUS = """
import base64, sys
b = lambda s: base64.b64encode(s.encode()).decode()
sec = "Q" * int(sys.argv[1]) + "EndOfBigSecret"
sys.stdout.write("##octopus[setVariable name='%s' value='%s' sensitive='%s']\\n"
                 % (b("big"), b(sec), b("True")))
sys.stdout.write("use " + sec[-2000:] + "\\n")
"""
WARNING = b"not masking a declared value over 65536 bytes"
TAIL = b"EndOfBigSecret"
TAIL_B64 = base64.b64encode(b"QQQ" * 2000)[:64]  # the value's base64, inside the message


def declaring(data: bytes, start: bytes) -> bytes:
    return next(x for x in data.split(b"\n") if x.startswith(start))


@pytest.mark.parametrize("size", ["100000", "1100000"])  # a line held whole, one in pieces
@pytest.mark.parametrize("ci", ["plain", "octopus"])
def test_an_add_mask_too_long_to_learn_is_never_shown(
    run_logtrim: RunLogtrim, ci: str, size: str
) -> None:
    """Under a CI that does not read it, its value is masked on the console and in the
    archive; the value printed later is not (said on stderr)."""
    result = run_logtrim("--ci", ci, "--", *py(GITHUB), size)
    assert result.code == 0
    assert WARNING in result.stderr
    shown = declaring(result.stdout, b"::add-mask::")
    assert b"QQQQ" not in shown and TAIL not in shown
    assert re.fullmatch(rb"::add-mask::(\*{8})+", declaring(result.archive, b"::add-mask::"))
    assert TAIL in declaring(result.archive, b"use ")  # not learned: as the warning says


@pytest.mark.parametrize("size", ["100000", "800000"])  # its base64 held whole, in pieces
def test_an_octopus_value_too_long_to_learn_reaches_octopus_only(
    run_logtrim: RunLogtrim, size: str
) -> None:
    """Octopus reads the declaration as written (it needs the value, and masks it); the
    archive has it masked; under another CI the console has it masked too."""
    opener = b"##octopus[setVariable"
    written = declaring(subprocess.run([*py(OCTOPUS), size], capture_output=True).stdout, opener)
    ours = run_logtrim("--ci", "octopus", "--", *py(OCTOPUS), size)
    theirs = run_logtrim("--ci", "github", "--", *py(OCTOPUS), size)
    for result in (ours, theirs):
        assert result.code == 0
        assert WARNING in result.stderr
        archived = declaring(result.archive, opener)
        assert re.fullmatch(rb"##octopus\[setVariable name='Ymln' value='(\*{8})+' "
                            rb"sensitive='VHJ1ZQ==']", archived)  # fmt: skip
    assert declaring(ours.stdout, opener) == written
    shown = declaring(theirs.stdout, opener)
    assert TAIL_B64 not in shown and shown.endswith(b"sensitive='VHJ1ZQ==']")


def test_a_value_within_the_bound_is_learned_in_a_line_too_long_to_hold(
    run_logtrim: RunLogtrim,
) -> None:
    """60 kB declared at the start of a 1.5 MB line: learned, masked where it is printed."""
    child = """
import base64, sys
sec = "Q" * 60000 + "EndOfBigSecret"
value = base64.b64encode(sec.encode()).decode()
sys.stdout.write("##octopus[mask value='%s'] " % value + "x" * 1500000 + "\\n")
sys.stdout.write("use " + sec[-2000:] + "\\n")
"""
    result = run_logtrim("--ci", "plain", "--", *py(child))
    assert WARNING not in result.stderr
    assert TAIL not in result.stdout and TAIL not in result.archive
    assert declaring(result.archive, b"use ") == b"use ********"
