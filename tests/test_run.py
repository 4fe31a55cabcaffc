"""``logtrim run`` end to end with real child processes (issue 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES, RunLogtrim, clean_env, py, zstd_dc
from octopus_decoder import messages

DEPLOY = str(SAMPLES / "deploy.py")
DEPLOY_LINES = "215000"  # about 30 MB of output


@pytest.fixture(scope="module")
def deploy_reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """The sample step's output on its own (deterministic), stdout and stderr merged."""
    cwd = tmp_path_factory.mktemp("deploy")  # the step prints its working directory
    proc = subprocess.run(
        ["sh", "-c", f"python3 {DEPLOY} --lines {DEPLOY_LINES} --fail 2>&1"],
        cwd=cwd,
        capture_output=True,
        env=clean_env(),
        check=False,
        timeout=120,
    )
    assert proc.returncode == 3
    return cwd, proc.stdout


@pytest.mark.slow
def test_acceptance_noisy_deploy_under_budget(
    run_logtrim: RunLogtrim, deploy_reference: tuple[Path, bytes]
) -> None:
    """A 30 MB failing deploy: exit 3, console under 1 MB with the errors, archive exact."""
    cwd, reference = deploy_reference
    assert 25_000_000 < len(reference) < 40_000_000
    result = run_logtrim(
        "--ci", "octopus", "--budget", "1MB", "--",
        "sh", "-c", f"python3 {DEPLOY} --lines {DEPLOY_LINES} --fail 2>&1; exit 3",
        timeout=120, cwd=cwd,
    )  # fmt: skip
    assert result.code == 3
    assert len(result.stdout) + len(result.stderr) <= 1_000_000
    out = result.stdout
    assert b"Traceback (most recent call last):" in out
    assert b"SmokeTestError: POST https://shop-api.internal/api/orders returned 500" in out
    assert b"ERROR Smoke test failed: POST /api/orders returned 500" in out
    assert b"ERROR:   rolling back shop-api to 4.11.2" in out
    assert b"ConnectionResetError(104" in out  # the retried upload error in the middle
    # Exact, but for the password in the sample's database URLs (masked undeclared).
    in_url = b"postgres://deploy:s3cr3t-Pa55w0rd@"
    assert in_url in reference
    masked = reference.replace(in_url, b"postgres://deploy:********@")
    assert result.archive == masked
    assert result.artifact is not None
    assert zstd_dc(result.artifact) == masked
    created = [m for m in messages(out) if m.name == "createArtifact"]
    assert len(created) == 1
    assert created[0].attrs["path"] == str(result.artifact.resolve())
    assert os.path.isabs(created[0].attrs["path"])
    assert created[0].attrs["length"] == str(result.artifact.stat().st_size)
    assert created[0].attrs["name"] == result.artifact.name


@pytest.mark.slow
def test_acceptance_traceback_stays_on_stderr(run_logtrim: RunLogtrim) -> None:
    """Without 2>&1 the traceback the step prints on stderr reaches logtrim's stderr."""
    result = run_logtrim(
        "--ci", "octopus", "--budget", "1MB", "--",
        "sh", "-c", f"python3 {DEPLOY} --lines 20000 --fail; exit 3",
    )  # fmt: skip
    assert result.code == 3
    assert b"Traceback (most recent call last):" in result.stderr
    assert b"SmokeTestError:" in result.stderr
    assert b"Traceback" not in result.stdout.split(b"[logtrim] --- last")[0]
    assert b"ERROR Smoke test failed" in result.stdout
    assert result.archive.count(b"\n") == result.archive.count(b"\n")  # decodes
    assert b"SmokeTestError:" in result.archive


