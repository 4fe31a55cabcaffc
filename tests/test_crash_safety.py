"""Issue 17, crashes before and after the child, files and resources: each item a real run.

Real processes, real files, real zstd. Memory figures for larger inputs are benchmarks
(benchmarks/figures/bombs.py); the bounds here use inputs small enough for every run.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import resource
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import zstandard
from conftest import RunLogtrim, clean_env, decode_zstd, py, zstd_dc

LOGTRIM = [sys.executable, "-m", "logtrim"]


def logtrim(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*LOGTRIM, *args], env=clean_env(env), capture_output=True, timeout=120, cwd=cwd
    )


def one_line_error(result: subprocess.CompletedProcess[bytes]) -> str:
    err = result.stderr.decode()
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("logtrim: error: ")
    return err


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# -- 8: --mask-env with bytes that are not UTF-8 ------------------------------------------------
def test_mask_env_value_that_is_not_utf8_is_masked_and_the_step_runs(tmp_path: Path) -> None:
    secret = b"\xff\xfe-s\xe9cret-value"
    env = {**clean_env(), "WEIRD": "x"}
    envb = {k.encode(): v.encode() for k, v in env.items()}
    envb[b"WEIRD"] = secret
    artifact = tmp_path / "a.zst"
    result = subprocess.run(
        [*LOGTRIM, "run", "--mask-env", "WEIRD", "--artifact", str(artifact), "--",
         "sh", "-c", 'printf "token=%s\\n" "$WEIRD"; exit 3'],
        env=envb, capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert b"Traceback" not in result.stderr
    assert b"token=********" in result.stdout
    assert secret not in result.stdout + result.stderr
    archive = decode_zstd(artifact.read_bytes())
    assert archive == b"token=********\n"


# -- 9: commands that exist but cannot be executed ---------------------------------------------
@pytest.mark.parametrize("case", ["enoexec", "eloop", "enametoolong", "directory"])
def test_unexecutable_command_is_one_line_126_or_127(tmp_path: Path, case: str) -> None:
    if case == "enoexec":
        command = tmp_path / "badbin"
        command.write_bytes(b"\x7fELF\x02\x01\x01junk")
        command.chmod(0o755)
        want = 126
    elif case == "eloop":
        command = tmp_path / "loop1"
        os.symlink(tmp_path / "loop2", command)
        os.symlink(command, tmp_path / "loop2")
        want = 126
    elif case == "enametoolong":
        command = Path("x" * 300)
        want = 127
    else:
        command = tmp_path / "adir"
        command.mkdir()
        want = 126
    artifact = tmp_path / "a.zst"
    result = logtrim("run", "--artifact", str(artifact), "--", str(command), cwd=tmp_path)
    assert result.returncode == want
    one_line_error(result)
    assert not artifact.exists()
    assert leftovers(tmp_path) == []


# -- 10: numbers are checked before the child starts -------------------------------------------
@pytest.mark.parametrize(
    "option", [("--drain-timeout", "nan"), ("--progress-interval", "nan"), ("--grace", "inf")]
)
def test_bad_numbers_stop_before_the_child(tmp_path: Path, option: tuple[str, str]) -> None:
    marker = tmp_path / "ran"
    result = logtrim("run", *option, "--artifact", str(tmp_path / "a.zst"), "--",
                     "touch", str(marker))  # fmt: skip
    assert result.returncode == 2
    one_line_error(result)
    assert not marker.exists()


@pytest.mark.parametrize("value", ["foo", "-3"])
def test_a_bad_verbatim_says_every_form_it_takes(tmp_path: Path, value: str) -> None:
    result = logtrim("run", "--verbatim", value, "--artifact", str(tmp_path / "a.zst"), "--",
                     "true")  # fmt: skip
    assert result.returncode == 2
    err = one_line_error(result)
    assert "1MB" in err and "0 to filter from the first line" in err and "auto" in err


# -- 11: logtrim started with stdout or stderr closed ------------------------------------------
@pytest.mark.parametrize("closed", ["1", "2", "0"])
def test_closed_standard_stream_still_runs_the_step(tmp_path: Path, closed: str) -> None:
    marker = tmp_path / "ran"
    artifact = tmp_path / "a.zst"
    inner = f"echo hi; echo oops >&2; touch {marker}; exit 5"
    cmd = f'"$@" run --artifact {artifact} -- sh -c "{inner}" {closed}>&-'
    result = subprocess.run(
        ["sh", "-c", cmd, "sh", *LOGTRIM], env=clean_env(), capture_output=True, timeout=60
    )
    assert result.returncode == 5, result.stderr
    assert marker.exists()
    assert b"Traceback" not in result.stdout + result.stderr
    assert decode_zstd(artifact.read_bytes()) in (b"hi\noops\n", b"oops\nhi\n")


@pytest.mark.parametrize(
    "args", [["cat", "{a}"], ["stats", "{a}"], ["trim", "{a}"], ["diff", "{a}", "{a}"]]
)
def test_a_command_whose_output_is_stdout_refuses_a_closed_stdout(
    tmp_path: Path, args: list[str]
) -> None:
    """``logtrim cat a.zst >&-``: the output would go nowhere, so the command says so and
    exits 4 (before, exit 0 and nothing written); ``trim -o FILE`` needs no stdout."""
    archive = tmp_path / "a.zst"
    archive.write_bytes(zstandard.ZstdCompressor().compress(b"one\ntwo\n"))
    argv = [x.format(a=archive) for x in args]
    cmd = '"$@" >&-'
    result = subprocess.run(["sh", "-c", cmd, "sh", *LOGTRIM, *argv], env=clean_env(),
                            capture_output=True, timeout=60)  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert (
        one_line_error(result).strip()
        == "logtrim: error: cannot write the output: stdout is closed"
    )
    if args[0] == "trim":
        out = tmp_path / "out.log"
        cmd = f'"$@" -o {out} >&-'
        result = subprocess.run(["sh", "-c", cmd, "sh", *LOGTRIM, *argv], env=clean_env(),
                                capture_output=True, timeout=60)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert out.read_bytes().startswith(b"one\ntwo\n")  # then the summary


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_console_on_a_full_disk_does_not_stop_the_step(tmp_path: Path) -> None:
    """A console that cannot be written (stdout redirected to a full disk) is no reader
    leaving: the step runs to its end as it would without logtrim, exits with its code,
    and the archive holds every line (before, the step died of SIGPIPE part-way)."""
    artifact = tmp_path / "a.zst"
    step = "for i in $(seq 1 20000); do echo line $i; done 2>/dev/null; echo all-done >&2; exit 7"
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [*LOGTRIM, "run", "--ci", "plain", "--artifact", str(artifact), "--",
             "bash", "-c", step],
            env=clean_env(), stdout=full, stderr=subprocess.PIPE, timeout=120,
        )  # fmt: skip
    assert result.returncode == 7, result.stderr
    archive = decode_zstd(artifact.read_bytes())
    assert archive.count(b"\n") == 20001
    assert b"all-done\n" in archive
    assert b"all-done" in result.stderr
    warnings = [ln for ln in result.stderr.splitlines() if b"cannot write to stdout" in ln]
    assert len(warnings) == 1, result.stderr
    assert b"Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("command", ["cat", "stats", "diff", "--version", "--help"])
def test_a_post_hoc_command_on_a_full_disk_is_an_output_error(tmp_path: Path, command: str) -> None:
    """stdout that cannot be written is exit 4 (as ``trim -o /dev/full``), in one line: not
    an internal error (exit 1 says logtrim has a bug)."""
    log = tmp_path / "in.log"
    log.write_bytes(b"".join(b"line %d\n" % i for i in range(50_000)))
    args = {"cat": [str(log)], "stats": [str(log)], "diff": [str(log), str(log)]}.get(command, [])
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [*LOGTRIM, command, *args], env=clean_env(), stdout=full, stderr=subprocess.PIPE,
            timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert result.stderr == b"logtrim: error: cannot write the output: No space left on device\n"


# -- 12: a device is not an archive path -------------------------------------------------------
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_device_as_artifact_is_a_usage_error(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = logtrim("run", "--artifact", "/dev/full", "--", "touch", str(marker))
    assert result.returncode == 2
    assert "not a regular file" in one_line_error(result)
    assert not marker.exists()


# -- 14: --artifact never destroys what is not an archive --------------------------------------
def test_artifact_refuses_to_overwrite_the_script(tmp_path: Path) -> None:
    script = tmp_path / "deploy.sh"
    body = "echo deploying\nexit 0\n"
    script.write_text(body)
    result = logtrim("run", "--artifact", str(script), "--", "bash", str(script))
    assert result.returncode == 2
    assert "--force" in one_line_error(result)
    assert script.read_text() == body
    assert leftovers(tmp_path) == []


def test_force_never_replaces_a_link_nor_writes_where_it_points(tmp_path: Path) -> None:
    # /dev/stdout is such a link, to a regular file when stdout is redirected to one:
    # --force must not swap the system's link for a file. Nor a link to an archive.
    victim = tmp_path / "victim.zst"
    victim.write_bytes(zstandard.ZstdCompressor().compress(b"precious\n"))
    os.mkfifo(tmp_path / "fifo")
    for target in (Path("/dev/null"), tmp_path, victim, tmp_path / "fifo", tmp_path / "gone"):
        link = tmp_path / f"to-{target.name}.zst"
        link.symlink_to(target)
        for force in ((), ("--force",)):
            refused = logtrim("run", *force, "--artifact", str(link), "--", "echo", "hi")
            assert refused.returncode == 2
            assert "symbolic link" in one_line_error(refused)
            assert link.is_symlink() and os.readlink(link) == str(target)
            assert refused.stdout == b""  # the script did not run
    assert decode_zstd(victim.read_bytes()) == b"precious\n"


def test_trim_output_writes_through_a_device_and_never_replaces_a_link(tmp_path: Path) -> None:
    log = tmp_path / "in.log"
    log.write_text("ERROR: boom\n")
    to_null = tmp_path / "null.log"
    to_null.symlink_to("/dev/null")
    done = logtrim("trim", str(log), "-o", str(to_null), "--artifact", str(tmp_path / "a.zst"))
    assert done.returncode == 0, done.stderr  # a device is written as it is, link kept
    assert to_null.is_symlink()
    victim = tmp_path / "victim.log"
    victim.write_text("precious\n")
    link = tmp_path / "out.log"
    link.symlink_to(victim)
    refused = logtrim("trim", str(log), "-o", str(link), "--force")
    assert refused.returncode == 2
    assert "symbolic link" in one_line_error(refused)
    assert link.is_symlink() and victim.read_text() == "precious\n"


def test_force_never_replaces_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "a.log.zst"
    os.mkfifo(fifo)
    refused = logtrim("run", "--force", "--artifact", str(fifo), "--", "echo", "hi")
    assert refused.returncode == 2
    assert "FIFO" in one_line_error(refused)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert refused.stdout == b""


def test_existing_archive_is_replaced_without_force(tmp_path: Path) -> None:
    artifact = tmp_path / "a.zst"
    artifact.write_bytes(zstandard.ZstdCompressor().compress(b"old run\n"))
    result = logtrim("run", "--artifact", str(artifact), "--", "echo", "new")
    assert result.returncode == 0
    assert decode_zstd(artifact.read_bytes()) == b"new\n"


@pytest.mark.parametrize("fork", ["forked", "in-process"])
def test_archive_appears_whole_under_its_name_only_at_the_end(tmp_path: Path, fork: str) -> None:
    artifact = tmp_path / "a.zst"
    env = clean_env({"LOGTRIM_NO_FORK": "1"} if fork == "in-process" else None)
    started = tmp_path / "started"
    child = (
        f"import time\nprint('first', flush=True)\nopen({str(started)!r}, 'w').close()\n"
        "time.sleep(1.5)\nprint('second')\n"
    )
    proc = subprocess.Popen(
        [*LOGTRIM, "run", "--artifact", str(artifact), "--", *py(child)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    during = leftovers(tmp_path)  # the child runs: its archive is being written
    assert not artifact.exists()  # a reader never sees a half file
    assert len(during) == 1 and during[0].startswith(".a.zst.")
    proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert decode_zstd(artifact.read_bytes()) == b"first\nsecond\n"
    assert leftovers(tmp_path) == []


# -- 15: two runs with the same --artifact at once ---------------------------------------------
def test_two_runs_with_one_artifact_leave_a_valid_archive(tmp_path: Path) -> None:
    artifact = tmp_path / "a.zst"
    child = "import sys\nfor i in range(20000): print(sys.argv[1], i)\n"
    runs = [
        subprocess.Popen(
            [*LOGTRIM, "run", "--artifact", str(artifact), "--", *py(child), name],
            env=clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for name in ("one", "two")
    ]
    for run in runs:
        run.communicate(timeout=60)
        assert run.returncode == 0
    expected = {
        name: "".join(f"{name} {i}\n" for i in range(20000)).encode() for name in ("one", "two")
    }
    assert decode_zstd(artifact.read_bytes()) in expected.values()
    result = logtrim("cat", str(artifact))
    assert result.returncode == 0
    assert result.stdout in expected.values()
    assert leftovers(tmp_path) == []


# -- 15/18: cat of what is not an archive ------------------------------------------------------
@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\x28\xb5\x2f\xfd" + os.urandom(2000), id="zstd-header-then-junk"),
        pytest.param(b"\x1f\x8b", id="gzip-header-only"),
        pytest.param(b"\x1f\x8b\xff\xff" + b"junk" * 10, id="gzip-header-then-junk"),
        pytest.param(b"\x00" + os.urandom(5000), id="random-bytes"),
    ],
)
def test_cat_of_a_damaged_or_foreign_file_exits_3(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "run.log.zst"
    path.write_bytes(content)
    result = logtrim("cat", str(path))
    assert result.returncode == 3
    one_line_error(result)
    assert result.stdout == b""


def test_cat_of_an_empty_run_archive_is_fine(tmp_path: Path) -> None:
    artifact = tmp_path / "a.zst"
    assert logtrim("run", "--artifact", str(artifact), "--", "true").returncode == 0
    result = logtrim("cat", str(artifact))
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


def test_cat_keeps_nul_bytes_of_an_archive(tmp_path: Path) -> None:
    artifact = tmp_path / "a.zst"
    artifact.write_bytes(zstandard.ZstdCompressor().compress(b"\x00\x01 binary\n"))
    result = logtrim("cat", str(artifact))
    assert (result.returncode, result.stdout) == (0, b"\x00\x01 binary\n")


# -- 16: an output that is the input -----------------------------------------------------------
@pytest.mark.parametrize("how", ["-o", "--artifact", "-o-via-symlink"])
def test_trim_refuses_to_overwrite_its_input(tmp_path: Path, how: str) -> None:
    log = tmp_path / "a.log"
    data = "".join(f"line {i}\n" for i in range(50000)).encode()
    log.write_bytes(data)
    if how == "-o-via-symlink":
        alias = tmp_path / "alias.log"
        alias.symlink_to(log)
        args = ["trim", str(alias), "-o", str(log)]
    else:
        args = ["trim", str(log), how, str(log)]
    result = logtrim(*args)
    assert result.returncode == 2
    assert "same file" in one_line_error(result)
    assert log.read_bytes() == data


# -- 17: trim -o to a path that cannot be created ----------------------------------------------
def test_trim_to_a_bad_path_is_a_usage_error_and_leaves_nothing(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("hello\n")
    result = logtrim("trim", str(log), "-o", str(tmp_path / "no" / "out.log"))
    assert result.returncode == 2
    assert "cannot create" in one_line_error(result)
    out = tmp_path / "out.log"
    result = logtrim("trim", str(log), "-o", str(out), "--artifact", "/no/such/dir/a.zst")
    assert result.returncode == 2
    one_line_error(result)
    assert not out.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="POSIX")
def test_trim_output_that_fills_up_is_exit_4_and_removed(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    words = [bytes(random.choices(b"abcdefghijklmnopqrstuvwxyz", k=12)) for _ in range(5000)]
    log.write_bytes(b"".join(b"ERROR: failed to copy %s\n" % word for word in words))
    out = tmp_path / "out.log"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2_000, 2_000))

    result = subprocess.run(
        [*LOGTRIM, "trim", str(log), "-o", str(out)],
        env=clean_env(), capture_output=True, timeout=120, preexec_fn=limit,
    )  # fmt: skip
    assert result.returncode == 4
    assert "cannot write" in one_line_error(result)
    assert not out.exists()
    assert leftovers(tmp_path) == []


# -- 18: binary input --------------------------------------------------------------------------
def test_trim_refuses_binary_input_unless_told(tmp_path: Path) -> None:
    binary = tmp_path / "prog"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + os.urandom(4000))
    refused = logtrim("trim", str(binary))
    assert refused.returncode == 3
    assert "--binary" in one_line_error(refused)
    assert refused.stdout == b""
    assert logtrim("stats", str(binary)).returncode == 3
    forced = logtrim("trim", "--binary", str(binary))
    assert forced.returncode == 0


@pytest.mark.parametrize(
    "text",
    [
        b"INFO start\n\x00\x01 header\nERROR: boom\n",  # a NUL near the start: binary
        b"INFO start\n" * 4000 + b"\x00 late NUL\nERROR: boom\n",  # past the first 32 kB: text
        b"INFO start\nERROR: boom\n",
    ],
)
def test_a_file_and_its_compressed_copies_are_binary_alike(tmp_path: Path, text: bytes) -> None:
    """``trim``/``stats`` decide on the decoded text: ``a.log``, ``a.log.gz`` and
    ``a.log.zst`` (made by the real tools) are refused alike, or read alike."""
    plain = tmp_path / "a.log"
    plain.write_bytes(text)
    subprocess.run(["gzip", "-k", str(plain)], check=True)
    subprocess.run(["zstd", "-q", "-k", str(plain)], check=True)
    copies = [plain, tmp_path / "a.log.gz", tmp_path / "a.log.zst"]
    for command in (["trim"], ["stats"], ["trim", "--binary"], ["stats", "--binary"]):
        results = [logtrim(*command, str(path)) for path in copies]
        codes = {r.returncode for r in results}
        assert len(codes) == 1, (command, [r.stderr for r in results])
        if codes == {3}:
            assert all("binary file" in one_line_error(r) for r in results)
        elif command[0] == "trim":
            assert results[0].stdout == results[1].stdout == results[2].stdout


# -- 19: decompression bombs and lines without end ---------------------------------------------
RSS = textwrap.dedent(
    """
    import resource, subprocess, sys
    p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    sys.stderr.buffer.write(p.stderr)
    """
)


def peak_rss_mb(tmp_path: Path, *args: str) -> float:
    wrapper = tmp_path / "rss.py"
    wrapper.write_text(RSS)
    proc = subprocess.run(
        [sys.executable, str(wrapper), *LOGTRIM, *args],
        env=clean_env(), capture_output=True, timeout=300,
    )  # fmt: skip
    code, kb = (int(x) for x in proc.stdout.split())
    assert code == 0, proc.stderr[-2000:]
    return kb / 1024


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """256 MiB of zeros in a few kB of zstd."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.log.zst"
    with open(path, "wb") as file:
        writer = zstandard.ZstdCompressor(level=19).stream_writer(file)
        zeros = bytes(1 << 24)
        for _ in range(16):
            writer.write(zeros)
        writer.flush(zstandard.FLUSH_FRAME)
    return path


