"""A real pytest run under ``logtrim run`` at a small budget: what a person reads to see why a
test failed is on the console."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import RunLogtrim

from logtrim.engine.ending.incident import continues

NOISY_TEST = """
def test_noisy():
    for i in range(3000):
        print(f"processing record {i}: payload={'x' * 40}")
    data = {"a": 1, "b": 2}
    assert data == {"a": 1, "b": 3}


def test_quiet():
    pass
"""


def test_an_assertion_explanation_is_shown_whole(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """pytest explains a failed comparison over several ``E`` lines, an empty one among them;
    the values that differ come after it, and they are the line a person points at."""
    (tmp_path / "test_noisy.py").write_text(NOISY_TEST)
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_noisy.py"]
    result = run_logtrim("--ci", "plain", "--budget", "16kB", "--", *argv, cwd=tmp_path)
    assert result.code == 1
    shown = result.stdout.splitlines()
    explanation = [line for line in result.archive.splitlines() if line.startswith(b"E ")]
    assert any(b"{'b': 2} != {'b': 3}" in line for line in explanation)  # pytest said it
    assert all(line in shown for line in explanation)
    assert b"test_noisy.py:6: AssertionError" in shown
    assert len(result.stdout) + len(result.stderr) <= 16_000


def test_a_blank_line_under_the_block_prefix_continues_it() -> None:
    head = b"E       AssertionError: assert {'a': 1, 'b': 2} == {'a': 1, 'b': 3}\n"
    assert continues(head, b"E         \n")
    assert continues(head, b"E         {'b': 2} != {'b': 3}\n")
    assert not continues(head, b"\n")  # a blank line ends it
    assert not continues(head, b"tests/test_noisy.py:6: AssertionError\n")


MIGRATION_TESTS = """
import pytest

@pytest.mark.parametrize("n", range(300))
def test_many(n):
    assert n >= 0

def test_migration():
    for i in range(15):
        print(f"applying migration {i:03d}_schema ... ok")
    print("applying migration 015_orders_v2 ... skipped: lock held by pid 4411")
    for i in range(16, 25):
        print(f"applying migration {i:03d}_schema ... ok")
    assert "orders_v2" in {"orders", "customers"}
"""


def test_a_summary_cut_to_the_terminals_width_is_named_whole(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """pytest cuts its short summary to the terminal's width (``... - AssertionError: assert
    'orders_v2' i...``); the reason was that cut line, the whole message being on the
    console in the ``E`` line above it."""
    (tmp_path / "test_migration.py").write_text(MIGRATION_TESTS)
    argv = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "test_migration.py"]
    result = run_logtrim("--ci", "plain", "--", *argv, cwd=tmp_path, env={"COLUMNS": "80"})
    assert result.code == 1
    cut = [x for x in result.stdout.splitlines() if x.startswith(b"FAILED test_migration.py")]
    assert len(cut) == 1 and cut[0].endswith(b"...")  # pytest cut it to the width
    assert (
        b"[logtrim] failed (exit 1): FAILED test_migration.py::test_migration - "
        b"AssertionError: assert 'orders_v2' in {'customers', 'orders'}\n"
    ) in result.stdout + result.stderr
