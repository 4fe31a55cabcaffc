"""What a baseline changes in the tiers: new lines rank above the lines good runs also print.

With a baseline (:class:`~.baseline.Baseline`, the shapes of good runs), a line whose shape
it lacks is *new*, and

- a new line no rule hit (detail) is shown as info: while the budget has room;
- a line good runs also print drops one tier: a warning becomes info, info becomes detail
  (an error every good run prints is rarely the cause), but an error stays an error: it is
  never hidden for that alone, and kept lines and service messages are untouched.

So within what the budget keeps, new lines win over old lines of the same tier. Sans-IO:
the front end loads the baseline and passes it in.

When no error line names a failure, the failure reason is the last new line of a shape the
run printed once (:class:`Singles`): a line every good run also prints says nothing of what
went wrong, and a new line printed again and again (a retry's, a loop's) says less than the
one line that came before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..ending.held import Held
from ..match.kinds import Kind
from ..match.matcher import joined
from .shaper import KEY_MAX
from .templates import coarse

if TYPE_CHECKING:  # imported with --baseline or --history only (start-up counts)
    from ..ending.reason import ReasonChooser
    from .baseline import Baseline, Checked

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
        self.singles = Singles()
        # A block's check made in another process (``run``'s checker), for the next region
        # of equal bytes: see :meth:`offer`.
        self._offered: tuple[tuple[bytes | memoryview, ...], Checked] | None = None

    def offer(self, checked: Checked | None, *parts: bytes | memoryview) -> None:
        """What :meth:`Baseline.check` gave for the bytes ``parts`` joined, in a process that
        holds a copy of the baseline: the next region of equal bytes takes it, if the
        baseline can (:meth:`Baseline.can_take`). None: no offer."""
        self._offered = (parts, checked) if parts and checked is not None else None

    @property
    def offered(self) -> bool:
        """A check is offered that no region has taken."""
        return self._offered is not None

    def _new(self, region: bytes) -> tuple[list[int], list[int | bytes] | None]:
        """Where the new lines of a region start, and their shapes if a check gave them."""
        offered = self._offered
        if offered is not None and joined(region, offered[0]):
            checked = offered[1]
            if self.baseline.can_take(checked):
                self._offered = None
                self.baseline.take(checked)
                return checked[0], checked[1]
        return self.baseline.new_offsets(region), None

    def tier(self, kind: Kind, new: bool) -> Kind:
        """:func:`tier`, counting a known line. With nothing to compare with (a first run under
        ``--history``, which only learns) every line keeps its tier: none is known, none new."""
        if self.baseline.known is None:
            return kind
        if not new and kind in self.known:
            self.known[kind] += 1
        return tier(kind, new)

    def hits(
        self, region: bytes, hits: list[tuple[int, Kind]], base: int
    ) -> list[tuple[int, Kind]]:
        """``hits`` (line start, tier) with the baseline's tiers, new detail lines added
        (``base``: the number of the region's first line)."""
        new, shapes = self._new(region)
        if new:
            self._note(region, new, base, shapes)
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

    def record(self, data: bytes, kind: Kind | None, base: int) -> list[bool] | None:
        """Which lines of a record are new (None: none is); ``base``: its first line's number."""
        indexes = self.baseline.new_lines(data)
        if not indexes:
            return None
        flags = [False] * (data.count(b"\n") + (not data.endswith(b"\n")))
        starts = [0] * len(flags)
        at = 0
        for k in range(1, len(flags)):
            at = starts[k] = data.index(b"\n", at) + 1
        for i in indexes:
            flags[i] = True
        self._note(data, [starts[i] for i in indexes], base)
        return flags

    def _note(
        self, region: bytes, starts: list[int], base: int, shapes: list[int | bytes] | None = None
    ) -> None:
        """Give :attr:`singles` the new lines starting at ``starts`` (in order; ``shapes``:
        theirs, if known)."""
        lineno, at = base, 0
        for i, start in enumerate(starts):
            lineno += region.count(b"\n", at, start)
            at = start
            end = region.find(b"\n", start)
            line = region[start : end if end >= 0 else len(region)]
            if shapes is not None:
                shape = shapes[i]
            else:
                shape = self.baseline.shape_of_key(coarse(line[:KEY_MAX]))
            self.singles.note(lineno, line, shape)

    def is_new(self, line: bytes) -> bool:
        return self.baseline.is_new(line)

    def offer_reason(
        self,
        reasons: ReasonChooser,
        display: Callable[[bytes], bytes],
        command: Callable[[str], bool],
    ) -> None:
        """Offer the last new line of a shape the run printed once (not a CI command) as the
        failure reason: above a line good runs also print, below any error line."""
        if self.baseline.known is None:
            return  # nothing to compare with: no line is new
        for lineno, raw in self.singles.latest():
            if raw.strip() and not command(raw.decode("utf-8", "replace")):
                reasons.offer_new(display(raw), lineno)
                return


class Singles:
    """The run's new lines of shapes it printed once so far (the latest :data:`SINGLES`),
    and the new shapes it printed again (bounded as a baseline's new shapes are)."""

    def __init__(self) -> None:
        self.once: dict[int | bytes, tuple[int, bytes]] = {}  # shape -> (lineno, line)
        self.again: set[int | bytes] = set()

    def note(self, lineno: int, line: bytes, shape: int | bytes) -> None:
        if shape in self.again:
            return
        if self.once.pop(shape, None) is not None:
            if len(self.again) < AGAIN_CAP:
                self.again.add(shape)
            return
        self.once[shape] = (lineno, line[:LINE_CAP])
        if len(self.once) > SINGLES:
            del self.once[next(iter(self.once))]  # the oldest

    def latest(self) -> list[tuple[int, bytes]]:
        """The new lines of shapes printed once, newest first."""
        return sorted(self.once.values(), reverse=True)


#: New lines of shapes printed once kept (the last ones count) and the bytes kept of each.
SINGLES = 64
LINE_CAP = 4096
#: New shapes printed again remembered (8 bytes each and the set's room): as the baseline's.
AGAIN_CAP = 1 << 17


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
