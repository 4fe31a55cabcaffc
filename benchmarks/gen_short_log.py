"""Deterministic generator of a second log shape: short lines from a containerised build.

    python3 benchmarks/gen_short_log.py --size 32MB --out bench-out/short-32MB.log
    python3 benchmarks/gen_short_log.py --size 1GB --out - | some-consumer

Where ``gen_log.py`` writes long lines (about 180 bytes) of paths and hashes, this one writes
short ones, about 140 bytes, as a container runtime logs them: an ISO timestamp, the stream, a
pod name, a one-letter level and a short message. About 3% progress lines, 1% warnings and
0.1% errors (single lines, a few with a short trace); the rest is informational noise. More
lines per megabyte is what per-line costs notice. The same ``--size`` and ``--seed`` always
give the same bytes, exactly ``--size`` of them, ending with a newline. Standard library only.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO

from gen_log import cli

LINES_PER_CHUNK = 16_384
# Share of lines per kind; an error entry is one to four lines.
WEIGHTS = {"noise": 95.9, "progress": 3.0, "warning": 1.0, "error": 0.1}
# Kubernetes pod names: deployment, replica set hash, pod suffix.
_PODS = [
    f"{app}-{rs:08x}-{pod}"
    for app in ("api", "web", "worker", "build", "migrate")
    for rs, pod in ((0x7F9C4D8B, "x2k9p"), (0x5B6D9F21, "qq7rt"))
]
_PKGS = ["libssl3", "ca-certificates", "tzdata", "python3.11", "nodejs", "openjdk-17", "curl"]
_NPM = ["react", "lodash", "typescript", "webpack", "eslint", "jest", "axios", "express"]
_STAGES = ["restore", "compile", "test", "package", "publish", "scan", "push"]


def _noise(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:
        return (
            f"I Get:{rng.randint(1, 400)} http://deb.example.org/debian bookworm/main amd64"
            f" {rng.choice(_PKGS)} amd64 {rng.randint(1, 9)}.{rng.randint(0, 30)}"
            f"-{rng.randint(1, 9)} [{rng.randint(10, 9999)} kB]"
        )
    if kind < 0.55:
        return (
            f"D npm http fetch GET 200 https://registry.example.org/{rng.choice(_NPM)}/-/"
            f"{rng.choice(_NPM)}-{rng.randint(1, 9)}.{rng.randint(0, 40)}.tgz"
            f" {rng.randint(2, 900)}ms (cache {rng.choice(['hit', 'miss', 'revalidated'])})"
        )
    if kind < 0.8:
        return (
            f"I #{rng.randint(3, 40)} sha256:{rng.getrandbits(128):032x}"
            f" {rng.uniform(0.1, 99):.1f}MB / {rng.uniform(100, 400):.1f}MB"
            f" {rng.uniform(0, 9):.1f}s done"
        )
    return (
        f"D [{rng.choice(_STAGES)}] tsc compiled src/{rng.choice(_NPM)}/components/"
        f"module{rng.randint(1, 999)}.tsx -> dist/chunk-{rng.getrandbits(32):08x}.js"
        f" in {rng.randint(1, 400)}ms"
    )


def _progress(rng: random.Random) -> str:
    total = rng.randint(20, 900)
    done = rng.randint(0, total)
    if rng.random() < 0.5:
        return f"I [{rng.choice(_STAGES)}] {done * 100 // total}% done ({done}/{total} files)"
    step = f"I Step {rng.randint(1, 12)}/12 : RUN make -j2"
    return f"{step} target-{rng.randint(1, 99)} [{done}/{total}]"


def _warning(rng: random.Random) -> str:
    return rng.choice(
        [
            f"W npm WARN deprecated {rng.choice(_NPM)}@{rng.randint(1, 9)}.0.0: upgrade it",
            f"W warning: unused variable 'tmp{rng.randint(1, 99)}' in src/{rng.choice(_NPM)}.c",
            f"W retrying push to registry.example.org (attempt {rng.randint(2, 5)}/5): EOF",
        ]
    )


def _error(rng: random.Random) -> str:
    first = rng.choice(
        [
            f"E error: failed to compile src/{rng.choice(_NPM)}/mod{rng.randint(1, 999)}.ts",
            f"E npm ERR! code E{rng.choice([401, 404, 500])} fetching {rng.choice(_NPM)}",
            f"E ERROR: process '/bin/sh -c make' returned a non-zero code: {rng.randint(1, 2)}",
        ]
    )
    frames = [f'E   File "build/{s}.py", line {rng.randint(1, 300)}' for s in _STAGES]
    return "\n".join([first, *rng.sample(frames, rng.choice([0, 0, 1, 3]))])


_MAKERS: dict[str, Callable[[random.Random], str]] = {
    "noise": _noise,
    "progress": _progress,
    "warning": _warning,
    "error": _error,
}
_POOL_SIZES = {"noise": 30_000, "progress": 2000, "warning": 600, "error": 200}


def iter_chunks(size: int, seed: int = 1) -> Iterator[bytes]:
    """Yield chunks of the log whose lengths add up to exactly ``size`` bytes."""
    rng = random.Random(seed)
    pool: list[str] = []
    weights: list[float] = []
    for kind, count in _POOL_SIZES.items():
        pool.extend(f"{_MAKERS[kind](rng)}\n" for _ in range(count))
        weights.extend([WEIGHTS[kind] / count] * count)
    millis = [f".{ms:03d}Z " for ms in range(1000)]
    clock = 8 * 3600 + 17 * 60
    left = size
    while left > 0:
        picks = rng.choices(pool, weights=weights, k=LINES_PER_CHUNK)
        ticks = sorted(rng.choices(range(1000), k=LINES_PER_CHUNK))
        pods = rng.choices(_PODS, k=LINES_PER_CHUNK)
        now = f"2024-05-14T{clock // 3600 % 24:02d}:{clock // 60 % 60:02d}:{clock % 60:02d}"
        clock += 1
        parts = [
            f"{now}{millis[t]}stdout F {pod} {line}"
            for t, pod, line in zip(ticks, pods, picks, strict=True)
        ]
        data = "".join(parts).encode()
        if len(data) >= left:
            data = data[: left - 1] + b"\n" if left > 1 else b"\n"
        left -= len(data)
        yield data


def write_log(size: int, out: BinaryIO, seed: int = 1) -> None:
    for chunk in iter_chunks(size, seed):
        out.write(chunk)


def main(argv: list[str] | None = None) -> int:
    return cli(write_log, __doc__ or "", argv)


if __name__ == "__main__":
    sys.exit(main())
