"""Where no thread can start (a container's pid limit, ``ulimit -u``, a tight ``ulimit -v``):
``run`` still reads the step's output, archives it, and exits with its code.

asyncio's child watcher on Python 3.10 and 3.11 starts a thread per child: that failed after
the command was running, and its output and exit code were lost (exit 1, "internal error").
Here ``logtrim`` runs in a real process whose ``threading`` refuses every new thread.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, zstd_dc

# logtrim's CLI in a process where every new thread fails as the system makes it fail.
_NO_THREADS = """
import sys, threading

def refuse(*args, **kwargs):
    raise RuntimeError("can't start new thread")

for name in ("_start_new_thread", "_start_joinable_thread"):
    if hasattr(threading, name):
        setattr(threading, name, refuse)
from logtrim.cli.app import main
sys.exit(main(sys.argv[1:]))
"""

_STEP = (
    "import sys\n"
    "for i in range(3000): print(f'upload chunk {i} with token hunter2-secret')\n"
    "print('ERROR: upload failed: 503 from the CDN', file=sys.stderr)\n"
    "sys.exit(9)\n"
)


def _launched(argv: list[str], cwd: Path, no_fork: str) -> subprocess.CompletedProcess[bytes]:
    """``argv`` run to its end, the archive written forked or (``no_fork`` "1") not."""
    env = clean_env({"LOGTRIM_NO_FORK": no_fork})
    return subprocess.run(argv, env=env, capture_output=True, timeout=60, cwd=cwd, check=False)


@pytest.mark.parametrize("no_fork", ["0", "1"])
def test_a_step_runs_whole_where_no_thread_can_start(tmp_path: Path, no_fork: str) -> None:
    """The forked archive writer and the in-process one (``LOGTRIM_NO_FORK=1``, aiofiles):
    the exit code is the step's, the console filtered and masked, the archive whole."""
    archive = tmp_path / "step.log.zst"
    argv = [sys.executable, "-c", _NO_THREADS, "run", "--ci", "plain", "--budget", "4kB"]
    argv += ["--mask", "hunter2-secret", "--artifact", str(archive), "--"]
    argv += [sys.executable, "-c", _STEP]
    proc = _launched(argv, tmp_path, no_fork)
    console = proc.stdout + proc.stderr
    assert proc.returncode == 9, console[-2000:]
    assert b"internal error" not in console
    assert b"hunter2-secret" not in console
    assert b"[logtrim] failed (exit 9): ERROR: upload failed: 503 from the CDN" in proc.stdout
    assert len(console) <= 4096
    want = (
        b"".join(b"upload chunk %d with token ********\n" % i for i in range(3000))
        + b"ERROR: upload failed: 503 from the CDN\n"
    )
    assert zstd_dc(archive) == want


def test_the_grace_period_ends_in_sigkill_where_no_thread_can_start(tmp_path: Path) -> None:
    """SIGTERM to ``run`` with ``--grace 1``, the step ignoring it: the SIGKILL after the
    grace period runs on a timer thread, and where none could start nothing replaced it (the
    step ran on to its end, ``interrupted`` but exit 0). The loop's timer kills it now."""
    import signal
    import time

    argv = [sys.executable, "-c", _NO_THREADS, "run", "--ci", "plain", "--grace", "1"]
    argv += ["--artifact", str(tmp_path / "s.log.zst"), "--"]
    argv += ["sh", "-c", "trap '' TERM; echo started; sleep 30; echo survived"]
    proc = subprocess.Popen(
        argv, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"started\n"
    time.sleep(0.3)  # (the step's trap is set before it prints)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=25)
    assert proc.returncode == 137, out + err
    assert b"survived" not in out
    assert b"terminated by SIGKILL after SIGTERM" in out


@pytest.mark.parametrize("no_fork", ["0", "1"])
def test_a_parent_that_ignores_sigchld_keeps_the_exit_code(tmp_path: Path, no_fork: str) -> None:
    """A supervisor that set SIGCHLD to ignored before it started ``run``: the system reaped
    the step itself, and its exit code was lost (exit 1 with an internal error, or exit 0:
    a failed step passed). SIGCHLD is set back to its default first."""
    launch = (
        "import os, signal, sys\n"
        "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
        "os.execv(sys.executable, [sys.executable, '-m', 'logtrim', *sys.argv[1:]])\n"
    )
    argv = [sys.executable, "-c", launch, "run", "--ci", "plain"]
    argv += ["--artifact", str(tmp_path / "s.log.zst"), "--", "sh", "-c", "echo hi; exit 3"]
    proc = _launched(argv, tmp_path, no_fork)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert b"[logtrim] failed (exit 3)" in proc.stdout
    assert zstd_dc(tmp_path / "s.log.zst") == b"hi\n"
