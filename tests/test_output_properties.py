"""Hypothesis properties of the per-line shortcuts of the engine's output: a shown line after
its gap marker in one call (``Output.after_gap``), the tier's ceiling computed once for a
line and its marker (``Budget.ceiling``), and the repeat collapse's template made only when
needed print and count what the general calls do."""

from __future__ import annotations

from dataclasses import dataclass

from conftest import examples
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logtrim._text import ANSI_BYTES
from logtrim.engine.console.output import STDERR, STDOUT, Mark, Output
from logtrim.engine.console.tally import Tally
from logtrim.engine.flow.history import History
from logtrim.engine.flow.repeats import Repeats
from logtrim.engine.flow.throttle import split_gap
from logtrim.engine.match.kinds import Kind
from logtrim.engine.policy import Budget
from logtrim.engine.shapes.templates import template

SETTINGS = settings(max_examples=examples(300), deadline=None)
# Lines of one template (with colour too), of others, and alike but for a path.
REPEATED = [b"copied 1 file\n", b"copied 22 files\n", b"\x1b[1mcopied 3 files\x1b[0m\n",
            b"done\n", b"copied /srv/a\n", b"copied /srv/b\n"]  # fmt: skip


def output(budget: int, levels: bool, after_progress: bool) -> tuple[Output, list[str]]:
    """An output with a pending collapse count to settle, and the dialect's level switches
    around logtrim's own lines (``levels``), as the engine wires them."""
    out = Output(Budget(budget), Tally())
    calls: list[str] = []

    def settle(_before: int | None = None) -> None:
        out.unsettled = False
        out.marker("(repeated 3 more times)", settle=False)

    out.settle = settle
    if levels:
        out.wrap = lambda: ([b"##octopus[stdout-default]\n"], [b"##octopus[stdout-verbose]\n"])
    if after_progress:
        out.after_progress = lambda: calls.append("progress shown")
    return out, calls


def state(out: Output, calls: list[str]) -> tuple[object, ...]:
    tally = out.tally
    return (
        out.take(), out.budget.used, out.own_bytes, out.gap_lines, out.gap_bytes, out.gaps,
        dict(tally.shown_lines), dict(tally.shown_bytes), out.unsettled, calls,
    )  # fmt: skip


@SETTINGS
@given(
    st.integers(2048, 100_000),
    st.booleans(),
    st.booleans(),
    st.lists(
        st.tuples(
            st.sampled_from([STDOUT, STDERR]),
            st.sampled_from(list(Kind)),
            st.binary(min_size=1, max_size=80),
            st.integers(0, 5),  # lines hidden before it: its gap
            st.booleans(),  # a collapse count waits to be printed first
            st.booleans(),  # a line of logtrim's own came before it
        ),
        max_size=12,
    ),
)
def test_a_line_after_its_gap_in_one_call_is_the_three_calls(
    budget: int,
    levels: bool,
    after_progress: bool,
    lines: list[tuple[int, Kind, bytes, int, bool, bool]],
) -> None:
    fast, fast_calls = output(budget, levels, after_progress)
    slow, slow_calls = output(budget, levels, after_progress)
    for stream, kind, data, hidden, unsettled, own in lines:
        for out in (fast, slow):
            if own:
                out.marker("output passed 1 MB")
            for _ in range(hidden):
                out.hide(len(data))
            out.unsettled = unsettled
        gap = fast.gap_text()
        assert gap == slow.gap_text()
        fast.after_gap(stream, gap, data, kind)
        if gap:
            slow.emit(STDOUT, gap, Kind.NOISE, own=True)
        slow.clear_gap()
        slow.emit(stream, data, kind)
        assert state(fast, fast_calls) == state(slow, slow_calls)


