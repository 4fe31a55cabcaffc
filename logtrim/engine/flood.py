"""Error floods: the lean path of the selector once the budget no longer shows errors.

A step failing in a loop can print millions of error lines. Each one taken the exact way
costs a context lookup, a repeat key, a budget check and a held copy, only to be held back.
Once the error tier is closed, runs of error lines (and the warnings right after them, which
would be their context) are counted and held as one block instead, formatted only if still
held at the end (:meth:`~logtrim.engine.history.Held.add_run`). The console is the same as
the exact path's (tests compare them); only the cost changes (issue 17.20).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .kinds import Kind

if TYPE_CHECKING:
    from .select import Selector


def closed(sel: Selector, stream: int, lineno: int) -> bool:
    """Whether error lines can take the lean path: the budget stopped showing them, and
    nothing that looks at each line (drop rules, a command's level, the head, a traceback
    whose exception line may become the failure reason) is in play."""
    return (
        Kind.ERROR in sel.stopped
        and not sel.has_drop
        and lineno >= sel.policy.head
        and not sel.commands.forced(stream)
        and not sel.commands.is_open(stream)
        and sel.reasons.settled()
    )


# Long because it is one loop over a flood's lines, with locals instead of attribute lookups.
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

    Bounds the per-line cost of error floods (issue 17.20). A line that continues the
    previous one is held as its own incident here, not as part of the one before.
    Returns the next hit index, position and line number.
    """
    find, n, nhits = region.find, len(region), len(hits)
    cut = sel.shaper.width  # a longer line shows cut: the exact path counts it so
    after = sel.policy.after
    start = pos = hits[i][0]
    ends: list[int] = []
    warnings = wbytes = since = 0  # warning lines and bytes taken; lines since an error
    context: list[int] = []  # which of them
    error, warning, append = Kind.ERROR, Kind.WARNING, ends.append
    j = i
    while j < nhits:
        hit, kind = hits[j]
        if hit != pos or (kind is not error and (kind is not warning or since >= after)):
            break
        j += 1
        end = find(b"\n", pos) + 1
        if not end or end - pos > cut:
            break  # a long or unterminated line: the exact path
        if kind is warning:  # shown after an error it would be: held with the errors
            warnings, wbytes, since = warnings + 1, wbytes + end - pos, since + 1
            context.append(len(ends))
        else:
            since = 0
        append(end)
        pos = end
    if since:  # end on an error line: the incident state below is an error's
        pos = ends[-since - 1] if len(ends) > since else start
        wbytes -= ends[-1] - pos
        warnings -= since
        del ends[len(ends) - since :]
    taken = region[start:pos]
    cr = b"\r" in taken
    crlf = taken.count(b"\r\n") if cr else 0  # each shows a byte shorter
    if not ends or b"(most recent call last)" in taken or (cr and crlf != taken.count(b"\r")):
        # A traceback may change the failure reason, a \r redraw the line shown:
        # every line the exact way.
        for end in ends or [find(b"\n", start) + 1 or n]:
            sel.history.hint = (lineno, start)
            sel.line(stream, region[start:end], Kind.ERROR, lineno, now)
            start, lineno, i = end, lineno + 1, i + 1
        return i, start, lineno
    count, size = len(ends), pos - start
    # The failure reason sees the block's first and last lines: a flood's first line says
    # what started it, its last is the newest (what the chooser keeps among equals).
    first_end = ends[0]
    sel.reasons.offer(region[start:first_end], lineno, error=True)
    if count > 1:
        sel.reasons.offer(region[ends[-2] : pos], lineno + count - 1, error=True)
    sel.held.add_run(lineno, stream, taken, sel.shaper.masked, frozenset(context[:warnings]))
    lineno += count
    sel.repeats.end(stream)
    tally = sel.out.tally
    tally.seen_lines[Kind.ERROR] += count - warnings
    tally.seen_lines[Kind.WARNING] += warnings
    tally.seen_bytes[Kind.ERROR] += size - wbytes
    tally.seen_bytes[Kind.WARNING] += wbytes
    tally.held_lines += count
    tally.held_bytes += size - crlf
    sel.out.hide(size, count)
    inc = sel.incidents[stream]
    inc.after, inc.block, inc.holding = sel.policy.after, sel.policy.block, lineno - 1
    inc.head = region[ends[-2] if count > 1 else start : pos]
    return i + count, pos, lineno
