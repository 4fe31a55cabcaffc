"""The ``stats`` report: the terminal tables, the ``--json`` object, the ``--drop`` suggestion."""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._sizes import format_count, format_size
from ..engine.match.kinds import TIERS
from ..engine.match.rules import Kind
from .stats import LogKind, Stats, hide_passwords

if TYPE_CHECKING:
    from ..dialects import Dialect

# How each placeholder reads back as a --drop regex.
_PLACEHOLDER_REGEX = {
    b"<n>": r"[0-9]+(?:\.[0-9]+)*",
    b"<hex>": r"(?:0x)?[0-9a-fA-F]+",
    b"<uuid>": r"[0-9a-fA-F-]{36}",
    b"<ts>": r"[0-9][0-9T:.,+Z-]*(?: [0-9][0-9:.,+Z-]*)?",
    b"<path>": r"\S+",
    b"'<str>'": r"'[^']*'",
    b'"<str>"': r'"[^"]*"',
    b"<*>": r"\S+",  # a merged token position (see merge.merge)
}
_LEADING_TIME = re.compile(rb"^[\[(]?<ts>\S*\s+(?:[A-Za-z]+\s*\|\s*)?")
# A date's words in a template are the day the log was written, not a part of its shape: a
# weekday, a month (next to a number) and a time zone (after a time) read back as any of
# theirs, so that the rule still drops the lines tomorrow, or after a change of clocks.
_DAYS = (
    "Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?"
)
_MONTHS = (
    "Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    "|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_ZONES = "UTC|GMT|[ECMP][SD]T|BST|IST|CES?T|EES?T|WES?T|MSK|JST|KST|AE[SD]T"
_CALENDAR = re.compile(
    rf"\b(?:(?P<day>{_DAYS})(?=,? +(?:<n>|<ts>|(?:{_MONTHS})\b))"
    rf"|(?P<month>{_MONTHS})(?=,? +<(?:n|ts)>)|(?<=<n> )(?P<month2>{_MONTHS})"
    rf"|(?<=<ts> )(?P<zone>{_ZONES})|(?P<zone2>{_ZONES})(?= <n>))\b"
)
# How a date's word reads back, by its kind (the groups above, less a ``2``: a kind matched
# in two places).
_CALENDAR_REGEX = {"day": "[A-Z][a-z]+", "month": "[A-Z][a-z]+", "zone": "[A-Z]{2,5}"}
_PADDING = re.compile(" {2,}")
# A placeholder, or a date word :func:`_literal` marked (its group name between NULs).
_MARKS = re.compile(
    "(" + "|".join(re.escape(p.decode()) for p in _PLACEHOLDER_REGEX) + ")|\x00(\\w+)\x00"
)


@dataclass
class Suggestion:
    template: str
    regex: str
    lines: int
    bytes: int
    share: float
    tier: str


def _regex_escape(text: str) -> str:
    # Only what is special; re.escape would also escape spaces and dashes.
    return re.sub(r"([.^$*+?{}\[\]|()\\])", r"\\\1", text)


def _literal(text: str) -> str:
    """The regex of text between placeholders (they are in it still, for the look-arounds;
    :data:`_MARKS` splits them off after): itself, but for the date's words."""
    if "\x00" in text:  # (no room for the marks: the words stay as they are)
        return text
    return _CALENDAR.sub(lambda m: "\x00" + (m.lastgroup or "day").rstrip("2") + "\x00", text)


def drop_regex(tpl: bytes, *, merged: bool = False) -> str:
    """A ``--drop`` regex matching every line of template ``tpl``.

    ``merged``: the template was joined from several (see :func:`.merge.merge`): its tokens
    may be padded to columns, so any run of blanks goes between them.

    A leading timestamp (and a task log's level column) is left out: the rest is specific
    enough, and reads better.
    """
    parts: list[str] = []
    lead = _LEADING_TIME.match(tpl)
    if lead is not None:
        tpl = tpl[lead.end() :]
    else:
        parts.append("^")
    text = _literal(tpl.decode("utf-8", "replace"))
    for i, piece in enumerate(_MARKS.split(text)):
        if i % 3 == 0:  # text, then a placeholder's own bytes and a date word's name
            # (blanks padding a column, ``Dec  6``, are as many as the value needs)
            parts.append(_PADDING.sub(" +", _regex_escape(piece)))
        elif piece:
            parts.append(_PLACEHOLDER_REGEX.get(piece.encode()) or _CALENDAR_REGEX[piece])
    regex = "".join(parts) + "$"
    if merged:
        regex = regex.replace(" ", r"\s+").replace(r"\[", r"\[\s*").replace(r"\(", r"\(\s*")
    return regex


def suggest_drop(stats: Stats) -> Suggestion | None:
    """The ``--drop`` rule that would save the most: the biggest template of info or
    progress lines (detail is archive only already: dropping it would save ``run``'s
    console nothing; warnings and errors are never to be dropped blindly)."""
    total = stats.total_bytes or 1
    for tpl, stat in stats.top(0):
        kind = stats.tiers.get(tpl, Kind.NOISE)
        if kind not in (Kind.INFO, Kind.PROGRESS):
            continue
        # (one line is no rule: its template may hold one run's ids, as a request's UUID)
        if stat.lines < 2 or stat.size * 100 < total or _ci_command(stat.example):
            continue
        if stat.lines >= stats.total_lines:
            continue  # every line: a rule that leaves nothing to show is no saving
        if tpl.startswith(b"\r"):
            continue  # redrawn: its earlier states may say anything (``FATAL: ...\rpkg 100%``)
        # A URL's password in it goes as any token (the suggestion must not print it).
        regex = drop_regex(hide_passwords(tpl, b"<*>", userinfo=True), merged=tpl in stats.merged)
        try:
            if not re.search(regex.encode(), stat.example):
                continue
        except re.error:
            continue
        shown = _display(stats, tpl)
        regex = stats.text(regex)
        return Suggestion(shown, regex, stat.lines, stat.size, stat.size / total, TIERS[kind].name)
    return None


def _ci_command(line: bytes) -> bool:
    """A CI system's command (``::endgroup::``, ``##vso[...]``): under that CI ``run`` passes
    it whatever ``--drop`` says, so dropping it saves nothing there."""
    text = line.decode("utf-8", "replace").rstrip("\r\n")
    return any(dialect.is_command(text) for dialect in _dialects())


@functools.cache
def _dialects() -> tuple[Dialect, ...]:
    """One of each CI system's dialect, made once (only ``stats`` asks)."""
    from ..dialects import DIALECTS

    return tuple(dialect() for dialect in DIALECTS.values())


def _marked(tpl: bytes, new: set[bytes] | None) -> str:
    """``+ `` before a new template when there is a baseline."""
    if new is None:
        return ""
    return "+ " if tpl in new else "  "


def _display(stats: Stats, tpl: bytes) -> str:
    """A template as printed: a redrawn line's last state after ``↻ ``."""
    shown = tpl.rstrip(b"\r")
    if shown.startswith(b"\r"):
        shown = "\u21bb ".encode() + shown[1:]
    return stats.text(shown.decode("utf-8", "replace"))


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
                "template": _display(stats, tpl),
                "lines": stat.lines,
                "bytes": stat.size,
                "share": round(stat.size / total, 4),
                "tier": TIERS[stats.tiers.get(tpl, Kind.NOISE)].name,
                **({} if stats.new is None else {"new": tpl in stats.new}),
            }
            for tpl, stat in stats.top(top)
        ],
        "levels": dict(sorted(stats.levels.items(), key=lambda kv: -kv[1])),
        # Lines per tier of the plain inputs: there whenever one is plain (empty or not).
        **(
            {"tier_lines": stats.tier_lines}
            if stats.tier_lines or any(i.kind == "plain" for i in stats.inputs)
            else {}
        ),
        "suggestion": vars(suggestion) if suggestion else None,
    }
    other = stats.other
    if other.lines:  # too many templates to keep: the rarer ones' lines counted together
        out["other"] = {"lines": other.lines, "bytes": other.size, "error_bytes": other.error}
    if stats.new is not None:
        out["new_templates"] = len(stats.new)
    if stats.steps:  # a step's name is the script's text: masked as any
        out["steps"] = {stats.text(name): size for name, size in stats.steps.items()}
        out["step_status"] = {stats.text(k): v for k, v in stats.step_status.items()}
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


