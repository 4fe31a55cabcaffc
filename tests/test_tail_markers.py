"""The failure tail of a small budget: every stretch it leaves out is marked where it is, so
that the lines around a stretch do not read as one block (one test's header over another
test's error)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim

TESTS = """
import pytest

@pytest.mark.parametrize("n", range(400))
def test_many(n):
    print("output for", n)
    assert n not in (57, 211, 390), f"bad n {n}"
"""
OWN = b"[logtrim] "


def _unmarked(console: bytes, archive: bytes) -> list[bytes]:
    """The child's lines in each section of the console (the earlier lines held back, the
    last lines) that come right after a line which was not the one before them in the
    archive, with no marker between."""
    lines = archive.splitlines()
    found: list[bytes] = []
    at, marked = None, True
    for line in console.splitlines():
        if line.startswith(OWN):
            if b"---" in line:
                at, marked = None, True  # a section starts: no order with what came before
            elif b"..." in line:
                marked = True
            continue
        start = 0 if at is None else at + 1
        try:
            where = lines.index(line, start)
        except ValueError:
            continue  # a line cut or masked on the console
        if at is not None and where > at + 1 and not marked:
            found.append(line)
        at, marked = where, False
    return found


@pytest.mark.parametrize("budget", [3000, 4000, 6000])
def test_a_small_budget_marks_each_stretch_of_the_failure_tail(
    run_logtrim: RunLogtrim, tmp_path: Path, budget: int
) -> None:
    (tmp_path / "test_many.py").write_text(TESTS)
    args = ["-m", "pytest", "-v", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:xdist"]
    result = run_logtrim("--budget", str(budget), "--", sys.executable, *args,
                         str(tmp_path / "test_many.py"))  # fmt: skip
    assert result.code == 1
    assert len(result.console) <= budget
    console = result.console
    assert b"AssertionError: bad n 57" in console  # the reason
    if budget >= 4000:
        for n in (211, 390):
            assert b"AssertionError: bad n %d" % n in console
    tail = console[console.index(b"[logtrim] --- ") :]
    assert _unmarked(tail, result.archive) == []
