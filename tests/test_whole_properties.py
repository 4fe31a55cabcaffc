"""engine/console/whole.py: a run held (at a small budget, or past its verbatim allowance)
shows, when it fits, its output as written (each stream in order, nothing left out, no note of
logtrim's own before the summary), and when it does not fit, exactly what the engine alone
shows, for any chunking."""

from __future__ import annotations

import random
from collections.abc import Callable

from conftest import examples, split
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.dialects.base import Action
from logtrim.engine.console.whole import HOLD_SECONDS, Whole
from logtrim.engine.core import STDERR, STDOUT, Core, Emit
from logtrim.engine.policy import COMPACT_BELOW, MIN_BUDGET, Policy

_WORDS = ("alpha", "bravo", "charlie", "delta")


def _lines(rng: random.Random, count: int) -> list[tuple[int, bytes]]:
    out = []
    for i in range(count):
        word, kind = rng.choice(_WORDS) * rng.randrange(1, 8), rng.random()
        if kind < 0.1:
            out.append((STDERR, f"ERROR: step {word} failed {i}\n"))
        elif kind < 0.2:
            out.append((STDOUT, f'  File "/srv/{word}.py", line {i}, in run\n'))
        elif kind < 0.3:
            out.append((STDERR, f"WARNING: {word} is slow\n"))
        else:
            out.append((STDOUT, f"copying {word} part {i % 7}\n"))
    return [(s, t.encode()) for s, t in out]


def _drive(feed: Core | Whole, steps: list[tuple[int, bytes, float]], end: float) -> list[Emit]:
    console: list[Emit] = []
    for stream, data, now in steps:
        console += feed.feed(stream, data, now)[1]
        console += feed.tick(now + 0.005)
    console += feed.finish_input(end)[1]
    return console


def _closing(code: int, end: float) -> Callable[[Core], tuple[list[Emit], list[Action]]]:
    return lambda c: c.close(code, end, archive="/tmp/a.zst", archive_name="a.zst",
                             archive_size=10)  # fmt: skip


def _stream(emits: list[Emit], stream: int) -> bytes:
    return b"".join(data for s, data in emits if s == stream)


def _check_held(
    budget: int,
    rng: random.Random,
    count: int,
    cuts: list[int],
    code: int,
    quiet: float,
    *,
    every: float = 0.01,
    wait: float = 60.0,
) -> None:
    lines = _lines(rng, count)
    steps = []
    for i, (stream, line) in enumerate(lines):
        steps += [(stream, piece, i * every) for piece in split(line, cuts)]
    end = steps[-1][2] + quiet  # ``quiet``: past the heartbeat's 60 s, the console is let go
    policy = Policy(budget=budget)
    plain = Core(policy)
    alone = _drive(plain, steps, end)
    alone_end, alone_actions = _closing(code, end)(plain)
    whole = Whole(Core(policy), lambda: Core(policy))
    held = _drive(whole, steps, end)
    held_end, held_actions = whole.close(_closing(code, end))
    console = held + held_end
    assert sum(len(data) for _, data in console) <= budget
    assert [type(a) for a in held_actions] == [type(a) for a in alone_actions]
    size = sum(len(line) for _, line in lines)
    if size > budget or end > wait or not _whole(console, lines):
        # Too much to show whole (the closing reserve is for the longest closing lines: a run
        # above it is whole only if its own fit), or too long a wait: the engine's console,
        # only later.
        assert size > budget - plain.budget.closing or end > wait
        assert console == alone + alone_end
        assert held_actions == alone_actions


def _whole(console: list[Emit], lines: list[tuple[int, bytes]]) -> bool:
    """Whether ``console`` is the output as written, then only logtrim's closing lines."""
    own = next((i for i, (_, data) in enumerate(console) if data.startswith(b"[logtrim]")), 0)
    return all(data.startswith(b"[logtrim]") for _, data in console[own:]) and all(
        _stream(console[:own], stream) == b"".join(t for s, t in lines if s == stream)
        for stream in (STDOUT, STDERR)
    )


@settings(max_examples=examples(150), deadline=None)
@given(
    budget=st.integers(MIN_BUDGET, COMPACT_BELOW - 1),
    rng=st.randoms(use_true_random=False),
    count=st.integers(1, 400),
    cuts=st.lists(st.integers(0, 1 << 16), max_size=2),
    code=st.sampled_from([0, 1]),
    quiet=st.sampled_from([0.5, 100.0]),
)
def test_held_console_is_the_output_when_it_fits_else_the_engines(
    budget: int, rng: random.Random, count: int, cuts: list[int], code: int, quiet: float
) -> None:
    _check_held(budget, rng, count, cuts, code, quiet)


@settings(max_examples=examples(40), deadline=None)
@given(
    budget=st.integers(COMPACT_BELOW, 48_000),
    rng=st.randoms(use_true_random=False),
    count=st.integers(30, 1500),
    cuts=st.lists(st.integers(0, 1 << 16), max_size=2),
    code=st.sampled_from([0, 1]),
    quiet=st.sampled_from([0.5, 12.0]),
)
def test_above_a_compact_budget_a_run_that_fits_is_whole_after_its_allowance(
    budget: int, rng: random.Random, count: int, cuts: list[int], code: int, quiet: float
) -> None:
    """The verbatim allowance (a twentieth of the budget) is printed as it comes; past it
    the console is held as at a small budget: the run shown whole when it all fits, else
    exactly the engine's console; held 10 s at most (here the lines come within 1.5 s)."""
    _check_held(budget, rng, count, cuts, code, quiet, every=0.001, wait=HOLD_SECONDS)


def test_notes_held_do_not_count_against_the_whole_run() -> None:
    """The engine alone prints gap markers and a tier's note while the run is held; a run
    that fits is shown whole all the same (the notes held are not the whole run's)."""
    policy = Policy(budget=MIN_BUDGET + 600)
    room = Core(policy).budget
    lines = [(STDERR, b"ERROR: upload failed\n")]
    while True:  # as much as fits whole: the notes held would tip it over
        line = f"copying part {len(lines)} of the release bundle\n".encode()
        if sum(len(t) for _, t in lines) + len(line) > room.total - room.closing:
            break
        lines.insert(-1, (STDOUT, line))
    steps = [(stream, line, i * 0.01) for i, (stream, line) in enumerate(lines)]
    alone = Core(policy)
    assert any(data.startswith(b"[logtrim]") for _, data in _drive(alone, steps, 1.0))
    whole = Whole(Core(policy), lambda: Core(policy))
    held = _drive(whole, steps, 1.0)
    console = held + whole.close(_closing(1, 1.0))[0]
    own = next(i for i, (_, data) in enumerate(console) if data.startswith(b"[logtrim]"))
    for stream in (STDOUT, STDERR):
        assert _stream(console[:own], stream) == b"".join(t for s, t in lines if s == stream)
