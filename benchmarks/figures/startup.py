"""Start-up: ``logtrim run -- true`` against ``python -c pass``."""

from __future__ import annotations

import compileall
import sys

from harness import OUT, ROOT, Suite, medians, run_to, secs


def bench(suite: Suite) -> None:
    # A wheel install's .pyc files are written by pip. An editable install's are written on
    # first import, and never under PYTHONDONTWRITEBYTECODE=1 (some shells and CI images set
    # it): then each start-up compiles the package from source, about 1.7x the instructions.
    # Measure what users run: the package compiled (this interpreter's tag, as the venv's).
    compileall.compile_dir(ROOT / "logtrim", quiet=1)
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
