"""The line-start forms' regex: one search per chunk for every rule's pieces anchored at a
line start (``^`` under re.M) of the same flags, ``\\n`` then any of them.

re tries it after every newline of the chunk, so the pieces are merged into one regex whose
alternatives re can reject at their first byte: their shared leading items ("colour codes,
then blanks") taken out of the branch, and their leading branches and optional items spread.
A lookahead for the bytes a line must start with comes first: a line that starts otherwise (a
time stamp, in most logs) is rejected by one class test, not by entering the repeats and the
branch (about a third of the cost of each try).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .edges import edge
from .literals import Piece, _compile, _sre, _sre_parse

__all__ = ["line_start_regex", "line_starts_regex"]


def line_start_regex(group: Sequence[Piece]) -> re.Pattern[bytes]:
    """One regex for anchored pieces of the same flags: ``\\n`` then any of them. Pieces of
    several rules lose their groups (each rule numbers its own); none refers to one."""
    first = group[0]
    tail, state, _ = _tail(group)
    return _compile([(_sre.LITERAL, 10), *tail], state, first.flags, folded=first.lowered)


def line_starts_regex(groups: Sequence[Sequence[Piece]]) -> re.Pattern[bytes]:
    """One regex over the text as it is for several groups (none refers to its groups): a
    lowered group's forms ignore case within their own scope, as its text was lowered."""
    state = _sre_parse.State()
    state.flags = re.M
    alts = []
    for group in groups:
        tail, _, caseless = _tail(group)
        scoped = re.I if group[0].lowered or caseless else 0
        sub = _sre_parse.SubPattern(state, _uncaptured(tail))
        alts.append([(_sre.SUBPATTERN, (None, scoped, 0, sub))])
    return _compile([(_sre.LITERAL, 10), *_branch_of(alts, state)], state, re.M)


def _tail(group: Sequence[Piece]) -> tuple[list[Any], Any, bool]:
    first = group[0]
    state = first.state
    items = [p.bol_items for p in group]
    if any(p.state is not state for p in group):
        state = _sre_parse.State()
        state.flags = first.state.flags
        items = [_uncaptured(x) for x in items]
    tail = _branch_of(items, state) if any(p.refs for p in group) else _factored(items, state)
    caseless = not first.lowered and bool((first.flags | state.flags) & re.I)
    starts, empty = edge(tail, caseless)
    if starts is not None and not empty and len(starts) <= _MAX_FIRST:
        ahead = _sre_parse.SubPattern(
            state, [(_sre.IN, [(_sre.LITERAL, b) for b in sorted(starts)])]
        )
        tail = [(_sre.ASSERT, (1, ahead)), *tail]
    return tail, state, caseless


# A lookahead for more first bytes than this would reject too few lines to pay for itself.
_MAX_FIRST = 96


def _branch_of(alts: Sequence[list[Any]], state: Any) -> list[Any]:
    if len(alts) == 1:
        return list(alts[0])
    return [(_sre.BRANCH, (None, [_sre_parse.SubPattern(state, list(x)) for x in alts]))]


def _factored(alts: Sequence[list[Any]], state: Any) -> list[Any]:
    """Parsed alternatives as one, the leading items they share taken out of the branch: re
    tries the line-start regex at every line, and entering each alternative's "colour codes,
    then blanks" costs more than the rest of the try. The order of the alternatives may
    change: the regex only says whether any of them matches at a line start."""
    by_first: dict[str, list[list[Any]]] = {}
    empty = False
    for alt in _spread(alts):
        if alt:
            by_first.setdefault(repr(alt[0]), []).append(alt)
        else:
            empty = True
    out: list[list[Any]] = []
    for same in by_first.values():
        if len(same) == 1:
            out.append(same[0])
        else:
            out.append([same[0][0], *_factored([x[1:] for x in same], state)])
    if empty:
        out.append([])
    return _branch_of(out, state)


def _spread(alts: Sequence[list[Any]], limit: int = 64) -> list[list[Any]]:
    """The alternatives with a leading branch or optional item spread into their own
    (``(?:a|b)c`` is ``ac|bc``; ``x?c`` is ``xc|c``): re rejects an alternative at its
    first byte, but enters a nested branch or a repeat to find out. At most ``limit``."""
    out = list(alts)
    for _ in range(8):  # a few levels deep: enough for the forms the rules use
        spread: list[list[Any]] = []
        for alt in out:
            op: Any = alt[0][0] if alt else None
            av: Any = alt[0][1] if alt else None
            if op is _sre.BRANCH:
                spread.extend([*x, *alt[1:]] for x in av[1])
            elif op is _sre.MAX_REPEAT and av[0] == 0 and av[1] == 1:
                spread.extend(([*av[2], *alt[1:]], alt[1:]))
            else:
                spread.append(alt)
        if len(spread) > limit or len(spread) == len(out):
            break
        out = spread
    return out


def _uncaptured(items: Sequence[Any]) -> list[Any]:
    """Parsed items with every capturing group made a plain one (the same matches)."""
    return [(op, _uncaptured_av(op, av)) for op, av in items]


def _uncaptured_av(op: Any, av: Any) -> Any:
    if op is _sre.SUBPATTERN:
        return (None, av[1], av[2], _sub(av[3]))
    if op is _sre.BRANCH:
        return (av[0], [_sub(x) for x in av[1]])
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
        return (av[0], av[1], _sub(av[2]))
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return (av[0], _sub(av[1]))
    if op is getattr(_sre, "ATOMIC_GROUP", None):
        return _sub(av)
    return av


def _sub(pattern: Any) -> Any:
    return _sre_parse.SubPattern(pattern.state, _uncaptured(list(pattern)))