def _capped(stats: Stats) -> str:
    """What the header says when the table let rarer templates go (engine/stats/table.py)."""
    if not stats.other.lines:
        return ""
    lack = format_size(stats.other.error)
    return f"; too many to keep: rarer ones merged as other (a row may lack up to {lack})"


def render(stats: Stats, top: int, width: int = 100) -> str:
    """The terminal report: tables with bars, and the suggestion."""
    total = stats.total_bytes
    names = ", ".join(i.name for i in stats.inputs)
    new = stats.new
    against = "" if new is None else f", {format_count(len(new))} new against the baseline"
    lines = [
        f"{names}: {format_size(total)}, {format_count(stats.total_lines)} lines, "
        f"{format_count(len(stats.templates))} templates{against}" + _capped(stats),
        "",
        f"By template (top {min(top, len(stats.templates))}"
        + (", new ones first, marked +):" if new is not None else "):"),
        f"  {'bytes':>9} {'share':>6} {'lines':>11}  {'':20}  template",
    ]
    label_width = max(width - 56, 20)
    rows = [(_marked(t, new) + _display(stats, t), s.size, s.lines) for t, s in stats.top(top)]
    if stats.other.lines:
        rows.append(("(other: rarer templates)", stats.other.size, stats.other.lines))
    lines += _table(rows, total, label_width)
    if stats.levels:
        task = any(i.kind == LogKind.TASKLOG for i in stats.inputs)
        lines += ["", "By level:" if task else "By tier (as run would classify lines):"]
        ranked = sorted(stats.levels.items(), key=lambda kv: -kv[1])
        rows3 = [(k, v, stats.tier_lines.get(k)) for k, v in ranked]
        lines += _table(rows3, total, label_width)
    if stats.steps:
        lines += ["", "By step:"]
        status = stats.step_status
        rows2 = [
            (stats.text(f"{name} ({status[name]})" if name in status else name), v, None)
            for name, v in stats.steps.items()
        ]
        lines += _table(rows2, total, label_width)
    suggestion = suggest_drop(stats)
    lines.append("")
    if suggestion is None:
        lines.append(
            "No single --drop rule for info or progress lines (two or more alike, not every "
            "line) would save 1% or more (detail lines are archive only already)."
        )
    else:
        lines += [
            f"Biggest saving: --drop {shlex.quote(suggestion.regex)}",
            f"  drops {format_count(suggestion.lines)} {suggestion.tier} "
            f"line{'s' if suggestion.lines != 1 else ''}, "
            f"{format_size(suggestion.bytes)} ({suggestion.share:.1%} of the input)",
        ]
    for inp in stats.inputs:
        if inp.damage and not inp.fatal:  # (a fatal one is said as the error, on stderr)
            lines.append(f"warning: {inp.name}: {inp.damage}")
    return "\n".join(lines) + "\n"
