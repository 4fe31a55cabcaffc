"""Memory: peak RSS of ``logtrim run -- cat`` on files, on a 1 GB stream and on one long line."""

from __future__ import annotations

import shlex
import statistics
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from harness import BENCH, CHILDREN, MB, OUT, Suite, limit, mb, run_to
from inputs import deploy_log


def _rss_file(cmd: list[str], size: int) -> int:
    return run_to(cmd, OUT / "mem.console", budget=limit(size)).maxrss


def _rss_streamed(suite: Suite, producer: list[str], size: int, art: Path) -> int:
    """Peak RSS of ``logtrim run -- cat`` fed on stdin by ``producer`` (which is not counted)."""
    lt = suite.lt_run(art, "cat", record=False)
    suite.show(f"{shlex.join(producer)} | {shlex.join(lt)}")
    feed = subprocess.Popen(producer, stdout=subprocess.PIPE)
    try:
        return run_to(lt, OUT / "mem.console", stdin=feed.stdout, budget=limit(size)).maxrss
    finally:
        assert feed.stdout is not None
        feed.stdout.close()
        feed.wait()


def bench(suite: Suite) -> None:
    art = OUT / "mem.zst"
    cases: list[tuple[str, Callable[[], int]]] = []
    for full, quick in ((32 * MB, 4 * MB), (256 * MB, 8 * MB)):
        log = deploy_log(suite, suite.size(full, quick))
        size = log.stat().st_size
        cmd = suite.lt_run(art, "cat", log)
        cases.append((f"{mb(size)} log (`run -- cat FILE`)", partial(_rss_file, cmd, size)))
    big = suite.size(1000 * MB, 16 * MB)
    gen = [sys.executable, str(BENCH / "gen_log.py"), "--size", str(big), "--out", "-"]
    cases.append(
        (
            f"{mb(big)} streamed (`gen_log.py | run -- cat`)",
            partial(_rss_streamed, suite, gen, big, art),
        )
    )
    line = suite.size(64 * 2**20, 8 * 2**20)
    one = [sys.executable, str(CHILDREN / "long_line.py"), str(line)]
    cases.append(
        (f"one {line >> 20} MiB line, no newline", partial(_rss_streamed, suite, one, line, art))
    )
    first = 0.0
    for name, fn in cases:
        rss = statistics.median(fn() for _ in range(suite.runs))
        first = first or rss
        suite.add(
            f"peak RSS, {name}",
            mb(rss),
            "—",
            f"{rss / first:.2f}x of first",
            "≤ 64 MB, flat",
            ok=rss <= 64 * MB,
        )
    art.unlink(missing_ok=True)
