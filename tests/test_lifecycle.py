"""Process lifecycle and robustness with real processes (issue 5)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, RunLogtrim, clean_env, logtrim_argv, py, zstd_dc


def start(args: list[str], tmp_path: Path, **kwargs: Any) -> tuple[subprocess.Popen[bytes], Path]:
    artifact = tmp_path / "run.log.zst"
    proc = subprocess.Popen(
        [*logtrim_argv("run", "--artifact", str(artifact)), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
        cwd=tmp_path,
        **kwargs,
    )
    return proc, artifact


def wait_for_line(proc: subprocess.Popen[bytes], prefix: bytes, timeout: float = 20) -> bytes:
    """Read logtrim's stdout until a line starting with ``prefix`` (the ready handshake)."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith(prefix):
            return line
    raise AssertionError(f"no {prefix!r} line from logtrim")


HANDLER_CHILD = """
import os, signal, sys, time
def on_signal(sig, frame):
    print(f'got signal {sig}', flush=True)
    sys.exit(7)
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, on_signal)
print(f'READY {os.getpid()}', flush=True)
while True:
    time.sleep(0.05)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_forwarded_child_exit_code_kept(tmp_path: Path, sig: int) -> None:
    """A cancelled deployment: the child gets the signal, its own exit code and output survive."""
    proc, artifact = start(["--ci", "plain", "--", *py(HANDLER_CHILD)], tmp_path)
    wait_for_line(proc, b"READY")
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 7, err
    archive = zstd_dc(artifact)
    assert archive.startswith(b"READY ")
    assert archive.endswith(f"got signal {int(sig)}\n".encode())


def _ended(pid: int) -> bool:
    """Whether the process is gone or a zombie (ended, not reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _held_step(
    tmp_path: Path,
    trap: str,
    options: list[str],
    signals: list[tuple[float, signal.Signals]],
    read_for: float = 0.0,
) -> int:
    """A step that writes without end (``trap``: the signals it ignores) under ``run
    OPTIONS``, whose console is read for ``read_for`` seconds only (then logtrim is held in
    its write); each of ``signals`` sent after its pause. Asserts that the step ended within
    20 s of the last; returns logtrim's exit code once the console's reader left."""
    pid = tmp_path / "pid"
    child = f"{trap}echo $$ > {pid}; while :; do echo output line; done"
    proc, _artifact = start(["--ci", "plain", *options, "--", "sh", "-c", child], tmp_path)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.fileno()
    reading = threading.Event()
    if read_for:
        reading.set()

    def read() -> None:
        while reading.is_set() and os.read(out, 65536):
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        time.sleep(1.5)  # the pipe to us (when not read) is full: logtrim waits in its write
        step = int(pid.read_text())
        assert not _ended(step)
        for pause, sig in signals:
            time.sleep(pause)
            assert not _ended(step)  # (it ignores the signals so far)
            proc.send_signal(sig)
            if read_for:
                time.sleep(read_for)
                reading.clear()  # the reader stops: logtrim's writes soon block
        deadline = time.monotonic() + 20
        while not _ended(step) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _ended(step)
    finally:
        reading.clear()
        reader.join(timeout=10)  # (its last read returns: the pipe is full)
        proc.stdout.close()  # the reader leaves: logtrim's write fails, the run ends
        proc.stderr.close()
        proc.wait(timeout=30)
        proc.kill()
    return proc.returncode


_LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@_LINUX
def test_a_signal_while_the_console_reader_stopped_reading_is_passed_on(tmp_path: Path) -> None:
    """The console's reader is there but reads nothing (a CI agent's log reader that hangs):
    logtrim is held in its console write. A SIGTERM (a cancel, ``timeout``) reaches the step
    all the same, at once, not when a reader takes the console's bytes."""
    code = _held_step(tmp_path, "", [], [(0.0, signal.SIGTERM)])
    assert code == 128 + signal.SIGTERM


@_LINUX
def test_a_second_ctrl_c_while_the_console_reader_stopped_reading_kills_the_step(
    tmp_path: Path,
) -> None:
    """A step that ignores Ctrl-C, and a console reader that reads nothing: the first SIGINT
    is passed on, the second kills the step at once, as when the console is read (the grace
    period's timer cannot run while logtrim is held in its write)."""
    code = _held_step(tmp_path, "trap '' INT; ", [], [(0.0, signal.SIGINT), (1.0, signal.SIGINT)])
    assert code == 128 + signal.SIGKILL


def _busy_step(
    tmp_path: Path, signals: list[tuple[float, signal.Signals]], exit_after: float
) -> tuple[int, bytes, float]:
    """A step that writes a megabyte of one-word service messages (seconds of the engine's
    work on one chunk), then waits; on SIGINT or SIGTERM it notes the time and exits 42
    ``exit_after`` seconds later. Each of ``signals`` is sent to logtrim after its pause,
    1.5 s in (the engine at work). Returns logtrim's exit code, its stdout, and how long
    after the first signal the step got it."""
    mark = tmp_path / "got"
    child = (
        "import os, signal, sys, time\n"
        "def on_signal(sig, frame):\n"
        f"    if not os.path.exists({str(mark)!r}):\n"
        f"        open({str(mark)!r}, 'w').write(repr(time.time()))\n"
        f"        signal.setitimer(signal.ITIMER_REAL, {exit_after})\n"
        "signal.signal(signal.SIGALRM, lambda *_: os._exit(42))\n"
        "signal.signal(signal.SIGTERM, on_signal); signal.signal(signal.SIGINT, on_signal)\n"
        "sys.stdout.buffer.write(b'##octopus[x]\\n' * 230_000); sys.stdout.flush()\n"
        "time.sleep(60)\n"
    )
    proc, _artifact = start(["--ci", "octopus", "--budget", "4kB", "--", *py(child)], tmp_path)
    try:
        time.sleep(1.5)  # the first megabyte read: the engine is at work on it
        first = -1.0
        for pause, sig in signals:
            time.sleep(pause)
            first = time.time() if first < 0 else first
            proc.send_signal(sig)
        out, _err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    return proc.returncode, out, float(mark.read_text()) - first


@_LINUX
def test_a_signal_while_the_engine_works_on_a_chunk_is_passed_on_at_once(tmp_path: Path) -> None:
    """A chunk that takes the engine seconds: a SIGTERM reached the step only once the
    engine was done with it (5 s later here). It is passed on from its handler, at once, and
    the summary says what interrupted the step (it may have ended before the loop ran)."""
    code, out, late = _busy_step(tmp_path, [(0.0, signal.SIGTERM)], 0.1)
    assert code == 42  # the step's own exit code
    assert late < 1.0
    assert b"interrupted by SIGTERM" in out


@_LINUX
def test_one_ctrl_c_delivered_twice_while_the_engine_works_is_one(tmp_path: Path) -> None:
    """A SIGINT delivered twice 20 ms apart (to the process group and by a wrapper) while
    the engine worked on a chunk: the loop came to both seconds later, took the second for
    another Ctrl-C and killed the step. The step ends as it chooses, with its own code."""
    code, out, late = _busy_step(tmp_path, [(0.0, signal.SIGINT), (0.02, signal.SIGINT)], 6.0)
    assert code == 42
    assert late < 1.0
    assert b"interrupted by SIGINT" in out and b"SIGKILL" not in out


@_LINUX
def test_the_grace_period_ends_while_the_console_reader_stopped_reading(tmp_path: Path) -> None:
    """A step that ignores SIGTERM, and a console reader that reads nothing: the step is
    killed when the grace period is over, as when the console is read."""
    code = _held_step(tmp_path, "trap '' TERM; ", ["--grace", "2"], [(0.0, signal.SIGTERM)])
    assert code == 128 + signal.SIGKILL


@_LINUX
def test_the_grace_period_ends_when_the_console_reader_stops_after_the_signal(
    tmp_path: Path,
) -> None:
    """The console is read when SIGTERM comes, and its reader stops reading right after: the
    step, which ignores SIGTERM, is still killed when the grace period is over (its timer
    was the loop's, which a write held by that reader never let fire)."""
    options = ["--grace", "2", "--verbatim", "50MB", "--budget", "100MB"]
    code = _held_step(tmp_path, "trap '' TERM; ", options, [(0.0, signal.SIGTERM)], read_for=0.2)
    assert code == 128 + signal.SIGKILL


# A shell: running within a millisecond of its start (a Python child takes tens of them).
STARTED_CHILD = (
    'trap \'echo got-TERM > "$0.fate"; exit 0\' TERM; touch "$0"; '
    "i=0; while [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done"
)


def test_a_signal_as_the_step_starts_is_passed_on(tmp_path: Path) -> None:
    """SIGTERM the moment the step is running, before logtrim listens for signals: the step
    gets it, and its exit code is logtrim's (it ended logtrim with the step left running,
    its output lost, in 4 runs of 6)."""
    for attempt in range(4):
        (where := tmp_path / str(attempt)).mkdir()
        started = where / "started"
        argv = ["--ci", "plain", "--", "sh", "-c", STARTED_CHILD, str(started)]
        proc, _artifact = start(argv, where)
        deadline = time.monotonic() + 30
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.0005)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert (where / "started.fate").read_text() == "got-TERM\n"


