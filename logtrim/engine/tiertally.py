"""The tier of each line as ``run`` counts it (its summary's "seen"), for ``stats``.

Both take a line's tier from the same :class:`~.matcher.Matcher` on the whole line (a line
over ``max_line`` on its start), and the first ``head`` lines of a run as :func:`head_tier`
says: one classification, so ``stats`` on an archive agrees with the run that wrote it.
Sans-IO: chunks in, counts out.
"""

from __future__ import annotations

from collections import Counter

from .kinds import INFO, NOISE, PROGRESS, Kind
from .matcher import Matcher


def head_tier(kind: Kind) -> Kind:
    """A line's tier in the first lines of a run: shown as info, a progress line excepted
    (as info its latest state would be collapsed as a repeat of the one before)."""
    return INFO if kind < INFO and kind != PROGRESS else kind


class TierTally:
    """Lines and bytes per tier of the chunks fed (one input: a run's output)."""

    def __init__(self, matcher: Matcher, *, head: int, max_line: int) -> None:
        self._matcher = matcher
        self._head = head
        self._max_line = max_line
        self._rest = b""  # a line not ended yet
        self.lines: Counter[Kind] = Counter()
        self.bytes: Counter[Kind] = Counter()
        self._seen = 0  # lines counted so far
        self.fed = 0  # bytes fed so far

    def feed(self, chunk: bytes) -> None:
        self.fed += len(chunk)
        data = self._rest + chunk if self._rest else chunk
        end = data.rfind(b"\n") + 1
        self._rest = data[end:]
        if end:
            self._count(data[:end])

    def finish(self) -> None:
        """The input ended: a last line without newline counts too."""
        rest, self._rest = self._rest, b""
        if rest:
            self._count(rest)

    def _count(self, region: bytes) -> None:
        if self._seen < self._head:
            region = self._count_head(region)
        if not region:
            return
        lines, sizes = self.lines, self.bytes
        hit = hit_bytes = 0
        for pos, found in self._matcher.scan(region):
            end = region.find(b"\n", pos) + 1 or len(region)
            kind = self._long(region[pos:end]) if end - pos > self._max_line else found
            lines[kind] += 1
            sizes[kind] += end - pos
            hit += 1
            hit_bytes += end - pos
        n = region.count(b"\n") + (not region.endswith(b"\n"))
        lines[NOISE] += n - hit  # no rule hit: detail (as run counts them, in C)
        sizes[NOISE] += len(region) - hit_bytes
        self._seen += n

    def _count_head(self, region: bytes) -> bytes:
        """Count the head's lines in ``region`` one by one; return the rest."""
        pos = 0
        while pos < len(region) and self._seen < self._head:
            end = region.find(b"\n", pos) + 1 or len(region)
            line = region[pos:end]
            long = len(line) > self._max_line
            kind = head_tier(self._long(line) if long else self._matcher.line_kind(line))
            self.lines[kind] += 1
            self.bytes[kind] += end - pos
            self._seen += 1
            pos = end
        return region[pos:]

    def _long(self, line: bytes) -> Kind:
        """A line over ``max_line``: run classifies its start, as it cuts it on the console."""
        return self._matcher.line_kind(line[: self._max_line])
