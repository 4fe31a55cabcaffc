"""``logtrim trim``: an existing log cut down to the budget by the same engine as ``run``.

Plain logs go through :class:`~logtrim._core.Core` chunk by chunk, as a child's output
would. Octopus raw task logs keep their structure: header block and node headers always
shown, each entry's tier from its level (Error/Fatal > Warning > Info/Highlight > Verbose),
an entry and its continuation lines kept together, a marker per node for what it hides,
and the last lines of each failed node. The clock is virtual (one second per MB read), so a
trim gives the same output however fast the machine is.
"""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from .._errors import LogtrimError
from .._matchers import compiler
from .._sizes import format_count, format_size
from ..archive.zstd import ArchiveEncoder
from ..dialects import Dialect
from ..engine.core import STDOUT, Core, Emit
from ..engine.kinds import TIERS, Kind
from ..engine.policy import Policy
from .inputs import Progress, open_input
from .stats import LEVEL_KIND, open_detected
from .tasklog import ENTRY, FAILED_STATUSES, HEADER, NODE, RUN, Grouper, Record

#: Lines shown from the end of each failed node.
NODE_TAIL = 40


@dataclass
class TrimResult:
    name: str
    output: str  # a path, or "-" for stdout
    bytes_in: int = 0
    bytes_out: int = 0
    tasklog: bool = False
    damage: str | None = None
    artifact: str | None = None
    artifact_size: int = 0
    seconds: float = 0.0


@dataclass
class TrimJob:
    """Everything one worker process needs (picklable)."""

    source: str
    output: str  # "-" for stdout
    artifact: str | None
    policy: Policy = field(default_factory=Policy)
    node_tail: int = NODE_TAIL
    progress: bool = False


class _Sink:
    """Writes the console emits and, with ``--artifact``, the zstd copy of the input."""

    def __init__(self, out: BinaryIO, artifact: BinaryIO | None) -> None:
        self.out = out
        self.bytes_out = 0
        self.artifact = artifact
        self.encoder = ArchiveEncoder(level=3, frame_seconds=1e18) if artifact else None

    def emits(self, emits: Iterable[Emit]) -> None:
        data = b"".join(b for _, b in emits)
        if data:
            self.out.write(data)
            self.bytes_out += len(data)

    def archive(self, chunk: bytes, now: float) -> None:
        if self.encoder is not None and self.artifact is not None:
            self.artifact.write(self.encoder.feed(chunk, now))

    def finish(self) -> int:
        if self.encoder is None or self.artifact is None:
            return 0
        self.artifact.write(self.encoder.finish())
        return self.encoder.bytes_out


def _trim_plain(core: Core, chunks: Iterator[bytes], sink: _Sink, progress: Progress) -> float:
    now = 0.0
    consumed = 0
    for chunk in chunks:
        consumed += len(chunk)
        now = consumed / 1e6
        sink.emits(core.feed(STDOUT, chunk, now)[1])
        sink.archive(chunk, now)
        progress.update()
    sink.emits(core.finish_input(now)[1])
    return now


@dataclass
class _Node:
    depth: int
    status: str
    name: str

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