def test_a_signal_while_the_output_drains_is_not_the_reason(tmp_path: Path) -> None:
    """The step exited 4 on its own; a background process it left holds the output open, and
    logtrim gets SIGTERM while it waits: the exit code stays 4, and the reason is the step's
    exit, not "interrupted by SIGTERM" (the signal came after the step had ended)."""
    argv = ["--ci", "plain", "--drain-timeout", "30", "--", "sh", "-c",
            "echo started; (sleep 30 &); exit 4"]  # fmt: skip
    proc, _artifact = start(argv, tmp_path)
    wait_for_line(proc, b"started")
    time.sleep(1.0)  # the step has exited; its background sleep holds the pipe
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 4, err
    reason = next(line for line in out.splitlines() if line.startswith(b"[logtrim] failed"))
    assert b"SIGTERM" not in reason
    assert reason == b"[logtrim] failed (exit 4): exited with code 4"


PASSED_CHILD = """
import os, signal, sys, time
def on_signal(sig, frame):
    print(f'told {sig}', flush=True)
    if sig == signal.SIGUSR2:
        sys.exit(0)
signal.signal(signal.SIGUSR1, on_signal)
signal.signal(signal.SIGUSR2, on_signal)
signal.signal(signal.SIGQUIT, on_signal)  # (a JVM dumps its threads)
print('READY', flush=True)
while True:
    time.sleep(0.05)
"""


