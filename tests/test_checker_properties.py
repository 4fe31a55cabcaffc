"""``run`` with a baseline checks its lines on the second core (logtrim/run/checker.py): the
same console, archive, reason, summary and index as a run that looks them up in one process,
whatever the input. The engine here is fed the checks of a copy of its baseline (the forked
process's) on the blocks :class:`aside.Lines` cuts, as the checker feeds it."""

from __future__ import annotations

import copy

from conftest import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_baseline_lookup_properties import LINE, LONG

from logtrim.engine.core import STDOUT, Core
from logtrim.engine.policy import Policy
from logtrim.engine.shapes.baseline import Baseline
from logtrim.engine.shapes.shapes import Shapes
from logtrim.run import aside

SETTINGS = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
ERRORS = st.sampled_from((b"ERROR: upload of bravo failed", b"warning: disk 9% full", b"Traceback"))
LINES = st.lists(st.one_of(LINE, LINE, LINE, ERRORS, LONG), max_size=80)


def _run(
    good: list[bytes],
    chunks: list[bytes],
    secrets: tuple[str, ...],
    checked: bool,
    sent: tuple[bool, ...] = (True,),
) -> tuple[bytes, list[tuple[int, bytes]], set[int], set[int], int]:
    """Archive, console, the run's shapes and new ones, and the blocks whose check was taken.
    ``sent``: which blocks go to the checker, in turn (the others the engine looks at: the
    checker's share of the blocks varies with the machine's load)."""
    shapes = Shapes()
    shapes.feed(b"".join(line + b"\n" for line in good))
    baseline = Baseline(shapes.hashes)
    core = Core(Policy(budget=4096, head=3, tail=20, masks=secrets), None, max_pending=256,
                baseline=baseline)  # fmt: skip
    novelty = core.novelty
    assert novelty is not None
    fork: Baseline | None = copy.deepcopy(baseline) if checked else None  # the forked copy
    lines = aside.Lines(256)
    archive: list[bytes] = []
    console: list[tuple[int, bytes]] = []
    taken = 0
    for n, chunk in enumerate(chunks):
        carry, start, end = lines.block(STDOUT, chunk)
        offered = fork is not None and end > start and sent[n % len(sent)]
        if offered and fork is not None:
            novelty.offer(fork.check(carry + chunk[start:end]), carry, memoryview(chunk)[start:end])
        arch, emits = core.feed(STDOUT, chunk, 0.0)
        archive.append(arch)
        console += emits
        if novelty.offered:  # not taken: the checker is stopped
            novelty.offer(None)
            fork = None
        taken += offered and fork is not None
    arch, emits = core.finish_input(0.0)
    archive.append(arch)
    console += emits
    emits, _ = core.close(1, 0.0, archive="/tmp/a.zst", archive_name="a.zst", archive_size=5)
    console += emits
    return b"".join(archive), console, set(baseline.seen.hashes), baseline.new_shapes, taken


def _chunks(data: bytes, sizes: list[int]) -> list[bytes]:
    chunks, at = [], 0
    for size in sizes:
        chunks.append(data[at : at + size])
        at += size
    return [*chunks, data[at:]]


@SETTINGS
@given(
    LINES,
    LINES,
    st.lists(st.integers(min_value=1, max_value=900), max_size=30),
    st.sampled_from([(), ("alpha",), ("bravo\nERROR: upl",)]),  # one over two lines
)
@example(
    [b"copied 1 files to /srv/alpha/1"],
    [b"copied 2 files to /srv/alpha/2", b"ERROR: upload of bravo failed", b"uploading x"] * 40,
    [700, 1, 900],
    (),
)
def test_checks_from_aside_change_nothing(
    good: list[bytes], run: list[bytes], sizes: list[int], secrets: tuple[str, ...]
) -> None:
    data = b"".join(line + b"\n" for line in run)
    chunks = _chunks(data, sizes)
    alone = _run(good, chunks, secrets, checked=False)
    aside_ = _run(good, chunks, secrets, checked=True)
    assert aside_[:4] == alone[:4]
    held = any("\n" in secret for secret in secrets)
    if max(map(len, data.split(b"\n"))) < 200 and not held and not secrets:
        assert aside_[4] == sum(1 for c in chunks if b"\n" in c)  # every block taken


@SETTINGS
@given(
    LINES,
    LINES,
    st.lists(st.integers(min_value=1, max_value=900), max_size=30),
    st.lists(st.booleans(), min_size=1, max_size=6),
    st.sampled_from([(), ("alpha",)]),
)
def test_blocks_checked_here_or_aside_change_nothing(
    good: list[bytes],
    run: list[bytes],
    sizes: list[int],
    sent: list[bool],
    secrets: tuple[str, ...],
) -> None:
    # Each process then meets lines the other learnt, and learns them again: the same sets.
    chunks = _chunks(b"".join(line + b"\n" for line in run), sizes)
    alone = _run(good, chunks, secrets, checked=False)
    assert _run(good, chunks, secrets, checked=True, sent=tuple(sent))[:4] == alone[:4]
