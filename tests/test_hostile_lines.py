"""Lines made to be slow: a rule's regex must cost time linear in the line whatever its bytes.

A regex searched from every position that reads to the end of a run from each costs time
quadratic in the run (``::[^ ]+ FAILED`` over a line of colons: 32k colons took 15 s). The
runs below are long enough that a quadratic rule takes minutes (the timeout fails the test);
linear, they take about a second.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import RunLogtrim
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.engine.ranks import _TEST
from logtrim.engine.rules import RULES

RUN = 300_000
HOSTILE = [b":" * RUN, b"a::" * (RUN // 3), b"E" * RUN + b"rror: x", b"::" * (RUN // 2) + b" x"]
FAILING = b"tests/test_x.py::test_total FAILED [ 50%]"


@pytest.mark.timeout(240)
@pytest.mark.parametrize("engine", ["hyperscan", "re"])
def test_long_runs_of_punctuation_cost_linear_time(
    run_logtrim: RunLogtrim, tmp_path: Path, engine: str
) -> None:
    data = b"\n".join([*HOSTILE, FAILING, b""])
    log = tmp_path / "hostile.log"
    log.write_bytes(data)
    r = run_logtrim("--", "cat", str(log), env={"LOGTRIM_ENGINE": engine}, timeout=200)
    assert r.code == 0
    assert r.archive == data
    assert FAILING in r.console


# The rule as it was written before it was made linear: the same lines must match.
_SPEC = re.compile(rb"::[^ \n]+ (?:FAILED|ERROR)\b", re.M)
_RULE = re.compile(next(r.pattern for r in RULES if r.name == "test-failed"), re.M)
_PIECES = [b":", b"::", b"a", b" ", b"\t", b"\r", b" FAILED", b" ERROR", b"ERRORS", b"x"]


@settings(max_examples=2000)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_the_linear_test_rule_matches_the_lines_the_simple_one_does(parts: list[bytes]) -> None:
    line = b"".join(parts)
    spec = _SPEC.search(line) is not None
    assert (_RULE.search(line) is not None) == (spec or _other_branch(line))


def test_the_failure_reason_still_ranks_a_failed_test_id() -> None:
    for line in (b"tests/a.py::t FAILED", b"x a:b::c[1] FAILED", b":::x FAILED [ 5%]"):
        assert _TEST(line), line
    assert not _TEST(b"a:: FAILED")


def _other_branch(line: bytes) -> bool:
    """The rule's other forms (``^FAILED `` ...), which the spec above leaves out."""
    rest = re.compile(rb"^FAILED |^ERROR [^ \n]+::|^--- FAIL: |^not ok [0-9]|^FAIL: \w", re.M)
    return rest.search(line) is not None
