"""Latency: how soon an error line written under a flood of noise reaches the console."""

from __future__ import annotations

import os
import re
import shlex
import statistics
import subprocess
import sys
import time

from harness import CHILDREN, OUT, Suite, failure, pipeline

_PROBE = re.compile(rb"latency-probe (\d+)")


def _probe_latencies(cmd: list[str]) -> list[float]:
    """Run ``cmd``, read its stdout as it arrives, return each probe's latency in ms."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    pending = b""
    lat: list[float] = []
    while chunk := os.read(fd, 1 << 16):
        now = time.monotonic_ns()
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            if m := _PROBE.search(line):
                lat.append((now - int(m.group(1))) / 1e6)
    proc.stdout.close()
    if proc.wait() != 0:
        raise failure(cmd, proc.returncode)
    return lat


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def bench(suite: Suite) -> None:
    probes = suite.size(120, 30)
    kid = [sys.executable, str(CHILDREN / "latency_flood.py"), str(probes), "0.05"]
    lt = suite.lt_run(OUT / "lat.zst", *kid)
    base = suite.cmd("bash", "-c", pipeline(shlex.join(kid), "lat-base", line_buffered=True))
    runs: dict[str, list[tuple[float, float, int]]] = {"lt": [], "base": []}
    for _ in range(suite.runs):
        for key, cmd in (("lt", lt), ("base", base)):
            lat = _probe_latencies(cmd)
            if len(lat) < probes:
                suite.notes.append(f"latency: {key} showed {len(lat)} of {probes} probes")
            runs[key].append(
                (_pct(lat, 0.5), _pct(lat, 0.99), len(lat))
                if lat
                else (float("inf"), float("inf"), 0)
            )
    p50, p99 = (statistics.median(r[i] for r in runs["lt"]) for i in (0, 1))
    b50, b99 = (statistics.median(r[i] for r in runs["base"]) for i in (0, 1))
    seen = min(r[2] for r in runs["lt"])
    suite.add(
        f"error-line latency under flood, p50 / p99 ({probes} probes per run)",
        f"{p50:.1f} / {p99:.1f} ms",
        f"{b50:.1f} / {b99:.1f} ms tee+grep --line-buffered",
        f"{p99 / b99:.1f}x (p99)" if b99 else "—",
        "p99 ≤ 50 ms",
        ok=p99 <= 50 and seen >= probes,
    )
    for p in (OUT / "lat.zst", OUT / "lat-base.zst"):
        p.unlink(missing_ok=True)
