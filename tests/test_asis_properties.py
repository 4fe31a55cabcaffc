"""Hypothesis properties of the verbatim allowance's runs (engine/flow/asis.py): lines no rule
hit are shown as written a run at a time, not one by one. Whatever the lines, the chunks, the
streams and the allowance, the console (and its summary counts) is the exact path's."""

from __future__ import annotations

import pytest
from conftest import examples, split, streams_console
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.dialects.octopus import Octopus
from logtrim.engine.console.tally import Tally
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.flow import asis
from logtrim.engine.policy import Policy

SETTINGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Mostly blank and tiny lines (runs of them), with everything that changes how a line is
# taken: a redraw, CRLF, a URL's password, a line wider than the console, an error and a
# traceback (context after them, a reason), progress, a level switch that hides lines, a
# secret declared, a last line without its newline.
TINY = st.sampled_from([b"\n", b"\r\n", b"x\n", b"  \n", b"\t\n", b"ok\r\n", b"\r\r\n", b"-\n"])
LINES = st.one_of(
    st.lists(TINY, min_size=1, max_size=40).map(b"".join),
    st.just(b"a\rb\n"),
    st.just(b"fetch https://user:hunter22@example.com/x\n"),
    st.just(b"w" * 300 + b"\n"),
    st.just(b"INFO Deployed app to web-01\n"),
    st.just(b"ERROR: request refused\n"),
    st.just(b"Traceback (most recent call last):\n"),
    st.just(b'  File "app.py", line 3, in main\n'),
    st.just(b"ValueError: bad input\n"),
    st.integers(0, 100).map(lambda i: b"Progress: %d%%\n" % i),
    st.just(b"##octopus[stdout-verbose]\n"),
    st.just(b"##octopus[stdout-default]\n"),
    st.just(b"::add-mask::s3cret-value-here\n"),
    st.just(b"x s3cret-value-here\n"),
    st.just(b"no newline"),
)


def console(chunks: list[tuple[int, bytes]], budget: int, verbatim: int) -> tuple[bytes, Tally]:
    """The console for these (stream, chunk) pairs, a tenth of a second apart, and the
    counts per tier that the summary and ``--json`` report."""
    policy = Policy(budget=budget, head=3, tail=20, verbatim=verbatim)
    core = Core(policy, Octopus(), max_pending=4096, compiler=compiler())
    return streams_console(core, chunks), core.out.tally


@SETTINGS
@given(
    st.lists(LINES, min_size=1, max_size=60).map(b"".join),
    st.lists(st.integers(min_value=0), max_size=12),
    st.lists(st.booleans(), max_size=12),
    st.integers(min_value=1500, max_value=9000),
    st.integers(min_value=0, max_value=3000),
)
def test_runs_print_what_the_exact_path_prints(
    data: bytes, cuts: list[int], on_stderr: list[bool], budget: int, verbatim: int
) -> None:
    pieces = split(data * 3, cuts)
    streams = [STDERR if i < len(on_stderr) and on_stderr[i] else STDOUT for i in range(99)]
    chunks = list(zip(streams, pieces, strict=False))
    runs = console(chunks, budget, verbatim)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(asis, "ready", lambda *_: False)
        exact = console(chunks, budget, verbatim)
    assert runs == exact


def test_a_run_of_blank_lines_is_one_emit() -> None:
    """The point of the runs: a million blank lines are a few emits, not a million."""
    policy = Policy(budget=20_000_000)
    core = Core(policy, Octopus(), max_pending=4096, compiler=compiler())
    core.start(0.0)
    emits = core.feed(STDOUT, b"\n" * 1_000_000, 0.1)[1]
    assert len(emits) < 20
    assert b"".join(data for _, data in emits).count(b"\n") == 1_000_000
