"""A progress bar redrawn with ``\\r`` past 1 MiB before its newline shows its last state.

Such a line comes in pieces (engine/flow/lines.py) and the console shows its start, cut; a person
wants where the bar ended (``progress 100%``), as a shorter bar shows it. Real children write
the bars; a property feeds the engine any chunking of one, with a secret in its last state.
"""

from __future__ import annotations

import pytest
from conftest import RunLogtrim, examples, py, split
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim.engine.core import STDOUT, Core
from logtrim.engine.policy import Policy

# A bar of ``n`` states, each before its \r (tqdm, curl) or after it (pip, docker pull).
_BAR = """
import sys
n, stream, after = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "after"
out = getattr(sys, stream).buffer
for i in range(n + 1):
    state = b"progress %d%% " % (i * 100 // n) + b"#" * (i * 40 // n)
    out.write(state + b"\\r" if after else b"\\r" + state)
out.write(b"\\n")
out.flush()
print("deploy done", flush=True)
"""


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
@pytest.mark.parametrize("form", ["before", "after"])
def test_a_bar_redrawn_past_a_mebibyte_shows_its_last_state(
    run_logtrim: RunLogtrim, stream: str, form: str
) -> None:
    r = run_logtrim("--budget", "64kB", "--", *py(_BAR), "40000", stream, form)
    assert r.code == 0
    assert len(r.archive) > 1 << 20  # one line of more than 1 MiB
    console = r.console.decode()
    assert "progress 100% " + "#" * 40 + "\n" in console
    assert "deploy done" in console
    assert len(r.stdout) + len(r.stderr) <= 64_000


def test_a_bar_under_a_mebibyte_shows_its_last_state_only(run_logtrim: RunLogtrim) -> None:
    r = run_logtrim("--budget", "64kB", "--", *py(_BAR), "2000", "stdout", "before")
    assert r.code == 0
    lines = r.stdout.decode().splitlines()
    bars = [line for line in lines if line.startswith("progress")]
    assert bars == ["progress 100% " + "#" * 40]  # as before: one line, its last state
    assert "line cut" not in r.stdout.decode()


def test_the_last_state_of_a_long_bar_is_masked(run_logtrim: RunLogtrim) -> None:
    code = (
        "import sys\n"
        "out = sys.stdout.buffer\n"
        "for i in range(60000):\n"
        "    out.write(b'\\rupload %d%% to https://cdn.example.com' % (i // 600))\n"
        "out.write(b'\\rupload 100% done, token hunter2xyz\\n')\n"
    )
    r = run_logtrim("--budget", "64kB", "--mask", "hunter2xyz", "--", *py(code))
    assert r.code == 0
    assert b"upload 100% done, token ********" in r.stdout
    assert b"hunter2xyz" not in r.console and b"hunter2xyz" not in r.archive


SECRET = b"s3cr3t-T0ken-9"


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    states=st.integers(40, 300),
    cuts=st.lists(st.integers(0, 1 << 16), max_size=12),
    shift=st.integers(0, 30),
)
def test_a_long_bars_last_state_whatever_the_reads(
    states: int, cuts: list[int], shift: int
) -> None:
    """A line over ``max_pending`` (4 kB here) of redraws, read in any chunks: its last
    state, with a secret split at any piece boundary, reaches the console masked."""
    bar = b"".join(b"\rcopy %3d%% " % (i * 100 // states) + b"=" * (i % 30) for i in range(states))
    last = b"\r" + b"x" * shift + b" copy 100% key=" + SECRET + b" ok\n"
    data = b"ERROR first\n" + bar + last + b"done\n"
    core = Core(Policy(budget=60_000, masks=(SECRET.decode(),)), max_pending=4096)
    out = []
    for chunk in split(data, cuts):
        out += core.feed(STDOUT, chunk, 0.0)[1]
    out += core.finish_input(0.0)[1]
    console = b"".join(d for _, d in out)
    assert SECRET not in console
    if len(bar) > 4096:
        assert b"x" * shift + b" copy 100% key=******** ok\n" in console
    assert console.endswith(b"done\n")


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    states=st.integers(200, 600),
    cuts=st.lists(st.integers(0, 1 << 16), max_size=12),
    steps=st.lists(st.floats(0, 3), min_size=1, max_size=12),
)
def test_a_long_bars_last_state_whatever_the_time_between_reads(
    states: int, cuts: list[int], steps: list[float]
) -> None:
    """The same bar arriving over time, the engine ticking between reads: a state shown
    while it was short (the throttle then holds its cut start back) does not keep its last
    state off the console (it was left out when a read came within the progress interval)."""
    bar = b"".join(
        b"\rupload %3d%% " % (i * 100 // states) + b"=" * (i % 30) for i in range(states)
    )
    steps_before = b"".join(b"unpacking file %d\n" % i for i in range(300))  # past verbatim
    data = steps_before + bar + b"\rupload 100% done key=" + SECRET + b"\n" + b"deploy done\n"
    core = Core(Policy(budget=60_000, masks=(SECRET.decode(),)), max_pending=4096)
    out, now = [], 0.0
    for i, chunk in enumerate([steps_before, *split(data[len(steps_before) :], cuts)]):
        out += core.feed(STDOUT, chunk, now)[1]
        now += steps[i % len(steps)]
        out += core.tick(now)
    out += core.finish_input(now)[1]
    console = b"".join(d for _, d in out)
    assert SECRET not in console
    assert b"upload 100% done key=********\n" in console
