"""AnySearch (engine/match/alternation.py) answers what ``re.search`` answers, branch by branch: the
failure reason's patterns on lines made of their own pieces, and alternations of any shape."""

from __future__ import annotations

import re

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.engine.ending import ranks as reason
from logtrim.engine.match.alternation import AnySearch, branches

PATTERNS = [reason._STATUS, reason._TEST, reason._COMPILER, reason._SUMMARY]
# Pieces of the patterns' own words, so that lines come near to matching (and do, often).
PIECES = st.sampled_from(
    [b"FAILED", b"ERROR", b"error", b"[ERROR]", b"::", b": ", b"make[2]: ***", b"exit code 2",
     b"Exited with status", b"npm ERR! ", b"code", b"collect2: error", b"foo.c:12:3: ",
     b"fatal ", b"Tests failed:", b"not ok 3", b"--- FAIL: ", b"=====", b" 3 failed in 1.2s",
     b"aborted", b"xaborted", b"rolling back", b"BUILD FAILURE", b" ", b"\t", b"1) a.b", b"E: ",
     b"ld.gold: ", b"Ran 3 tests", b"$", b"[", b"]", b"*"]
)  # fmt: skip
LINES = st.lists(st.one_of(PIECES, st.binary(max_size=4)), max_size=12).map(b"".join)


@settings(max_examples=examples(500))
@given(LINES)
def test_the_reason_patterns_answer_as_re_does(line: bytes) -> None:
    for search in PATTERNS:
        assert search(line) == bool(search.pattern.search(line))


ATOMS = st.sampled_from(
    [b"a", b"B", b"ab", b"[ab]", b"[]a]", b"\\|", b"(a|b)", b"(?:A|b)", b"x*", b"\\b", b"\\B",
     b"\\w", b"\\W", b"[0-9]", b"[^0-9]", b"[Z-a]", b"\\x41", b"\\.", b"(?i:a)", b" "]
)  # fmt: skip
BRANCH = st.tuples(st.booleans(), st.lists(ATOMS, min_size=1, max_size=4)).map(
    lambda t: (b"^" if t[0] else b"") + b"".join(t[1])
)


@settings(max_examples=examples(300))
@given(
    st.lists(BRANCH, min_size=1, max_size=5),
    st.lists(
        st.sampled_from([b"a", b"A", b"b", b"B", b"x", b"X", b"0", b" ", b".", b"|", b"_", b"]"]),
        max_size=8,
    ).map(b"".join),
    st.booleans(),
)
def test_any_alternation_answers_as_re_does(
    parts: list[bytes], text: bytes, caseless: bool
) -> None:
    pattern = b"|".join(parts)
    flags = re.I if caseless else 0
    assert branches(pattern) == parts
    assert AnySearch(pattern, flags)(text) == bool(re.search(pattern, text, flags))


def test_multiline_is_refused() -> None:
    with pytest.raises(ValueError, match="MULTILINE"):
        AnySearch(rb"^a|b", re.M)
