"""Where the bytes of a log go: by template, by level or tier, by task-log step; what to drop.

The figures, computed in one pass over each input (:mod:`logtrim.logs.report` renders them).
For plain logs the per-line work is C: digits mapped with ``translate``, lines split and
counted with ``Counter``; only distinct lines meet the template regex (see
:mod:`logtrim.engine.shapes.templates`). Raw task logs are also parsed entry by entry for their
levels and steps.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from ..engine.masking import urlcreds
from ..engine.match.kinds import TIERS, Kind
from ..engine.shapes.shapes import is_new, template_shapes
from ..engine.stats.counting import TemplateCounter, TemplateStat
from ..engine.stats.table import Other
from ..engine.stats.tiertally import TierTally
from .aside import aside
from .declared import Declared, Hits
from .inputs import Input, InputFormat, open_detected, open_input
from .merge import merge
from .tasktally import TaskLogTally
from .tiers import line_tiers, template_tiers
from .twocores import count_file, count_plain, line_start

ASIDE_MIN = 16 << 20  # an input this large has (part of) its templates counted in parallel
# Parsing a raw task log's entries costs about half of counting its templates: this process,
# which parses, also counts the templates of the first 1/TASK_PARTS, so that the two end
# together (measured on the benchmark's task log: 1/8 left this one waiting; since runs of
# every level are split in one pass, 1/5 left the other waiting 0.05-0.1 s, 1/4 neither).
TASK_PARTS = 4


class LogKind(str, Enum):
    PLAIN = "plain"
    TASKLOG = "octopus-task-log"

    def __str__(self) -> str:
        return self.value


@dataclass
class InputStats:
    name: str
    format: InputFormat
    kind: LogKind
    bytes: int = 0
    lines: int = 0
    damage: str | None = None
    fatal: bool = False  # the damage is an error (exit 3): the figures are of what decoded


@dataclass
class Stats:
    inputs: list[InputStats] = field(default_factory=list)
    templates: dict[bytes, TemplateStat] = field(default_factory=dict)
    # The lines of the rarer templates, when there were too many to keep (engine/stats/table.py).
    other: Other = field(default_factory=Other)
    tiers: dict[bytes, Kind] = field(default_factory=dict)  # template -> tier
    levels: dict[str, int] = field(default_factory=dict)  # task-log level or tier -> bytes
    tier_lines: dict[str, int] = field(default_factory=dict)  # tier -> lines (plain inputs)
    steps: dict[str, int] = field(default_factory=dict)  # task-log step -> bytes
    step_status: dict[str, str] = field(default_factory=dict)
    merged: set[bytes] = field(default_factory=set)  # templates joined from several
    new: set[bytes] | None = None  # with a baseline: the templates whose shape it lacks
    declared: Declared = field(default_factory=Declared)  # secrets the inputs declare

    def text(self, text: str) -> str:
        """``text`` as printed: the secrets the inputs declare masked, and a URL's password
        also where the template put a placeholder in its scheme or in it."""
        return masked_template(self.declared.mask_text(text))

    @property
    def total_bytes(self) -> int:
        return sum(i.bytes for i in self.inputs)

    @property
    def total_lines(self) -> int:
        return sum(i.lines for i in self.inputs)

    def top(self, n: int) -> list[tuple[bytes, TemplateStat]]:
        """The largest templates; with a baseline, the new ones first."""
        new = self.new or set()
        ranked = sorted(
            self.templates.items(), key=lambda kv: (kv[0] not in new, -kv[1].size, kv[0])
        )
        return ranked[:n] if n > 0 else ranked


# A template's stand-ins for digits and ids (``mysql<n>://app:Sup<n>rSecretPw@db``): the URL
# is found on a copy with digits in their place, as long, and masked in the template.
_STAND_INS = re.compile(rb"<(?:n|hex|uuid|ts)>")


def masked_template(text: str) -> str:
    """``text`` (a template, already masked as text) with a URL's password masked that its
    stand-ins hid from the masker: a scheme with a digit (``s3``, ``mysql2``), a password
    with one."""
    if "@" not in text or "<" not in text:
        return text
    data = text.encode("utf-8", "surrogateescape")
    return hide_passwords(data, b"********").decode("utf-8", "surrogateescape")


def hide_passwords(tpl: bytes, stand_in: bytes, *, userinfo: bool = False) -> bytes:
    """``tpl`` with each URL password found with its stand-ins as digits replaced by
    ``stand_in``; ``userinfo``: the user and the password (``//app:pw@`` -> ``//X@``: a
    ``--drop`` regex whose password were a token would be masked as one)."""
    if b"@" not in tpl:
        return tpl
    copy = _STAND_INS.sub(lambda m: b"0" * (m.end() - m.start()), tpl)
    out, pos = [], 0
    for found, end in urlcreds.spans(copy):
        slashes = copy.rfind(b"/", pos, found) if userinfo else -1
        start = slashes + 1 if slashes >= 0 else found
        out += [tpl[pos:start], stand_in]
        pos = end
    return b"".join([*out, tpl[pos:]]) if out else tpl


class _Declares(Exception):
    """A file read before its declarations were known declares secrets."""


def compute(
    inputs: Iterable[Input], baseline: Container[int] | None = None, secrets: Sequence[str] = ()
) -> Stats:
    """Read every input once and gather its figures into one :class:`Stats`; with
    ``baseline`` (shape hashes of good runs), also which templates are new.

    A plain file's declarations are gathered as it is counted, not by reading it once more
    first: when it does declare secrets (rare), its lines were not masked, and the inputs
    are read anew, masked, as one that declares none is read. ``secrets``: values masked
    besides what the inputs declare."""
    inputs = list(inputs)
    try:
        return _compute(inputs, baseline, secrets, ahead=True)
    except _Declares:
        for inp in inputs:
            if inp.rereadable:  # (a pipe is not read yet: it comes after)
                inp.close()
        again = [
            open_input(inp.path, binary=inp.binary) if inp.rereadable else inp for inp in inputs
        ]
        return _compute(again, baseline, secrets, ahead=False)


def _compute(
    inputs: list[Input], baseline: Container[int] | None, secrets: Sequence[str], *, ahead: bool
) -> Stats:
    """``ahead``: may gather a plain file's declarations as it counts it (raise
    :class:`_Declares` when it declares secrets), else learn them before."""
    stats = Stats(declared=Declared(secrets))
    plain, tasklogs = TemplateCounter(), TemplateCounter()
    for inp in inputs:
        is_task, chunks = open_detected(inp)
        inp.on_utf16(stats.declared.masker.read_as_utf16, stats.declared.feed_stored)
        # Not from a pipe on (stdin, ``<(...)``): that cannot be read again.
        ahead = ahead and inp.rereadable
        hits = None
        if (
            ahead
            and inp.format == InputFormat.PLAIN
            and not inp.utf16
            and not stats.declared.masker
        ):
            hits = Hits(stats.declared.starts)
        scanned = hits is not None or stats.declared.scan(inp)
        # Declared secrets are masked before counting, in this process: no second core then.
        alone = bool(stats.declared.masker)
        # A URL's password is masked as printed (``Stats.text``), not before counting: the
        # counts stay those of the file, which two cores split by its offsets.
        chunks = stats.declared.lines(chunks, learn=not scanned, urls=alone)
        info = InputStats(inp.name, inp.format, LogKind.TASKLOG if is_task else LogKind.PLAIN)
        stats.inputs.append(info)
        counter = tasklogs if is_task else plain
        lines_before = counter.lines
        if is_task:
            by_entry = TaskLogTally(stats.levels, stats.steps, stats.step_status)
            _task_log(inp, chunks, counter, by_entry, info, alone, hits)
        else:
            tally = line_tiers()  # each line's tier, as run counts it
            count_plain(inp, chunks, counter, info, 1 << 62 if alone else ASIDE_MIN, hits, tally)
            tally.finish()
            _add_tiers(stats, tally)
        info.lines = counter.lines - lines_before
        info.damage, info.fatal = inp.damage, inp.fatal
        if hits is not None:
            _learn(stats.declared, inp, hits)
    plain_templates = plain.result()
    stats.templates = dict(plain_templates)
    task_templates = tasklogs.result()
    stats.other.absorb(plain_templates.other)
    stats.other.absorb(task_templates.other)
    fresh = None if baseline is None else _new(plain_templates, task_templates, baseline)
    for tpl, stat in task_templates.items():
        mine = stats.templates.get(tpl)
        if mine is None:
            stats.templates[tpl] = stat
        else:
            stats.templates[tpl] = TemplateStat(
                mine.lines + stat.lines, mine.size + stat.size, mine.example
            )
    stats.tiers = template_tiers({t: s.example for t, s in stats.templates.items()})
    if fresh is None:
        stats.templates, stats.tiers, stats.merged = merge(stats.templates, stats.tiers)
    else:
        _merge_apart(stats, fresh)
    return stats


def _add_tiers(stats: Stats, tally: TierTally) -> None:
    for kind, lines in tally.lines.items():
        if not lines:
            continue
        name = TIERS[kind].name
        stats.levels[name] = stats.levels.get(name, 0) + tally.bytes[kind]
        stats.tier_lines[name] = stats.tier_lines.get(name, 0) + lines


def _task_log(
    inp: Input,
    chunks: Iterable[bytes],
    counter: TemplateCounter,
    tally: TaskLogTally,
    info: InputStats,
    alone: bool,
    hits: Hits | None,
) -> None:
    # A large raw task log: its templates are counted on the second core, from the file,
    # while this process parses its entries and counts those of its first part (up to
    # ``cut``; none when compressed: no seeking there). Lines are counted alike wherever the
    # file is cut, so the figures are those of one pass.
    side, cut = None, 0
    if inp.path != "-" and (inp.size or 0) >= ASIDE_MIN and not alone:
        cut = line_start(inp, TASK_PARTS, ASIDE_MIN)
        side = aside(functools.partial(count_file, inp.path, cut, hits))
    for chunk in chunks:
        mine = chunk if side is None else chunk[: max(cut - info.bytes, 0)]
        counter.feed(mine)
        if hits is not None:
            hits.feed(mine)
        info.bytes += len(chunk)
        tally.feed(chunk)
    if side is not None:
        counter.result()  # this part's templates first, as a single pass would list them
        lines, _, templates, starts = side() or count_file(inp.path, cut, hits)  # (failed)
        counter.add(lines, templates)
        if hits is not None:
            hits.extend(starts)
    tally.flush()


def _learn(declared: Declared, inp: Input, hits: Hits) -> None:
    """Learn the declarations gathered while ``inp`` was counted (all of it scanned anew
    when a line came in pieces); raise :class:`_Declares` when it declares secrets."""
    if hits.starts is None:
        declared.scan(inp)
    else:
        declared.learn_at(inp.path, hits.starts)
    if declared.masker:
        raise _Declares


def _new(
    plain: dict[bytes, TemplateStat], task: dict[bytes, TemplateStat], baseline: Container[int]
) -> set[bytes]:
    """The templates whose shape the baseline lacks (as ``run`` and ``diff`` judge it)."""
    out: set[bytes] = set()
    for templates, is_task in ((plain, False), (task, True)):
        names = list(templates)
        shapes = template_shapes(names, tasklog=is_task)
        out.update(t for t, s in zip(names, shapes, strict=True) if is_new(s, baseline))
    return out


def _merge_apart(stats: Stats, fresh: set[bytes]) -> None:
    """Merge new and known templates each among themselves: a merge never hides a new one."""
    raw, tiers = stats.templates, stats.tiers
    stats.templates, stats.tiers, stats.new = {}, {}, set()
    for new in (True, False):
        part = {t: s for t, s in raw.items() if (t in fresh) == new}
        templates, part_tiers, merged = merge(part, tiers)
        stats.templates.update(templates)
        stats.tiers.update(part_tiers)
        stats.merged |= merged
        if new:
            stats.new.update(templates)