@SETTINGS
@given(
    st.sampled_from(list(Kind)),
    st.integers(2048, 10**9),
    st.sampled_from([0.0, 0.4, 0.6, 0.85, 1.0, 1.2]),  # near a tier's ceiling, or the markers'
    st.integers(-20_000, 20_000),
    st.integers(0, 10**4),
    st.integers(0, 200),
    st.booleans(),
)
def test_the_ceiling_answers_as_allows_for_a_line_and_its_marker(
    kind: Kind, total: int, share: float, jitter: int, cost: int, marker: int, trim: bool
) -> None:
    budget = Budget(total)
    if trim:
        budget.release_tail()
    budget.used = max(int(budget.live * share) + jitter, 0)
    room = budget.ceiling(kind) - cost  # as Shower.alone compares it
    assert (budget.used <= room) == budget.allows(kind, cost)
    assert (budget.used + marker <= room) == budget.allows(kind, cost + marker)


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.sampled_from([STDOUT, STDERR]),
            st.sampled_from(REPEATED),
            st.booleans(),  # lines hidden before it: a gap
            st.booleans(),  # shown when not a repeat (else the budget held it)
        ),
        max_size=40,
    )
)
@example([(1, b"copied /srv/a\n", False, True), (1, b"copied /srv/b\n", False, False),
          (2, b"copied 22 files\n", False, True), (1, b"copied 1 file\n", False, True),
          (2, b"copied 22 files\n", False, False)])  # fmt: skip
def test_a_repeat_is_the_template_of_the_last_line_shown_without_a_gap(
    lines: list[tuple[int, bytes, bool, bool]],
) -> None:
    """The repeat collapse, whose template waits until a line without a gap asks for it,
    counts exactly the lines whose template is the last shown line's on their stream, with
    no line hidden in between."""
    out = Output(Budget(1_000_000), Tally())
    repeats = Repeats(30.0, out, History(100), bytes)
    last: dict[int, bytes | None] = {STDOUT: None, STDERR: None}
    first: dict[int, bytes | None] = {STDOUT: None, STDERR: None}  # the line a run counts
    counted: dict[int, list[bytes]] = {STDOUT: [], STDERR: []}
    hidden = False  # lines not shown since the last one shown, on either stream
    for lineno, (stream, line, gap, shown) in enumerate(lines):
        if gap:
            out.hide(10)
            hidden = True
        plain = ANSI_BYTES.sub(b"", line)
        repeat = not hidden and last[stream] == template(plain)
        key = repeats.key(stream, line, float(lineno), lineno)
        assert (key is None) == repeat
        if repeat:
            counted[stream].append(line)
        else:
            if any(c != first[stream] for c in counted[stream]):
                # The count of lines that differ ends by printing the last of them: anything
                # printed ends the other stream's run (its count must follow its line).
                for other in last:
                    if other != stream:
                        last[other] = None
            counted[stream] = []
            last[stream] = None
        if key is not None and shown:
            out.clear_gap()
            hidden = False
            repeats.shown(stream, key, float(lineno))
            last[stream] = template(plain)
            first[stream] = line
        elif key is not None:
            out.hide(len(line))  # held back: it joins the gap
            hidden = True
        assert repeats.streams[stream].empty == (last[stream] is None)


LATE = b"Uploading 5%\n"  # a progress line that waits (throttled)


@dataclass
class State:
    """A waiting progress line, as the output sees one (engine/flow/throttle.py's Pending)."""

    mark: Mark
    waiting: bool = True

    def after(self, lineno: int) -> bool:
        return False


def _counted(emits: list[tuple[int, bytes]]) -> int | None:
    counts = [int(d.split()[2]) for _, d in emits if d.startswith(b"[logtrim] ... ")]
    return sum(counts) if counts else None


@SETTINGS
@given(st.lists(st.one_of(st.integers(1, 300), st.just("late")), max_size=40),
       st.integers(2048, 20_000))  # fmt: skip
def test_a_state_printed_late_splits_the_gap_where_it_was_written(
    writes: list[int | str], budget: int
) -> None:
    """Lines not shown (their sizes) and progress lines that wait among them (as many as
    the streams and kinds allow at once, here any number), printed late in the order
    written (``split_gap``): the marker before each counts exactly the lines written
    before it not counted yet, never one after it; a line shown leaves the gap, one the
    budget drops stays in it; the last marker counts the rest. None is lost or counted
    twice."""
    out = Output(Budget(budget), Tally())
    states: dict[int, State] = {}
    out.waiting = states
    between = [0]  # lines not shown before each state, after the one before it
    for write in writes:
        if isinstance(write, int):
            out.hide(write)
            between[-1] += 1
        else:
            states[len(states)] = State(out.mark())
            out.hide(len(LATE))  # counted while it waits, as the throttle does
            between.append(0)
    carry = 0
    for n, state in list(states.items()):
        carry += between[n]
        shown = split_gap(out, state.mark, n, len(LATE), len(LATE))
        counted = _counted(out.take())
        if counted is not None:
            assert counted == carry
            carry = 0
        if shown:
            out.emit(STDOUT, LATE, Kind.PROGRESS)
            out.take()
        carry += not shown  # dropped: still not shown, in the gap
    out.flush_gap(paid=True)
    assert (_counted(out.take()) or 0) == carry + between[-1]
    assert out.gap_lines == 0