@pytest.fixture(scope="module")
def long_line(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 48 MB line, zstd-compressed."""
    path = tmp_path_factory.mktemp("line") / "line.log.zst"
    line = (b"ERROR abc 0123 def 4567 " * (2 << 20)) + b"\n"
    path.write_bytes(zstandard.ZstdCompressor(level=3).compress(line))
    return path


@pytest.mark.parametrize("command", [["cat"], ["trim", "--binary"], ["stats", "--binary"]])
def test_a_decompression_bomb_is_read_in_bounded_memory(
    tmp_path: Path, bomb: Path, command: list[str]
) -> None:
    assert peak_rss_mb(tmp_path, *command, str(bomb)) <= 128


@pytest.mark.parametrize("command", [["cat"], ["trim"], ["stats"]])
def test_a_huge_line_is_read_in_pieces_in_bounded_memory(
    tmp_path: Path, long_line: Path, command: list[str]
) -> None:
    assert peak_rss_mb(tmp_path, *command, str(long_line)) <= 128


# -- 22: the handler in a forked child ---------------------------------------------------------
FORKING_APP = """
import logging, os, sys
from logtrim import LogtrimHandler
handler = LogtrimHandler(sys.argv[1], ci="octopus", flush_seconds=60)
log = logging.getLogger("app")
log.addHandler(handler)
log.setLevel(logging.DEBUG)
log.info("before the fork")
log.debug("buffered detail")
pid = os.fork()
if pid == 0:
    log.info("in the child")
    logging.shutdown()
    os._exit(0) if sys.argv[2] == "_exit" else sys.exit(0)
os.waitpid(pid, 0)
log.info("parent after the fork")
logging.shutdown()
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("ending", ["exit", "_exit"])
def test_a_forked_child_writes_nothing_of_the_parents(tmp_path: Path, ending: str) -> None:
    artifact = tmp_path / "app.log.zst"
    result = subprocess.run(
        [sys.executable, "-c", FORKING_APP, str(artifact), ending],
        env=clean_env(), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(b"createArtifact") == 1
    archive = decode_zstd(artifact.read_bytes())
    assert archive.count(b"before the fork") == 1
    assert archive.count(b"buffered detail") == 1
    assert b"parent after the fork" in archive
    assert b"in the child" not in archive  # the child's records are its own
    assert b"in the child" in result.stdout
    # ... and it says so, once: nothing else would tell that the archive lacks them
    assert result.stderr.count(b"was forked from the one that writes") == 1, result.stderr


def test_summary_printed_once_by_a_forking_app(tmp_path: Path) -> None:
    artifact = tmp_path / "app.log.zst"
    result = subprocess.run(
        [sys.executable, "-c", FORKING_APP, str(artifact), "exit"],
        env=clean_env(), capture_output=True, timeout=60,
    )  # fmt: skip
    summaries = [line for line in result.stdout.splitlines() if b" lines (" in line]
    assert len(summaries) == 1, result.stdout.decode()


def test_run_result_unchanged_for_ordinary_steps(run_logtrim: RunLogtrim) -> None:
    """The temporary-name dance is invisible to an ordinary run."""
    result = run_logtrim("--", *py("print('ok')"))
    assert result.code == 0
    assert result.archive == b"ok\n"
    assert result.artifact is not None and leftovers(result.artifact.parent) == []


# -- 20: error floods once the error tier is closed --------------------------------------------
def _flood(seed: int, mix: str) -> bytes:
    rng = random.Random(seed)
    out = []
    for i in range(30000):
        r = rng.random()
        if mix == "tracebacks" and r < 0.01:
            out.append(
                'Traceback (most recent call last):\n  File "x.py", line 3\nValueError: bad\n'
            )
            continue
        if mix == "long" and r < 0.01:
            out.append("ERROR " + "y" * rng.randint(1000, 6000) + "\n")  # cut at 2.5 kB
            continue
        level = "ERROR" if r < 0.6 or mix == "errors" else ("WARNING" if r < 0.8 else "INFO")
        word = rng.choice(["a", "bb", "ccc"]) if mix != "repeats" else "same"
        indent = "  " if mix == "indented" and r < 0.3 else ""
        end = "\r\n" if mix == "crlf" else "\n"
        out.append(f"{indent}{level} job {i} {word} failed{end}")
    return "".join(out).encode()


def _console(data: bytes, lean: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, object]:
    from logtrim.engine.core import STDOUT, Core
    from logtrim.engine.flow import flood
    from logtrim.engine.policy import Policy

    with monkeypatch.context() as patch:
        if not lean:
            patch.setattr(flood, "closed", lambda *_: False)
        core = Core(Policy(budget=20_000))
        emits, now = [], 0.0
        for start in range(0, len(data), 65536):
            now += 0.01
            emits += core.feed(STDOUT, data[start : start + 65536], now)[1]
        emits += core.finish_input(now)[1]
        emits += core.close(1, now + 1, timed=False)[0]
        return b"".join(data for _, data in emits), core.tally


@pytest.mark.parametrize(
    "mix", ["errors", "mixed", "tracebacks", "long", "repeats", "indented", "crlf"]
)
def test_lean_error_path_prints_what_the_exact_path_prints(
    mix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cheap path taken once errors no longer fit changes the cost, not the console."""
    data = _flood(17, mix)
    lean, lean_tally = _console(data, True, monkeypatch)
    exact, exact_tally = _console(data, False, monkeypatch)
    assert lean == exact
    assert lean_tally == exact_tally


@pytest.mark.parametrize("lines", [2_000_000, 40_000])
def test_cat_into_a_reader_that_leaves_is_141_without_a_traceback(
    tmp_path: Path, lines: int
) -> None:
    """Also for output written in one piece (600 kB), under ``PYTHONUNBUFFERED=1`` (as the
    tests run, and many CI images): stdout is then a raw file whose write took the pipe's
    64 kB and returned, and the rest was dropped with exit 0."""
    archive = tmp_path / "a.zst"
    archive.write_bytes(zstandard.ZstdCompressor().compress(b"line of output\n" * lines))
    proc = subprocess.Popen(
        [*LOGTRIM, "cat", str(archive)],
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(15) == b"line of output\n"
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141
    assert err == b""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the writer in /proc")
def test_a_killed_archive_writer_is_taken_over_and_the_loss_told(tmp_path: Path) -> None:
    """The forked writer dies of SIGKILL mid-run: ``run`` writes the rest of the archive
    itself, keeps the writer's whole frames, and says how many bytes went missing."""
    art = tmp_path / "k.log.zst"
    proc, writer = _run_to_first_frame(art, 80, 0.05, 0)
    os.kill(writer, 9)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == [art.name]  # in place, no temporary left
    full = b"".join(f"line {i:03d}\n".encode() for i in range(80))
    assert _missing_as_told(full, zstd_dc(art), err)[1] > 0  # its whole frames kept
    assert b"line 079" in out


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the writer in /proc")
def test_a_stopped_archive_writer_is_killed_and_taken_over(tmp_path: Path) -> None:
    """The forked writer is stopped (SIGSTOP, a debugger, a freezer) mid-run: ``run`` waited
    for it without end, and the step hung until the CI's timeout. After 10 s stopped it is
    killed and the archive taken over as for a killed writer, with the bytes still in its
    pipe; the exit code is the command's."""
    art = tmp_path / "s.log.zst"
    # The child writes for 6 s: on a busy machine the writer's first frame may come late.
    proc, writer = _run_to_first_frame(art, 300, 0.02, 3)
    os.kill(writer, signal.SIGSTOP)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(OSError):
            os.kill(writer, signal.SIGKILL)
    assert proc.returncode == 3
    assert b"the archive writer was stopped for 10 s and killed" in err
    # What it never read is read back from its pipe: only what it had read and not yet
    # stored is missing (at most a read of the writer: the child writes a line at a time,
    # and the writer was stopped waiting for more).
    full = b"".join(f"line {i:03d}\n".encode() for i in range(300))
    assert _missing_as_told(full, zstd_dc(art), err)[0] <= 2 * len(b"line 000\n")
    assert b"line 299" in out


def _run_to_first_frame(
    art: Path, lines: int, pause: float, code: int
) -> tuple[subprocess.Popen[bytes], int]:
    """``run`` of a child printing ``lines`` lines a ``pause`` apart, then exiting ``code``,
    once the writer stored its first frame; and the writer's pid."""
    child = (
        f"import sys, time\nfor i in range({lines}): print(f'line {{i:03d}}', flush=True); "
        f"time.sleep({pause})\nsys.exit({code})\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "logtrim", "run", "--ci", "plain", "--artifact", str(art), "--",
         sys.executable, "-c", child],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not any(p.stat().st_size for p in art.parent.glob(".*.tmp")):  # its first frame
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            _, err = proc.communicate()  # (its pipes closed: no warning in a later test)
            pytest.fail(f"no frame while the run ran: {proc.returncode}, {err[-400:]!r}")
        time.sleep(0.02)
    return proc, _forked_writer(proc.pid)


def _missing_as_told(full: bytes, kept: bytes, err: bytes) -> tuple[int, int]:
    """At most one stretch of ``full`` is missing from ``kept``: the warning gives its size
    and where it starts, or says nothing is ((0, len(full)) then)."""
    assert kept.endswith(full[full.rfind(b"\n", 0, len(full) - 1) + 1 :])
    if b"nothing is missing from it" in err:
        assert kept == full
        return 0, len(full)
    told = re.search(rb"([\d,]+) bytes of output after its first ([\d,]+) are missing", err)
    assert told is not None, err
    lost, head = (int(n.replace(b",", b"")) for n in told.groups())
    assert lost == len(full) - len(kept)
    assert full[:head] + full[head + lost :] == kept
    return lost, head


def _forked_writer(pid: int) -> int:
    """The child of logtrim's process ``pid`` that is logtrim's own (not the command)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        for kid in (task / "children").read_text().split():
            if "logtrim" in Path(f"/proc/{kid}/cmdline").read_bytes().decode(errors="replace"):
                return int(kid)
    raise AssertionError("no forked writer")


@pytest.mark.parametrize("forked", [True, False])
def test_an_archive_that_cannot_be_put_in_place_is_said_and_not_published(
    tmp_path: Path, forked: bool
) -> None:
    """The archive's temporary file is removed while the step runs (a cleaner of temporary
    files): the final rename fails. logtrim says so and publishes nothing; the forked
    writer ignored the failure, and the CI was told to publish whatever the path held (a
    previous run's archive, or no file at all)."""
    out = tmp_path / "out"
    out.mkdir()
    child = (
        "import pathlib, time; print('NEW RUN', flush=True); time.sleep(0.5); "
        "[p.unlink() for p in pathlib.Path('out').glob('.a.zst.*.tmp')]; raise SystemExit(3)"
    )
    env = clean_env({} if forked else {"LOGTRIM_NO_FORK": "1"})
    argv = ["run", "--ci", "octopus", "--artifact", "out/a.zst", "--", *py(child)]
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", *argv],
        cwd=tmp_path, env=env, capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 3
    assert b"archive cannot be written" in result.stderr
    assert b"createArtifact" not in result.stdout
    assert not (out / "a.zst").exists()