class _TaskLogTrimmer:
    """Feeds a raw task log's records to the core with their tiers, node by node.

    A failed node's last ``node_tail`` lines are held back while it runs; if the node ends
    there (its next line is a sibling or parent node), they are shown as errors, in order.
    (The core's ``emit_tail`` would reprint them after the error lines, out of order.)
    """

    def __init__(self, core: Core, sink: _Sink, node_tail: int) -> None:
        self.core = core
        self.sink = sink
        self.node_tail = node_tail
        self.stack: list[_Node] = []
        self.held: deque[tuple[Record, Kind | None]] = deque()
        self.held_lines = 0
        self.now = 0.0
        # Info and warnings stop this much before the core would stop them, so node
        # headers, errors and the failed nodes' tails always find room.
        self.reserve = core.budget.live // 10
        self.stopped: set[Kind] = set()
        self.batch: list[bytes] = []
        self.batch_size = 0

    def _feed(self, record: Record, kind: Kind | None) -> None:
        budget = self.core.budget
        if (
            kind is not None
            and Kind.NOISE < kind < Kind.ERROR
            and not budget.allows(kind, len(record.data) + self.reserve)
        ):
            # Demoted before the core sees it: a line that cannot be shown must not
            # start a repeat count ("(repeated 1 more times)") either.
            if kind not in self.stopped:
                self.stopped.add(kind)
                pct = 100 * budget.used // budget.total
                text = f"budget {pct}% used: {TIERS[kind].level} lines are no longer shown"
                self.sink.emits(self.core.marker(f"{text} (the archive has everything)"))
            kind = Kind.NOISE
        if kind == Kind.NOISE:
            # Runs of Verbose entries go to the core in one call: a third of the cost.
            self.batch.append(record.data)
            self.batch_size += len(record.data)
            if self.batch_size >= 1 << 20:
                self._flush_batch()
            return
        self._flush_batch()
        self.sink.emits(self.core.feed_line(STDOUT, record.data, kind, self.now)[1])

    def _flush_batch(self) -> None:
        if self.batch:
            data = b"".join(self.batch)
            self.batch.clear()
            self.batch_size = 0
            self.sink.emits(self.core.feed_line(STDOUT, data, Kind.NOISE, self.now)[1])

    def _end_nodes(self, depth: int) -> None:
        """End the open nodes at ``depth`` or deeper; a failed one shows its held tail."""
        ends_failed = False
        while self.stack and self.stack[-1].depth >= depth:
            ends_failed |= self.stack.pop().failed
        if ends_failed or not (self.stack and self.stack[-1].failed):
            self._release(as_tail=ends_failed)

    @property
    def min_depth(self) -> int:
        """Entries this deep or deeper end no node: the grouper may hand them out as runs."""
        return self.stack[-1].depth + 1 if self.stack else 0

    def _run(self, run: Record) -> None:
        """One-line Verbose entries below the innermost node, as ``record`` takes each."""
        if self.stack and self.stack[-1].failed:
            self.held.append((run, Kind.NOISE))
            self.held_lines += run.lines
            self._pop_held()
        else:
            self._release(as_tail=False)
            self._feed(run, Kind.NOISE)

    def _pop_held(self) -> None:
        """Feed what falls out of a failed node's last ``node_tail`` lines, oldest first.

        A run is held whole and leaves line by line (as its entries would, one by one).
        """
        held = self.held
        while held:
            front, kind = held[0]
            if self.held_lines - front.lines >= self.node_tail:
                held.popleft()
                self.held_lines -= front.lines
                self._feed(front, kind)
                continue
            extra = self.held_lines - self.node_tail
            if front.kind == RUN and extra > 0:
                keep = front.lines - extra
                parts = front.data.rsplit(b"\n", keep + 1)  # it ends with a newline
                cut = len(parts[0]) + 1
                held[0] = (Record(RUN, front.data[cut:], keep, level="Verbose"), kind)
                self.held_lines -= extra
                self._feed(Record(RUN, front.data[:cut], extra, level="Verbose"), kind)
            return

    def record(self, record: Record) -> None:
        if record.kind == RUN:
            self._run(record)
            return
        if record.kind == HEADER:
            self._feed(record, Kind.KEEP)
            return
        if record.kind == NODE:
            self._end_nodes(record.depth)
            self._release(as_tail=False)
            self._hidden_marker()
            self.stack.append(_Node(record.depth, record.status, record.name))
            self._feed(record, Kind.KEEP)
            return
        kind = LEVEL_KIND.get(record.level) if record.kind == ENTRY else None
        if record.kind == ENTRY:
            # An entry at depth d belongs to the node at depth d - 1: deeper nodes ended.
            self._end_nodes(record.depth)
        if not (self.stack and self.stack[-1].failed) or kind == Kind.ERROR:
            # Errors show with the core's context; the tail is what follows the last one.
            self._release(as_tail=False)
            self._feed(record, kind)
            return
        self.held.append((record, kind))
        self.held_lines += record.lines
        self._pop_held()

    def _release(self, *, as_tail: bool) -> None:
        while self.held:
            record, kind = self.held.popleft()
            tail_kind = Kind.ERROR if as_tail and (kind is None or kind < Kind.ERROR) else kind
            self._feed(record, tail_kind)
        self.held_lines = 0

    def finish(self) -> None:
        self._release(as_tail=any(node.failed for node in self.stack))
        self._hidden_marker()

    def _hidden_marker(self) -> None:
        """``... 12,345 Verbose lines (3.1 MB) not shown`` for the node segment just ended."""
        self._flush_batch()
        hidden = self.core.checkpoint()
        parts = []
        for kind in (Kind.WARNING, Kind.INFO, Kind.NOISE):
            lines, nbytes = hidden.get(kind, (0, 0))
            if lines > 0:
                name = TIERS[kind].level
                plural = "s" if lines != 1 else ""
                parts.append(f"{format_count(lines)} {name} line{plural} ({format_size(nbytes)})")
        if not parts:
            return
        self.sink.emits(self.core.marker(f"... {', '.join(parts)} not shown", covers_gap=True))


