"""Lines no rule hit within the verbatim allowance, shown as written a run at a time.

Within the allowance each line is shown as written; deciding it alone costs about ten
microseconds and an emit held until the front end takes the region's console, so a log of a
million blank or tiny lines took seconds a megabyte and hundreds of MB. Where every line of a
stretch would take the same path (no level, no open command or error, no traceback the reason
follows, no drop rule) and its console form is known in C (masked already: no URL to mask, no
redraw but a CRLF ending, none wider than the console), the stretch is shown in one emit with
the counts each line would have added. The console is the exact path's, in any chunks
(tests/test_asis_properties.py).
"""

from __future__ import annotations

from itertools import compress, count
from typing import TYPE_CHECKING

from ..._regex import lazy

if TYPE_CHECKING:
    from .select import Selector

#: Fewer lines than this take the exact path: a short stretch gains nothing, and the console
#: keeps its usual emits.
MIN_LINES = 8
_REDRAW = lazy(rb"\r(?!\n)")


def _first_unsure(region: bytes, pos: int, limit: int, width: int) -> int:
    """A place in the first line from ``pos`` whose console form is not the line itself (a
    CRLF ending aside): a redraw, a URL's password to mask, a line wider than ``width``;
    ``limit`` if there is none before it. Found in C: one regex of the three, tried at each
    byte, cost about 40 ms per MB of the allowance."""
    at = region.find(b"@", pos, limit)
    limit = at if at >= 0 else limit
    redraw = _REDRAW.search(region, pos, limit)  # a literal first byte: a fast scan
    limit = redraw.start() if redraw is not None else limit
    lengths = list(map(len, region[pos:limit].split(b"\n")))
    wide = next(compress(count(), map(width.__lt__, lengths)), None)
    if wide is None:
        return limit
    return pos + sum(lengths[:wide]) + wide  # the wide line's start


def ready(sel: Selector, stream: int, lineno: int) -> bool:
    """Whether the stream's lines from ``lineno`` on that no rule hit would each be shown as
    written and change nothing else than the counts."""
    inc = sel.incidents[stream]
    commands = sel.commands
    return (
        sel.verbatim.left > 0
        and lineno >= sel.policy.head
        and not (inc.after or inc.block or sel.has_drop)
        and not (commands.forced(stream) or commands.quiet(stream) or commands.is_open(stream))
        and sel.reasons.passes(lineno)
    )


def take(
    sel: Selector, stream: int, region: bytes, pos: int, stop: int, lineno: int
) -> tuple[int, int]:
    """Show the whole lines from ``pos`` up to ``stop`` (the next hit) that fit the allowance
    and whose console form is known; the place and line number after them (``pos`` and
    ``lineno`` again: the exact path takes the next line)."""
    # The region is its console form, masked with every secret known (those it declares
    # learned first): a line shown now needs no masking again, as in :mod:`.plain`.
    limit = _first_unsure(region, pos, min(stop, pos + sel.verbatim.left), sel.shaper.width)
    end = region.rfind(b"\n", pos, limit) + 1
    lines = region.count(b"\n", pos, end) if end > pos else 0
    if lines < MIN_LINES:
        return pos, lineno
    data = region[pos:end]
    shown = data.replace(b"\r\n", b"\n") if b"\r" in data else data
    sel.verbatim.show_run(stream, shown, len(data), lineno, lines)
    return end, lineno + lines
