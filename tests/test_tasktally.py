"""``stats``'s bytes by level and step of a raw task log: runs of one-line entries of every
level, split by level, give the figures of the entries fed one line at a time."""

from __future__ import annotations

import itertools

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from tasklog_gen import tasklog

from logtrim.logs import tasktally
from logtrim.logs.linechunks import line_chunks
from logtrim.logs.taskgroup import Grouper
from logtrim.logs.tasklog import ENTRY, NODE
from logtrim.logs.tasktally import HEADER_STEP, STRUCTURE, TaskLogTally

_BAR = b" " * 20 + b"|"
_LINES = [
    b"Task ID:        ServerTasks-1",
    b"",
    b"12:00:01   Verbose  |   Extracting package 4%",
    b"12:00:02   Verbose  |       deeper Verbose line",
    b"12:00:03   Info     |   Deploying web-01",
    b"12:00:04   Highlight|   Highlighted",
    b"12:00:05   Wait     |   Waiting for 1 task",
    b"12:00:06   Warning  |     disk 91% full",
    b"12:00:07   Error    |   upload rejected",
    b"12:00:08   Fatal    |   The remote script failed",
    b"12:00:09   Debug    |   a level stats does not know",
    b"12:00:10 Info |odd spacing",
    b"2024-09-24T12:00:11   Info     |   with a date",
    b"12:00:12   Verbose  |   quoting 12:00:13   Info     |   in its text",
    b"12:00:14   Verbose  |",
    _BAR + b"   a continuation line",
    _BAR,
    _BAR + b" == Running: Deploy web ==",
    _BAR + b" == Failed: Step 2: Smoke test ==",
    _BAR + b"   Success: web-01",
    b"a line out of format",
    b"12:00:15   Vexed    |   another V level",
]


def _by_lines(data: bytes) -> tuple[list[object], ...]:
    """The figures of each entry fed one line at a time, as ``stats`` tallied them first."""
    levels: dict[str, int] = {}
    steps: dict[str, int] = {}
    status: dict[str, str] = {}
    grouper, step = Grouper(), HEADER_STEP
    for record in itertools.chain(grouper.feed(data.splitlines(keepends=True)), grouper.flush()):
        level = record.level if record.kind is ENTRY else STRUCTURE
        if record.kind is NODE and record.depth <= 1:
            step = record.name
            status[step] = record.status
        levels[level] = levels.get(level, 0) + len(record.data)
        steps[step] = steps.get(step, 0) + len(record.data)
    return list(levels.items()), list(steps.items()), list(status.items())


def _in_chunks(data: bytes, cuts: list[int], compiled: bool = True) -> tuple[list[object], ...]:
    """The figures of ``data`` cut at ``cuts`` into chunks of whole lines; ``compiled``: the
    fields found with the compiled matcher (as by default), else with ``re``."""
    tally = TaskLogTally({}, {}, {})
    pieces = [data[a:b] for a, b in itertools.pairwise([0, *sorted(cuts), len(data)])]
    with pytest.MonkeyPatch.context() as patch:
        if not compiled:
            patch.setattr(tasktally, "_fields_db", lambda: None)
        for chunk in line_chunks(pieces, grid=4096):
            tally.feed(chunk)
        tally.flush()
    return list(tally.levels.items()), list(tally.steps.items()), list(tally.status.items())


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.sampled_from(_LINES), max_size=120),
    st.sampled_from([b"\n", b"\r\n", b"\rx\n"]),
    st.lists(st.integers(0, 10_000), max_size=6),
    st.booleans(),
    st.booleans(),
)
def test_runs_of_every_level_tally_as_entries_line_by_line(
    lines: list[bytes], newline: bytes, cuts: list[int], newline_at_end: bool, compiled: bool
) -> None:
    """Whatever the levels, their order, the line ends and where chunks end, with either
    engine: the bytes of each level and step, in the order they first come, are those of
    one line at a time."""
    data = newline.join(lines) + (newline if newline_at_end and lines else b"")
    assert _in_chunks(data, cuts, compiled) == _by_lines(data)


def test_a_generated_task_log_tallies_as_line_by_line() -> None:
    data = tasklog(400_000, seed=3)
    fast = _in_chunks(data, [])
    assert fast == _by_lines(data) == _in_chunks(data, [], compiled=False)
    assert len(fast[0]) > 3  # Verbose, Info, ... and the structure
