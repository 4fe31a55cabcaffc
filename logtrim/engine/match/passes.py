"""The prefilter's search passes: its literals covered by few search strings, and the passes
over a lowered chunk that find them all, planned on a sample of the log's own bytes."""

from __future__ import annotations

import re
from collections import Counter

# The cost of a pass over the chunk, and of re trying its pattern at one byte, relative to
# each other (measured: a pass ~0.5 ms/MB, a try 25-120 ns): a pass whose first byte is rare
# costs little more than the scan; one from a common letter ("e") costs several times that.
# A higher weight for tries plans more passes from rarer bytes: at 500, 11-12 passes on the
# benchmark logs took 15-20% longer than the 6-7 planned at 150 (same on the task log).
_PASS = 1.0
_TRY = 150.0
# A string that ends with its pass's byte is checked by a look-back at each of them: about
# this many times a branch rejected at its first byte.
_LOOK = 8

# A byte this rare in the sample is skipped to by bytes.find (memchr) and the pass's regex
# tried there from Python (~0.5 us a try), rather than searched for by re (~0.4 ns a byte).
RARE = 1 / 4000

# Passes by re, each from one byte: the group that matches -> the pieces, and that byte if
# it is rare.
Plan = list[tuple["re.Pattern[bytes]", dict[int, list[int]], bytes | None]]


def plan(merged: dict[bytes, list[int]], sample: bytes) -> Plan:
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
    chosen: list[int] = []
    while todo:
        cover: dict[int, list[bytes]] = {}
        for lit in sorted(todo):
            for b in set(lit):
                cover.setdefault(b, []).append(lit)
        best = min(cover, key=lambda b: ((_PASS + _TRY * freq[b] / size) / len(cover[b]), b))
        todo.difference_update(cover[best])
        chosen.append(best)
    # Then each string goes to the pass, of those chosen, where its tries cost least: a string
    # that ends with the pass's byte is a look-back at every one of them ("exception" by "n"),
    # where from an "x" it is rejected at its second byte. A pass left with none is dropped.
    rank = {b: k for k, b in enumerate(chosen)}
    strings: dict[int, dict[bytes, list[int]]] = {b: {} for b in chosen}
    for lit, ids in merged.items():
        at = min(
            (b for b in set(lit) if b in rank),
            key=lambda b: (freq[b] * (_LOOK if lit.index(b) == len(lit) - 1 else 1), rank[b]),
        )
        strings[at][lit] = ids
    plan: Plan = []
    for b in chosen:
        if strings[b]:
            rx, ids_of = _pass(b, strings[b])
            plan.append((rx, ids_of, bytes([b]) if freq[b] < size * RARE else None))
    return plan


def _pass(
    byte: int, lits: dict[bytes, list[int]]
) -> tuple[re.Pattern[bytes], dict[int, list[int]]]:
    """One pass from ``byte`` for the strings ``lits``: the regex, one group per string, and
    for the group that matches the pieces of every string that may be there."""
    # Each string from ``byte`` on, then what comes before it, looking back from the end. At
    # one place re reports the first alternative that matches: the longest go first.
    alts = sorted(
        ((lit[lit.index(byte) :], lit[: lit.index(byte)], ids) for lit, ids in lits.items()),
        key=lambda a: (-len(a[0]), -len(a[1]), a[0], a[1]),
    )
    # The parts from ``byte`` on as a trie: re tries the pass at each ``byte`` of the chunk,
    # and rejects each branch of a trie at its first byte, where a flat alternation would
    # enter every string's branch (sixteen strings from "n" cost ~300 instructions a try).
    # The strings that match at a place lie on one path of the trie, deeper ones tried
    # first: the same string matches first as in the flat, longest-first order.
    order: list[tuple[bytes, bytes]] = []  # (part from byte, before it) by group number
    pattern = _trie(sorted(alts, key=lambda a: (a[0], -len(a[1]), a[1])), 0, order)
    # Where one string matches, another whose part from ``byte`` on starts this one's may be
    # there too: surely if what precedes it ends what precedes this one, perhaps if that is
    # longer and ends with this one's (re did not look back so far), else not. Only these
    # pieces are candidates: not those of every string that starts with the byte.
    ids_of = {
        group: sorted(
            {
                k
                for tail2, head2, ids in alts
                if tail.startswith(tail2) and (head.endswith(head2) or head2.endswith(head))
                for k in ids
            }
        )
        for group, (tail, head) in enumerate(order, start=1)
    }
    return re.compile(pattern), ids_of


def _trie(
    alts: list[tuple[bytes, bytes, list[int]]], depth: int, order: list[tuple[bytes, bytes]]
) -> bytes:
    """The regex for ``alts`` (sorted by their parts from the pass's byte), which share their
    first ``depth`` bytes: longer parts first, then the strings that end here, each checked
    by a lookbehind for what precedes it and closed by its group (numbered into ``order``)."""
    branches: list[bytes] = []
    k = 0
    while k < len(alts):
        tail = alts[k][0]
        if len(tail) == depth:
            k += 1
            continue
        j = k
        while j < len(alts) and len(alts[j][0]) > depth and alts[j][0][depth] == tail[depth]:
            j += 1
        branches.append(re.escape(tail[depth : depth + 1]) + _trie(alts[k:j], depth + 1, order))
        k = j
    for tail, head, _ in alts:  # the strings that end here, the longest look-back first
        if len(tail) == depth:
            order.append((tail, head))
            branches.append((b"(?<=" + re.escape(head + tail) + b")" if head else b"") + b"()")
    return branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"


def merge_literals(lits: dict[bytes, list[int]]) -> dict[bytes, list[int]]:
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
