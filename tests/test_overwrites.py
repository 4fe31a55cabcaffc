"""Files the user did not name are never replaced: ``trim``'s derived names in a directory,
the handler's archive path (issue 17: overwrites)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, decode_zstd


def _trim(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", "trim", *args],
        cwd=cwd, capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip


def _inputs(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_bytes(b"".join(b"%d\n" % i for i in range(100)))
    (tmp_path / "b.log").write_bytes(b"".join(b"%d\n" % i for i in range(50)))


def test_trim_refuses_to_replace_files_it_named_in_a_directory(tmp_path: Path) -> None:
    """``-o DIR --artifact DIR``: an existing ``a.trimmed.log`` or ``a.log.zst`` (even an
    archive) is refused (exit 2, one line, nothing written); ``--force`` replaces them."""
    _inputs(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.trimmed.log").write_bytes(b"my precious notes\n")
    first = _trim(tmp_path, "a.log", "b.log", "-o", "out", "--artifact", "out")
    assert first.returncode == 2, first.stderr
    assert first.stderr.count(b"\n") == 1 and b"a.trimmed.log exists" in first.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.trimmed.log"]
    assert (out / "a.trimmed.log").read_bytes() == b"my precious notes\n"

    (out / "a.trimmed.log").unlink()
    other = subprocess.run(["zstd", "-q", "-c"], input=b"my other archive\n",
                           capture_output=True, check=True).stdout  # fmt: skip
    (out / "a.log.zst").write_bytes(other)
    second = _trim(tmp_path, "a.log", "b.log", "-o", "out", "--artifact", "out")
    assert second.returncode == 2 and b"a.log.zst exists" in second.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.log.zst"]
    assert (out / "a.log.zst").read_bytes() == other

    forced = _trim(tmp_path, "a.log", "b.log", "-o", "out", "--artifact", "out", "--force")
    assert forced.returncode == 0, forced.stderr
    assert decode_zstd((out / "a.log.zst").read_bytes()) == (tmp_path / "a.log").read_bytes()
    assert (out / "a.trimmed.log").exists()


def test_refused_trim_leaves_nothing_behind(tmp_path: Path) -> None:
    """A usage error about the second input's artifact comes before any directory is made
    or any archive written."""
    _inputs(tmp_path)
    (tmp_path / "arch").mkdir()
    (tmp_path / "arch" / "b.log.zst").write_bytes(b"not zstd\n")
    proc = _trim(tmp_path, "a.log", "b.log", "-o", "out2", "--artifact", "arch")
    assert proc.returncode == 2 and b"b.log.zst" in proc.stderr
    assert not (tmp_path / "out2").exists()
    assert sorted(p.name for p in (tmp_path / "arch").iterdir()) == ["b.log.zst"]
    missing = _trim(tmp_path, "a.log", "nope.log", "-o", "out3", "--artifact", "arch3")
    assert missing.returncode == 3
    assert not (tmp_path / "out3").exists() and not (tmp_path / "arch3").exists()


def test_a_forced_trim_refused_for_a_link_writes_nothing(tmp_path: Path) -> None:
    """``trim a.log b.log -o DIR --force`` where ``DIR/b.trimmed.log`` is a link: the link is
    refused (never replaced), and so is the whole command, before it writes anything: it
    wrote (or replaced, with ``--force``) ``a.trimmed.log`` first."""
    _inputs(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "victim").write_bytes(b"VICTIM\n")
    (out / "a.trimmed.log").write_bytes(b"my precious notes\n")
    (out / "b.trimmed.log").symlink_to(tmp_path / "victim")
    proc = _trim(tmp_path, "a.log", "b.log", "-o", "out", "--force")
    assert proc.returncode == 2
    assert proc.stderr.count(b"\n") == 1 and b"b.trimmed.log is a symbolic link" in proc.stderr
    assert (out / "a.trimmed.log").read_bytes() == b"my precious notes\n"
    assert (tmp_path / "victim").read_bytes() == b"VICTIM\n"
    assert sorted(p.name for p in out.iterdir()) == ["a.trimmed.log", "b.trimmed.log"]


def test_trim_refuses_an_output_that_is_another_input(tmp_path: Path) -> None:
    """``trim a.log out/a.trimmed.log -o out --force``: a.log's output is the second input;
    written first, it replaced that input before it was read (its lines lost, exit 0)."""
    (tmp_path / "a.log").write_bytes(b"a\nerror x\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.trimmed.log").write_bytes(b"IMPORTANT second input line\n")
    proc = _trim(tmp_path, "a.log", "out/a.trimmed.log", "-o", "out", "--force", "--jobs", "1")
    assert proc.returncode == 2
    assert proc.stderr == (
        b"logtrim: error: -o out/a.trimmed.log is the same file as the input "
        b"out/a.trimmed.log: refusing\n"
    )
    assert (out / "a.trimmed.log").read_bytes() == b"IMPORTANT second input line\n"
    assert sorted(p.name for p in out.iterdir()) == ["a.trimmed.log"]


def test_handler_refuses_a_file_that_is_no_archive(tmp_path: Path) -> None:
    """``LogtrimHandler("notes.txt")`` on a text file raises, as ``run --artifact`` refuses
    it; the file is untouched, nothing else is left; ``force=True`` replaces it."""
    import pytest

    import logtrim

    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"precious notes\n")
    with pytest.raises(FileExistsError, match="not a zstd archive"):
        logtrim.LogtrimHandler(notes, stream=io.StringIO())
    assert notes.read_bytes() == b"precious notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    run = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--artifact", str(notes), "--", "true"],
        capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 2 and notes.read_bytes() == b"precious notes\n"
    handler = logtrim.LogtrimHandler(notes, stream=io.StringIO(), force=True)
    handler.close()
    assert decode_zstd(notes.read_bytes()) == b""


def test_handler_refuses_a_path_in_no_directory(tmp_path: Path) -> None:
    """As ``logging.FileHandler`` does, and as ``run --artifact`` refuses it (exit 2): with no
    archive, the records would all go to the console, past the budget."""
    import pytest

    import logtrim

    missing = tmp_path / "no-such-dir" / "app.log.zst"
    with pytest.raises(FileNotFoundError, match="no directory"):
        logtrim.LogtrimHandler(missing, budget="8kB", ci="plain", stream=io.StringIO())
    assert not missing.parent.exists()
    run = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--artifact", str(missing), "--", "true"],
        capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 2


def _run_default(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "logtrim", "run", *args],
        cwd=cwd, env=clean_env(env or {}), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_runs_started_at_once_each_keep_their_own_archive(tmp_path: Path) -> None:
    """Six runs without --artifact started together (the same second, most likely): six
    archives, each with its own run's output; none replaced another's."""
    runs = [
        _run_default(tmp_path, "--", sys.executable, "-c", f"print('output of run {i}')")
        for i in range(6)
    ]
    for run in runs:
        run.communicate(timeout=120)
        assert run.returncode == 0
    archives = sorted(tmp_path.glob("python*.log.zst"))
    assert len(archives) == 6
    contents = sorted(decode_zstd(a.read_bytes()) for a in archives)
    assert contents == sorted(f"output of run {i}\n".encode() for i in range(6))


@pytest.mark.skipif(sys.platform != "linux", reason="/proc takes no file on Linux")
def test_a_working_directory_that_takes_no_file_does_not_block_the_step(tmp_path: Path) -> None:
    """No --artifact, and the working directory cannot take one (read-only, as in many
    containers; /proc here, as even root cannot write there): the step runs and its archive
    goes to the temporary directory, with a warning naming it."""
    run = _run_default(Path("/proc"), "--", "sh", "-c", "echo STEP-RAN; exit 4",
                       env={"TMPDIR": str(tmp_path)})  # fmt: skip
    out, err = run.communicate(timeout=120)
    assert run.returncode == 4
    assert out.startswith(b"STEP-RAN\n")
    (archive,) = tmp_path.glob("sh-*.log.zst")
    assert decode_zstd(archive.read_bytes()) == b"STEP-RAN\n"
    assert f"it goes to {archive}".encode() in err


def test_a_run_refused_or_not_started_leaves_no_default_archive(tmp_path: Path) -> None:
    """The empty file that holds a default name is gone when the run does not happen."""
    too_small = _run_default(tmp_path, "--budget", "100", "--", "true")
    too_small.communicate(timeout=120)
    missing = _run_default(tmp_path, "--", "no-such-command-here")
    missing.communicate(timeout=120)
    assert (too_small.returncode, missing.returncode) == (2, 127)
    assert list(tmp_path.iterdir()) == []


def test_trim_refuses_an_output_that_is_its_stdin_or_its_other_output(tmp_path: Path) -> None:
    """``trim - -o build.log < build.log`` replaced the log with its trimmed copy, and
    ``-o x --artifact x`` wrote the trimmed text over the archive: each is exit 2, nothing
    written."""
    log = tmp_path / "build.log"
    log.write_bytes(b"".join(b"step %d done\n" % i for i in range(5000)))
    before = log.read_bytes()
    with log.open("rb") as stdin:
        result = subprocess.run(
            [sys.executable, "-m", "logtrim", "trim", "-", "-o", "build.log", "--budget", "4KB"],
            cwd=tmp_path, stdin=stdin, capture_output=True, env=clean_env(), check=False,
        )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert b"same file as the input (stdin)" in result.stderr
    assert log.read_bytes() == before
    result = _trim(tmp_path, "build.log", "-o", "x.out", "--artifact", "x.out")
    assert result.returncode == 2, result.stderr
    assert b"--artifact x.out is the same file as the -o file" in result.stderr
    assert not (tmp_path / "x.out").exists()


@pytest.mark.parametrize(
    "args",
    [("cat", "build.log"), ("trim", "build.log"), ("trim", "-o", "-", "build.log"),
     ("trim", "-")],
)  # fmt: skip
def test_a_command_whose_stdout_appends_to_its_input_is_refused(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """``logtrim cat build.log >> build.log`` read what it wrote as it wrote it: the file grew
    by gigabytes a second until the disk was full. Refused, as ``cat`` refuses it (exit 2),
    the file untouched; a stdin redirected from that file too."""
    _refused_on_its_input(tmp_path, args, "ab", 50_000)


@pytest.mark.parametrize(
    "args", [("stats", "build.log"), ("diff", "good.log", "build.log"), ("stats", "-")]
)
def test_a_report_whose_stdout_overwrites_its_input_is_refused(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """``logtrim stats build.log 1<> build.log`` (stdout opened on the input, not truncated)
    wrote the report over the log as it read it; ``cat`` and ``trim`` refused that already."""
    (tmp_path / "good.log").write_bytes(b"ERROR step 1 failed\n")
    _refused_on_its_input(tmp_path, args, "r+b", 5_000)


def _refused_on_its_input(tmp_path: Path, args: tuple[str, ...], mode: str, lines: int) -> None:
    """``logtrim ARGS`` with stdout opened on its input with ``mode`` (``ab``: ``>>``;
    ``r+b``: ``1<>``) and stdin read from it: refused (exit 2, one line), the file untouched."""
    log = tmp_path / "build.log"
    log.write_bytes(b"".join(b"ERROR step %d failed\n" % i for i in range(lines)))
    before = log.read_bytes()
    with log.open(mode) as stdout, log.open("rb") as stdin:
        result = subprocess.run(
            [sys.executable, "-m", "logtrim", *args], cwd=tmp_path, stdin=stdin,
            stdout=stdout, stderr=subprocess.PIPE, env=clean_env(), timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert b"refusing" in result.stderr and len(result.stderr.splitlines()) == 1
    assert log.read_bytes() == before


def test_diff_refuses_stdout_opened_on_a_file_of_its_good_runs(tmp_path: Path) -> None:
    """``diff goods bad.log 1<> goods/a.log`` wrote the report over a good run."""
    goods = tmp_path / "goods"
    goods.mkdir()
    (goods / "a.log").write_bytes(b"step 1 ok\n")
    (tmp_path / "bad.log").write_bytes(b"step 1 failed\n")
    with (goods / "a.log").open("r+b") as stdout:
        result = subprocess.run(
            [sys.executable, "-m", "logtrim", "diff", "goods", "bad.log"], cwd=tmp_path,
            stdout=stdout, stderr=subprocess.PIPE, env=clean_env(), timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert (goods / "a.log").read_bytes() == b"step 1 ok\n"
