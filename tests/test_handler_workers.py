"""A ``multiprocessing`` worker with a handler of its own (docs/python-api.md): the worker ends
with ``os._exit``, past ``atexit`` and logging's shutdown, and its archive still closes with
every record."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, zstd_dc

APP = """
import logging, multiprocessing as mp, os, sys
import logtrim
log = logging.getLogger("fan")
OUT = sys.argv[1]

def init() -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)  # the parent's (inherited: it writes no archive here)
    path = os.path.join(OUT, f"worker-{os.getpid()}.log.zst")
    root.addHandler(logtrim.LogtrimHandler(path, budget="20kB", ci="plain"))
    root.setLevel(logging.DEBUG)  # (a spawned worker has not run basicConfig)

def work(n: int) -> int:
    for i in range(300):
        log.debug("worker %d item %d", n, i)
    if n == 2:
        log.error("worker %d: upload of shard %d failed: 503", n, n)
    log.info("worker %d finished", n)
    return n

if __name__ == "__main__":
    handler = logtrim.LogtrimHandler(os.path.join(OUT, "app.log.zst"), budget="20kB", ci="plain")
    logging.basicConfig(level=logging.DEBUG, handlers=[handler])
    pool = mp.get_context(sys.argv[2]).Pool(2, initializer=init)
    pool.map(work, range(4))
    pool.close()
    pool.join()
    log.info("parent done")
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork and spawn: POSIX")
@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_a_pool_workers_own_handler_keeps_every_record(tmp_path: Path, start: str) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP)
    proc = subprocess.run(
        [sys.executable, str(app), str(tmp_path), start],
        capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    workers = sorted(tmp_path.glob("worker-*.log.zst"))
    assert len(workers) == 2
    archived = b"".join(zstd_dc(path) for path in workers)
    for n in range(4):
        assert archived.count(b"worker %d item " % n) == 300
        assert b"worker %d finished" % n in archived
    assert b"worker 2: upload of shard 2 failed: 503" in archived
    # ... and on the console, where its worker's handler shows it
    assert b"worker 2: upload of shard 2 failed: 503" in proc.stdout + proc.stderr
