"""A secret split by an escape code of any class, through a real ``logtrim run``: a terminal
swallows the code and shows the secret whole, so neither the console nor the archive may
hold it, whatever the writes (docs/masking.md; the grammar: ECMA-48, xterm's ctlseqs)."""

from __future__ import annotations

import json
import sys

import pytest
import terminal
from conftest import RunLogtrim

SECRET = "Sup3rSecretValue42"
HEAD, TAIL = SECRET[:5], SECRET[5:]

# Each code between the secret's two halves, written in pieces with pauses: cut before the
# code, inside it (an ST's ESC alone at a write's end) and after it.
STEP = """
import sys, time
codes = {codes!r}
for i, code in enumerate(codes):
    line = ("line %d: " % i).encode() + {head!r} + code + {tail!r} + b" end\\n"
    for cut in sorted({{len(line) // 3, 9 + len(code), 9 + len(code) - 1}}):
        sys.stdout.buffer.write(line[:cut]); sys.stdout.flush(); time.sleep(0.01)
        line = line[cut:]
    sys.stdout.buffer.write(line); sys.stdout.flush()
"""


@pytest.mark.parametrize("ci", ["plain", "github"])
def test_a_secret_split_by_any_escape_code_is_masked_on_console_and_archive(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    codes = terminal.CODES
    step = STEP.format(codes=codes, head=HEAD.encode(), tail=TAIL.encode())
    result = run_logtrim("--ci", ci, "--mask", SECRET, "--", sys.executable, "-c", step)
    assert result.code == 0, result.stderr
    for text in (result.stdout, result.archive):
        assert terminal.shown(text).count(b"********") == len(codes), text
        assert SECRET.encode() not in terminal.shown(text)
    assert result.archive.count(b" end\n") == len(codes)


# A title ended by ST, then lines, then one ended by BEL: the ST-ended one was read up to the
# BEL, lines away, so those lines were masked whole as one span in some runs, not in others.
LINES = (
    b"st: " + HEAD.encode() + b"\x1b]0;title\x1b\\" + TAIL.encode() + b"\n"
    b"plain line one\nplain line two\n"
    b"bel: \x1b]0;t\x07done\n"
)


def test_a_title_ended_by_st_does_not_swallow_the_lines_after_it(run_logtrim: RunLogtrim) -> None:
    step = f"import sys; sys.stdout.buffer.write({LINES!r})"
    result = run_logtrim("--ci", "plain", "--mask", SECRET, "--", sys.executable, "-c", step)
    assert result.code == 0, result.stderr
    expected = b"st: ********\nplain line one\nplain line two\nbel: \x1b]0;t\x07done\n"
    assert result.archive == expected
    assert result.stdout.startswith(expected)


@pytest.mark.parametrize(
    "secret",
    [
        'pa"ss\\wo\trd-Zq9',  # a quote, a backslash, a tab: escaped in a JSON string
        "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----",  # \n escaped
        "pässwörd-Zq9-123",  # \u00e4 with json.dumps' default ensure_ascii
    ],
)
def test_a_secret_a_json_writer_escaped_is_masked(run_logtrim: RunLogtrim, secret: str) -> None:
    """A structured log or a config dump prints a secret as a JSON string writes it: a quote,
    a backslash, a newline or a character past ASCII escaped. Those forms reached the console
    and the archive unmasked (only the raw value was a form)."""
    code = (
        "import json, sys\n"
        "s = sys.argv[1]\n"
        "print(json.dumps({'password': s}))\n"
        "print(json.dumps({'password': s}, ensure_ascii=False))\n"
        "print(json.dumps({'msg': 'body ' + json.dumps({'password': s})}))\n"  # JSON in JSON
    )
    result = run_logtrim("--mask", secret, "--", sys.executable, "-c", code, secret)
    assert result.code == 0
    for escaped in (json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]):
        for text in (result.stdout, result.stderr, result.archive):
            assert escaped.encode() not in text
            assert json.dumps(escaped)[1:-1].encode() not in text
    assert result.stdout.count(b'{"password": "********"}') == 2
    assert b'{"msg": "body {\\"password\\": \\"********\\"}"}' in result.stdout


# Each JSON writer's default escapes of SECRET_JSON, as the writer prints them (Go's
# encoding/json HTML-escapes <, > and &; Gson also = and '; .NET's System.Text.Json escapes
# HTML's characters, + and everything past ASCII with upper-case hex; PHP's json_encode
# escapes / and everything past ASCII). An AWS-style key holds / and +, base64 ends in =.
SECRET_JSON = "wJal/rXUtn+FEMI&K7MDENG=bPxRfiCYä"
WRITTEN = {
    "go": rb"wJal/rXUtn+FEMI\u0026K7MDENG=bPxRfiCY" + "ä".encode(),
    "gson": rb"wJal/rXUtn+FEMI\u0026K7MDENG\u003dbPxRfiCY" + "ä".encode(),
    "dotnet": rb"wJal/rXUtn\u002BFEMI\u0026K7MDENG=bPxRfiCY\u00E4",
    "php": rb"wJal\/rXUtn+FEMI&K7MDENG=bPxRfiCY\u00e4",
    "go in go": rb"wJal/rXUtn+FEMI\\u0026K7MDENG=bPxRfiCY" + "ä".encode(),
}


def test_a_secret_as_go_gson_dotnet_and_php_write_json_is_masked(run_logtrim: RunLogtrim) -> None:
    """A service in Go, Java, .NET or PHP logs JSON with its writer's own escapes: those
    forms of a key holding ``/``, ``+``, ``&`` or ``=`` reached the console and the archive
    unmasked (only json.dumps' and JSON.stringify's forms were masked)."""
    lines = b"".join(b'{"writer":"%s","key":"%s"}\n' % (k.encode(), v) for k, v in WRITTEN.items())
    code = f"import sys; sys.stdout.buffer.write({lines!r})"
    result = run_logtrim("--mask", SECRET_JSON, "--", sys.executable, "-c", code)
    assert result.code == 0, result.stderr
    for text in (result.stdout, result.archive):
        for form in WRITTEN.values():
            assert form not in text
        assert text.count(b'"key":"********"}') == len(WRITTEN), text
