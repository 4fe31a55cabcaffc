"""``stats``'s template table, bounded whatever the log: the largest templates kept exactly,
the rarer ones' lines and bytes counted together as *other*.

A log of distinct lines (random words, one id per line that is not a number) has a
template per line: an unbounded table would grow with the log (and sorting it for the
report would take most of the time). When the table holds twice :attr:`Table.keep`
templates, or twice :attr:`Table.keep_bytes` of them, it keeps the largest (by bytes)
and adds the others to :attr:`Table.other` (a space-saving summary, Misra-Gries style):
the totals stay exact, and a template evicted and met again is counted anew, so a kept
template may lack at most :attr:`Other.error` bytes. A log with fewer
templates than that (every ordinary log) is counted exactly, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from operator import attrgetter


@dataclass(slots=True)
class TemplateStat:
    """Lines and bytes (newlines included) of one template, and one line of it (digits as 0)."""

    lines: int
    size: int  # bytes, newlines included
    example: bytes


@dataclass(slots=True)
class Other:
    """The lines of the templates not kept (rarer than those kept when they went)."""

    lines: int = 0
    size: int = 0
    # A kept template may lack this many bytes: each eviction adds the most one template
    # lost then (a template goes at most once an eviction, with at most that).
    error: int = 0

    def absorb(self, other: Other) -> None:
        """Add the other of another table (of other lines: its template may lack both's)."""
        self.lines += other.lines
        self.size += other.size
        self.error += other.error


class Table(dict[bytes, TemplateStat]):
    """``{template: TemplateStat}`` bounded by :meth:`bound`; what it let go in :attr:`other`.

    A dict, so the counting loops stay C look-ups; new entries go through :meth:`put` (which
    measures them). Pickles with its other (two processes count the parts of one log).
    """

    # ~10 MB at most: 2 x 16k entries of ~250 bytes with short lines; 2 x 4 MB of long ones.
    # (Between keep and twice as many held: about merge.MERGE_MAX, the ones the report merges.)
    keep = 1 << 14
    keep_bytes = 4 << 20

    def __init__(self) -> None:
        super().__init__()
        self.other = Other()
        self.held = 0  # bytes of the templates and examples held

    def put(self, tpl: bytes, stat: TemplateStat) -> None:
        """A template not held yet (the table bounded at once: a fold may bring many)."""
        self[tpl] = stat
        self.held += len(tpl) + len(stat.example)
        if len(self) > 2 * self.keep or self.held > 2 * self.keep_bytes:
            self._evict()

    def add(self, tpl: bytes, lines: int, size: int, example: bytes) -> None:
        entry = self.get(tpl)
        if entry is None:
            self.put(tpl, TemplateStat(lines, size, example))
        else:
            entry.lines += lines
            entry.size += size

    def absorb(self, other: dict[bytes, TemplateStat]) -> None:
        """Add another table's counts (of other lines), then bound."""
        if isinstance(other, Table):
            self.other.absorb(other.other)
        for tpl, stat in other.items():
            self.add(tpl, stat.lines, stat.size, stat.example)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Pickled as a few blobs and lists of numbers (pickle copies those at C speed), not
        # entry by entry: the table of the other half of a log, 10k templates, took ~40 ms to
        # pickle and ~30 ms to load, both while the first process waited for it.
        stats = list(self.values())
        examples = list(map(_EXAMPLE, stats))
        return _table, (
            type(self),
            b"".join(self),
            list(map(len, self)),
            list(map(_LINES, stats)),
            list(map(_SIZE, stats)),
            b"".join(examples),
            list(map(len, examples)),
            self.other,
            self.held,
        )

    @property
    def capped(self) -> bool:
        """Some templates were counted as other."""
        return self.other.lines > 0

    def resize(self, tpl: bytes, extra: int) -> None:
        """Add ``extra`` bytes (maybe negative) to a template's, or to other's if it went."""
        entry = self.get(tpl)
        if entry is None:
            self.other.size += extra
        else:
            entry.size += extra

    def _evict(self) -> None:
        """Keep the largest templates once the table holds twice what it keeps (amortized:
        one sort per ``keep`` templates met, so the time stays linear in the log)."""
        ranked = sorted(self.items(), key=lambda kv: -kv[1].size)  # (stable: first met first)
        kept: set[bytes] = set()
        held = 0
        for tpl, stat in ranked[: self.keep]:
            held += len(tpl) + len(stat.example)
            if held > self.keep_bytes and kept:
                break
            kept.add(tpl)
        del ranked
        other = self.other
        most = 0
        for tpl in [tpl for tpl in self if tpl not in kept]:
            stat = self.pop(tpl)
            other.lines += stat.lines
            other.size += stat.size
            most = max(most, stat.size)
        other.error += most
        self.held = sum(len(tpl) + len(s.example) for tpl, s in self.items())


_LINES, _SIZE, _EXAMPLE = attrgetter("lines"), attrgetter("size"), attrgetter("example")


def _cut(blob: bytes, sizes: list[int]) -> map[bytes]:
    """``blob`` cut into pieces of ``sizes`` bytes."""
    ends = list(accumulate(sizes))
    return map(blob.__getitem__, map(slice, [0, *ends], ends))


def _table(
    kind: type[Table],
    templates: bytes,
    template_sizes: list[int],
    lines: list[int],
    sizes: list[int],
    examples: bytes,
    example_sizes: list[int],
    other: Other,
    held: int,
) -> Table:
    """A :class:`Table` as :meth:`Table.__reduce__` gave it."""
    table = kind()
    stats = map(TemplateStat, lines, sizes, _cut(examples, example_sizes))
    dict.update(table, zip(_cut(templates, template_sizes), stats, strict=True))
    table.other, table.held = other, held
    return table
