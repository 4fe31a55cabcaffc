"""The pure-Python matcher: the lines of a whole chunk that each rule matches, found with ``re``
by way of a literal prefilter, so that the rules' regexes run only on candidate lines.

The chunk is lowered once; then, over the whole chunk:

* the pieces' required literals (:mod:`.literals`), covered by few shared word starts
  ("time" for "timeout" and "timed out"; a literal containing another needs no pass of its
  own), each searched from its rarest byte in the log on, those with one first byte in one
  ``re`` pass (re skips to that byte, then tries them all);
* one pass per rule for its line-start pieces whose literals are weak (``\\n`` and the
  piece: ``^E0123 12:00:00.000 `` has no literal worth a search);
* a piece whose literals are single bytes ("%", "/"): by literal while they are rare in the
  chunk, else by a regex from its first literal byte on (re skips ahead to that byte).

Then each candidate line runs the regexes of the pieces that brought it. Exactness does not
depend on the prefilter being clever, only on it finding a superset of the lines: a line's
rules are decided by their own regexes on the line, as :meth:`Matcher.line_kind` does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from .literals import Lits, line_start_regex, pieces
from .rules import Rule

__all__ = ["Prefilter"]

# A piece whose literals are single bytes is searched by literal only while they are this
# rare in the chunk (hits per byte, judged on a sample); else its regex scans the chunk.
SPARSE = 1 / 2000
_SAMPLE = 1 << 16
# First bytes that logs are full of (hex digits, digits): re's literal search stops at each,
# so bytes.find does better for literals starting with one.
_COMMON_FIRST = frozenset(bytes([c]) for c in b"0123456789abcdef")

Candidates = dict[int, list[int]]  # line start -> pieces that may match the line
Search = Callable[[bytes], "re.Match[bytes] | None"]
# Passes: by bytes.find, by re (one string), by re (strings with one first byte).
Plan = tuple[
    list[tuple[bytes, list[int]]],
    list[tuple["re.Pattern[bytes]", list[int]]],
    list[tuple["re.Pattern[bytes]", dict[bytes, list[int]]]],
]


class Prefilter:
    """``hits(chunk)``: line start -> the rules (indexes) that match that line."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._pieces = [p for i, rule in enumerate(rules) for p in pieces(rule, i)]
        lits: dict[bytes, list[int]] = {}
        anchored: dict[tuple[int, bool], list[int]] = {}
        self._sparse: list[tuple[int, Lits]] = []
        self._by_regex: list[int] = []
        self._every: list[int] = []  # exotic pieces without literals: every line is a candidate
        # What a candidate line must contain for a piece's regex to run: (literals, cased).
        needs: list[tuple[Lits, bool] | None] = []
        for k, p in enumerate(self._pieces):
            short = min(map(len, p.literals)) if p.literals else 0
            need = None if p.literals is None else (p.literals, p.cased)
            if short >= 3 or (short == 2 and not p.anchored):
                need = (frozenset(x.lower() for x in p.literals or ()), False)
                for lit in need[0]:
                    lits.setdefault(lit, []).append(k)
            elif p.anchored and not p.exotic:
                anchored.setdefault((p.rule, p.lowered), []).append(k)
            elif short:
                need = (frozenset(x.lower() for x in p.literals or ()), False)
                self._sparse.append((k, need[0]))
            elif p.exotic:
                self._every.append(k)
            else:
                self._by_regex.append(k)
            needs.append(need)
        self._merged = _merge_literals(lits)
        # The passes for the search strings, planned from the bytes of the log itself.
        self._plan: Plan = ([], [], [])
        self._planned_on = 0  # bytes of sample the plan was made from
        self._bol = [
            (line_start_regex([self._pieces[k] for k in ids]), ids, lowered)
            for (_, lowered), ids in anchored.items()
        ]
        # Per piece: its rule, a search for its literals (on the line if cased, else on the
        # lowered line), its regex. One literal search is cheaper than the regex: it goes first.
        self._checks: list[tuple[int, Search | None, bool, Callable[[bytes], object]]] = [
            (
                p.rule,
                None if need is None else re.compile(b"|".join(map(re.escape, need[0]))).search,
                need is not None and need[1],
                p.test,
            )
            for p, need in zip(self._pieces, needs, strict=True)
        ]

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
                rule, need, cased, test = checks[k]
                if rule in rules or (need is not None and need(line if cased else folded) is None):
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
            self._plan, self._planned_on = _plan(self._merged, sample), max(1, len(sample))
        finds, singles, groups = self._plan
        for lit, ids in finds:
            _lines_with_literal(low, lit, ids, cand)
        for rx, ids in singles:
            _lines_with_regex(low, rx, ids, cand)
        for rx, ids_of in groups:
            _lines_with_group(low, rx, ids_of, cand)
        for rx, ids, lowered in self._bol:
            cand.setdefault(0, []).extend(ids)  # the first line has no "\n" before it
            _lines_with_regex(low if lowered else chunk, rx, ids, cand, 1)
        for k in self._by_regex:
            p = self._pieces[k]
            _lines_with_regex(low if p.lowered else chunk, p.chunk_regex, (k,), cand)
        every = list(self._every)
        limit = int(len(chunk) * SPARSE) + 1
        for k, lits in self._sparse:
            p = self._pieces[k]
            if sum(map(sample.count, lits)) <= len(sample) * SPARSE:
                some: Candidates = {}
                if all(_lines_with_literal(low, lit, (k,), some, limit) for lit in lits):
                    for start, ids in some.items():
                        _add(cand, start, ids)
                    continue
            if p.exotic:
                every.append(k)  # dense, and its regex may not see the whole chunk
            else:
                _lines_with_regex(low if p.lowered else chunk, p.chunk_regex, (k,), cand)
        if every:
            _every_line(chunk, every, cand)
        return cand


