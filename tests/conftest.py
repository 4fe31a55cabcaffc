"""Shared fixtures: run ``logtrim run`` as a real subprocess and read back its archive."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import zstandard
from hypothesis import HealthCheck, settings

from logtrim.engine.core import STDOUT, Core

# No per-example deadline: these machines are shared and noisy, and a timing is not a property.
# The default profile (the README's command, CI) draws the same examples on every run: a
# submission's CI checks what was checked before it; ``HYPOTHESIS_PROFILE=nightly`` explores,
# with ten times the examples, drawn anew each run (what it finds is fixed and pinned with
# ``@example``).
settings.register_profile(
    "default", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "nightly", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
settings.load_profile(_PROFILE)
# The examples a property test names are its nightly share: an ordinary run (the README's
# command, CI on two cores within its time limit) takes half of them, at least 25;
# ``HYPOTHESIS_PROFILE=nightly`` ten times them.
_SCALE = 10.0 if _PROFILE == "nightly" else 0.5


def examples(count: int) -> int:
    """How many examples a property test that names ``count`` runs under this profile."""
    return max(25, int(count * _SCALE))


REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"

# Variables by which ``--ci auto`` would detect a CI system: tests choose the dialect themselves.
_CI_VARS = (
    "OctopusCalamariWorkingDirectory",
    "GITHUB_ACTIONS",
    "TF_BUILD",
    "TEAMCITY_VERSION",
    "GITLAB_CI",
    "BUILDKITE",
    "JENKINS_URL",
    "JENKINS_HOME",
    "CI",
)


def decode_zstd(data: bytes) -> bytes:
    """All complete zstd frames of ``data`` (no logtrim code involved)."""
    if not data:
        return b""
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
    return reader.read()


def zstd_dc(path: Path) -> bytes:
    """``zstd -dc PATH`` when the zstd tool is installed, else the zstandard module."""
    from shutil import which

    if which("zstd"):
        return subprocess.run(
            ["zstd", "-dc", "-q", str(path)], check=True, capture_output=True, timeout=60
        ).stdout
    return decode_zstd(path.read_bytes())


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without CI detection or ``LOGTRIM_*`` variables."""
    env = {
        k: v for k, v in os.environ.items() if k not in _CI_VARS and not k.startswith("LOGTRIM_")
    }
    env.setdefault("PYTHONUNBUFFERED", "1")
    if extra:
        env.update(extra)
    return env


def py(code: str) -> list[str]:
    """A child command running Python ``code``."""
    return [sys.executable, "-c", code]


# Child code defining ``taken(fd)``: wait (10 s at most) until the pipe on ``fd`` is read out.
# Two pipes carry no order between them: a test of the order across stdout and stderr
# writes the next stream only once logtrim has read the last one (FIONREAD counts what a
# pipe holds, from either end, on Linux), however loaded the machine.
TAKEN = (
    "import fcntl, termios, struct, time\n"
    "def taken(fd):\n"
    "    end = time.monotonic() + 10\n"
    "    while time.monotonic() < end:\n"
    "        buf = fcntl.ioctl(fd, termios.FIONREAD, b'\\0' * 4)\n"
    "        if struct.unpack('i', buf)[0] == 0: return\n"
    "        time.sleep(0.01)\n"
)


@dataclass
class Result:
    code: int
    stdout: bytes
    stderr: bytes
    archive: bytes
    artifact: Path | None

    @property
    def console(self) -> bytes:
        return self.stdout + self.stderr


RunLogtrim = Callable[..., Result]


@pytest.fixture
def run_logtrim(tmp_path: Path) -> RunLogtrim:
    """``run_logtrim(*args, env=None, timeout=60)``: ``logtrim run --artifact TMP *args``.

    ``args`` are logtrim options, then ``--`` and the command. Pass ``artifact=None`` to let
    logtrim choose (then ``cwd`` says where), or a path of your own.
    """
    counter = iter(range(1_000_000))

    def run(
        *args: str,
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
        artifact: Path | bool | None = True,
        cwd: Path | None = None,
        stdin: bytes | None = None,
    ) -> Result:
        path: Path | None
        if artifact is True:
            path = tmp_path / f"run-{next(counter)}.log.zst"
        elif artifact is False:
            path = None
        else:
            path = artifact
        argv = [sys.executable, "-m", "logtrim", "run"]
        if path is not None:
            argv += ["--artifact", str(path)]
        argv += list(args)
        proc = subprocess.run(
            argv,
            env=clean_env(env),
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=timeout,
            cwd=cwd or tmp_path,
            check=False,
        )
        archive = b""
        if path is not None and path.is_file():
            archive = decode_zstd(path.read_bytes())
        return Result(proc.returncode, proc.stdout, proc.stderr, archive, path)

    return run


