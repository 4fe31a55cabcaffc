"""User regexes that can run away on Python's ``re``: a repeat nested in a repeat.

``--keep``, ``--drop``, ``trim --keep`` and ``cat --grep`` run on ``re``, a backtracking
engine. A pattern such as ``^(\\w+\\s?)+$`` tries every way of splitting a line between its
two repeats: 2**n of them for a line of n word characters that does not match, and ``re``
holds the interpreter while it does (no signal, no timer stops it). A line of 40 characters
held a step for good. Such a pattern is refused before the child starts.

The check is the usual one of star height, with one exception that keeps common patterns:
an outer repeat whose body must match a character that no repeat in the body can match
(``(\\d+\\.)+``, ``(\\w+,)*``) splits a line one way only, and is allowed. Possessive repeats
and atomic groups never backtrack into themselves, and are allowed too.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

# re's own parser: what ``re.compile`` reads the pattern with (a private module: any fault in
# reading it lets the pattern through, as before this check).
try:
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11 names them sre_*
    _c = _p = None

_LONG = 10  # a bounded repeat of this many or more counts as a repeat
_READ = () if _c is None else (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN, _c.SUBPATTERN, _c.BRANCH)


def runaway(pattern: str | bytes) -> bool:
    """Whether ``pattern`` nests a repeat inside a repeat in a way that can take ``re``
    exponential time on one line (see the module)."""
    if _p is None:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # "possible nested set": ``[[]``
            parsed = _p.parse(pattern)
        return _nested(parsed, False)
    except Exception:  # the pattern compiled; a parser this check does not know: allow
        return False


def _repeats(op: Any) -> bool:
    return op in (_c.MAX_REPEAT, _c.MIN_REPEAT)


def _long(av: Any) -> bool:
    low, high = av[0], av[1]
    return bool(high == _c.MAXREPEAT or high >= _LONG) and high != low


def _nested(items: Any, inside: bool) -> bool:
    """Whether ``items`` (a parsed sequence) holds a repeat that runs away; ``inside``: the
    sequence is the body of a long repeat."""
    for op, av in items:
        if _repeats(op) and _long(av):
            if inside or _nested(av[2], not _split_once(_unwrapped(av[2]))):
                return True
            continue
        if _repeats(op):
            parts, within = [av[2]], inside
        elif op == _c.SUBPATTERN:
            parts, within = [av[3]], inside
        elif op == _c.BRANCH:
            parts, within = av[1], inside
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            parts, within = [av[1]], False
        elif op == _c.GROUPREF_EXISTS:
            parts, within = [b for b in av[1:] if b is not None], inside
        else:  # POSSESSIVE_REPEAT, ATOMIC_GROUP: no backtracking into them; single items
            continue
        if any(_nested(part, within) for part in parts):
            return True
    return False


def _unwrapped(body: Any) -> Any:
    """A repeat's body without the groups that are all of it: ``((\\d+\\.))`` reads ``\\d+\\.``."""
    while len(body) == 1 and body[0][0] == _c.SUBPATTERN:
        body = body[0][1][3]
    return body


def _split_once(body: Any) -> bool:
    """Whether a repeat's ``body`` must match a character that none of its repeats can: each
    of the outer repeat's turns then ends at one place."""
    chars = [av for op, av in body if op == _c.LITERAL]
    if not chars:
        return False
    inner = [av[2] for op, av in body if _repeats(op) and _long(av)]
    inner += [av[3] for op, av in body if op == _c.SUBPATTERN]
    return any(not any(_can_match(part, ch) for part in inner) for ch in chars)


def _can_match(items: Any, ch: int) -> bool:
    """Whether some item of ``items`` (at any depth) may match the character ``ch``."""
    for op, av in items:
        if op == _c.LITERAL and av == ch:
            return True
        if op in (_c.NOT_LITERAL, _c.ANY) and av != ch:
            return True
        if op == _c.IN and _in_set(av, ch):
            return True
        if _repeats(op) and _can_match(av[2], ch):
            return True
        if op == _c.SUBPATTERN and _can_match(av[3], ch):
            return True
        if op == _c.BRANCH and any(_can_match(b, ch) for b in av[1]):
            return True
        if op not in _READ and not _repeats(op) and op != _c.AT:
            return True  # anything else (a back reference...): it may
    return False


_CATEGORIES = {
    "CATEGORY_DIGIT": re.compile(r"\d"),
    "CATEGORY_NOT_DIGIT": re.compile(r"\D"),
    "CATEGORY_SPACE": re.compile(r"\s"),
    "CATEGORY_NOT_SPACE": re.compile(r"\S"),
    "CATEGORY_WORD": re.compile(r"\w"),
    "CATEGORY_NOT_WORD": re.compile(r"\W"),
}


def _in_set(members: Any, ch: int) -> bool:
    """Whether a character set (``[...]``, ``\\w``) may match ``ch``."""
    hit = False
    negate = False
    for op, av in members:
        if op == _c.NEGATE:
            negate = True
        elif op == _c.LITERAL:
            hit = hit or av == ch
        elif op == _c.RANGE:
            hit = hit or av[0] <= ch <= av[1]
        elif op == _c.CATEGORY:
            rx = _CATEGORIES.get(str(av))
            hit = hit or rx is None or rx.match(chr(ch)) is not None
        else:
            hit = True  # a kind of member this check does not read: it may match
    return hit != negate


__all__ = ["runaway"]
