"""Error lines the budget held back, for the end of a failed run: a bounded store that
evicts by rank, then age (:mod:`.evict`)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .evict import ranks, same, victims


@dataclass
class _Run:
    """Error lines held as they came, one block: split and formatted only when read."""

    first: int  # line number of the first
    stream: int
    block: bytes  # whole lines
    fmt: Callable[[bytes], bytes]
    context: frozenset[int] = frozenset()  # lines (from 0) held as the error before them's


def _shown_size(block: bytes, end: int) -> int:
    """The console size of ``block[:end]`` (whole lines): a CRLF line shows without its CR."""
    return end - block.count(b"\r\n", 0, end) if b"\r" in block else end


class Held:
    """Error lines the budget held back, each with the rest of its incident (stack trace,
    lines after it), for the end of a failed run: at least the best ``cap`` bytes, at most a
    quarter more; the block that names the failure kept longest, older copies of a block's
    shape dropped first (:mod:`.evict`)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        # (lineno, stream, console text, line number of the incident's error, continues it),
        # or a run of raw error lines (see add_run)
        self._lines: deque[tuple[int, int, bytes, int, bool] | _Run] = deque()
        self._size = 0
        #: The block of the line the failure reason names so far, its first and last line
        #: numbers ((-1, -1): none); set by the selector.
        self.reason: Callable[[], tuple[int, int]] = lambda: (-1, -1)
        self._shapes: dict[int, int] = {}  # incident -> a hash of its block's shape

    @property
    def lines(self) -> list[tuple[int, int, bytes, int, bool]]:
        """The held lines, every text in its console form."""
        out: list[tuple[int, int, bytes, int, bool]] = []
        for entry in self._lines:
            if isinstance(entry, _Run):
                body = entry.block[:-1] if entry.block.endswith(b"\n") else entry.block
                incident = entry.first
                for k, line in enumerate(body.split(b"\n")):
                    lineno = entry.first + k
                    cont = k not in entry.context
                    incident = lineno if cont else incident
                    out.append((lineno, entry.stream, entry.fmt(line + b"\n"), incident, cont))
            else:
                out.append(entry)
        return out

    def add(self, lineno: int, stream: int, text: bytes, incident: int, cont: bool) -> None:
        self._lines.append((lineno, stream, text, incident, cont))
        self._size += len(text)
        if cont and text.strip():
            self._shapes[incident] = hash((self._shapes.get(incident, 0), same(text.strip())))
        self._shrink()

    def add_run(
        self,
        first: int,
        stream: int,
        block: bytes,
        fmt: Callable[[bytes], bytes],
        context: frozenset[int] = frozenset(),
    ) -> None:
        """Whole error lines (each its own incident, but the ``context`` ones: the error
        before them's), kept raw: put in console form (``fmt``) only if still held when read.
        A flood of errors costs no work per line here."""
        self._lines.append(_Run(first, stream, block, fmt, context))
        self._size += _shown_size(block, len(block))
        self._shrink()

    def _shrink(self) -> None:
        """Over ``cap`` by a quarter: evict by rank, then age (:mod:`.evict`), down to
        ``cap``, so that ranking the store is paid once per quarter of it, not per line."""
        lines = self._lines
        if self._size <= self.cap + self.cap // 4:
            return
        if len(lines) == 1 and not isinstance(lines[0], _Run):
            return
        entries = list(lines)
        groups, spans = _groups(entries)
        dropped: set[int] = set()
        for g in victims(ranks(spans, self._shapes, self.reason())):
            for i in range(*groups[g]):
                if self._size <= self.cap:
                    break
                entry = entries[i]
                if isinstance(entry, _Run):
                    kept = self._trim(entry, self._size - self.cap)
                    if kept is not None:
                        entries[i] = kept
                        continue
                if len(entries) - len(dropped) == 1:
                    break  # one entry left: it stays, as ``add`` keeps one
                dropped.add(i)
                self._size -= _entry_size(entry)
        lines.clear()
        lines.extend(e for i, e in enumerate(entries) if i not in dropped)
        alive = {e[3] for e in lines if not isinstance(e, _Run)}
        self._shapes = {k: v for k, v in self._shapes.items() if k in alive}

    def _trim(self, old: _Run, over: int) -> _Run | None:
        """A run without its oldest whole lines covering ``over`` bytes (None: all of it)."""
        block = old.block
        if over >= _shown_size(block, len(block)):
            return None
        cut = block.find(b"\n", over - 1) + 1
        while 0 < cut < len(block) and (short := over - _shown_size(block, cut)) > 0:
            cut = block.find(b"\n", cut + short - 1) + 1
        if not 0 < cut < len(block):
            return None
        first = old.first + block.count(b"\n", 0, cut)
        shift = first - old.first
        context = frozenset(k - shift for k in old.context if k >= shift)
        self._size -= _shown_size(block, cut)
        return _Run(first, old.stream, block[cut:], old.fmt, context)


def _groups(
    entries: list[tuple[int, int, bytes, int, bool] | _Run],
) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]]]:
    """The entries as blocks to rank: each run, and each sequence of lines of one incident
    (entry indexes [start, end), and the span of line numbers with the incident)."""
    groups: list[tuple[int, int]] = []
    spans: list[tuple[int, int, int]] = []
    prev = -2
    for i, e in enumerate(entries):
        if isinstance(e, _Run):
            groups.append((i, i + 1))
            spans.append((e.first, e.first + e.block.count(b"\n"), -1))
            prev = -2
        elif e[3] == prev:
            groups[-1] = (groups[-1][0], i + 1)
            spans[-1] = (spans[-1][0], e[0] + 1, prev)
        else:
            groups.append((i, i + 1))
            spans.append((e[0], e[0] + 1, e[3]))
            prev = e[3]
    return groups, spans


def _entry_size(entry: tuple[int, int, bytes, int, bool] | _Run) -> int:
    if isinstance(entry, _Run):
        return _shown_size(entry.block, len(entry.block))
    return len(entry[2])
