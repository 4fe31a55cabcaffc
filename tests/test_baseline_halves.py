"""A large plain-log baseline loaded on two cores (a real forked process) has the shapes of
one pass, wherever the file is cut, however the lines come in blocks and batches, and when
the forked process fails."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

import pytest
from conftest import examples
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_baseline_paths import LINE, TASK_PREFIX

from logtrim.baseline import halves
from logtrim.baseline.load import load, load_with_lines
from logtrim.engine.shapes.baseline import Baseline
from logtrim.engine.shapes.shapes import Shapes
from logtrim.logs import linechunks
from logtrim.logs.aside import Link
from logtrim.logs.inputs import open_detected, open_input

SETTINGS = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@contextmanager
def _small(block: int, batch: int) -> Iterator[None]:
    """Blocks, batches and the least size of a two-core load small enough for a test's file."""
    with (
        patch.object(halves, "MIN_SIZE", 64),
        patch.object(halves, "BATCH", batch),
        patch.object(halves, "CHUNK", block),
        patch.object(linechunks, "CHUNK", block),
        patch.object(halves, "spare_core", lambda: True),
    ):
        yield


def _one_pass(path: Path) -> Shapes:
    inp = open_input(str(path))
    is_task, chunks = open_detected(inp)
    shapes = Shapes(tasklog=is_task)
    for chunk in chunks:
        shapes.feed(chunk)
    return shapes


def _two(path: Path) -> tuple[Shapes, bool | None]:
    inp = open_input(str(path))
    is_task, chunks = open_detected(inp)
    shapes = Shapes(tasklog=is_task)
    done = halves.load(inp, chunks, shapes)
    if done is None:  # not cut (no line starts past the middle): one pass, as ``load`` does
        for chunk in chunks:
            shapes.feed(chunk)
    return shapes, done


@SETTINGS
@given(
    st.lists(LINE, min_size=2, max_size=80),
    st.sampled_from((64, 100, 4096)),
    st.sampled_from((1, 300, 1 << 20)),
    st.booleans(),
)
def test_two_cores_give_the_shapes_of_one_pass(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[str],
    block: int,
    batch: int,
    tasklog: bool,
) -> None:
    path = tmp_path_factory.mktemp("halves") / "good.log"
    prefix = TASK_PREFIX if tasklog else ""
    path.write_bytes("".join(f"{prefix}{line}\n" for line in lines).encode())
    with _small(block, batch):
        expected = _one_pass(path)
        got, done = _two(path)
        event(f"two cores: {done}")
        assert done is not False  # no cap is near
        assert got.hashes == expected.hashes
        assert load(path).hashes == expected.hashes


def _fails(path: str, start: int, tasklog: bool, link: Link) -> None:
    link.send(({}, {}, []))
    raise RuntimeError("the forked process fails after a batch")


def test_when_the_forked_process_fails_this_one_reads_its_half(tmp_path: Path) -> None:
    path = tmp_path / "good.log"
    lines = [f"host=web-{i % 7}.example.org step {i % 13} took {i}s" for i in range(400)]
    lines += [f"copied {i} files to doc/index{i % 5}" for i in range(400)]
    path.write_text("".join(f"{line}\n" for line in lines))
    with _small(256, 1 << 20), patch.object(halves, "_second_half", _fails):
        got, done = _two(path)
        expected = _one_pass(path)
    assert done is True
    assert got.hashes == expected.hashes


def test_the_run_takes_over_a_two_core_load(tmp_path: Path) -> None:
    """The Shaper handed to the run holds the lines of both halves (none to shape again)."""
    path = tmp_path / "good.log"
    first = [f"alpha {i % 50} of kind k{i % 3}z" for i in range(1000)]
    second = [f"bravo {i % 50} in /srv/{i % 7}/x" for i in range(1000)]
    path.write_text("".join(f"{line}\n" for line in first + second))
    with _small(512, 1 << 20), patch.object(halves, "forkable", lambda: True):
        shapes, shaper = load_with_lines(path)
    assert shaper is not None
    assert {b"alpha 0 of kind k0z", b"bravo 0 in /srv/0/x"} <= shaper.cache.keys()
    assert shapes.hashes == _one_pass(path).hashes
    # The cuts of the shapes the load kept serve the run as cut again would.
    run = "".join(f"{line}\n" for line in ["alpha 1 of kind k9q", *first[:9], *second[:9]])
    taken = Baseline(set(shapes.hashes), prior=shaper)
    alone = Baseline(set(shapes.hashes))
    assert taken.new_lines(run.encode()) == alone.new_lines(run.encode()) == [0]
    assert taken.seen.hashes == alone.seen.hashes
