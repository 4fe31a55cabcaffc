"""What a line becomes in its context: a part of the :class:`~.select.Selector`.

An error's block and the lines after it are shown as its context, the first lines of a run as
info; a ``--drop`` rule keeps a line off the console whatever its tier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..match.kinds import NOISE, Kind
from ..stats.tiertally import head_tier

if TYPE_CHECKING:
    from .select import Selector


def looks_at(sel: Selector, stream: int, lineno: int) -> bool:
    """Whether the next line must be looked at even without a rule hit."""
    inc = sel.incidents[stream]
    if lineno < sel.policy.head or inc.after or inc.block or sel.commands.is_open(stream):
        return True
    return sel.commands.forced(stream)


def promote(
    sel: Selector,
    stream: int,
    line: bytes,
    kind: Kind,
    lineno: int,
    detail: bool = False,
    dropped: bool = False,
) -> tuple[Kind, Kind, bool, bool]:
    """(tier, own tier, context, continues) of a line: dropped (``dropped``: a drop rule
    keeps it off the console, the caller asked), part of an error block, after an error, or
    in the head (not detail its caller vouches for: a DEBUG record)."""
    if dropped:
        return NOISE, kind, False, False
    # The head is brief: it may not take more than a tenth of the live budget. Its lines
    # count in the tier they are shown in whatever their context (``stats`` counts them
    # with the same head_tier, knowing nothing of errors and blocks).
    budget = sel.budget
    head = lineno < sel.policy.head and budget.used < budget.live // 10 and not detail
    seen = head_tier(kind) if head else kind
    kind, context, cont = sel.incidents[stream].take(line, seen)
    return kind, seen, context, cont
