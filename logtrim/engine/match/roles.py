"""What a rule is, and how the rules a line hits combine into its tier (by their *role*).

The roles are described in :mod:`.rules`, with the built-in rules themselves.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from .kinds import Kind


class Role(str, Enum):
    """How a rule's tier combines with the others a line hits."""

    LEVEL = "level"
    STRONG = "strong"
    WORD = "word"
    ZERO = "zero"
    COUNT = "count"  # a count above zero: a word that a zero count on its line does not cancel


@dataclass(frozen=True)
class Rule:
    name: str
    kind: Kind
    pattern: bytes
    example: str = ""
    caseless: bool = True
    role: Role = Role.WORD


def line_regex(rule: Rule) -> re.Pattern[bytes]:
    """A rule's regex as the exact path runs it on a line (``Matcher.line_kind``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set": ``[[]``
        return re.compile(rule.pattern, (re.I if rule.caseless else 0) | re.M)


def kind_of(ids: Sequence[int], rules: Sequence[Rule], detail: bool = False) -> Kind:
    """The tier of a line from the rules it hits (by index), by role (module docstring).

    A level decides (INFO with a progress form is progress); strong forms may raise it.
    ``detail``: the line has a detail level (:data:`DETAIL_START`, :data:`DETAIL_FIELD`).
    Without a level, the words decide, and a zero rule cancels the error words (one of
    warnings, the warning words), unless the line also counts some above zero (``1 failed,
    0 errors``).
    """
    level: Kind | None = None
    strong = words = Kind.NOISE
    progress = zero = zero_warn = error_word = warn_word = counted = counted_warn = False
    for i in ids:
        rule = rules[i]
        role = rule.role
        if role is Role.LEVEL:
            level = rule.kind if level is None else max(level, rule.kind)
        elif role is Role.STRONG:
            strong = max(strong, rule.kind)
        elif role is Role.ZERO:  # "0 warnings" cancels the warning words, the others the error's
            zero_warn = zero_warn or rule.kind == Kind.WARNING
            zero = zero or rule.kind != Kind.WARNING
        elif role is Role.COUNT:  # a word, and one that a zero count does not cancel
            if rule.kind == Kind.WARNING:
                counted_warn = warn_word = True
            else:
                counted = error_word = True
        elif rule.kind == Kind.PROGRESS:
            progress = True
        elif rule.kind == Kind.ERROR:
            error_word = True
        elif rule.kind == Kind.WARNING:
            warn_word = True
        else:
            words = max(words, rule.kind)
    if level is None and detail:
        level = Kind.NOISE
    if level is not None:
        return max(Kind.PROGRESS if level == Kind.INFO and progress else level, strong)
    if warn_word and (counted_warn or not zero_warn):
        words = max(words, Kind.WARNING)
    if error_word and (counted or not zero):
        words = Kind.ERROR
    if progress and words < Kind.PROGRESS:
        words = Kind.PROGRESS
    best = max(words, strong)
    return Kind.INFO if best == Kind.NOISE and (zero or zero_warn) else best


def needs_detail(ids: Sequence[int], rules: Sequence[Rule]) -> bool:
    """Whether a detail level could change this line's tier: no level and no strong form
    decides it, and a word or a progress form would raise it."""
    raises = False
    for i in ids:
        rule = rules[i]
        if rule.role is Role.LEVEL or rule.role is Role.STRONG:
            return False
        raises = raises or (
            rule.role is Role.COUNT
            or (rule.role is Role.WORD and (rule.kind != Kind.INFO or rule.name in _DETAIL_CHECKED))
        )
    return raises


# Info words whose lines a detail level keeps archive only (``DEBUG: Section 1 =====...``):
# rare lines, so the check costs nothing; the common ones (a milestone's word) skip it.
_DETAIL_CHECKED = frozenset({"heading"})
