"""``run`` on the fallback engine scans on the second core (logtrim/run/aside.py): the same
console, archive, reason and summary as a run that scans in one process, whatever the input.

Real runs of a child that writes large, odd-sized chunks (lines split across reads), declares
a secret mid-run, and writes a line too long to hold; and a property of the engine fed the
hits of another matcher on the blocks the scanner gets, at any chunking and any share.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import Result, RunLogtrim, examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from second_core import chunked_child, timeless
from test_properties import LINES, LONG, run_core

from logtrim.engine.core import STDOUT, Core
from logtrim.engine.match.matcher import Matcher
from logtrim.run import aside

SECRET = "s3cr3t-Pa55w0rd-aside"
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the scanner is forked on Linux only"
)


def _child(tmp_path: Path) -> list[str]:
    """A step whose output comes in odd-sized writes of a few hundred kB."""
    lines = []
    for i in range(40_000):
        if i == 15_000:
            lines.append(f"::add-mask::{SECRET}\n")
        if i % 997 == 0:  # the secret, once declared
            lines.append(f"ERROR: unit {i} failed with {SECRET if i > 15_000 else 'x'}\n")
        elif i % 331 == 0:
            lines.append(f"warning: slow disk on node {i}\n")
        elif i == 20_000:
            lines.append("z" * 1_500_000 + " error in a very long line\n")
        else:
            lines.append(f"2024-05-01 12:00:00 copying file {i:05d}.dat to /srv/app ({i * 7} B)\n")
    lines.append("error: the last step failed\n")
    log = tmp_path / "step.log"
    log.write_text("".join(lines))
    return chunked_child(log)


def test_a_run_scanned_aside_is_the_run_scanned_here(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    child = _child(tmp_path)
    args = ("--ci", "github", "--budget", "64kB", "--", *child)
    same = tmp_path / "step.log.zst"  # its name is on the console

    def run(scanner_ends_after: int | None = None, *more: str) -> Result:
        env = {"LOGTRIM_ENGINE": "re"}
        if scanner_ends_after is not None:
            env["LOGTRIM_FAULT_SCANNER"] = str(scanner_ends_after)
        return run_logtrim(*more, *args, env=env, artifact=same)

    aside_run = run()
    here = run(0)  # the scanner ends at once: this process scans every block
    dead = run(3)  # ... after three blocks
    told = run(None, "-v")
    assert aside_run.code == here.code == dead.code == 3
    for other in (here, dead):
        assert timeless(aside_run.stdout) == timeless(other.stdout)
        assert timeless(aside_run.stderr) == timeless(other.stderr)
        assert aside_run.archive == other.archive
    # Masked everywhere but in the command that declares it (for the runner to read).
    assert SECRET.encode() not in aside_run.archive
    assert aside_run.console.replace(f"::add-mask::{SECRET}".encode(), b"").find(b"Pa55") < 0
    assert b"error: the last step failed" in aside_run.stdout
    taken = re.search(rb"scanned aside \(blocks=(\d+) taken=(\d+)\)", told.stderr)
    assert taken is not None, told.stderr[-2000:]
    blocks, took = int(taken[1]), int(taken[2])
    assert blocks >= 2 and took * 2 > blocks  # most: the engine took the scanner's hits


SETTINGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
_SHARES = st.floats(min_value=0.0, max_value=1.0)


@SETTINGS
@given(
    st.lists(st.one_of(LINES, st.just(LONG)), max_size=60).map(b"".join),
    st.lists(st.tuples(st.integers(min_value=1, max_value=700), _SHARES), max_size=30),
    st.sampled_from([(), ("careful",), ("boom\nWARNING: care",)]),  # one over two lines
)
# A chunk that ends inside a line, and a share of 0 for the next block: the line it
# carries on is still scanned whole here (not its start here and its rest aside).
@example(
    b"copying file 0001.dat\n" * 300 + b"Uploading 45%\n" + b"ERROR: boom\n",
    [(6606, 0.0), (50, 0.0)],  # the second chunk starts with "ing 45%": past the verbatim part
    (),
)
def test_hits_from_aside_change_nothing(
    data: bytes, cuts: list[tuple[int, float]], secrets: tuple[str, ...]
) -> None:
    """The engine fed the scanner's hits (another matcher's, on the blocks :class:`aside.Lines`
    cuts, this process's share scanned apart) prints and archives what it does alone; and
    takes them wherever a block is as its splitter cuts it (no line too long to hold)."""
    chunks, at = [], 0
    for size, _ in cuts:
        chunks.append(data[at : at + size])
        at += size
    chunks.append(data[at:])
    shares = [share for _, share in cuts] + [0.5]
    want = run_core(chunks, secrets=secrets)

    lines = aside.Lines(256)
    offered = taken = 0
    share = iter(shares)
    other: list[Matcher] = []  # the scanner's: the same rules, another process

    def feed(core: Core, chunk: bytes) -> tuple[bytes, list[tuple[int, bytes]]]:
        nonlocal offered, taken
        other[:] = other or [Matcher(core.matcher.rules)]
        fraction = next(share)
        carry, start, end = lines.block(STDOUT, chunk)
        if end:
            cut = aside.cut(carry, chunk, start, end, fraction)
            here = carry + chunk[start:cut]
            hits = aside.joined(other[0].scan(here), other[0].scan(chunk[cut:end]), len(here))
            core.matcher.offer(hits, carry, memoryview(chunk)[start:end])
            offered += 1
        fed = core.feed(STDOUT, chunk, 0.0)
        taken += bool(end) and not core.matcher.offered
        core.matcher.offer([])
        return fed

    assert run_core(chunks, secrets=secrets, feed=feed) == want
    held = any("\n" in secret for secret in secrets)  # the splitter may hold lines back
    if max(map(len, data.split(b"\n"))) < 200 and not held:  # no line too long to hold
        assert taken == offered