def test_defaults_print_one(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """`logtrim run -- python3 -c 'print(1)'` works with defaults and says where the archive is."""
    result = run_logtrim("--", "python3", "-c", "print(1)", artifact=False, cwd=tmp_path)
    assert result.code == 0
    assert result.stdout.startswith(b"1\n")
    files = sorted(tmp_path.glob("python3-*.log.zst"))
    assert len(files) == 1, list(tmp_path.iterdir())
    assert str(files[0]) in result.stdout.decode()
    assert zstd_dc(files[0]) == b"1\n"
    assert result.stderr == b""


def test_python_dash_m_logtrim_and_console_script_agree(tmp_path: Path) -> None:
    """`python -m logtrim` and the `logtrim` script are the same program."""
    script = Path(sys.executable).parent / "logtrim"
    for argv in ([str(script)], [sys.executable, "-m", "logtrim"]):
        proc = subprocess.run(
            [*argv, "--version"], capture_output=True, env=clean_env(), check=False
        )
        assert proc.returncode == 0
        assert proc.stdout.startswith(b"logtrim ")


def test_logtrim_alone_prints_its_help() -> None:
    """``logtrim`` with no command prints the help ``--help`` prints, on stdout, exit 0: it
    was one error line with the help's newlines written as ``\\n``, exit 2."""
    script = Path(sys.executable).parent / "logtrim"
    alone = subprocess.run([str(script)], capture_output=True, env=clean_env(), check=False)
    helped = subprocess.run(
        [str(script), "--help"], capture_output=True, env=clean_env(), check=False
    )
    assert alone.returncode == 0
    assert alone.stderr == b""
    assert alone.stdout == helped.stdout
    assert b"Commands" in alone.stdout and b"\\n" not in alone.stdout


@pytest.mark.parametrize("code", [0, 1, 3, 42, 255])
def test_exit_code_is_the_childs(run_logtrim: RunLogtrim, code: int) -> None:
    """The step's exit code is logtrim's exit code."""
    result = run_logtrim("--", *py(f"import sys; sys.exit({code})"))
    assert result.code == code


def test_child_killed_by_signal_gives_128_plus_n(run_logtrim: RunLogtrim) -> None:
    """A step that dies of SIGTERM makes logtrim exit 143, like a shell."""
    result = run_logtrim("--", *py("import os, signal; os.kill(os.getpid(), signal.SIGTERM)"))
    assert result.code == 128 + 15


def test_streams_stay_separate(run_logtrim: RunLogtrim) -> None:
    """stdout lines stay on stdout and stderr lines on stderr (Octopus gives them meaning)."""
    code = (
        "import sys\n"
        "print('ERROR: out-one', flush=True)\n"
        "print('ERROR: err-one', file=sys.stderr, flush=True)\n"
        "print('ERROR: out-two', flush=True)\n"
    )
    result = run_logtrim("--ci", "plain", "--", *py(code))
    assert b"ERROR: out-one\n" in result.stdout
    assert b"ERROR: out-two\n" in result.stdout
    assert b"err-one" not in result.stdout
    assert b"ERROR: err-one\n" in result.stderr
    assert result.stdout.index(b"out-one") < result.stdout.index(b"out-two")
    assert sorted(result.archive.splitlines()) == [
        b"ERROR: err-one",
        b"ERROR: out-one",
        b"ERROR: out-two",
    ]


def test_archive_holds_every_byte_in_arrival_order(run_logtrim: RunLogtrim) -> None:
    """The archive has both streams' bytes in the order the step wrote them."""
    code = (
        "import sys, time\n"
        "time.sleep(0.5)\n"
        "for i in range(20):\n"
        "    s = sys.stdout if i % 2 == 0 else sys.stderr\n"
        "    s.write(f'line {i}\\n'); s.flush(); time.sleep(0.05)\n"
    )
    result = run_logtrim("--", *py(code))
    assert result.archive == b"".join(f"line {i}\n".encode() for i in range(20))


def test_partial_writes_become_one_console_line(run_logtrim: RunLogtrim) -> None:
    """A line written in two halves shows as one whole line."""
    code = (
        "import sys, time\n"
        "sys.stdout.write('ERROR: first ha'); sys.stdout.flush(); time.sleep(0.3)\n"
        "sys.stdout.write('lf and second half\\n'); sys.stdout.flush()\n"
    )
    result = run_logtrim("--ci", "plain", "--", *py(code))
    assert b"ERROR: first half and second half\n" in result.stdout


def test_last_line_without_newline_is_kept(run_logtrim: RunLogtrim) -> None:
    """Output that ends without a newline is archived as is and still shown."""
    result = run_logtrim("--", *py("import sys; sys.stdout.write('ERROR: no newline')"))
    assert result.archive == b"ERROR: no newline"
    assert b"ERROR: no newline\n" in result.stdout


def test_each_streams_last_line_keeps_its_own_line(run_logtrim: RunLogtrim) -> None:
    """Both streams end without a newline: the archive (and ``logtrim cat``) shows each last
    line on a line of its own, never run together; the only byte added is the newline
    between them."""
    code = (
        "import os, time\n"
        "os.write(1, b'Deploying shop-api\\nuploading 80%'); time.sleep(0.3)\n"
        "os.write(2, b'warning: retry\\nconnection reset')\n"
    )
    result = run_logtrim("--", *py(code))
    # A line waits for its newline: the unended ones come last, in the order of the streams.
    assert result.archive == b"Deploying shop-api\nwarning: retry\nuploading 80%\nconnection reset"
    assert result.artifact is not None
    shown = subprocess.run(
        [sys.executable, "-m", "logtrim", "cat", str(result.artifact)],
        capture_output=True, env=clean_env(), check=True,
    ).stdout  # fmt: skip
    assert shown.splitlines() == result.archive.splitlines()


def test_first_lines_are_shown(run_logtrim: RunLogtrim) -> None:
    """The first lines of a run show how the step started."""
    first = ["Deploying shop-api", "Target web-prod-03", "Release candidate rc3", "Using agent"]
    code = f"for t in {first!r}: print(t)\n" + (
        "for i in range(1000): print(f'copying file {i:05d}.dat')"
    )
    result = run_logtrim("--head", "4", "--verbatim", "0", "--", *py(code))
    for text in first:
        assert f"{text}\n".encode() in result.stdout
    assert b"copying file 00500.dat" not in result.stdout
    assert result.archive.count(b"\n") == 1004


def test_gap_marker_says_how_much_is_held_back(run_logtrim: RunLogtrim) -> None:
    """Hidden lines are announced with a count, not silently dropped."""
    code = "for i in range(1000): print(f'copying file {i:05d}.dat')\nprint('ERROR: disk full')\n"
    result = run_logtrim("--head", "2", "--context", "0", "--verbatim", "0", "--", *py(code))
    assert b"ERROR: disk full" in result.stdout
    assert b"998 lines" in result.stdout
    assert b"not shown" in result.stdout


@pytest.mark.parametrize(
    "line",
    [
        "ERROR: could not connect to db-01",
        "fatal: repository not found",
        "07: Tests FAILED",
        "System.InvalidOperationException: boom",
        "npm ERR! code ELIFECYCLE",
        "src/main.c:42: error: expected ';' before '}' token",
        "panic: runtime error: index out of range",
        "WARNING: disk 91% full",
        "Error: connect ECONNREFUSED 127.0.0.1:5432",
    ],
)
def test_error_and_warning_forms_are_shown(run_logtrim: RunLogtrim, line: str) -> None:
    """Common error and warning lines buried in noise reach the console."""
    code = (
        "for i in range(300): print(f'copying file {i:05d}.dat')\n"
        f"print({line!r})\n"
        "for i in range(300): print(f'copying asset {i:05d}.png')\n"
    )
    result = run_logtrim("--head", "0", "--", *py(code))
    assert (line + "\n").encode() in result.stdout


def test_noise_is_archive_only(run_logtrim: RunLogtrim) -> None:
    """Plain chatter of a successful step stays out of the console."""
    code = "for i in range(5000): print(f'copying file {i:05d}.dat')"
    result = run_logtrim("--head", "3", "--verbatim", "0", "--", *py(code))
    assert result.code == 0
    assert b"copying file 02500.dat" not in result.console
    assert b"copying file 02500.dat\n" in result.archive
    assert len(result.console) < 2000


def test_python_traceback_kept_as_block(run_logtrim: RunLogtrim) -> None:
    """A Python traceback in noise is shown whole, frames included."""
    code = (
        "import sys\n"
        "for i in range(300): print(f'copying file {i:05d}.dat')\n"
        "sys.stdout.flush()\n"
        "def deep(n):\n"
        "    if n == 0: raise KeyError('missing-key')\n"
        "    deep(n - 1)\n"
        "deep(2)\n"
    )
    result = run_logtrim("--head", "0", "--tail", "0", "--", *py(code))
    assert result.code == 1
    err = result.stderr
    assert b"Traceback (most recent call last):" in err
    assert err.count(b"in deep") == 3
    assert b"KeyError: 'missing-key'" in err


def test_java_stack_trace_kept_as_block(run_logtrim: RunLogtrim) -> None:
    """A Java exception with its frames and 'Caused by' is shown whole."""
    trace = [
        'Exception in thread "main" java.lang.IllegalStateException: pool closed',
        "\tat com.example.Pool.get(Pool.java:42)",
        "\tat com.example.Main.run(Main.java:17)",
        "\tat com.example.Main.main(Main.java:9)",
        "Caused by: java.io.IOException: broken pipe",
        "\tat com.example.Net.send(Net.java:88)",
        "\t... 3 more",
    ]
    code = (
        "for i in range(300): print(f'copying file {i:05d}.dat')\n"
        f"print({chr(10).join(trace)!r})\n"
        "for i in range(300): print(f'copying asset {i:05d}.png')\n"
    )
    result = run_logtrim("--head", "0", "--after", "0", "--", *py(code))
    for line in trace:
        assert (line + "\n").encode() in result.stdout


def test_failure_tail_on_nonzero_exit(run_logtrim: RunLogtrim) -> None:
    """On failure the last ``--tail`` lines not already shown appear; on success the last
    ``--success-tail``."""
    body = "for i in range(2000): print(f'copying file {i:05d}.dat')\n"
    opts = ("--head", "0", "--tail", "50", "--verbatim", "0")
    failed = run_logtrim(*opts, "--", *py(body + "raise SystemExit(4)"))
    assert failed.code == 4
    assert b"copying file 01999.dat\n" in failed.stdout
    assert b"copying file 01950.dat\n" in failed.stdout
    assert b"copying file 01900.dat" not in failed.stdout
    ok = run_logtrim(*opts, "--success-tail", "5", "--", *py(body))
    assert b"copying file 01995.dat\n" in ok.stdout
    assert b"copying file 01994.dat" not in ok.stdout


def test_tail_does_not_repeat_shown_lines(run_logtrim: RunLogtrim) -> None:
    """A line already shown as an error is not printed again by the failure tail."""
    code = (
        "for i in range(100): print(f'copying file {i:05d}.dat')\n"
        "print('ERROR: unique-error-line')\n"
        "for i in range(10): print(f'copying asset {i:05d}.png')\n"
        "raise SystemExit(1)\n"
    )
    result = run_logtrim("--head", "0", "--", *py(code))
    assert result.stdout.splitlines().count(b"ERROR: unique-error-line") == 1
    # Named once more as the reason, in logtrim's own closing line.
    assert b"[logtrim] failed (exit 1): ERROR: unique-error-line" in result.stdout


@pytest.mark.parametrize("budget", ["4kB", "16KiB", "100000"])
def test_budget_never_exceeded(run_logtrim: RunLogtrim, budget: str) -> None:
    """Thousands of error lines, a failure tail and a summary still fit in --budget."""
    from logtrim import parse_size

    code = (
        "import sys\n"
        "words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf']\n"
        "for i in range(20000):\n"
        "    s = sys.stdout if i % 3 else sys.stderr\n"
        "    w = words[i % 7] + ' ' + words[i % 5]\n"
        "    s.write(f'ERROR: request {w} failed with status 500 on node-{i % 7}\\n')\n"
        "raise SystemExit(2)\n"
    )
    result = run_logtrim("--ci", "octopus", "--budget", budget, "--", *py(code))
    assert result.code == 2
    assert len(result.console) <= parse_size(budget)
    assert b"##octopus[createArtifact" in result.stdout
    assert b"no longer shown" in result.stdout or b"not shown" in result.stdout


def test_summary_names_archive_and_counts(run_logtrim: RunLogtrim) -> None:
    """The closing summary gives lines, bytes and the archive's path and size."""
    code = "for i in range(1234): print(f'copying file {i:05d}.dat')"
    result = run_logtrim("--ci", "plain", "--", *py(code))
    text = result.stdout.decode()
    assert "1,234 lines" in text
    assert result.artifact is not None
    assert str(result.artifact.resolve()) in text
    assert "##octopus" not in text


def test_octopus_detected_by_environment(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """With --ci auto under Calamari the archive is published with createArtifact."""
    result = run_logtrim(
        "--", *py("print('hello')"), env={"OctopusCalamariWorkingDirectory": str(tmp_path)}
    )
    created = [m for m in messages(result.stdout) if m.name == "createArtifact"]
    assert len(created) == 1
    assert result.artifact is not None
    assert created[0].attrs["length"] == str(result.artifact.stat().st_size)


def test_name_option_sets_artifact_name(run_logtrim: RunLogtrim) -> None:
    """--name is the artifact name Octopus shows."""
    result = run_logtrim("--ci", "octopus", "--name", "Deploy log ✓", "--", *py("print(1)"))
    created = [m for m in messages(result.stdout) if m.name == "createArtifact"]
    assert [m.attrs["name"] for m in created] == ["Deploy log ✓"]


def test_relative_artifact_published_as_absolute(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """A relative --artifact is published with its absolute path."""
    result = run_logtrim(
        "--ci", "octopus", "--artifact", "rel.log.zst", "--", *py("print(1)"),
        artifact=False, cwd=tmp_path,
    )  # fmt: skip
    created = [m for m in messages(result.stdout) if m.name == "createArtifact"]
    assert created[0].attrs["path"] == str(tmp_path / "rel.log.zst")
    assert created[0].attrs["length"] == str((tmp_path / "rel.log.zst").stat().st_size)


def test_options_after_command_go_to_the_child(run_logtrim: RunLogtrim) -> None:
    """Flags after COMMAND belong to the child, even ones logtrim also has."""
    result = run_logtrim(
        *py("import sys; print('ARGS', sys.argv[1:])"), "--budget", "5", "-v", "--", "x"
    )
    assert result.code == 0
    assert b"ARGS ['--budget', '5', '-v', '--', 'x']" in result.archive


def test_child_gets_stdin_env_and_cwd(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """The step sees the caller's stdin, environment and working directory."""
    code = "import os, sys; print(sys.stdin.read().strip(), os.environ['XYZ_VAR'], os.getcwd())"
    result = run_logtrim("--", *py(code), env={"XYZ_VAR": "from-env"}, stdin=b"from-stdin\n")
    assert result.archive == f"from-stdin from-env {tmp_path}\n".encode()


@pytest.mark.parametrize(
    "args",
    [
        ["--budget", "lots"],
        ["--budget", "100"],
        ["--level", "99"],
        ["--ci", "nosuchci"],
        ["--keep", "("],
        ["--nosuchoption"],
    ],
)
def test_usage_errors_exit_2_before_the_child(
    run_logtrim: RunLogtrim, tmp_path: Path, args: list[str]
) -> None:
    """A bad option is a one-line error, exit 2, and the step never starts."""
    marker = tmp_path / "started"
    result = run_logtrim(*args, "--", "touch", str(marker))
    assert result.code == 2
    assert not marker.exists()
    assert b"Traceback" not in result.stderr


def test_missing_command_is_usage_error(run_logtrim: RunLogtrim) -> None:
    """`logtrim run` with no command exits 2."""
    result = run_logtrim()
    assert result.code == 2


@pytest.mark.parametrize("budget", ["1MB", "1MiB", "512kB", "64KiB", "1GB", "250000"])
def test_budget_units_accepted(run_logtrim: RunLogtrim, budget: str) -> None:
    """Decimal and binary size units are accepted."""
    assert run_logtrim("--budget", budget, "--", *py("print(1)")).code == 0


def test_level_option(run_logtrim: RunLogtrim) -> None:
    """--level 19 still gives an archive that decodes to the output."""
    code = "for i in range(10000): print(f'copying file {i:05d}.dat')"
    result = run_logtrim("--level", "19", "--", *py(code))
    assert result.archive.count(b"\n") == 10000


def test_quiet_by_default(run_logtrim: RunLogtrim) -> None:
    """A clean run writes nothing of logtrim's own to stderr (Octopus shows it as errors)."""
    result = run_logtrim("--ci", "octopus", "--", *py("print('deploying'); print('done')"))
    assert result.stderr == b""


@pytest.mark.slow
def test_million_line_flood_with_one_error(run_logtrim: RunLogtrim) -> None:
    """One error in a million lines is shown with its context; the console stays in budget."""
    code = (
        "import sys\n"
        "w = sys.stdout.write\n"
        "w(''.join(f'copying file {i:07d}.dat\\n' for i in range(500000)))\n"
        "w('ERROR: checksum mismatch in package shop-api.4.12.0.nupkg\\n')\n"
        "w(''.join(f'copying file {i:07d}.dat\\n' for i in range(500000, 1000000)))\n"
    )
    result = run_logtrim("--budget", "64kB", "--", *py(code), timeout=120)
    assert result.code == 0
    assert len(result.console) <= 64_000
    out = result.stdout
    assert b"ERROR: checksum mismatch in package shop-api.4.12.0.nupkg\n" in out
    for i in (499995, 499999, 500000, 500002):
        assert f"copying file {i:07d}.dat\n".encode() in out, i
    assert b"copying file 0250000.dat" not in out
    assert result.archive.count(b"\n") == 1_000_001


@pytest.mark.slow
def test_slow_compression_keeps_archive_valid(run_logtrim: RunLogtrim) -> None:
    """With a slow zstd level the archive is still a valid, complete zstd file."""
    code = (
        "import base64, os, sys\n"
        "for i in range(3):\n"
        "    sys.stdout.buffer.write(base64.b64encode(os.urandom(3 << 20)) + b'\\n')\n"
    )
    result = run_logtrim("--level", "22", "--", *py(code), timeout=120)
    assert result.code == 0
    assert result.artifact is not None
    assert len(zstd_dc(result.artifact)) == 3 * (4 << 20) + 3


def test_help_shows_the_defaults() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--help"],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "[default: 20MB]" in out and "[default: 200]" in out


def _read_one_line_and_leave(art: Path, child: str) -> int:
    """``logtrim run -- sh -c CHILD | head -1``: the exit code, once the first line was read
    and the reader left (the child alone would run on)."""
    run = subprocess.Popen(
        [sys.executable, "-m", "logtrim", "run", "--artifact", str(art), "--", "sh", "-c", child],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=clean_env(),
    )  # fmt: skip
    assert run.stdout is not None
    assert run.stdout.readline() == b"first line\n"
    run.stdout.close()  # as head -1 does
    try:
        return run.wait(timeout=60)
    finally:
        run.kill()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGPIPE is POSIX")
@pytest.mark.parametrize("writes", ["steadily", "one line then quiet"])
def test_a_console_reader_that_leaves_ends_the_step_as_a_pipe_would(
    tmp_path: Path, writes: str
) -> None:
    """``logtrim run -- cmd | head -1``: once the console's reader has left, the child's
    stdout is closed too, so it meets SIGPIPE as it would without logtrim (exit 141),
    instead of writing on into the archive for nobody. What it wrote is archived."""
    art = tmp_path / "a.zst"
    pause = "sleep 2; " if writes != "steadily" else ""
    # Alone it would run for two minutes; a shell's echo dies of SIGPIPE (Python's print
    # would raise BrokenPipeError instead: exit 1, as without logtrim).
    loop = "i=0; while [ $i -lt 1200 ]; do echo line $i; sleep 0.1; i=$((i+1)); done"
    assert _read_one_line_and_leave(art, f"echo first line; {pause}{loop}") == 141
    assert zstd_dc(art).startswith(b"first line\n")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGPIPE is POSIX")
def test_a_console_reader_that_leaves_while_the_child_is_quiet_closes_its_pipe_then(
    tmp_path: Path,
) -> None:
    """The reader leaves while the child prints nothing for seconds: the child's pipe is
    closed then (logtrim looks four times a second), not at its next write, which would
    succeed and be archived for nobody: its next write is the one that meets SIGPIPE."""
    art = tmp_path / "a.zst"
    child = "echo first line; sleep 3; echo written for nobody; sleep 0.5; echo again"
    assert _read_one_line_and_leave(art, child) == 141
    assert zstd_dc(art) == b"first line\n"


@pytest.mark.parametrize(
    "argv", [["--artifact", "--", "echo", "hi"], ["--artifact", "--budget", "--", "echo", "hi"]]
)
def test_an_artifact_that_is_an_option_is_refused(tmp_path: Path, argv: list[str]) -> None:
    """``--artifact`` with its value left out took the next option for it: the step ran,
    and its archive was a file named ``--`` or ``--budget``."""
    proc = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", *argv],
        cwd=tmp_path, env=clean_env(), capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.count(b"\n") == 1 and b"is an option, not a file name" in proc.stderr
    assert list(tmp_path.iterdir()) == []
