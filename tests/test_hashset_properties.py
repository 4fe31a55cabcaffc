"""Hypothesis properties of :class:`~logtrim.engine.shapes.hashset.HashSet` (``diff``'s compact
set of a good run's shapes): whatever is added, in any order and with repeats, it answers as a
``set`` of the same hashes does, and a baseline loaded compact is the same baseline."""

from __future__ import annotations

from pathlib import Path

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.baseline.load import load
from logtrim.engine.shapes.hashset import BUCKETS, HashSet

TOP = (1 << 64) - 1
# Hashes crowded into a few buckets (their top bits alike) as well as spread, and the ends.
HASH = st.one_of(
    st.integers(min_value=0, max_value=TOP),
    st.builds(
        lambda bucket, low: (bucket << (64 - (BUCKETS.bit_length() - 1))) | low,
        st.sampled_from((0, 1, BUCKETS - 1)),
        st.integers(min_value=0, max_value=15),
    ),
    st.sampled_from((0, 1, TOP, TOP - 1)),
)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.lists(HASH, max_size=40), max_size=6), st.lists(HASH, max_size=40))
def test_a_hashset_answers_as_a_set(batches: list[list[int]], probes: list[int]) -> None:
    compact, reference = HashSet(), set()
    for batch in batches:
        compact.update(batch)
        reference.update(batch)
        assert len(compact) == len(reference)
    assert sorted(compact) == sorted(reference)
    for h in probes + [h ^ 1 for h in reference]:
        assert (h in compact) == (h in reference)
    assert compact.issuperset(probes) == reference.issuperset(probes)
    assert -1 not in compact and (TOP + 1) not in compact and "x" not in compact
    while reference:
        h = compact.pop()
        reference.remove(h)
        assert h not in compact and len(compact) == len(reference)


def test_logs_loaded_compact_have_the_same_shapes(tmp_path: Path) -> None:
    runs = tmp_path / "good"
    runs.mkdir()
    for run in range(2):  # a directory of good runs: their union
        lines = [f"step {i} copied file{i % 7}.txt to host-{i % 3} in {i}ms" for i in range(300)]
        lines += [f"word{chr(97 + (i + run) % 26)} {'x' * (i % 5)} done" for i in range(300)]
        (runs / f"{run}.log").write_text("\n".join(lines) + "\n")
    for path in (runs / "0.log", runs):
        compact, plain = load(path, compact=True), load(path)
        assert isinstance(compact.hashes, HashSet)
        assert sorted(compact.hashes) == sorted(plain.hashes)
        assert len(compact.hashes) == len(plain.hashes) > 10
