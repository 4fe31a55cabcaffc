"""The built-in line rules and the multi-pattern matcher that finds them in whole chunks.

Each rule is one line-local regular expression (no ``\\s``, no ``.`` across lines) with a
tier. A chunk is scanned once for all rules; only lines with a hit are looked at in Python.
Two engines give the same answers: hyperscan (a compiled multi-pattern matcher, when
installed) and Python's ``re`` (everywhere). Rule examples are in docs/policy.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .._text import COLOUR
from .kinds import Kind

__all__ = ["RULES", "Compiler", "Database", "Kind", "Matcher", "Rule", "extra_rules"]

MatchHandler = Callable[[int, int, int, int, object], object]


class Database(Protocol):
    """A compiled multi-pattern database (hyperscan's block mode)."""

    def scan(self, data: bytes, match_event_handler: MatchHandler) -> object: ...


class Compiler(Protocol):
    """Builds databases for the engine; the front ends bring one (``logtrim._matchers``).

    Either method may return None (the patterns do not compile): the engine then uses ``re``.
    """

    def rules(self, patterns: Sequence[bytes], caseless: Sequence[bool]) -> Database | None:
        """Multi-line rule patterns, each case-insensitive or not."""

    def literals(self, values: Sequence[bytes]) -> Database | None:
        """Literal byte strings (secrets: never to be written anywhere)."""


@dataclass(frozen=True)
class Rule:
    name: str
    kind: Kind
    pattern: bytes
    example: str = ""
    caseless: bool = True


_COLOUR = COLOUR.encode()
# Where a rule needs the start of a line, it allows ANSI colour codes before the text.
_BOL = rb"^(?:" + _COLOUR + rb")*[ \t]*"
# A word start that also follows a colour code: in "\x1b[31mERROR" no \b precedes the E.
_W = rb"(?:\b|" + _COLOUR + rb")"

RULES: tuple[Rule, ...] = (
    Rule("error-word", Kind.ERROR, _W + rb"error\b", "ERROR: could not connect to db-01"),
    Rule("error-count", Kind.ERROR, _W + rb"[1-9][0-9]* errors?\b", "Build finished: 3 errors"),
    Rule("npm-err", Kind.ERROR, _W + rb"npm err!", "npm ERR! code ELIFECYCLE"),
    Rule("fatal", Kind.ERROR, _W + rb"fatal\b", "fatal: [web-01]: FAILED!"),
    Rule("failed", Kind.ERROR, _W + rb"fail(ed|ure|ures)?\b", "07: Tests FAILED"),
    Rule("exception", Kind.ERROR, rb"exception\b", "System.InvalidOperationException: boom"),
    Rule("named-error", Kind.ERROR, rb"[a-z]error:", "ValueError: invalid literal"),
    Rule(
        "traceback",
        Kind.ERROR,
        rb"traceback \(most recent call last\)",
        "Traceback (most recent call last):",
    ),
    Rule("panic", Kind.ERROR, _W + rb"panic:", "panic: runtime error: index out of range"),
    Rule(
        "crash",
        Kind.ERROR,
        rb"segmentation fault|core dumped|\bkilled\b|out of memory",
        "Segmentation fault (core dumped)",
    ),
    Rule("critical", Kind.ERROR, _W + rb"critical\b", "CRITICAL: disk /var is full"),
    Rule(
        "exit-code",
        Kind.ERROR,
        rb"(exit|return)(ed)? (with )?(code|status) -?[1-9]|non-zero (exit|return)",
        "The remote script failed with exit code 3",
    ),
    Rule(
        "cannot",
        Kind.ERROR,
        _W + rb"(cannot|can't|could not|couldn't|unable to)\b",
        "cp: cannot stat '/tmp/x': No such file or directory",
    ),
    Rule(
        "denied",
        Kind.ERROR,
        rb"permission denied|access denied|not found\b|timed? ?out\b",
        "curl: (28) Operation timed out",
    ),
    Rule("warning", Kind.WARNING, _W + rb"warn(ing|ings)?\b", "WARNING: disk 91% full"),
    Rule("deprecated", Kind.WARNING, _W + rb"deprecat", "DeprecationWarning: use load() instead"),
    # No word boundary before the digits: hyperscan scans 2x faster without it.
    Rule("percent", Kind.PROGRESS, rb"[0-9](\.[0-9]+)? ?%", "Uploading package 45%"),
    Rule(
        "fraction",
        Kind.PROGRESS,
        rb"[\[(][ \t]*[0-9]+[ \t]*/[ \t]*[0-9]+[ \t]*[\])]",
        "[12/40] Deploying web-03",
    ),
    Rule("of-total", Kind.PROGRESS, _W + rb"[0-9]+ of [0-9]+\b", "Copied 12 of 40 files"),
    Rule(
        "banner",
        Kind.INFO,
        _BOL + rb"(==+|\+\+\+|---|\*\*\*|###*|>>>|\[?step\b|stage\b)",
        "=== Deploying release 1.4.2 to Production ===",
    ),
    Rule(
        "milestone",
        Kind.INFO,
        _BOL + rb"(starting|started|finished|completed?|deploying|deployed|success\w*)\b",
        "Deployed web-01 in 12.4s",
    ),
    # Zero counts are not failures: "0 errors", "failed: 0", "no errors". Demotes the weak
    # error words on the same line (see ``Matcher.kind_of``).
    Rule(
        "zero-count",
        Kind.NOISE,
        rb"\b0 (errors?|failed|failures?)\b|\b(errors?|failed|failures?)[:=] ?0\b|"
        rb"\bno errors?\b|\bwithout errors?\b",
        "Tests: 120 passed, 0 failed",
    ),
)


def extra_rules(keep: Sequence[str], markers: Sequence[bytes]) -> list[Rule]:
    """The user's ``--keep`` rules, and a rule for each CI command marker."""
    rules = [Rule(f"keep-{i}", Kind.KEEP, p.encode(), caseless=False) for i, p in enumerate(keep)]
    return rules + [Rule("cmd", Kind.SERVICE, re.escape(m), caseless=False) for m in markers]


_WEAK = frozenset({"error-word", "failed", "error-count"})
_ZERO = next(i for i, rule in enumerate(RULES) if rule.name == "zero-count")


def _kind_of(ids: Sequence[int], rules: Sequence[Rule]) -> Kind:
    names = {rules[i].name for i in ids}
    best = Kind.NOISE
    demote = "zero-count" in names
    for i in ids:
        rule = rules[i]
        if demote and rule.name in _WEAK:
            continue
        best = max(best, rule.kind)
    if best == Kind.NOISE and demote:
        return Kind.INFO
    return best


class Matcher:
    """Finds the lines of a chunk that hit a rule, and the best tier each one hits.

    ``scan(chunk)`` returns ``[(line_start, kind), ...]`` in order, for lines whose kind is
    not NOISE, computed identically with a compiled database (``compiler``) and with ``re``.
    """

    def __init__(self, rules: Sequence[Rule] = RULES, *, compiler: Compiler | None = None) -> None:
        self.rules = tuple(rules)
        # The tier of a line that hits one rule only (the common case).
        self._single = tuple(_kind_of([i], self.rules) for i in range(len(self.rules)))
        self._res = [
            re.compile(rule.pattern, (re.I if rule.caseless else 0) | re.M) for rule in self.rules
        ]
        self._any = re.compile(
            b"|".join((b"(?i:" if r.caseless else b"(?:") + r.pattern + b")" for r in self.rules),
            re.M,
        )
        self._hs: Database | None = None
        if compiler is not None:
            self._hs = compiler.rules(
                [r.pattern for r in self.rules], [r.caseless for r in self.rules]
            )
        self.engine = "re" if self._hs is None else "hyperscan"

    def line_kind(self, line: bytes) -> Kind:
        """The tier of one line (the slow, exact path; same answer as ``scan``)."""
        ids = [i for i, regex in enumerate(self._res) if regex.search(line)]
        return _kind_of(ids, self.rules) if ids else Kind.NOISE

    def scan(self, chunk: bytes) -> list[tuple[int, Kind]]:
        if self._hs is not None:
            return self._scan_hs(self._hs, chunk)
        found: list[tuple[int, Kind]] = []
        last = -1
        for match in self._any.finditer(chunk):
            start = chunk.rfind(b"\n", 0, match.start()) + 1
            if start == last:
                continue
            last = start
            end = chunk.find(b"\n", start)
            kind = self.line_kind(chunk[start : end if end >= 0 else len(chunk)])
            if kind != Kind.NOISE:
                found.append((start, kind))
        return found

    def _scan_hs(self, db: Database, chunk: bytes) -> list[tuple[int, Kind]]:
        hits: dict[int, list[int]] = {}
        rfind = chunk.rfind

        def on_match(rule_id: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            # ``to`` is one past the match; a match never spans lines, so its line starts
            # after the last newline before it.
            start = rfind(b"\n", 0, to - 1) + 1 if to else 0
            hits.setdefault(start, []).append(rule_id)

        db.scan(chunk, match_event_handler=on_match)
        found: list[tuple[int, Kind]] = []
        rules, single = self.rules, self._single
        for start in sorted(hits):
            ids = hits[start]
            kind = single[ids[0]] if len(ids) == 1 else _kind_of(ids, rules)
            if kind != Kind.NOISE:
                found.append((start, kind))
        return found
