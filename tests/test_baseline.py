"""Baselines: line shapes, what is new against a good run, loading baselines, the history store."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from conftest import clean_env, decode_zstd, split
from hypothesis import given
from hypothesis import strategies as st

from logtrim._errors import InputError
from logtrim.baseline import store
from logtrim.baseline.load import load
from logtrim.engine.shapes.baseline import Baseline, shape_hash
from logtrim.engine.shapes.shapes import Shapes, shape_of
from logtrim.logs.linechunks import line_chunks

GOOD = (
    b"".join(
        b"2024-05-01T12:41:%02d.272Z [INFO] Processed batch %d in %d ms\n" % (i % 60, i * 7, i % 13)
        for i in range(200)
    )
    + b"Copied 12 files to /srv/app/releases/42\nDeployment finished\n"
)
# A failing run: the same lines with other numbers, and two that no good run printed.
BAD = (
    GOOD.replace(b"Processed batch 7 ", b"Processed batch 99123 ")
    + b"Using cached credentials from /home/deploy/.aws/config\n"
    + b"Copied 13 files to /srv/app/releases/43\n"
    + b"ERROR: upload to bucket 'releases' failed\n"
)
NEW = [
    b"Using cached credentials from /home/deploy/.aws/config",
    b"ERROR: upload to bucket 'releases' failed",
]


def new_lines(baseline: Baseline, data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    return [lines[i] for i in baseline.new_lines(data)]


def test_new_lines_are_those_whose_shape_no_good_line_has() -> None:
    good = Shapes()
    good.feed(GOOD)
    assert new_lines(Baseline(good.hashes), BAD) == NEW


def test_shape_ignores_numbers_ids_paths_and_column_padding() -> None:
    assert shape_of(b"  Copied 12 files to /srv/a/b in 3.5s  \r\n") == shape_of(
        b"Copied 7 files    to /opt/x/y in 10s"
    )
    assert shape_of(b"Copied 12 files") != shape_of(b"Deleted 12 files")


def test_shape_hash_is_the_same_in_another_process() -> None:
    code = "from logtrim.engine.shapes.baseline import shape_hash; print(shape_hash(b'a <n> b'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, text=True)
    assert int(out.stdout) == shape_hash(b"a <n> b")


def test_a_raw_task_log_baseline_knows_the_step_lines_without_its_prefix() -> None:
    task = (
        b"16:05:22   Info     |   Copied 12 files to /srv/app/releases/42\n"
        b"                    |     Deployment finished\n"
    )
    shapes = Shapes(tasklog=True)
    shapes.feed(task)
    live = b"Copied 3 files to /srv/app/releases/7\nDeployment finished\nSomething else\n"
    assert new_lines(Baseline(shapes.hashes), live) == [b"Something else"]


def test_the_index_is_bounded() -> None:
    shapes = Shapes(cap=50)
    shapes.feed(b"".join(b"word%s\n" % bytes([97 + i % 26]) * 3 for i in range(26 * 26)))
    shapes.feed(
        b"".join(
            b"%s %s\n" % (bytes([97 + i]), bytes([97 + j])) for i in range(26) for j in range(26)
        )
    )
    assert len(shapes) == 50 and shapes.full


def test_the_run_remembers_its_shapes_and_counts_the_new_ones() -> None:
    good = Shapes()
    good.feed(GOOD)
    baseline = Baseline(good.hashes)
    for chunk in line_chunks([BAD]):
        baseline.new_lines(chunk)
    assert len(baseline.new_shapes) == 2
    mine = Shapes()
    mine.feed(BAD)
    assert baseline.seen.hashes == mine.hashes


@pytest.mark.slow
@given(
    st.lists(st.integers(min_value=0), max_size=30), st.lists(st.integers(min_value=0), max_size=30)
)
def test_any_chunking_gives_the_same_index_and_the_same_new_lines(
    cuts: list[int], cuts2: list[int]
) -> None:
    whole = Shapes()
    whole.feed(GOOD)
    pieces = Shapes()
    for chunk in line_chunks(split(GOOD, cuts)):
        pieces.feed(chunk)
    assert pieces.hashes == whole.hashes
    baseline = Baseline(pieces.hashes)
    found: list[bytes] = []
    for chunk in line_chunks(split(BAD, cuts2)):
        lines = chunk.split(b"\n")
        found += [lines[i] for i in baseline.new_lines(chunk)]
    assert found == NEW


# Loading from files


def _zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


@pytest.mark.parametrize("form", ["plain", "gz", "zst"])
def test_a_baseline_file_in_any_form_gives_the_same_shapes(tmp_path: Path, form: str) -> None:
    path = tmp_path / f"good.{form}"
    pack = {"plain": lambda d: d, "gz": gzip.compress, "zst": _zst}[form]
    path.write_bytes(pack(GOOD))
    expected = Shapes()
    expected.feed(GOOD)
    assert load(path).hashes == expected.hashes


def test_a_directory_of_good_runs_is_their_union(tmp_path: Path) -> None:
    (tmp_path / "one.log").write_bytes(b"first run says hello\n")
    (tmp_path / "two.log.zst").write_bytes(_zst(b"second run says bye\n"))
    baseline = Baseline(load(tmp_path).hashes)
    live = b"first run says hello\nsecond run says bye\nthird\n"
    assert new_lines(baseline, live) == [b"third"]


@pytest.mark.parametrize("bad_name", ["a-damaged.log.zst", "z-damaged.log.zst"])
def test_a_damaged_file_in_a_directory_of_good_runs_is_skipped_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_name: str
) -> None:
    """One unreadable file (first or last) no longer costs the run its whole baseline: the
    others make it, a warning names the file; with none readable, the error stands."""
    (tmp_path / "m-good.log").write_bytes(b"first run says hello\n")
    (tmp_path / bad_name).write_bytes(b"\x28\xb5\x2f\xfd" + b"not a frame at all" * 8)
    baseline = Baseline(load(tmp_path).hashes)
    assert new_lines(baseline, b"first run says hello\nthird\n") == [b"third"]
    err = capsys.readouterr().err
    assert bad_name in err and "skipped" in err
    (tmp_path / "m-good.log").unlink()
    with pytest.raises(InputError, match=bad_name):
        load(tmp_path)


def test_a_truncated_archive_gives_what_decodes_and_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = b"".join(_zst(GOOD) for _ in range(20))  # frames, as logtrim's archives hold
    path = tmp_path / "good.log.zst"
    path.write_bytes(data[: len(data) // 2 + 7])  # inside a frame
    shapes = load(path)
    assert len(shapes) > 0
    assert "truncated" in capsys.readouterr().err


def test_a_baseline_is_read_up_to_a_bound_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A decompression bomb given as a baseline would hold the step while it inflates: an
    input gives its first MAX_READ bytes (2 GiB; here a few kB), and a warning says so."""
    from logtrim.baseline import load as loader

    monkeypatch.setattr(loader, "MAX_READ", 4096)
    # More than a chunk of the reader's (1 MiB): the bound is checked between chunks.
    head = b"".join(b"copying file %d of the release\n" % i for i in range(60_000))
    path = tmp_path / "bomb.log.zst"
    path.write_bytes(_zst(head + b"a line only after the bound: kraken awakes\n" * 10))
    shapes = load(path)
    assert shape_hash(shape_of(b"copying file 7 of the release")) in shapes.hashes
    assert shape_hash(shape_of(b"a line only after the bound: kraken awakes")) not in shapes.hashes
    assert "only its first 4.1 kB are read as a baseline" in capsys.readouterr().err


