"""Secrets spelled in the escapes a CI server undoes: masked wherever that server reads them.

GitHub's runner splits ``::name k=v,k=v::data`` at the first ``::`` and each property at
``,``, so ``;``, ``]`` and a lone ``:`` are plain characters in a value, and it undoes ``%3A``,
``%2C``, ``%0D``, ``%0A``, ``%25`` there (``%0D %0A %25`` in data; the older
``##[name k=v;k=v]`` form also ``%3B``, ``%5D``). Azure's agent undoes ``%AZP25 %0D %0A %5D
%3B`` in a ``##vso[...]`` command's values and data. TeamCity reads a quoted value to its
closing quote and undoes ``|'``, ``|n``, ``|r``, ``|[``, ``|]``, ``||``, ``|x``, ``|l``,
``|p`` and ``|0xNNNN``. A secret written with any mix of those (each character escaped or
not) must not reach the console or the archive in any form the server decodes back to it.

The parsers below are written from the servers' sources (actions/runner ``ActionCommand.cs``,
the Azure agent's ``CommandStringConvertor``, JetBrains' service message parser), apart from
logtrim's own. The properties drive the engine; the end-to-end tests run real child processes.
"""

from __future__ import annotations

import functools
import re

import pytest
from conftest import RunLogtrim, examples, py
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from logtrim.dialects import DIALECTS
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.policy import Policy

PROPERTY = settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# -- the servers' parsers ------------------------------------------------------------------


def _replace_all(text: str, pairs: list[tuple[str, str]]) -> str:
    for escaped, plain in pairs:  # the runner's order: one ordinal Replace after another
        text = text.replace(escaped, plain)
    return text


_GH_PROP = [("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")]
_GH_DATA = [("%0D", "\r"), ("%0A", "\n"), ("%25", "%")]
_GH_V1 = [("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%25", "%")]


def github_values(line: str) -> list[str]:
    """Every property value and the data of the command on ``line``, as the runner reads
    them (``TryParseV2``, then ``TryParse``), whatever its name."""
    text = line.lstrip()
    if text.startswith("::") and (end := text.find("::", 2)) >= 0:
        info = text[2:end]
        props = info.split(" ", 1)[1].strip() if " " in info else ""
        values = [p.split("=", 1)[1] for p in props.split(",") if "=" in p]
        return [_replace_all(v, _GH_PROP) for v in values] + [
            _replace_all(text[end + 2 :], _GH_DATA)
        ]
    start = line.find("##[")
    end = line.find("]", start) if start >= 0 else -1
    if end < 0:
        return []
    info = line[start + 3 : end]
    props = info.split(" ", 1)[1] if " " in info else ""
    values = [p.split("=", 1)[1] for p in props.split(";") if "=" in p]
    return [_replace_all(v, _GH_V1) for v in [*values, line[end + 1 :]]]


_AZURE = [("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%AZP25", "%")]


def azure_values(line: str) -> list[str]:
    """Every property value and the data of a ``##vso[...]`` command, as the agent reads them."""
    start = line.lower().find("##vso[")
    end = line.find("]", start) if start >= 0 else -1
    if end < 0:
        return []
    info = line[start + 6 : end]
    props = info.split(" ", 1)[1] if " " in info else ""
    values = [p.split("=", 1)[1] for p in props.split(";") if "=" in p]
    return [_replace_all(v, _AZURE) for v in [*values, line[end + 1 :]]]


_TC_NAMED = {"n": "\n", "r": "\r", "x": "\x85", "l": "\u2028", "p": "\u2029"}


