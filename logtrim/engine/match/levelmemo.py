"""Chunks of levelled lines (error floods) without a level-rule evaluation per line.

The level rules (:mod:`.levels`) are the costly part of the compiled scan: each line that
carries a level runs them (about a microsecond a line, in hyperscan or in ``re``), and an
error flood is all such lines (issue 17.20). But the level rules (pino's numbers aside)
treat every digit alike (no literal digit, no class holding some digits and not others;
checked when built, by :func:`digits_alike`), so whether a line hits them depends only on
its *skeleton*, the line with each digit made ``0``. A flood repeats a few skeletons:
``2024-05-01T12:41:25Z ERROR request 8812 failed`` and the next line have the same. So the
bits of a chunk's lines come from a memo of skeletons, in C (``translate``, ``split``,
``map``); only new skeletons are scanned, together, by a database of the level rules and the
other rules of the first database that treat digits alike too. The rest of them
(``collect2``, a ``--keep`` rule or a CI marker with a digit) scan the real bytes. The
result is the first database's, line for line: where any line has no level (then the second
database has a say), or too many skeletons are new, it is ``None`` and the caller scans the
usual way."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate, compress, repeat
from operator import add, is_
from typing import TYPE_CHECKING, Any, cast

from .linefind import line_starts, or_into
from .literals import pieces
from .roles import Role, Rule

if TYPE_CHECKING:
    from .matcher import Compiler, Database

_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_MEMO_MAX = 1 << 14  # skeletons remembered; cleared when full (memory stays bounded)
_MEMO_BYTES = 4 << 20  # ... and their bytes (long lines)
_NEW_SHARE = 8  # more than one new skeleton in this many lines: no flood of a few shapes


def digits_alike(pattern: bytes, caseless: bool) -> bool:
    """Whether a regex matches a text exactly when it matches the text with any digit
    replaced by any other: no digit literal, and each class holds all digits or none."""
    try:
        parsed = re._parser.parse(pattern, re.I if caseless else 0)  # type: ignore[attr-defined]
    except Exception:  # re's parser is internal: if it ever changes, say no
        return False
    return _alike(parsed)


_CLASS_DIGITS = {"CATEGORY_DIGIT": 10, "CATEGORY_WORD": 10, "CATEGORY_NOT_SPACE": 10,
                 "CATEGORY_NOT_LINEBREAK": 10, "CATEGORY_NOT_DIGIT": 0, "CATEGORY_SPACE": 0,
                 "CATEGORY_NOT_WORD": 0, "CATEGORY_LINEBREAK": 0}  # fmt: skip


def _alike(items: Any) -> bool:
    for op, arg in items:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL"):
            if 0x30 <= arg <= 0x39:
                return False
        elif name == "IN":
            if _class_digits(arg) not in (0, 10):
                return False
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            if not _alike(arg[2]):
                return False
        elif name == "SUBPATTERN":
            if not _alike(arg[3]):
                return False
        elif name in ("ASSERT", "ASSERT_NOT"):
            if not _alike(arg[1]):
                return False
        elif name == "ATOMIC_GROUP":
            if not _alike(arg):
                return False
        elif name == "BRANCH":
            if not all(_alike(branch) for branch in arg[1]):
                return False
        elif name not in ("ANY", "AT"):  # back references and the rest: not proven
            return False
    return True


def _class_digits(items: Any) -> int:
    """How many digits a class holds (-1: not known)."""
    digits: set[int] = set()
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            continue  # all digits or none stays so when negated
        if name == "LITERAL":
            digits.update([arg] if 0x30 <= arg <= 0x39 else [])
        elif name == "RANGE":
            digits.update(range(max(arg[0], 0x30), min(arg[1], 0x39) + 1))
        elif name == "CATEGORY" and str(arg) in _CLASS_DIGITS:
            digits.update(range(0x30, 0x3A) if _CLASS_DIGITS[str(arg)] else [])
        else:
            return -1
    return len(digits)


class LevelMemo:
    """The first database's hits of a chunk whose every line has a level, from skeletons."""

    def __init__(self, alike: Database, alike_ids: Sequence[int], rest: Database | None,
                 rest_ids: Sequence[int], level_bits: int,
                 needles: frozenset[bytes] | None = None) -> None:  # fmt: skip
        self._alike, self._rest = alike, rest
        # What a chunk holds if a rule of ``rest`` can match in it (None: not known): a chunk
        # without any is not scanned for them (``"level"``: pino's numeric levels).
        self._needles = needles
        self._bits_alike = tuple(1 << i for i in alike_ids)
        self._bits_rest = tuple(1 << i for i in rest_ids)
        self._level_bits = level_bits
        # Skeleton -> its bits; 0 for a line without a level (a levelled line's are never 0).
        self._memo: dict[bytes, int] = {}
        self._memo_bytes = 0

    @classmethod
    def build(
        cls, rules: Sequence[Rule], first: Sequence[int], compiler: Compiler
    ) -> LevelMemo | None:
        """From the rules of the first database (by index); None where no level rule treats
        digits alike, or they do not compile. A level rule that tells digits apart (pino's
        ``"level":50``) scans the real bytes with the rest: a line only it gives a level has
        a skeleton without one, so a chunk of such lines is scanned the usual way."""
        alike = [i for i in first if digits_alike(rules[i].pattern, rules[i].caseless)]
        level = [i for i in alike if rules[i].role is Role.LEVEL]
        if not level:
            return None
        rest = [i for i in first if i not in alike]
        db = compiler.rules([rules[i].pattern for i in alike], [rules[i].caseless for i in alike])
        other = None
        if rest:
            other = compiler.rules(
                [rules[i].pattern for i in rest], [rules[i].caseless for i in rest]
            )
            if other is None:
                return None
        level_bits = sum(1 << i for i in level)
        needles = _needles([rules[i] for i in rest], rest)
        return None if db is None else cls(db, alike, other, rest, level_bits, needles)

    def hits(self, chunk: bytes) -> tuple[list[int], list[int]] | None:
        """Each line's start and first-database bits, or None (a line without a level, or
        too many new skeletons: then the chunk is no flood, and the usual scan is as cheap)."""
        if not chunk.endswith(b"\n"):
            return None
        skeletons = chunk.translate(_DIGITS).split(b"\n")
        skeletons.pop()  # after the last newline: nothing
        memo = self._memo
        known = list(map(memo.get, skeletons))
        if None in known:
            new = set(compress(skeletons, map(is_, known, repeat(None))))
            if len(new) * _NEW_SHARE > len(skeletons):
                return None  # no flood of a few shapes: scanning them would cost as much
            size = sum(map(len, new))
            if len(memo) + len(new) > _MEMO_MAX or self._memo_bytes + size > _MEMO_BYTES:
                memo.clear()
                new = set(skeletons)
                self._memo_bytes, size = 0, sum(map(len, new))
            self._memo_bytes += size
            self._learn(list(new))
            known = list(map(memo.get, skeletons))
        masks = cast(list[int], known)  # every skeleton is known now
        if 0 in masks:
            return None  # a line without a level: the words database has a say
        starts = list(accumulate(map(add, map(len, skeletons), repeat(1)), initial=0))
        starts.pop()
        needles = self._needles
        if self._rest is not None and (needles is None or any(n in chunk for n in needles)):
            self._add_rest(chunk, starts, masks)
        return starts, masks

    def _learn(self, new: list[bytes]) -> None:
        """Scan new skeletons together: each one's bits into the memo."""
        joined = b"\n".join(new) + b"\n"
        found: dict[int, int] = {}
        self._alike.scan(joined, match_event_handler=or_into(found, joined, self._bits_alike))
        pos, level = 0, self._level_bits
        for skeleton in new:
            mask = found.get(pos, 0)
            self._memo[skeleton] = mask if mask & level else 0
            pos += len(skeleton) + 1

    def _add_rest(self, chunk: bytes, starts: list[int], masks: list[int]) -> None:
        """The first database's rules that may tell digits apart, on the real bytes."""
        assert self._rest is not None
        line_of, bits = line_starts(chunk), self._bits_rest

        def on_match(rule: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            start = line_of(to)
            masks[bisect_left(starts, start)] |= bits[rule]

        self._rest.scan(chunk, match_event_handler=on_match)


def _needles(rules: Sequence[Rule], ids: Sequence[int]) -> frozenset[bytes] | None:
    """The literals one of which is in every line a rule of ``rules`` matches, as written
    (None: a rule has none, or only in another case)."""
    found: set[bytes] = set()
    for rule, index in zip(rules, ids, strict=True):
        for piece in pieces(rule, index):
            if piece.literals is None or not piece.cased:
                return None
            found |= piece.literals
    return frozenset(found)
