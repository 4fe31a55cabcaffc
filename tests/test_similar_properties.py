"""Hypothesis properties of runs of similar lines: the lean path (engine/flow/similar.py) counts a
run of error lines like the last one shown in bulk. Whatever the lines, the chunks, the
streams and the time, the console (its "similar lines" markers and counts, the failure tail,
the summary), the failure reason and the first errors are the exact path's."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from conftest import examples, split
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.dialects.octopus import Octopus
from logtrim.engine.console.tally import Tally
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.flow import similar
from logtrim.engine.policy import Policy
from logtrim.engine.shapes.baseline import Baseline
from logtrim.engine.shapes.shapes import Shapes

SIMILAR = b"2024-05-01T12:41:00.000Z ERROR something x%d happened\n"  # %d: the counter
Result = tuple[bytes, Tally, str | None, list[str]]


def similar_lines(count: int) -> bytes:
    return b"".join(SIMILAR % i for i in range(count))


SETTINGS = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Besides the runs: lines of one template whose reasons rank otherwise (a quoted word that
# says it retries, a hex id), other errors, warnings and info (context, a gap), progress, a
# traceback (the reason looks at each line), colour, a redraw, CRLF, a line wider than the
# console.
LINES = st.one_of(
    st.integers(0, 999).map(lambda i: SIMILAR % i),
    st.sampled_from([b"'retrying'", b"'lost'", b"9f86d081884c", b"abcdef123456"]).map(
        lambda w: b"2024-05-01T12:41:00.000Z ERROR something %b happened\n" % w
    ),
    st.integers(0, 99).map(lambda i: b"ERROR: request %d refused\n" % i),
    st.just(b"WARNING: retrying\n"),
    st.just(b"INFO: still trying\n"),
    st.just(b"copying file 0001.dat\n"),
    st.integers(0, 100).map(lambda i: b"Progress: %d%%\n" % i),
    st.just(b'Traceback (most recent call last):\n  File "app.py", line 3\nValueError: bad\n'),
    st.just(b"\x1b[31mERROR\x1b[0m something x1 happened\n"),
    st.just(b"ERROR: half\rERROR: redrawn\n"),
    st.just(b"2024-05-01T12:41:00.000Z ERROR something x5 happened\r\n"),
    st.just(b"ERROR " + b"x" * 700 + b"\n"),
)
# Rarer, as they hold for long: a level switch (lines hidden, then shown again), a secret
# declared (it masks the counter 12), a last line without its newline, a traceback's header
# without the exception that ends it.
RARE = st.sampled_from(
    [
        b"##octopus[stdout-verbose]\n",
        b"##octopus[stdout-default]\n",
        b"::add-mask::x12\n",
        b"ERROR: no newline",
        b"Traceback (most recent call last):\n",
    ]
)
SHAPES = (
    SIMILAR,
    b"ERROR: request %d refused\n",
    b"main.c:%d:5: error: expected ';'\n",
    b"FAILED tests/test_app.py::test_%d\n",
    b"FATAL: worker %d gone\n",
    b"ValueError: bad input %d\n",
)
# A run: one shape, the same line a few times, then its counter going up (its digits may grow
# mid-run).
RUNS = st.tuples(
    st.sampled_from(SHAPES),
    st.sampled_from([0, 7, 95, 990]),
    st.integers(1, 40),
    st.sampled_from([0, 0, 3, 6, 12, 40]),
).map(lambda r: b"".join(r[0] % (r[1] + max(k - r[3], 0)) for k in range(r[2])))


def _hex_id(seed: int, kind: str) -> bytes:
    """An id of a kind, drawn from ``seed``: a UUID, a hash, or forms whose template depends
    on where their letters and dashes are (no run may join them)."""
    digest = hashlib.sha1(str(seed).encode()).hexdigest().encode()
    forms = {
        "uuid": digest[:8] + b"-" + digest[8:12] + b"-" + digest[12:16] + b"-" + digest[16:20]
        + b"-" + digest[20:32],
        "hash": digest[:12],
        "digits": b"%012d" % seed,  # no letter: no hex id
        "letters": b"abcdef" * 2,  # no digit: none either
        "dashed": digest[:4] + b"-" + digest[4:12],  # a hex word with a dash: no UUID
        "angled": b">" + digest[:12],
        "address": b"0x" + digest[:12],  # the template's <hex> whatever its digits and letters
        "short address": b"0x" + digest[:3],
        "digit address": b"0x%012d" % seed,
        "upper address": b"0X" + digest[:12].upper(),  # no <hex>: its letters are its own
        "angled address": b">0x" + digest[:12],
    }  # fmt: skip
    return forms[kind]


_ID_LINE = b"2024-05-01T12:41:00.000Z ERROR request %b failed: upstream timeout\n"


def _id_line(seed: int, kind: str, run: str) -> bytes:
    """A line of the run (ids of ``run``'s kind) or of another ``kind`` of id; ``word``: the
    run's id, but a word that differs in a hex letter alone (``feiled``: no line like it)."""
    if kind == "word":
        return (_ID_LINE % _hex_id(seed, run)).replace(b"failed", b"feiled")
    return _ID_LINE % _hex_id(seed, kind)


# A run of lines each with an id of its own (a request's UUID, a hash), its first line a few
# times (a repeat under way, as a run counted in bulk needs), now and then an id of another
# kind among them.
ID_RUNS = st.tuples(
    st.integers(0, 10**6),
    st.integers(1, 40),
    st.sampled_from(
        ["uuid", "uuid", "hash", "dashed", "angled", "address", "short address", "upper address"]
    ),
    st.lists(st.tuples(st.integers(0, 39), st.sampled_from(
        ["digits", "letters", "dashed", "angled", "hash", "uuid", "word", "address",
         "short address", "digit address", "upper address", "angled address"])), max_size=3),
    st.sampled_from([0, 2, 5]),
).map(lambda r: b"".join(
    _id_line(r[0] + max(k - r[4], 0), dict(r[3]).get(k, r[2]), r[2]) for k in range(r[1])
))  # fmt: skip
# Ids right after a time (``12:41:05,1234abcd``): the template's regex may read an id's first
# digits as the time's fraction, so that its template depends on them.
TIMED_RUNS = st.tuples(st.integers(0, 10**6), st.integers(2, 40), st.sets(st.integers(0, 39))).map(
    lambda r: b"".join(
        b"12:41:%02d,%b,ERROR,request failed\n"
        % (k % 60, b"1234abcd" if k in r[2] else b"ab" + _hex_id(r[0] + k, "hash")[:6])
        for k in range(r[1])
    )
)
DATA = st.lists(
    st.one_of(RUNS, RUNS, LINES, RUNS, LINES, RARE, ID_RUNS, TIMED_RUNS), min_size=5, max_size=30
).map(b"".join)

GOOD = b"2024-05-01T12:41:00.000Z ERROR something x1 happened\nINFO: still trying\n"


def run(chunks: list[tuple[int, bytes, float]], budget: int, baseline: bool) -> Result:
    """The console for these (stream, chunk, seconds after the last) triples, ticked after
    each; the counts per tier; the failure reason and the first errors."""
    good = None
    if baseline:
        shapes = Shapes()
        shapes.feed(GOOD)
        good = Baseline(shapes.hashes)
    policy = Policy(budget=budget, head=3, tail=20, repeat_report=1.0)
    core = Core(policy, Octopus(), max_pending=4096, compiler=compiler(), baseline=good)
    core.start(0.0)
    out, now = [], 0.0
    for stream, chunk, step in chunks:
        out += core.feed(stream, chunk, now)[1]
        now += step
        out += core.tick(now)
    out += core.finish_input(now)[1]
    out += core.close(1, now, timed=False)[0]
    reasons, masker = core.select.reasons, core.masker
    return (
        b"".join(data for _, data in out),
        core.out.tally,
        reasons.reason(masker),
        reasons.masked_first_errors(masker),
    )


def lean_and_exact(
    data: bytes,
    cuts: list[int],
    steps: list[tuple[bool, float]],
    budget: int,
    baseline: bool,
    whole: bool = False,
) -> tuple[Result, Result]:
    """The run's results on both paths; ``whole``: the chunks cut at line ends."""
    if whole:
        cuts = [data.find(b"\n", cut % len(data)) + 1 for cut in cuts]
    pieces = split(data, cuts)
    chunks = [
        (STDERR if k < len(steps) and steps[k][0] else STDOUT, piece,
         steps[k][1] if k < len(steps) else 0.0)
        for k, piece in enumerate(pieces)
    ]  # fmt: skip
    lean = run(chunks, budget, baseline)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(similar, "ready", lambda *_: False)
        exact = run(chunks, budget, baseline)
    return lean, exact


@SETTINGS
@given(
    DATA,
    st.integers(1, 3),
    st.lists(st.integers(min_value=0), max_size=12),
    st.lists(st.tuples(st.booleans(), st.sampled_from([0.0, 0.0, 0.4, 1.0, 2.5])), max_size=12),
    st.integers(min_value=1500, max_value=40_000),
    st.sampled_from([False, False, True]),
    st.booleans(),
)
@example(  # counted in bulk across a "so far" marker, on both streams
    data=similar_lines(90),
    times=2,
    cuts=[1500, 3000],
    steps=[(False, 2.5), (True, 2.5), (False, 2.5)],
    budget=1500,
    baseline=False,
    whole=True,
)
# A burst of a program's own messages (``ValueError: ...`` at the margin) keeps its first
# as the reason: counted in bulk, the run's lines were counted after its last was offered,
# which then read as ten lines after the first, not as the same burst.
@example(
    data=b"WARNING: retrying\n"
    + SIMILAR % 0 * 3
    + b"".join(b"ValueError: bad input %d\n" % k for k in range(10)),
    times=1,
    cuts=[],
    steps=[],
    budget=1500,
    baseline=False,
    whole=False,
)
def test_runs_of_similar_lines_print_what_the_exact_path_prints(
    data: bytes,
    times: int,
    cuts: list[int],
    steps: list[tuple[bool, float]],
    budget: int,
    baseline: bool,
    whole: bool,
) -> None:
    lean, exact = lean_and_exact(data * times, cuts, steps, budget, baseline, whole)
    assert lean == exact


def test_a_flood_of_similar_lines_is_counted_in_bulk_as_line_by_line() -> None:
    """Thousands of error lines differing in a counter, the error tier open: one marker
    counts them, the last is shown after it, and the reason is the last of them."""
    data = similar_lines(5000)
    lean, exact = lean_and_exact(data, [70_000, 140_000], [], 9000, False)
    assert lean == exact
    console, _, reason, _ = lean
    assert b"[logtrim] ... " in console and b" similar lines ...\n" in console
    assert reason is not None and reason.endswith("x4999 happened")


def test_a_run_counted_in_bulk_says_how_many_so_far() -> None:
    """Whole lines a few seconds apart, the run going on: each chunk's run is counted in bulk
    and the count so far is printed at its first line, as line by line."""
    lines = [SIMILAR % i for i in range(400)]
    chunks = [b"".join(lines[k : k + 100]) for k in range(0, 400, 100)]
    data, cuts = b"".join(chunks), [len(c) for c in chunks]
    cuts = [sum(cuts[: k + 1]) for k in range(3)]
    lean, exact = lean_and_exact(data, cuts, [(False, 2.0)] * 4, 9000, False, whole=True)
    assert lean == exact
    assert b"[logtrim] (193 similar lines so far)\n" in lean[0]


def test_a_flood_of_errors_each_with_its_own_uuid_is_counted_in_bulk() -> None:
    """Error lines that differ in a UUID (a request id each): one run counted at once, as
    line by line; before, each was asked every question (4 MB/s)."""
    data = b"".join(_ID_LINE % _hex_id(k, "uuid") for k in range(3000))
    lean, exact = lean_and_exact(data, [70_000, 140_000], [], 9000, False)
    assert lean == exact
    assert b" similar lines ...\n" in lean[0]
    taken = []
    with pytest.MonkeyPatch.context() as patch:
        real = similar.take

        def take(*args: Any) -> tuple[int, int, int] | None:
            found = real(*args)
            taken.append(found[2] - args[5] if found else 0)  # the lines it counted
            return found

        patch.setattr(similar, "take", take)
        run([(STDOUT, data, 0.0)], 9000, False)
    assert max(taken) > 1000  # one call took most of them
