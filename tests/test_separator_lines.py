"""Lines of one byte repeated (``====``, ``::::``, ``----``, runs of blanks) cost the matchers
about what other lines cost, and hit the same rules on every engine.

Hyperscan reports every end of a match: a rule that can end at each byte of a run (``==+``,
a bare ``::``) called back into Python once a byte, and the pure-Python prefilter searched a
line again from each byte where one of its strings was. The counts here are of calls, not
of time: they hold on any machine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pytest
from conftest import examples
from exact_path import reference
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.dialects import all_dialects
from logtrim.engine.match import linefind
from logtrim.engine.match.matcher import Database, Matcher, MatchHandler
from logtrim.engine.match.rules import RULES, extra_rules

MARKERS = sorted({m for d in all_dialects() for m in d.markers})
ALL_RULES = (*RULES, *extra_rules([], MARKERS))
HS = compiler("hyperscan")
# Bytes that make separators, rules and headings, and blanks.
REPEATED = "=#:-*~_.|+/<>^!\\ \t"
SHAPES = ("{r}", "{r} 12", "x {r}", "{r} Title {r}", "  {r}", "\x1b[31m{r}\x1b[0m", "{r}\r")
PER_LINE = 4  # callbacks or prefilter hits a line at most: a few rules, not its bytes


def lines_of(byte: str, width: int = 300) -> list[bytes]:
    return [shape.format(r=byte * width).encode() for shape in SHAPES]


class Counting:
    """A compiler whose databases count the matches they report."""

    def __init__(self, inner: Any) -> None:
        self._inner, self.calls = inner, 0

    def rules(
        self, patterns: Sequence[bytes], caseless: Sequence[bool], *, optional: bool = False
    ) -> Database | None:
        db = self._inner.rules(patterns, caseless, optional=optional)
        return None if db is None else _CountingDb(db, self)

    def literals(self, values: Sequence[bytes], *, caseless: bool = False) -> Database | None:
        return self._inner.literals(values, caseless=caseless)  # type: ignore[no-any-return]


class _CountingDb:
    def __init__(self, db: Database, owner: Counting) -> None:
        self._db, self._owner = db, owner

    def scan(
        self,
        data: bytes | memoryview,
        match_event_handler: MatchHandler,
        flags: int = 0,
        context: object = None,
    ) -> object:
        def counted(*args: Any) -> object:
            self._owner.calls += 1
            return match_event_handler(*args)

        return self._db.scan(data, match_event_handler=counted)


@pytest.mark.skipif(HS is None, reason="hyperscan is not installed")
@pytest.mark.parametrize("byte", list(REPEATED))
def test_hyperscan_calls_back_a_few_times_a_line_not_once_a_byte(byte: str) -> None:
    counting = Counting(HS)
    matcher = Matcher(ALL_RULES, compiler=counting)
    for line in lines_of(byte):
        chunk = (line + b"\n") * 40
        for _ in range(3):  # the one pass, the two passes, the memo: each chunk as it comes
            counting.calls = 0
            matcher.scan(chunk)
            assert counting.calls <= PER_LINE * 40, line[:20]
        counting.calls = 0
        matcher.line_kind(line)  # a line alone (the failure tail's): the same databases
        assert counting.calls <= PER_LINE, line[:20]


@pytest.mark.parametrize("byte", list(REPEATED))
def test_the_prefilter_finds_a_line_a_few_times_not_once_a_byte(
    byte: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    added = 0
    real = linefind.add

    def counted(cand: linefind.Candidates, start: int, ids: Sequence[int]) -> None:
        nonlocal added
        added += 1
        real(cand, start, ids)

    monkeypatch.setattr(linefind, "add", counted)
    matcher = Matcher(ALL_RULES)
    for rare in (False, True):
        for line in lines_of(byte):
            chunk = (line + b"\n") * 40
            if rare:  # planned on other bytes: the repeated one is skipped to by find
                matcher = Matcher(ALL_RULES)
                matcher.scan(b"plain words of a log line\n" * 2000)
            added = 0
            matcher.scan(chunk)
            # A pass finds a line a few times, then takes it whole: bounded by the passes
            # (a dozen), not the bytes (a line of colons was found at each of them).
            assert added <= 12 * 40, (line[:20], added)


# The two rules whose patterns changed, as they read naturally: the lines they hit must be
# these (a banner: marks that start with one of its forms, then a title).
OLD = {
    "banner": re.compile(
        rb"^(?:\x1b\[[0-9;]*m)*[ \t]*(?:(?===|\+\+\+|---|\*\*\*|##|>>>)[=+*#>-]+[ \t]*"
        rb"[\[(]?[A-Za-z0-9]|\[?step\b|stage\b)",
        re.M | re.I,
    ),
    "cmd::": re.compile(rb"::", re.M | re.I),
}


@st.composite
def separator_chunks(draw: st.DrawFn) -> bytes:
    """Lines of runs of punctuation, blanks, colour codes, words and numbers."""
    run = st.builds(
        lambda b, n: b * n, st.sampled_from([c.encode() for c in REPEATED]), st.integers(1, 90)
    )
    word = st.sampled_from(
        [b"x", b"Title", b"12", b"error", b"FAILED", b"INFO", b"step", b"\x1b[31m", b"\r", b"::"]
    )
    line = st.lists(st.one_of(run, run, word), max_size=8).map(b"".join)
    lines = draw(st.lists(line, min_size=1, max_size=30))
    return b"\n".join(lines) + draw(st.sampled_from([b"", b"\n"]))


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(separator_chunks())
def test_lines_of_repeated_bytes_hit_the_same_rules_on_every_engine(chunk: bytes) -> None:
    rules = {r.name + (r.pattern.decode()[-2:] if r.name == "cmd" else ""): r for r in ALL_RULES}
    truth = [re.compile(r.pattern, re.M | (re.I if r.caseless else 0)) for r in ALL_RULES]
    for line in chunk.split(b"\n"):
        # The changed patterns hit the lines the old ones hit.
        assert bool(truth[ALL_RULES.index(rules["banner"])].search(line)) == bool(
            OLD["banner"].search(line)
        )
        assert bool(truth[ALL_RULES.index(rules["cmd::"])].search(line)) == bool(
            OLD["cmd::"].search(line)
        )
    # The prefilter's lines and rules are each rule's regex on each line.
    pure = Matcher(ALL_RULES)
    assert pure._pre is not None
    found = {start: sorted(set(ids)) for start, ids in pure._pre.hits(chunk).items()}
    start, expected = 0, {}
    for line in chunk.split(b"\n"):
        ids = [i for i, rx in enumerate(truth) if rx.search(line)]
        if ids:
            expected[start] = ids
        start += len(line) + 1
    assert found == expected
    # And the tiers: the exact path, the prefilter, hyperscan, a line alone.
    exact = reference(pure, chunk)
    assert pure.scan(chunk) == exact
    if HS is not None:
        compiled = Matcher(ALL_RULES, compiler=HS)
        for _ in range(2):  # the one-pass and the two-pass scans
            assert compiled.scan(chunk) == exact
        for line in chunk.split(b"\n"):
            assert compiled.line_kind(line) == pure.line_kind(line)
