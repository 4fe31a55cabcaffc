"""``trim`` of a task log masks a chunk's records in one pass: the console is the one
feeding each record on its own gives, whatever the levels, secrets, commands and chunks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.dialects import Dialect
from logtrim.engine.core import Core, Emit
from logtrim.engine.policy import Policy
from logtrim.logs.tasktrim import TaskLogTrimmer

SECRET = "s3cr3t-Value-42"
LEVELS = ("Verbose", "Verbose", "Verbose", "Info", "Highlight", "Warning", "Error", "Fatal")
TEXTS = (
    "Deploying package to web-01",
    f"password={SECRET} in the connection string",
    "##octopus[setVariable name='QXBp' value='bGF0ZS1zZWNyZXQtdmFsdWU=' sensitive='VHJ1ZQ==']",
    "the value late-secret-value appears",
    "##octopus[stdout-verbose]",
    "Step failed: exit code 1",
    "error: the remote script failed",
    "",
)
NODES = ("== Running: Deploy ==", "== Failed: Step 2: Web ==", "Failed: web-01", "Success: api-01")


@st.composite
def task_logs(draw: st.DrawFn) -> bytes:
    lines = [b"Task ID:       ServerTasks-1\n", b"Task status:   Failed\n", b"\n"]
    for _ in range(draw(st.integers(1, 120))):
        depth = draw(st.integers(0, 3))
        pad = "  " * depth
        what = draw(st.integers(0, 9))
        text = draw(st.sampled_from(TEXTS))
        if what == 0:
            lines.append(f"{' ' * 20}| {pad}{draw(st.sampled_from(NODES))}\n".encode())
        elif what == 1:
            lines.append(f"{' ' * 20}| {pad}{text}\n".encode())  # continuation
        else:
            level = draw(st.sampled_from(LEVELS))
            repeat = draw(st.integers(1, 3))
            lines += [f"16:05:{what:02d}   {level:<9}| {pad}{text}\n".encode()] * repeat
    log = b"".join(lines)
    return log[:-1] if draw(st.booleans()) else log  # the last line may have no newline


def _console(log: bytes, cuts: list[int], budget: int, *, bulk: bool) -> list[Emit]:
    policy = Policy(budget=budget, masks=(SECRET,))
    core = Core(policy, Dialect(), compiler=compiler(policy.engine))
    core.budget.release_tail()
    out: list[Emit] = []
    trimmer = TaskLogTrimmer(core, out.extend, node_tail=5, bulk=bulk)
    ends = sorted({e for e in (log.rfind(b"\n", 0, c) + 1 for c in cuts) if e} | {len(log)})
    pos = 0
    for end in ends:
        if end > pos:
            trimmer.feed_chunk(log[pos:end], end / 1e6)
            pos = end
    now = trimmer.finish()
    out.extend(core.finish_input(now)[1])
    out.extend(core.close(0, now, timed=False)[0])
    return out


@settings(max_examples=60, deadline=None)
@given(
    task_logs(),
    st.lists(st.integers(0, 20_000), max_size=8),
    st.sampled_from([1_000, 4_000, 1_000_000]),
)
def test_bulk_console_is_the_per_record_one(log: bytes, cuts: list[int], budget: int) -> None:
    console = _console(log, cuts, budget, bulk=True)
    assert console == _console(log, [], budget, bulk=False)
    assert SECRET.encode() not in b"".join(data for _, data in console)
