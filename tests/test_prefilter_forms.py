"""The pure-Python matcher on forms of every shape: line-start forms (the lookahead for a
line's first bytes, a pattern's own flags) and forms searched from a literal with items
before it (the look-back for the byte before that literal), each against the exact path."""

from __future__ import annotations

import pytest
from exact_path import reference

from logtrim.engine.match.matcher import Matcher
from logtrim.engine.match.rules import RULES, extra_rules

LINE_START_FORMS = [
    r"^(?i:no)",
    r"(?i)^no",
    r"^(?i:[n-p])o",
    r"^[A-Z]{2}\d",
    r"^\s*y",
    r"^\w+=",
    r"^(?:|q)z",
    r"^$",
    r"^x?$",
    r"^(?:ab)*c",
    r"^\bw",
]
LINES = [
    *(b"", b" ", b"NOTE", b"note", b"Note x", b"nOTE", b"AB1", b"ab1", b"  y", b"\ty", b"y"),
    *(b"k=v", b"=v", b"qz", b"z", b"Z", b"x", b"X", b"ababc", b"c", b"word", b"\x1b[1mnote"),
]


@pytest.mark.parametrize("form", LINE_START_FORMS)
def test_line_start_forms_keep_every_line(form: str) -> None:
    """A line-start pass finds every line a form matches: in any case where the form ignores
    case (for itself, "(?i)^no", or in a group), after blanks, with empty, repeated or
    optional parts; and the scan gives the exact path's answers on each line."""
    matcher = Matcher((*RULES, *extra_rules([form], [])))
    assert matcher._pre is not None
    pre = matcher._pre
    assert any(pre._pieces[k].rule == len(RULES) for _, ids, _ in pre._bol for k in ids)
    for rx, ids, lowered in pre._bol:
        for line in LINES:
            hay = line.lower() if lowered else line
            alone = any(pre._pieces[k].test(hay) for k in ids)
            assert (rx.match(b"\n" + hay) is not None) == alone, (form, line, ids)
    for line in LINES:
        assert matcher.scan(line) == reference(matcher, line), (form, line)


BEFORE_LITERAL_FORMS = [
    r"[0-9]+ ?%",
    r"(?i:ab)c",
    r"(?i)[a-c]x",
    r"(?:a|bc|)d",
    r"x*y",
    r"[A-Z]:=",
    r"\d\s/",
    r"\w+@",
    r"(?:^|[^a-z])zz",
    r"[^a]b",
]
BEFORE_LITERAL_LINES = [
    *(b"45%", b"45 %", b"x %", b"%", b"abc", b"ABc", b"aBC", b"c", b"bx", b"BX", b"Cx", b"x"),
    *(b"ad", b"bcd", b"d", b"xd", b"xxy", b"y", b"A:=", b"a:=", b":=", b"1 /", b"1\t/", b"/"),
    *(b"a_1@", b"@", b"zz", b" zz", b"azz", b"Azz", b"bb", b"ab", b"\xffb", b"b"),
]


@pytest.mark.parametrize("form", BEFORE_LITERAL_FORMS)
def test_look_back_before_the_first_literal_keeps_every_line(form: str) -> None:
    """A piece searched from its first literal checks the byte before it (what the items
    before must end with): every line the form matches is still found, in any case where
    the form ignores case, after optional, repeated or alternative parts."""
    matcher = Matcher((*RULES, *extra_rules([form], [])))
    for line in BEFORE_LITERAL_LINES:
        assert matcher.scan(line) == reference(matcher, line), (form, line)
    chunk = b"\n".join(BEFORE_LITERAL_LINES)
    assert matcher.scan(chunk) == reference(matcher, chunk), form
