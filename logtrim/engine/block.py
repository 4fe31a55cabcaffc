"""A line shown after a gap, with the progress line that waited in it, written as one block.

Most lines a long deployment shows are an info or warning line after lines not shown, often
with a progress line that waited among them (:mod:`.throttle`). The console then gets the
marker of the lines before the progress line, that line, the marker of the lines after it
and the line. The exact path (:func:`.plain.show`: ``Repeats.key``, ``Progress.late``,
``throttle.split_gap``, ``Output.emit``, ``Shower.alone``, ``Output.after_gap``, ``Repeats.shown``)
asks each part about states known false here; :func:`show` asks once, checks the budget for
the whole block, and writes it; or changes nothing and returns False (the exact path takes
the line). The console is the exact path's in any chunks (tests/test_plain_properties.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .kinds import PROGRESS, Kind
from .output import STDOUT, Emit, Mark
from .policy import TIER_CEILINGS

if TYPE_CHECKING:
    from .select import Selector


def show(sel: Selector, stream: int, line: bytes, kind: Kind, lineno: int, now: float) -> bool:
    """Show ``line`` (a short path's info or warning line, counted as seen) after its gap,
    with the plain progress line waiting in the gap, if any; False when that is not the
    common state or the budget does not allow all of it (nothing was changed then)."""
    out, progress = sel.out, sel.progress
    run = sel.repeats.streams[stream]
    if run.count or not out.gap_lines or not out.ordinary():
        return False  # a run of repeats to end, no gap, or something to print first
    budget = out.budget
    pending = progress.streams[stream]
    emits: list[Emit] = []
    used = budget.used
    gap_lines, gap_bytes = out.gap_lines, out.gap_bytes
    shown_progress = marker = b""
    if pending.waiting:
        # As Progress.late's common state: one plain line waits (no command, no CI indicator).
        if pending.line is None or pending.commands or progress.native is not None:
            return False
        at, raw = pending.line
        gaps, before, before_bytes = pending.mark
        if gaps != out.gaps or before < 0:
            return False  # a marker printed already counted the lines before it
        shown_progress = sel.shaper.masked(raw)
        marker = out.gap_text(part=(before, before_bytes)) if before > 0 else b""
        # As throttle.split_gap: the line and its marker within the progress tier, the marker
        # within what markers may take.
        if used + (len(shown_progress) + len(marker)) > TIER_CEILINGS[PROGRESS] * budget.live or (
            marker and not budget.allows_marker(len(marker))
        ):
            return False
        if marker:
            emits.append((STDOUT, marker))
        emits.append((stream, shown_progress))
        used += len(marker) + len(shown_progress)
        before, before_bytes = before + 1, before_bytes + len(raw)  # the line leaves the gap
        gap_lines, gap_bytes = max(gap_lines - before, 0), max(gap_bytes - before_bytes, 0)
    # As Shower.alone: the line and the marker before it within the line's tier.
    room = TIER_CEILINGS[kind] * budget.live - len(line)
    gap = out.gap_text(part=(gap_lines, gap_bytes)) if gap_lines > 0 else b""
    if used > room or (gap and used + len(gap) > room):
        return False
    if shown_progress:
        _took_progress(sel, stream, shown_progress, at, (gaps, before, before_bytes))
    if gap:
        emits.append((STDOUT, gap))
    emits.append((stream, line))
    out.put(emits, len(marker) + len(gap), 2 if shown_progress else 1)
    budget.used = used + len(gap) + len(line)
    out.gap_lines = out.gap_bytes = 0
    out.gaps += 1
    tally = out.tally
    tally.shown_lines[kind] += 1
    tally.shown_bytes[kind] += len(line)
    if sel.show.cut:
        sel.show.cut = []
    sel.history.mark_shown(lineno, stream=stream)
    # As Repeats.key then Repeats.shown, after a gap: the line repeats nothing, and starts a
    # run that its template is asked for only when a line comes with no gap.
    run.key, run.raw, run.given = None, line, None
    run.candidate = run.line = line
    run.reported, run.same, run.at = now, True, out.printed
    return True


def _took_progress(sel: Selector, stream: int, shown: bytes, lineno: int, left: Mark) -> None:
    """The waiting progress line is shown: no longer waiting, counted, and the other states
    of its gap placed in what is left of it (``left``: the gap, and the lines and bytes that
    leave it, the line's own included), as Progress.late and split_gap do."""
    out = sel.out
    pending = sel.progress.streams[stream]
    pending.line, pending.waiting = None, False
    gaps, lines, nbytes = left
    for state in out.waiting.values():
        if state.mark[0] == gaps:
            at, size = state.mark[1] - lines, max(state.mark[2] - nbytes, 0)
            state.mark = (gaps, at, size) if at >= 0 else (gaps, -1, 0)
    out.tally.shown_lines[PROGRESS] += 1
    out.tally.shown_bytes[PROGRESS] += len(shown)
    sel.history.mark_shown(lineno, stream=stream)
