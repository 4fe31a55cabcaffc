"""The hot loop of :meth:`.Selector.region`: a region's lines, mostly counted in C.

Only the lines a rule hit are looked at in Python, and most of those take a short path: a
progress line that replaces the pending one, a plain line in ordinary flow (:mod:`.plain`), a
run of errors counted at once (:mod:`.similar`, :mod:`.flood`). Nothing here does I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..match.kinds import ERROR, NOISE, PROGRESS, Kind
from . import asis, flood, plain, similar

if TYPE_CHECKING:
    from .select import Selector


def region(
    sel: Selector, stream: int, region: bytes, hits: list[tuple[int, Kind]], base: int, now: float
) -> int:
    """Look at a region of whole lines numbered from ``base``; return the next number.

    The hot loop, over the lines a rule hit: the lines between them are counted in C, a
    progress line that only replaces the pending one and a plain line in ordinary flow
    take their short paths; the others are decided one by one (:meth:`.Selector.line`).
    """
    inc = sel.incidents[stream]
    tally, out = sel.out.tally, sel.out
    seen_lines, seen_bytes = tally.seen_lines, tally.seen_bytes
    pending = sel.progress.streams[stream]
    interval = sel.progress.interval
    count, find = region.count, region.find
    n, nhits = len(region), len(hits)
    head = sel.policy.head
    flow = _Flow(sel, stream, base)
    noise = NOISE
    width = min(sel.shaper.width, sel.shaper.max_line)
    # The region is the console form, masked with every secret known now (Secrets.region).
    masked_at = sel.shaper.masker.generation
    pos, lineno, i = 0, base, 0
    while pos < n:
        while i < nhits and hits[i][0] < pos:
            i += 1
        if flow.forced or lineno < head or inc.after or inc.block:
            if (run := _as_is(sel, stream, region, hits, i, pos, lineno)) is not None:
                pos, lineno = run
                flow.refresh(sel, stream)  # the allowance may be used up
                continue
            end = find(b"\n", pos) + 1 or n
            kind = hits[i][1] if i < nhits and hits[i][0] == pos else noise
        else:
            # Count the lines no rule hit in C, up to the next hit.
            target = hits[i][0] if i < nhits else n
            if target > pos:
                skipped = count(b"\n", pos, target)
                if target == n and region[-1:] != b"\n":
                    skipped += 1  # a last line without newline, at end of input
                out.gap_lines += skipped
                out.gap_bytes += target - pos
                seen_lines[noise] += skipped
                seen_bytes[noise] += target - pos
                lineno, pos = lineno + skipped, target
                if pos >= n:
                    break
            end = find(b"\n", pos) + 1 or n
            kind = hits[i][1]
            if kind == PROGRESS and flow.plain_progress and now - pending.at < interval:
                sel.progress.replace(stream, lineno, region[pos:end], masked_at)  # the flood
                pos, lineno = end, lineno + 1
                continue
            if (
                flow.short
                and kind in plain.TIERS
                and end - pos <= width
                and region[end - 1] == 10  # a newline: not a last line without one
                and find(b"\r", pos, end) < 0
            ):
                if taken := plain.take(sel, stream, region, hits, i, lineno, now):
                    i, pos, lineno = taken  # a run of lines like the last one shown
                    continue
                plain.show(sel, stream, region[pos:end], kind, lineno, now)
                pos, lineno = end, lineno + 1
                continue
        if kind == ERROR and (taken := _in_bulk(sel, stream, region, hits, i, lineno, now)):
            i, pos, lineno = taken  # a run of similar errors, or of errors past the budget
            flow.refresh(sel, stream)
            continue
        sel.history.hint = (lineno, pos)
        sel.line(stream, region[pos:end], kind, lineno, now)
        # The line may have switched the level or opened a command over several lines.
        flow.after_line(sel, stream, lineno)
        pos, lineno = end, lineno + 1
    flow.end(sel, lineno)
    return lineno


def _as_is(
    sel: Selector,
    stream: int,
    region: bytes,
    hits: list[tuple[int, Kind]],
    i: int,
    pos: int,
    lineno: int,
) -> tuple[int, int] | None:
    """Lines no rule hit from ``pos``, shown as written within the verbatim allowance, a run
    at a time (engine/flow/asis.py): the place and line number after them, else None."""
    if (
        sel.verbatim.left <= 0
        or (i < len(hits) and hits[i][0] == pos)
        or not asis.ready(sel, stream, lineno)
    ):
        return None
    stop = hits[i][0] if i < len(hits) else len(region)
    end, after = asis.take(sel, stream, region, pos, stop, lineno)
    return (end, after) if end > pos else None


def _in_bulk(
    sel: Selector,
    stream: int,
    region: bytes,
    hits: list[tuple[int, Kind]],
    i: int,
    lineno: int,
    now: float,
) -> tuple[int, int, int] | None:
    """An error line that starts a run counted at once: lines like the last one shown
    (engine/flow/similar.py), or errors once the budget shows no more (engine/flow/flood.py); the
    next hit, place and line number after the run, else None."""
    if similar.ready(sel, stream, lineno) and (
        taken := similar.take(sel, stream, region, hits, i, lineno, now)
    ):
        return taken
    if flood.closed(sel, stream, lineno):
        return flood.take(sel, stream, region, hits, i, lineno, now)
    return None


class _Flow:
    """What the hot loop of :meth:`.Selector.region` looks at per hit, refreshed after a line
    that may change it (a level switch, a command open over several lines)."""

    def __init__(self, sel: Selector, stream: int, base: int) -> None:
        self.quiet_from = base if sel.commands.quiet(stream) else -1
        self.ignored = sel.commands.ignored(stream)
        self.refresh(sel, stream)

    def refresh(self, sel: Selector, stream: int) -> None:
        commands = sel.commands
        self.forced = commands.forced(stream) or commands.is_open(stream) or sel.verbatim.left > 0
        self.short = plain.ready(sel, stream)  # the common line's short path (engine/flow/plain.py)
        self.plain_progress = not sel.has_drop and not commands.quiet(stream)

    def after_line(self, sel: Selector, stream: int, lineno: int) -> None:
        """After ``lineno`` was decided: the flow again, and where a quiet stretch (a level
        that keeps lines off the console) starts or ends."""
        self.refresh(sel, stream)
        quiet = sel.commands.quiet(stream)
        if quiet != (self.quiet_from >= 0):
            if quiet:
                self.quiet_from = lineno + 1
                self.ignored = sel.commands.ignored(stream)
            else:
                sel.history.quiet(self.quiet_from, lineno, ignored=self.ignored)
                self.quiet_from = -1

    def end(self, sel: Selector, lineno: int) -> None:
        if self.quiet_from >= 0:
            sel.history.quiet(self.quiet_from, lineno, ignored=self.ignored)


__all__ = ["region"]
