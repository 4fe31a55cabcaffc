"""``logtrim trim``: an existing log cut down to the budget by the same engine as ``run``.

Plain logs go through :class:`~logtrim.engine.core.Core` chunk by chunk, as a child's output
would; Octopus raw task logs record by record, keeping their structure
(:mod:`logtrim.logs.tasktrim`). The clock is virtual (one second per MB read), so a trim
gives the same output however fast the machine is.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .._errors import OutputError, UsageError
from .._matchers import compiler
from ..archive import DEFAULT_LEVEL
from ..archive.sync import SyncArchive
from ..archive.target import Target
from ..dialects import Dialect
from ..engine.baseline import Baseline
from ..engine.core import STDOUT, Core, Emit
from ..engine.policy import Policy
from . import ahead
from .inputs import Input, Progress, open_detected, open_input
from .tasktrim import NODE_TAIL, TaskLogTrimmer

#: The masking carry of the archive's copy of the input (not a stream of the console).
_ARCHIVE = 0


@dataclass
class TrimResult:
    name: str
    bytes_out: int = 0  # written to the output
    damage: str | None = None


@dataclass
class TrimJob:
    """Everything one worker process needs (picklable)."""

    source: str
    output: str  # "-" for stdout
    artifact: str | None
    policy: Policy = field(default_factory=Policy)
    node_tail: int = NODE_TAIL
    progress: bool = False
    binary: bool = False  # read input with NUL bytes (refused by default)
    force: bool = False  # replace an artifact path that holds no zstd archive
    baseline: frozenset[int] | None = None  # good runs' line shapes (--baseline)


class _Output:
    """The trimmed log: the console emits, written to a file (under a temporary name,
    renamed when done) or stdout."""

    def __init__(self, file: BinaryIO, name: str, target: Target | None = None) -> None:
        self.file = file
        self.name = name
        self.target = target
        self.bytes_out = 0

    @classmethod
    def open(cls, path: str) -> _Output:
        """``-`` is stdout; a device or pipe is written as is; a file is replaced at the end."""
        if path == "-":
            return cls(sys.stdout.buffer, "<stdout>")
        if os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path):
            try:
                return cls(open(path, "wb"), path)
            except OSError as exc:
                raise UsageError(f"-o: cannot write {path}: {exc.strerror}") from None
        target = Target.create(Path(path), force=True, option="-o")
        return cls(open(target.take_fd(), "wb"), path, target)

    def show(self, emits: Iterable[Emit]) -> None:
        data = b"".join(b for _, b in emits)
        if data:
            try:
                self.file.write(data)
            except BrokenPipeError:
                raise  # the reader of stdout left: not a disk error
            except OSError as exc:
                raise OutputError(f"cannot write {self.name}: {exc.strerror or exc}") from None
            self.bytes_out += len(data)

    def close(self, *, keep: bool = True) -> None:
        """Flush and close; the file takes its name only if ``keep`` (else it is removed)."""
        if self.file is sys.stdout.buffer:
            self.file.flush()
            return
        try:
            self.file.close()
        except OSError as exc:
            keep = False
            if self.target is not None:
                self.target.discard()
            raise OutputError(f"cannot write {self.name}: {exc.strerror or exc}") from None
        if self.target is not None:
            if keep:
                self.target.commit()
            else:
                self.target.discard()


class _PlainTrimmer:
    """A plain log: the core takes it chunk by chunk, as a child's output."""

    def __init__(self, core: Core, output: _Output) -> None:
        self.core = core
        self.show = output.show
        self.now = 0.0

    def feed_chunk(self, chunk: bytes, now: float) -> None:
        self.now = now
        self.show(self.core.feed(STDOUT, chunk, now)[1])

    def finish(self) -> float:
        self.show(self.core.finish_input(self.now)[1])
        return self.now


def _cannot_write(path: Path, why: BaseException | str) -> None:
    """``trim`` does not fail open: an artifact it cannot write is an error."""
    reason = why.strerror if isinstance(why, OSError) and why.strerror else why
    raise OutputError(f"cannot write {path}: {reason}")


def _open_outputs(job: TrimJob) -> tuple[_Output, SyncArchive | None]:
    archive = None
    if job.artifact:
        target = Target.create(Path(job.artifact), force=job.force)
        # Frames end by size only: the clock is virtual.
        archive = SyncArchive(
            job.artifact, DEFAULT_LEVEL, frame_seconds=math.inf, report=_cannot_write, target=target
        )
        archive.open()
    try:
        return _Output.open(job.output), archive
    except BaseException:
        if archive is not None:
            archive.discard()
        raise


def trim_one(job: TrimJob) -> TrimResult:
    """Trim one input to one output. Runs in a worker process when there are several."""
    inp = open_input(job.source, binary=job.binary)
    try:
        output, archive = _open_outputs(job)
    except BaseException:
        inp.close()
        raise
    progress = Progress(inp, job.progress)
    done = False
    try:
        _trim(job, inp, output, archive, progress)
        done = True
    finally:
        progress.close()
        inp.close()
        if not done and archive is not None:
            archive.discard()
        output.close(keep=done)
    return TrimResult(inp.name, output.bytes_out, inp.damage)


