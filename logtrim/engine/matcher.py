"""The multi-pattern matcher: finds the lines of a whole chunk that hit a rule, in one scan.

Only lines with a hit are looked at in Python. Two engines give the same answers: a compiled
database that a front end brings (``logtrim._matchers``: hyperscan where installed) and
Python's ``re`` behind a literal prefilter (:mod:`.prefilter`, everywhere).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from .kinds import Kind
from .prefilter import Prefilter
from .rules import DETAIL_FIELD, DETAIL_START, RULES, Rule, kind_of, needs_detail

__all__ = ["Compiler", "Database", "Matcher"]

MatchHandler = Callable[[int, int, int, int, object], object]


class Database(Protocol):
    """A compiled multi-pattern database (hyperscan's block mode)."""

    def scan(self, data: bytes, match_event_handler: MatchHandler) -> object: ...


class Compiler(Protocol):
    """Builds databases for the engine; the front ends bring one (``logtrim._matchers``).

    Either method may return None (the patterns do not compile): the engine then uses ``re``.
    """

    def rules(self, patterns: Sequence[bytes], caseless: Sequence[bool]) -> Database | None:
        """Multi-line rule patterns, each case-insensitive or not."""

    def literals(self, values: Sequence[bytes]) -> Database | None:
        """Literal byte strings (secrets: never to be written anywhere)."""


class Matcher:
    """Finds the lines of a chunk that hit a rule, and the best tier each one hits.

    ``scan(chunk)`` returns ``[(line_start, kind), ...]`` in order, for lines whose kind is
    not NOISE, computed identically with a compiled database (``compiler``) and with ``re``.
    """

    def __init__(self, rules: Sequence[Rule] = RULES, *, compiler: Compiler | None = None) -> None:
        self.rules = tuple(rules)
        # The tier of a line that hits one rule only (the common case), unless a detail level
        # could change it (then the line itself is looked at).
        self._single = tuple(
            None if needs_detail([i], self.rules) else kind_of([i], self.rules)
            for i in range(len(self.rules))
        )
        self._detail_start = re.compile(DETAIL_START, re.M)
        self._detail_field = re.compile(DETAIL_FIELD, re.M)
        self._res = [
            re.compile(rule.pattern, (re.I if rule.caseless else 0) | re.M) for rule in self.rules
        ]
        self._any: re.Pattern[bytes] | None = None  # all rules in one regex: the last resort
        self._hs: Database | None = None
        if compiler is not None:
            self._hs = compiler.rules(
                [r.pattern for r in self.rules], [r.caseless for r in self.rules]
            )
        self._pre: Prefilter | None = None
        if self._hs is None:
            try:
                self._pre = Prefilter(self.rules)
            except Exception:  # re's parser is internal: if it ever changes, scan by regex
                self._pre = None
        self.engine = "re" if self._hs is None else "hyperscan"

    def line_kind(self, line: bytes) -> Kind:
        """The tier of one line (the slow, exact path; same answer as ``scan``)."""
        ids = [i for i, regex in enumerate(self._res) if regex.search(line)]
        return self._kind(ids, line) if ids else Kind.NOISE

    def _kind(self, ids: Sequence[int], line: bytes) -> Kind:
        return kind_of(ids, self.rules, needs_detail(ids, self.rules) and self._is_detail(line))

    def _is_detail(self, line: bytes) -> bool:
        """Whether the line has a detail level (DEBUG, TRACE, ...)."""
        if self._detail_start.match(line):
            return True
        low = line[:4096].lower()
        named = b"level" in low or b"lvl" in low or b"severity" in low
        return named and self._detail_field.search(line) is not None

    def scan(self, chunk: bytes) -> list[tuple[int, Kind]]:
        if self._hs is not None:
            return self._kinds(self._hits_hs(self._hs, chunk), chunk)
        if self._pre is not None:
            return self._kinds(self._pre.hits(chunk), chunk)
        return self._scan_re(chunk)

    def _scan_re(self, chunk: bytes) -> list[tuple[int, Kind]]:
        """One regex of all the rules over the chunk, each hit line judged by ``line_kind``."""
        if self._any is None:
            self._any = re.compile(
                b"|".join(
                    (b"(?i:" if r.caseless else b"(?:") + r.pattern + b")" for r in self.rules
                ),
                re.M,
            )
        found: list[tuple[int, Kind]] = []
        last = -1
        for match in self._any.finditer(chunk):
            start = chunk.rfind(b"\n", 0, match.start()) + 1
            if start == last:
                continue
            last = start
            end = chunk.find(b"\n", start)
            kind = self.line_kind(chunk[start : end if end >= 0 else len(chunk)])
            if kind != Kind.NOISE:
                found.append((start, kind))
        return found

    def _hits_hs(self, db: Database, chunk: bytes) -> dict[int, list[int]]:
        hits: dict[int, list[int]] = {}
        rfind = chunk.rfind

        def on_match(rule_id: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            # ``to`` is one past the match; a match never spans lines, so its line starts
            # after the last newline before it.
            start = rfind(b"\n", 0, to - 1) + 1 if to else 0
            hits.setdefault(start, []).append(rule_id)

        db.scan(chunk, match_event_handler=on_match)
        return hits

    def _kinds(self, hits: dict[int, list[int]], chunk: bytes) -> list[tuple[int, Kind]]:
        """The non-NOISE lines, in order, from the rules each line hits."""
        found: list[tuple[int, Kind]] = []
        single = self._single
        for start in sorted(hits):
            ids = hits[start]
            kind = single[ids[0]] if len(ids) == 1 else None
            if kind is None:
                end = chunk.find(b"\n", start)
                kind = self._kind(ids, chunk[start : end if end >= 0 else len(chunk)])
            if kind != Kind.NOISE:
                found.append((start, kind))
        return found
