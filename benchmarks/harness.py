"""The measuring half of the benchmark suite: running a child, medians, the session's rows.

Wall time is ``time.perf_counter()`` around the child; peak RSS is the child's ``ru_maxrss`` from
``os.wait4``, both taken by a small launcher process (see :func:`measure`). Every figure is a
median over ``Suite.runs`` runs, its baseline measured in the same session, interleaved (A B A B).
"""

from __future__ import annotations

import os
import shlex
import statistics
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
CHILDREN = BENCH / "children"
OUT = ROOT / "bench-out"
# The shared corpus sits next to the repository; the corpus figure is skipped without it.
CORPUS = Path(os.environ.get("LOGTRIM_CORPUS", ROOT.parent / "shared" / "corpus"))
MB = 1_000_000
BUDGET = 20 * MB  # logtrim's default console budget
GREP_KEYWORDS = "error|warn|fatal|exception|traceback|fail|progress|%"
# The pure-Python matcher: LOGTRIM_ENGINE=re where logtrim reads it, LOGTRIM_NO_HYPERSCAN before.
FALLBACK_ENV = {"LOGTRIM_ENGINE": "re", "LOGTRIM_NO_HYPERSCAN": "1"}


def limit(size: int) -> int:
    """Most console a run on ``size`` bytes of a generated log may print: within the budget,
    and at most half the input (the logs are ~95% noise), or logtrim did not filter."""
    return min(BUDGET, size // 2)


# ---------------------------------------------------------------- running a child


@dataclass
class Proc:
    wall: float  # seconds
    maxrss: int  # bytes
    rc: int


# The child is started by a small interpreter of its own, which reports the child's figures on
# a pipe: a child this process started directly would have its ``ru_maxrss`` include this
# process's own peak (Linux counts the memory of the parent image a vfork'd child runs in until
# exec), so a command that never passed 60 MB read as this suite's 256 MB.
_LAUNCH = """
import os, sys, time
fd = int(sys.argv[1])
os.set_inheritable(fd, False)
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
os.write(fd, f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss} {wall}".encode())
"""


def measure(
    cmd: list[str],
    *,
    stdin: IO[Any] | int | None = None,
    stdout: IO[Any] | int | None = subprocess.DEVNULL,
    stderr: IO[Any] | int | None = subprocess.DEVNULL,
    env: Mapping[str, str] | None = None,
) -> Proc:
    """Run ``cmd`` once: wall time and the peak RSS of the child (and its reaped children).
    ``env`` is added to this process's environment."""
    full = {**os.environ, **env} if env else None
    read, write = os.pipe()
    try:
        launch = [sys.executable, "-S", "-c", _LAUNCH, str(write), *cmd]
        proc = subprocess.Popen(
            launch, stdin=stdin, stdout=stdout, stderr=stderr, env=full, pass_fds=(write,)
        )
        os.close(write)
        write = -1
        with os.fdopen(read, "rb") as report:
            read = -1
            figures = report.read().split()
        launcher_rc = proc.wait()
    finally:
        for fd in (read, write):
            if fd >= 0:
                os.close(fd)
    if len(figures) != 3:
        return Proc(0.0, 0, launcher_rc or 127)  # the command could not be started
    rc, kb, wall = figures
    return Proc(float(wall), int(kb) * 1024, int(rc))


def run_to(
    cmd: list[str],
    out: Path,
    *,
    check: bool = True,
    stdin: IO[Any] | None = None,
    budget: int | None = None,
    env: Mapping[str, str] | None = None,
) -> Proc:
    """Run with stdout to ``out`` (stderr next to it). Fail loudly on a non-zero exit, or when
    stdout + stderr exceed ``budget`` (logtrim did not filter, so its time would mean nothing)."""
    err = out.with_suffix(".stderr")
    with out.open("wb") as fo, err.open("wb") as fe:
        result = measure(cmd, stdin=stdin, stdout=fo, stderr=fe, env=env)
    if check and result.rc != 0:
        raise failure(cmd, result.rc, err.read_bytes())
    shown = out.stat().st_size + err.stat().st_size
    if budget is not None and shown > budget:
        first = err.read_bytes()[:200].decode(errors="replace").split("\n")[0]
        raise failure(cmd, result.rc, f"console {mb(shown)} > limit {mb(budget)}; stderr: {first}")
    return result


def failure(cmd: list[str], rc: int, stderr: bytes | str = b"") -> RuntimeError:
    """A one-line error: the command, its exit code and the last line it wrote to stderr."""
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
    last = next((ln.strip() for ln in reversed(text.splitlines()) if ln.strip()), "")
    return RuntimeError(f"`{shorten(shlex.join(cmd))[:300]}` exited {rc}: {last[:300]}")


def shorten(command: str) -> str:
    """A command as the docs show it: ``python`` for this interpreter, paths repo-relative."""
    shown = command.replace(sys.executable, "python").replace(str(ROOT) + "/", "")
    return shown.replace(str(ROOT.parent) + "/", "../")


def wall(cmd: list[str], out: Path, *, check: bool = True) -> float:
    return run_to(cmd, out, check=check).wall


def medians(runs: int, *fns: Callable[[], float]) -> list[float]:
    """The median of each of ``fns``, measured alternately, each round starting one later
    (A B C, B C A, C A B ...): what runs after a heavy writer or first in a round (dirty pages,
    a cold cache) is not always the same command."""
    samples: list[list[float]] = [[] for _ in fns]
    for r in range(runs):
        for k in range(len(fns)):
            i = (r + k) % len(fns)
            samples[i].append(fns[i]())
    return [statistics.median(xs) for xs in samples]


def mb(n: float) -> str:
    return f"{n / MB:.0f} MB" if n >= 10 * MB else f"{n / MB:.1f} MB"


def secs(t: float) -> str:
    return f"{t:.2f} s" if t >= 1 else f"{t * 1000:.0f} ms"


def speed(size: int, t: float) -> str:
    return f"{secs(t)} ({size / MB / t:.0f} MB/s)"


# ---------------------------------------------------------------- the session


@dataclass
class Row:
    figure: str
    logtrim: str
    baseline: str
    ratio: str
    target: str
    met: str


@dataclass
class Suite:
    """One session: its options, the rows and notes so far, and the commands each figure ran."""

    quick: bool
    runs: int
    logtrim: list[str]  # the command that runs the logtrim under test
    default_install: bool = False  # throughput, trim, stats from a `pip install .` venv
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    commands: dict[str, list[str]] = field(default_factory=dict)
    corpus_rows: list[str] = field(default_factory=list)
    figure: str = ""

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def cmd(self, *parts: str | Path, record: bool = True) -> list[str]:
        """Return ``parts`` as argv, recorded for the "commands run" list unless told not to."""
        argv = [str(p) for p in parts]
        if record:
            self.show(shlex.join(argv))
        return argv

    def show(self, command: str) -> None:
        seen = self.commands.setdefault(self.figure, [])
        if (shown := shorten(command)) not in seen:
            seen.append(shown)

    def add(
        self, figure: str, logtrim: str, baseline: str, ratio: str, target: str, *, ok: bool
    ) -> None:
        met = "n/a (quick)" if self.quick else ("yes" if ok else "**no**")
        self.rows.append(Row(figure, logtrim, baseline, ratio, target, met))

    def lt_run(
        self,
        artifact: Path,
        *child: str | Path,
        extra: tuple[str, ...] = (),
        logtrim: list[str] | None = None,
        record: bool = True,
    ) -> list[str]:
        """``logtrim run --ci plain --artifact ARTIFACT [EXTRA] -- CHILD...``."""
        lt = logtrim or self.logtrim
        head: tuple[str | Path, ...] = (*lt, "run", "--ci", "plain", "--artifact", artifact, *extra)
        return self.cmd(*head, "--", *child, record=record)


def pipeline(source: str, name: str, *, line_buffered: bool = False) -> str:
    """The shell pipeline a user would write instead of logtrim: archive everything with
    ``zstd -3``, show the keyword lines. ``source`` is a shell command; outputs are
    ``bench-out/NAME.zst`` and, unless line-buffered (to a reader), ``bench-out/NAME.kept``."""
    grep = "grep -E -i --line-buffered" if line_buffered else "grep -E -i"
    kept = "" if line_buffered else f" > {OUT}/{name}.kept"
    return (
        f"{source} | tee >(zstd -3 -q -f -o {OUT}/{name}.zst)"
        f" | {grep} {shlex.quote(GREP_KEYWORDS)}{kept}"
    )
