"""What a rule's regex cannot match without: literals, a line start, its alternatives.

The prefilter (:mod:`.prefilter`) needs, for each rule, a cheap test that every line the rule
matches passes. A rule is cut into its top-level alternatives (*pieces*); each piece is parsed
by ``re``'s own parser (so the analysis sees exactly what ``re`` compiles) into a set of
*required literals*, one of which every match contains. Literals are lower case: they are
looked for in the lowered chunk (``bytes.lower`` folds ASCII only, as ``re.I`` does on bytes),
which finds a superset of the lines for a case-sensitive rule too.

Only speed depends on how good the literals are; a literal set is only ever a superset.
"""

from __future__ import annotations

import copy
import functools
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

from .edges import edge
from .rules import Rule

if sys.version_info >= (3, 11):
    from re import _compiler, _constants, _parser
else:  # Python 3.10: the same modules under their old names
    import sre_compile as _compiler
    import sre_constants as _constants
    import sre_parse as _parser

# Internal modules, used as re uses them (their stubs type str patterns only).
_sre_compile: Any = _compiler
_sre: Any = _constants
_sre_parse: Any = _parser

__all__ = ["Lits", "Piece", "pieces"]

Lits = frozenset[bytes]

_MAX_SET = 24  # an exact-string set larger than this is no longer tracked
_MAX_BEFORE = 96  # a look-back for more bytes before a literal than this rejects too little
_MAX_RUN = 8  # a run of literal text forks into at most this many strings
# Ops that look past the text of the line (or its ends): such a piece is never searched for
# in the whole chunk, where the next line would be in view.
_EXOTIC_AT = {_sre.AT_BEGINNING_STRING, _sre.AT_END_STRING}
_EXOTIC_OPS = {_sre.ASSERT, _sre.ASSERT_NOT}
_REF_OPS = {_sre.GROUPREF, _sre.GROUPREF_EXISTS}


@dataclass(frozen=True)
class Piece:
    """One top-level alternative of a rule: the rule matches a line iff a piece does."""

    rule: int  # index of the rule
    test: Callable[[bytes], object]  # the piece's regex on one line (match if anchored)
    literals: Lits | None  # one of them is in every line it matches; None: none known
    cased: bool  # the literals keep their case (a case-sensitive piece): else lowered
    anchored: bool  # matches only at a line start ("^" first, under re.M)
    exotic: bool  # looks past its line (lookaround, \A, \Z): never searched chunk-wide
    refs: bool  # refers to its own groups: never combined with another rule's pieces
    lowered: bool  # matches the lowered text without re.I where the rule matches the text
    chunk_regex: re.Pattern[bytes]  # finds a suffix of each of its matches in a whole chunk
    pretest: bool  # chunk_regex, a proper suffix of the piece, is cheaper to try on a line
    bol_items: list[Any]  # parsed items after the leading "^" (anchored pieces)
    state: Any  # the parser state they belong to
    flags: int


@functools.lru_cache(maxsize=1024)
def pieces(rule: Rule, index: int) -> tuple[Piece, ...]:
    """The rule's top-level alternatives, each with what a line needs to match it (cached:
    every engine instance, one per run or test, shares the analysis of the same rules)."""
    flags = (re.I if rule.caseless else 0) | re.M
    parsed = _sre_parse.parse(rule.pattern, flags)
    items = list(parsed)
    alts = [items]
    if len(items) == 1 and items[0][0] is _sre.BRANCH:
        alts = [list(alt) for alt in items[0][1][1]]
    return tuple(_piece(index, rule.caseless, alt, parsed.state, flags) for alt in alts)


