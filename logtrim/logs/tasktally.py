"""Bytes by level and by step of a raw task log, entry by entry, for ``stats``.

The :class:`~.taskgroup.Grouper` hands out runs of one-line entries as single records. For
``stats`` a run holds the one-line entries of every level it tallies, not only Verbose ones:
a Verbose run broken by an Info line every few dozen lines cost a round of Python records
per Info line (about half of ``stats``'s time on a raw task log). A run's lines all start
``hh:mm:ss   <level, padded to 9>|``; the few that are not Verbose are found in one pass
(the compiled matcher's, for their level fields: 0.45x the time of ``re``'s) and measured,
the rest is Verbose.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from .._matchers import compiler
from .taskgroup import Grouper
from .tasklog import ENTRY, LEVEL_KIND, NODE, RUN, Record

HEADER_STEP = "(task header)"
STRUCTURE = "(headers)"  # the header block, node headers, lines out of format
# Verbose first: the run regex tries the levels in this order, and most lines are Verbose.
RUN_LEVELS = ("Verbose", *(level for level in LEVEL_KIND if level != "Verbose"))
_VERBOSE = RUN_LEVELS[0]
_LEVEL_AT = 11  # where a run line's level starts (after "hh:mm:ss   ")
# A line of a run whose level is not Verbose (the only run level with a V): after a newline.
_NOT_VERBOSE = re.compile(rb"\n[^\n]{%d}[^V]" % _LEVEL_AT)
# The level fields of the others, from 3 bytes before the level (all as long).
_FIELDS = [b"   " + f"{level:<9}|".encode() for level in RUN_LEVELS[1:]]
_FIELD_AT = _LEVEL_AT - 3


@functools.lru_cache(maxsize=1)
def _fields_db() -> Any:
    """The other levels' fields as a compiled database; None on the ``re`` engine."""
    found = compiler()
    return None if found is None else found.literals(_FIELDS)


def _not_verbose(data: bytes) -> list[int]:
    """Where the lines of a run that are not Verbose start, in order."""
    db = _fields_db()
    if db is None:
        starts = [m.start() + 1 for m in _NOT_VERBOSE.finditer(data)]
        return [0, *starts] if data[_LEVEL_AT : _LEVEL_AT + 1] != b"V" else starts
    ends: list[int] = []
    db.scan(data, match_event_handler=lambda _id, _from, to, _flags, _ctx: ends.append(to))
    # A field counts where a line has it, at _FIELD_AT (the time before it): a run's lines
    # all do; the text after the bar may quote one anywhere.
    size = len(_FIELDS[0]) + _FIELD_AT
    return sorted(s for s in (to - size for to in ends) if s == 0 or (s > 0 and data[s - 1] == 10))


def run_levels(data: bytes) -> list[tuple[str, int]]:
    """The bytes of each level in a run (whole lines, each ``hh:mm:ss   <level>|``), in
    the order the levels first come, as its lines one by one would add them."""
    found: list[tuple[str, int]] = []
    starts = _not_verbose(data)
    verbose = len(data)
    first_verbose = -1  # where the first Verbose line starts; -1: none yet
    at = 0
    for start in starts:
        if first_verbose < 0 and start > at:
            first_verbose = len(found)
        end = data.find(b"\n", start) + 1 or len(data)
        level = data[start + _LEVEL_AT : start + _LEVEL_AT + 9].rstrip(b" ").decode()
        found.append((level, end - start))
        verbose -= end - start
        at = end
    if verbose:
        found.insert(len(found) if first_verbose < 0 else first_verbose, (_VERBOSE, verbose))
    return found


class TaskLogTally:
    """Bytes by level and by step of one raw task log, entry by entry."""

    def __init__(self, levels: dict[str, int], steps: dict[str, int], status: dict[str, str]):
        self.levels, self.steps, self.status = levels, steps, status
        self.grouper = Grouper()
        self.grouper.run_levels = RUN_LEVELS
        self.step = HEADER_STEP

    def feed(self, chunk: bytes) -> None:
        self._account(self.grouper.feed_chunk(chunk))

    def flush(self) -> None:
        self._account(self.grouper.flush())

    def _account(self, records: Iterable[Record]) -> None:
        levels, steps = self.levels, self.steps
        step = self.step
        for record in records:  # (a record a run of lines or an entry: kept lean)
            size = len(record.data)
            kind = record.kind
            if kind is RUN:
                for level, part in run_levels(record.data):
                    levels[level] = levels.get(level, 0) + part
                steps[step] = steps.get(step, 0) + size
                continue
            if kind is ENTRY:
                level = record.level
            else:
                level = STRUCTURE
                if kind is NODE and record.depth <= 1:
                    step = self.step = record.name
                    self.status[step] = record.status
            levels[level] = levels.get(level, 0) + size
            steps[step] = steps.get(step, 0) + size
