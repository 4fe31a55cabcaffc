"""Error floods: ``logtrim run`` on output that is all error lines, once errors no longer fit.

A step that fails in a loop can print millions of error lines. Once the budget stops showing
them, each further line must cost little: the figure is MB/s of ``run -- cat`` on such a
file with a small budget (so most of it comes after the error tier closed), against
``cat`` alone. All error lines, three errors to one warning, error lines that differ
only in a counter (collapsed as similar lines: each goes the exact way, not the flood's), and
error lines each with a UUID of its own (no two alike: each goes the exact way).
"""

from __future__ import annotations

import random
import uuid
from functools import partial
from pathlib import Path

from harness import MB, OUT, Suite, mb, medians, run_to, secs, wall

_WORDS = ["timeout", "refused", "failed", "denied", "missing", "corrupt", "unreachable"]


def _flood(size: int, warnings: bool | str | None) -> Path:
    """``size`` bytes of timestamped error lines (every fourth a warning, if asked; None:
    lines that differ only in a counter, which the console collapses as similar lines;
    "uuid": each with a request id of its own, so no two alike but for their digits)."""
    shape = (
        "similar"
        if warnings is None
        else warnings
        if isinstance(warnings, str)
        else ("mixed" if warnings else "all")
    )
    path = OUT / f"errors-{shape}-{size // MB}MB.log"
    if path.exists():
        return path
    rng = random.Random(17)
    written, i = 0, 0
    with open(path, "w") as file:
        while written < size:
            level = "WARN" if warnings is True and i % 4 == 3 else "ERROR"
            line = (
                f"2024-05-01T12:41:{i % 60:02d}.{i % 1000:03d}Z {level} worker-{i % 17} "
                f"request {i} to db-{i % 5}.internal {rng.choice(_WORDS)} after "
                f"{rng.randint(1, 999)} ms\n"
            )
            if warnings is None:  # the same words, but the counter: similar lines
                line = f"2024-05-01T12:41:00.000Z ERROR something x{i} happened\n"
            elif warnings == "uuid":
                line = (
                    f"2024-05-01T12:41:{i % 60:02d}.{i % 1000:03d}Z ERROR request "
                    f"{uuid.UUID(int=rng.getrandbits(128))} failed: upstream timeout\n"
                )
            file.write(line)
            written += len(line)
            i += 1
    return path


def _timed(cmd: list[str]) -> float:
    # A run that printed more than twice its budget did not filter: it fails the figure.
    return run_to(cmd, OUT / "errorflood.out", budget=2 * MB).wall


def bench(suite: Suite) -> None:
    OUT.mkdir(exist_ok=True)
    size = suite.size(200 * MB, 16 * MB)
    art = OUT / "errorflood.zst"
    shapes: tuple[tuple[str, bool | str | None], ...] = (
        ("all error lines", False),
        ("3 errors : 1 warning", True),
        ("error lines differing only in a counter", None),
        ("error lines each with its own request UUID", "uuid"),
    )
    for label, warnings in shapes:
        # (the UUID lines at 16 MB: each is taken the exact way, at a few MB/s)
        log = _flood(min(size, 16 * MB) if warnings == "uuid" else size, warnings)
        n = log.stat().st_size
        lt = suite.lt_run(art, "cat", log, extra=("--budget", "1MB"))
        alone = suite.cmd("cat", log)
        t_lt, t_cat = medians(
            suite.runs,
            partial(_timed, lt),
            partial(wall, alone, OUT / "cat.out"),
        )
        rate = n / MB / t_lt
        suite.add(
            f"`run --budget 1MB -- cat`, {mb(n)} of {label}",
            f"{rate:.0f} MB/s ({secs(t_lt)})",
            f"{n / MB / t_cat:.0f} MB/s cat alone",
            f"{t_lt / t_cat:.1f}x of cat",
            "≥ 50 MB/s",
            ok=rate >= 50,
        )
    art.unlink(missing_ok=True)