def _trim_tasklog(
    core: Core, chunks: Iterator[bytes], sink: _Sink, progress: Progress, node_tail: int
) -> float:
    trimmer = _TaskLogTrimmer(core, sink, node_tail)
    grouper = Grouper()
    consumed = 0
    for chunk in chunks:
        consumed += len(chunk)
        for record in grouper.feed_chunk(chunk):
            trimmer.record(record)
            grouper.min_depth = trimmer.min_depth
        trimmer.now = consumed / 1e6
        sink.archive(chunk, trimmer.now)
        progress.update()
    for record in grouper.flush():
        trimmer.record(record)
    trimmer.finish()
    return trimmer.now


def trim_one(job: TrimJob) -> TrimResult:
    """Trim one input to one output. Runs in a worker process when there are several."""
    started = time.perf_counter()
    inp = open_input(job.source)
    result = TrimResult(inp.name, job.output, artifact=job.artifact)
    try:
        out: BinaryIO = sys.stdout.buffer if job.output == "-" else open(job.output, "wb")  # noqa: SIM115
        artifact = open(job.artifact, "wb") if job.artifact else None  # noqa: SIM115
    except OSError as exc:
        inp.close()
        raise LogtrimError(f"cannot write {exc.filename}: {exc.strerror}") from None
    sink = _Sink(out, artifact)
    progress = Progress(inp, job.progress)
    try:
        is_task, chunks = open_detected(inp)
        result.tasklog = is_task
        core = Core(job.policy, Dialect(), compiler=compiler(job.policy.engine))
        # trim closes with exit code 0, so the core's reserve for a failure tail would go
        # unused: give it to the live budget (node tails are part of the live output here).
        core.budget.release_tail()
        if is_task:
            now = _trim_tasklog(core, chunks, sink, progress, job.node_tail)
        else:
            now = _trim_plain(core, chunks, sink, progress)
        result.artifact_size = sink.finish()
        emits, _ = core.close(
            0,
            now,
            timed=False,  # the clock is virtual: bytes read
            archive=os.path.abspath(job.artifact) if job.artifact else None,
            archive_name=os.path.basename(job.artifact or ""),
            archive_size=result.artifact_size,
        )
        sink.emits(emits)
    finally:
        progress.close()
        out.flush()
        if out is not sys.stdout.buffer:
            out.close()
        if artifact is not None:
            artifact.close()
    result.bytes_in = inp.decoded
    result.bytes_out = sink.bytes_out
    result.damage = inp.damage
    result.seconds = time.perf_counter() - started
    return result


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
) -> list[TrimJob]:
    """One job per input; several inputs need ``-o DIR`` (and ``--artifact DIR``)."""
    from .._errors import UsageError

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
