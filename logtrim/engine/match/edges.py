"""The bytes a regex's match can start or end with, from its parsed items (re's own parser).

A superset, or None where it is not known: a lookaround built from it changes no match. The
line-start pass (:mod:`.linestart`) tests a line's first byte before trying its forms; a
piece's chunk regex (:mod:`.literals`) checks the byte before its first literal, which the
items before that literal must end with ("12/40": a digit or a blank before "/"), so that a
path's "/" is rejected in one test.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

if sys.version_info >= (3, 11):
    from re import _constants
else:  # Python 3.10: the same module under its old name
    import sre_constants as _constants

_sre: Any = _constants  # internal, used as re uses it (its stubs type str patterns only)

__all__ = ["edge"]

_CATEGORIES = {
    _sre.CATEGORY_DIGIT: b"0123456789",
    _sre.CATEGORY_SPACE: b" \t\n\r\x0b\x0c",
    _sre.CATEGORY_WORD: b"0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
}
# Zero width, and not at the end of a line or of the text (where no byte follows).
_TRANSPARENT = {_sre.AT_BEGINNING, _sre.AT_BEGINNING_LINE, _sre.AT_BOUNDARY, _sre.AT_NON_BOUNDARY}
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None))


def edge(
    items: Sequence[Any], caseless: bool, *, last: bool = False
) -> tuple[set[int] | None, bool]:
    """The bytes a match of ``items`` can start with (``last``: end with); None: not known.
    And whether the match can be empty. ``caseless``: the regex ignores case there."""
    out: set[int] = set()
    for op, av in reversed(items) if last else items:
        got, empty = _item(op, av, caseless, last)
        if got is None:
            return None, False
        out |= got
        if not empty:
            return out, False
    return out, True


def _item(op: Any, av: Any, caseless: bool, last: bool) -> tuple[set[int] | None, bool]:
    if op is _sre.LITERAL:
        return _cased({av}, caseless), False
    if op is _sre.IN:
        chars: set[int] = set()
        for iop, iav in av:
            if iop is _sre.LITERAL:
                chars.add(iav)
            elif iop is _sre.RANGE:
                chars.update(range(iav[0], iav[1] + 1))
            elif iop is _sre.CATEGORY and iav in _CATEGORIES:
                chars.update(_CATEGORIES[iav])
            else:  # a negated class, another category: almost any byte
                return None, False
        return _cased(chars, caseless), False
    if op is _sre.AT:
        return (set(), True) if av in _TRANSPARENT else (None, False)
    if op is _sre.SUBPATTERN:
        _, add, remove, sub = av
        scoped = (caseless or bool(add & re.I)) and not remove & re.I
        return edge(list(sub), scoped, last=last)
    if op is getattr(_sre, "ATOMIC_GROUP", None):
        return edge(list(av), caseless, last=last)
    if op is _sre.BRANCH:
        out: set[int] = set()
        empty = False
        for alt in av[1]:
            got, alt_empty = edge(list(alt), caseless, last=last)
            if got is None:
                return None, False
            out |= got
            empty = empty or alt_empty
        return out, empty
    if op in _REPEATS:
        got, empty = edge(list(av[2]), caseless, last=last)
        return got, empty or av[0] == 0
    return None, False  # any byte, a negated literal, a lookaround, a group reference


def _cased(chars: set[int], caseless: bool) -> set[int]:
    """``chars`` with the other case of each ASCII letter, if the regex ignores case."""
    if not caseless:
        return chars
    return chars | {c ^ 0x20 for c in chars if 65 <= c <= 90 or 97 <= c <= 122}