def test_a_missing_baseline_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load(tmp_path / "nope.log")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no files"):
        load(tmp_path / "empty")


# The history store


def test_an_index_remembers_the_last_runs(tmp_path: Path) -> None:
    for run in range(store.KEEP_RUNS + 2):
        store.record(tmp_path, "deploy.sh-20240501-120000.log.zst", {run, 1000 + run})
    # Another run of the same step, another time in its default name: the same index.
    known = store.remembered(tmp_path, "deploy.sh-20240502-080000.log.zst")
    assert known == {r for run in range(2, store.KEEP_RUNS + 2) for r in (run, 1000 + run)}
    assert (
        store.index_path(tmp_path, "deploy.sh-20240503-1.log.zst").name
        == "deploy.sh.log.zst.shapes"
    )
    assert load(store.index_path(tmp_path, "deploy.sh.log.zst")).hashes == known


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "empty"])
def test_a_damaged_index_is_ignored_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    path = store.record(tmp_path, "step", set(range(100)))
    data = path.read_bytes()
    damaged = {
        "truncated": data[: len(data) - 20],
        "flipped": data[:30] + bytes([data[30] ^ 1]) + data[31:],
        "garbage": b"not an index at all\n",
        "empty": b"",
    }[damage]
    path.write_bytes(damaged)
    assert store.remembered(tmp_path, "step") is None
    err = capsys.readouterr().err
    if damage in ("garbage", "empty"):  # no index of ours (written by rename, never empty):
        # someone's file, never replaced
        assert err.count("\n") == 1 and "is no logtrim index (left alone)" in err
        with pytest.raises(OSError, match="left alone"):
            store.record(tmp_path, "step", {7})
        assert path.read_bytes() == damaged
        return
    assert err.count("\n") == 1 and "damaged" in err
    # The next successful run writes a good index again.
    store.record(tmp_path, "step", {7})
    assert store.remembered(tmp_path, "step") == {7}


