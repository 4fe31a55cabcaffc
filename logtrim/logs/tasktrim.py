"""``trim`` of an Octopus raw task log: the core fed record by record, node by node.

Header block and node headers always shown, each entry's tier from its level (Error/Fatal >
Warning > Info/Highlight > Verbose), an entry and its continuation lines kept together, a
marker per node for what it hides, and the last lines of each failed node.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .._sizes import format_count, format_size
from ..engine.core import STDOUT, Core, Emit
from ..engine.match.kinds import TIERS, Kind
from .taskgroup import Grouper
from .tasklog import (
    ENTRY,
    FAILED_STATUSES,
    HEADER,
    LEVEL_KIND,
    NODE,
    RUN,
    VERBOSE,
    Record,
)

#: Lines shown from the end of each failed node.
NODE_TAIL = 40
#: Where the trimmer's console lines go.
Show = Callable[[Iterable[Emit]], None]


#: The tiers a node segment's note counts (``... 12 Verbose lines (3 kB) not shown``).
_NOTED = (Kind.WARNING, Kind.INFO, Kind.NOISE)


@dataclass
class _Node:
    depth: int
    status: str
    name: str

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


class TaskLogTrimmer:
    """Feeds a raw task log's records to the core with their tiers, node by node.

    A failed node's last ``node_tail`` lines are held back while it runs; if the node ends
    there (its next line is a sibling or parent node), they are shown as errors, in order.
    (The core's failure tail would reprint them after the error lines, out of order.)
    """

    def __init__(
        self, core: Core, show: Show, node_tail: int = NODE_TAIL, *, bulk: bool = True
    ) -> None:
        self.core = core
        self.bulk = bulk  # False: each record masked on its own (the reference for tests)
        self.show = show
        self.node_tail = node_tail
        self.grouper = Grouper()
        self.stack: list[_Node] = []
        self.held: deque[tuple[Record, Kind | None]] = deque()
        self.held_lines = 0
        self.now = 0.0
        self.stopped: set[Kind] = set()
        # Records waiting to be masked in one pass: (data, tier, lines).
        self.pending: list[tuple[bytes, Kind | None, int]] = []
        self.batch: list[tuple[bytes, bytes | None]] = []
        self.batch_size = 0
        self.batch_lines = 0
        self.batch_raw = False  # the batch holds records not masked yet (they may declare secrets)
        self.unknown_outcome = True  # no node yet: whether the task failed is not known

    def feed_chunk(self, chunk: bytes, now: float) -> None:
        """The records of ``chunk`` (cut at a line end); ``now`` is the clock after it."""
        self.grouper.run_levels = self._run_levels()
        for record in self.grouper.feed_chunk(chunk):
            self.record(record)
            self.grouper.min_depth = self.min_depth
        self._flush_pending()
        self.now = now

    def _run_levels(self) -> tuple[str, ...]:
        """Verbose, and the levels whose tier is stopped for good: their entries, demoted to
        noise one by one, may as well come in runs (most records, once the budget is used).

        For good: ``demotes`` holds for the shortest record, and the budget only fills up.
        """
        budget = self.core.budget
        stopped = [
            k for k in (Kind.INFO, Kind.WARNING) if k in self.stopped and budget.demotes(k, 1)
        ]
        if not stopped:
            return VERBOSE
        return VERBOSE + tuple(level for level, k in LEVEL_KIND.items() if k in stopped)

    def _feed(self, record: Record, kind: Kind | None) -> None:
        # Nothing here reads the core: the records wait, to be masked in one pass.
        self.pending.append((record.data, kind, record.lines))

    def _flush_pending(self) -> None:
        """The waiting records to the core, in order, each with its tier (as if fed one by
        one: each tier's budget is checked before each record)."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        datas = [d if d.endswith(b"\n") else d + b"\n" for d, _, _ in pending]
        # Not while the batch holds records the core has not seen: what they declare masks
        # these records too (they are fed first).
        bulk = self.bulk and not self.batch_raw
        consoles = self.core.records.each(STDOUT, datas) if bulk else None
        if consoles is None:
            for data, kind, lines in pending:
                self._one(data, kind, None, lines)
            return
        noise, batch = Kind.NOISE, self.batch
        for (data, kind, lines), console in zip(pending, consoles, strict=True):
            if kind is noise:  # as _one takes it, inline: most records are runs
                batch.append((data, console))
                self.batch_size += len(data)
                self.batch_lines += lines
                if self.batch_size >= 1 << 20:
                    self._flush_batch()
            else:
                self._one(data, kind, console, lines)

    def _one(self, data: bytes, kind: Kind | None, console: bytes | None, lines: int) -> None:
        """One record (``console``: its masked form, or None to have the core mask it)."""
        budget = self.core.budget
        if kind is not None and budget.demotes(kind, len(data)):
            # Demoted before the core sees it: a line that cannot be shown must not
            # start a repeat count ("(repeated 1 more times)") either.
            if kind not in self.stopped:
                self.stopped.add(kind)
                if budget.says_stop(kind):
                    note = budget.stop_note(kind, f"{TIERS[kind].level} lines")
                    self.show(self.core.marker(note))
            kind = Kind.NOISE
        if kind == Kind.NOISE:
            # Runs of Verbose entries go to the core in one call: a third of the cost.
            self.batch.append((data, console))
            self.batch_size += len(data)
            self.batch_lines += lines
            self.batch_raw |= console is None
            if self.batch_size >= 1 << 20:
                self._flush_batch()
            return
        self._flush_batch()
        self._take(data, kind, console)

    def _take(self, data: bytes, kind: Kind | None, console: bytes | None) -> None:
        if console is None:
            self.show(self.core.feed_line(STDOUT, data, kind, self.now)[1])
        else:
            self._masked(console, kind, len(data) + (not data.endswith(b"\n")))

    def _masked(
        self, console: bytes, kind: Kind | None, size: int, lines: int | None = None
    ) -> None:
        """A record masked already; ``size``: its bytes as ``feed_line`` counts them."""
        core = self.core
        core.heartbeat.start(self.now)
        core.intake.record(STDOUT, console, kind, size, self.now, lines)
        self.show(core.out.take())

    def _flush_batch(self) -> None:
        if self.batch:
            batch, size, lines = self.batch[:], self.batch_size, self.batch_lines
            self.batch.clear()
            self.batch_size = self.batch_lines = 0
            self.batch_raw = False
            masked = [c for _, c in batch if c is not None]
            if len(masked) == len(batch):
                size += batch[-1][0][-1:] != b"\n"
                self._masked(b"".join(masked), Kind.NOISE, size, lines)
            else:  # some fed one by one (a secret may be learned in them): the core masks all
                self._take(b"".join(d for d, _ in batch), Kind.NOISE, None)

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
            if self.unknown_outcome:
                self._flush_pending()  # the entries before it are judged without it
                self._outcome(record)
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

    def _outcome(self, record: Record) -> None:
        """The task's first node, its root, says how the task ended. In a failed task, info
        and warnings leave the errors of its failed nodes, which come late, the share a failed
        ``run`` keeps for its end: at a small budget they had spent it all before them."""
        self.unknown_outcome = False
        if record.status in FAILED_STATUSES:
            self.core.budget.keep_back_for_errors()

    def _release(self, *, as_tail: bool) -> None:
        while self.held:
            record, kind = self.held.popleft()
            tail_kind = Kind.ERROR if as_tail and (kind is None or kind < Kind.ERROR) else kind
            if record.kind == RUN and tail_kind != Kind.NOISE:
                # Shown, its entries go one by one: a secret one declares masks only those after.
                for line in record.data.split(b"\n")[:-1]:
                    self.pending.append((line + b"\n", tail_kind, 1))
                continue
            self._feed(record, tail_kind)
        self.held_lines = 0

    def finish(self) -> float:
        """The end of the input: the last records, the held tail, the last marker; ``now``."""
        for record in self.grouper.flush():
            self.record(record)
        self._release(as_tail=any(node.failed for node in self.stack))
        self._hidden_marker()
        return self.now

    def _noted_name(self, kind: Kind, first: bool) -> str:
        """What a note calls its lines of ``kind`` (``first``: no count before it). Once the
        budget stopped a tier, its entries are hidden as Verbose ones are and counted with
        them: no level names them then (``1,172 lines``, ``2 Warning lines, 9 other lines``)."""
        if kind != Kind.NOISE or not self.stopped & {Kind.INFO, Kind.WARNING}:
            return TIERS[kind].level + " "
        return "" if first else "other "

    def _hidden_marker(self) -> None:
        """``... 12,345 Verbose lines (3.1 MB) not shown ...`` for the node segment just ended."""
        self._flush_pending()
        self._flush_batch()
        hidden = self.core.checkpoint()
        parts: list[str] = []
        for kind in _NOTED:
            lines, nbytes = hidden.get(kind, (0, 0))
            if lines > 0:
                name = self._noted_name(kind, not parts)
                plural = "s" if lines != 1 else ""
                parts.append(f"{format_count(lines)} {name}line{plural} ({format_size(nbytes)})")
        if not parts:
            return
        out = self.core.out
        if sum(hidden.get(k, (0, 0))[0] for k in _NOTED) > out.gap_lines:
            # A marker in the segment counted some of them already: the rest get one too,
            # and the note sums up the segment without being a count to add.
            out.flush_gap()
            self.show(out.take())
            self.show(self.core.marker(f"not shown in this section: {', '.join(parts)}"))
            return
        # (ended as a gap marker is: without a level it reads as one)
        self.show(self.core.marker(f"... {', '.join(parts)} not shown ...", covers_gap=True))
