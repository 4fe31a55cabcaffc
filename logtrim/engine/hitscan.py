"""The compiled matcher's scan of a chunk: which rules each line hits, in two passes.

Each rule a line hits costs a callback into Python, and most hit lines carry a level field
that decides their tier by itself: its words (``error``, ``failed``, ``warning``) and zero
forms no longer count (:func:`~.roles.kind_of`). So the rules are compiled as two
databases. The first holds what still counts on a line with a level (the level fields, the
strong forms, the progress words); it scans the whole chunk. The second holds the other
words and the zero forms; it scans only the stretches between lines with a level. An error
flood of ``2024-05-01T12:41:25Z ERROR ... failed`` lines then costs one callback a line
instead of three (issue 17.20); the answers are the one database's (the property tests
compare both matchers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .kinds import Kind
from .roles import Role, Rule

if TYPE_CHECKING:
    from .matcher import Compiler, Database


def _decides(rule: Rule) -> bool:
    """Whether a rule can change the tier of a line that has a level field."""
    return rule.role in (Role.LEVEL, Role.STRONG) or (
        rule.role is Role.WORD and rule.kind == Kind.PROGRESS  # INFO with progress: progress
    )


class HitScanner:
    """Line start -> bit mask of the rules (by index in the rule table) the line hits."""

    def __init__(
        self,
        first: Database,
        first_ids: Sequence[int],
        second: Database | None,
        second_ids: Sequence[int],
        level_bits: int,
    ) -> None:
        self._first, self._second = first, second
        self._bits1 = tuple(1 << i for i in first_ids)
        self._bits2 = tuple(1 << i for i in second_ids)
        self._level_bits = level_bits

    @classmethod
    def build(cls, rules: Sequence[Rule], compiler: Compiler) -> HitScanner | None:
        """The two databases, or None when either does not compile (then ``re`` scans)."""
        first = [i for i, rule in enumerate(rules) if _decides(rule)]
        second = [i for i, rule in enumerate(rules) if not _decides(rule)]
        if not first:  # nothing decides on its own: one database of everything
            first, second = second, []
        db1 = compiler.rules([rules[i].pattern for i in first], [rules[i].caseless for i in first])
        db2 = None
        if second:
            pats, cases = [rules[i].pattern for i in second], [rules[i].caseless for i in second]
            db2 = compiler.rules(pats, cases)
            if db2 is None:
                return None
        if db1 is None:
            return None
        level_bits = sum(1 << i for i, rule in enumerate(rules) if rule.role is Role.LEVEL)
        return cls(db1, first, db2, second, level_bits)

    def hits(self, chunk: bytes) -> dict[int, int]:
        """Every line of ``chunk`` that a rule matches: its start -> the rules' bit mask."""
        hits: dict[int, int] = {}
        if not chunk:
            return hits
        rfind, get, bits1 = chunk.rfind, hits.get, self._bits1

        def first(rule: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            # ``to`` is one past the match; a match never spans lines, so its line starts
            # after the last newline before it.
            start = rfind(b"\n", 0, to - 1) + 1 if to else 0
            hits[start] = get(start, 0) | bits1[rule]

        self._first.scan(chunk, match_event_handler=first)
        if self._second is not None:
            self._words(chunk, hits)
        return hits

    def _words(self, chunk: bytes, hits: dict[int, int]) -> None:
        """The second database over the stretches of lines without a level field."""
        assert self._second is not None
        scan, bits2, level = self._second.scan, self._bits2, self._level_bits
        rfind, get, find = chunk.rfind, hits.get, chunk.find
        view = memoryview(chunk)
        offset = 0

        def second(rule: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            end = offset + to
            start = rfind(b"\n", 0, end - 1) + 1 if end else 0
            hits[start] = get(start, 0) | bits2[rule]

        levelled = [start for start, mask in hits.items() if mask & level]
        levelled.sort()
        runs: list[tuple[int, int]]  # (first, last) line start of each run of levelled lines
        if (
            len(levelled) > 1
            and find(b"\n", levelled[0]) + 1 == levelled[1]  # cheap first: not a flood
            and len(levelled) - 1 == chunk.count(b"\n", levelled[0], levelled[-1])
        ):
            runs = [(levelled[0], levelled[-1])]  # an error flood: one run, no gap (in C)
        else:
            runs = [(start, start) for start in levelled]
        pos = 0
        for start, last in runs:
            if start > pos:
                offset = pos
                scan(view[pos:start], match_event_handler=second)
            pos = max(pos, find(b"\n", last) + 1 or len(chunk))
        if pos < len(chunk):
            offset = pos
            scan(view[pos:], match_event_handler=second)
