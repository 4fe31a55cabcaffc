"""Hypothesis properties of the engine with a baseline: the budget, and each line at most
once and in order (but in the section of earlier lines held back, which says it is earlier)."""

from __future__ import annotations

import re

from conftest import examples, split
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim.engine.core import STDOUT, Core
from logtrim.engine.ending.headers import EARLIER_HEADER, EARLIER_SHORT
from logtrim.engine.policy import Policy
from logtrim.engine.shapes.baseline import Baseline
from logtrim.engine.shapes.shapes import Shapes

# Each form of the header, counted above or not, starts as one of these.
_EARLIER = (EARLIER_HEADER.split(b" (")[0], EARLIER_SHORT.rstrip(b" -\n"))
SETTINGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

FORMS = (
    "ERROR: upload of {w} failed",
    "WARNING: disk {w} is low",
    "copying file {w} to the share",
    "  at shop.{w}.run(Step.java:9)",
    "Traceback (most recent call last):",
    "INFO: step {w} done",
    "Using cached credentials for {w}",
    "retrying {w} in 5 s",
)
WORDS = ("alpha", "bravo", "charlie", "delta")
SHAPE = st.tuples(st.sampled_from(FORMS), st.sampled_from(WORDS)).map(lambda t: t[0].format(w=t[1]))
_NUMBER = re.compile(rb"^L(\d+) ")


def _run(lines: list[str], known: list[str] | None, cuts: list[int], budget: int) -> list[bytes]:
    baseline = None
    if known is not None:
        shapes = Shapes()
        shapes.feed("".join(f"L0 {text}\n" for text in known).encode())
        baseline = Baseline(shapes.hashes)
    core = Core(Policy(budget=budget, head=2, tail=20, context=3), baseline=baseline)
    data = "".join(f"L{n} {text}\n" for n, text in enumerate(lines, 1)).encode()
    console: list[bytes] = []
    for chunk in split(data, cuts):
        console += [d for _, d in core.feed(STDOUT, chunk, 0.0)[1]]
    console += [d for _, d in core.finish_input(0.0)[1]]
    emits, _ = core.close(1, 0.0, archive="/tmp/a.zst", archive_name="a.zst", archive_size=5)
    return console + [d for _, d in emits]


@SETTINGS
@given(
    st.lists(SHAPE, max_size=120),
    st.lists(SHAPE, max_size=12),
    st.lists(st.integers(min_value=0), max_size=10),
    st.integers(min_value=2048, max_value=6000),
)
def test_with_a_baseline_each_line_once_in_order_within_the_budget(
    lines: list[str], known: list[str], cuts: list[int], budget: int
) -> None:
    console = _run(lines, known, cuts, budget)
    assert sum(len(d) for d in console) <= budget
    text = b"".join(console).splitlines(keepends=True)
    numbers: list[int] = []
    in_order: list[int] = []
    earlier = False
    for line in text:
        if line.startswith(_EARLIER):
            earlier = True
        elif line.startswith(b"[logtrim] ---"):
            earlier = False
        elif found := _NUMBER.match(line):
            numbers.append(int(found.group(1)))
            if not earlier:
                in_order.append(int(found.group(1)))
    assert len(numbers) == len(set(numbers))
    assert in_order == sorted(in_order)


def _reason(console: list[bytes]) -> bytes:
    found = [line for line in b"".join(console).splitlines() if b"failed (exit 1)" in line]
    assert len(found) == 1
    return found[0]


@SETTINGS
@given(
    st.lists(SHAPE, min_size=1, max_size=80),
    st.lists(SHAPE, max_size=12),
    st.lists(st.integers(min_value=0), max_size=10),
)
def test_with_a_baseline_the_reason_does_not_depend_on_the_chunks(
    lines: list[str], known: list[str], cuts: list[int]
) -> None:
    assert _reason(_run(lines, known, cuts, 50_000)) == _reason(_run(lines, known, [], 50_000))


@SETTINGS
@given(st.lists(SHAPE, min_size=1, max_size=80), st.lists(st.integers(min_value=0), max_size=10))
def test_a_baseline_that_knows_every_line_leaves_the_reason_as_without_one(
    lines: list[str], cuts: list[int]
) -> None:
    assert _reason(_run(lines, lines, cuts, 50_000)) == _reason(_run(lines, None, cuts, 50_000))
