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


@pytest.mark.parametrize("no_fork", ["0", "1"])
def test_a_step_runs_whole_where_no_thread_can_start(tmp_path: Path, no_fork: str) -> None:
    """The forked archive writer and the in-process one (``LOGTRIM_NO_FORK=1``, aiofiles):
    the exit code is the step's, the console filtered and masked, the archive whole."""
    archive = tmp_path / "step.log.zst"
    argv = [sys.executable, "-c", _NO_THREADS, "run", "--ci", "plain", "--budget", "4kB"]
    argv += ["--mask", "hunter2-secret", "--artifact", str(archive), "--"]
    argv += [sys.executable, "-c", _STEP]
    proc = subprocess.run(
        argv,
        env=clean_env({"LOGTRIM_NO_FORK": no_fork}),
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
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
