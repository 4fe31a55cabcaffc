"""Deterministic generator of a realistic, noisy deployment log of a given size.

    python3 benchmarks/gen_log.py --size 256MB --out bench-out/deploy-256MB.log
    python3 benchmarks/gen_log.py --size 1GB --out - | some-consumer

Mostly verbose lines (paths, sha256 hashes, timings, sizes), a few percent progress (``45%``,
``[12/340]``), info and warning lines, and rare errors, some with Python, Java or .NET stack traces.
Every entry starts with a timestamp. The same ``--size`` and ``--seed`` always give the same bytes,
exactly ``--size`` of them, ending with a newline.

Fast: a pool of varied lines is built once, then each chunk samples it with ``random.choices``
and is written in one call (about 90 MB/s). Standard library only.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "k": 10**3,
    "m": 10**6,
    "g": 10**9,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")

LINES_PER_CHUNK = 16_384
POOL_VERBOSE = 40_000
# Share of sampled entries per kind (an error entry may be a whole stack trace).
WEIGHTS = {"verbose": 94.6, "progress": 3.0, "info": 1.8, "warning": 0.57, "error": 0.03}

_HOSTS = ["web-01", "web-02", "web-03", "api-01", "api-02", "worker-01", "db-01", "cache-01"]
_COMPONENTS = [
    "deploy.sync",
    "nuget",
    "calamari",
    "package.extract",
    "config.transform",
    "iis",
    "systemd",
    "docker",
    "k8s.apply",
    "health",
    "db.migrate",
    "cdn.upload",
]
_DIRS = [
    "/srv/app/releases",
    "/opt/acme/current",
    "/var/lib/octopus/work",
    "/home/deploy/.cache",
    "C:\\Octopus\\Applications\\Production",
    "/usr/share/acme/static",
    "/etc/acme/conf.d",
]
_WORDS = [
    "assets",
    "lib",
    "site-packages",
    "bin",
    "obj",
    "node_modules",
    "vendor",
    "static",
    "templates",
    "migrations",
    "locale",
    "dist",
    "build",
    "plugins",
    "modules",
    "config",
]
_EXTS = ["py", "dll", "js", "css", "map", "json", "yaml", "so", "html", "png", "sql", "xml"]
_PKGS = [
    "Acme.Web",
    "Acme.Api",
    "Acme.Worker",
    "Acme.Shared",
    "Newtonsoft.Json",
    "Serilog",
    "requests",
    "urllib3",
    "django",
    "celery",
    "lodash",
    "react-dom",
]
_VERBS = [
    "Copying",
    "Extracting",
    "Hashing",
    "Verifying checksum of",
    "Writing",
    "Linking",
    "Uploading",
    "Downloading",
    "Transforming",
    "Skipping unchanged",
]


def parse_size(text: str) -> int:
    """``256MB`` (decimal), ``64MiB`` (binary) or a byte count."""
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 256MB, 64MiB, 4096)")
    return int(float(match.group(1)) * _UNITS[unit])


def _path(rng: random.Random) -> str:
    parts = rng.sample(_WORDS, rng.randint(2, 5))
    name = f"{rng.choice(_WORDS)}_{rng.randint(0, 9999)}.{rng.choice(_EXTS)}"
    return "/".join(
        [rng.choice(_DIRS), f"2024.{rng.randint(1, 12)}.{rng.randint(1, 300)}", *parts, name]
    )


def _file(rng: random.Random) -> str:
    return f"{rng.choice(_WORDS)}.{rng.choice(_WORDS)}"


def _verbose(rng: random.Random) -> str:
    kind = rng.random()
    comp = rng.choice(_COMPONENTS)
    if kind < 0.45:
        return (
            f"VERBOSE [{comp}] {rng.choice(_VERBS)} {_path(rng)} ({rng.randint(1, 99999)} bytes)"
            f" sha256={rng.getrandbits(256):064x} in {rng.uniform(0.1, 250):.1f} ms"
        )
    if kind < 0.65:
        return (
            f"DEBUG [{comp}] GET https://packages.example.com/v3/{rng.choice(_PKGS).lower()}/"
            f"{rng.randint(1, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 200)} -> 200"
            f" ({rng.randint(200, 90000)} B, {rng.randint(1, 900)} ms)"
            f" etag={rng.getrandbits(64):016x}"
        )
    if kind < 0.8:
        return (
            f"VERBOSE [{comp}] host={rng.choice(_HOSTS)} pid={rng.randint(100, 65000)}"
            f" set {rng.choice(_WORDS)}.{rng.choice(_WORDS)}={rng.getrandbits(40):010x}"
            f" (took {rng.uniform(0, 30):.3f}s)"
        )
    if kind < 0.9:
        return (
            f"DEBUG [{comp}] resolved {rng.choice(_PKGS)} {rng.randint(1, 9)}.{rng.randint(0, 40)}"
            f" from cache {_path(rng)} digest sha256:{rng.getrandbits(256):064x}"
        )
    return (
        f"VERBOSE [{comp}] layer {rng.getrandbits(48):012x}: {rng.randint(1, 999)} files,"
        f" {rng.uniform(0.1, 900):.1f} MB, compressed {rng.uniform(0.1, 300):.1f} MB,"
        f" elapsed {rng.randint(0, 59)}m{rng.randint(0, 59)}s"
    )


def _progress(rng: random.Random) -> str:
    total = rng.randint(20, 900)
    done = rng.randint(0, total)
    pct = done * 100 // total
    kind = rng.random()
    if kind < 0.4:
        return f"INFO [{rng.choice(_COMPONENTS)}] Uploading {rng.choice(_PKGS)}: {pct}%"
    if kind < 0.8:
        return f"[{done}/{total}] Building CXX object src/{rng.choice(_WORDS)}/{_file(rng)}.cpp.o"
    return f"Progress: {pct}% ({done}/{total} files) deploying to {rng.choice(_HOSTS)}"


def _info(rng: random.Random) -> str:
    return rng.choice(
        [
            f"INFO Starting step 'Deploy {rng.choice(_PKGS)}' on {rng.choice(_HOSTS)}",
            f"INFO Deployed {rng.choice(_PKGS)} {rng.randint(1, 9)}.{rng.randint(0, 40)}"
            f" to {rng.choice(_HOSTS)}",
            f"INFO Health check passed on {rng.choice(_HOSTS)} ({rng.randint(2, 900)} ms)",
            f"INFO Switched symlink current -> {_path(rng)}",
        ]
    )


def _warning(rng: random.Random) -> str:
    return rng.choice(
        [
            f"WARN [{rng.choice(_COMPONENTS)}] retrying {rng.choice(_HOSTS)}"
            f" in {rng.randint(1, 30)}s (attempt {rng.randint(2, 5)}/5): connection reset by peer",
            f"warning: deprecated config key '{_file(rng)}' in appsettings.json",
            f"WARNING: disk usage at {rng.randint(80, 97)}% on {rng.choice(_HOSTS)}:/var",
            f"Warning: package {rng.choice(_PKGS)} is not signed; skipping signature check",
        ]
    )


def _error(rng: random.Random) -> str:
    host = rng.choice(_HOSTS)
    kind = rng.random()
    if kind < 0.3:
        frames = "\n".join(
            f'  File "/opt/acme/current/{rng.choice(_WORDS)}/{rng.choice(_WORDS)}.py", line'
            f" {rng.randint(1, 900)}, in {rng.choice(_WORDS)}_{rng.randint(1, 99)}\n"
            f"    result = self.{rng.choice(_WORDS)}(payload, timeout={rng.randint(1, 60)})"
            for _ in range(rng.randint(3, 8))
        )
        return (
            f"ERROR [db.migrate] migration {rng.randint(1, 400):04d} failed on {host}\n"
            f"Traceback (most recent call last):\n{frames}\n"
            f"psycopg2.errors.LockNotAvailable: could not obtain lock on relation"
            f' "{rng.choice(_WORDS)}" (pid {rng.randint(100, 65000)})'
        )
    if kind < 0.55:
        frames = "\n".join(
            f"\tat com.acme.{rng.choice(_WORDS)}.{rng.choice(_WORDS).title()}Service."
            f"{rng.choice(_WORDS)}({rng.choice(_WORDS).title()}Service.java:{rng.randint(1, 900)})"
            for _ in range(rng.randint(4, 12))
        )
        return (
            f"ERROR [health] request to {host} failed\n"
            f"java.net.SocketTimeoutException: Read timed out after {rng.randint(1, 60)}000 ms\n"
            f"{frames}\n\t... {rng.randint(5, 40)} more"
        )
    if kind < 0.8:
        frames = "\n".join(
            f"   at Acme.{rng.choice(_WORDS).title()}.{rng.choice(_WORDS).title()}Handler."
            f"Execute() in C:\\build\\src\\{rng.choice(_WORDS)}\\Handler.cs"
            f":line {rng.randint(1, 900)}"
            for _ in range(rng.randint(3, 9))
        )
        return (
            f"System.InvalidOperationException: Sequence contains no elements (deployment"
            f" {rng.getrandbits(32):08x})\n{frames}"
        )
    return rng.choice(
        [
            f"ERROR: failed to apply manifest {_path(rng)} on {host}:"
            f" exit status {rng.randint(1, 255)}",
            f"FATAL [iis] App pool 'Acme{rng.randint(1, 20)}' could not be started on {host}",
            f"error: could not write {_path(rng)}: No space left on device",
        ]
    )


_MAKERS = {
    "verbose": _verbose,
    "progress": _progress,
    "info": _info,
    "warning": _warning,
    "error": _error,
}
_POOL_SIZES = {"verbose": POOL_VERBOSE, "progress": 3000, "info": 800, "warning": 600, "error": 300}


def iter_chunks(size: int, seed: int = 1) -> Iterator[bytes]:
    """Yield chunks of the log whose lengths add up to exactly ``size`` bytes."""
    rng = random.Random(seed)
    pool: list[str] = []
    weights: list[float] = []
    for kind, count in _POOL_SIZES.items():
        pool.extend(f"{_MAKERS[kind](rng)}\n" for _ in range(count))
        weights.extend([WEIGHTS[kind] / count] * count)
    cum: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    millis = [f".{ms:03d} " for ms in range(1000)]
    clock = 8 * 3600 + 17 * 60  # deployment starts at 08:17:00
    left = size
    first = True
    while left > 0:
        picks = rng.choices(pool, cum_weights=cum, k=LINES_PER_CHUNK)
        ticks = sorted(rng.choices(range(1000), k=LINES_PER_CHUNK))
        day = f"2024-05-14 {clock // 3600 % 24:02d}:{clock // 60 % 60:02d}:{clock % 60:02d}"
        clock += 1
        parts = [day + millis[t] + line for t, line in zip(ticks, picks, strict=True)]
        if first:
            parts.insert(0, "Deploying release 2024.5.14-3 of Acme Web to Production (8 targets)\n")
            first = False
        data = "".join(parts).encode()
        if len(data) >= left:
            data = data[: left - 1] + b"\n" if left > 1 else b"\n"
        left -= len(data)
        yield data


def write_log(size: int, out: BinaryIO, seed: int = 1) -> None:
    for chunk in iter_chunks(size, seed):
        out.write(chunk)


def cli(
    write: Callable[[int, BinaryIO, int], None], doc: str, argv: list[str] | None = None
) -> int:
    """The command line both generators share: ``--size``, ``--out FILE|-``, ``--seed``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--size", type=parse_size, required=True, help="e.g. 256MB, 64MiB")
    parser.add_argument("--out", required=True, help="output file, or - for stdout")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        if args.out == "-":
            write(args.size, sys.stdout.buffer, args.seed)
            sys.stdout.buffer.flush()
        else:
            with open(args.out, "wb") as out:
                write(args.size, out, args.seed)
    except BrokenPipeError:
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    return cli(write_log, __doc__ or "", argv)


if __name__ == "__main__":
    sys.exit(main())
