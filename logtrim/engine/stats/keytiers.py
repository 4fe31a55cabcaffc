"""``stats``'s tiers per distinct line: each line's tier as :class:`~.tiertally.TierTally`
gives it, computed once per digits-to-zero key instead of once per line.

A rule whose regex treats every digit alike (``\\d``, ``[0-9]``, ``\\w``, no digit of its
own) hits a line exactly when it hits the line's key (digits as ``0``): most rules are so.
The others (``[1-9]`` in ``3 errors``, ``0 failed``) are scanned on the raw bytes; a line
they hit, the first lines of an input (head and lead lines), and a chunk holding a line cut
for its key or no final newline are counted line by line, as before. The rest are counted
when the template counter folds its keys: each key's tier from the digit-blind rules, times
its lines. The scan of the raw bytes then looks for a handful of rules only, and the full
rules meet each distinct line once (the tier scan was a quarter of ``stats``' CPU).
"""

from __future__ import annotations

import sys
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from itertools import accumulate, repeat
from typing import Any

from ..match.kinds import NOISE
from ..match.linefind import line_starts
from ..match.matcher import Compiler, Database, Matcher
from ..match.prefilter import Prefilter
from ..match.rules import DETAIL_FIELD, DETAIL_START, Rule
from ..shapes.templates import DIGITS_TO_ZERO
from .tiertally import TierTally

if sys.version_info >= (3, 11):
    from re import _constants, _parser
else:  # Python 3.10: the same modules under their old names
    import sre_constants as _constants
    import sre_parse as _parser

# Internal modules, used as re uses them (as engine/match/literals.py does).
_sre: Any = _constants
_parse: Any = _parser
_DIGITS = range(ord("0"), ord("9") + 1)
_ALL_DIGITS = {_sre.CATEGORY_DIGIT, _sre.CATEGORY_WORD, _sre.CATEGORY_NOT_SPACE}
_NO_DIGITS = {_sre.CATEGORY_NOT_DIGIT, _sre.CATEGORY_NOT_WORD, _sre.CATEGORY_SPACE}
_BATCH = 4096  # keys scanned at once at a fold (at most ~16 MB of them joined)
_NESTED = {_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.SUBPATTERN, _sre.ASSERT, _sre.ASSERT_NOT}


def digit_blind(pattern: bytes) -> bool:
    """Whether the regex matches a text exactly where it matches the text with every digit
    as ``0`` (False when unsure: the rule is then scanned on the raw bytes)."""
    try:
        return _blind(_parse.parse(pattern, 0))
    except Exception:
        return False


def _blind(items: Any) -> bool:
    for op, av in items:
        if op in (_sre.LITERAL, _sre.NOT_LITERAL):
            if av in _DIGITS:
                return False
        elif op is _sre.IN:
            digits = {d for d in _DIGITS if _in_class(av, d)}
            if digits and len(digits) != len(_DIGITS):
                return False
        elif op is _sre.BRANCH:
            if not all(_blind(branch) for branch in av[1]):
                return False
        elif op in _NESTED or (hasattr(_sre, "POSSESSIVE_REPEAT") and op is _sre.POSSESSIVE_REPEAT):
            if not _blind(av[-1]):
                return False
        elif op is getattr(_sre, "ATOMIC_GROUP", None):
            if not _blind(av):
                return False
        elif op not in (_sre.ANY, _sre.AT):
            return False  # a back reference, a conditional: unsure
    return True


def _in_class(items: Any, char: int) -> bool:
    """Whether a character class (parsed) matches ``char``; raises when unsure."""
    found = negate = False
    for op, av in items:
        if op is _sre.NEGATE:
            negate = True
        elif op is _sre.LITERAL:
            found = found or av == char
        elif op is _sre.RANGE:
            found = found or av[0] <= char <= av[1]
        elif op is _sre.CATEGORY and av in _ALL_DIGITS:
            found = True
        elif not (op is _sre.CATEGORY and av in _NO_DIGITS):
            raise ValueError(f"unsure: {op}")
    return found != negate


