"""What a reader learns declarations from, chunk by chunk: the whole lines of its stream, the
start of a line read before included (a declaration split across two reads is learned whole)."""

from __future__ import annotations

from conftest import split
from hypothesis import given
from hypothesis import strategies as st

from logtrim.run.lines import StreamLines

TEXT = st.binary(max_size=400).map(lambda b: b.replace(b"x", b"\n"))


TEXT_CR = st.binary(max_size=400).map(lambda b: b.replace(b"x", b"\n").replace(b"y", b"\r"))


@given(data=TEXT_CR, cuts=st.lists(st.integers(0, 400), max_size=8))
def test_any_chunking_gives_every_whole_line_once(data: bytes, cuts: list[int]) -> None:
    """Every whole line once, in order; before it, the parts of it a lone \\r ended as they
    came (a CI's reader takes each as a line), each once, in order."""
    lines = StreamLines()
    wholes, pieces = b"", b""  # (the parts given of the line not given whole yet)
    for chunk in split(data, cuts):
        out = lines.whole(chunk)
        end = out.rfind(b"\n") + 1
        if end:
            wholes, pieces = wholes + out[:end], b""
        pieces += out[end:]
        line = data[len(wholes) :]
        assert line.startswith(pieces) and (not pieces or pieces.endswith(b"\r"))
    assert wholes == data[: data.rfind(b"\n") + 1]
    rest = data[len(wholes) :]
    assert pieces == rest[: rest.rfind(b"\r") + 1]


@given(data=TEXT, cuts=st.lists(st.integers(0, 400), max_size=8), skip=st.integers(0, 255))
def test_a_chunk_passed_keeps_the_place_of_the_lines_after_it(
    data: bytes, cuts: list[int], skip: int
) -> None:
    """A reader's own chunk is fed in order (what it declares learned as it is fed): passed
    without a copy, it leaves the next chunk's lines as reading it whole would."""
    mixed, whole = StreamLines(), StreamLines()
    for i, chunk in enumerate(split(data, cuts)):
        expected = whole.whole(chunk)
        if skip >> (i % 8) & 1:
            mixed.passed(chunk)
        else:
            assert mixed.whole(chunk) == expected


@given(cuts=st.lists(st.integers(0, 200_000), max_size=6))
def test_a_line_longer_than_a_declaration_is_not_carried(cuts: list[int]) -> None:
    """Memory stays bounded: a line over 64 KiB is dropped, the lines after it are whole."""
    data = b"a" * 100_000 + b"\n::add-mask::s3cret\n"
    lines = StreamLines()
    learned = b"".join(lines.whole(chunk) for chunk in split(data, cuts))
    assert learned.endswith(b"::add-mask::s3cret\n")
    assert len(learned) <= len(data)