def test_user_signals_are_passed_to_the_step(tmp_path: Path) -> None:
    """``kill -USR1`` (or ``-QUIT``) to logtrim tells the step (dump state, reopen logs) and
    ends nothing: logtrim, its archive writer and the step all go on; the step ends when it
    chooses."""
    args = ["--ci", "octopus", "--", *py(PASSED_CHILD)]
    proc, artifact = start(args, tmp_path, start_new_session=True)
    wait_for_line(proc, b"READY")
    proc.send_signal(signal.SIGUSR1)
    wait_for_line(proc, b"told %d" % signal.SIGUSR1)
    os.killpg(proc.pid, signal.SIGUSR1)  # logtrim's group: its archive writer and scanner too
    wait_for_line(proc, b"told %d" % signal.SIGUSR1)
    proc.send_signal(signal.SIGQUIT)  # (its default would end logtrim, the step orphaned)
    wait_for_line(proc, b"told %d" % signal.SIGQUIT)
    proc.send_signal(signal.SIGUSR2)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert b"createArtifact" in out
    told = b"told %d\n" % signal.SIGUSR1
    assert zstd_dc(artifact).startswith(b"READY\n" + told + told + b"told %d\n" % signal.SIGQUIT)
    assert zstd_dc(artifact).endswith(b"told %d\n" % signal.SIGUSR2)


# logtrim with a bug before the step starts (its settings fail to prepare): it runs the step
# unfiltered (run/unfiltered.py), in a process of its own as a user would start it.
BROKEN_RUN = """
import sys
from logtrim.cli import app, runcmd
def broken(*_args):
    raise RuntimeError("a bug in logtrim")
runcmd._prepare = broken
sys.exit(app.main(sys.argv[1:]))
"""


