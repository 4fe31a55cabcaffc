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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .._errors import OutputError, UsageError
from .._log import say
from .._matchers import compiler
from .._writes import write_all
from ..archive import DEFAULT_LEVEL
from ..archive.sync import SyncArchive
from ..archive.target import Target
from ..dialects import Dialect
from ..engine.console.whole import Whole
from ..engine.core import STDOUT, Core, Emit
from ..engine.policy import Policy
from ..engine.shapes.baseline import Baseline
from . import ahead
from .declared import Declared
from .inputs import Input, open_detected, open_input
from .progressbar import Progress
from .tasktrim import NODE_TAIL, TaskLogTrimmer

#: The masking carry of the archive's copy of the input (not a stream of the console).
_ARCHIVE = 0


@dataclass
class TrimResult:
    name: str
    bytes_out: int = 0  # written to the output
    damage: str | None = None
    fatal: bool = False  # the damage is an error (exit 3): the output holds what decoded


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
                write_all(self.file, data)
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
    """A plain log: the core takes it chunk by chunk, as a child's output (its console held
    while the log could be shown whole)."""

    def __init__(self, whole: Whole, output: _Output) -> None:
        self.whole = whole
        self.show = output.show
        self.now = 0.0

    def feed_chunk(self, chunk: bytes, now: float) -> None:
        self.now = now
        self.show(self.whole.feed(STDOUT, chunk, now)[1])

    def finish(self) -> float:
        self.show(self.whole.finish_input(self.now)[1])
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


class _NothingDecoded(Exception):
    """The input is damaged before its first byte: no output is written for it."""


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
    except _NothingDecoded:
        pass  # no output made of nothing: a file the user named keeps what it held
    finally:
        progress.close()
        inp.close()
        if not done and archive is not None:
            archive.discard()
        output.close(keep=done)
    return TrimResult(inp.name, output.bytes_out, inp.damage, inp.fatal)


def _declared_ahead(inp: Input) -> list[str]:
    """The secrets a plain file declares, learned from all of it first: masked from its first
    line, as ``cat``, ``stats`` and ``diff`` mask them (a line printed before its secret's
    declaration passed; a compressed file or a pipe learns them as they come)."""
    declared = Declared()
    return list(declared.values) if declared.scan(inp) and declared.values else []


def _stored_learner(core: Core) -> Callable[[bytes], None]:
    """What a UTF-16 log's bytes as stored declare (:meth:`.Declared.feed_stored`), learned
    by the engine as they come."""
    learner = Declared()

    def learn(block: bytes) -> None:
        known = len(learner.values)
        learner.feed_stored(block)
        if len(learner.values) > known:
            core.secrets.learn_declared(list(learner.values)[known:], pend=False)

    return learn


def _engine(job: TrimJob, inp: Input, is_task: bool, declared: list[str]) -> Core:
    """An engine for ``inp``, as ``trim`` sets one up (also the one a small log's whole
    console is replayed on: :class:`~logtrim.engine.console.whole.Whole`)."""
    base = None if job.baseline is None else Baseline(job.baseline, tasklog=is_task)
    core = Core(job.policy, Dialect(), compiler=compiler(job.policy.engine), baseline=base)
    # trim closes with exit code 0, so the core's reserve for a failure tail would go
    # unused: give it to the live budget (node tails are part of the live output here).
    core.budget.release_tail()
    inp.on_utf16(core.masker.read_as_utf16, _stored_learner(core))  # (decided on the peek)
    if declared:
        core.secrets.learn_declared(declared, pend=False)
    if not job.artifact:  # the notes of lines left out point at the input: no archive is made
        core.budget.archive_note = "the input has everything"
    return core


def _trim(
    job: TrimJob, inp: Input, output: _Output, archive: SyncArchive | None, progress: Progress
) -> None:
    is_task, chunks = open_detected(inp)
    declared = _declared_ahead(inp)
    core = _engine(job, inp, is_task, declared)
    # A plain log that fits the budget is shown whole, as ``run`` shows a small run (a task
    # log keeps its own structure: its console is never held).
    whole = Whole(core, lambda: _engine(job, inp, is_task, declared))
    if is_task:
        whole.release()
    trimmer = (
        TaskLogTrimmer(core, output.show, job.node_tail)
        if is_task
        else _PlainTrimmer(whole, output)
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
    if inp.fatal and not consumed:
        raise _NothingDecoded
    now = trimmer.finish()
    output.show(whole.finish_input(now)[1])  # records that waited for the next one
    if archive is not None:
        archive.write(core.passthrough(_ARCHIVE, b"", final=True), now)
    size = archive.close() if archive is not None else 0
    emits, _ = whole.close(
        lambda engine: engine.close(
            0,
            now,
            timed=False,  # the clock is virtual: bytes read
            archive=os.path.abspath(job.artifact) if job.artifact else None,
            archive_name=os.path.basename(job.artifact or ""),
            archive_size=size,
        )
    )
    output.show(emits)
    for note in core.notes:  # what masking could not do (a declared value over the caps)
        say(f"{inp.name}: {note}", "warning")
