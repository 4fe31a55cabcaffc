"""The pure-Python matcher: the lines of a whole chunk that each rule matches, found with ``re``
by way of a literal prefilter, so that the rules' regexes run only on candidate lines.

The chunk is lowered once; then, over the whole chunk:

* the pieces' required literals (:mod:`.literals`), covered by few shared word starts
  ("time" for "timeout" and "timed out"; a literal containing another needs no pass of its
  own), in one ``re`` pass per byte of a small set of rare bytes (:func:`_plan`);
* one pass per flags for the line-start pieces of every rule whose literals are weak or
  common words (``\\n`` and the pieces: ``^E0123 12:00:00.000 ``, ``^Deploying``);
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

# The cost of a pass over the chunk, and of re trying its pattern at one byte, relative to
# each other (measured: a pass ~0.4 ms/MB, a try ~50 ns): a pass whose first byte is rare
# costs little more than the scan; one from a common letter ("e") costs three times that.
_PASS = 1.0
_TRY = 500.0

Candidates = dict[int, list[int]]  # line start -> pieces that may match the line
Search = Callable[[bytes], "re.Match[bytes] | None"]
# Passes by re, each from one byte: what it matches from that byte on -> the pieces.
Plan = list[tuple["re.Pattern[bytes]", dict[bytes, list[int]]]]


class Prefilter:
    """``hits(chunk)``: line start -> the rules (indexes) that match that line."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._pieces = [p for i, rule in enumerate(rules) for p in pieces(rule, i)]
        lits: dict[bytes, list[int]] = {}
        anchored: dict[tuple[bool, int, int], list[int]] = {}
        self._sparse: list[tuple[int, Lits]] = []
        self._by_regex: list[int] = []
        self._every: list[int] = []  # exotic pieces without literals: every line is a candidate
        # What a candidate line must contain for a piece's regex to run: (literals, cased).
        needs: list[tuple[Lits, bool] | None] = []
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
                # One pass for all the rules' pieces of the same flags (a piece that refers
                # to its groups keeps to its rule's).
                key = (p.lowered, p.flags, p.rule if p.refs else -1)
                anchored.setdefault(key, []).append(k)
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
        self._plan: Plan = []
        self._planned_on = 0  # bytes of sample the plan was made from
        # One pass per flags for the line-start pieces, all of them candidates where one
        # matches (a line that truly starts with one of them: few, and each is then tried).
        self._bol = [
            (line_start_regex([self._pieces[k] for k in ids]), ids, lowered)
            for (lowered, _, _), ids in anchored.items()
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
        for rx, ids_of in self._plan:
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

    re's search for a pattern that starts with one byte skips to that byte in C and tries
    the pattern there, so a pass costs a scan plus a try per occurrence of its byte. Each
    string is searched from one of its bytes (what precedes it checked by a lookbehind, so
    a match is the whole string), the bytes chosen so that few, rare ones (judged on
    ``sample``) cover every string: a greedy cover, each byte weighed by its passes' cost
    per string it covers. Only speed depends on the plan, never the answers.
    """
    freq = Counter(sample)
    size = max(1, len(sample))
    todo = set(merged)
    plan: Plan = []
    while todo:
        cover: dict[int, list[bytes]] = {}
        for lit in sorted(todo):
            for b in set(lit):
                cover.setdefault(b, []).append(lit)
        best = min(cover, key=lambda b: ((_PASS + _TRY * freq[b] / size) / len(cover[b]), b))
        todo.difference_update(cover[best])
        plan.append(_pass(best, {lit: merged[lit] for lit in cover[best]}))
    return plan


def _pass(
    byte: int, lits: dict[bytes, list[int]]
) -> tuple[re.Pattern[bytes], dict[bytes, list[int]]]:
    """One pass from ``byte`` for the strings ``lits``: the regex, and for what it matches
    (a string from ``byte`` on) the pieces of every string that may be there."""
    tails: dict[bytes, list[int]] = {}
    alts: list[tuple[bytes, bytes]] = []
    for lit, ids in lits.items():
        at = lit.index(bytes([byte]))
        tail = lit[at:]
        got = tails.setdefault(tail, [])
        got.extend(k for k in ids if k not in got)
        # The tail first (re rejects an alternative at its first byte that differs), then
        # what comes before it, looking back from the end.
        behind = b"(?<=" + re.escape(lit) + b")" if at else b""
        alts.append((tail, re.escape(tail) + behind))
    # At one place re reports the first alternative that matches: the longest go first, and
    # a match brings the pieces of the strings it starts with too (they may be there).
    alts.sort(key=lambda a: (-len(a[0]), a))
    ids_of = {x: sorted({k for y in tails if x.startswith(y) for k in tails[y]}) for x in tails}
    return re.compile(b"|".join(pattern for _, pattern in alts)), ids_of


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
