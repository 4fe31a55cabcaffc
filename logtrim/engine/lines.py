"""Cutting a byte stream into whole lines, whatever the chunking (sans-IO).

A chunk is not a line: ``print('a')`` can arrive as ``b'a'`` then ``b'\\n'``. The splitter
carries the partial last line into the next chunk, and hands out *regions*: runs of whole
lines, so the hot path touches a chunk once, not once per line. A line that grows past
``max_pending`` without a newline is handed out in *pieces* (memory stays bounded); the cut
never splits a secret, thanks to ``safe_cut``.
"""

from __future__ import annotations

from collections.abc import Callable

SafeCut = Callable[[bytes, int], int]


class LineSplitter:
    def __init__(self, max_pending: int = 1 << 20) -> None:
        self.max_pending = max_pending
        self._pending = bytearray()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def feed(
        self, data: bytes, *, reserve: int = 0, safe_cut: SafeCut | None = None
    ) -> list[tuple[bool, bytes]]:
        """Return ``[(is_piece, bytes), ...]``: whole-line regions, or pieces of a long line.

        ``reserve`` bytes at the end of a long line are held back (the longest secret minus
        one), so a secret that straddles a cut is still seen whole.
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
            elif last + 1 == len(data):
                region = data  # the chunk ends a line: no copy at all
            else:
                region = view[: last + 1].tobytes()
            out.append((False, region))
            self._pending += view[last + 1 :]
        while len(self._pending) > self.max_pending:
            buf = bytes(self._pending)
            cut = len(buf) - max(reserve, 0)
            if safe_cut is not None:
                cut = safe_cut(buf, cut)
            if cut <= 0:
                break
            out.append((True, buf[:cut]))
            del self._pending[:cut]
        return out

    def flush(self) -> bytes:
        """The partial last line at end of input (may be empty)."""
        rest = bytes(self._pending)
        self._pending.clear()
        return rest


class StreamInput:
    """A stream's input: its splitter, and whether a line too long to hold is coming in."""

    def __init__(self, max_pending: int) -> None:
        self.splitter = LineSplitter(max_pending)
        self.in_long = False  # inside a line too long to hold, handed out in pieces
        self.long_hidden = False  # ... and that line was not shown
