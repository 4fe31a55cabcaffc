"""Hypothesis properties of the baseline's look-ups: whichever lines were met before (looked up
by hash, the cache bounded and started anew, lines past KEY_MAX cut, any chunking, a chunk
looked up in slices of any size), a run's
new lines, its own shapes and its count of new ones are those of a line-by-line reference."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import patch

from conftest import examples, split
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim.engine.shapes import baseline as baseline_module
from logtrim.engine.shapes import shaper
from logtrim.engine.shapes.baseline import KEY_MAX, Baseline
from logtrim.engine.shapes.shaper import Shaper
from logtrim.engine.shapes.shapes import Shapes
from logtrim.engine.shapes.templates import coarse
from logtrim.engine.shapes.variables import known_by_skeleton
from logtrim.logs.linechunks import line_chunks

SETTINGS = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

FORMS = (
    b"2024-05-01 12:41:0{d} INFO copied {d} files to /srv/{w}/{d}",
    b"uploading {w} ({d} bytes) sha256={h}",
    b"host={w}-0{d} pid={d} set {w}.lib={h}",
    b"ERROR: upload of {w} failed",
    b"  at shop.{w}.run(Step.java:{d})",
    b"{w}",
    b"",
    b"\t{w}   {w}\r",
)
WORDS = (b"alpha", b"bravo", b"charlie", b"mirror.example.org", b"a1b2")
HEX = (b"9f86d081884c", b"04997d0fb01f", b"cafe", b"deadbeef00")
LINE = st.builds(
    lambda form, d, w, h: form.replace(b"{d}", b"%d" % d).replace(b"{w}", w).replace(b"{h}", h),
    st.sampled_from(FORMS),
    st.integers(min_value=0, max_value=99_999),
    st.sampled_from(WORDS),
    st.sampled_from(HEX),
)
# Now and then a line past KEY_MAX (shaped on its first KEY_MAX bytes): two such lines that
# differ only past it have one shape.
LONG = st.builds(
    lambda head, n, tail: head + b" x" * ((KEY_MAX + n) // 2) + tail,
    LINE,
    st.integers(min_value=-4, max_value=8),
    st.sampled_from((b"", b" end", b" 42 other end")),
)
LINES = st.lists(st.one_of(LINE, LINE, LINE, LONG), max_size=60)


def _reference_shape(line: bytes) -> tuple[int, bytes]:
    """One line's shape hash and shape, from a Shaper of its own."""
    one = Shaper()
    learned, _ = one.learn({coarse(line)[:KEY_MAX]})
    (h,) = learned.values()
    return h, one.texts[h]


#: Bytes a chunk is looked up at a time: a line, a few lines, as ``run`` does.
SLICES = st.sampled_from((1, 40, 300, 1 << 17))


@contextmanager
def _bounds(cache_max: int, slice_size: int) -> Iterator[None]:
    """A cache of so few lines that it starts anew often; chunks looked up in slices of
    ``slice_size`` bytes (each ends at a line end: a line longer is one slice)."""
    with (
        patch.object(shaper, "_CACHE_MAX", cache_max),
        patch.object(baseline_module, "_SLICE", slice_size),
    ):
        yield


def _data(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


@SETTINGS
@given(
    LINES,
    LINES,
    st.lists(st.integers(min_value=0), max_size=12),
    st.lists(st.integers(min_value=0), max_size=12),
    st.sampled_from((2, 5, 1 << 16)),
    SLICES,
    st.booleans(),
    st.booleans(),
)
def test_new_lines_are_those_of_a_line_by_line_reference(
    good: list[bytes],
    run: list[bytes],
    cuts: list[int],
    good_cuts: list[int],
    cache_max: int,
    slice_size: int,
    compact: bool,
    learn: bool,
) -> None:
    # Whether the good run's shapes are a set or ``diff``'s compact HashSet, and whether
    # the run learns its own shapes or not (``diff``), the same lines are new.
    with _bounds(cache_max, slice_size):
        shapes = Shapes(compact=compact)
        for chunk in line_chunks(split(_data(good), good_cuts)):
            shapes.feed(chunk)
        baseline = Baseline(shapes.hashes, learn=learn)
        found: list[bytes] = []
        data = _data(run)
        for chunk in line_chunks(split(data, cuts)):
            indexes = baseline.new_lines(chunk)
            found += [chunk.split(b"\n")[i] for i in indexes]
            # The same chunk again, every line met now; and with its lines the other way round.
            assert baseline.new_lines(chunk) == indexes
            flags = [i in indexes for i in range(chunk.count(b"\n"))]
            turned = flags[len(flags) // 2 :] + flags[: len(flags) // 2]
            lines = [line + b"\n" for line in chunk.split(b"\n")[:-1]]
            rotated = b"".join(lines[len(lines) // 2 :] + lines[: len(lines) // 2])
            assert baseline.new_lines(rotated) == [i for i, new in enumerate(turned) if new]
    whole = Shapes()
    whole.feed(_data(good))
    assert set(shapes.hashes) == whole.hashes
    assert len(shapes.hashes) == len(whole.hashes)
    known = whole.hashes
    expected, new_shapes = [], set()
    for line in run:
        h, text = _reference_shape(line)
        if h not in known and not known_by_skeleton(text, known):
            expected.append(line)
            new_shapes.add(h)
    assert found == expected
    assert baseline.new_shapes == new_shapes
    mine = Shapes()
    mine.feed(data)
    assert baseline.seen.hashes == (mine.hashes if learn else set())


@SETTINGS
@given(
    LINES,
    st.lists(st.integers(min_value=0), max_size=12),
    st.sampled_from((2, 5, 1 << 16)),
    SLICES,
)
def test_new_offsets_are_where_the_new_lines_start(
    run: list[bytes], cuts: list[int], cache_max: int, slice_size: int
) -> None:
    with _bounds(cache_max, slice_size):
        good = Shapes()
        good.feed(_data(run[::2]))
        baseline = Baseline(good.hashes)
        for chunk in line_chunks(split(_data(run), cuts)):
            starts = [0, *(i + 1 for i, c in enumerate(chunk) if c == 10)]
            indexes = Baseline(good.hashes).new_lines(chunk)
            assert baseline.new_offsets(chunk) == [starts[i] for i in indexes]
