"""The start of a match's line, found by reading back only to the last match's place: the
same answer as reading back from the data's start, in any order of asking."""

from __future__ import annotations

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.engine.match.linefind import line_starts
from logtrim.engine.match.matcher import Matcher


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.sampled_from([b"\n", b"a", b"ERROR "]), max_size=40).map(b"".join), st.data())
def test_each_end_gets_the_start_of_its_line(data: bytes, draw: st.DataObject) -> None:
    ends = draw.draw(st.lists(st.integers(0, len(data)), max_size=30))
    if draw.draw(st.booleans()):
        ends.sort()  # as a scan reports them, mostly
    line_of = line_starts(data)
    for end in ends:
        assert line_of(end) == (data.rfind(b"\n", 0, end - 1) + 1 if end else 0)


def test_a_line_of_megabytes_with_an_error_word_throughout_is_one_hit() -> None:
    """A line of 2 MB without a newline, an error word every 20 bytes (100,000 matches):
    one line hit, at 0, with either matcher."""
    line = b"ERROR abc def 12345 " * 100_000
    for found in (compiler(), None):
        hits = Matcher(compiler=found).scan(line)
        assert [start for start, _ in hits] == [0]
