"""Bytes by level and by step of a raw task log, entry by entry, for ``stats``.

The :class:`~.taskgroup.Grouper` hands out runs of one-line entries as single records. For
``stats`` a run holds the one-line entries of every level it tallies, not only Verbose ones:
a Verbose run broken by an Info line every few dozen lines cost a round of Python records
per Info line (about half of ``stats``'s time on a raw task log). A run's lines all start
``hh:mm:ss   <level, padded to 9>|``; the few that are not Verbose are found with one
regex pass and measured, the rest is Verbose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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


def run_levels(data: bytes) -> list[tuple[str, int]]:
    """The bytes of each level in a run (whole lines, each ``hh:mm:ss   <level>|``), in
    the order the levels first come, as its lines one by one would add them."""
    found: list[tuple[str, int]] = []
    starts = [m.start() + 1 for m in _NOT_VERBOSE.finditer(data)]
    if data[_LEVEL_AT : _LEVEL_AT + 1] != b"V":
        starts.insert(0, 0)
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
