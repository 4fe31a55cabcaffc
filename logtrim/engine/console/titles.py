"""A step's title above an error shown live (Ansible's ``TASK [...] ****`` over forty hosts'
lines): found above the error's context, and shown with markers for the lines between."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..._regex import lazy
from ..match import words
from ..match.kinds import NOISE
from .output import STDOUT
from .tally import gap_note

if TYPE_CHECKING:
    from .show import Shower

#: A step's title, then a rule to the line's end (Ansible's ``TASK [...] ****``).
TITLE = lazy(words.TITLE)
#: How far above an error shown live its step's title is looked for when the lines between
#: are left out (Ansible's task over forty hosts' lines): shown above them, with a marker.
TITLE_FAR = 120


def find_title(
    shower: Shower,
    lineno: int,
    ctx: list[tuple[int, int, bytes]],
    sizes: list[int],
    gap: bytes,
    allows: Callable[[int], bool],
    cost: int,
) -> tuple[tuple[int, int, bytes], bytes, bytes] | None:
    """The step's title above an error and the lines before it (a task's, the lines
    between left out), when it is not on the console and fits with its markers in the
    place of ``gap``: (the title's line, the marker above it, the marker under it); else
    None."""
    out, history = shower.out, shower.history
    first = ctx[0][0] if ctx else lineno
    floor = max(history.last_shown, history.passed)
    lines = history.recent(first, min(TITLE_FAR, first - floor - 1))
    found = next((i for i in range(len(lines) - 1, -1, -1) if TITLE.match(lines[i][2])), -1)
    if found < 0 or found == len(lines) - 1:  # none, or just above: the context's own
        return None
    n, stream, raw = lines[found]
    if not history.visible(n, stream) or shower.dropped(raw):
        return None
    between = lines[found + 1 :]
    shown = shower.shaper.masker.mask(shower.shaper.display(raw))
    size = sum(len(b) + 1 for _, _, b in between)
    after = gap_note(len(between), size)
    above = out.gap_text(len(ctx) + len(lines) - found, sum(sizes) + len(raw) + 1 + size)
    if not allows(cost - len(gap) + len(above) + len(shown) + len(after)):
        return None
    return (n, stream, shown), above, after


def print_title(shower: Shower, title: tuple[int, int, bytes], above: bytes, after: bytes) -> bytes:
    """Print a step's title (:func:`find_title`) after its marker; returns the marker of the
    lines between it and the context, to print in the gap marker's place."""
    out = shower.out
    if above:
        out.emit(STDOUT, above, NOISE, own=True)
    n, stream, shown = title
    out.emit(stream, shown, NOISE)
    out.tally.context_lines += 1
    shower.history.mark_shown(n, stream=stream)
    return after


__all__ = ["TITLE", "TITLE_FAR", "find_title", "print_title"]
