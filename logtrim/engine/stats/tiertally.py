"""The tier of each line as ``run`` counts it (its summary's "seen"), for ``stats``.

Both take a line's tier from the same :class:`~.matcher.Matcher` on the whole line (a line
over ``whole``, which ``run`` takes in pieces, on its first ``max_line`` bytes), and the
first ``head`` lines of a run as :func:`head_tier` says: one classification, so ``stats`` on
an archive agrees with the run that wrote it. Sans-IO: chunks in, counts out.
"""

from __future__ import annotations

from collections import Counter

from ..match.kinds import INFO, NOISE, PROGRESS, Kind
from ..match.matcher import Matcher


def head_tier(kind: Kind) -> Kind:
    """A line's tier in the first lines of a run: shown as info, a progress line excepted
    (as info its latest state would be collapsed as a repeat of the one before)."""
    return INFO if kind < INFO and kind != PROGRESS else kind


# A part's counts, to add to another tally's: lines and bytes per tier, lines in all, and
# the tier and size of its first lines (they are head lines if the part before is short).
Tiers = tuple[dict[Kind, int], dict[Kind, int], int, list[tuple[Kind, int]]]


class TierTally:
    """Lines and bytes per tier of the chunks fed (one input: a run's output)."""

    def __init__(
        self, matcher: Matcher, *, head: int, max_line: int, whole: int, lead: int = 0
    ) -> None:
        self._matcher = matcher
        self._head = head
        # A part after the start of an input: its first ``lead`` lines' tiers, kept.
        self._lead = lead
        self.first: list[tuple[Kind, int]] = []
        self._max_line = max_line
        self._whole = whole
        self._rest = b""  # a line not ended yet (its first max_line bytes, when over whole)
        self._beyond = -1  # the bytes of a long line past its kept start; -1: none
        self.lines: Counter[Kind] = Counter()
        self.bytes: Counter[Kind] = Counter()
        self._seen = 0  # lines counted so far
        self.fed = 0  # bytes fed so far

    def feed(self, chunk: bytes, newlines: int | None = None) -> None:
        """``newlines``: how many ``chunk`` holds, when the caller counted them already
        (``stats`` splits each chunk into lines for its templates): not counted again."""
        self.fed += len(chunk)
        if self._beyond >= 0:  # in a long line: only its end matters
            nl = chunk.find(b"\n")
            if nl < 0:
                self._beyond += len(chunk)
                return
            self._end_long(nl + 1)
            chunk = chunk[nl + 1 :]
            newlines = None if newlines is None else newlines - 1
        # (The rest held holds no newline: the data's are the chunk's.)
        data = self._rest + chunk if self._rest else chunk
        end = data.rfind(b"\n") + 1
        rest = data[end:]
        if end:
            self._count(data[:end], newlines)
        # Bounded memory whatever the line: one run takes in pieces is classified on its
        # start (as run does); the rest is only counted.
        if len(rest) > self._whole:
            self._rest, self._beyond = rest[: self._max_line], len(rest) - self._max_line
        else:
            self._rest = rest

    @property
    def whole(self) -> int:
        """Longer lines are classified on their start (``run`` takes them in pieces)."""
        return self._whole

    @property
    def settled(self) -> bool:
        """No line is pending and the head and lead lines are counted: the lines of the next
        chunks may be counted elsewhere (:mod:`.keytiers`), told by :meth:`skip`."""
        return not self._rest and self._beyond < 0 and self._seen >= max(self._head, self._lead)

    def skip(self, lines: int, size: int) -> None:
        """``lines`` lines (``size`` bytes) fed, whose tiers are counted elsewhere."""
        self._seen += lines
        self.fed += size

    def count_lines(self, region: bytes, newlines: int) -> None:
        """Count the whole lines of ``region`` (when :attr:`settled`), not as fed: the
        lines of a chunk that :mod:`.keytiers` counts one by one."""
        self._count(region, newlines)

    def finish(self) -> None:
        """The input ended: a last line without newline counts too."""
        if self._beyond >= 0:
            self._end_long(0)
            return
        rest, self._rest = self._rest, b""
        if rest:
            self._count(rest)

    def counts(self) -> Tiers:
        """What was counted (after :meth:`finish`), for another tally to :meth:`absorb`."""
        lines = {kind: n for kind, n in self.lines.items() if n}
        return lines, {kind: self.bytes[kind] for kind in lines}, self._seen, self.first

    def absorb(self, counts: Tiers) -> None:
        """Add the counts of the part that follows this one (which ended at a line end),
        counted with ``lead`` at least this tally's head: its first lines may be head lines."""
        lines, sizes, seen, first = counts
        self.lines.update(lines)
        self.bytes.update(sizes)
        for kind, size in first[: max(self._head - self._seen, 0)]:
            self.lines[kind] -= 1
            self.bytes[kind] -= size
            self.lines[head_tier(kind)] += 1
            self.bytes[head_tier(kind)] += size
        self._seen += seen
        self.fed += sum(sizes.values())

    def _end_long(self, more: int) -> None:
        """The long line whose start is kept ends ``more`` bytes into the next chunk."""
        self._one(self._long(self._rest), len(self._rest) + self._beyond + more)
        self._rest, self._beyond = b"", -1

    def _count(self, region: bytes, newlines: int | None = None) -> None:
        if self._seen < max(self._head, self._lead):
            region = self._count_head(region)
            newlines = None
        if not region:
            return
        lines, sizes = self.lines, self.bytes
        hit = hit_bytes = 0
        for pos, found in self._matcher.scan(region):
            end = region.find(b"\n", pos) + 1 or len(region)
            kind = self._long(region[pos:end]) if end - pos > self._whole else found
            lines[kind] += 1
            sizes[kind] += end - pos
            hit += 1
            hit_bytes += end - pos
        if newlines is None:
            newlines = region.count(b"\n")
        n = newlines + (not region.endswith(b"\n"))
        lines[NOISE] += n - hit  # no rule hit: detail (as run counts them, in C)
        sizes[NOISE] += len(region) - hit_bytes
        self._seen += n

    def _count_head(self, region: bytes) -> bytes:
        """Count the head's lines in ``region`` one by one; return the rest."""
        pos = 0
        while pos < len(region) and self._seen < max(self._head, self._lead):
            end = region.find(b"\n", pos) + 1 or len(region)
            line = region[pos:end]
            long = len(line) > self._whole
            self._one(self._long(line) if long else self._matcher.line_kind(line), end - pos)
            pos = end
        return region[pos:]

    def _one(self, kind: Kind, size: int) -> None:
        """One line counted alone (a head line, a lead line, a long line)."""
        if self._seen < self._lead:
            self.first.append((kind, size))
        if self._seen < self._head:
            kind = head_tier(kind)
        self.lines[kind] += 1
        self.bytes[kind] += size
        self._seen += 1

    def _long(self, line: bytes) -> Kind:
        """A line over ``whole``: run classifies its start, the pieces of it decided first."""
        return self._matcher.line_kind(line[: self._max_line])
