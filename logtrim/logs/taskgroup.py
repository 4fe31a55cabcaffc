"""Octopus raw task logs, grouped: :class:`Grouper` turns lines into :class:`~.tasklog.Record`
objects, one per entry with its continuation lines, node header or header-block line.

A raw task log is ~98% one-line Verbose entries: :meth:`Grouper.feed_chunk` finds the other
lines with one regex pass per chunk and hands the runs between them out as single ``RUN``
records.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence

from .tasklog import (
    ENTRY,
    ENTRY_AT,
    ENTRY_LINE,
    HEADER,
    HEADER_KEY,
    NODE,
    OTHER,
    RUN,
    VERBOSE,
    Line,
    Record,
    parse_line,
    strip_line,
)


@functools.lru_cache(maxsize=64)
def _run_at(min_depth: int, levels: tuple[str, ...]) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """(match an entry of ``levels`` of depth >= ``min_depth``, find the next line that is not
    one). The levels padded as Octopus writes them; other spacing goes line by line.

    The finder's group ``entry`` says that line is an entry (it ends the entry before it).
    """
    indent = b" " * (2 * min_depth + 1) if min_depth > 0 else b""
    padded = b"|".join(re.escape(f"{level:<9}".encode()) for level in levels)
    line = rb"\d\d:\d\d:\d\d   (?:" + padded + rb")\|" + indent
    entry = rb"(?P<entry>\d\d:\d\d:\d\d[^\S\n]+[A-Za-z]+[^\S\n]*\|)?"  # a subset of ENTRY_LINE
    return re.compile(line), re.compile(b"\n(?!" + line + b")" + entry)


class Grouper:
    """Turns lines (with newlines) into records, streaming.

    Blank continuation lines are held: before a node header they go with the header (they
    separate nodes); otherwise they stay with the entry they follow.
    """

    def __init__(self) -> None:
        # Runs of ``feed_chunk`` hold entries of this depth or deeper only (a
        # consumer that cares about depth, like trim's node stack, sets it between records).
        self.min_depth = 0
        # The levels whose one-line entries runs hold: a consumer that no longer tells some
        # levels from Verbose (trim, once their tier is stopped for good) adds them.
        self.run_levels = VERBOSE
        self._in_header = True
        self._entry: list[bytes] = []
        self._first: Line | None = None
        self._blanks: list[bytes] = []

    def feed(self, lines: Iterable[bytes]) -> Iterator[Record]:
        for raw in lines:
            yield from self._line(raw)

    def _line(self, raw: bytes) -> Sequence[Record]:
        """The records one line completes (a plain call: most lines complete none)."""
        if self._in_header:
            if HEADER_KEY.match(raw) and not ENTRY_LINE.match(raw):
                return (Record(HEADER, raw, 1, text=strip_line(raw)),)
            self._in_header = False
            if not raw.strip():
                return (Record(HEADER, raw, 1),)
        parsed = parse_line(raw)
        if parsed is not None and parsed.continuation and not parsed.text.strip():
            self._blanks.append(raw)
            return ()
        if parsed is None or parsed.continuation:
            # Continuation, or a line out of format (a wrapped line): part of the entry.
            if self._first is None:
                return [*self._flush_blanks(), Record(OTHER, raw, 1, text=strip_line(raw))]
            self._entry.extend(self._blanks)
            self._blanks.clear()
            self._entry.append(raw)
            return ()
        out: list[Record] = []
        if parsed.status:
            blanks, self._blanks = self._blanks, []
            if self._first is not None:
                out.append(self._end_entry())
            out.append(
                Record(
                    NODE,
                    b"".join(blanks) + raw,
                    len(blanks) + 1,
                    depth=parsed.depth,
                    status=parsed.status,
                    name=parsed.name,
                    text=parsed.text,
                )
            )
            return out
        self._entry.extend(self._blanks)
        self._blanks.clear()
        if self._first is not None:
            out.append(self._end_entry())
        self._first = parsed
        self._entry.append(raw)
        return out

    def feed_chunk(self, chunk: bytes) -> Iterator[Record]:
        """Like ``feed(chunk.splitlines(keepends=True))``, with runs as ``RUN`` records.

        A run's first line ends the pending entry, as it would line by line; its last line
        goes line by line unless an entry follows (continuation lines may belong to it).
        """
        if b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n"):
            yield from self.feed(chunk.splitlines(keepends=True))  # a lone CR splits lines
            return
        pos, size = 0, len(chunk)
        while pos < size:
            depth = self.min_depth
            first, scan = _run_at(depth, self.run_levels)
            fast = not self._in_header and first.match(chunk, pos) is not None
            if fast and self._first is not None and not self._blanks:
                yield self._end_entry()  # as the run's first line would
                if self.min_depth != depth:  # the consumer saw the entry: scan anew
                    depth = self.min_depth
                    first, scan = _run_at(depth, self.run_levels)
                    fast = first.match(chunk, pos) is not None
            if not fast or self._entry or self._blanks:
                end = chunk.find(b"\n", pos) + 1 or size
                yield from self._lines(chunk, pos, end)
                pos = end
                continue
            found = scan.search(chunk, pos)
            if found is not None:
                other = found.start() + 1  # the next other line
                end = chunk.find(b"\n", other) + 1 or size
                stop = other if found.group("entry") else chunk.rfind(b"\n", pos, other - 1) + 1
            else:
                end = size
                stop = chunk.rfind(b"\n", pos, size - 1) + 1
            if stop > pos:  # (whole lines: each ends with a newline)
                yield Record(RUN, chunk[pos:stop], -1, level="Verbose", depth=depth)
                pos = stop
            # The run's last line unless an entry follows, and the other line: one by one.
            while pos < end:
                stop = chunk.find(b"\n", pos) + 1 or size
                yield from self._lines(chunk, pos, stop)
                pos = stop

    def _lines(self, chunk: bytes, pos: int, end: int) -> Sequence[Record]:
        """The records the line ``chunk[pos:end]`` completes; at once for an entry line that
        an entry line follows (most non-Verbose entries are one line)."""
        if self._first is None and not (self._in_header or self._entry or self._blanks):
            at = ENTRY_AT.match(chunk, pos, end)
            if at is not None and ENTRY_AT.match(chunk, end, chunk.find(b"\n", end) + 1 or end):
                level, depth = at.group(2).decode(), len(at.group(3)) // 2
                text = strip_line(chunk[at.end() : end])
                return (Record(ENTRY, chunk[pos:end], 1, level=level, depth=depth, text=text),)
        return self._line(chunk[pos:end])

    def _flush_blanks(self) -> Iterator[Record]:
        if self._blanks:
            yield Record(OTHER, b"".join(self._blanks), len(self._blanks))
            self._blanks.clear()

    def _end_entry(self) -> Record:
        """The pending entry as a record (there is one: the caller checked ``_first``)."""
        first = self._first
        assert first is not None
        record = Record(
            ENTRY,
            b"".join(self._entry),
            len(self._entry),
            level=first.level,
            depth=first.depth,
            text=first.text,
        )
        self._entry = []
        self._first = None
        return record

    def flush(self) -> Iterator[Record]:
        """The last entry, at the end of the input."""
        if self._first is not None:
            self._entry.extend(self._blanks)
            self._blanks.clear()
            yield self._end_entry()
        yield from self._flush_blanks()
