"""``trim`` of a task log masks a chunk's records in one pass and hands out runs of entries
as one record: the console is the one feeding each entry on its own gives, whatever the
levels, secrets, commands, budgets and chunks."""

from __future__ import annotations

from collections.abc import Iterator

from conftest import examples
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.dialects import Dialect
from logtrim.engine.core import Core, Emit
from logtrim.engine.policy import Policy
from logtrim.logs.taskgroup import Grouper
from logtrim.logs.tasklog import VERBOSE, Record
from logtrim.logs.tasktrim import TaskLogTrimmer

SECRET = "s3cr3t-Value-42"
LEVELS = ("Verbose", "Verbose", "Verbose", "Info", "Highlight", "Wait", "Warning", "Error", "Fatal")
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


class _ByLines(Grouper):
    """The reference grouping: a record per entry, no runs."""

    def feed_chunk(self, chunk: bytes) -> Iterator[Record]:
        return self.feed(chunk.splitlines(keepends=True))


def _trimmer(budget: int, out: list[Emit], *, bulk: bool) -> TaskLogTrimmer:
    policy = Policy(budget=budget, masks=(SECRET,))
    core = Core(policy, Dialect(), compiler=compiler(policy.engine))
    core.budget.release_tail()
    return TaskLogTrimmer(core, out.extend, node_tail=5, bulk=bulk)


def _console(
    log: bytes, cuts: list[int], budget: int, *, bulk: bool, by_entry: bool = False
) -> list[Emit]:
    out: list[Emit] = []
    trimmer = _trimmer(budget, out, bulk=bulk)
    if by_entry:
        trimmer.grouper = _ByLines()
    _trim(trimmer, log, cuts)
    return out


def _trim(trimmer: TaskLogTrimmer, log: bytes, cuts: list[int]) -> None:
    """``log`` through ``trimmer``, in chunks cut at the line ends before ``cuts``, closed."""
    ends = sorted({e for e in (log.rfind(b"\n", 0, c) + 1 for c in cuts) if e} | {len(log)})
    pos = 0
    for end in ends:
        if end > pos:
            trimmer.feed_chunk(log[pos:end], end / 1e6)
            pos = end
    now = trimmer.finish()
    trimmer.show(trimmer.core.finish_input(now)[1])
    trimmer.show(trimmer.core.close(0, now, timed=False)[0])


@settings(max_examples=examples(60), deadline=None)
@given(
    task_logs(),
    st.lists(st.integers(0, 20_000), max_size=8),
    st.sampled_from([1_000, 4_000, 1_000_000]),
)
def test_bulk_console_is_the_per_record_one(log: bytes, cuts: list[int], budget: int) -> None:
    console = _console(log, cuts, budget, bulk=True)
    assert console == _console(log, [], budget, bulk=False)
    assert SECRET.encode() not in b"".join(data for _, data in console)


# A secret declared at the end of one chunk masks the entries of the next as when fed one by one.
_DECLARED = (
    b"Task ID:       ServerTasks-1\n\n"
    b"                    | == Running: Deploy ==\n"
    b"16:05:02   Verbose  | Deploying package to web-01\n"
    + f"{' ' * 20}| {TEXTS[2]}\n".encode()
    + b"16:05:02   Verbose  | Deploying package to web-01\n"
    b"16:05:02   Info     | Deploying package to web-01\n"
    b"16:05:02   Info     | Deploying package to web-01\n" + f"{' ' * 20}| {TEXTS[3]}\n".encode()
)


# A failed node's tail shows a run's entries one by one: a secret declared in one masks only
# the entries after it.
_TAIL = b"".join(
    [b"Task ID:       ServerTasks-1\n\n", f"{' ' * 20}| {NODES[1]}\n".encode()]
    + [f"16:05:02   Verbose  |   {TEXTS[i]}\n".encode() for i in (0, 3, 2, 0)]
    + [f"{' ' * 20}| {NODES[0]}\n".encode()]
)


@settings(max_examples=examples(80), deadline=None)
@given(
    task_logs(),
    st.lists(st.integers(0, 20_000), max_size=40),
    st.sampled_from([1_000, 2_500, 4_000, 1_000_000]),
)
@example(_DECLARED, [_DECLARED.index(b"16:05:02   Verbose", 120)], 1_000)
@example(_TAIL, [], 1_000)
def test_runs_console_is_the_per_entry_one(log: bytes, cuts: list[int], budget: int) -> None:
    """Runs (of Verbose entries, and of the levels whose tier the budget stopped for good)
    give the console, reason and summary of one record per entry masked on its own."""
    console = _console(log, cuts, budget, bulk=True)
    assert console == _console(log, [], budget, bulk=False, by_entry=True)


def test_entries_of_stopped_levels_come_in_runs() -> None:
    """Once the info and warning tiers are stopped for good, their entries join the runs; a
    long entry stops its tier before the short ones do: those are still shown while they fit.
    The console is the one of an entry at a time."""
    entries = [
        f"16:05:{i % 60:02d}   {LEVELS[i % len(LEVELS) if i % 50 else 7]:<9}|   step {i}"
        + " and more" * (200 if i % 13 == 0 else 0)
        + "\n"
        for i in range(4000)
    ]
    log = b"Task ID:       ServerTasks-1\n\n" + "".join(entries).encode()
    cuts = list(range(300, len(log), 300))
    out: list[Emit] = []
    trimmer = _trimmer(4_000, out, bulk=True)
    _trim(trimmer, log, cuts)
    assert set(trimmer.grouper.run_levels) > {*VERBOSE, "Info", "Warning"}
    assert out == _console(log, [], 4_000, bulk=False, by_entry=True)