_WRITER = """
import sys
from logtrim.baseline import store
folder, first = sys.argv[1], int(sys.argv[2])
store.KEEP_RUNS = 1000  # every run stays: a lost update would show as a missing run
for n in range(first, first + 40):
    store.record(folder, "step", set(range(n * 1000, n * 1000 + 2000)))
"""


@pytest.mark.slow
def test_runs_finishing_at_once_leave_an_intact_index(tmp_path: Path) -> None:
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(first)])
        for first in (0, 100, 200)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    runs = store.read_index(store.index_path(tmp_path, "step"))
    assert runs is not None
    # Every run landed whole: none was lost, torn or mixed with another.
    assert sorted(run[0] // 1000 for run in runs) == [
        n for first in (0, 100, 200) for n in range(first, first + 40)
    ]
    assert all(len(run) == 2000 and run[-1] - run[0] == 1999 for run in runs)
    assert [p.name for p in tmp_path.iterdir()] == ["step.shapes"]  # no lock or temp file left


#: An app logging through the handler with a good run's log as its baseline (argv[1]).
HANDLER_APP = """
import logging, sys
import logtrim
handler = logtrim.LogtrimHandler(sys.argv[2], budget="20MB", ci="plain", baseline=sys.argv[1])
logging.basicConfig(level=logging.INFO, handlers=[handler], format="%(message)s")
logging.info("connecting with H4ndlerS3cret")
handler.close()
"""


@pytest.mark.parametrize("form", ["plain", "gz", "zst", "directory"])
def test_the_handler_masks_what_its_baseline_declares(tmp_path: Path, form: str) -> None:
    """``run --baseline`` masks a secret its good run declared; the handler's ``baseline=``
    learned none (plain or compressed), and the app's record printed it in clear."""
    declares = (
        b"##octopus[setVariable name='UHc=' value='SDRuZGxlclMzY3JldA==' sensitive='VHJ1ZQ==']\n"
    )
    good = b"deploy step ok\n" + declares
    path = tmp_path / {"plain": "good.log", "gz": "good.log.gz", "zst": "good.log.zst",
                       "directory": "good/run-1.log"}[form]  # fmt: skip
    path.parent.mkdir(exist_ok=True)
    path.write_bytes({"gz": gzip.compress, "zst": _zst}.get(form, bytes)(good))
    baseline = path.parent if form == "directory" else path
    archive = tmp_path / "app.log.zst"
    result = subprocess.run(
        [sys.executable, "-c", HANDLER_APP, str(baseline), str(archive)],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    stored = decode_zstd(archive.read_bytes())
    for where in (result.stdout, result.stderr, stored):
        assert b"H4ndlerS3cret" not in where
    assert b"connecting with ********" in stored
