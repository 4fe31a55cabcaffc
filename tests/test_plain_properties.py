"""Hypothesis properties of the common line's short path (engine/flow/plain.py): info and warning
lines in ordinary flow skip the exact path's questions. Whatever the lines, the chunks, the
streams and the time, the console (and its summary counts) is the exact path's."""

from __future__ import annotations

import pytest
from conftest import examples, split, streams_console
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.dialects.octopus import Octopus
from logtrim.engine.console.tally import Tally
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.flow import plain
from logtrim.engine.policy import Policy
from logtrim.engine.shapes.baseline import Baseline
from logtrim.engine.shapes.shapes import Shapes

SETTINGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Mostly info and warning lines (repeats of one shape among them), with everything that
# changes how a line is taken: noise, detail, progress, errors and a traceback (context after
# them, a reason), colour, a redraw, CRLF, a line wider than the console, a level switch that
# hides lines, a secret declared, a last line without its newline.
LINES = st.one_of(
    st.integers(0, 999).map(lambda i: b"2024-05-01 12:00:00 INFO Deployed app %d to web-01\n" % i),
    st.just(b"2024-05-01 12:00:00 INFO Deployed app 7 to web-01\n"),
    st.integers(0, 99).map(lambda i: b"warning: deprecated key 'k%d'\n" % i),
    st.just(b"WARNING: disk at 91%\n"),
    st.just(b"\x1b[33mwarning:\x1b[0m colour\n"),
    st.just(b"INFO half\rINFO redrawn\n"),
    st.just(b"INFO with crlf\r\n"),
    st.just(b"INFO " + b"w" * 300 + b"\n"),
    st.just(b"copying file 0001.dat\n"),
    st.just(b"2024-05-01 12:00:00 DEBUG resolved\n"),
    st.integers(0, 100).map(lambda i: b"Progress: %d%%\n" % i),
    st.just(b"ERROR: request refused\n"),
    st.just(b"Traceback (most recent call last):\n"),
    st.just(b'  File "app.py", line 3, in main\n'),
    st.just(b"ValueError: bad input\n"),
    st.just(b"##octopus[stdout-verbose]\n"),
    st.just(b"##octopus[stdout-default]\n"),
    st.just(b"::add-mask::s3cret-value-here\n"),
    st.just(b"INFO token s3cret-value-here used\n"),
    st.just(b"INFO no newline"),
)


GOOD = b"".join(
    b"2024-05-01 12:00:00 INFO Deployed app %d to web-01\nwarning: deprecated key 'k%d'\n" % (i, i)
    for i in range(50)
)


def console(
    chunks: list[tuple[int, bytes]], budget: int, drop: bool, baseline: bool = False
) -> tuple[bytes, Tally]:
    """The console for these (stream, chunk) pairs, a tenth of a second apart, and the
    counts per tier that the summary and ``--json`` report."""
    policy = Policy(budget=budget, head=3, tail=20, drop=("deprecated key 'k1",) if drop else ())
    good = None
    if baseline:  # a good run that printed some of the lines: the others are new
        shapes = Shapes()
        shapes.feed(GOOD)
        good = Baseline(shapes.hashes)
    core = Core(policy, Octopus(), max_pending=4096, compiler=compiler(), baseline=good)
    return streams_console(core, chunks), core.out.tally


def _chunks(data: bytes, cuts: list[int], on_stderr: list[bool]) -> list[tuple[int, bytes]]:
    """``data`` cut at ``cuts``, each piece on stderr where ``on_stderr`` says so."""
    streams = [STDERR if i < len(on_stderr) and on_stderr[i] else STDOUT for i in range(99)]
    return list(zip(streams, split(data, cuts), strict=False))


@SETTINGS
@given(
    st.lists(LINES, min_size=1, max_size=150).map(b"".join),
    st.lists(st.integers(min_value=0), max_size=12),
    st.lists(st.booleans(), max_size=12),
    st.integers(min_value=1500, max_value=9000),
    st.booleans(),
    st.booleans(),
)
# A progress state waiting on the other stream when an info line takes the short path: it is
# shown before the line, as the exact path shows it (not as context of the line after).
@example(
    data=b"2024-05-01 12:00:00 INFO Deployed app 10 to web-01\nProgress: 10%\nProgress: 10%\n"
    b"2024-05-01 12:00:00 INFO Deployed app 0 to web-01\n",
    cuts=[],
    on_stderr=[True],
    budget=2907,
    drop=False,
    good=False,
)
def test_short_path_prints_what_the_exact_path_prints(
    data: bytes, cuts: list[int], on_stderr: list[bool], budget: int, drop: bool, good: bool
) -> None:
    chunks = _chunks(data * 3, cuts, on_stderr)
    short = console(chunks, budget, drop, good)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plain, "ready", lambda *_: False)
        exact = console(chunks, budget, drop, good)
    assert short == exact


#: Runs of info and warning lines of one template, their numbers of any length (an app
#: logging each item it processed), broken by a line of another template or tier.
RUN_LINES = st.one_of(
    st.integers(0, 10**6).map(lambda i: b"2024-05-01 12:00:00 INFO processed item %d\n" % i),
    st.just(b"2024-05-01 12:00:00 INFO processed item 7\n"),
    st.integers(0, 10**4).map(lambda i: b"WARNING: slow item %d\n" % i),
    st.just(b"INFO processed item 5\rredrawn\n"),
    st.just(b"INFO " + b"w" * 300 + b"\n"),
    st.just(b"copying file 0001.dat\n"),
    st.just(b"ERROR: request refused\n"),
    st.just(b"INFO no newline"),
)
RUNS = st.lists(st.tuples(RUN_LINES, st.integers(1, 40)), min_size=1, max_size=12).map(
    lambda runs: b"".join(line * times for line, times in runs)
)


@SETTINGS
@given(RUNS, st.lists(st.integers(min_value=0), max_size=12), st.lists(st.booleans(), max_size=12),
       st.integers(min_value=1500, max_value=9000), st.booleans())  # fmt: skip
def test_runs_counted_at_once_print_what_the_exact_path_prints(
    data: bytes, cuts: list[int], on_stderr: list[bool], budget: int, good: bool
) -> None:
    """A run of lines like the last one shown, counted at once (``plain.take``), prints and
    counts what counting them one by one does."""
    chunks = _chunks(data, cuts, on_stderr)
    bulk = console(chunks, budget, False, good)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plain, "take", lambda *_: None)
        one_by_one = console(chunks, budget, False, good)
    assert bulk == one_by_one
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plain, "ready", lambda *_: False)
        assert console(chunks, budget, False, good) == bulk


def test_a_new_line_the_short_path_held_back_comes_back_at_the_end() -> None:
    """With a baseline, a new info line the budget held back on the short path is kept for the
    failure tail, as on the exact path, though hundreds of known lines follow it."""
    known = b"".join(
        b"2024-05-01 12:00:00 INFO Deployed app %d to web-01\n" % i for i in range(400)
    )
    new = b"2024-05-01 12:00:00 INFO Using the fallback mirror at eu-west\n"
    chunks = [(STDOUT, known + new + known)]
    short = console(chunks, 3000, False, True)
    assert new.rstrip() in short[0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plain, "ready", lambda *_: False)
        assert console(chunks, 3000, False, True) == short
