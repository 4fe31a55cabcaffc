"""The index frame: a run with a baseline ends its archive with its line shapes, which the
next run loads instead of the whole archive; every zstd decoder still reads the archive whole."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env, examples, py
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim import LogtrimHandler
from logtrim.archive import trailer
from logtrim.baseline.load import load

# Many lines of a few shapes, and one line only a later, failing run prints.
STEP = """
import sys
for i in range(4000):
    print(f"copying file {i:05d}.dat to /srv/app/releases/{i % 7} ({i * 3} kB)")
    if i == 2000 and len(sys.argv) > 1:
        print(sys.argv[1])
sys.exit(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
"""
SILENT = "Using cached credentials from /home/deploy/.aws/config"
OPTIONS = ("--budget", "8kB")
WRITERS = {"forked": {}, "in-process": {"LOGTRIM_NO_FORK": "1"}}

needs_zstd = pytest.mark.skipif(shutil.which("zstd") is None, reason="needs the zstd tool")


def _good_run(run_logtrim: RunLogtrim, tmp_path: Path, env: dict[str, str]) -> Path:
    """A good run with a baseline (the first good run's log); its archive."""
    first = tmp_path / "first.log"
    first.write_text("copying file 1.dat to /srv/a/b (3 kB)\n")
    good = run_logtrim(*OPTIONS, "--baseline", str(first), "--", *py(STEP), env=env)
    assert good.code == 0, good.stderr
    assert good.artifact is not None
    return good.artifact


def _zstd(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["zstd", *args], capture_output=True, check=False, timeout=60)


@needs_zstd
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_the_archive_with_its_index_still_decodes_to_every_byte(
    run_logtrim: RunLogtrim, tmp_path: Path, writer: str
) -> None:
    archive = _good_run(run_logtrim, tmp_path, WRITERS[writer])
    output = subprocess.run(py(STEP), capture_output=True, check=True, env=clean_env()).stdout
    assert trailer.read(archive) is not None  # the run left its index
    assert _zstd("-t", "-q", str(archive)).returncode == 0
    assert _zstd("-dc", "-q", str(archive)).stdout == output
    cat = subprocess.run(
        [sys.executable, "-m", "logtrim", "cat", str(archive)],
        capture_output=True, check=True, env=clean_env(),
    )  # fmt: skip
    assert cat.stdout == output
    # The index holds what reading the whole archive finds.
    plain = tmp_path / "output.log"
    plain.write_bytes(output)
    assert load(archive).hashes == load(plain).hashes


def test_the_next_run_uses_the_archive_as_its_baseline(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    archive = _good_run(run_logtrim, tmp_path, {})
    bad = run_logtrim(*OPTIONS, "--baseline", str(archive), "--", *py(STEP), SILENT, "2")
    assert bad.code == 2
    assert SILENT.encode() in bad.stdout
    assert b"1 new line shape against the baseline" in bad.stdout
    assert b"warning" not in bad.stderr


def _damage(archive: Path, how: str) -> Path:
    data = archive.read_bytes()
    out = archive.with_name(f"{how}.zst")
    if how == "flipped":  # a bit of the shapes' check (before the 20-byte footer) changed
        cut = len(data) - 21
        out.write_bytes(data[:cut] + bytes([data[cut] ^ 1]) + data[cut + 1 :])
    elif how == "truncated":
        out.write_bytes(data[:-7])
    else:  # joined: another archive copied after this one
        out.write_bytes(data + data)
    return out


@pytest.mark.parametrize("how", ["flipped", "truncated", "joined"])
def test_an_unusable_index_frame_is_a_warning_and_the_archive_is_read_whole(
    run_logtrim: RunLogtrim, tmp_path: Path, how: str
) -> None:
    damaged = _damage(_good_run(run_logtrim, tmp_path, {}), how)
    bad = run_logtrim(*OPTIONS, "--baseline", str(damaged), "--", *py(STEP), SILENT, "2")
    assert bad.code == 2
    assert bad.stderr.count(b"warning") == 1, bad.stderr
    assert str(damaged).encode() in bad.stderr
    # The baseline still holds: only the new line is new.
    assert SILENT.encode() in bad.stdout
    assert b"1 new line shape against the baseline" in bad.stdout


def test_a_run_without_a_baseline_leaves_no_index(run_logtrim: RunLogtrim) -> None:
    plain = run_logtrim(*OPTIONS, "--", *py(STEP))
    assert plain.artifact is not None
    assert trailer.read(plain.artifact) is None


@needs_zstd
def test_the_handler_leaves_an_index_too(tmp_path: Path) -> None:
    good = tmp_path / "good.log"
    good.write_text("uploaded part 1 of 900\n")
    path = tmp_path / "h.log.zst"
    handler = LogtrimHandler(path, budget="8kB", stream=io.StringIO(), baseline=good)
    log = logging.getLogger("test_the_handler_leaves_an_index_too")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        for i in range(900):
            log.debug("uploaded part %d of 900", i)
    finally:
        log.removeHandler(handler)
        handler.close()
    assert trailer.read(path) is not None
    text = _zstd("-dc", "-q", str(path)).stdout
    assert text.count(b"uploaded part") == 900
    again = tmp_path / "again.log"
    again.write_bytes(text)
    assert load(path).hashes == load(again).hashes


@settings(max_examples=examples(60), deadline=None)
@given(st.binary(max_size=200), st.binary(max_size=300), st.integers(0, 400))
def test_a_trailer_reads_back_whole_or_not_at_all(
    tmp_path_factory: pytest.TempPathFactory, before: bytes, payload: bytes, cut: int
) -> None:
    path = tmp_path_factory.mktemp("trailer") / "a.zst"
    whole = before + trailer.frame(payload, len(before))
    path.write_bytes(whole)
    assert trailer.read(path) == payload
    path.write_bytes(whole[: max(len(whole) - cut, 0)])
    try:
        found = trailer.read(path)
    except trailer.TrailerError:
        return
    assert found is None or (cut == 0 and found == payload)


def test_cat_of_an_archive_whose_index_frame_is_cut_says_the_log_is_whole(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Only the index frame was cut: every byte of the log decodes, exit 0, and the warning
    does not call the log truncated."""
    archive = _good_run(run_logtrim, tmp_path, {})
    output = subprocess.run(py(STEP), capture_output=True, check=True, env=clean_env()).stdout
    cut = _damage(archive, "truncated")
    cat = subprocess.run(
        [sys.executable, "-m", "logtrim", "cat", str(cut)],
        capture_output=True, check=False, env=clean_env(),
    )  # fmt: skip
    assert cat.returncode == 0
    assert cat.stdout == output
    assert b"index frame at the end is cut; the log before it is whole" in cat.stderr
    assert b"truncated at the end" not in cat.stderr
