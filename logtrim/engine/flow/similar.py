"""Runs of similar lines: the lean path of the selector for the error lines a repeat counts.

A step failing in a loop may print one error with another counter each time (``request 812
failed``). While the budget still shows errors, each line like the last one shown is counted,
not shown (engine/flow/repeats.py), yet the exact path asks every question about it first (its
context, its reason, its repeat key, its mark in the history): about 20 us a line. Here a run
of such lines is found with a few calls in C (each line has the first's digits-to-zero form,
so its template and reason rank; each a rule's error hit, none skipped; or, when each line
carries an id of its own, a UUID or a hash, one regex pass a block finds the lines whose ids
alone differ) and counted at once,
when nothing that looks at each line is in play (:func:`ready`). The console, summary,
failure reason and history are the exact path's, in any chunks
(tests/test_similar_properties.py); only the cost changes.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress, count
from operator import itemgetter, ne
from typing import TYPE_CHECKING

from ..ending.incident import common_prefix
from ..match.kinds import ERROR, Kind
from ..shapes.ids import IdRun, hex_form
from ..shapes.templates import DIGITS_TO_ZERO

if TYPE_CHECKING:
    from .select import Selector

_ERROR = bytes([ERROR])
_FIRST_WINDOW = 32  # lines compared at first; the window grows eightfold while they match
_WINDOW_MAX = 4096  # ... up to this many lines


def ready(sel: Selector, stream: int, lineno: int) -> bool:
    """Whether the stream's next error line may start a run: a repeat run is under way (no
    line hidden or printed since the one shown), and no state makes the exact path look at
    each line (a baseline, drop rules, the head, the verbatim allowance, an error's lines
    after it or its block, a command's level or an open command)."""
    run = sel.repeats.streams[stream]
    out, commands, inc = sel.out, sel.commands, sel.incidents[stream]
    return (
        not out.gap_lines
        and run.at == out.printed
        and not run.empty
        and sel.withheld is None
        and not sel.has_drop
        and lineno >= sel.policy.head
        and sel.verbatim.left <= 0
        and not inc.after
        and not inc.block
        and not commands.forced(stream)
        and not commands.quiet(stream)
        and not commands.is_open(stream)
    )


def take(
    sel: Selector,
    stream: int,
    region: bytes,
    hits: list[tuple[int, Kind]],
    i: int,
    lineno: int,
    now: float,
) -> tuple[int, int, int] | None:
    """The run of similar error lines from hit ``i`` (line ``lineno``), counted as the
    repeat collapse counts each; None when there is none of two lines or more (the exact
    path then). Returns the next hit index, position and line number."""
    start = hits[i][0]
    lines, size = _run(sel, region, hits, i)
    if lines < 2:
        return None
    end = start + lines * size
    first, last = region[start : start + size], region[end - size : end]
    last_no = lineno + lines - 1
    reasons = sel.reasons
    if not reasons.ranked(first, lineno) or not sel.repeats.counts(stream, first, ERROR):
        return None
    # Each would be offered: the same rank, so the first and the last say which one wins.
    # Counted as each would be before it is offered: the reason reads the error lines
    # between two offers (a burst of a program's own messages keeps its first).
    tally = sel.out.tally
    tally.seen_lines[ERROR] += 1
    reasons.offer(first, lineno, error=True)
    tally.seen_lines[ERROR] += lines - 1
    reasons.offer(last, last_no, error=True)
    shown = sel.repeats.streams[stream].line
    alike = len(shown) == size and region.count(shown, start, end) == lines
    sel.repeats.count_run(stream, lineno, (first, last), lines, ERROR, now, alike=alike)
    tally.seen_bytes[ERROR] += end - start
    sel.history.hint = (last_no, end - size)
    return i + lines, end, last_no + 1


def _run(sel: Selector, region: bytes, hits: list[tuple[int, Kind]], i: int) -> tuple[int, int]:
    """(lines, bytes each) of the run from hit ``i``: consecutive lines, each a rule's
    error hit, each of the first one's digits-to-zero form (so as long), ending in a
    newline; none redrawn, coloured or cut for width. (0, 0): the first line is not one."""
    start = hits[i][0]
    end = region.find(b"\n", start) + 1
    size = end - start
    width = min(sel.shaper.width, sel.shaper.max_line)
    first = region[start:end]
    if not end or size > width or b"\r" in first or b"\x1b" in first:
        return 0, 0
    form = first.translate(DIGITS_TO_ZERO)
    lines = _alike(region, start, form)
    if lines == 1 and len(hits) - i > 1:
        lines = _alike_ids(region, start, form)  # each line an id of its own?
    lines = min(lines, len(hits) - i)
    window = hits[i : i + lines]
    at = list(map(itemgetter(0), window))
    want = range(start, start + lines * size, size)
    lines = next(compress(count(), map(ne, at, want)), lines)  # the first line no rule hit
    kinds = bytes(map(itemgetter(1), window[:lines]))
    return len(kinds) - len(kinds.lstrip(_ERROR)), size


def _alike_ids(region: bytes, start: int, form: bytes) -> int:
    """How many lines from ``start`` on differ from the first (digits-to-zero ``form``) only
    in digits and hex ids (a UUID, a hash: ``request 5d99...-4960 failed``), each id a UUID
    or one hex word (:class:`.IdRun`), so that each has its template and its reason rank
    (remembered by the form with ids as ``#``); 1: none but it."""
    run = IdRun.of(form)
    if run is None:
        return 1  # no id, or one whose template depends on its letters
    size = len(form)

    def leading(block: bytes, take: int) -> int:
        if b"#" in block:  # a line's own '#' where the first has an id: no run past it
            return 0
        if run.alike(block, take):
            return take
        return _leading(hex_form(block.translate(DIGITS_TO_ZERO)), run.shape * take, size)

    return _in_windows(region, start, size, 2, leading)


def _alike(region: bytes, start: int, form: bytes) -> int:
    """How many lines from ``start`` on have the digits-to-zero form ``form`` (the first
    has)."""
    size = len(form)
    second = start + size
    if region[second : second + size].translate(DIGITS_TO_ZERO) != form:
        return 1  # the common miss (lines each of its own) costs one line, not a window
    return _in_windows(
        region, start, size, _FIRST_WINDOW,
        lambda block, take: _leading(block.translate(DIGITS_TO_ZERO), form * take, size),
    )  # fmt: skip


def _in_windows(
    region: bytes, start: int, size: int, window: int, leading: Callable[[bytes, int], int]
) -> int:
    """How many whole lines of ``size`` bytes from ``start`` on are alike the first, by
    ``leading(block, lines)``, which says how many of a block's lines are: compared in
    windows that grow while they all are, so the cost is the run's."""
    room = (len(region) - start) // size  # whole lines of that length left
    lines = 1
    while lines < room:
        take = min(window, room - lines)
        at = start + lines * size
        alike = leading(region[at : at + take * size], take)
        if alike < take:
            return lines + alike
        lines += take
        window = min(window * 8, _WINDOW_MAX)
    return lines


def _leading(block: bytes, expected: bytes, size: int) -> int:
    """How many lines of ``size`` bytes ``block`` and ``expected`` share from their start."""
    return len(expected) // size if block == expected else common_prefix(block, expected) // size
