"""Hypothesis properties of error floods: the lean path taken once the budget no longer shows
errors (engine/flow/flood.py) counts runs of lines in bulk. Whatever the chunks, the console (and
its summary counts) is the same, is the exact path's, and stays within the budget."""

from __future__ import annotations

import pytest
from conftest import examples, failed_console, split
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.flow import flood
from logtrim.engine.policy import Policy
from logtrim.engine.shapes.baseline import Baseline
from logtrim.engine.shapes.shapes import Shapes

SETTINGS = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Mostly error lines of a few shapes, with what breaks a run: warnings (context or not),
# info and detail lines, CRLF and redrawn lines, a traceback, a line longer than the console
# shows, a last line without its newline.
FLOOD_LINES = st.one_of(
    st.integers(0, 9999).map(lambda i: b"2024-05-01T12:41:00Z ERROR worker %d timeout\n" % i),
    st.integers(0, 99).map(lambda i: b"ERROR: request %d refused\n" % i),
    st.just(b"ERROR: request refused\n"),
    st.just(b"[ERROR] disk /var is full\r\n"),
    st.just(b"WARNING: retrying\n"),
    st.just(b"2024-05-01T12:41:00Z WARN slow reply\n"),
    st.just(b"INFO: still trying\n"),
    st.just(b"copying file 0001.dat\n"),
    st.just(b"ERROR: half\rERROR: redrawn\n"),
    st.just(b"Traceback (most recent call last):\n"),
    st.just(b"ERROR " + b"x" * 700 + b"\n"),
    st.just(b"ERROR: no newline"),
    # Error lines of other failure-reason ranks, first-wins ones and a frame among them.
    st.integers(0, 9).map(lambda i: b"ERROR upload chunk %d failed, retrying (1/3)\n" % i),
    st.just(b"FATAL: deployment aborted: health check failed\n"),
    st.just(b"make: *** [Makefile:7: main.o] Error 1\n"),
    st.integers(1, 9).map(lambda i: b"main.c:%d:5: error: expected ';'\n" % i),
    st.just(b"FAILED tests/test_total.py::test_sum - AssertionError\n"),
    st.just(b'  File "deploy.py", line 3, ERROR\n'),
    st.just(b"Caused by: ERROR connection refused\n"),
)


def flood_data() -> st.SearchStrategy[bytes]:
    return st.lists(FLOOD_LINES, min_size=1, max_size=120).map(b"".join)


def console(chunks: list[bytes], budget: int, known: bytes | None = None) -> bytes:
    """What the console gets (the summary and its counts included) for these chunks; with
    ``known``, against a baseline of its lines."""
    baseline = None
    if known is not None:
        shapes = Shapes()
        shapes.feed(known)
        baseline = Baseline(shapes.hashes)
    # The compiled matcher where installed: the default install's path (hitscan.py).
    core = Core(
        Policy(budget=budget, head=3, tail=20),
        max_pending=4096,
        compiler=compiler(),
        baseline=baseline,
    )
    return failed_console(core, chunks)


@SETTINGS
@given(flood_data(), st.lists(st.integers(min_value=0), max_size=20),
       st.integers(min_value=2048, max_value=6000))  # fmt: skip
def test_flood_console_is_the_same_in_any_chunks(data: bytes, cuts: list[int], budget: int) -> None:
    """Runs taken in bulk end where the lines say, not where the chunks do."""
    assert console(split(data * 4, cuts), budget) == console([data * 4], budget)


@SETTINGS
@given(flood_data(), st.lists(st.integers(min_value=0), max_size=20),
       st.integers(min_value=2048, max_value=6000))  # fmt: skip
def test_flood_stays_within_the_budget(data: bytes, cuts: list[int], budget: int) -> None:
    assert len(console(split(data * 4, cuts), budget)) <= budget


@SETTINGS
@given(flood_data(), st.lists(st.integers(min_value=0), max_size=10),
       st.integers(min_value=2048, max_value=6000))  # fmt: skip
@example(  # a flood's last line ranks lower ("retrying"): the newest plain error before it wins
    data=b"2024-05-01T12:41:00Z ERROR worker 1 timeout\n"
    b"2024-05-01T12:41:00Z ERROR worker 0 timeout\n"
    b"2024-05-01T12:41:00Z ERROR worker 0 timeout\nERROR: no newlineWARNING: retrying\n",
    cuts=[],
    budget=2048,
)
def test_flood_prints_what_the_exact_path_prints(data: bytes, cuts: list[int], budget: int) -> None:
    """The bulk path changes the cost, not the console: the same as every line one by one."""
    chunks = split(data * 4, cuts)
    lean = console(chunks, budget)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flood, "closed", lambda *_: False)
        exact = console(chunks, budget)
    assert lean == exact


@SETTINGS
@given(flood_data(), flood_data(), st.lists(st.integers(min_value=0), max_size=10),
       st.integers(min_value=2048, max_value=6000))  # fmt: skip
@example(  # the lean path offered the flood's first line, known, not the new one after it
    data=b"ERROR: request refused\n2024-05-01T12:41:00Z ERROR worker 0 timeout\n"
    b"2024-05-01T12:41:00Z ERROR worker 1 timeout\nERROR: no newlineWARNING: retrying\n",
    known=b"ERROR: request refused\n",
    cuts=[],
    budget=2048,
)
def test_with_a_baseline_the_flood_prints_what_the_exact_path_prints(
    data: bytes, known: bytes, cuts: list[int], budget: int
) -> None:
    """The new lines of a flood (warnings held with its errors) are kept for the tail
    alike on both paths."""
    chunks = split(data * 4, cuts)
    lean = console(chunks, budget, known)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flood, "closed", lambda *_: False)
        exact = console(chunks, budget, known)
    assert lean == exact


SECRET = b"hunter2-flood-secret"


@settings(SETTINGS, max_examples=examples(100))
@given(flood_data(), st.integers(1, 3), st.lists(st.integers(min_value=0), max_size=10),
       st.integers(min_value=2048, max_value=6000))  # fmt: skip
def test_a_secret_declared_in_a_flood_is_masked(
    data: bytes, at: int, cuts: list[int], budget: int
) -> None:
    """A service line in a flood is found (it declares a secret) though the flood's chunks
    have none: the secret after it is in neither the console nor the archive."""
    leak = b"2024-05-01T12:41:00Z ERROR login failed for " + SECRET + b"\n"
    flood_part = data if data.endswith(b"\n") else data + b"\n"
    stream = flood_part * at + b"::add-mask::" + SECRET + b"\n" + (leak + flood_part) * 2
    core = Core(Policy(budget=budget, head=3, tail=20), max_pending=4096, compiler=compiler())
    archive, out = [], []
    for chunk in split(stream, cuts):
        got, emits = core.feed(STDOUT, chunk, 0.0)
        archive.append(got)
        out += emits
    got, emits = core.finish_input(0.0)
    archive.append(got)
    out += emits + core.close(1, 0.0, timed=False)[0]
    assert SECRET not in b"".join(data for _, data in out)
    assert SECRET not in b"".join(archive)  # the declaration's line included
