"""Deterministic generator of a command-heavy log: most lines are one CI system's own commands.

    python3 benchmarks/gen_cmd_log.py --ci teamcity --size 32MB --out bench-out/tc-32MB.log

The shape of a test run that reports each test to its CI, as test runners' CI reporters do:
under ``teamcity``, ``##teamcity[testStarted ...]``, a line or two of output, then
``##teamcity[testFinished ...]`` per test; under ``github``, ``::group::``/``::endgroup::``
around each test, ``::debug::`` lines and ``::notice file=...::`` annotations; under
``azure``, ``##[group]``, ``##vso[task.logissue ...]`` and ``##vso[task.setprogress ...]``;
under ``octopus``, ``##octopus[progress ...]`` with base64 values and level switches. About
two lines in three are commands; a few declare a secret (``add-mask``, ``setsecret``,
``setVariable ... sensitive``), which later lines print. The same ``--ci``, ``--size`` and
``--seed`` always give the same bytes, exactly ``--size`` of them. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
from collections.abc import Callable, Iterator

from gen_log import parse_size

TESTS_PER_CHUNK = 4096
_PKGS = ["api.orders", "api.users", "core.billing", "core.search", "web.cart", "web.auth"]
_OUTPUT = [
    "connecting to postgres://localhost:5432/test_db",
    "fixture 'tmp_path' set up in 0.{ms}s",
    "GET /api/v1/items?page={n} -> 200 ({ms} ms)",
    "loaded {n} rows from testdata/items.csv",
    "warning: deprecated call to legacy_api() in {pkg}",
]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _out(rng: random.Random, pkg: str) -> str:
    text = rng.choice(_OUTPUT)
    return text.format(ms=rng.randint(1, 999), n=rng.randint(1, 500), pkg=pkg)


def _teamcity(rng: random.Random, i: int, secret: str) -> list[str]:
    pkg = rng.choice(_PKGS)
    name = f"{pkg}.test_{i}"
    lines = [f"##teamcity[testStarted name='{name}' captureStandardOutput='false' flowId='1']"]
    lines += [_out(rng, pkg) for _ in range(rng.randint(1, 2))]
    if i % 500 == 7:
        lines.append(f"##teamcity[setParameter name='env.TOKEN_{i}' value='{secret}']")
        lines.append(f"using token {secret} for {name}")
    if i % 97 == 3:
        lines.append(f"##teamcity[testFailed name='{name}' message='assert 1 == 2' flowId='1']")
    lines.append(
        f"##teamcity[testFinished name='{name}' duration='{rng.randint(0, 900)}' flowId='1']"
    )
    return lines


def _github(rng: random.Random, i: int, secret: str) -> list[str]:
    pkg = rng.choice(_PKGS)
    lines = [f"::group::{pkg}.test_{i}", f"::debug::collected {pkg}.test_{i}"]
    lines += [_out(rng, pkg) for _ in range(rng.randint(1, 2))]
    if i % 500 == 7:
        lines.append(f"::add-mask::{secret}")
        lines.append(f"using token {secret} for test_{i}")
    if i % 13 == 3:
        lines.append(f"::notice file={pkg.replace('.', '/')}.py,line={i % 300}::slow test {i}")
    lines.append("::endgroup::")
    return lines


def _azure(rng: random.Random, i: int, secret: str) -> list[str]:
    pkg = rng.choice(_PKGS)
    lines = [f"##[group]{pkg}.test_{i}"]
    lines += [_out(rng, pkg) for _ in range(rng.randint(1, 2))]
    if i % 500 == 7:
        lines.append(f"##vso[task.setvariable variable=TOKEN_{i};issecret=true]{secret}")
        lines.append(f"##vso[task.setsecret]{secret}x")
        lines.append(f"using token {secret} for test_{i}")
    if i % 13 == 3:
        lines.append(f"##vso[task.logissue type=warning]slow test {pkg}.test_{i}")
    lines.append(f"##vso[task.setprogress value={i % 100};]running tests")
    lines.append("##[endgroup]")
    return lines


def _octopus(rng: random.Random, i: int, secret: str) -> list[str]:
    pkg = rng.choice(_PKGS)
    pct, msg = _b64(str(i % 100)), _b64(f"Deploying {pkg} step {i}")
    lines = [f"##octopus[progress percentage='{pct}' message='{msg}']", "##octopus[stdout-verbose]"]
    lines += [_out(rng, pkg) for _ in range(rng.randint(1, 2))]
    lines.append("##octopus[stdout-default]")
    if i % 500 == 7:
        name, value = _b64(f"Token{i}"), _b64(secret)
        lines.append(
            f"##octopus[setVariable name='{name}' value='{value}' sensitive='{_b64('True')}']"
        )
        lines.append(f"using token {secret} for step {i}")
    return lines


MAKERS: dict[str, Callable[[random.Random, int, str], list[str]]] = {
    "teamcity": _teamcity,
    "github": _github,
    "azure": _azure,
    "octopus": _octopus,
}


def iter_chunks(ci: str, size: int, seed: int = 1) -> Iterator[bytes]:
    """Yield chunks of the log whose lengths add up to exactly ``size`` bytes."""
    rng = random.Random(seed)
    make = MAKERS[ci]
    left, test = size, 0
    while left > 0:
        lines: list[str] = []
        for _ in range(TESTS_PER_CHUNK):
            secret = f"S3cr3t-{rng.getrandbits(64):016x}"
            lines += make(rng, test, secret)
            test += 1
        data = ("\n".join(lines) + "\n").encode()
        if len(data) >= left:
            data = data[: left - 1] + b"\n" if left > 1 else b"\n"
        left -= len(data)
        yield data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", maxsplit=1)[0])
    parser.add_argument("--ci", choices=sorted(MAKERS), required=True)
    parser.add_argument("--size", type=parse_size, required=True, help="e.g. 32MB, 64MiB")
    parser.add_argument("--out", required=True, help="output file, or - for stdout")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    out = sys.stdout.buffer if args.out == "-" else open(args.out, "wb")  # noqa: SIM115
    try:
        for chunk in iter_chunks(args.ci, args.size, args.seed):
            out.write(chunk)
    finally:
        if out is not sys.stdout.buffer:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
