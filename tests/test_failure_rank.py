"""Under a tight budget, the error block that names the failure outlives later, lesser errors.

The held store (errors the budget could not show live, for the end of a failed run) lets the
oldest go first but keeps the failure reason's block while it fits, whether a flood's lines
come one by one or as one run; a test runner's failing test keeps its traceback as the reason
over exceptions passing tests log. Real children for what a user sees; the store on examples
and a property.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable

import pytest
from conftest import RunLogtrim, examples, py
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.engine.ending.held import RARE_MAX, Held

# A deploy step: errors fill the live budget, then the traceback that fails the step, then a
# cleanup that logs a lesser error per resource (distinct lines) and a retry loop's error (one
# shape, many times): together far more than the end of the run has room for.
_DEPLOY = """
import sys, traceback
names = [a + b for a in "ghijklmnopqrstuvwxyz" for b in "ghijklmnopqrstuvwxyz"]
for i in range(150):
    print(f"ERROR: node {names[i]} health probe unanswered", flush=True)
def migrate():
    raise LookupError("schema version 42 missing from table schema_migrations")
try:
    migrate()
except LookupError:
    traceback.print_exc(file=sys.stdout)
    sys.stdout.flush()
for i in range(400):
    print(f"ERROR: cleanup could not release lock {names[i]}{names[-1 - i]}")
    print(f"ERROR retry {i} of the status upload failed: connection reset by peer")
sys.exit(3)
"""


def test_the_failing_traceback_and_its_reason_survive_later_errors(
    run_logtrim: RunLogtrim,
) -> None:
    r = run_logtrim("--ci", "plain", "--budget", "12kB", "--", *py(_DEPLOY))
    assert r.code == 3
    assert len(r.console) <= 12_000
    console = r.console.decode()
    assert "error lines from here on are held" in console  # the traceback was held, not shown
    reason = "LookupError: schema version 42 missing from table schema_migrations"
    assert f"[logtrim] failed (exit 3): {reason}" in console
    body = console.split("[logtrim] failed (exit 3)")[0]
    assert reason in body  # the block itself, not only the reason line
    assert "Traceback (most recent call last):" in body
    assert ", in migrate" in body  # with its frames
    assert r.archive.count(b"connection reset by peer") == 400


# subunit v1, as testr and stestr print it: each outcome line then the test's attachments.
_SUBUNIT = """
import sys
def report(outcome, test, trace):
    print(f"test: {test}")
    print(f"{outcome}: {test} [ multipart")
    print("Content-Type: text/x-traceback;charset=utf8,language=python")
    print("traceback")
    print("Traceback (most recent call last):")
    print(f'  File "tests/{test}.py", line 12, in {test}')
    print(f"    {trace[0]}")
    print(trace[1])
    print("]")
for i in range(3):
    print(f"successful: tests.test_ok_{i}")
report("failure", "tests.test_config.validate",
       ("schema(config)", "voluptuous.error.MultipleInvalid: required key not provided"))
for i in range(5):
    report("successful", f"tests.test_launch.retry_{i}",
           ("raise RuntimeError('Fake Error')", "RuntimeError: Fake Error"))