def _piece(index: int, caseless: bool, items: list[Any], state: Any, flags: int) -> Piece:
    regex = _compile(items, state, flags)
    ops = list(_walk(items))
    exotic = any(op in _EXOTIC_OPS or (op is _sre.AT and av in _EXOTIC_AT) for op, av in ops)
    refs = any(op in _REF_OPS for op, _ in ops)
    anchored = bool(items) and items[0] == (_sre.AT, _sre.AT_BEGINNING)
    lowered = caseless and not refs and _lowerable(ops)
    # A case-sensitive piece's literals keep their case: upper-case ones are rare in logs.
    # A pattern that sets re.I for itself ("(?i)^no") ignores case all through.
    cased = not caseless and not state.flags & re.I
    cased = cased and not any(op is _sre.SUBPATTERN and av[1] & re.I for op, av in ops)
    exact, required = _analyze(items, not cased)
    literals = _better(_prune(exact) if exact is not None else None, required)
    if literals is not None and b"" in literals:
        literals = None
    scan_flags = re.M if lowered else flags
    # From the first literal on: re then skips ahead to that byte instead of trying the
    # piece at every position (a suffix of each match is a match of the suffix).
    at = next((k for k, (op, _) in enumerate(items) if op is _sre.LITERAL), None)
    suffix = not (refs or exotic or at is None) and at > 0
    caseless_scan = bool((flags | state.flags) & re.I) and not lowered
    scan = _behind(items, at, state, caseless_scan) if suffix and at is not None else items
    chunk_regex = _compile(scan, state, scan_flags, folded=lowered)
    # re skips ahead on a line to a piece's first byte only if that is a literal or a class;
    # else it tries the piece at every byte, and the suffix, from a literal, is the cheaper.
    pretest = suffix and not anchored and items[0][0] not in (_sre.LITERAL, _sre.IN)
    return Piece(
        rule=index,
        test=regex.match if anchored else regex.search,
        literals=literals,
        cased=cased,
        anchored=anchored,
        exotic=exotic,
        refs=refs,
        lowered=lowered,
        chunk_regex=chunk_regex,
        pretest=pretest,
        bol_items=items[1:] if anchored else [],
        state=state,
        flags=scan_flags,
    )


def _behind(items: list[Any], at: int, state: Any, caseless: bool) -> list[Any]:
    """The items from the first literal (``at``) on, that literal run followed by a look-back
    for it and the byte before it, which the items before must end with: "/" of "[12/40]" is
    tried at every "/" of a path, and a look-back for "[0-9 \\t]/" rejects it at once."""
    before, empty = edge(items[:at], caseless, last=True)
    if before is None or empty or len(before) > _MAX_BEFORE:
        return items[at:]
    run = next((k for k in range(at, len(items)) if items[k][0] is not _sre.LITERAL), len(items))
    back = [(_sre.IN, [(_sre.LITERAL, b) for b in sorted(before)]), *items[at:run]]
    return [*items[at:run], (_sre.ASSERT, (-1, _sre_parse.SubPattern(state, back))), *items[run:]]


def _compile(
    items: list[Any], state: Any, flags: int, *, folded: bool = False
) -> re.Pattern[bytes]:
    """The regex of parsed items. ``folded``: for lowered text, without the global re.I the
    pattern was parsed with (re ORs the parser's flags into ``flags``), so that re compares
    bytes as they are, and skips ahead to a literal, instead of folding the case of each."""
    if folded and state.flags & re.I:
        state = copy.copy(state)
        state.flags &= ~re.I
    compiled: re.Pattern[bytes] = _sre_compile.compile(
        _sre_parse.SubPattern(state, list(items)), flags
    )
    return compiled


def _lowerable(ops: Sequence[tuple[Any, Any]]) -> bool:
    """No upper-case letter anywhere and no scoped case flags: on lowered text the piece
    matches without re.I exactly where it matches the text with it."""
    for op, av in ops:
        if op in (_sre.LITERAL, _sre.NOT_LITERAL) and 65 <= av <= 90:
            return False
        if op is _sre.RANGE and av[0] <= 90 and av[1] >= 65:
            return False
        if op is _sre.SUBPATTERN and (av[1] or av[2]):
            return False
    return True


