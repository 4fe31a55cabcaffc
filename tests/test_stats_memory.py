"""``stats`` and ``diff`` on a log of distinct lines: memory stays bounded, the rarer templates
are counted together as *other* and the report says so; the totals stay exact."""

from __future__ import annotations

import json
import pickle
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, examples
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.engine.stats.table import Table

LIMIT_KB = 128 * 1024  # docs/crash-safety.md: at most 128 MiB peak
HEAVY = b"2024-05-01T12:00:00.000Z [INFO] Processed batch %d in %d ms\n"

# The child's peak RSS, read in a fresh small interpreter (a fork of pytest would count its pages).
_WRAPPER = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True)
sys.stderr.buffer.write(proc.stderr)
sys.stdout.buffer.write(proc.stdout)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, proc.returncode, file=sys.stderr)
"""


def _peak(*args: str) -> tuple[bytes, int]:
    """(stdout, peak RSS in kB) of ``python -m logtrim ARGS``, which must succeed."""
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "logtrim", *args],
        capture_output=True, env=clean_env({"COLUMNS": "120"}), timeout=300, check=False,
    )  # fmt: skip
    *_, last = proc.stderr.decode().splitlines()
    kb, rc = map(int, last.split())
    assert rc == 0, proc.stderr
    return proc.stdout, kb


def _distinct_log(path: Path, lines: int) -> int:
    """``lines`` lines of five random words each, one in ten a batch line; the batch lines."""
    rng = random.Random(7)
    letters = string.ascii_lowercase
    heavy = 0
    with open(path, "wb") as file:
        for i in range(lines):
            if i % 10 == 0:
                file.write(HEAVY % (i, i % 997))
                heavy += 1
            else:
                words = ("".join(rng.choices(letters, k=6)) for _ in range(5))
                file.write(" ".join(words).encode() + b"\n")
    return heavy


@pytest.fixture(scope="module")
def distinct(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("distinct") / "distinct.log"
    return path, _distinct_log(path, 200_000)


@pytest.mark.slow
def test_stats_on_distinct_lines_stays_bounded_and_says_templates_were_merged(
    distinct: tuple[Path, int],
) -> None:
    path, heavy = distinct
    out, kb = _peak("stats", "--json", "--top", "100000", str(path))
    assert kb < LIMIT_KB
    report = json.loads(out)
    assert report["total_lines"] == 200_000
    other = report["other"]
    templates = report["templates"]
    # Nothing lost: the rows and other add up to the input.
    assert sum(t["lines"] for t in templates) + other["lines"] == 200_000
    assert sum(t["bytes"] for t in templates) + other["bytes"] == path.stat().st_size
    # The heavy hitter is counted exactly, first.
    assert templates[0]["template"].endswith("Processed batch <n> in <n> ms")
    assert templates[0]["lines"] == heavy
    assert len(templates) < 100_000
    text, kb = _peak("stats", str(path))
    assert kb < LIMIT_KB
    assert b"rarer ones merged as other" in text
    assert b"(other: rarer templates)" in text


@pytest.mark.slow
def test_diff_against_distinct_lines_stays_bounded_and_says_what_it_only_counted(
    distinct: tuple[Path, int], tmp_path: Path
) -> None:
    path, _ = distinct
    good = tmp_path / "good.log"
    _distinct_log(good, 150_000)  # as many distinct lines again, the same seed
    out, kb = _peak("diff", str(tmp_path / "good.log"), str(path))
    assert kb < LIMIT_KB
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"started\n")
    out, kb = _peak("diff", str(empty), str(path))
    assert kb < LIMIT_KB
    summary = out.splitlines()[-1]
    assert b"only counted (too many shapes to keep)" in summary


class _Small(Table):
    keep = 3
    keep_bytes = 1 << 20


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 50)), max_size=200))
def test_a_bounded_table_keeps_totals_and_undercounts_by_at_most_its_error(
    adds: list[tuple[int, int]],
) -> None:
    table = _Small()
    exact: dict[bytes, int] = {}
    for name, size in adds:
        tpl = b"t%d" % name
        table.add(tpl, 1, size, tpl)
        exact[tpl] = exact.get(tpl, 0) + size
    assert len(table) <= 2 * _Small.keep
    assert sum(s.lines for s in table.values()) + table.other.lines == len(adds)
    assert sum(s.size for s in table.values()) + table.other.size == sum(exact.values())
    for tpl, stat in table.items():
        assert exact[tpl] - table.other.error <= stat.size <= exact[tpl]
    if len(exact) <= 2 * _Small.keep:  # few templates: exact, as before
        assert {t: s.size for t, s in table.items()} == exact
        assert not table.capped


_BYTES = st.binary(max_size=12)


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(st.tuples(_BYTES, st.integers(0, 9), st.integers(0, 99), _BYTES), max_size=60),
    st.tuples(st.integers(0, 9), st.integers(0, 99), st.integers(0, 9)),
)
def test_a_table_sent_to_another_process_arrives_as_it_was(
    entries: list[tuple[bytes, int, int, bytes]], other: tuple[int, int, int]
) -> None:
    """The table of a log's other part comes back pickled: the same templates in the same
    order, each with its lines, bytes and example; the same other; a bounded table stays so."""
    table = _Small()
    for tpl, lines, size, example in entries:
        table.add(tpl, lines, size, example)
    table.other.lines, table.other.size, table.other.error = other
    back = pickle.loads(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(back) is _Small
    assert list(back.items()) == list(table.items())
    assert (back.other, back.held) == (table.other, table.held)
    back.add(b"new", 1, 1, b"new")  # still bounded as it was
    assert len(back) <= 2 * _Small.keep