sys.exit(1)
"""


def test_a_failing_test_s_traceback_beats_exceptions_passing_tests_log(
    run_logtrim: RunLogtrim,
) -> None:
    for budget in ("20MB", "3kB"):
        r = run_logtrim("--ci", "plain", "--budget", budget, "--", *py(_SUBUNIT))
        assert r.code == 1
        reason = "voluptuous.error.MultipleInvalid: required key not provided"
        assert f"[logtrim] failed (exit 1): {reason}\n" in r.console.decode()


# -- the store and its ranking ----------------------------------------------------------------
def _trace(held: Held, first: int, message: bytes) -> int:
    """A four-line traceback held as one incident; returns the next line number."""
    lines = [b"Traceback (most recent call last):\n", b'  File "a.py", line 1\n', b"    f()\n"]
    for k, text in enumerate([*lines, message]):
        held.add(first + k, 1, text, first, True)
    return first + 4


def test_the_reason_s_block_is_held_longest_the_rest_newest_first() -> None:
    held = Held(400)
    held.reason = lambda: (0, 3)
    n = _trace(held, 0, b"LookupError: schema 42 missing\n")  # line 3: the reason
    n = _trace(held, n, b"KeyError: 'region'\n")  # older than what follows: goes
    for i in range(30):
        n = _trace(held, n, f"ConnectionResetError: reset after {i} bytes\n".encode())
    texts = b"".join(line[2] for line in held.lines)
    assert sum(len(line[2]) for line in held.lines) <= 400
    assert b"LookupError: schema 42 missing" in texts
    assert b"Traceback" in texts.split(b"LookupError")[0]  # with its whole block
    assert b"KeyError: 'region'" not in texts
    assert b"reset after 29 bytes" in texts  # the newest
    assert b"reset after 0 bytes" not in texts


def test_a_flood_run_holds_what_its_lines_one_by_one_hold() -> None:
    """The flood path adds a run in one call: the store must not depend on that."""
    lines = [f"ERROR job {i} failed\n".encode() for i in range(500)]
    one_by_one, as_runs = Held(900), Held(900)
    for held in (one_by_one, as_runs):
        held.reason = lambda: (40, 40)
    for i, text in enumerate(lines):
        one_by_one.add(i, 1, text, i, True)
    for start in range(0, 500, 37):
        as_runs.add_run(start, 1, b"".join(lines[start : start + 37]), lambda t: t)
    assert one_by_one.lines == as_runs.lines
    assert any(line[0] == 40 for line in as_runs.lines)


@pytest.mark.parametrize("rare", [False, True])
def test_a_flood_run_holds_what_its_lines_one_by_one_hold_one_offs_too(rare: bool) -> None:
    """Also with the one-off error lines a flood pushed out kept apart."""
    lines = [f"ERROR job {i} failed\n".encode() for i in range(500)]
    lines[100] = b"ERROR migration 0042 failed: duplicate key\n"
    one_by_one, as_runs = Held(900, rare=rare), Held(900, rare=rare)
    for i, text in enumerate(lines):
        one_by_one.add(i, 1, text, i, True)
    for start in range(0, 500, 37):
        as_runs.add_run(start, 1, b"".join(lines[start : start + 37]), lambda t: t)
    assert one_by_one.lines == as_runs.lines
    assert any(line[0] == 100 for line in as_runs.lines) is rare


_FLOOD_LINES = st.one_of(
    st.sampled_from(
        [
            b"E job 1\n",
            b"E job 22\n",
            b"E once a\n",
            b"E x\n",
            b"E z 7\r\n",
            b"E req 3fa85f64-5717-4562-b3fc-2c963f66afa6\n",
            b"E req 9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d\n",
        ]
    ),
    # many shapes: more one-offs than are kept
    st.text("abcdef", min_size=1, max_size=3).map(lambda w: f"E id {w}\n".encode()),
)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(_FLOOD_LINES, min_size=1, max_size=150),
    st.lists(st.integers(1, 30), min_size=1, max_size=20),
    st.integers(50, 300),  # (lines within the cap: a run whose last is over it stays whole)
)  # fmt: skip
def test_one_offs_kept_apart_are_the_same_however_the_flood_came(
    lines: list[bytes], runs: list[int], cap: int
) -> None:
    """The one-off errors kept apart do not depend on whether the flood path added the
    lines as runs or one at a time (a line one by one comes in its console form, a CRLF
    line's without its CR; a run's raw, put in that form when read)."""
    one_by_one, as_runs = Held(cap, rare=True), Held(cap, rare=True)
    for i, text in enumerate(lines):
        one_by_one.add(i, 1, _console_form(text), i, True)
    start, k = 0, 0
    while start < len(lines):
        size = runs[k % len(runs)]
        as_runs.add_run(start, 1, b"".join(lines[start : start + size]), _console_form)
        start, k = start + size, k + 1
    assert one_by_one.lines == as_runs.lines


def _console_form(line: bytes) -> bytes:
    return line.replace(b"\r\n", b"\n")


def test_one_off_errors_pushed_out_by_a_flood_are_kept_the_newest_few() -> None:
    """A one-off error in a flood of alike ones (the migration that failed among 40,000
    "request N failed") was pushed out by the flood's newer lines: the tail showed the flood
    only. Pushed out once, its shape is kept apart, the newest RARE_MAX of them; a shape
    pushed out twice is a flood's (its newest lines are held anyway)."""
    held = Held(300, rare=True)
    n = 0
    for k in range(RARE_MAX + 3):
        held.add(n, 1, f"ERROR one-off cause {'x' * k}\n".encode(), n, True)
        n += 1
        for _ in range(40):
            held.add(n, 1, f"ERROR request {n} failed\n".encode(), n, True)
            n += 1
    texts = [line[2] for line in held.lines]
    one_offs = [t for t in texts if b"one-off" in t]
    assert len(one_offs) == RARE_MAX
    assert one_offs[-1] == b"ERROR one-off cause " + b"x" * (RARE_MAX + 2) + b"\n"
    flood = [t for t in texts if b"request" in t]
    assert sum(map(len, flood)) <= 300  # the flood's newest, within the cap
    assert flood[-1] == f"ERROR request {n - 1} failed\n".encode()
    assert [line[0] for line in held.lines] == sorted(line[0] for line in held.lines)