def _plan(merged: dict[bytes, list[int]], sample: bytes) -> Plan:
    """The passes over a lowered chunk that find every search string of ``merged``.

    re's search for a pass skips to the pattern's first byte and tries the pattern there, so
    each string is searched from its rarest byte in ``sample`` on (a tail of four bytes or
    more: a superset of its lines), and tails with the same first byte share a pass. Only
    speed depends on the plan, never the answers.
    """
    freq = Counter(sample)
    tails: dict[bytes, list[int]] = {}
    for lit, ids in merged.items():
        at = min(range(max(1, len(lit) - 3)), key=lambda i: (freq[lit[i]], i))
        got = tails.setdefault(lit[at:], [])
        got.extend(k for k in ids if k not in got)
    by_first: dict[bytes, list[bytes]] = {}
    for tail in tails:
        by_first.setdefault(tail[:1], []).append(tail)
    finds: list[tuple[bytes, list[int]]] = []
    singles: list[tuple[re.Pattern[bytes], list[int]]] = []
    groups: list[tuple[re.Pattern[bytes], dict[bytes, list[int]]]] = []
    for first, group in by_first.items():
        if len(group) == 1:
            if len(group[0]) > 7 or first in _COMMON_FIRST:
                finds.append((group[0], tails[group[0]]))  # bytes.find skips by its length
            else:
                singles.append((re.compile(re.escape(group[0])), tails[group[0]]))
            continue
        # Two strings found at one place: the shorter is a prefix of the longer, the one
        # re reports (the longest goes first): it brings the pieces of both.
        alts = sorted(group, key=lambda x: (-len(x), x))
        ids_of = {x: sorted({k for y in group if x.startswith(y) for k in tails[y]}) for x in group}
        groups.append((re.compile(b"|".join(map(re.escape, alts))), ids_of))
    return finds, singles, groups


