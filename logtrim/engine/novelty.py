"""What a baseline changes in the tiers: new lines rank above the lines good runs also print.

With a baseline (:class:`~.baseline.Baseline`, the shapes of good runs), a line whose shape
it lacks is *new*, and

- a new line no rule hit (detail) is shown as info: while the budget has room;
- a line good runs also print drops one tier: a warning becomes info, info becomes detail
  (an error every good run prints is rarely the cause), but an error stays an error: it is
  never hidden for that alone, and kept lines and service messages are untouched.

So within what the budget keeps, new lines win over old lines of the same tier. Sans-IO:
the front end loads the baseline and passes it in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .held import Held
from .kinds import Kind

if TYPE_CHECKING:  # imported with --baseline or --history only (start-up counts)
    from .baseline import Baseline

#: The tier of a line the baseline also has, by its own tier.
_KNOWN = {Kind.WARNING: Kind.INFO, Kind.INFO: Kind.NOISE}


def tier(kind: Kind, new: bool) -> Kind:
    """A line's tier once the baseline is taken into account."""
    if new:
        return Kind.INFO if kind == Kind.NOISE else kind
    return _KNOWN.get(kind, kind)


class Novelty:
    """Applies a baseline to the engine's hits (the non-detail lines of a region)."""

    def __init__(self, baseline: Baseline) -> None:
        self.baseline = baseline
        # Lines good runs also print, by their own tier: shown a tier lower (the summary).
        self.known = dict.fromkeys(_KNOWN, 0)

    def tier(self, kind: Kind, new: bool) -> Kind:
        """:func:`tier`, counting a known line."""
        if not new and kind in self.known:
            self.known[kind] += 1
        return tier(kind, new)

    def hits(self, region: bytes, hits: list[tuple[int, Kind]]) -> list[tuple[int, Kind]]:
        """``hits`` (line start, tier) with the baseline's tiers, new detail lines added."""
        new = self.baseline.new_offsets(region)
        if not new:
            if not hits:
                return hits
            known = [(start, self.tier(kind, False)) for start, kind in hits]
            return [h for h in known if h[1] != Kind.NOISE]
        fresh = set(new)
        out = [(start, self.tier(kind, start in fresh)) for start, kind in hits]
        hit = {start for start, _ in hits}
        out += [(start, Kind.INFO) for start in new if start not in hit]
        out.sort()
        return [h for h in out if h[1] != Kind.NOISE]

    def record(self, data: bytes, kind: Kind | None) -> list[bool] | None:
        """Which lines of a record are new (None: none is)."""
        indexes = self.baseline.new_lines(data)
        if not indexes:
            return None
        flags = [False] * (data.count(b"\n") + (not data.endswith(b"\n")))
        for i in indexes:
            flags[i] = True
        return flags

    def is_new(self, line: bytes) -> bool:
        return self.baseline.is_new(line)


class Withheld:
    """The new lines the budget did not show live, held for the end of a failed run.

    At a small budget the info tier closes early, and a new line with no error word (the one
    line only a comparison with a good run finds) would be gone by the end: the failure tail
    may still show it, before the context of errors. In a ``Held`` of their own, so that a
    flood of new lines never pushes out a held error.
    """

    def __init__(self, is_new: Callable[[bytes], bool], cap: int) -> None:
        self.is_new = is_new
        self.held = Held(cap)

    def offer(self, lineno: int, stream: int, line: bytes, text: bytes) -> None:
        """A line the budget held back (``text``: its console form, masked)."""
        if self.is_new(line):
            self.held.add(lineno, stream, text, lineno, False)
