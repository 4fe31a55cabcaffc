"""Both ways of writing the archive (a forked writer on Linux, in-process elsewhere) agree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, zstd_dc
from octopus_decoder import messages

CHILD = (
    "import sys, time\n"
    "for i in range(3000): print(f'copy file {i:05d} to /var/www', flush=(i % 500 == 0))\n"
    "time.sleep(1.2)\n"
    "print('WARNING: slow disk', file=sys.stderr)\n"
    "sys.stdout.write('last line without newline')\n"
    "sys.exit(2)\n"
)
EXPECTED = (
    b"".join(f"copy file {i:05d} to /var/www\n".encode() for i in range(3000))
    + b"WARNING: slow disk\n"
    + b"last line without newline"
)


@pytest.mark.parametrize("no_fork", ["", "1"], ids=["forked-writer", "in-process"])
def test_archive_is_exact_and_published(tmp_path: Path, no_fork: str) -> None:
    """Byte-exact archive, correct createArtifact, the child's exit code: either way."""
    archive = tmp_path / "a.zst"
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "octopus", "--artifact", str(archive),
         "--", sys.executable, "-c", CHILD],
        env=clean_env({"LOGTRIM_NO_FORK": no_fork}), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    data = zstd_dc(archive)
    assert sorted(data.split(b"\n")) == sorted(EXPECTED.split(b"\n"))  # two pipes: any order
    assert data.replace(b"WARNING: slow disk\n", b"") == EXPECTED.replace(
        b"WARNING: slow disk\n", b""
    )
    artifact = [m for m in messages(result.stdout) if m.name == "createArtifact"]
    assert [m.attrs["length"] for m in artifact] == [str(archive.stat().st_size)]


@pytest.mark.parametrize("no_fork", ["", "1"], ids=["forked-writer", "in-process"])
def test_frames_end_every_second(tmp_path: Path, no_fork: str) -> None:
    """A pause of over a second ends a frame: the archive holds at least two of them."""
    archive = tmp_path / "a.zst"
    subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--artifact", str(archive), "--",
         sys.executable, "-c", CHILD],
        env=clean_env({"LOGTRIM_NO_FORK": no_fork}), capture_output=True, timeout=60,
    )  # fmt: skip
    raw = archive.read_bytes()
    assert raw.count(b"\x28\xb5\x2f\xfd") >= 2  # zstd frame magic


@pytest.mark.parametrize("name", ["d" * 251 + ".zst", "é" * 125 + ".zst"], ids=["ascii", "utf-8"])
def test_an_archive_name_as_long_as_a_file_name_may_be(tmp_path: Path, name: str) -> None:
    """A legal 255-byte name: its temporary file's name (which adds 14 bytes) was too long,
    and the run was refused (``File name too long``)."""
    archive = tmp_path / name
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "plain", "--artifact", str(archive),
         "--", sys.executable, "-c", "print('hello')"],
        env=clean_env(), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert zstd_dc(archive) == b"hello\n"
    assert [p.name for p in tmp_path.iterdir()] == [name]  # and no temporary file left


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--name", "", "--name: empty or blanks only"),
        ("--name", "   ", "--name: empty or blanks only"),
        ("--artifact", "-", "--artifact: the archive cannot go to stdout"),
        ("--artifact", "  ", "--artifact: '  ': a file name of blanks only"),
    ],
    ids=["empty-name", "blank-name", "dash-artifact", "blank-artifact"],
)
def test_a_name_of_nothing_or_an_artifact_on_stdout_is_refused(
    tmp_path: Path, option: str, value: str, says: str
) -> None:
    """A blank ``--name`` was published as a blank artifact name (an empty one fell back to
    the file's name unsaid); ``--artifact -`` made a file named ``-``. Each is exit 2, one
    line, before the command starts, and no file is made."""
    marker = tmp_path / "ran"
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", option, value, "--", "touch", str(marker)],
        env=clean_env(), capture_output=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.decode().startswith(f"logtrim: error: {says}")
    assert result.stderr.count(b"\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_trim_refuses_an_archive_on_stdout(tmp_path: Path) -> None:
    """``trim --artifact -`` made a file named ``-``: exit 2, one line, no file."""
    log = tmp_path / "a.log"
    log.write_bytes(b"hello\n")
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "trim", str(log), "--artifact", "-"],
        env=clean_env(), capture_output=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert (
        result.stderr
        == b"logtrim: error: --artifact: the archive cannot go to stdout; name a file\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.log"]


@pytest.mark.parametrize(
    ("file", "name"), [("app.log.zst", ""), ("app.log.zst", " \t"), ("  ", None)]
)
def test_the_handler_refuses_a_blank_artifact_name(
    tmp_path: Path, file: str, name: str | None
) -> None:
    import logtrim

    with pytest.raises(ValueError, match="blanks only"):
        logtrim.LogtrimHandler(str(tmp_path / file), name=name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("no_fork", ["0", "1"])
def test_an_archive_replaced_keeps_its_permissions(tmp_path: Path, no_fork: str) -> None:
    """``chmod 600`` on the last run's archive holds for the next run's, written over it."""
    art = tmp_path / "a.log.zst"
    argv = [sys.executable, "-m", "logtrim", "run", "--ci", "plain", "--artifact", str(art)]
    env = clean_env({"LOGTRIM_NO_FORK": no_fork})
    for line in ("first", "second"):
        done = subprocess.run(
            [*argv, "--", "echo", line], env=env, capture_output=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        if line == "first":
            art.chmod(0o600)
    assert art.stat().st_mode & 0o777 == 0o600
    assert zstd_dc(art) == b"second\n"