# Lines of very different lengths: where a region's lines lie is found from their count.
_LINE = st.one_of(st.binary(max_size=3), st.binary(min_size=20, max_size=100)).map(
    lambda b: b.replace(b"\n", b"")
)


@given(
    regions=st.lists(
        st.tuples(st.lists(_LINE, min_size=1, max_size=10), st.booleans(), st.sampled_from([1, 2])),
        min_size=1,
        max_size=4,
    ),
    open_last=st.booleans(),
    hint=st.integers(min_value=0, max_value=9),
    before=st.integers(min_value=0, max_value=45),
    count=st.integers(min_value=1, max_value=6),
)
@example(  # an older region that ends without a newline, the hint in a newer one
    regions=[([b""] * 10, False, 1), ([b"\x00\x00", b""], False, 1)],
    open_last=False,
    hint=1,
    before=8,
    count=1,
)
@settings(max_examples=examples(400))
def test_recent_lines_are_the_lines_before_whatever_the_regions(
    regions: list[tuple[list[bytes], bool, int]],
    open_last: bool,
    hint: int,
    before: int,
    count: int,
) -> None:
    """The history's lines before any line number, however its regions were cut (a last
    line without a newline: what the end of the output flushes), with the line being looked
    at in the newest region or not: the lines as written (the context an error shows, the
    line after the failure reason)."""
    history = History(keep=1000)
    written: list[tuple[int, int, bytes]] = []
    for k, (lines, newline_last, stream) in enumerate(regions):
        first = len(written)
        if not newline_last and not (open_last and k == len(regions) - 1):
            lines[-1] += b"z"  # a last line without a newline has bytes (an open region none)
        data = b"".join(line + b"\n" for line in lines)
        if not newline_last and not (open_last and k == len(regions) - 1):
            data = data[:-1]
        history.remember(stream, data, first)
        raws = [line + b"\n" for line in lines]
        raws[-1] = raws[-1][: len(data) - sum(map(len, raws[:-1]))]
        written += [(first + i, stream, raw) for i, raw in enumerate(raws)]
        if not (open_last and k == len(regions) - 1):
            history.seal(len(lines))
    # The line being looked at: one of the newest region's (its offset in it).
    first = len(written) - len(regions[-1][0])
    line = first + min(hint, len(regions[-1][0]) - 1)
    history.hint = (line, sum(len(raw) for _, _, raw in written[first:line]))
    if open_last:
        before = min(before, line)
    assert history.recent(before, count) == written[:before][-count:]


def test_recent_lines_after_long_lines_are_compacted_under_an_older_hint() -> None:
    """Past 8 MiB held, the long lines of all but the newest region are put in their console
    form: a region looked at before (the hint's) is read by its own newlines then, not by the
    offset the hint kept of it."""
    history = History(keep=1000)
    history.compact = lambda raw: b"<cut>\n" if len(raw) > 100 else None
    region = b"L" * 20_000 + b"\nERROR: failed to connect:\n  cause: REAL\nwarning: hinted\n"
    history.remember(STDOUT, region, 0)
    history.hint = (3, region.rfind(b"warning"))
    history.seal(4)
    history.remember(STDERR, (b"z" * 1_000_000 + b"\n") * 9, 4)  # past 8 MiB
    history.seal(9)
    assert history.recent(3, 3) == [
        (0, STDOUT, b"<cut>\n"),
        (1, STDOUT, b"ERROR: failed to connect:\n"),
        (2, STDOUT, b"  cause: REAL\n"),
    ]
    assert history.line_after(1) == b"  cause: REAL\n"
