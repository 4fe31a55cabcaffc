"""Error floods: the lean path of the selector once the budget no longer shows errors.

A step failing in a loop can print millions of error lines. Each one taken the exact way
costs a context lookup, a repeat key, a budget check and a held copy, only to be held back.
Once the error tier is closed, runs of error lines (and the warnings right after them, which
would be their context) are counted and held as one block instead, formatted only if still
held at the end (:meth:`~logtrim.engine.flow.history.Held.add_run`). A run is found in C (newline
counts, its tiers as bytes) and ends before any line the exact path would treat otherwise: one
short enough to fit what the budget still allows errors, one cut for width, a redraw, a
traceback. The console is the same as the exact path's, in any chunks
(tests/test_flood_properties.py); only the cost changes (issue 17.20).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from itertools import compress
from operator import itemgetter, sub
from typing import TYPE_CHECKING

from ..._regex import lazy
from ..ending.runreason import offer_run
from ..ending.traces import NEIGHBOURLY_IN_TEXT
from ..masking.mask import MASK
from ..match.kinds import Kind

if TYPE_CHECKING:
    from .select import Selector


def closed(sel: Selector, stream: int, lineno: int) -> bool:
    """Whether error lines can take the lean path: the budget stopped showing them, and
    nothing that looks at each line (drop rules, a command's level, the head, a traceback
    whose exception line may become the failure reason, a repeat of the line last shown)
    is in play. Not with a baseline: whether each line is new changes the failure
    reason, and a flood offers only its first and last lines."""
    return (
        sel.withheld is None
        and Kind.ERROR in sel.stopped
        and (sel.out.gap_lines > 0 or sel.repeats.streams[stream].empty)
        and not sel.has_drop
        and lineno >= sel.policy.head
        and not sel.commands.forced(stream)
        and not sel.commands.is_open(stream)
        and sel.reasons.settled()
        and not sel.reasons.looks_closely(lineno)
    )


_WARNING = bytes([Kind.WARNING])
_OTHER = lazy(b"[^" + re.escape(bytes([Kind.WARNING, Kind.ERROR])) + b"]")  # kinds as bytes
_BARE_CR = lazy(rb"\r(?!\n)")  # a redraw: the exact path shows the line after it
_TRACE = b"(most recent call last)"  # a traceback may change the failure reason


def take(
    sel: Selector,
    stream: int,
    region: bytes,
    hits: list[tuple[int, Kind]],
    i: int,
    lineno: int,
    now: float,
) -> tuple[int, int, int]:
    """A run of error lines once the budget no longer shows errors: counted, held for the
    failure tail (formatted only if still held at the end), no per-line decisions.

    Bounds the per-line cost of error floods (issue 17.20): the run is found with a few
    calls in C (:func:`_run`), not a loop over its lines. A line that continues the previous
    one is held as its own incident here, not as part of the one before. Returns the next
    hit index, position and line number.
    """
    start = hits[i][0]
    starts, ends, kinds = _run(sel, region, hits, i)
    count = len(starts)
    if not count:  # a long, unterminated, redrawn or traceback line: the exact way
        end = region.find(b"\n", start) + 1 or len(region)
        sel.history.hint = (lineno, start)
        sel.line(stream, region[start:end], Kind.ERROR, lineno, now)
        return i + 1, end, lineno + 1
    pos = ends[-1]
    taken = region[start:pos]
    # In C, as the run is found: a flood's cost is its lines', not a Python loop's.
    context = list(compress(range(count), map(_WARNING[0].__eq__, kinds)))
    warnings = len(context)
    wbytes = sum(map(sub, map(ends.__getitem__, context), map(starts.__getitem__, context)))
    size = pos - start
    # The failure reason sees each form's first and last lines (engine/ending/runreason.py).
    last = starts[-1]
    offer_run(sel.reasons, region, starts, ends, kinds, lineno)
    sel.held.add_run(lineno, stream, taken, sel.shaper.masked, frozenset(context))
    if sel.withheld is not None:  # with a baseline: the new ones kept apart, as the exact way
        for k in context:
            line = region[starts[k] : ends[k]]
            sel.withheld.offer(lineno + k, stream, line, sel.shaper.masked(line))
    lineno += count
    sel.repeats.end(stream)
    tally = sel.out.tally
    tally.seen_lines[Kind.ERROR] += count - warnings
    tally.seen_lines[Kind.WARNING] += warnings
    tally.seen_bytes[Kind.ERROR] += size - wbytes
    tally.seen_bytes[Kind.WARNING] += wbytes
    tally.held_lines += count
    tally.held_bytes += size  # as written, as the exact path counts them
    sel.out.hide(size, count)
    inc = sel.incidents[stream]
    inc.ran(region[last:pos], lineno - 1, sel.policy.after, sel.policy.block)
    return i + count, pos, lineno


def _run(
    sel: Selector, region: bytes, hits: list[tuple[int, Kind]], i: int
) -> tuple[list[int], list[int], bytes]:
    """The lines from hit ``i`` on that take the lean path: consecutive error lines, and
    the warnings that would be their context (at most ``after`` in a row, none last).

    (starts, ends, kinds) of each; empty when the first line must go the exact way. Each
    line decides for itself, so the runs are the same whatever the chunks. Looked at in
    windows that grow while the run fills them: the cost is the run's, not the chunk's.
    """
    size = 32
    while True:
        cap = min(i + size, len(hits))
        starts, ends, kinds = _within(sel, region, hits, i, cap)
        if len(starts) < cap - i or cap == len(hits):
            # End on an error line: a warning at the end may still be context to nothing.
            keep = len(kinds[: len(starts)].rstrip(_WARNING))
            del starts[keep:], ends[keep:]
            return starts, ends, kinds[:keep]
        size *= 8


def _within(
    sel: Selector, region: bytes, hits: list[tuple[int, Kind]], i: int, cap: int
) -> tuple[list[int], list[int], bytes]:
    """The lean run among ``hits[i:cap]``, warnings at its end not yet taken off."""
    count = region.count

    def consecutive(a: int, b: int) -> bool:
        # The newlines between two hits are as many as the hits between: no line missed.
        return count(b"\n", hits[a][0], hits[b][0]) == b - a

    lo, hi = i, cap  # hits[i..lo] are consecutive lines; hits[hi] is not one of them
    if consecutive(i, hi - 1):  # the common flood: the whole window
        lo = hi - 1
    step = 1
    while lo + step < hi:  # gallop, then halve: each newline counted a few times at most
        if not consecutive(lo, lo + step):
            hi = lo + step
            break
        lo, step = lo + step, step * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if consecutive(lo, mid):
            lo = mid
        else:
            hi = mid
    window = hits[i : lo + 1]
    kinds = bytes(map(itemgetter(1), window))
    limit = len(kinds)
    if other := _OTHER.search(kinds):
        limit = other.start()
    after = sel.policy.after
    if (found := kinds.find(_WARNING * (after + 1), 0, limit)) >= 0:
        limit = found + after  # the warning past ``after`` in a row: no error's context
    starts = list(map(itemgetter(0), window[:limit]))
    if not starts:
        return [], [], b""
    ends = starts[1:]
    if last_end := region.find(b"\n", starts[-1]) + 1:
        ends.append(last_end)
    else:  # unterminated: the exact path
        del starts[-1]
    if starts:
        _cut(sel, starts, ends)
    taken = region[starts[0] : ends[-1]] if starts else b""
    special = [m.start() for m in (_BARE_CR.search(taken),) if m]
    if (trace := taken.find(_TRACE)) >= 0:
        special.append(trace)
    if neighbourly := NEIGHBOURLY_IN_TEXT.search(b"\n" + taken):
        special.append(neighbourly.start())
    if special:
        limit = bisect_right(starts, starts[0] + min(special)) - 1
        del starts[limit:], ends[limit:]
    return starts, ends, kinds[: len(starts)]


def _cut(sel: Selector, starts: list[int], ends: list[int]) -> None:
    """Take off the run the lines from the first that the exact path would show otherwise:
    one longer than the console shows (cut), or one short enough to fit what the budget
    still allows errors (the exact path shows it)."""
    lens = list(map(sub, ends, starts))
    room = sel.budget.tier_room(Kind.ERROR)  # the longest error line that still fits
    masker = sel.shaper.masker
    # A line this long or shorter may fit (a CRLF line shows a byte shorter); masking may
    # shorten a line by any amount: then the exact path while anything fits.
    shrinks = masker and masker.max_len > len(MASK)
    floor = (math.inf if room >= 0 else -1.0) if shrinks else room + 1
    width = sel.shaper.width
    if min(lens) <= floor or max(lens) > width:
        limit = next(k for k, n in enumerate(lens) if n > width or n <= floor)
        del starts[limit:], ends[limit:]