def _trim(
    job: TrimJob, inp: Input, output: _Output, archive: SyncArchive | None, progress: Progress
) -> None:
    is_task, chunks = open_detected(inp)
    base = None if job.baseline is None else Baseline(job.baseline, tasklog=is_task)
    core = Core(job.policy, Dialect(), compiler=compiler(job.policy.engine), baseline=base)
    # trim closes with exit code 0, so the core's reserve for a failure tail would go
    # unused: give it to the live budget (node tails are part of the live output here).
    core.budget.release_tail()
    trimmer = (
        TaskLogTrimmer(core, output.show, job.node_tail) if is_task else _PlainTrimmer(core, output)
    )
    consumed = 0
    matcher = core.matcher
    # A large plain file is read and scanned ahead on the second core (logs/ahead.py).
    scanned = ahead.scanned(inp, chunks, matcher) if not is_task and ahead.wanted(inp) else None
    for chunk, hits in scanned or ((chunk, None) for chunk in chunks):
        consumed += len(chunk)
        if hits is not None:
            matcher.offer(hits, chunk)
        trimmer.feed_chunk(chunk, consumed / 1e6)
        if matcher.offered:
            matcher.offer([])  # not taken (the engine cut these bytes otherwise): no others
        if archive is not None:
            # The input, with the secrets it declares masked (as ``run`` archives).
            archive.write(core.passthrough(_ARCHIVE, chunk), consumed / 1e6)
        progress.update()
    now = trimmer.finish()
    output.show(core.finish_input(now)[1])  # records that waited for the next one
    if archive is not None:
        archive.write(core.passthrough(_ARCHIVE, b"", final=True), now)
    size = archive.close() if archive is not None else 0
    emits, _ = core.close(
        0,
        now,
        timed=False,  # the clock is virtual: bytes read
        archive=os.path.abspath(job.artifact) if job.artifact else None,
        archive_name=os.path.basename(job.artifact or ""),
        archive_size=size,
    )
    output.show(emits)


def _stem(path: str) -> tuple[str, str]:
    """``deploy.log.gz`` -> (``deploy``, ``.log``): the name without compression suffixes."""
    base = os.path.basename(path) if path != "-" else "stdin"
    for suffix in (".gz", ".zst", ".zstd"):
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    stem, ext = os.path.splitext(base)
    return (stem or base), ext


def plan(
    sources: list[str],
    output: str | None,
    artifact: str | None,
    policy: Policy,
    *,
    progress: bool = False,
    binary: bool = False,
    force: bool = False,
    baseline: frozenset[int] | None = None,
) -> list[TrimJob]:
    """One job per input; several inputs need ``-o DIR`` (and ``--artifact DIR``)."""
    jobs = _plan(sources, output, artifact, policy, progress)
    for job in jobs:
        job.binary, job.force, job.baseline = binary, force, baseline
        _refuse_overwriting(job)
    return jobs


def _refuse_overwriting(job: TrimJob) -> None:
    """An output that is the input (or the other output) would destroy it: refuse."""
    paths = [("input", job.source), ("-o", job.output), ("--artifact", job.artifact)]
    seen: dict[tuple[int, int], str] = {}
    for role, path in paths:
        if not path or path == "-":
            continue
        try:
            st = os.stat(path)
        except OSError:
            continue
        if not os.path.isfile(path):
            continue  # /dev/null twice is fine
        key = (st.st_dev, st.st_ino)
        if key in seen:
            raise UsageError(f"{role} {path} is the same file as the {seen[key]}: refusing")
        seen[key] = role if role == "input" else f"{role} file"


def _plan(
    sources: list[str], output: str | None, artifact: str | None, policy: Policy, progress: bool
) -> list[TrimJob]:
    if len(sources) == 1 and not (output and os.path.isdir(output)):
        return [TrimJob(sources[0], output or "-", artifact, policy, progress=progress)]
    if output is None:
        raise UsageError("several inputs need -o DIR: one trimmed file each")
    if sources.count("-") > 1:
        raise UsageError("stdin (-) can be read only once")
    for directory in filter(None, (output, artifact)):
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise UsageError(f"{directory} is not a directory (needed with several inputs)")
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create {directory}: {exc.strerror}") from None
    jobs: list[TrimJob] = []
    seen: dict[str, str] = {}
    for source in sources:
        stem, ext = _stem(source)
        name = f"{stem}.trimmed{ext}"
        if name in seen:
            raise UsageError(f"{source} and {seen[name]} would both be trimmed to {name}")
        seen[name] = source
        art = os.path.join(artifact, f"{stem}{ext}.zst") if artifact else None
        jobs.append(TrimJob(source, os.path.join(output, name), art, policy, progress=progress))
    return jobs


def run_jobs(jobs: list[TrimJob], workers: int) -> Iterator[TrimResult]:
    """Run the jobs, in parallel processes when there are several; results in input order."""
    for job in jobs:
        if job.source != "-":
            open_input(job.source).close()  # a missing input fails before any work starts
    if len(jobs) == 1 or workers <= 1 or any(job.source == "-" for job in jobs):
        for job in jobs:
            yield trim_one(job)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        yield from pool.map(trim_one, jobs)
