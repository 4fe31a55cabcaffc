"""Octopus raw task logs (portal: Task Log, RAW): recognise them, parse lines, group entries.

    Task ID:       ServerTasks-813                       <- header block, then a blank line
    Task status:   Failed

                        | == Running: Deploy to Dev ==   <- node header (depth 0 and 1: == .. ==)
    16:05:22   Verbose  |   Guided failure is not enabled  <- entry: time, level, depth 1
    07:42:50   Fatal    |       The remote script failed with exit code -1
                        |       at Octopus.Server...      <- continuation of that entry
                        |     Failed: web-01             <- deeper node header

Lines become :class:`Line` tuples; :class:`~.taskgroup.Grouper` turns them into
:class:`Record` objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from ..engine.match.rules import Kind

_BOM = b"\xef\xbb\xbf"
HEADER_KEY = re.compile(rb"^(?:\xef\xbb\xbf)?[A-Z][A-Za-z ]{1,40}:[ \t]")
ENTRY_LINE = re.compile(
    rb"^(?:\xef\xbb\xbf)?((?:\d{4}-\d\d-\d\dT)?\d\d:\d\d:\d\d\S*)\s+([A-Za-z]+)\s*\| ?( *)"
)
# The same at a line start within a chunk (``match(chunk, start, end)``: the line alone).
ENTRY_AT = re.compile(ENTRY_LINE.pattern, re.M)
_CONT = re.compile(rb"^\s+\|(?: ( *))?")
_NODE_TOP = re.compile(rb"^== ([A-Za-z][A-Za-z ]*?): (.*?) ==\s*$")
# Deeper node headers carry only "Status: Name": accept the statuses Octopus knows.
_NODE_DEEP = re.compile(
    rb"^(Running|Success|Failed|Skipped|Canceled|Cancelled|Pending|Queued|TimedOut|"
    rb"SuccessWithWarning|Success with warnings?): (.+?)\s*$"
)
FAILED_STATUSES = frozenset({"Failed", "TimedOut"})
#: What each task-log level counts as (``trim`` shows it so, ``stats`` tallies it so).
LEVEL_KIND = {
    "Verbose": Kind.NOISE,
    "Info": Kind.INFO,
    "Highlight": Kind.INFO,
    "Wait": Kind.INFO,
    "Warning": Kind.WARNING,
    "Error": Kind.ERROR,
    "Fatal": Kind.ERROR,
}


class Line(NamedTuple):
    """One parsed line. ``level`` is ``""`` for continuation lines, node and header lines."""

    time: str
    level: str
    depth: int
    text: bytes  # without time, level, bar and indent; without the newline
    continuation: bool
    status: str  # node header status ("Failed"), else ""
    name: str  # node header name ("Step 4: Deploy web app"), else ""


def strip_line(line: bytes) -> bytes:
    return line.rstrip(b"\r\n")


def parse_line(line: bytes) -> Line | None:
    """Parse a line of the task log body; ``None`` when it is not in the format."""
    entry = ENTRY_LINE.match(line)
    if entry is not None:
        depth = len(entry.group(3)) // 2
        text = strip_line(line[entry.end() :])
        # (The time's ``\S*`` takes any byte: ``12:00:01\xff``.)
        time = entry.group(1).decode("utf-8", "replace")
        return Line(time, entry.group(2).decode(), depth, text, False, "", "")
    cont = _CONT.match(line)
    if cont is None:
        return None
    indent = cont.group(1) or b""
    text = strip_line(line[cont.end() :])
    depth = len(indent) // 2
    node = _NODE_TOP.match(text) if depth <= 1 else _NODE_DEEP.match(text)
    if node is not None:
        status, name = node.group(1).decode(), node.group(2).decode("utf-8", "replace")
        return Line("", "", depth, text, False, status, name)
    return Line("", "", depth, text, True, "", "")


def is_tasklog(head: bytes) -> bool:
    """True when ``head`` (the first few kB) looks like a raw task log.

    Either a header block (``Task ID:`` and friends) followed by log lines, or log lines from
    the start (a log copied without its header).
    """
    lines = head.split(b"\n")[:40]
    if len(lines) > 1 and not head.endswith(b"\n"):
        lines.pop()  # possibly cut
    i = 0
    keys = 0
    while i < len(lines) and HEADER_KEY.match(lines[i]) and not ENTRY_LINE.match(lines[i]):
        keys += 1
        i += 1
    if keys and i < len(lines) and lines[i].strip() == b"":
        i += 1
    body = [ln for ln in lines[i:] if ln.strip()]
    if not body:
        return keys > 0 and lines[0].lstrip(_BOM).startswith(b"Task ID:")
    parsed = sum(parse_line(ln) is not None for ln in body)
    return parsed >= max(1, (len(body) * 4) // 5)


class RecordKind(str, Enum):
    """What a :class:`Record` holds.

    ``RUN``: consecutive one-line entries of the grouper's ``run_levels`` (Verbose, unless the
    consumer says more), each a record of its own when fed line by line, handed out as one
    (level "Verbose", depth the grouper's ``min_depth``).
    """

    HEADER = "header"  # a line of the header block
    NODE = "node"  # a node header
    ENTRY = "entry"  # an entry with its continuation lines
    OTHER = "other"  # a line out of format outside any entry
    RUN = "run"

    def __str__(self) -> str:
        return self.value


HEADER, NODE, ENTRY = RecordKind.HEADER, RecordKind.NODE, RecordKind.ENTRY
OTHER, RUN = RecordKind.OTHER, RecordKind.RUN
VERBOSE: tuple[str, ...] = ("Verbose",)


@dataclass
class Record:
    """An entry with its continuation lines, a node header, or a header-block line."""

    kind: RecordKind
    data: bytes  # the raw lines with their newlines
    line_count: int  # -1: not counted yet (see :attr:`lines`)
    level: str = ""  # entries: Verbose, Info, ..., Fatal
    depth: int = 0
    status: str = ""  # node headers
    name: str = ""
    text: bytes = b""  # the first line's text

    @property
    def lines(self) -> int:
        """The lines it holds. A run's are counted when first asked for: ``stats``, which
        tallies bytes, never asks (counting newlines costs ~0.6 ns a byte)."""
        if self.line_count < 0:
            self.line_count = self.data.count(b"\n")
        return self.line_count
