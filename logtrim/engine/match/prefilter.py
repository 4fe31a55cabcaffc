"""The pure-Python matcher: the lines of a whole chunk that each rule matches, found with ``re``
by way of a literal prefilter, so that the rules' regexes run only on candidate lines.

The chunk is lowered once; then, over the whole chunk:

* the pieces' required literals (:mod:`.literals`), covered by few shared word starts
  ("time" for "timeout" and "timed out"; a literal containing another needs no pass of its
  own), in one ``re`` pass per byte of a small set of rare bytes (:func:`.passes.plan`; a
  byte rarer still is skipped to by ``bytes.find``);
* one pass for the line-start pieces of every rule whose literals are weak or common words
  (``\\n`` and the pieces: ``^E0123 12:00:00.000 ``, ``^Deploying``; the caseless ones
  ignore case in their own scope), one more for each other set of flags;
* a piece whose literals are single bytes ("%", "/"): by literal while they are rare in the
  chunk, else by a regex from its first literal byte on (re skips ahead to that byte).

Then each candidate line runs the regexes of the pieces that brought it (after their literals,
and their suffix where re cannot skip ahead to the regex's start). Exactness does not
depend on the prefilter being clever, only on it finding a superset of the lines: a line's
rules are decided by their own regexes on the line, as :meth:`Matcher.line_kind` does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from . import linefind
from .linefind import Candidates
from .linestart import line_start_regex, line_starts_regex
from .literals import Lits, pieces
from .passes import Plan, merge_literals, plan
from .rules import Rule

__all__ = ["Prefilter"]

# A piece whose literals are single bytes is searched by literal only while they are this
# rare in the chunk (hits per byte, judged on a sample); else its regex scans the chunk.
SPARSE = 1 / 2000
_SAMPLE = 1 << 16  # bytes the plan is made from
_SHARED = re.I | re.M  # the flags line-start groups may differ in and share one pass
_DENSITY_SAMPLE = 1 << 13  # bytes a piece's single-byte literals are counted in, per chunk

Search = Callable[[bytes], "re.Match[bytes] | None"]
# A piece's checks of a candidate line: rule, literals, cased, suffix, lowered, regex.
Check = tuple[int, Search | None, bool, Search | None, bool, Callable[[bytes], object]]
Need = tuple[Lits, bool] | None  # what a candidate line must contain: (literals, cased)


class Prefilter:
    """``hits(chunk)``: line start -> the rules (indexes) that match that line."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        # What the rules alone decide is worked out once per process for each rule set
        # (about 10 ms: every engine, every test would pay it); only the plan is this one's.
        rest = _Analysis.of(tuple(rules))
        self._pieces, self._sparse, self._by_regex = rest._pieces, rest._sparse, rest._by_regex
        self._every, self._merged, self._bol = rest._every, rest._merged, rest._bol
        self._checks = rest._checks
        self._plan: Plan = []
        self._planned_on = 0  # bytes of sample the plan was made from

    def hits(self, chunk: bytes) -> dict[int, list[int]]:
        """Every line of ``chunk`` that a rule matches: its start -> the rules' indexes."""
        low = chunk.lower()  # bytes.lower folds ASCII only, as re.I does on bytes
        found: dict[int, list[int]] = {}
        checks, find = self._checks, chunk.find
        for start, ids in self._candidates(chunk, low).items():
            end = find(b"\n", start)
            if end < 0:
                end = len(chunk)
            line, folded = chunk[start:end], low[start:end]
            rules: list[int] = []
            for k in set(ids):
                rule, need, cased, suffix, lowered, test = checks[k]
                if rule in rules or (need is not None and need(line if cased else folded) is None):
                    continue
                if suffix is not None and suffix(folded if lowered else line) is None:
                    continue
                if test(line):
                    rules.append(rule)
            if rules:
                found[start] = rules
        return found

    def _candidates(self, chunk: bytes, low: bytes) -> Candidates:
        """Line start -> the pieces that may match that line (a superset of those that do)."""
        cand: Candidates = {}
        sample = low[:_SAMPLE]
        if len(sample) >= 2 * self._planned_on:  # a bigger sample: a better plan (log2 times)
            self._plan, self._planned_on = plan(self._merged, sample), max(1, len(sample))
        for rx, ids_of, rare in self._plan:
            if rare is None:
                linefind.lines_with_group(low, rx, ids_of, cand)
            else:
                linefind.lines_at_byte(low, rare, rx, ids_of, cand)
        for rx, ids, lowered in self._bol:
            cand.setdefault(0, []).extend(ids)  # the first line has no "\n" before it
            linefind.lines_with_regex(low if lowered else chunk, rx, ids, cand, 1)
        for k in self._by_regex:
            p = self._pieces[k]
            linefind.lines_with_regex(low if p.lowered else chunk, p.chunk_regex, (k,), cand)
        every = list(self._every)
        limit = int(len(chunk) * SPARSE) + 1
        head = sample[:_DENSITY_SAMPLE]  # counting in all of a 64 kB sample took ~10% of a scan
        for k, lits in self._sparse:
            p = self._pieces[k]
            if sum(map(head.count, lits)) <= len(head) * SPARSE:
                some: Candidates = {}
                if all(linefind.lines_with_literal(low, lit, (k,), some, limit) for lit in lits):
                    linefind.merge(cand, some)
                    continue
            if p.exotic:
                every.append(k)  # dense, and its regex may not see the whole chunk
            else:
                linefind.lines_with_regex(low if p.lowered else chunk, p.chunk_regex, (k,), cand)
        if every:
            linefind.every_line(chunk, every, cand)
        return cand


