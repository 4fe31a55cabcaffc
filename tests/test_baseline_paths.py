"""Hypothesis properties: what a run finds new against a baseline, and the shapes it remembers,
are those of the straightforward per-line form, whatever the chunking, the caches' bounds, and
whether the run takes over the cache of the Shaper that loaded the baseline."""

from __future__ import annotations

from collections.abc import Iterable
from unittest.mock import patch

from conftest import examples, split
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim.engine.shapes import shaper as bl
from logtrim.engine.shapes import variables
from logtrim.engine.shapes.baseline import Baseline, shape_hash
from logtrim.engine.shapes.shapes import Shapes
from logtrim.engine.shapes.templates import coarse, template_uncached
from logtrim.engine.shapes.variables import known_by_skeleton
from logtrim.logs.linechunks import line_chunks

SETTINGS = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

FORMS = (
    "copied {v} files to /srv/app/{w}/{v}",
    "host={w}.example.org pid={v} took {v}s",
    "  ERROR: upload of '{w}' failed after {v} tries",
    "{w} {w}  {v}",
    "id {h} state {w}",
    "{{'{w}': {v}, 'b': {v}, 'c': {w}, 'd': 1, 'e': 2, 'f': 3}}",
    "",
    "{w}",
    "{long}",
)
WORDS = st.sampled_from(("alpha", "bravo", "doc/index", "a.b.c", "x=1", "Tests"))
LINE = st.builds(
    lambda form, w, v, h, n: form.format(w=w, v=v, h=h, long=(w + " ") * n),
    st.sampled_from(FORMS),
    WORDS,
    st.integers(0, 10**6),
    st.sampled_from(("9f86d081884c", "deadbeef01", "0x1f")),
    st.sampled_from((1, 700, 900)),  # 900 words: past KEY_MAX
)
TASK_PREFIX = "16:05:22   Info     |   "


def _shape(line: bytes, tasklog: bool) -> bytes:
    """The straightforward form: one line, its own regex passes."""
    key = coarse(line[: bl.KEY_MAX])
    if tasklog:
        key = bl._TASKLOG_PREFIX.sub(b"", key)
    return bl._BLANKS.sub(b" ", template_uncached(key)).strip()


def _shapes_of(lines: list[bytes], tasklog: bool = False) -> set[int]:
    """The shape hashes of these lines, with the skeletons that vary and the long ones' bags."""
    texts = {shape_hash(s): s for s in (_shape(line, tasklog) for line in lines)}
    return set(texts) | _varying(texts.values())


def _varying(shapes: Iterable[bytes]) -> set[int]:
    """The long shapes' bags and the skeletons with two values or more, one shape at a time."""
    values: dict[bytes, set[bytes]] = {}
    found = {whole for shape in shapes if (whole := variables.bag(shape)) is not None}
    for shape in shapes:
        for skel, value in variables._cuts(shape):
            values.setdefault(skel, set()).add(value)
    return found | {variables._hash(skel) for skel, seen in values.items() if len(seen) > 1}


def _data(lines: list[str], prefix: str = "") -> bytes:
    return "".join(f"{prefix}{line}\n" for line in lines).encode()