class RawScan:
    """The line starts of a chunk that any of some rules hit (compiled database or ``re``)."""

    def __init__(self, rules: Sequence[Rule], compiler: Compiler | None) -> None:
        self._db: Database | None = None
        self._pre: Prefilter | None = None
        if compiler is not None and rules:
            self._db = compiler.rules([r.pattern for r in rules], [r.caseless for r in rules])
        if self._db is None and rules:
            # Not one alternation of the rules over the chunk: ``re`` tries every rule at
            # every byte (a 24 MB log took 10 s); the matcher's prefilter, as ``run`` uses.
            self._pre = Prefilter(rules)

    def starts(self, chunk: bytes) -> list[int]:
        found: set[int] = set()
        if self._db is not None:
            line_of = line_starts(chunk)

            def hit(_rule: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
                found.add(line_of(to))

            self._db.scan(chunk, match_event_handler=hit)
        elif self._pre is not None:
            return sorted(self._pre.hits(chunk))
        return sorted(found)


class KeyTiers:
    """Feeds a :class:`TierTally` the lines of a plain input, most of them by key: a
    :class:`~.counting.TemplateCounter` watched by it calls :meth:`chunk` with each chunk
    and its keys, and :meth:`fold` with the keys it folds and their lines."""

    def __init__(self, tally: TierTally, blind: Matcher, raw: RawScan) -> None:
        self.tally = tally
        self._blind = blind
        self._raw = raw
        # Since the last fold: the keys of the lines counted one by one, and the lines and
        # bytes fed in all and counted one by one.
        self._apart: Counter[bytes] = Counter()
        self._lines = self._bytes = self._apart_lines = self._apart_bytes = 0

    def chunk(self, chunk: bytes, keys: list[bytes], cut: bool) -> None:
        """``keys``: the chunk's lines as the counter holds them; ``cut``: one was cut."""
        tally = self.tally
        ended = chunk.endswith(b"\n")
        self._lines += len(keys)
        self._bytes += len(chunk)
        if cut or not ended or not tally.settled:
            self._apart.update(keys)
            self._apart_lines += len(keys)
            self._apart_bytes += len(chunk)
            tally.feed(chunk, len(keys) - (not ended))
            return
        starts = self._raw.starts(chunk)
        if starts:
            find = chunk.find
            pieces = [chunk[s : find(b"\n", s) + 1] for s in starts]
            self._apart.update([p.translate(DIGITS_TO_ZERO) for p in pieces])
            region = b"".join(pieces)
            self._apart_lines += len(pieces)
            self._apart_bytes += len(region)
            tally.count_lines(region, len(pieces))
        tally.skip(len(keys) - len(starts), len(chunk))

    def fold(self, keys: list[bytes], counts: list[int]) -> None:
        """Count the lines of ``keys`` (``counts`` of each) not counted one by one, by each
        key's tier: those of the keys the rules hit, and the rest as noise (no pass over
        all the keys but the scan: a key has the length of its lines, cut ones go apart)."""
        apart, get = self._apart, self._apart.get
        lines, nbytes = self.tally.lines, self.tally.bytes
        hit_lines = hit_bytes = 0
        for low in range(0, len(keys), _BATCH):  # (a copy of some keys at a time)
            part = keys[low : low + _BATCH]
            found = self._blind.scan(b"".join(part))
            if not found:
                continue
            ends = list(accumulate(map(len, part)))
            where = map(bisect_right, repeat(ends), (start for start, _ in found))
            for (_, kind), i in zip(found, where, strict=True):
                key = part[i]
                n = counts[low + i] - get(key, 0)
                lines[kind] += n
                nbytes[kind] += n * len(key)
                hit_lines += n
                hit_bytes += n * len(key)
        lines[NOISE] += self._lines - self._apart_lines - hit_lines
        nbytes[NOISE] += self._bytes - self._apart_bytes - hit_bytes
        apart.clear()
        self._lines = self._bytes = self._apart_lines = self._apart_bytes = 0


def split_rules(rules: Sequence[Rule]) -> tuple[list[Rule], list[Rule]] | None:
    """(the digit-blind rules, the others), or None when a detail level's regexes tell a
    digit from a zero (a key's tier could then differ from its lines')."""
    if not (digit_blind(DETAIL_START) and digit_blind(DETAIL_FIELD)):
        return None
    blind = [r for r in rules if digit_blind(r.pattern)]
    return blind, [r for r in rules if not digit_blind(r.pattern)]