def _walk(items: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
    """Every (op, av) of parsed items, nested ones included."""
    for op, av in items:
        yield op, av
        if op is _sre.IN:
            yield from av  # the class's members: (LITERAL, c), (RANGE, (lo, hi)), ...
            continue
        for x in av if isinstance(av, (list, tuple)) else [av]:
            if isinstance(x, _sre_parse.SubPattern):
                yield from _walk(list(x))
            elif isinstance(x, list):
                for y in x:
                    if isinstance(y, _sre_parse.SubPattern):
                        yield from _walk(list(y))


def _prune(lits: set[bytes] | Lits) -> Lits:
    """Drop a literal that contains another: a line with the longer one has the shorter."""
    return frozenset(s for s in lits if not any(o != s and o in s for o in lits))


def _better(a: Lits | None, b: Lits | None) -> Lits | None:
    """The more selective of two required-literal sets (longest shortest literal, fewest)."""
    if a is None or b"" in a:
        return b if (b is not None and b"" not in b) else None
    if b is None or b"" in b:
        return a
    # Past four bytes a literal is selective enough: fewer literals (passes) win.
    ka = (min(4, *map(len, a)), -len(a), min(map(len, a)))
    kb = (min(4, *map(len, b)), -len(b), min(map(len, b)))
    return a if ka >= kb else b


def _shrink(cur: set[bytes], room: int) -> set[bytes]:
    """The longest common-length suffixes of ``cur`` that number at most ``room``: every
    string of ``cur`` ends with one, so what follows stays adjacent to it."""
    for k in range(max(map(len, cur)), 0, -1):
        tails = {s[-k:] for s in cur}
        if len(tails) <= room:
            return tails
    return {b""}


def _analyze(items: Sequence[Any], fold: bool) -> tuple[set[bytes] | None, Lits | None]:
    """(exact, required) of parsed items.

    exact: every string the items can match, when that set is small and finite.
    required: literals one of which every match contains (None: no such set known).
    """
    cur: set[bytes] | None = {b""}
    best: Lits | None = None
    broken = False
    for op, av in items:
        ex, req, then_break = _item(op, av, fold)
        if ex is not None and cur is not None:
            if len(cur) * len(ex) > _MAX_RUN:
                best = _better(best, _prune(cur))
                cur, broken = _shrink(cur, max(1, _MAX_RUN // len(ex))), True
            cur = {a + b for a, b in product(cur, ex)}
            if then_break:
                best = _better(best, _prune(cur))
                cur, broken = {b""}, True
            continue
        if cur is not None:
            best = _better(best, _prune(cur))
        cur, broken = {b""}, True
        best = _better(best, req)
    if cur is not None:
        best = _better(best, _prune(cur))
    return (None if broken else cur), best


def _item(op: Any, av: Any, fold: bool) -> tuple[set[bytes] | None, Lits | None, bool]:
    """(exact, required, end-the-run-after-this) of one parsed item (``fold``: lowered)."""
    if op is _sre.LITERAL:
        return {_case(bytes([av]), fold)}, None, False
    if op is _sre.AT:
        return {b""}, None, False  # zero width: the text around it is adjacent
    if op is _sre.IN:
        chars: set[bytes] = set()
        for iop, iav in av:
            if iop is _sre.LITERAL:
                chars.add(_case(bytes([iav]), fold))
            elif iop is _sre.RANGE and iav[1] - iav[0] < 4:
                chars.update(_case(bytes([c]), fold) for c in range(iav[0], iav[1] + 1))
            else:
                return None, None, False
        return (chars if len(chars) <= 4 else None), None, False
    if op is _sre.SUBPATTERN or op is getattr(_sre, "ATOMIC_GROUP", None):
        ex, req = _analyze(av[-1] if op is _sre.SUBPATTERN else av, fold)
        return ex, req, False
    if op is _sre.BRANCH:
        return _branch(av[1], fold)
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
        return _repeat(av[0], av[1], av[2], fold)
    return None, None, False  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, ASSERT...: no literal


def _case(b: bytes, fold: bool) -> bytes:
    return b.lower() if fold else b


def _branch(alternatives: Sequence[Any], fold: bool) -> tuple[set[bytes] | None, Lits | None, bool]:
    exacts: set[bytes] | None = set()
    reqs: set[bytes] | None = set()
    for alt in alternatives:
        ex, req = _analyze(alt, fold)
        if exacts is not None:
            exacts = exacts | ex if ex is not None else None
        alt_best = _better(_prune(ex) if ex is not None else None, req)
        if reqs is not None:
            reqs = reqs | alt_best if alt_best is not None else None
    if exacts is not None and len(exacts) > _MAX_SET:
        exacts = None
    return exacts, (_prune(reqs) if reqs is not None else None), False


def _repeat(lo: int, hi: int, sub: Any, fold: bool) -> tuple[set[bytes] | None, Lits | None, bool]:
    ex, req = _analyze(sub, fold)
    if lo == 0:
        if hi == 1 and ex is not None:
            return ex | {b""}, None, False
        return None, None, False
    req = _better(_prune(ex) if ex is not None else None, req)
    if ex is not None and lo <= 4 and len(ex) ** lo <= _MAX_SET:
        rep = {b""}
        for _ in range(lo):
            rep = {a + b for a, b in product(rep, ex)}
        return rep, req, lo != hi  # lo copies are certain; what follows may not be adjacent
    return None, req, False
