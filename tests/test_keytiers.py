"""``stats`` counts most lines' tiers per distinct line (engine/stats/keytiers.py): the counts are
those of the tally fed line by line, whatever the lines, the chunks, the folds and the engine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import examples, split
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.engine.match.matcher import Matcher
from logtrim.engine.match.rules import RULES
from logtrim.engine.stats.counting import TemplateCounter
from logtrim.engine.stats.keytiers import KeyTiers, RawScan, digit_blind, split_rules
from logtrim.engine.stats.tiertally import TierTally
from logtrim.logs.inputs import open_input
from logtrim.logs.linechunks import line_chunks
from logtrim.logs.report import to_json
from logtrim.logs.stats import compute

_STAMPS = ["", "2026-01-01T00:00:{s:02d} ", "[00:00:{s:02d}] "]
_LEVELS = ["", "INFO ", "WARN ", "ERROR ", "DEBUG ", "level=debug ", "E   "]
# Lines whose tier turns on a digit (``3 errors`` / ``0 errors``, exit codes), and others.
_TEXTS = [
    "processing item {n}",
    "Uploading package {n}%",
    "[{n}/40] Applying migration",
    "Build finished: {n} errors",
    "{n} errors, {m} warnings",
    "ok={n} changed=1 failed={m}",
    "failures: {n}",
    "process exited with code {n}",
    "src/a.c:{n}:{m}: error: expected ';'",
    "error[E0{n}]: mismatched types",
    "no errors in {n} files",
    "could not connect to db-{n}",
    "retrying in {n}s",
    "x{n}" * 40 + " error",  # longer than the counter's keys here (64 bytes)
    "y" * 300 + " failed {n}",  # longer than whole here (280 bytes): classified on its start
    "z" * 270 + " failed {n}",  # longer than max_line (256 bytes) only: classified whole
    "",
]

_line = st.builds(
    lambda stamp, level, text, n, m: (stamp + level + text).format(s=n % 60, n=n, m=m),
    st.sampled_from(_STAMPS),
    st.sampled_from(_LEVELS),
    st.sampled_from(_TEXTS),
    st.sampled_from([0, 1, 3, 10, 42, 100]),
    st.sampled_from([0, 7]),
)


class _ShortKeys(TemplateCounter):
    KEY_MAX = 64  # (lines longer than this are counted one by one, as cut keys)


def _tally(matcher: Matcher, part: bool) -> TierTally:
    return TierTally(matcher, head=0 if part else 3, max_line=256, whole=280, lead=3 if part else 0)


@pytest.mark.parametrize("engine", ["hyperscan", "re"])
@settings(max_examples=examples(150), deadline=None)
@given(
    lines=st.lists(_line, min_size=1, max_size=60),
    cuts=st.lists(st.integers(0, 1 << 13), max_size=8),
    grid=st.sampled_from([64, 256, 1024, 1 << 20]),
    fold_at=st.sampled_from([1, 5, 200_000]),
    part=st.booleans(),
    newline_at_end=st.booleans(),
)
def test_tiers_by_key_are_the_tiers_line_by_line(
    engine: str,
    lines: list[str],
    cuts: list[int],
    grid: int,
    fold_at: int,
    part: bool,
    newline_at_end: bool,
) -> None:
    found = compiler("hyperscan") if engine == "hyperscan" else None
    if engine == "hyperscan" and found is None:
        pytest.skip("hyperscan is not installed")
    data = "\n".join(lines).encode() + (b"\n" if newline_at_end else b"")
    chunks = list(line_chunks(split(data, cuts), grid=grid))
    reference = _tally(Matcher(RULES, compiler=found), part)
    for chunk in chunks:
        reference.feed(chunk)
    reference.finish()

    parts = split_rules(RULES)
    assert parts is not None
    blind, raw = parts
    keyed = _tally(Matcher(RULES, compiler=found), part)
    counter = _ShortKeys(fold_at=fold_at)
    counter.watch = KeyTiers(keyed, Matcher(blind, compiler=found), RawScan(raw, found))
    for chunk in chunks:
        counter.feed(chunk)
    keyed.finish()
    counter.result()
    assert keyed.counts() == reference.counts()
    assert sum(keyed.bytes.values()) == len(data)


def test_a_rule_is_digit_blind_only_when_it_treats_every_digit_alike() -> None:
    for blind in (rb"\d+ of \d+", rb"[0-9a-f]{6,}", rb"\w+ done", rb"(?:a|[^x])\b", rb"\S+%"):
        assert digit_blind(blind), blind
    for seeing in (
        rb"[1-9]\d* errors",
        rb"code 0\b",
        rb"[^0]",
        rb"(a)\1",
        rb"\D[0-5]",
        rb"(",
        b"0",
    ):
        assert not digit_blind(seeing), seeing
    blind_rules, raw_rules = split_rules(RULES) or ([], [])
    assert {r.name for r in raw_rules} >= {"error-count", "fail-count", "exit-code", "zero-count"}
    assert len(blind_rules) > len(raw_rules)


@settings(max_examples=examples(25), deadline=None)
@given(lines=st.lists(_line, min_size=50, max_size=400), newline_at_end=st.booleans())
def test_stats_of_a_log_on_two_cores_is_the_report_line_by_line(
    lines: list[str], newline_at_end: bool
) -> None:
    """End to end, with the file cut for two processes and read in small chunks (so that
    most lines go by key): the JSON report is the one of tiers counted line by line."""
    import logtrim.logs.stats as stats_module
    import logtrim.logs.tiers as tiers_module
    import logtrim.logs.twocores as twocores_module
    from logtrim.logs import linechunks

    data = "\n".join(lines).encode() + (b"\n" if newline_at_end else b"")
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        path = Path(tmp) / "plain.log"
        path.write_bytes(data)
        patch.setattr(stats_module, "ASIDE_MIN", 0)
        patch.setattr(linechunks, "CHUNK", 512)
        patch.setattr(twocores_module, "CHUNK", 512)
        keyed = to_json(compute([open_input(str(path))]), top=0)
        patch.setattr(tiers_module, "_by_key", lambda: None)  # every line on its own
        by_line = to_json(compute([open_input(str(path))]), top=0)
    assert keyed == by_line
    # (a last line that is empty ends the data in a newline too)
    assert sum(keyed["tier_lines"].values()) == data.count(b"\n") + (data[-1:] != b"\n")
