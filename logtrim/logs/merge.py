"""``stats``'s template table made smaller: one line shape, one template (Drain-style)."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from itertools import compress
from operator import itemgetter, ne

from ..engine.match.kinds import Kind
from ..engine.stats.counting import TemplateStat

WILDCARD = b"<*>"
MERGE_MAX = 20_000  # the largest templates merged; the rest are listed as they are
# Column padding inside a bracket (``[  5%]``, ``[100%]``) is no token boundary.
_PADDED = re.compile(rb"([\[(])\s+")
_PADDED_LINE = re.compile(rb"([\[(])[^\S\n]+")  # the same within one line


def merge(
    templates: dict[bytes, TemplateStat], tiers: dict[bytes, Kind]
) -> tuple[dict[bytes, TemplateStat], dict[bytes, Kind], set[bytes]]:
    """One line shape, one template: a Drain-style pass over the template table.

    Templates of one tier that differ only in whitespace (column padding) are one; those
    with as many tokens (at least three) that differ in one token position are joined,
    the position shown as ``<*>`` (and again, so a chain of such pairs is one template).
    It looks at the table, never at the lines: the cost does not grow with the log.
    """
    # Its tuples (tokens, keys of positions) all live until it returns: the collections
    # they set off find nothing to free (a quarter of its time on a table of 10k templates).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _merged(templates, tiers)
    finally:
        if enabled:
            gc.enable()


def _merged(
    templates: dict[bytes, TemplateStat], tiers: dict[bytes, Kind]
) -> tuple[dict[bytes, TemplateStat], dict[bytes, Kind], set[bytes]]:
    ranked = sorted(templates, key=lambda t: -templates[t].size)[:MERGE_MAX]
    shapes: dict[tuple[Kind, tuple[bytes, ...]], list[bytes]] = {}
    for tpl, tokens in zip(ranked, _tokens(ranked), strict=True):
        shapes.setdefault((tiers.get(tpl, Kind.NOISE), tokens), []).append(tpl)
    keys = list(shapes)
    roots = _linked(keys)
    sets: dict[int, list[int]] = {}
    for index, top in enumerate(roots):
        sets.setdefault(top, []).append(index)
    kept = set(ranked)
    out = {t: stat for t, stat in templates.items() if t not in kept}
    out_tiers = {t: tiers.get(t, Kind.NOISE) for t in out}
    merged: set[bytes] = set()
    # Higher tiers first: two tiers' groups can join to one text (``<n> done <*>``); the
    # higher tier's keeps it, the other's shapes stay apart (one row each, none lost).
    for members in sorted(sets.values(), key=lambda m: -keys[m[0]][0]):
        tpl = _joined([keys[i][1] for i in members])
        groups = [members] if tpl not in out else [[i] for i in members]
        for group in groups:
            raw = sorted(
                (t for i in group for t in shapes[keys[i]]), key=lambda t: -templates[t].size
            )
            tpl = raw[0]
            if len(raw) > 1:
                tpl = _joined([keys[i][1] for i in group])
                if all(t.startswith(b"\r") for t in raw):  # redrawn lines all (``↻``)
                    tpl = b"\r" + tpl
                merged.add(tpl)
            stats = [templates[t] for t in raw]
            out[tpl] = TemplateStat(
                sum(s.lines for s in stats), sum(s.size for s in stats), stats[0].example
            )
            out_tiers[tpl] = keys[group[0]][0]
    return out, out_tiers, merged


def _tokens(templates: list[bytes]) -> list[tuple[bytes, ...]]:
    """Each template's tokens, column padding dropped (one regex pass over them all)."""
    joined = b"\n".join(templates)
    if joined.count(b"\n") != len(templates) - 1:  # a template holds a line end
        return [tuple(_PADDED.sub(rb"\1", t).split()) for t in templates]
    return [tuple(t.split()) for t in _PADDED_LINE.sub(rb"\1", joined).split(b"\n")]


def _linked(keys: list[tuple[Kind, tuple[bytes, ...]]]) -> list[int]:
    """For each index of ``keys`` (tier, tokens), one index of its group: those of one tier
    and as many tokens (at least three) that differ in one position are one group, and so
    on along chains (a group's members all give the same index).

    Position by position over all the templates of one tier and length, with C-speed
    ``itemgetter``/``dict``/``compress``: Python steps only for the pairs found. Only the
    groups matter, not which pairs made them: once the templates of a tier and length are
    all one group, their other positions are not looked at."""
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for n, members in _alike(keys):
        rows = [keys[i][1] for i in members]
        groups = len(members)
        for pos in range(n):
            rest = itemgetter(*(k for k in range(n) if k != pos))
            others = list(map(rest, rows))
            # The first template with these other tokens wins: dict keeps the last one given.
            first = dict(zip(reversed(others), reversed(members), strict=True))
            if len(first) == len(members):
                continue  # no two alike here (most positions)
            targets = list(map(first.__getitem__, others))
            pairs = zip(members, targets, strict=True)
            for index, other in compress(pairs, map(ne, members, targets)):
                one, two = root(index), root(other)
                if one != two:
                    parent[one] = two
                    groups -= 1
            if groups == 1:
                break
    return [root(i) for i in range(len(keys))]


def _alike(keys: list[tuple[Kind, tuple[bytes, ...]]]) -> Iterator[tuple[int, list[int]]]:
    """The indexes of ``keys`` of one tier and as many tokens (at least three), two or more
    of them, with that number of tokens."""
    groups: dict[tuple[Kind, int], list[int]] = {}
    for index, (tier, tokens) in enumerate(keys):
        if len(tokens) >= 3:
            groups.setdefault((tier, len(tokens)), []).append(index)
    for (_, n), members in groups.items():
        if len(members) > 1:
            yield n, members


def _joined(shapes: list[tuple[bytes, ...]]) -> bytes:
    """The template of token tuples of one length: ``<*>`` where they differ."""
    tokens = [
        column[0] if column.count(column[0]) == len(column) else WILDCARD
        for column in zip(*shapes, strict=True)
    ]
    return b" ".join(tokens)
