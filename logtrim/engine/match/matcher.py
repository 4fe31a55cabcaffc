"""The multi-pattern matcher: finds the lines of a whole chunk that hit a rule, in one pass.

Only lines with a hit are looked at in Python. Two engines give the same answers: a compiled
database that a front end brings (``logtrim._matchers``: hyperscan where installed; see
:mod:`.hitscan`) and Python's ``re`` behind a literal prefilter (:mod:`.prefilter`,
everywhere). A line's tier is computed once per set of rules it hits.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate, compress
from operator import itemgetter, or_
from typing import TYPE_CHECKING, Protocol

from .hitscan import HitScanner
from .kinds import Kind
from .roles import line_regex
from .rules import DETAIL_FIELD, DETAIL_START, RULES, Rule, kind_of, needs_detail

if TYPE_CHECKING:  # the pure-Python matcher's, imported without a compiled one only
    from .prefilter import Prefilter

__all__ = ["Compiler", "Database", "Matcher"]

Parts = tuple[bytes | memoryview, ...]
MatchHandler = Callable[[int, int, int, int, object], object]
_BATCH = 4  # lines whose detail level decides: from this many, one scan of them all


class Database(Protocol):
    """A compiled multi-pattern database (hyperscan's block mode)."""

    def scan(
        self,
        data: bytes | memoryview,
        match_event_handler: MatchHandler,
        flags: int = 0,
        context: object = None,
    ) -> object:
        """Call ``match_event_handler(id, from, to, flags, context)`` for each match."""


class Compiler(Protocol):
    """Builds databases for the engine; the front ends bring one (``logtrim._matchers``).

    Either method may return None (the patterns do not compile): the engine then uses ``re``.
    """

    def rules(
        self, patterns: Sequence[bytes], caseless: Sequence[bool], *, optional: bool = False
    ) -> Database | None:
        """Multi-line rule patterns, each case-insensitive or not. ``optional``: a database
        that only saves time, None unless compiling it is paid once (kept between runs)."""

    def literals(self, values: Sequence[bytes], *, caseless: bool = False) -> Database | None:
        """Literal byte strings (secrets: never to be written anywhere)."""


class Matcher:
    """Finds the lines of a chunk that hit a rule, and the best tier each one hits.

    ``scan(chunk)`` returns ``[(line_start, kind), ...]`` in order, for lines whose kind is
    not NOISE, computed identically with a compiled database (``compiler``) and with ``re``.
    """

    def __init__(self, rules: Sequence[Rule] = RULES, *, compiler: Compiler | None = None) -> None:
        self.rules = tuple(rules)
        # The rules one by one, for the few lines looked at alone: compiled on first use (a
        # hundred regexes cost ~0.1 s, a start-up with hyperscan never needs most of them).
        self._res: tuple[re.Pattern[bytes], ...] | None = None
        self._any: re.Pattern[bytes] | None = None  # all rules in one regex: the last resort
        self._pre: Prefilter | None = None
        self._scan_hs: HitScanner | None = None
        # The detail levels as a compiled database, built on first use (see ``_details``).
        self._compiler = compiler
        self._detail_db: Database | None = None
        if compiler is not None:
            self._scan_hs = HitScanner.build(self.rules, compiler)
        if self._scan_hs is None:
            try:
                from .prefilter import Prefilter

                self._pre = Prefilter(self.rules)
            except Exception:  # re's parser is internal: if it ever changes, scan by regex
                self._pre = None
        self.engine = "re" if self._scan_hs is None else "hyperscan"
        # The tier of a line from the set of rules it hits (a bit mask), computed once per
        # set; None where a detail level could change it (then the line itself is looked at).
        self._by_mask: dict[int, Kind | None] = {}
        self._by_detail: dict[int, tuple[Kind, Kind]] = {}  # (no detail level, detail level)
        # The last hits ``_kinds`` found without a service line (held until asked about).
        self._no_service: list[tuple[int, Kind]] | None = None
        self._offered: tuple[Parts, list[tuple[int, Kind]]] | None = None  # see ``offer``

    def line_kind(self, line: bytes) -> Kind:
        """The tier of one line (the exact path; same answer as ``scan``), or of a text of
        several (a logging record): the rules any of its lines hits, as the regexes searched
        over it would find them."""
        if self._scan_hs is not None:
            # The compiled databases' answer, as ``scan`` gives it for a line; over a text of
            # several, each rule's regex would take ~20 ms a megabyte (a 2 MB record: 2 s).
            if line.find(b"\n", 0, len(line) - 1) < 0:
                mask = self._scan_hs.mask(line)
            else:
                mask = functools.reduce(or_, map(self._scan_hs.mask, line.split(b"\n")), 0)
            return self._line(mask, 0, line) if mask else Kind.NOISE
        if self._pre is not None:
            # The prefilter's answer, as ``scan`` gives it (a rule's regex runs only where
            # its literals are: some cost a millisecond on a 60 kB line).
            ids = sorted({i for found in self._pre.hits(line).values() for i in found})
            return self._kind(ids, line) if ids else Kind.NOISE
        if self._res is None:
            self._res = _compiled(self.rules)
        ids = [i for i, regex in enumerate(self._res) if regex.search(line)]
        return self._kind(ids, line) if ids else Kind.NOISE

    def text_only(self) -> Matcher:
        """The same rules but the CI command markers, on the same engine: the tier of a line
        that looks like a command but is none (its words decide, as any line's)."""
        rules = [rule for rule in self.rules if rule.kind != Kind.SERVICE]
        return Matcher(rules, compiler=self._compiler)

    def _kind(self, ids: Sequence[int], line: bytes) -> Kind:
        return kind_of(ids, self.rules, needs_detail(ids, self.rules) and self._is_detail(line))

    def is_detail(self, line: bytes) -> bool:
        """Whether the line has a detail level (DEBUG, TRACE, ...)."""
        return self._is_detail(line)

    def _is_detail(self, line: bytes) -> bool:
        """Whether the line has a detail level (DEBUG, TRACE, ...)."""
        start, field = _detail_regexes()
        if start.match(line):
            return True
        low = line[:4096].lower()
        named = b"level" in low or b"lvl" in low or b"severity" in low
        return named and field.search(line) is not None

    def offer(self, hits: list[tuple[int, Kind]], *parts: bytes | memoryview) -> None:
        """What ``scan`` returns for the bytes ``parts`` joined, computed elsewhere with the
        same rules (``run`` on the fallback engine scans on the second core): the next scan
        of equal bytes takes it (none: no parts). A line's hits depend on its bytes alone."""
        self._offered = (parts, hits) if parts else None

    @property
    def offered(self) -> bool:
        """Hits are offered that no scan has taken yet."""
        return self._offered is not None

    def scan(self, chunk: bytes) -> list[tuple[int, Kind]]:
        offered = self._offered
        if offered is not None and joined(chunk, offered[0]):
            self._offered = self._no_service = None
            return offered[1]
        if self._scan_hs is not None:
            return self._kinds(*self._scan_hs.hits(chunk), chunk)
        if self._pre is not None:
            hits = _masks(self._pre.hits(chunk))
            starts = sorted(hits)
            return self._kinds(starts, list(map(hits.__getitem__, starts)), chunk)
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

    def _kinds(self, starts: list[int], masks: list[int], chunk: bytes) -> list[tuple[int, Kind]]:
        """The non-NOISE lines, in order, from the rules each line hits (a bit mask each).

        In C where it can (``map``, ``zip``): an error flood is a tier lookup per line."""
        kinds: list[Kind | None] = list(map(self._by_mask.get, masks))
        if None in kinds:  # a set of rules not seen yet, or a line whose detail level counts
            kinds = self._judged(starts, masks, kinds, chunk)
        found = list(zip(starts, kinds, strict=True))
        if Kind.NOISE in kinds:
            found = [hit for hit in found if hit[1] != Kind.NOISE]
        self._no_service = None if Kind.SERVICE in kinds else found  # type: ignore[assignment]
        return found  # type: ignore[return-value]  # no None left

    def service_starts(self, hits: list[tuple[int, Kind]]) -> list[int]:
        """The starts of the service lines among ``hits`` (a list ``scan`` returned). Known
        without a pass when these are the last hits scanned: a flood of a million error
        lines has no service line, and it was seen in C as the tiers were looked up."""
        if hits is self._no_service:
            self._no_service = None
            return []
        kinds = map(Kind.SERVICE.__eq__, map(itemgetter(1), hits))
        return list(compress(map(itemgetter(0), hits), kinds))

    def _learn(self, mask: int) -> None:
        """The tier of a set of rules; or its two, with and without a detail level."""
        if mask not in self._by_mask:
            ids = _ids(mask)
            if needs_detail(ids, self.rules):
                self._by_detail[mask] = (kind_of(ids, self.rules), kind_of(ids, self.rules, True))
                self._by_mask[mask] = None
            else:
                self._by_mask[mask] = kind_of(ids, self.rules)

    def _line(self, mask: int, start: int, chunk: bytes) -> Kind:
        """The tier of the line at ``start``, which hits the rules of ``mask``."""
        self._learn(mask)
        kind = self._by_mask[mask]
        if kind is None:
            kind = self._by_detail[mask][self._details(chunk, [start])[0]]
        return kind

    def _judged(
        self, starts: list[int], masks: list[int], kinds: list[Kind | None], chunk: bytes
    ) -> list[Kind | None]:
        """``kinds`` with the tiers ``_by_mask`` did not know: the lines whose detail level
        decides are looked at together (a chunk of DEBUG lines with numbers has thousands)."""
        todo = [i for i, kind in enumerate(kinds) if kind is None]
        for i in todo:
            self._learn(masks[i])
        by_mask = self._by_mask
        ask = [i for i in todo if by_mask[masks[i]] is None]
        out = [by_mask[masks[i]] if kind is None else kind for i, kind in enumerate(kinds)]
        for i, detail in zip(ask, self._details(chunk, [starts[i] for i in ask]), strict=True):
            out[i] = self._by_detail[masks[i]][detail]
        return out  # no None left

    def _details(self, chunk: bytes, starts: list[int]) -> list[bool]:
        """Whether each line starting at ``starts`` has a detail level: with the compiled
        matcher one scan of those lines joined, else line by line."""
        lines = []
        for start in starts:
            end = chunk.find(b"\n", start)
            lines.append(chunk[start : end if end >= 0 else len(chunk)])
        if len(lines) < _BATCH or self._compiler is None:
            return [self._is_detail(line) for line in lines]
        if self._detail_db is None:
            self._detail_db = self._compiler.rules(
                [DETAIL_START, DETAIL_FIELD], [False, False], optional=True
            )
            if self._detail_db is None:
                self._compiler = None  # it does not compile: line by line from now on
                return [self._is_detail(line) for line in lines]
        firsts = [0, *accumulate(len(line) + 1 for line in lines)]
        found = [False] * len(lines)

        def hit(_rule: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            found[bisect_right(firsts, to - 1) - 1] = True  # the line the match ends in

        self._detail_db.scan(b"\n".join(lines), match_event_handler=hit)
        return found


def joined(chunk: bytes, parts: Sequence[bytes | memoryview]) -> bool:
    """Whether ``chunk`` is ``parts`` joined (compared in place: no copy of a 1 MB chunk)."""
    at = 0
    for part in parts:
        if not chunk.startswith(part, at):
            return False
        at += len(part)
    return at == len(chunk)


def _ids(mask: int) -> list[int]:
    """The rule indexes of a bit mask, lowest first."""
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


def _masks(hits: dict[int, list[int]]) -> dict[int, int]:
    """Line start -> rule indexes, as line start -> bit mask."""
    return {start: sum({1 << i for i in ids}) for start, ids in hits.items()}


@functools.lru_cache(maxsize=8)
def _compiled(rules: tuple[Rule, ...]) -> tuple[re.Pattern[bytes], ...]:
    """Each rule's regex, once per process and rule set."""
    return tuple(line_regex(r) for r in rules)


@functools.cache
def _detail_regexes() -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """The detail-level regexes, compiled on first use (~1.5 ms of start-up otherwise)."""
    return re.compile(DETAIL_START, re.M), re.compile(DETAIL_FIELD, re.M)
