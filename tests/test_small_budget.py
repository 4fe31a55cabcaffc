"""A budget of a few lines: its bytes go to the failure, and the closing lines still fit."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import drive

from logtrim.engine.core import STDOUT, Core
from logtrim.engine.policy import COMPACT_BELOW, MIN_BUDGET, Policy

_SUMMARY = re.compile(rb"^\[logtrim\] [\d,]+ lines? \(.*; shown [\d,]+ lines? ", re.M)

_LINE = st.one_of(
    st.builds("INFO copying {} to the share\n".format, st.text("abcdefgh", max_size=60)),
    st.builds("WARNING: {} is slow\n".format, st.text("abcdefgh", max_size=60)),
    st.builds("ERROR: step {} failed\n".format, st.text("abcdefgh", max_size=60)),
    st.builds('  File "/srv/{}.py", line 7, in run\n'.format, st.text("abcdefgh", max_size=60)),
)


@settings(max_examples=60, deadline=None)
@given(
    budget=st.integers(MIN_BUDGET, COMPACT_BELOW),
    lines=st.lists(_LINE, min_size=1, max_size=600),
    code=st.integers(1, 255),
)
def test_a_failed_run_keeps_its_summary_within_the_budget(
    budget: int, lines: list[str], code: int
) -> None:
    """The failure tail fills the room left before the closing lines; the summary's counts
    grow by the lines it showed, yet the summary is still printed, and the console fits."""
    core = Core(Policy(budget=budget))
    _, out = drive(core, [(STDOUT, "".join(lines).encode(), 0.0)], exit_code=code)
    console = out[STDOUT] + b"".join(v for k, v in out.items() if k != STDOUT)
    assert len(console) <= budget
    assert _SUMMARY.search(console), console[-600:]