@SETTINGS
@given(
    st.lists(LINE, max_size=40),
    st.lists(LINE, max_size=60),
    st.lists(st.integers(min_value=0), max_size=8),
    st.lists(st.integers(min_value=0), max_size=12),
    st.sampled_from((1 << 16, 5, 1)),
    st.sampled_from((16 << 20, 3000)),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_new_lines_and_shapes_are_those_of_the_per_line_form(
    good: list[str],
    run: list[str],
    cuts: list[int],
    cuts2: list[int],
    cache_max: int,
    cache_bytes: int,
    handover: bool,
    tasklog: bool,
    keep: bool,
) -> None:
    good_data = _data(good, TASK_PREFIX if tasklog else "")
    run_data = _data(run, TASK_PREFIX if tasklog else "")
    good_lines = good_data.split(b"\n")[:-1]
    run_lines = run_data.split(b"\n")[:-1]
    with patch.object(bl, "_CACHE_MAX", cache_max), patch.object(bl, "_CACHE_BYTES", cache_bytes):
        # ``keep``: the loading Shaper keeps its shapes' texts, handed over with its cache.
        loaded = Shapes(tasklog=tasklog, keep=keep)
        for chunk in line_chunks(split(good_data, cuts)):
            loaded.feed(chunk)
        known = _shapes_of(good_lines, tasklog)
        assert loaded.hashes == known
        baseline = Baseline(known, tasklog=tasklog, prior=loaded.shaper if handover else None)
        found: list[int] = []
        first = 0
        for chunk in line_chunks(split(run_data, cuts2)):
            found += [first + i for i in baseline.new_lines(chunk)]
            starts = [0, *[i + 1 for i, c in enumerate(chunk) if c == 10]]
            assert baseline.new_offsets(chunk) == [starts[i] for i in baseline.new_lines(chunk)]
            first += chunk.count(b"\n")
    shapes = [_shape(line, tasklog) for line in run_lines]
    expected = [
        i
        for i, s in enumerate(shapes)
        if shape_hash(s) not in known and not known_by_skeleton(s, known)
    ]
    assert found == expected
    assert baseline.new_shapes == {shape_hash(shapes[i]) for i in expected}
    assert baseline.seen.hashes == _shapes_of(run_lines, tasklog)


@SETTINGS
@given(st.lists(LINE, min_size=1, max_size=40), st.lists(LINE, max_size=40), st.booleans())
def test_a_shaper_of_the_other_kind_or_with_unknown_shapes_is_not_taken_over(
    good: list[str], run: list[str], tasklog: bool
) -> None:
    """A task log's cache shapes lines without their prefix: a run of the other kind must not
    use it; nor a cache holding a shape the baseline lacks (left out past its cap)."""
    run_data = _data(good + run, TASK_PREFIX)
    loaded = Shapes(tasklog=tasklog)
    loaded.feed(_data(good, TASK_PREFIX))
    other = Baseline(set(loaded.hashes), tasklog=not tasklog, prior=loaded.shaper)
    assert other.new_lines(run_data) == Baseline(set(loaded.hashes), tasklog=not tasklog).new_lines(
        run_data
    )
    loaded = Shapes(tasklog=tasklog)
    loaded.feed(_data(good, TASK_PREFIX))
    fewer = set(loaded.hashes) - {next(iter(loaded.shaper.cache.values()))}
    lacking = Baseline(fewer, tasklog=tasklog, prior=loaded.shaper)
    assert lacking.new_lines(run_data) == Baseline(fewer, tasklog=tasklog).new_lines(run_data)


@SETTINGS
@given(st.lists(LINE, min_size=1, max_size=30), st.lists(LINE, min_size=1, max_size=30))
def test_a_run_that_takes_over_the_loads_cuts_remembers_the_shapes_of_its_own_lines(
    good: list[str], before: list[str]
) -> None:
    """The run meets lines the load did not (``before``) and then the good run's lines, whose
    cuts it takes from the load: a token that varies only with both is still found."""
    good_data = _data(good)
    run_data = _data(before + good)
    loaded = Shapes(keep=True)
    loaded.feed(good_data)
    baseline = Baseline(set(loaded.hashes), prior=loaded.shaper)
    for chunk in line_chunks(split(run_data, [len(_data(before))])):
        baseline.new_lines(chunk)
    assert baseline.seen.hashes == _shapes_of(run_data.split(b"\n")[:-1])


def test_a_token_that_varies_first_in_the_run_is_found_with_the_loads_cuts() -> None:
    good = b"fetched mirror.example.org/doc/index in 0 ms\n"
    other = b"fetched mirror.example.net/doc/index in 0 ms\n"
    loaded = Shapes(keep=True)
    loaded.feed(good)
    baseline = Baseline(set(loaded.hashes), prior=loaded.shaper)
    baseline.new_lines(other)
    baseline.new_lines(good)
    assert baseline.seen.hashes == _shapes_of([other.rstrip(), good.rstrip()])
    assert len(baseline.seen.hashes) > 2  # the skeleton of the host name varies
