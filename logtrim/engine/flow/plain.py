"""The common line's short path: an info or warning line a rule hit, in ordinary flow.

On a long deployment most lines the selector looks at are such lines (``Deployed X to
web-01``, ``warning: deprecated key``): not in the head, not after an error, under no command
level or drop rule, past the verbatim allowance, short enough to show whole. The exact path
asks about each of those states line by line (:meth:`~.select.Selector.line`); here they are
known false for the whole stretch (:func:`ready`, checked by the caller), so a line costs its
repeat key, a budget check and its emits. The console is the exact path's, in any chunks
(tests/test_plain_properties.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..match.kinds import INFO, WARNING, Kind

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
    if sel.progress.streams[stream].waiting:  # as Shower.line: its waiting state
        sel.progress.late(stream, before=lineno, hold=True)
    # Already masked: the region is the console form Secrets.region made, every secret the
    # region declares learned first; only command lines were left for their dialect, and
    # those never take this path (their tier is SERVICE).
    if sel.show.alone(stream, line, kind, lineno, size):
        sel.repeats.shown(stream, key, now)
    elif sel.withheld is not None:  # with a baseline: a new line held back, for the tail
        sel.withheld.offer(lineno, stream, line, line)