def test_user_signals_reach_the_step_when_logtrim_runs_it_unfiltered(tmp_path: Path) -> None:
    """Failing open keeps the signal contract: ``kill -USR1`` to logtrim tells the step and
    ends nothing (left to its default, SIGUSR1 ended logtrim and the step's output with it)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", BROKEN_RUN, "run", "--ci", "plain", "--", *py(PASSED_CHILD)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
        cwd=tmp_path,
    )
    wait_for_line(proc, b"READY")
    proc.send_signal(signal.SIGUSR1)
    wait_for_line(proc, b"told %d" % signal.SIGUSR1)
    proc.send_signal(signal.SIGUSR2)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert b"running the command unfiltered" in err
    assert out.endswith(b"told %d\n" % signal.SIGUSR2), out


def test_a_user_signal_the_step_does_not_handle_ends_it_as_it_would(tmp_path: Path) -> None:
    """Not handled, SIGUSR1 ends the step (its default): exit 138, logtrim's closing lines
    and the archive as for any signal that ended it."""
    code = "import time\nprint('READY', flush=True)\nwhile True: time.sleep(0.05)\n"
    proc, artifact = start(["--ci", "plain", "--", *py(code)], tmp_path)
    wait_for_line(proc, b"READY")
    proc.send_signal(signal.SIGUSR1)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 128 + signal.SIGUSR1
    assert b"failed (exit 138): terminated by SIGUSR1" in out and b"full log:" in out
    assert zstd_dc(artifact) == b"READY\n"


def test_child_ignoring_sigterm_killed_after_grace(tmp_path: Path) -> None:
    """A child that ignores SIGTERM is killed after --grace; exit 137; archive closed."""
    code = (
        "import signal, time, os\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('READY', flush=True)\n"
        "while True: time.sleep(0.05)\n"
    )
    proc, artifact = start(["--grace", "1", "--", *py(code)], tmp_path)
    wait_for_line(proc, b"READY")
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=20)
    assert proc.returncode == 128 + 9
    assert time.monotonic() - began < 8
    assert zstd_dc(artifact) == b"READY\n"


def test_second_ctrl_c_kills_at_once_and_closes_the_archive(tmp_path: Path) -> None:
    """Ctrl-C twice: the child that ignores SIGINT dies now, not after --grace; archive whole."""
    code = (
        "import signal, time\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "print('READY', flush=True)\n"
        "while True: time.sleep(0.05)\n"
    )
    proc, artifact = start(["--grace", "60", "--", *py(code)], tmp_path)
    wait_for_line(proc, b"READY")
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=20)
    assert proc.returncode == 128 + 9
    assert time.monotonic() - began < 10  # far less than the 60 s grace
    assert zstd_dc(artifact) == b"READY\n"


def test_one_ctrl_c_delivered_twice_keeps_the_grace_period(tmp_path: Path) -> None:
    """The same SIGINT delivered twice at once (to the process group, and by a wrapper that
    passes it on: ``timeout``) is one Ctrl-C: the child's clean-up runs and its exit code
    stands; it is not killed as for a second Ctrl-C."""
    code = (
        "import signal, sys, time\n"
        "def stop(*_):\n"
        "    print('cleanup', flush=True); time.sleep(1); sys.exit(0)\n"
        "signal.signal(signal.SIGINT, stop)\n"
        "print('READY', flush=True)\n"
        "while True: time.sleep(0.05)\n"
    )
    proc, artifact = start(["--grace", "20", "--", *py(code)], tmp_path)
    wait_for_line(proc, b"READY")
    proc.send_signal(signal.SIGINT)
    time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert zstd_dc(artifact) == b"READY\ncleanup\n"


CLOCK_CHILD = """
import os, sys, time
print(f'READY {os.getpid()}', flush=True)
i = 0
while True:
    print(f'tick {i} {time.time():.3f}', flush=True)
    i += 1
    time.sleep(0.01)
