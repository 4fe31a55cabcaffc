"""The compiled matcher's scan of a chunk: which rules each line hits, in two passes.

Each rule a line hits costs a callback into Python, and most hit lines carry a level field
that decides their tier by itself: its words (``error``, ``failed``, ``warning``) and zero
forms no longer count (:func:`~.roles.kind_of`). So the rules are compiled as two
databases. The first holds what still counts on a line with a level (the level fields, the
strong forms, the progress words); it scans the whole chunk. The second holds the other
words and the zero forms; it scans only the stretches between lines with a level. An error
flood of ``2024-05-01T12:41:25Z ERROR ... failed`` lines then costs one callback a line
instead of three (issue 17.20); the answers are the one database's (the property tests
compare both matchers). Once a chunk's lines all had a level, the next ones try the memo of
:mod:`.levelmemo` first: a flood's level bits without running the level rules on each line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .kinds import Kind
from .levelmemo import LevelMemo
from .linefind import line_starts, or_into
from .roles import Role, Rule, line_regex

_BACKOFF_MAX = 64  # chunks at most between two tries of the memo, while it fails

if TYPE_CHECKING:
    from .matcher import Compiler, Database


def _decides(rule: Rule) -> bool:
    """Whether a rule can change the tier of a line that has a level field."""
    return rule.role in (Role.LEVEL, Role.STRONG) or (
        rule.role is Role.WORD and rule.kind == Kind.PROGRESS  # INFO with progress: progress
    )


# A leading group of global flags (``(?i)``) stays first: Python refuses it inside a group.
_FLAGS = re.compile(rb"^\(\?[aiLmsux]+\)")
_BUFFER_EDGE = re.compile(rb"(?<!\\)((?:\\\\)*)\\([AZ])")  # \A, \Z, not \\A


def once_a_line(rule: Rule) -> Rule:
    """A user's ``--keep`` rule for hyperscan, which reports every match: ``.`` or ``E+``
    matches at each byte of a line, a callback into Python each, and each looked back to its
    line's start (a 400 kB line took seconds). Run on to the line's end, every match of a
    line ends at one place, reported once."""
    if rule.kind != Kind.KEEP:
        return rule
    flags = _FLAGS.match(rule.pattern)
    head = flags.group() if flags else b""
    # A line's start and end, as the exact path reads them on the line alone: hyperscan's
    # ``\A`` and ``\Z`` are the chunk's.
    body = _BUFFER_EDGE.sub(
        lambda m: m[1] + (b"^" if m[2] == b"A" else b"$"), rule.pattern[len(head) :]
    )
    return dataclasses.replace(rule, pattern=head + b"(?:" + body + b")[^\n]*$")


class HitScanner:
    """The lines a rule hits: their starts, in order, and bit masks of the rules (by index
    in the rule table)."""

    def __init__(
        self,
        first: Database,
        first_ids: Sequence[int],
        second: Database | None,
        second_ids: Sequence[int],
        level_bits: int,
        memo: Callable[[], LevelMemo | None] | None = None,
        both: Callable[[], Database | None] | None = None,
        keep: Sequence[tuple[int, re.Pattern[bytes]]] = (),
    ) -> None:
        self._first, self._second = first, second
        self._bits1 = tuple(1 << i for i in first_ids)
        self._bits2 = tuple(1 << i for i in second_ids)
        self._level_bits = level_bits
        # The memo of level skeletons: built when a chunk first had a level on every line.
        self._make_memo = memo
        self._memo: LevelMemo | None = None
        self._flooding = False  # the last chunk scanned had a level on every line
        self._skip = self._backoff = 0  # chunks not to try the memo on, after it failed
        # Both databases in one, for chunks with few levelled lines: one pass instead of
        # two. Built on first use (an error flood never needs it); None if it cannot be.
        self._make_both = both
        self._both: Database | None = None
        self._bits = self._bits1 + self._bits2  # its rule ids: the first's, then the second's
        self._word_bits = sum(self._bits2)
        self._sparse = True  # the last chunk had few levelled lines: scan it in one pass
        self._keep = keep  # the --keep rules: bit, regex on the line alone

    @classmethod
    def build(cls, rules: Sequence[Rule], compiler: Compiler) -> HitScanner | None:
        """The two databases, or None when either does not compile (then ``re`` scans)."""
        keep = [
            (1 << i, line_regex(rule)) for i, rule in enumerate(rules) if rule.kind == Kind.KEEP
        ]
        rules = [once_a_line(rule) for rule in rules]
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
        both = first + second
        return cls(db1, first, db2, second, level_bits,
                   lambda: LevelMemo.build(rules, first, compiler),
                   lambda: compiler.rules([rules[i].pattern for i in both],
                                          [rules[i].caseless for i in both],
                                          optional=True),
                   keep)  # fmt: skip

    def hits(self, chunk: bytes) -> tuple[list[int], list[int]]:
        """Every line of ``chunk`` that a rule matches: the starts, in order, and the rules'
        bit masks."""
        if self._flooding and (found := self._from_memo(chunk)) is not None:
            starts, masks = found
        else:
            hits = self._scan(chunk)
            starts = sorted(hits)
            masks = list(map(hits.__getitem__, starts))
        if self._keep:
            return self._kept(chunk, starts, masks)
        return starts, masks

    def _kept(
        self, chunk: bytes, starts: list[int], masks: list[int]
    ) -> tuple[list[int], list[int]]:
        r"""The ``--keep`` hits that hold on their line alone: a rule that can match a newline
        (``\s``, ``\W``, ``[^a]``) also matched across it, into the next line, where
        hyperscan reported it (the exact path judges each line alone)."""
        out_starts: list[int] = []
        out_masks: list[int] = []
        for start, found in zip(starts, masks, strict=True):
            mask = found
            line: bytes | None = None
            for bit, regex in self._keep:
                if mask & bit:
                    if line is None:  # the line alone: ``\A``, a lookbehind see no other
                        end = chunk.find(b"\n", start)
                        line = chunk[start : len(chunk) if end < 0 else end]
                    if regex.search(line) is None:
                        mask &= ~bit
            if mask:
                out_starts.append(start)
                out_masks.append(mask)
        return out_starts, out_masks

    def mask(self, line: bytes) -> int:
        """The rules' bit mask of one line (no newline but a last one), as :meth:`hits`
        gives it, with no state changed: the tier of a line looked at alone costs two scans,
        not a regex per rule (the failure tail classifies its lines so)."""
        found = 0
        bits1, bits2 = self._bits1, self._bits2

        def first(rule: int, _from: int, _to: int, _flags: int, _ctx: object) -> None:
            nonlocal found
            found |= bits1[rule]

        def second(rule: int, _from: int, _to: int, _flags: int, _ctx: object) -> None:
            nonlocal found
            found |= bits2[rule]

        self._first.scan(line, match_event_handler=first)
        if self._second is not None and not found & self._level_bits:
            self._second.scan(line, match_event_handler=second)
        if found and self._keep:
            _, kept = self._kept(line, [0], [found])
            return kept[0] if kept else 0
        return found

    def _scan(self, chunk: bytes) -> dict[int, int]:
        """Line start -> the rules' bit mask, from the two databases."""
        hits: dict[int, int] = {}
        if not chunk:
            return hits
        both = self._one_pass()
        # A match never spans lines: its line starts after the last newline before it.
        first = or_into(hits, chunk, self._bits1 if both is None else self._bits)
        (self._first if both is None else both).scan(chunk, match_event_handler=first)
        level = self._level_bits
        levelled = [start for start, mask in hits.items() if mask & level]
        self._sparse = len(levelled) * 400 < len(chunk)  # fewer than one per 400 bytes
        last = chunk.rfind(b"\n", 0, len(chunk) - 1) + 1
        # Every line has a level (the first and the last first: counting lines costs).
        self._flooding = (
            hits.get(0, 0) & level != 0
            and hits.get(last, 0) & level != 0
            and len(levelled) == chunk.count(b"\n") + (chunk[-1:] != b"\n")
        )
        if both is not None:
            # A line with a level: its words and zero forms no longer count (as in _words).
            words = self._word_bits
            for start in levelled:
                if hits[start] & words:
                    hits[start] &= ~words
        elif self._second is not None:
            self._words(chunk, hits, levelled)
        return hits

    def _one_pass(self) -> Database | None:
        """The database of both, when the last chunk had few levelled lines (else the two
        passes: the second one skips a flood's lines)."""
        if not self._sparse or self._second is None:
            return None
        if self._make_both is not None:
            self._both, self._make_both = self._make_both(), None
        return self._both

    def _from_memo(self, chunk: bytes) -> tuple[list[int], list[int]] | None:
        """The first database's hits from the memo of level skeletons, or None."""
        if self._skip:
            self._skip -= 1
            return None
        if self._memo is None and self._make_memo is not None:
            self._memo, self._make_memo = self._make_memo(), None
        found = self._memo.hits(chunk) if self._memo is not None else None
        # A flood of new shapes: try again later, less and less often.
        self._backoff = 0 if found is not None else min(2 * self._backoff or 1, _BACKOFF_MAX)
        self._skip = self._backoff
        return found

    def _words(self, chunk: bytes, hits: dict[int, int], levelled: list[int]) -> None:
        """The second database over the lines without a level field."""
        assert self._second is not None
        scan, bits2, level = self._second.scan, self._bits2, self._level_bits
        get, find = hits.get, chunk.find
        levelled.sort()
        if (
            len(levelled) > 1
            and find(b"\n", levelled[0]) + 1 == levelled[1]  # cheap first: not a flood
            and len(levelled) - 1 == chunk.count(b"\n", levelled[0], levelled[-1])
        ):
            # An error flood: one run of levelled lines, no gap (in C); around it only.
            view = memoryview(chunk)
            scan(view[: levelled[0]], match_event_handler=or_into(hits, chunk, bits2))
            offset = find(b"\n", levelled[-1]) + 1 or len(chunk)
            if offset < len(chunk):
                scan(view[offset:], match_event_handler=or_into(hits, chunk, bits2, offset))
            return

        line_of = line_starts(chunk)

        def second(rule: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            start = line_of(to)
            mask = get(start, 0)
            if not mask & level:  # a line with a level: its words no longer count
                hits[start] = mask | bits2[rule]

        # Elsewhere the whole chunk at once: levelled lines here and there would cut it
        # into as many scans (each a call into hyperscan), and their words are few.
        scan(chunk, match_event_handler=second)