def _block(lineno: int) -> Callable[[], tuple[int, int]]:
    return lambda: (lineno, lineno)


_BLOCKS = st.lists(
    st.tuples(st.sampled_from([b"E: a\n", b"E: b\n", b"E: c 1\n", b"E: c 2\n"]), st.integers(1, 4)),
    min_size=1,
    max_size=40,
)


@settings(max_examples=examples(200), deadline=None)
@given(_BLOCKS, st.integers(0, 39), st.integers(40, 400))
def test_held_store_keeps_its_cap_and_the_reason_s_block_when_it_fits(
    blocks: list[tuple[bytes, int]], which: int, cap: int
) -> None:
    held = Held(cap)
    named = -1
    n = 0
    added: dict[int, bytes] = {}
    for k, (text, size) in enumerate(blocks):
        if k == which:
            named = n
            held.reason = _block(n)
        for j in range(size):
            added[n + j] = text
            held.add(n + j, 1, text, n, True)
        n += size
    lines = held.lines
    # Within its cap (or the one line it was just given).
    assert sum(len(line[2]) for line in lines) <= max(cap, len(blocks[-1][0]))
    assert all(added[line[0]] == line[2] for line in lines)  # only what was added, once each
    assert len({line[0] for line in lines}) == len(lines)
    if named >= 0:
        block = [no for no in added if no >= named and no < named + blocks[which][1]]
        if sum(len(added[no]) for no in block) <= cap:
            assert set(block) <= {line[0] for line in lines}


def test_a_one_off_error_in_a_flood_of_alike_errors_is_on_the_console(
    run_logtrim: RunLogtrim,
) -> None:
    """At 8 kB, a migration that failed once among 20,000 "request N failed" errors: the
    budget held the errors for the end, the newest first, and the flood's newer lines pushed
    it out; the tail showed the flood only, the cause nowhere on the console."""
    code = (
        "for i in range(30000):\n"
        "    if i % 3 == 1: print(f'ERROR [pool-{i % 16}] request {i} failed with status 503')\n"
        "    else: print(f'INFO  [pool-{i % 16}] request {i} ok')\n"
        "    if i == 15000: print('ERROR Migration 0042_add_index failed: duplicate key value')\n"
        "raise SystemExit(1)\n"
    )
    result = run_logtrim("--budget", "8kB", "--", *py(code))
    assert result.code == 1
    assert b"\nERROR Migration 0042_add_index failed: duplicate key value\n" in result.stdout


def test_a_one_off_error_is_kept_apart_from_a_flood_of_lines_each_with_its_own_uuid() -> None:
    """Lines alike but for a UUID each are one shape (its hex ids as ``#``s): pushed out,
    they do not fill the slots of the one-off errors."""
    held = Held(300, rare=True)
    rng = random.Random(3)
    for n in range(400):
        text = f"ERROR request {uuid.UUID(int=rng.getrandbits(128))} failed\n"
        if n == 10:
            text = "ERROR: disk /var full on db-01: cannot write WAL\n"
        held.add(n, 1, text.encode(), n, True)
    assert any(line[0] == 10 for line in held.lines)
