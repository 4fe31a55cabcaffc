"""Where the bytes of a log go: by template, by level or tier, by task-log step; what to drop.

One pass over each input. For plain logs the per-line work is C: digits mapped with
``translate``, lines split and counted with ``Counter``; only distinct lines meet the
template regex (see ``_templates``). Raw task logs are also parsed entry by entry for their
levels and steps.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._matchers import compiler
from .._sizes import format_count, format_size
from ..engine.kinds import TIERS, Kind
from ..engine.rules import Matcher
from ..engine.templates import TemplateCounter, TemplateStat
from .aside import aside
from .inputs import Input, line_chunks, open_input
from .tasklog import ENTRY, NODE, RUN, Grouper, Record, is_tasklog

ASIDE_MIN = 16 << 20  # a raw task log this large has its templates counted in parallel
# Tier names for plain logs, as ``run``'s summary says them.
# What ``trim`` makes of each task-log level.
LEVEL_KIND = {
    "Verbose": Kind.NOISE,
    "Info": Kind.INFO,
    "Highlight": Kind.INFO,
    "Wait": Kind.INFO,
    "Warning": Kind.WARNING,
    "Error": Kind.ERROR,
    "Fatal": Kind.ERROR,
}
_TEMPLATE_LEVEL = re.compile(rb"^<ts>\S*\s+([A-Za-z]+)\s*\|")
# How each placeholder reads back as a --drop regex.
_PLACEHOLDER_REGEX = {
    b"<n>": r"[0-9]+(?:\.[0-9]+)*",
    b"<hex>": r"(?:0x)?[0-9a-fA-F]+",
    b"<uuid>": r"[0-9a-fA-F-]{36}",
    b"<ts>": r"[0-9][0-9T:.,+Z-]*(?: [0-9][0-9:.,+Z-]*)?",
    b"<path>": r"\S+",
    b"'<str>'": r"'[^']*'",
    b'"<str>"': r'"[^"]*"',
}
_LEADING_TIME = re.compile(rb"^[\[(]?<ts>\S*\s+(?:[A-Za-z]+\s*\|\s*)?")
_PLACEHOLDERS = re.compile(b"|".join(re.escape(p) for p in _PLACEHOLDER_REGEX))
HEADER_STEP = "(task header)"
STRUCTURE = "(headers)"  # the header block, node headers, lines out of format


@dataclass
class InputStats:
    name: str
    format: str
    kind: str  # "plain" or "octopus-task-log"
    bytes: int = 0
    lines: int = 0
    damage: str | None = None


@dataclass
class Suggestion:
    template: str
    regex: str
    lines: int
    bytes: int
    share: float
    tier: str


@dataclass
class Stats:
    inputs: list[InputStats] = field(default_factory=list)
    templates: dict[bytes, TemplateStat] = field(default_factory=dict)
    tiers: dict[bytes, Kind] = field(default_factory=dict)  # template -> tier
    levels: dict[str, int] = field(default_factory=dict)  # task-log level or tier -> bytes
    steps: dict[str, int] = field(default_factory=dict)  # task-log step -> bytes
    step_status: dict[str, str] = field(default_factory=dict)

    @property
    def total_bytes(self) -> int:
        return sum(i.bytes for i in self.inputs)

    @property
    def total_lines(self) -> int:
        return sum(i.lines for i in self.inputs)

    def top(self, n: int) -> list[tuple[bytes, TemplateStat]]:
        ranked = sorted(self.templates.items(), key=lambda kv: (-kv[1].size, kv[0]))
        return ranked[:n] if n > 0 else ranked


def _peek(chunks: Iterator[bytes], want: int = 8192) -> tuple[bytes, Iterator[bytes]]:
    """The first ``want`` bytes, and all the chunks as if none were read."""
    taken: list[bytes] = []
    size = 0
    for chunk in chunks:
        taken.append(chunk)
        size += len(chunk)
        if size >= want:
            break

    def chained() -> Iterator[bytes]:
        yield from taken
        yield from chunks

    return b"".join(taken)[:want], chained()


def open_detected(inp: Input) -> tuple[bool, Iterator[bytes]]:
    """(is a raw task log, the input's decoded chunks cut at line ends)."""
    head, chunks = _peek(inp.chunks())
    return is_tasklog(head), line_chunks(chunks)


class _TaskLogTally:
    """Bytes by level and by step of one raw task log, entry by entry."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        self.grouper = Grouper()
        self.step = HEADER_STEP

    def feed(self, chunk: bytes) -> None:
        self._account(self.grouper.feed_chunk(chunk))

    def flush(self) -> None:
        self._account(self.grouper.flush())

    def _account(self, records: Iterable[Record]) -> None:
        levels, steps = self.stats.levels, self.stats.steps
        for record in records:
            size = len(record.data)
            if record.kind == NODE and record.depth <= 1:
                self.step = record.name
                self.stats.step_status[record.name] = record.status
            level = record.level if record.kind in (ENTRY, RUN) else STRUCTURE
            levels[level] = levels.get(level, 0) + size
            steps[self.step] = steps.get(self.step, 0) + size


def compute(inputs: Iterable[Input]) -> Stats:
    """Read every input once and gather its figures into one :class:`Stats`."""
    stats = Stats()
    plain, tasklogs = TemplateCounter(), TemplateCounter()
    for inp in inputs:
        is_task, chunks = open_detected(inp)
        info = InputStats(inp.name, inp.format, "octopus-task-log" if is_task else "plain")
        stats.inputs.append(info)
        counter = tasklogs if is_task else plain
        tally = _TaskLogTally(stats) if is_task else None
        # A large raw task log: its templates are counted on the second core, from the file,
        # while this process parses its entries.
        side = None
        if tally is not None and inp.path != "-" and (inp.size or 0) >= ASIDE_MIN:
            side = aside(functools.partial(_count_file, inp.path))
        lines_before = counter.lines
        for chunk in chunks:
            if side is None:
                counter.feed(chunk)
            info.bytes += len(chunk)
            if tally is not None:
                tally.feed(chunk)
        if side is not None:
            counter.add(*(side() or _count_file(inp.path)))  # (failed: count them here)
        info.lines = counter.lines - lines_before
        if tally is not None:
            tally.flush()
        info.damage = inp.damage
    plain_templates = plain.result()
    stats.templates = dict(plain_templates)
    for tpl, stat in tasklogs.result().items():
        mine = stats.templates.get(tpl)
        if mine is None:
            stats.templates[tpl] = stat
        else:
            stats.templates[tpl] = TemplateStat(
                mine.lines + stat.lines, mine.size + stat.size, mine.example
            )
    stats.tiers = _tiers(list(stats.templates))
    for tpl, stat in plain_templates.items():
        name = TIERS[stats.tiers[tpl]].name
        stats.levels[name] = stats.levels.get(name, 0) + stat.size
    return stats


def _count_file(path: str) -> tuple[int, dict[bytes, TemplateStat]]:
    """Lines and templates of the input at ``path``, read anew."""
    counter = TemplateCounter()
    for chunk in line_chunks(open_input(path).chunks()):
        counter.feed(chunk)
    return counter.lines, counter.result()


@functools.lru_cache(maxsize=1)
def _matcher() -> Matcher:
    return Matcher(compiler=compiler())  # compiling the rules takes ~30 ms: once per process


def _tiers(templates: list[bytes]) -> dict[bytes, Kind]:
    """The tier of each template: its task-log level, else what the line rules say."""
    out: dict[bytes, Kind] = {}
    rest: list[bytes] = []
    for tpl in templates:
        match = _TEMPLATE_LEVEL.match(tpl)
        kind = LEVEL_KIND.get(match.group(1).decode()) if match else None
        if kind is None:
            rest.append(tpl)
            out[tpl] = Kind.NOISE
        else:
            out[tpl] = kind
    if rest:
        # One scan over all the templates at once; hits come back as line offsets.
        joined = b"\n".join(t.replace(b"\n", b" ") for t in rest)
        starts: dict[int, bytes] = {}
        pos = 0
        for tpl in rest:
            starts[pos] = tpl
            pos += len(tpl) + 1
        for start, kind in _matcher().scan(joined):
            if start in starts:
                out[starts[start]] = kind
    return out


def _regex_escape(text: str) -> str:
    # Only what is special; re.escape would also escape spaces and dashes.
    return re.sub(r"([.^$*+?{}\[\]|()\\])", r"\\\1", text)


def drop_regex(tpl: bytes) -> str:
    """A ``--drop`` regex matching every line of template ``tpl``.

    A leading timestamp (and a task log's level column) is left out: the rest is specific
    enough, and reads better.
    """
    parts: list[str] = []
    lead = _LEADING_TIME.match(tpl)
    if lead is not None:
        tpl = tpl[lead.end() :]
    else:
        parts.append("^")
    pos = 0
    for match in _PLACEHOLDERS.finditer(tpl):
        parts.append(_regex_escape(tpl[pos : match.start()].decode("utf-8", "replace")))
        parts.append(_PLACEHOLDER_REGEX[match.group()])
        pos = match.end()
    parts.append(_regex_escape(tpl[pos:].decode("utf-8", "replace")))
    return "".join(parts) + "$"


def suggest_drop(stats: Stats) -> Suggestion | None:
    """The ``--drop`` rule that would save the most: the biggest template below warnings."""
    total = stats.total_bytes or 1
    for tpl, stat in stats.top(0):
        kind = stats.tiers.get(tpl, Kind.NOISE)
        if kind >= Kind.WARNING or stat.size * 100 < total:
            continue
        regex = drop_regex(tpl)
        try:
            if not re.search(regex.encode(), stat.example):
                continue
        except re.error:
            continue
        shown = _display(tpl)
        return Suggestion(shown, regex, stat.lines, stat.size, stat.size / total, TIERS[kind].name)
    return None


def _display(tpl: bytes) -> str:
    return tpl.rstrip(b"\r").decode("utf-8", "replace")


def to_json(stats: Stats, top: int) -> dict[str, Any]:
    """The ``--json`` object."""
    total = stats.total_bytes or 1
    suggestion = suggest_drop(stats)
    out: dict[str, Any] = {
        "inputs": [vars(i) for i in stats.inputs],
        "total_bytes": stats.total_bytes,
        "total_lines": stats.total_lines,
        "distinct_templates": len(stats.templates),
        "templates": [
            {
                "template": _display(tpl),
                "lines": stat.lines,
                "bytes": stat.size,
                "share": round(stat.size / total, 4),
                "tier": TIERS[stats.tiers.get(tpl, Kind.NOISE)].name,
            }
            for tpl, stat in stats.top(top)
        ],
        "levels": dict(sorted(stats.levels.items(), key=lambda kv: -kv[1])),
        "suggestion": vars(suggestion) if suggestion else None,
    }
    if stats.steps:
        out["steps"] = stats.steps
        out["step_status"] = stats.step_status
    return out


def _bar(share: float, width: int = 20) -> str:
    full = round(share * width)
    return "█" * full + "░" * (width - full)


def _table(rows: Sequence[tuple[str, int, int | None]], total: int, width: int) -> list[str]:
    out = []
    for label, nbytes, lines in rows:
        share = nbytes / total if total else 0.0
        count = f"{format_count(lines):>11}" if lines is not None else " " * 11
        text = label if len(label) <= width else label[: width - 1] + "…"
        out.append(f"  {format_size(nbytes):>9} {share:6.1%} {count}  {_bar(share)}  {text}")
    return out


def render(stats: Stats, top: int, width: int = 100) -> str:
    """The terminal report: tables with bars, and the suggestion."""
    total = stats.total_bytes
    names = ", ".join(i.name for i in stats.inputs)
    lines = [
        f"{names}: {format_size(total)}, {format_count(stats.total_lines)} lines, "
        f"{format_count(len(stats.templates))} templates",
        "",
        f"By template (top {min(top, len(stats.templates))}):",
        f"  {'bytes':>9} {'share':>6} {'lines':>11}  {'':20}  template",
    ]
    label_width = max(width - 56, 20)
    rows = [(_display(t), s.size, s.lines) for t, s in stats.top(top)]
    lines += _table(rows, total, label_width)
    if stats.levels:
        task = any(i.kind == "octopus-task-log" for i in stats.inputs)
        lines += ["", "By level:" if task else "By tier (as run would classify lines):"]
        ranked = sorted(stats.levels.items(), key=lambda kv: -kv[1])
        lines += _table([(k, v, None) for k, v in ranked], total, label_width)
    if stats.steps:
        lines += ["", "By step:"]
        rows2 = [
            (f"{name} ({stats.step_status[name]})" if name in stats.step_status else name, v, None)
            for name, v in stats.steps.items()
        ]
        lines += _table(rows2, total, label_width)
    suggestion = suggest_drop(stats)
    lines.append("")
    if suggestion is None:
        lines.append("No single --drop rule below warnings would save 1% or more.")
    else:
        lines += [
            f"Biggest saving: --drop {shlex.quote(suggestion.regex)}",
            f"  drops {format_count(suggestion.lines)} {suggestion.tier} lines, "
            f"{format_size(suggestion.bytes)} ({suggestion.share:.1%} of the input)",
        ]
    for inp in stats.inputs:
        if inp.damage:
            lines.append(f"warning: {inp.name}: {inp.damage}")
    return "\n".join(lines) + "\n"
