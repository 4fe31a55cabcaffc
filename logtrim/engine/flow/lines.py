"""Cutting a byte stream into whole lines, whatever the chunking (sans-IO).

A chunk is not a line: ``print('a')`` can arrive as ``b'a'`` then ``b'\\n'``. The splitter
carries the partial last line into the next chunk, and hands out *regions*: runs of whole
lines, so the hot path touches a chunk once, not once per line. When a secret spans lines,
the bytes at the end of a chunk that could start one are carried too (``hold``), whole lines
included, so the region they land in holds the secret whole and masks it. A line that grows past
``max_pending`` without a newline is handed out in *pieces* (memory stays bounded); the cut
never splits a secret, thanks to ``safe_cut``. Such a line comes out in pieces also when it
arrives whole in one chunk: what it shows (and the commands in it) does not depend on the reads.
"""

from __future__ import annotations

from collections.abc import Callable

from ..policy import LINE_HELD

SafeCut = Callable[[bytes, int], int]
#: Where some data may be cut, at or before a cut point: before a secret over several
#: lines that the cut would split or that could be starting at the end of the data.
Hold = Callable[[bytes, int], int]
#: How many bytes at the end of a line still coming could start a secret.
OpenEnd = Callable[[bytes], int]
#: Where a message still open at the end of some whole lines starts (their length: none).
OpenAt = Callable[[bytes], int]