"""


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def test_sigkill_of_logtrim_archive_recoverable(tmp_path: Path) -> None:
    """After logtrim is SIGKILLed, the archive reads back to within about a second."""
    from logtrim.archive.zstd import ReadResult, read_archive

    proc, artifact = start(["--", *py(CLOCK_CHILD)], tmp_path)
    child = int(wait_for_line(proc, b"READY").split()[1])
    try:
        time.sleep(3)
        killed_at = time.time()
        proc.kill()
        proc.communicate(timeout=10)
    finally:
        _kill_group(child)
    result = ReadResult()
    data = b"".join(read_archive(str(artifact), result))
    lines = [line for line in data.splitlines() if line.startswith(b"tick ")]
    assert lines, data[:200]
    last = float(lines[-1].split()[2])
    assert killed_at - last < 1.6, f"archive ends {killed_at - last:.2f}s before the kill"
    # zstd -dc reads every complete frame
    complete = subprocess.run(["zstd", "-dc", "-q", str(artifact)], capture_output=True)
    assert complete.stdout.startswith(b"READY ")  # zstd -dc reads the complete frames


def test_logtrim_cat_reads_truncated_archive(tmp_path: Path) -> None:
    """`logtrim cat` decodes a SIGKILLed run's archive and says the end was truncated."""
    proc, artifact = start(["--", *py(CLOCK_CHILD)], tmp_path)
    child = int(wait_for_line(proc, b"READY").split()[1])
    try:
        time.sleep(2.5)
        proc.kill()
        proc.communicate(timeout=10)
    finally:
        _kill_group(child)
    cat = subprocess.run(
        logtrim_argv("cat", str(artifact)), capture_output=True, env=clean_env(), timeout=30
    )
    assert cat.returncode in (0, 1), cat.stderr
    assert cat.stdout.startswith(b"READY ")
    assert b"tick 10 " in cat.stdout
    assert b"Traceback" not in cat.stderr


def _with_daemon(run_logtrim: RunLogtrim, tmp_path: Path, daemon: str) -> tuple[Result, float]:
    """Run a step that leaves ``daemon`` running on its pipe; returns (result, seconds)."""
    pidfile = tmp_path / "daemon.pid"
    script = f"{daemon} & echo $! > {pidfile}; echo started; exit 0"
    began = time.monotonic()
    try:
        result = run_logtrim("--drain-timeout", "1", "--", "sh", "-c", script, timeout=30)
    finally:
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pidfile.read_text()), signal.SIGKILL)
    return result, time.monotonic() - began


HELD = b"a process it started still held its output 1s later (--drain-timeout)"


