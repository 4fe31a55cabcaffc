"""The built-in rules: each documented example gets its tier, on both matcher engines."""

from __future__ import annotations

import re

import pytest

from logtrim._matchers import compiler
from logtrim.engine.rules import RULES, Kind, Matcher

ENGINES = ["re"] + (["hyperscan"] if compiler() is not None else [])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_each_example_gets_its_tier(rule, engine: str) -> None:
    """The example line in docs/reference.md is classified as the rule says."""
    matcher = Matcher(compiler=compiler(engine))
    assert re.search(rule.pattern, rule.example.encode(), re.I | re.M), rule.name
    expected = Kind.INFO if rule.name == "zero-count" else rule.kind
    assert matcher.line_kind(rule.example.encode()) == expected
    chunk = b"noise before\n" + rule.example.encode() + b"\nnoise after\n"
    assert matcher.scan(chunk) == [(13, expected)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (b"\x1b[31mERROR\x1b[0m: coloured", Kind.ERROR),
        (b"loading ErrorPageRenderer.dll", Kind.NOISE),
        (b"Build: 0 errors, 3 warnings", Kind.WARNING),
        (b"Tests: 120 passed, 0 failed", Kind.INFO),
        (b"copying /var/www/app/static/main.css", Kind.NOISE),
        (b"  42%|####      | 42/100", Kind.PROGRESS),
    ],
)
def test_tricky_lines(engine: str, line: bytes, kind: Kind) -> None:
    """Colour codes, words inside names and zero counts do not fool the rules."""
    assert Matcher(compiler=compiler(engine)).line_kind(line) == kind
    assert [k for _, k in Matcher(compiler=compiler(engine)).scan(line + b"\n")] == (
        [kind] if kind != Kind.NOISE else []
    )