def break_prepare(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in logtrim before the step starts: preparing ``run``'s settings raises."""
    from logtrim.cli import runcmd

    def broken(*_args: object) -> None:
        raise RuntimeError("a bug in logtrim")

    monkeypatch.setattr(runcmd, "_prepare", broken)


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines()


def logtrim_argv(*args: str) -> Sequence[str]:
    return [sys.executable, "-m", "logtrim", *args]


# Modules whose tests start real processes (logtrim, its writer, shells, tools) or run long.
_PROCESS_MODULES = {
    "test_lifecycle",
    "test_ci_runs",
    "test_archive_paths",
    "test_cat",
    "test_benchmarks_smoke",
    "test_docs",
    "test_stats",
    "test_diff",
    "test_history_runs",
    "test_trim",
    "test_hostile_lines",
    "test_failopen",
    "test_console",
    "test_native_runs",
    "test_crash_safety",
    "test_secrets",
    "test_fuzz_secrets",  # in-process, but hundreds of examples through three front ends
    "test_properties",  # in-process, 300 examples per invariant
    "test_flood_properties",  # the same, for error floods
    "test_tiny_lines",  # millions of lines through trim and run, their peak RSS
    "test_many_descriptors",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that run real processes are ``slow``: ``pytest -m "not slow"`` is the fast subset
    (the engine, the rules, the dialects, the properties: in-process)."""
    for item in items:
        module = item.module.__name__ if isinstance(item, pytest.Function) else ""
        if "run_logtrim" in getattr(item, "fixturenames", ()) or module in _PROCESS_MODULES:
            item.add_marker(pytest.mark.slow)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` cut at the points ``cuts`` name (modulo its length): any chunking of it."""
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, prev = [], 0
    for p in points:
        out.append(data[prev:p])
        prev = p
    out.append(data[prev:])
    return [c for c in out if c]


def insert_codes(secret: bytes, cuts: list[tuple[int, bytes]]) -> bytes:
    """``secret`` with each (offset, code) of ``cuts`` put in at its offset (sorted)."""
    parts, pos = [], 0
    for at, code in cuts:
        parts += [secret[pos:at], code]
        pos = at
    return b"".join([*parts, secret[pos:]])


def feed_chunks(
    core: Core, chunks: list[bytes], ticks: list[bool], step: float
) -> tuple[list[bytes], list[tuple[int, bytes]], float]:
    """Feed ``chunks`` on stdout; after each chunk that ``ticks`` flags, ``step`` seconds
    pass and the engine ticks. (The archive's pieces, the console's emits, the time.)"""
    archive: list[bytes] = []
    console: list[tuple[int, bytes]] = []
    now = 0.0
    for i, chunk in enumerate(chunks):
        arch, emits = core.feed(STDOUT, chunk, now)
        archive.append(arch)
        console += emits
        if i < len(ticks) and ticks[i]:
            now += step
            console += core.tick(now)
    return archive, console, now


def failed_console(core: Core, chunks: list[bytes]) -> bytes:
    """What the console gets (the summary and its counts included) when ``chunks`` come on
    stdout and the child then exits 1, all at time 0."""
    out = []
    for chunk in chunks:
        out += core.feed(STDOUT, chunk, 0.0)[1]
    out += core.finish_input(0.0)[1]
    out += core.close(1, 0.0, timed=False)[0]
    return b"".join(data for _, data in out)


def streams_console(core: Core, chunks: list[tuple[int, bytes]]) -> bytes:
    """What the console gets when these (stream, chunk) pairs come a tenth of a second apart
    and the child then exits 1 (the engine started, its closing lines reserved)."""
    core.finish.reserve_closing("/tmp/run.log.zst", "run.log.zst")
    core.start(0.0)
    out, now = [], 0.0
    for stream, chunk in chunks:
        now += 0.1
        out += core.feed(stream, chunk, now)[1]
    out += core.finish_input(now)[1]
    out += core.close(1, now, timed=False)[0]
    return b"".join(data for _, data in out)


@pytest.fixture
def log(request: pytest.FixtureRequest) -> Iterator[logging.Logger]:
    """A private logger at DEBUG that does not propagate; its handlers are closed after."""
    logger = logging.getLogger(f"app.{request.node.name}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
