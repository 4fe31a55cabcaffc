"""The built-in line rules and the multi-pattern matcher that finds them in whole chunks.

Each rule is one line-local regular expression (no ``\\s``, no ``.`` across lines) with a
tier. A chunk is scanned once for all rules; only lines with a hit are looked at in Python.
Two engines give the same answers: hyperscan (a compiled multi-pattern matcher, when
installed) and Python's ``re`` (everywhere). Rule examples are in docs/policy.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any


class Kind(IntEnum):
    """What a line is, lowest tier first: the order in which tiers go when the budget runs low."""

    NOISE = 0  # detail: archive only
    PROGRESS = 1
    INFO = 2
    WARNING = 3
    ERROR = 4
    KEEP = 5  # always shown (``--keep``, node headers of a task log)
    SERVICE = 6  # a CI service message: verbatim, never dropped for budget


@dataclass(frozen=True)
class Rule:
    name: str
    kind: Kind
    pattern: bytes
    example: str = ""
    caseless: bool = True


# Where a rule needs the start of a line, it allows ANSI colour codes before the text.
_BOL = rb"^(?:\x1b\[[0-9;]*m)*[ \t]*"
# A word start that also follows a colour code: in "\x1b[31mERROR" no \b precedes the E.
_W = rb"(?:\b|\x1b\[[0-9;]*m)"

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
    not NOISE, computed identically by the hyperscan and ``re`` engines.
    """

    def __init__(self, rules: Sequence[Rule] = RULES, *, engine: str = "auto") -> None:
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
        self.engine = "re"
        self._hs: Any = None  # a hyperscan.Database, when hyperscan is installed
        if engine != "re" and not os.environ.get("LOGTRIM_NO_HYPERSCAN"):
            self._hs = _compile_hyperscan(self.rules)
            if self._hs is not None:
                self.engine = "hyperscan"
        if engine == "hyperscan" and self._hs is None:
            raise RuntimeError("hyperscan is not installed")

    def line_kind(self, line: bytes) -> Kind:
        """The tier of one line (the slow, exact path; same answer as ``scan``)."""
        ids = [i for i, regex in enumerate(self._res) if regex.search(line)]
        return _kind_of(ids, self.rules) if ids else Kind.NOISE

    def scan(self, chunk: bytes) -> list[tuple[int, Kind]]:
        if self._hs is not None:
            return self._scan_hs(chunk)
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

    def _scan_hs(self, chunk: bytes) -> list[tuple[int, Kind]]:
        hits: dict[int, list[int]] = {}
        rfind = chunk.rfind

        def on_match(rule_id: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            # ``to`` is one past the match; a match never spans lines, so its line starts
            # after the last newline before it.
            start = rfind(b"\n", 0, to - 1) + 1 if to else 0
            hits.setdefault(start, []).append(rule_id)

        self._hs.scan(chunk, match_event_handler=on_match)
        found: list[tuple[int, Kind]] = []
        rules, single = self.rules, self._single
        for start in sorted(hits):
            ids = hits[start]
            kind = single[ids[0]] if len(ids) == 1 else _kind_of(ids, rules)
            if kind != Kind.NOISE:
                found.append((start, kind))
        return found


def _compile_hyperscan(rules: Sequence[Rule]) -> Any:
    """A hyperscan database for the rules, or None; cached on disk (compiling costs ~60 ms)."""
    try:
        import hyperscan
    except ImportError:
        return None
    flags = [
        hyperscan.HS_FLAG_MULTILINE | (hyperscan.HS_FLAG_CASELESS if r.caseless else 0)
        for r in rules
    ]
    version = getattr(hyperscan, "__version__", "")
    key = hashlib.sha256(repr((version, [r.pattern for r in rules], flags)).encode())
    cache = _cache_dir() / f"rules-{key.hexdigest()[:24]}.hsdb"
    with contextlib.suppress(Exception):
        db = hyperscan.loadb(cache.read_bytes(), hyperscan.HS_MODE_BLOCK)
        db.scratch = hyperscan.Scratch(db)  # a loaded database comes without scratch space
        db.scan(b"warm-up\n", match_event_handler=lambda *_: None)
        return db
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        db.compile(
            expressions=[rule.pattern for rule in rules],
            ids=list(range(len(rules))),
            elements=len(rules),
            flags=flags,
        )
    except hyperscan.error:
        # A user rule hyperscan cannot compile (lookaround, backreference): use ``re``.
        return None
    with contextlib.suppress(OSError):  # a read-only home only costs the compile next time
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(hyperscan.dumpb(db))
        tmp.replace(cache)
        # One file per rule set (--keep rules make new ones): keep the 16 newest.
        files = sorted(cache.parent.glob("rules-*.hsdb"), key=lambda p: p.stat().st_mtime)
        for old in files[:-16]:
            old.unlink()
    return db


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "logtrim"