def test_grandchild_holding_pipe_does_not_hang(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """A daemon started by the step keeps the pipe open; logtrim still finishes quickly, and
    says that what the daemon writes later is not archived."""
    result, seconds = _with_daemon(run_logtrim, tmp_path, "sleep 60")
    assert seconds < 10
    assert result.code == 0
    assert result.archive == b"started\n"
    assert HELD in result.stderr


def test_grandchild_writing_on_does_not_hang(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """A daemon that never stops writing: after the drain timeout logtrim reads what the pipe
    holds, not the daemon's output to come, and finishes."""
    result, seconds = _with_daemon(run_logtrim, tmp_path, "yes daemon-output")
    assert seconds < 10
    assert result.code == 0
    assert b"started\n" in result.archive
    assert HELD in result.stderr  # its output from then on is not archived: said


@pytest.mark.parametrize("pty", [False, True], ids=["pipes", "pty"])
def test_output_written_before_exit_is_archived_whatever_the_drain_timeout(
    run_logtrim: RunLogtrim, pty: bool
) -> None:
    """The drain timeout bounds the wait for an orphan, not the work on what the command
    wrote: with a slow zstd level the archive lags behind the command, which has exited
    while its last megabytes are still in the pipe and on their way to the archive."""
    code = (
        "import sys\n"
        "sys.stdout.buffer.write(b''.join(b'line %08d of the output\\n' % i"
        " for i in range(500_000)))\n"
    )
    expected = b"".join(b"line %08d of the output\n" % i for i in range(500_000))
    args = ["--pty"] if pty else []
    result = run_logtrim(*args, "--drain-timeout", "0", "--level", "19", "--", *py(code),
                         timeout=120)  # fmt: skip
    assert result.code == 0
    assert result.archive.replace(b"\r\n", b"\n") == expected
    assert b"still held its output" not in result.stderr  # nothing held it: all was read


def test_missing_command_exits_127(run_logtrim: RunLogtrim) -> None:
    """A command that does not exist: exit 127, one line on stderr, no traceback."""
    result = run_logtrim("--", "no-such-command-xyz", "arg")
    assert result.code == 127
    assert b"Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert b"no-such-command-xyz" in result.stderr


@pytest.mark.parametrize(
    ("ci", "mark"),
    [
        ("github", b"::error title=logtrim%3A exit code 127::command not found: ./nope.sh\n"),
        # base64 of the reason, as Calamari reads a resultMessage
        (
            "octopus",
            b"##octopus[resultMessage message='Y29tbWFuZCBub3QgZm91bmQ6IC4vbm9wZS5zaA==']\n",
        ),
        ("azure", b"##vso[task.logissue type=error]command not found: ./nope.sh\n"),
        ("plain", b""),
    ],
)
def test_a_command_that_cannot_start_fails_the_step_with_the_cis_mark(
    run_logtrim: RunLogtrim, ci: str, mark: bytes
) -> None:
    """``./nope.sh`` not found: logtrim's error was on stderr only, and the CI's summary of
    the step had no reason (no ``::error``, no ``resultMessage``) as a failed run gives. The
    mark now says it, on stdout; the plain CI's note would only repeat the error line."""
    result = run_logtrim("--ci", ci, "--", "./nope.sh")
    assert result.code == 127
    assert result.stdout == mark
    assert result.stderr == b"logtrim: error: command not found: ./nope.sh\n"


def test_a_script_whose_interpreter_is_missing_says_so(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """The script exists; what is missing is the program its ``#!`` line names: exit 127, as
    a shell, and the line says which (not that the script is not found)."""
    script = tmp_path / "deploy.sh"
    script.write_text("#!/opt/no-such-interpreter/bin/bash\necho deployed\n")
    script.chmod(0o755)
    result = run_logtrim("--", str(script))
    assert result.code == 127
    said = result.stderr.decode()
    assert said.startswith("logtrim: error: command not found: ") and said.count("\n") == 1
    assert said.endswith(
        "(it exists; its interpreter /opt/no-such-interpreter/bin/bash does not)\n"
    )


def test_not_executable_exits_126(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """A file that is not executable: exit 126, one line on stderr, no traceback."""
    script = tmp_path / "step.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o644)
    result = run_logtrim("--", str(script))
    assert result.code == 126
    assert b"Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


FAIL_OPEN_CHILD = (
    "import sys\n"
    "for i in range(300):\n"
    "    print(f'copying file {i:05d}.dat')\n"
    "print('to stderr too', file=sys.stderr)\n"
    "sys.exit(4)\n"
)


@pytest.mark.parametrize("where", ["parent-is-file", "directory", "proc", "missing-dir"])
def test_unusable_archive_path_is_a_usage_error(
    run_logtrim: RunLogtrim, tmp_path: Path, where: str
) -> None:
    """An archive path that cannot be created is checked before the child starts (issue 17.12):
    one line, exit 2, the child does not run."""
    if where == "parent-is-file":
        (tmp_path / "afile").write_text("x")
        path = tmp_path / "afile" / "run.log.zst"
    elif where == "directory":
        path = tmp_path / "adir"
        path.mkdir()
    elif where == "missing-dir":
        path = tmp_path / "no" / "such" / "run.log.zst"
    else:
        path = Path("/proc/version/run.log.zst")
    marker = tmp_path / "ran"
    child = f"open({str(marker)!r}, 'w').close()\n" + FAIL_OPEN_CHILD
    result = run_logtrim("--ci", "octopus", "--", *py(child), artifact=path)
    assert result.code == 2
    assert not marker.exists()
    assert result.stdout == b""
    assert b"Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(b"logtrim: error: --artifact: ")


RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], stdout=open(sys.argv[0] + '.out', 'wb'),"
    " stderr=subprocess.PIPE)\n"
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stderr.buffer.write(p.stderr)\n"
    "print(p.returncode, ru.ru_maxrss)\n"
)


@pytest.mark.slow
def test_random_bytes_and_huge_line(tmp_path: Path) -> None:
    """2 MB of random bytes and a 64 MB line without newline: archive exact, memory bounded."""
    rand = os.urandom(2 << 20)
    (tmp_path / "rand.bin").write_bytes(rand)
    artifact = tmp_path / "run.log.zst"
    child = f"cat {tmp_path}/rand.bin; head -c {64 << 20} /dev/zero | tr '\\0' 'x'"
    wrapper = tmp_path / "wrap.py"
    wrapper.write_text(RSS_WRAPPER)
    proc = subprocess.run(
        [sys.executable, str(wrapper), *logtrim_argv(
            "run", "--budget", "1MB", "--artifact", str(artifact), "--", "sh", "-c", child)],
        capture_output=True, env=clean_env(), cwd=tmp_path, timeout=180,
    )  # fmt: skip
    code, maxrss_kb = (int(x) for x in proc.stdout.split())
    assert code == 0, proc.stderr[-2000:]
    console = (tmp_path / "wrap.py.out").read_bytes()
    assert len(console) + len(proc.stderr) - len(proc.stdout) <= 1_000_000
    data = zstd_dc(artifact)
    assert len(data) == len(rand) + (64 << 20)
    assert data[: len(rand)] == rand
    assert data[len(rand) :] == b"x" * (64 << 20)
    assert maxrss_kb < 150 * 1024, f"peak RSS {maxrss_kb / 1024:.0f} MB"


def test_hostile_bytes_survive(run_logtrim: RunLogtrim) -> None:
    """NUL, invalid UTF-8, CRLF, ANSI colours and \\r redraws: archive exact, console sane."""
    payload = (
        b"\x00\x01binary\xff\xfe junk\n"
        b"ERROR: crlf line\r\n"
        b"\x1b[31mERROR\x1b[0m: coloured\n"
        b"Uploading 10%\rUploading 50%\rUploading 100%\n"
        b"invalid \xc3\x28 utf8 ERROR here\n"
    )
    code = f"import sys; sys.stdout.buffer.write({payload!r})"
    result = run_logtrim("--ci", "plain", "--head", "0", "--", *py(code))
    assert result.code == 0
    assert result.archive == payload
    assert b"ERROR: crlf line" in result.stdout
    assert b"\x1b[31mERROR\x1b[0m: coloured\n" in result.stdout
    assert b"invalid \xc3\x28 utf8 ERROR here\n" in result.stdout
    assert b"Uploading 100%\n" in result.stdout
    assert b"Uploading 10%" not in result.stdout


def test_pty_child_sees_a_terminal(run_logtrim: RunLogtrim) -> None:
    """With --pty the step sees a terminal on stdout and stderr, merged in order."""
    code = (
        "import os, sys\n"
        "print('ERROR: tty', sys.stdout.isatty(), sys.stderr.isatty(), flush=True)\n"
        "print('ERROR: from stderr', file=sys.stderr, flush=True)\n"
    )
    result = run_logtrim("--pty", "--", *py(code))
    assert result.code == 0
    assert b"ERROR: tty True True" in result.stdout
    assert b"ERROR: from stderr" in result.stdout
    assert result.archive.index(b"tty True") < result.archive.index(b"from stderr")


def test_pty_keeps_the_bytes_and_masks_a_secret_over_several_lines(
    run_logtrim: RunLogtrim,
) -> None:
    """A terminal would write each newline as CR LF: the archive would not hold what the
    step wrote, and a secret over several lines (a PEM key) would no longer match."""
    key = "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy\n-----END KEY-----"
    code = "import os\nprint('start'); print(os.environ['PEMK']); print('end')\n"
    result = run_logtrim("--pty", "--mask-env", "PEMK", "--", *py(code), env={"PEMK": key})
    assert result.code == 0
    assert result.archive == b"start\n********\n********\n********\nend\n"
    assert b"MIIB" not in result.stdout and b"BEGIN KEY" not in result.stdout


def test_without_pty_child_sees_pipes(run_logtrim: RunLogtrim) -> None:
    """Without --pty the step's output is a pipe, as under Octopus."""
    result = run_logtrim("--", *py("import sys; print('ERROR: tty', sys.stdout.isatty())"))
    assert b"ERROR: tty False" in result.stdout


def test_closed_console_ends_the_step_as_without_logtrim_and_loses_nothing(tmp_path: Path) -> None:
    """If the console reader goes away, the step meets a broken pipe as it would without
    logtrim (Python's write: BrokenPipeError, exit 1), and the archive holds every line it
    wrote, in order."""
    artifact = tmp_path / "run.log.zst"
    # The first 101 lines in one write, before the reader can leave (each print is a write
    # of its own here, and a slow child could meet the closed pipe at its third line).
    code = (
        "import sys, time\n"
        "line = lambda i: f'ERROR: line {i} went wrong with code {i % 13}\\n'\n"
        "sys.stdout.write(''.join(map(line, range(101)))); sys.stdout.flush()\n"
        "for i in range(101, 20000):\n"
        "    sys.stdout.write(line(i)); sys.stdout.flush()\n"
        "    time.sleep(0.005)  # the reader leaves meanwhile\n"
    )
    proc = subprocess.Popen(
        [*logtrim_argv("run", "--artifact", str(artifact), "--", *py(code))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(),
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=90) == 1
    assert b"BrokenPipeError" in err  # the step's own error, as without logtrim
    archived = zstd_dc(artifact)
    assert b"BrokenPipeError" in archived  # its stderr is archived too
    # Its whole stdout lines, in order (the stderr lines come among them as they arrived).
    lines = [ln for ln in archived.splitlines() if ln.startswith(b"ERROR: line ")]
    assert 100 < len(lines) < 20000
    expected = [f"ERROR: line {i} went wrong with code {i % 13}".encode() for i in range(20000)]
    assert lines == expected[: len(lines)]


def test_closed_console_archives_every_write_the_step_saw_succeed(tmp_path: Path) -> None:
    """The pipe logtrim closes when the console's reader leaves holds what the step wrote
    last (up to 1 MiB): it is read empty first, so the archive has the step's writes in order
    up to the instant of the close (a step writing without pause may land a write or two in
    between: that much, not a pipe's worth, can be missing)."""
    artifact, side = tmp_path / "run.log.zst", tmp_path / "written"
    code = (
        "import os, sys\n"
        "n = 0\n"
        "try:\n"
        "    for i in range(400000):\n"
        "        n += os.write(1, b'line %d of the deploy output\\n' % i)\n"
        "except BrokenPipeError:\n"
        "    pass\n"
        f"open({str(side)!r}, 'w').write(str(n))\n"
        "sys.exit(7)\n"
    )
    proc = subprocess.Popen(
        [*logtrim_argv("run", "--artifact", str(artifact), "--", *py(code))],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=clean_env(),
    )  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.read(10)
    proc.stdout.close()
    assert proc.wait(timeout=90) == 7
    written = int(side.read_text())
    expected = b"".join(b"line %d of the deploy output\n" % i for i in range(400000))
    assert written < len(expected)  # the step met the broken pipe
    archived = zstd_dc(artifact)
    assert archived == expected[: len(archived)]
    assert written - len(archived) <= 4096  # was up to the pipe's 1 MiB


def test_a_signal_ignored_when_logtrim_started_stays_ignored(tmp_path: Path) -> None:
    """Started with SIGINT ignored (a shell's background job: `cmd &`): a SIGINT then is not
    forwarded, kills nothing after the grace period, and the summary says no interruption."""
    code = (
        "import time\nprint('READY', flush=True)\ntime.sleep(2.5)\nprint('finished', flush=True)\n"
    )
    proc, artifact = start(
        ["--ci", "plain", "--grace", "1", "--", *py(code)],
        tmp_path,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    wait_for_line(proc, b"READY")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert b"finished\n" in out
    assert b"interrupted" not in err
    assert zstd_dc(artifact) == b"READY\nfinished\n"


def test_the_failure_mark_of_a_command_that_cannot_start_masks_a_url_password(
    run_logtrim: RunLogtrim,
) -> None:
    """The mark says the command's name as logtrim's error line does: masked."""
    result = run_logtrim("--ci", "github", "--", "postgres://app:pw9999@db/x")
    assert result.code == 127
    assert b"pw9999" not in result.stdout + result.stderr
    assert result.stdout.endswith(b"command not found: postgres://app:********@db/x\n")


def test_the_drain_warning_comes_after_the_lines_written_before_it(tmp_path: Path) -> None:
    """A small run's console waits to be shown whole; the warning that a daemon still held
    the output came first, before lines the step wrote seconds earlier (one pipe for both
    streams, as a CI reads them)."""
    pidfile = tmp_path / "daemon.pid"
    script = (
        f"sleep 60 & echo $! > {pidfile}\n"
        'for i in $(seq 1 30); do echo "step $i: configured node-$i"; done\n'
        "echo 'ERROR: health check failed on node-42' >&2\n"
        "exit 3\n"
    )
    artifact = str(tmp_path / "a.zst")
    argv = logtrim_argv("run", "--budget", "4kB", "--drain-timeout", "1",
                        "--artifact", artifact, "--", "sh", "-c", script)  # fmt: skip
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=clean_env(), timeout=60)  # fmt: skip
    finally:
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pidfile.read_text()), signal.SIGKILL)
    assert proc.returncode == 3
    out = proc.stdout
    warned = out.index(b"still held its output")
    assert out.index(b"ERROR: health check failed") < warned, out.decode()
    assert out.index(b"step 1: configured") < warned
