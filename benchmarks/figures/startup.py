"""Start-up: ``logtrim run -- true`` against ``python -c pass``."""

from __future__ import annotations

import sys

from harness import OUT, Suite, medians, run_to, secs


def bench(suite: Suite) -> None:
    lt = suite.lt_run(OUT / "startup.zst", "true")
    py = suite.cmd(sys.executable, "-c", "pass")
    reps = 3 if suite.quick else max(suite.runs * 3, 10)
    t_lt, t_py = medians(
        reps,
        lambda: run_to(lt, OUT / "startup.console").wall,
        lambda: run_to(py, OUT / "startup-py.out").wall,
    )
    delta = t_lt - t_py
    suite.add(
        "startup, `run -- true` minus `python -c pass`",
        secs(t_lt),
        secs(t_py),
        f"+{delta * 1000:.0f} ms",
        "≤ 200 ms",
        ok=delta <= 0.2,
    )
