"""``stats``'s tiers: each line's as ``run`` counts it (:mod:`..engine.tiertally`, the same
rules and head), and each template's from its example line.
"""

from __future__ import annotations

import functools
import re

from .._matchers import compiler
from ..engine.match.kinds import Kind
from ..engine.match.matcher import Matcher
from ..engine.policy import LINE_HELD, Policy
from ..engine.stats.counting import TemplateCounter
from ..engine.stats.keytiers import KeyTiers, RawScan, split_rules
from ..engine.stats.tiertally import TierTally
from .tasklog import LEVEL_KIND

_ZERO_TO_ONE = bytes.maketrans(b"0", b"1")
_TEMPLATE_LEVEL = re.compile(rb"^<ts>\S*\s+([A-Za-z]+)\s*\|")


@functools.lru_cache(maxsize=1)
def matcher() -> Matcher:
    return Matcher(compiler=compiler())  # compiling the rules takes ~30 ms: once per process


def line_tiers(*, part: bool = False) -> TierTally:
    """A tally of one input's lines by tier, with run's defaults (head, line length);
    ``part``: of a part after the input's start (its first lines are head lines only if
    the part before is short: the tally that absorbs it decides)."""
    if part:
        return TierTally(
            matcher(), head=0, max_line=Policy.max_line, whole=LINE_HELD, lead=Policy.head
        )
    return TierTally(matcher(), head=Policy.head, max_line=Policy.max_line, whole=LINE_HELD)


@functools.lru_cache(maxsize=1)
def _by_key() -> tuple[Matcher, RawScan] | None:
    """The matcher of the digit-blind rules and the scan of the others (see
    :mod:`..engine.keytiers`), or None when a key's tier could differ from its lines'."""
    split = split_rules(matcher().rules)
    if split is None:
        return None
    blind, raw = split
    return Matcher(blind, compiler=compiler()), RawScan(raw, compiler())


def by_key(counter: TemplateCounter, tally: TierTally) -> bool:
    """Have ``counter`` feed ``tally`` (most lines by key, at its folds) while it is
    watched, if it holds no lines yet (they would be told as this input's); else False."""
    found = _by_key()
    # (A line longer than ``whole`` is classified on its start: its key must be cut too.)
    if found is None or counter.lines_held() or tally.whole <= counter.KEY_MAX:
        return False
    counter.watch = KeyTiers(tally, *found)
    return True


def template_tiers(templates: dict[bytes, bytes]) -> dict[bytes, Kind]:
    """The tier of each template (``{template: example}``): its task-log level, else what
    the rules say of its example (a line of it, digits as 0), or of it with its digits as 1
    if that is higher."""
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
        # One scan over all the examples at once; hits come back as line offsets.
        examples = [templates[t].replace(b"\n", b" ") for t in rest]
        joined = b"\n".join(examples)
        starts: dict[int, bytes] = {}
        pos = 0
        for tpl, example in zip(rest, examples, strict=True):
            starts[pos] = tpl
            pos += len(example) + 1
        # Its lines' digits are the example's zeros or other digits: ``Failures: 0`` is a zero
        # count, ``Failures: 2`` an error. The higher tier of the two: a --drop suggested for
        # a template never drops a line run shows as an error.
        for data in (joined, joined.translate(_ZERO_TO_ONE)):
            for start, kind in matcher().scan(data):
                if start in starts and kind > out[starts[start]]:
                    out[starts[start]] = kind
    return out