class LineSplitter:
    def __init__(self, max_pending: int = LINE_HELD) -> None:
        self.max_pending = max_pending
        self._pending = bytearray()
        self._mid_line = False  # the pending bytes end a line whose start went out in pieces
        self._waiting = 0  # the pending bytes that are whole lines of an open message

    @property
    def pending(self) -> int:
        return len(self._pending)

    def peek(self) -> bytes:
        """The partial last line, kept."""
        return bytes(self._pending)

    def feed(
        self,
        data: bytes,
        *,
        reserve: int = 0,
        safe_cut: SafeCut | None = None,
        hold: Hold | None = None,
        open_end: OpenEnd | None = None,
        open_at: OpenAt | None = None,
    ) -> list[tuple[bool, bytes]]:
        """Return ``[(is_piece, bytes), ...]``: whole-line regions, or pieces of a long line.

        ``reserve`` bytes at the end of a long line are held back (the longest secret minus
        one), so a secret that straddles a cut is still seen whole; of a line still coming,
        what ``open_end`` says too (a secret that colour codes lengthen), up to half of
        ``max_pending``: memory stays bounded, and the first piece holds the line's text.
        The lines of a message open at the end of the whole lines (``open_at``) wait too.
        """
        out: list[tuple[bool, bytes]] = []
        last = data.rfind(b"\n")
        if last < 0:
            self._pending += data
        else:
            view = memoryview(data)
            if self._pending:
                region = b"".join((self._pending, view[: last + 1]))  # one copy, not two
                self._pending.clear()
                self._waiting = 0
            elif last + 1 == len(data):
                region = data  # the chunk ends a line: no copy at all
            else:
                region = view[: last + 1].tobytes()
            rest: bytes | memoryview = view[last + 1 :]
            # An open message's lines wait first; then the lines that could start a secret
            # over several lines (a cut there would split it: each side masked alone).
            if open_at is not None:
                region, rest = self._open(region, bytes(rest), open_at)
                self._waiting = len(rest) - (len(data) - last - 1)
            if hold is not None:
                region, rest = self._hold(region, bytes(rest), hold, 2 * (reserve + 1))
            mid_line = self._mid_line
            if region:
                self._mid_line = False
            if len(region) > self.max_pending:
                opened = _Opened(open_at, mid_line)
                out += self._long_lines(region, reserve, safe_cut, hold, opened)
            elif region:
                out.append((False, region))
            self._pending += rest
        # The lines of an open message count not: the line after them is as long as it
        # would be alone, when it is too long to hold (they go with its first piece).
        while len(self._pending) - self._waiting > self.max_pending:
            buf = bytes(self._pending)
            keep = reserve
            if open_end is not None:
                keep = max(keep, open_end(buf[len(buf) - self.max_pending // 2 :]))
            cut = len(buf) - max(keep, 0)
            if safe_cut is not None:
                cut = safe_cut(buf, cut)
            if cut <= 0:
                break
            out.append((True, buf[:cut]))
            self._mid_line = True
            self._waiting = 0
            del self._pending[:cut]
        return out

    def _long_lines(
        self,
        region: bytes,
        reserve: int,
        safe_cut: SafeCut | None,
        hold: Hold | None,
        opened: _Opened,
    ) -> list[tuple[bool, bytes]]:
        """A region that may hold lines longer than ``max_pending``: each such line's start as
        a piece, as when its newline comes in a later chunk (its rest opens the next region).
        As there, the lines before it that could start a secret (``hold``), or that begin a
        message still open at its start (``opened``: they waited for it), begin the piece:
        a secret over several lines is never split between a region and a piece, and a
        message over several lines (a ``setVariable`` whose value comes on its next line)
        passes whole, as a command, whatever the reads."""
        out: list[tuple[bool, bytes]] = []
        limit, pos = self.max_pending, 0
        while True:
            start = long_line(region, pos, limit)
            if start < 0:
                break
            line = region[start : region.index(b"\n", start)]
            cut = len(line) - max(reserve, 0)
            if safe_cut is not None:
                cut = safe_cut(line, cut)
            if cut <= 0:
                break
            # As in :meth:`feed`: the open message's lines first, then the lines before them
            # that could start a secret (a secret ending inside the message's first line).
            head = start
            if start > pos:
                head = min(start, opened.at(region, pos, start, self.max_pending))
            if hold is not None and head > pos:
                piece = region[head : start + cut]
                before = self._hold(region[pos:head], piece, hold, 2 * (reserve + 1))[0]
                head = pos + len(before)
            if head > pos:
                out.append((False, region[pos:head]))
            out.append((True, region[head : start + cut]))
            pos = start + cut
        if pos < len(region):
            out.append((False, region[pos:]))
        return out

    def _open(self, region: bytes, rest: bytes, open_at: OpenAt) -> tuple[bytes, bytes]:
        """Move the lines of a message open at the end of the region to the rest, while
        they fit in ``max_pending``. A line after them too long to hold goes in pieces, as
        ever, the first with them (it goes on the message), whatever the reads."""
        at = _Opened(open_at, self._mid_line).at(region, 0, len(region), self.max_pending)
        return region[:at], region[at:] + rest

    @staticmethod
    def _hold(region: bytes, rest: bytes, hold: Hold, window: int) -> tuple[bytes, bytes]:
        """Move the whole lines that could hold or start a secret from the region to the
        rest. ``window``: twice the longest secret; only the end of the region is looked at,
        unless the cut moves back further than a secret's length (then all of it)."""
        # Escape sequences inside a secret make it longer than its form: all of the region.
        offset = max(len(region) - window, 0) if b"\x1b" not in region else 0
        while True:
            data = region[offset:] + rest
            cut = len(region) - offset
            while cut > 0:
                safe = hold(data, cut)
                if safe >= cut:
                    break
                cut = data.rfind(b"\n", 0, safe) + 1  # the region ends with a whole line
            if not offset or cut >= window // 2:
                break
            offset = 0  # rare: a secret may begin before the part looked at
        end = offset + cut
        return region[:end], region[end:] + rest

    def unread(self, data: bytes) -> None:
        """Put ``data`` back before what is pending: the end of a piece given out whose
        masking needs what comes after it."""
        self._pending[:0] = data

    def since(self, offset: int, end: int | None = None) -> bytes:
        """The partial last line from ``offset`` (to ``end``): a copy of that part only."""
        return bytes(self._pending[offset:end])

    def flush(self) -> bytes:
        """The partial last line at end of input (may be empty)."""
        rest = bytes(self._pending)
        self._pending.clear()
        return rest


class _Opened:
    """Where a message still open at the end of some whole lines starts, as
    :meth:`LineSplitter._open` finds it when those lines end a chunk."""

    def __init__(self, open_at: OpenAt | None, mid_line: bool) -> None:
        self._open_at, self._mid_line = open_at, mid_line

    def at(self, region: bytes, pos: int, end: int, room: int) -> int:
        """Where in ``region[pos:end]`` (whole lines) an open message starts, else ``end``;
        only when its lines fit in ``room`` (no line starts at ``pos`` 0 when mid-line)."""
        if self._open_at is None:
            return end
        skip = region.find(b"\n", pos, end) + 1 - pos if pos == 0 and self._mid_line else 0
        at = pos + skip + self._open_at(region[pos + skip : end])
        return at if at < end and end - at <= room else end


def long_line(region: bytes, pos: int, limit: int) -> int:
    """Where the first line of ``region`` from ``pos`` (a line's start) with more than
    ``limit`` bytes before its newline starts, or -1: memrchr jumps of ``limit`` bytes."""
    while len(region) - pos > limit:
        newline = region.rfind(b"\n", pos, pos + limit + 1)
        if newline < 0:
            return pos
        pos = newline + 1
    return -1


class StreamInput:
    """A stream's input: its splitter, and whether a line too long to hold is coming in."""

    def __init__(self, max_pending: int) -> None:
        self.splitter = LineSplitter(max_pending)
        self.in_long = False  # inside a line too long to hold, handed out in pieces
        self.long_hidden = False  # ... and that line was not shown
        self.partial_at: float | None = None  # when the partial last line started to wait
        self.partial_shown = 0  # bytes of the partial last line already on the console
        self.partial_text = b""  # ... as the console got them (masked)
        self.state_shown = b""  # the redrawn state of the partial line printed last
        # The partial line's parts that a lone \r ended: where the next starts, and how far
        # it was looked at for one.
        self._part = self._scanned = 0

    def redrawn(self, fresh: bool) -> bytes:
        """The parts of the partial last line that a lone ``\r`` ended since the last call
        (b"": none); ``fresh``: whole lines or pieces were handed out since (a new partial
        line, or one cut). A CI that reads lines as .NET does takes each such part as a line
        (``::add-mask::S\rdownloading 3%``) long before the line's newline."""
        if fresh:
            self._part = self._scanned = 0
        new = self.splitter.since(self._scanned)  # (only what came since: no rescan)
        self._scanned += len(new)
        end = new.rfind(b"\r") + 1
        if not end:
            return b""
        end += self._scanned - len(new)
        start, self._part = self._part, end
        return self.splitter.since(start, end)


class StreamJoin:
    """The archive's bytes of both streams in arrival order: a line one stream left open at
    the archive's end (its last line without a newline, a long line in pieces) is ended by a
    newline of logtrim's before the other stream's bytes, so two streams' lines never run
    together (the one byte the archive adds to what the child wrote)."""

    def __init__(self) -> None:
        self._unended: int | None = None  # the stream whose line the archive leaves open

    def __call__(self, stream: int, data: bytes) -> bytes:
        if not data:
            return data
        if self._unended is not None and self._unended != stream:
            data = b"\n" + data
        self._unended = None if data.endswith(b"\n") else stream
        return data