def teamcity_decode(value: str) -> str:
    units: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        if (
            char == "|"
            and value[i + 1 : i + 3] == "0x"
            and re.fullmatch("[0-9a-fA-F]{4}", value[i + 3 : i + 7])
        ):
            units.append(chr(int(value[i + 3 : i + 7], 16)))
            i += 7
        elif char == "|" and i + 1 < len(value):
            units.append(_TC_NAMED.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            units.append(char)
            i += 1
    return "".join(units).encode("utf-16", "surrogatepass").decode("utf-16")


def teamcity_values(line: str) -> list[str]:
    """Every quoted value of every message on ``line``, decoded as TeamCity decodes it."""
    out = []
    for start in (m.end() for m in re.finditer(re.escape("##teamcity["), line)):
        for value in re.finditer(r"'((?:[^'|]|\|.)*)'", line[start : _end(line, start)]):
            out.append(teamcity_decode(value.group(1)))
    return out


def _end(line: str, start: int) -> int:
    """Where a message ends: its first ']' outside quotes (or the line's end)."""
    quoted = False
    i = start
    while i < len(line):
        if quoted and line[i] == "|":
            i += 2
            continue
        if line[i] == "'":
            quoted = not quoted
        elif line[i] == "]" and not quoted:
            return i
        i += 1
    return len(line)


def decoded(data: bytes) -> list[str]:
    """Each line of ``data``, and every value the servers read in it."""
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        out += [line, *github_values(line), *azure_values(line), *teamcity_values(line)]
    return out


# -- spellings -----------------------------------------------------------------------------

SECRET_CHARS = st.characters(
    min_codepoint=0x20, max_codepoint=0x7E, include_characters="éß€😀\u2028\x85"
)
SECRETS = st.text(SECRET_CHARS, min_size=4, max_size=12).filter(lambda s: len(s.strip()) >= 4)


def _pick(draw: st.DrawFn, choices: list[str]) -> str:
    return choices[draw(st.integers(0, len(choices) - 1))]


def _tc_hex(draw: st.DrawFn, char: str) -> str:
    units = char.encode("utf-16-be", "surrogatepass")
    hexes = [units[i : i + 2].hex() for i in range(0, len(units), 2)]
    upper = draw(st.booleans())
    return "".join(f"|0x{h.upper() if upper else h}" for h in hexes)


@st.composite
def teamcity_spelling(draw: st.DrawFn, secret: str) -> str:
    named = {"|": "||", "'": "|'", "[": "|[", "]": "|]", "\x85": "|x", "\u2028": "|l"}
    out = []
    for char in secret:
        choices = [_tc_hex(draw, char)]
        if char in named:
            choices.append(named[char])
        if char not in "|'":
            choices.append(char)
        out.append(_pick(draw, choices))
    return "".join(out)


@st.composite
def percent_spelling(draw: st.DrawFn, secret: str, table: list[tuple[str, str]]) -> str:
    """Each character as it is or in the escape the runner undoes there (``must``: no raw)."""
    escapes = {plain: escaped for escaped, plain in table}
    must = {",", "\r", "\n"} if table is _GH_PROP else {"\r", "\n"}
    if table is _GH_V1 or table is _AZURE:
        must |= {";", "]"}
    out = []
    for char in secret:
        choices = [escapes[char]] if char in escapes else []
        if char not in must:
            choices.append(char)
        out.append(_pick(draw, choices))
    return "".join(out)


@st.composite
def spelled_lines(draw: st.DrawFn) -> tuple[str, str]:
    """(secret, a line of a command carrying it in one of the servers' spellings)."""
    secret = draw(SECRETS)
    place = draw(st.sampled_from(["gh-property", "gh-data", "gh-v1", "azure", "teamcity"]))
    if place == "teamcity":
        value = draw(teamcity_spelling(secret))
        line = f"##teamcity[buildProblem description='login failed: {value}' identity='x']"
        assume(teamcity_values(line)[0] == f"login failed: {secret}")
    elif place == "gh-property":
        value = draw(percent_spelling(secret, _GH_PROP))
        line = f"::error file=app.py,title=Login {value} rejected::see log"
        assume(github_values(line)[:2] == ["app.py", f"Login {secret} rejected"])
    elif place == "gh-data":
        value = draw(percent_spelling(secret, _GH_DATA))
        line = f"::warning title=x::login {value} failed"
        assume(github_values(line) == ["x", f"login {secret} failed"])
    elif place == "azure":
        value = draw(percent_spelling(secret, _AZURE))
        line = f"##vso[task.logissue type=error;sourcepath={value}]login {value} failed"
        assume(azure_values(line) == ["error", secret, f"login {secret} failed"])
    else:
        value = draw(percent_spelling(secret, _GH_V1))
        line = f"##[error title={value};code=2]login {value} failed"
        assume(github_values(line) == [secret, "2", f"login {secret} failed"])
    # A secret that is the syntax itself is kept there (test_message_masking.py).
    assume(secret.lower() not in line.replace(value, "\0").lower())
    return secret, line


def _run_of(data: bytes, ci: str, masks: tuple[str, ...] = ()) -> tuple[bytes, bytes]:
    """(console, archive) of a failed run of ``data`` in the ``ci`` dialect."""
    core = Core(Policy(budget=4096, masks=masks), DIALECTS[ci](), max_pending=256)
    archive, emits = core.feed(STDOUT, data, 0.0)
    arch, more = core.finish_input(0.0)
    closing, _ = core.close(1, 0.0, timed=False)
    return b"".join(d for _, d in [*emits, *more, *closing]), archive + arch


@functools.cache
def _own_words(ci: str) -> str:
    """What logtrim itself writes around a run: a secret that is one of its words ("line",
    "shown") is found there whatever the child printed."""
    return _run_of(b"start\nx\nERROR: end\n", ci)[0].decode()


@PROPERTY
@given(
    spelled=spelled_lines(), ci=st.sampled_from(["github", "teamcity", "plain", "azure", "octopus"])
)
@example(  # GitHub's older form, which Azure's formatting commands share, escaped GitHub's way
    spelled=("0000000%%0", "##[error title=0000000%25%0;code=2]login 0000000%25%0 failed"),
    ci="azure",
)
def test_a_secret_in_any_spelling_its_server_decodes_is_masked(
    spelled: tuple[str, str], ci: str
) -> None:
    secret, line = spelled
    assume(secret not in _own_words(ci))
    console, archive = _run_of(f"start\n{line}\nERROR: end\n".encode(), ci, (secret,))
    for shown in (console, archive):
        assert not [v for v in decoded(shown) if secret in v], shown
    assert b"ERROR: end" in console


# -- end to end ----------------------------------------------------------------------------

GH_LINES = [
    "::error title=Login p4ss;w0rd! rejected::see log",
    "::error file=app.py,title=p4ss]w0rd!::see log",
    "::error file=app.py,title=p4ss%3Bw0rd!::x",  # no escape there: as written
    "::warning title=a:p4ss;w0rd!%3Ab::c",
    "##[error code=p4ss%3Bw0rd!]said p4ss%5Dw0rd!",
    "##vso[task.logissue type=error;code=p4ss%3Bw0rd!]said p4ss%5Dw0rd! %AZP25",
]
TC_LINES = [
    "##teamcity[buildProblem description='login failed: p4ss|]w0rd!']",
    "##teamcity[message text='p4ss|]w0rd!' status='ERROR']",
    "##teamcity[message text='p4ss|0x005Dw0rd! and p|0x0034ss;w0rd!' status='ERROR']",
    "##teamcity[message text='p4ss]w0rd!' status='ERROR']",
]


@pytest.mark.parametrize("ci", ["github", "teamcity", "azure", "plain"])
def test_secrets_in_escaped_command_values_are_masked_end_to_end(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    lines = [*GH_LINES, *TC_LINES]
    child = py(f"print({chr(10).join(lines)!r}); print('ERROR: failed'); raise SystemExit(3)")
    result = run_logtrim("--mask", "p4ss;w0rd!", "--mask", "p4ss]w0rd!", "--ci", ci, "--", *child)
    assert result.code == 3
    for shown in (result.stdout, result.archive):
        leaks = [v for v in decoded(shown) if "p4ss;w0rd!" in v or "p4ss]w0rd!" in v]
        assert not leaks, shown
    if ci == "github":  # the commands still parse, the rest of their values kept
        assert b"::error title=Login ******** rejected::see log" in result.stdout
        assert b"::error file=app.py,title=********::see log" in result.stdout
    if ci == "teamcity":
        assert b"##teamcity[buildProblem description='login failed: ********']" in result.stdout
