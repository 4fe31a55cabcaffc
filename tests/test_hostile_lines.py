"""Lines made to be slow: a rule's regex must cost time linear in the line whatever its bytes.

A regex searched from every position that reads to the end of a run from each costs time
quadratic in the run (``::[^ ]+ FAILED`` over a line of colons: 32k colons took 15 s). The
runs below are long enough that a quadratic rule takes minutes (the timeout fails the test);
linear, they take about a second.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, examples, logtrim_argv, py, zstd_dc
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.engine.console.display import ERROR_WORD, last_error_word
from logtrim.engine.ending.ranks import _TEST
from logtrim.engine.match.rules import RULES

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


@settings(max_examples=examples(2000))
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


_WORDS = [b"error", b"Errors", b"FAIL", b"failed", b"failure", b"xfatal", b"denied", b"y", b" "]


@settings(max_examples=examples(2000))
@given(st.lists(st.sampled_from(_WORDS), max_size=40), st.integers(0, 60), st.integers(0, 60))
def test_the_last_error_word_is_the_last_the_regex_finds(
    parts: list[bytes], low: int, cut: int
) -> None:
    body = b"".join(parts)
    high = max(len(body) - cut, 0)
    found = [m.start() for m in ERROR_WORD.finditer(body, low, high)]
    assert last_error_word(body, low, high) == (found[-1] if found else -1)


_PEAK = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@pytest.mark.timeout(300)
def test_many_lines_of_a_megabyte_are_read_in_bounded_memory(tmp_path: Path) -> None:
    """The history holds the last few hundred lines: a long one as its console form, not
    whole (docs/crash-safety.md: ``trim`` reads in at most 128 MiB)."""
    log = tmp_path / "mb.log"
    with log.open("wb") as f:
        for i in range(160):
            f.write(b"%d " % i + b"y" * 1_000_000 + b"\n")
    out = tmp_path / "out.log"
    argv = [sys.executable, "-c", _PEAK, *logtrim_argv("trim", str(log), "-o", str(out))]
    peak_kb = int(subprocess.run(argv, capture_output=True, check=True, timeout=280).stdout)
    assert peak_kb < 128 * 1024
    assert out.read_bytes().count(b"\n") >= 10  # the head and the tail, each line cut


def test_an_open_octopus_message_closed_on_the_next_line_is_read_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``]##octopus[p`` over and over: each line opens a message the next line's ``]`` ends
    (as Calamari reads it). Each opener read the next 64 lines, whole, because the next line
    opened one again (a 650 kB log took 26 s): now one line each, counted by the lines the
    message reader is given."""
    from logtrim.dialects.octopus import Octopus
    from logtrim.engine.masking.declarations import Declarations

    read: list[str] = []
    closes = Octopus.closes

    def counted(self: Octopus, line: str) -> bool:
        read.append(line)
        return closes(self, line)

    monkeypatch.setattr(Octopus, "closes", counted)
    lines = 2000
    region = b"]##octopus[p\n" * lines
    starts = list(range(0, len(region), len(b"]##octopus[p\n")))
    Declarations(Octopus()).learn(region, starts, 1)
    assert len(read) <= 2 * lines


@pytest.mark.parametrize(
    ("ci", "command"),
    [
        ("teamcity", b"##teamcity[message text='hi']"),
        ("azure", b"##vso[task.logissue type=warning]hi"),
        ("github", b"::warning::hi"),
        ("octopus", b"##octopus[stdout-default]"),
    ],
)
@pytest.mark.parametrize("blank", [b" ", b"\r"])
def test_blanks_before_a_command_do_not_pass_the_budget(
    run_logtrim: RunLogtrim, ci: str, command: bytes, blank: bytes
) -> None:
    """A command passes whatever the budget; the 900 kB of blanks before it passed with it
    (4.5 MB printed at a 20 kB budget). Every CI reads the command without them."""
    line = blank * 900_000 + command + b"\n"
    code = (
        f"import sys\nline = {blank!r} * 900_000 + {command!r} + b'\\n'\n"
        "for i in range(5): sys.stdout.buffer.write(line)\n"
    )
    result = run_logtrim("--ci", ci, "--budget", "20kB", "--", *py(code))
    assert result.code == 0
    assert len(result.console) <= 20_000
    assert result.stdout.count(command + b"\n") == 5
    assert result.archive == line * 5


@pytest.mark.timeout(240)
def test_a_flood_of_distinct_short_errors_is_read_in_linear_time(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """2 MB of distinct ``error`` lines past the budget: each line's form was found with a
    search of the run's list (square time: 1 MB took 40 s, these 2 MB over a minute; about
    7 s now). One of them is the failure reason."""
    words = [f"error {i:x}".translate(_NO_DIGITS) for i in range(200_000)]
    log = tmp_path / "errors.txt"
    log.write_text("\n".join(words) + "\n", encoding="ascii")
    child = py(f"import sys; sys.stdout.write(open({str(log)!r}).read()); sys.exit(1)")
    result = run_logtrim("--ci", "plain", "--budget", "200kB", "--", *child, timeout=50)
    assert result.code == 1
    reason = re.search(rb"^\[logtrim\] failed \(exit 1\): (error [a-p]+)$", result.console, re.M)
    assert reason is not None and reason.group(1).decode() in words
    assert zstd_dc(result.artifact) == log.read_bytes() if result.artifact else False


_NO_DIGITS = str.maketrans("0123456789", "ghijklmnop")  # (digits would make the lines one form)
