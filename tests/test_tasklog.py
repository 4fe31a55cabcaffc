"""Octopus raw task logs: recognised, parsed line by line, grouped into entries."""

from __future__ import annotations

import itertools

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from tasklog_gen import DEPLOYMENT_FAILED, noisy_log, tasklog

from logtrim.logs.linechunks import line_chunks
from logtrim.logs.taskgroup import Grouper
from logtrim.logs.tasklog import (
    ENTRY,
    HEADER,
    NODE,
    RUN,
    VERBOSE,
    Record,
    is_tasklog,
    parse_line,
)

LOG = tasklog(200_000)


def test_generated_log_follows_the_documented_format() -> None:
    """The fixture has a header block, nested nodes, a failed and a skipped step."""
    text = LOG.decode()
    assert text.startswith("Task ID:")
    assert "\n\n                    | == Failed: Deploy Web Shop" in text
    assert "== Failed: Step 4: Deploy web app ==" in text
    assert "== Skipped: Step 3: Warm up caches ==" in text
    assert "|     Failed: web-02\n" in text
    assert DEPLOYMENT_FAILED in text
    assert tasklog(200_000) == LOG  # deterministic


def test_entry_continuation_and_node_lines_parse() -> None:
    """Time, level, depth and text come out of each kind of line."""
    entry = parse_line(b"07:42:50   Fatal    |       The remote script failed with exit code -1\n")
    assert entry is not None
    assert (entry.time, entry.level, entry.depth) == ("07:42:50", "Fatal", 3)
    assert entry.text == b"The remote script failed with exit code -1"
    cont = parse_line(b"                    |       at Octopus.Server.Deploy()\r\n")
    assert cont is not None and cont.continuation and cont.text == b"at Octopus.Server.Deploy()"
    top = parse_line(b"                    |   == Failed: Step 1: Create cloud service ==\n")
    assert top is not None and (top.status, top.name, top.depth) == (
        "Failed",
        "Step 1: Create cloud service",
        1,
    )
    deep = parse_line(b"                    |     Success: web-01\n")
    assert deep is not None and (deep.status, deep.name, deep.depth) == ("Success", "web-01", 2)
    dated = parse_line(b"2024-09-24T16:05:22   Info     | Deploying\n")
    assert dated is not None and dated.level == "Info"
    assert parse_line(b"plain text\n") is None


def test_task_logs_are_recognised_and_plain_logs_are_not() -> None:
    """Detection looks at the header and the line format, not at the name."""
    assert is_tasklog(LOG[:8192])
    body = LOG[LOG.index(b"\n\n") + 2 :]
    assert is_tasklog(body[:8192])  # copied without its header
    assert not is_tasklog(noisy_log(20_000)[:8192])
    assert not is_tasklog(b"Task ID: something\nand then ordinary text\nmore text\n")


def test_records_group_entries_with_their_continuation_lines() -> None:
    """An Error entry keeps its stack trace; records add up to the whole input."""
    grouper = Grouper()
    records = list(grouper.feed(LOG.splitlines(keepends=True)))
    records += list(grouper.flush())
    assert b"".join(r.data for r in records) == LOG
    assert sum(r.lines for r in records) == LOG.count(b"\n")
    errors = [r for r in records if r.kind == ENTRY and r.level == "Error"]
    trace = next(r for r in errors if b"InvalidOperationException" in r.data)
    assert trace.lines == 3 and b"Program.cs:line 42" in trace.data
    headers = [r for r in records if r.kind == HEADER]
    assert headers[0].text.startswith(b"Task ID:") and headers[-1].data == b"\n"
    nodes = [r for r in records if r.kind == NODE]
    assert [n.name for n in nodes if n.depth == 1] == [
        "Acquire packages",
        "Step 1: Stop load balancer pool",
        "Step 2: Run database migrations",
        "Step 3: Warm up caches",
        "Step 4: Deploy web app",
        "Step 5: Notify the team",
    ]
    # The blank line before a node header travels with the header.
    assert all(n.data.endswith(b"==\n") or n.depth > 1 for n in nodes)
    assert nodes[1].data.startswith(b"                    |\n")


def _same_as_by_lines(records: list[Record], data: bytes) -> bool:
    """Whether ``records`` are those ``feed`` gives line by line, with each line of a run
    an entry of its own (a run's lines are compared by kind, data and level)."""
    grouper = Grouper()
    expected = [*grouper.feed(data.splitlines(keepends=True)), *grouper.flush()]
    got: list[tuple[object, ...]] = []
    for r in records:
        if r.kind == RUN:
            for line in r.data.splitlines(keepends=True):
                parsed = parse_line(line)
                got.append((ENTRY, line, 1, parsed.level if parsed else None))
        else:
            got.append((r.kind, r.data, r.lines, r.level, r.depth, r.status, r.name, r.text))
    want = [(r.kind, r.data, r.lines, r.level, r.depth, r.status, r.name, r.text) for r in expected]
    return len(got) == len(want) and all(g == w[: len(g)] for g, w in zip(got, want, strict=True))


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(st.integers(1, 40_000), max_size=8),
    st.sampled_from([b"\n", b"\r\n", b"\rx\n"]),
    st.integers(0, 400),
    st.sampled_from([VERBOSE, (*VERBOSE, "Info", "Highlight", "Wait", "Warning")]),
)
def test_chunks_group_as_lines_do(
    cuts: list[int], newline: bytes, skip: int, levels: tuple[str, ...]
) -> None:
    """``feed_chunk`` gives the records ``feed`` gives, runs aside, however cut, and as many
    lines: also with CRLF line ends, a lone CR, a log without its header and one without a
    final newline, and with other levels than Verbose in runs."""
    data = LOG[skip * 37 : 60_000].replace(b"\n", newline)
    data = data.replace(b"Verbose  |   Guided", b"Verbose  |   Guided\n" + b" " * 20 + b"|")
    pieces = [data[a:b] for a, b in itertools.pairwise([0, *sorted(cuts), len(data)])]
    grouper = Grouper()
    grouper.run_levels = levels
    records = [r for chunk in line_chunks(pieces) for r in grouper.feed_chunk(chunk)]
    records += list(grouper.flush())
    assert _same_as_by_lines(records, data)
    assert sum(r.lines for r in records) == len(data.splitlines())  # a run's, when asked
    if newline != b"\rx\n":
        assert any(r.kind == RUN for r in records)
        in_runs = any(r.kind == RUN and b"   Info     |" in r.data for r in records)
        assert in_runs == ("Info" in levels)


def test_runs_stop_at_entries_shallower_than_min_depth() -> None:
    """With ``min_depth`` set, a run holds only entries that deep; the others come alone."""
    data = LOG[:200_000]
    grouper = Grouper()
    grouper.min_depth = 3
    records = [*grouper.feed_chunk(data), *grouper.flush()]
    assert _same_as_by_lines(records, data)
    runs = [r for r in records if r.kind == RUN]
    assert runs and all(
        parsed is not None and parsed.depth >= 3
        for r in runs
        for parsed in map(parse_line, r.data.splitlines(keepends=True))
    )