def _merge_literals(lits: dict[bytes, list[int]]) -> dict[bytes, list[int]]:
    """Fewer passes: cover the literals with few search strings.

    Each search string costs a pass over the chunk. Any substring of a literal finds a
    superset of its lines, so literals are covered greedily by word starts of 4+ bytes that
    several share ("time" for "timeout", "timed out"; "error" for "error:", " error"); a word
    start, not any fragment ("tion"), keeps the search string about as rare as the words.
    """

    def starts(lit: bytes) -> set[bytes]:
        if len(lit) < 4:
            return {lit}
        heads = [k for k in range(len(lit)) if k == 0 or not lit[k - 1 : k].isalnum()]
        subs = {lit[k:e] for k in heads for e in range(k + 4, len(lit) + 1)}
        return {x for x in subs if x[:1].isalnum() or x[:1] == b" "} | {lit}

    todo = {lit: starts(lit) for lit in lits}
    out: dict[bytes, list[int]] = {}
    while todo:
        counts: dict[bytes, int] = {}
        for subs in todo.values():
            for sub in subs:
                counts[sub] = counts.get(sub, 0) + 1
        best = max(counts, key=lambda x: (counts[x], len(x), x))
        ids = out.setdefault(best, [])
        for lit in [k for k, subs in todo.items() if best in subs or best in k]:
            del todo[lit]
            ids.extend(i for i in lits[lit] if i not in ids)
    # A search string that contains another needs no pass of its own.
    final: dict[bytes, list[int]] = {}
    for lit in sorted(out, key=lambda x: (len(x), x)):
        host = next((h for h in final if h in lit), lit)
        ids = final.setdefault(host, [])
        ids.extend(i for i in out[lit] if i not in ids)
    return final


def _add(cand: Candidates, start: int, ids: Sequence[int]) -> None:
    got = cand.get(start)
    if got is None:
        cand[start] = list(ids)
    else:
        got.extend(ids)


def _lines_with_literal(
    hay: bytes, lit: bytes, ids: Sequence[int], cand: Candidates, limit: int = -1
) -> bool:
    """Adds the lines that contain ``lit``; False if it gave up after ``limit`` of them."""
    find, rfind = hay.find, hay.rfind
    pos = find(lit)
    while pos >= 0:
        _add(cand, rfind(b"\n", 0, pos) + 1, ids)
        limit -= 1
        if limit == 0:
            return False
        end = find(b"\n", pos)
        if end < 0:
            break
        pos = find(lit, end + 1)
    return True


def _lines_with_regex(
    hay: bytes, rx: re.Pattern[bytes], ids: Sequence[int], cand: Candidates, skip: int = 0
) -> None:
    """Adds the lines where ``rx`` matches (``skip``: bytes of the match before the line)."""
    search, find, rfind = rx.search, hay.find, hay.rfind
    m = search(hay)
    while m is not None:
        pos = m.start() + skip
        _add(cand, rfind(b"\n", 0, pos) + 1, ids)
        end = find(b"\n", pos)  # the next line may hold a match of its own
        if end < 0:
            return
        # A match that starts at a line's "\n" (a user rule may match one) is in no line.
        m = search(hay, end if end > m.start() else end + 1)


def _lines_with_group(
    hay: bytes, rx: re.Pattern[bytes], ids_of: dict[bytes, list[int]], cand: Candidates
) -> None:
    """Adds the lines where each string of ``rx`` is, with that string's pieces: re is asked
    again from the next byte on, so no string hides another on its line."""
    search, rfind = rx.search, hay.rfind
    m = search(hay)
    while m is not None:
        pos = m.start()
        _add(cand, rfind(b"\n", 0, pos) + 1, ids_of[m.group()])
        m = search(hay, pos + 1)


def _every_line(chunk: bytes, ids: Sequence[int], cand: Candidates) -> None:
    """Adds every line: for pieces that only their own regex on each line can judge."""
    start = 0
    for line in chunk.split(b"\n"):
        _add(cand, start, ids)
        start += len(line) + 1
