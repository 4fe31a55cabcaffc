"""The common line's short path: an info or warning line a rule hit, in ordinary flow.

On a long deployment most lines the selector looks at are such lines (``Deployed X to
web-01``, ``warning: deprecated key``): not in the head, not after an error, under no command
level or drop rule, past the verbatim allowance, short enough to show whole. The exact path
asks about each of those states line by line (:meth:`~.select.Selector.line`); here they are
known false for the whole stretch (:func:`ready`, checked by the caller), so a line costs its
repeat key, a budget check and its emits. A run of lines like the last one shown (an app
logging ``INFO processed item 812`` a million times), once one of them was counted, is
counted at once (:func:`take`): a line costs its template's lookup. The console is the exact
path's, in any chunks (tests/test_plain_properties.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..console.output import STDERR, STDOUT
from ..match.kinds import INFO, WARNING, Kind
from .repeats import repeat_key

if TYPE_CHECKING:
    from .select import Selector

#: The tiers the short path takes: neither opens an incident nor is throttled.
TIERS = (INFO, WARNING)


def ready(sel: Selector, stream: int) -> bool:
    """Whether the stream's next lines may take the short path (the caller has checked the
    head, an open error and a command's level)."""
    return sel.verbatim.left <= 0 and not sel.has_drop and not sel.commands.quiet(stream)


def show(sel: Selector, stream: int, line: bytes, kind: Kind, lineno: int, now: float) -> None:
    """What :meth:`~.select.Selector.line` does with such a line (whole, ending in a newline,
    no redraw, no wider than the console shows), without asking again."""
    sel.reasons.offer(line, lineno, error=False)  # after a traceback: its exception line?
    size = len(line)
    tally = sel.out.tally
    tally.seen_lines[kind] += 1
    tally.seen_bytes[kind] += size
    if kind == INFO and sel.repeats.recurs(line):
        sel.out.hide(size)
        return
    key = sel.repeats.key(stream, line, now, lineno, kind)
    if key is None:
        return
    waiting = sel.progress.streams
    out, err = waiting[STDOUT].waiting, waiting[STDERR].waiting
    if out and err:
        # As Shower.line: the states waiting on either stream, in order (the other's too:
        # the gap marker it prints counts them).
        sel.show.states_before(lineno)
    elif out or err:  # (the common case, one stream's: at the cost it had)
        sel.progress.late(STDOUT if out else STDERR, before=lineno, hold=True)
    # Already masked: the region is the console form Secrets.region made, every secret the
    # region declares learned first; only command lines were left for their dialect, and
    # those never take this path (their tier is SERVICE).
    if sel.show.alone(stream, line, kind, lineno, size):
        sel.repeats.shown(stream, key, now)
    elif sel.withheld is not None:  # with a baseline: a new line held back, for the tail
        sel.withheld.offer(lineno, stream, line, line)


def take(
    sel: Selector,
    stream: int,
    region: bytes,
    hits: list[tuple[int, Kind]],
    i: int,
    lineno: int,
    now: float,
) -> tuple[int, int, int] | None:
    """The run of lines from hit ``i`` (line ``lineno``, an info or warning line the short
    path takes) that the repeat collapse would count one by one, counted at once: each the
    next line, a hit of the same tier, whole and plain, with the template of the last line
    shown; while a run is being counted (one line of it was, by :func:`show`). None when it
    is not, or when fewer than two lines are in it: :func:`show` then. Returns the next hit
    index, position and line number."""
    kind = hits[i][1]
    key = sel.repeats.counting(stream, kind)
    if key is None:
        return None
    width = min(sel.shaper.width, sel.shaper.max_line)
    find, start, shown = region.find, hits[i][0], sel.repeats.streams[stream].line
    pos, j, alike = start, i, True
    first = last = b""
    while j < len(hits) and hits[j][0] == pos and hits[j][1] == kind:
        end = find(b"\n", pos) + 1
        line = region[pos:end]
        if not end or end - pos > width or b"\r" in line or repeat_key(line) != key:
            break
        first = first or line
        last, alike = line, alike and line == shown
        pos, j = end, j + 1
    lines = j - i
    if lines < 2:
        return None
    reasons = sel.reasons
    for at, line in enumerate((first, last)):  # the first may follow the reason line
        reasons.offer(line, lineno + at * (lines - 1), error=False)
    tally = sel.out.tally
    tally.seen_lines[kind] += lines
    tally.seen_bytes[kind] += pos - start
    sel.repeats.count_run(stream, lineno, (first, last), lines, kind, now, alike=alike)
    return j, pos, lineno + lines
