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
