"""Handler: per-record cost of ``logtrim.LogtrimHandler`` against ``logging.FileHandler``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness import CHILDREN, OUT, Suite, failure, medians


def bench(suite: Suite) -> None:
    script = CHILDREN / "handler_records.py"
    n = suite.size(200_000, 20_000)
    lt = suite.cmd(sys.executable, script, "logtrim", str(n), OUT / "handler.zst")
    fh = suite.cmd(sys.executable, script, "file", str(n), OUT / "handler.log")

    t_lt, t_fh = medians(suite.runs, lambda: _timed(lt) / n * 1e6, lambda: _timed(fh) / n * 1e6)
    suite.add(
        f"handler: per-record cost, {n:,} mostly-DEBUG records",
        f"{t_lt:.1f} µs/record",
        f"{t_fh:.1f} µs/record logging.FileHandler",
        f"{t_lt / t_fh:.2f}x",
        "≤ 2x",
        ok=t_lt / t_fh <= 2,
    )
    _many_lines(suite, script)
    for p in (OUT / "handler.zst", OUT / "handler.log"):
        p.unlink(missing_ok=True)


def _many_lines(suite: Suite, script: Path) -> None:
    """Records of many lines (2,000 lines of 1 kB each): their tier was once read by each
    rule's regex over the whole text, seconds a record."""
    n, lines = suite.size(20, 2), 2000
    lt = suite.cmd(sys.executable, script, "logtrim", str(n), OUT / "handler.zst", str(lines))
    fh = suite.cmd(sys.executable, script, "file", str(n), OUT / "handler.log", str(lines))

    t_lt, t_fh = medians(suite.runs, lambda: _timed(lt) / n * 1e3, lambda: _timed(fh) / n * 1e3)
    suite.add(
        f"handler: {n} records of {lines:,} lines of 1 kB each",
        f"{t_lt:.0f} ms/record",
        f"{t_fh:.1f} ms/record logging.FileHandler",
        f"{t_lt / t_fh:.1f}x",
        "—",
        ok=True,
    )


def _timed(cmd: list[str]) -> float:
    """The seconds the child says its records took."""
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise failure(cmd, out.returncode, out.stderr)
    return float(out.stdout.split()[-1])