def _search(literals: Lits) -> Search:
    """A search for any of ``literals``."""
    return re.compile(b"|".join(map(re.escape, literals))).search


class _Analysis:
    """What a :class:`Prefilter` needs from its rules alone: shared, never changed."""

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def of(rules: tuple[Rule, ...]) -> _Analysis:
        return _Analysis(rules)

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._pieces = [p for i, rule in enumerate(rules) for p in pieces(rule, i)]
        self._sparse: list[tuple[int, Lits]] = []
        self._by_regex: list[int] = []
        self._every: list[int] = []  # exotic pieces without literals: every line is a candidate
        lits, anchored, needs = self._classify()
        self._merged = merge_literals(lits)  # planned into passes from the log's own bytes
        self._bol = self._line_start_passes(anchored)
        # Per piece: its rule, a search for its literals (on the line if cased, else on the
        # lowered line), a search for its suffix from its first literal (on the lowered line if
        # lowered), its regex. Each is cheaper than the next, and each one's lines are a
        # superset of the next one's: " of [0-9]" rejects "release 1.4 of Acme" in one call,
        # where the regex, which has no literal to skip ahead to, tries every byte. Not for an
        # anchored piece: its match, tried at the line start alone, fails sooner than a search
        # of the whole line ("^ *deploying" on "... [deploy.sync] ..."): about a quarter less
        # time in the candidate lines' checks on the benchmark's noisy log.
        self._checks: list[Check] = [
            (
                p.rule,
                None if need is None or p.anchored else _search(need[0]),
                need is not None and need[1],
                p.chunk_regex.search if p.pretest else None,
                p.lowered,
                p.test,
            )
            for p, need in zip(self._pieces, needs, strict=True)
        ]

    def _classify(
        self,
    ) -> tuple[dict[bytes, list[int]], dict[tuple[bool, int, int, int], list[int]], list[Need]]:
        """Each piece to the pass that finds its candidate lines; what a line must contain."""
        lits: dict[bytes, list[int]] = {}
        anchored: dict[tuple[bool, int, int, int], list[int]] = {}
        # What a candidate line must contain for a piece's regex to run: (literals, cased).
        needs: list[Need] = []
        for k, p in enumerate(self._pieces):
            short = min(map(len, p.literals)) if p.literals else 0
            need = None if p.literals is None else (p.literals, p.cased)
            # A caseless form at a line start ("Deploying ...", "=== x"): its words are common
            # anywhere in a line, so trying each line start is cheaper than a search for them.
            at_start = p.anchored and p.lowered and not p.exotic
            if not at_start and (short >= 3 or (short == 2 and not p.anchored)):
                need = (frozenset(x.lower() for x in p.literals or ()), False)
                for lit in need[0]:
                    lits.setdefault(lit, []).append(k)
            elif p.anchored and not p.exotic:
                # One pass for all the rules' pieces of the same flags, those a pattern sets
                # for itself too ("(?i)^no": the pass is compiled with one set); a piece that
                # refers to its groups keeps to its rule's.
                key = (p.lowered, p.flags, p.state.flags, p.rule if p.refs else -1)
                anchored.setdefault(key, []).append(k)
            elif short:
                need = (frozenset(x.lower() for x in p.literals or ()), False)
                self._sparse.append((k, need[0]))
            elif p.exotic:
                self._every.append(k)
            else:
                self._by_regex.append(k)
            needs.append(need)
        return lits, anchored, needs

    def _line_start_passes(
        self, anchored: dict[tuple[bool, int, int, int], list[int]]
    ) -> list[tuple[re.Pattern[bytes], list[int], bool]]:
        """One pass per flags for the line-start pieces, all of them candidates where one
        matches (a line that truly starts with one of them: few, and each is then tried).
        The groups that differ in case alone share one pass over the text as it is."""
        passes = [
            (line_start_regex([self._pieces[k] for k in ids]), ids, lowered)
            for (lowered, flags, state, refs), ids in anchored.items()
            if refs >= 0 or (flags | state) & ~_SHARED
        ]
        shared = [ids for (_, f, s, r), ids in anchored.items() if r < 0 and not (f | s) & ~_SHARED]
        if len(shared) > 1:
            groups = [[self._pieces[k] for k in ids] for ids in shared]
            passes.append((line_starts_regex(groups), [k for g in shared for k in g], False))
        elif shared:
            ids, lowered = shared[0], self._pieces[shared[0][0]].lowered
            passes.append((line_start_regex([self._pieces[k] for k in ids]), ids, lowered))
        return passes
