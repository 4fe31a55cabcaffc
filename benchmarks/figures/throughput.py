"""Throughput: ``logtrim run -- cat FILE`` against ``cat | tee >(zstd -3) | grep``: the default
install (``pip install .``), this venv, the fallback engine on the same log, and the archive's
size."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from harness import FALLBACK_ENV, MB, OUT, Suite, limit, mb, medians, pipeline, run_to, speed
from inputs import default_install, deploy_log, engine


def _python_of(logtrim: list[str]) -> str:
    """The interpreter behind a logtrim command (its venv's python), for naming the engine."""
    beside = Path(logtrim[0]).with_name("python")
    return str(beside) if beside.exists() else sys.executable


def bench(suite: Suite) -> None:
    size = suite.size(256 * MB, 8 * MB)
    log = deploy_log(suite, size)
    art, kept = OUT / "tp-logtrim.zst", OUT / "tp-logtrim.console"
    lt = suite.lt_run
    base = suite.cmd("bash", "-c", pipeline(f"cat {shlex.quote(str(log))}", "tp-base"))
    # (kind, label, argv, extra environment). The logtrim under test is what the README's
    # install gives (with --default-install, the default), this venv's for comparison.
    here: tuple[str, str, list[str], dict[str, str]] = (
        "main",
        f"this venv ({engine(_python_of(suite.logtrim))})",
        lt(art, "cat", log),
        {},
    )
    runs: list[tuple[str, str, list[str], dict[str, str]]] = [here]
    if suite.default_install:
        venv = default_install(suite)
        cmd = lt(art, "cat", log, logtrim=[str(venv / "bin" / "logtrim")])
        label = f"default install, `pip install .` ({engine(venv / 'bin' / 'python')})"
        runs.insert(0, ("default", label, cmd, {}))
    runs.append(("fallback", "fallback engine, `LOGTRIM_ENGINE=re`", runs[0][2], FALLBACK_ENV))
    suite.show(f"{' '.join(f'{k}={v}' for k, v in FALLBACK_ENV.items())} <the first logtrim run>")

    def timer(cmd: list[str], env: dict[str, str]) -> Callable[[], float]:
        return lambda: run_to(cmd, kept, budget=limit(size), env=env).wall

    t_base, *times = medians(
        suite.runs,
        lambda: run_to(base, OUT / "tp-base.out").wall,
        *(timer(cmd, env) for _, _, cmd, env in runs),
    )
    for (kind, label, _, _), t in zip(runs, times, strict=True):
        ratio = t_base / t
        if kind == "fallback":  # an absolute floor; the pipeline for reference
            target, ok = "≥ 50 MB/s", size / MB / t >= 50
        elif kind == "default":  # what users get must be as fast as what we test
            target, ok = "≥ 1.0x, ≤ 1.1x this venv's time", ratio >= 1.0 and t <= 1.1 * times[1]
        else:
            target, ok = "≥ 1.0x", ratio >= 1.0
        suite.add(
            f"throughput, {mb(size)} log (`run -- cat`), {label}",
            speed(size, t),
            f"{speed(size, t_base)} tee+zstd -3+grep",
            f"{ratio:.2f}x",
            target,
            ok=ok,
        )
    _archive_size(suite, log, art)
    shown = kept.stat().st_size + kept.with_suffix(".stderr").stat().st_size
    suite.notes.append(
        f"throughput: logtrim console {mb(shown)}, grep kept "
        f"{mb((OUT / 'tp-base.kept').stat().st_size)} of {mb(size)}."
    )
    for p in (art, OUT / "tp-base.zst", OUT / "tp-base.kept"):
        p.unlink(missing_ok=True)


def _archive_size(suite: Suite, log: Path, art: Path) -> None:
    """The archive of the last logtrim run against ``zstd -3`` of the same file."""
    zst = OUT / "tp-zstd3.zst"
    subprocess.run(suite.cmd("zstd", "-3", "-q", "-f", log, "-o", zst), check=True)
    a, z = art.stat().st_size, zst.stat().st_size
    suite.add(
        "archive size vs `zstd -3`", mb(a), mb(z), f"{a / z:.3f}x", "≤ 1.05x", ok=a / z <= 1.05
    )
    zst.unlink()
