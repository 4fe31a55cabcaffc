"""Escaping for each system's commands, plus one-line and markdown helpers.

Every function maps a value in one pass (``str.translate`` or one regex), so the order of the
rules can never double-escape. Rules, from each system's own sources:

* GitHub (actions/toolkit ``command.ts``): data ``%`` ``CR`` ``LF``; properties also ``:`` ``,``.
* Azure (agent ``CommandStringConvertor``): ``%`` -> ``%AZP25``, ``CR``, ``LF``; properties also
  ``]`` ``;``. The agent unescapes data and properties alike.
* TeamCity (service messages): ``|`` is the escape for ``| ' [ ] CR LF``. Non-ASCII is written
  as is (UTF-8), which TeamCity reads; the optional ``|0xNNNN`` form is never used.
"""

from __future__ import annotations

import re
from typing import AnyStr

from .._regex import lazy
from .._text import ANSI_TEXT as _ANSI
from .._text import inert, one_line

_GH_DATA = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_GH_PROP = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"})
_GH_UNDATA = lazy("%25|%0D|%0A")
_GH_UNDATA_MAP = {"%25": "%", "%0D": "\r", "%0A": "\n"}

_AZ_DATA = str.maketrans({"%": "%AZP25", "\r": "%0D", "\n": "%0A"})
_AZ_PROP = str.maketrans({"%": "%AZP25", "\r": "%0D", "\n": "%0A", "]": "%5D", ";": "%3B"})
_AZ_UN = lazy("%AZP25|%0D|%0A|%5D|%3B")
_AZ_UN_MAP = {"%AZP25": "%", "%0D": "\r", "%0A": "\n", "%5D": "]", "%3B": ";"}

_TC = str.maketrans({"|": "||", "'": "|'", "\n": "|n", "\r": "|r", "[": "|[", "]": "|]"})

_NEWLINES = lazy(r"\s*[\r\n]+\s*")

REASON_LIMIT = 500


def gh_data(value: str) -> str:
    return value.translate(_GH_DATA)


def gh_property(value: str) -> str:
    return value.translate(_GH_PROP)


def gh_unescape_data(value: str) -> str:
    return _GH_UNDATA.sub(lambda m: _GH_UNDATA_MAP[m.group()], value)


# The runner's older ``##[name]data`` form, undone one escape after another, in its order.
_GH_V1_STEPS = (("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%25", "%"))


def gh_unescape_v1(value: str) -> str:
    for escaped, plain in _GH_V1_STEPS:
        value = value.replace(escaped, plain)
    return value


def gh_command(name: str, data: str, /, **props: str) -> str:
    """``::name k=v,k2=v2::data`` with every value escaped."""
    joined = ",".join(f"{key}={gh_property(value)}" for key, value in props.items())
    return f"::{name}{' ' + joined if joined else ''}::{gh_data(data)}"


def azure_data(value: str) -> str:
    return value.translate(_AZ_DATA)


def azure_property(value: str) -> str:
    return value.translate(_AZ_PROP)


def azure_unescape(value: str) -> str:
    return _AZ_UN.sub(lambda m: _AZ_UN_MAP[m.group()], value)


def azure_command(name: str, data: str, /, **props: str) -> str:
    """``##vso[area.action k=v;k2=v2]data`` with every value escaped."""
    joined = ";".join(f"{key}={azure_property(value)}" for key, value in props.items())
    return f"##vso[{name}{' ' + joined if joined else ''}]{azure_data(data)}"


def tc_value(value: str) -> str:
    return value.translate(_TC)


def tc_message(name: str, /, *value: str, **attrs: str) -> str:
    """``##teamcity[name 'value']`` (one positional value) or ``##teamcity[name k='v' ...]``."""
    if value:
        return f"##teamcity[{name} '{tc_value(value[0])}']"
    parts = "".join(f" {key}='{tc_value(val)}'" for key, val in attrs.items())
    return f"##teamcity[{name}{parts}]"


def reason_line(reason: str, limit: int = REASON_LIMIT, *, encoded: bool = False) -> str:
    """A failure reason as one line of at most ``limit`` characters, with no CI command in
    it; ``encoded``: it goes out base64-encoded (Octopus's ``resultMessage``), where no CI
    reads a command: a ``##[error]`` in it stays as written (not ``\\x23#[error]``)."""
    text = _NEWLINES.sub(" ", _ANSI.sub("", reason)).strip()
    text = one_line(text) if encoded else inert(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_text(reason: str | None, exit_code: int) -> str:
    """The one-line reason a failed run reports; the exit code when no reason is known."""
    return reason_line(reason or "") or f"exited with code {exit_code}"


def md_text(text: str) -> str:
    """Markdown-inert text: every ASCII punctuation character backslash-escaped (CommonMark)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", one_line(_ANSI.sub("", text)))


def md_code_span(text: str) -> str:
    """An inline code span that no backtick run inside ``text`` can close early."""
    text = one_line(text)
    runs = [len(run) for run in re.findall("`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_fenced(lines: list[str]) -> str:
    """A fenced code block whose fence is longer than any backtick run in ``lines``."""
    body = [one_line(_ANSI.sub("", line)) for line in lines]
    runs = [len(run) for line in body for run in re.findall("`+", line)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return "\n".join([f"{fence}text", *body, fence])


def wildcard_safe(path: str, specials: str) -> str:
    """``path`` as a pattern that still matches it: each special character becomes ``?``.

    Used where a path is read as a pattern list with no escape syntax (TeamCity path rules,
    ``buildkite-agent artifact upload``); ``?`` matches the one character it replaces.
    """
    return "".join("?" if char in specials else char for char in path)


def unescaped(data: AnyStr, char: AnyStr, escape: AnyStr, before: bool = False) -> tuple[int, bool]:
    """Where the first ``char`` in ``data`` that ``escape`` does not escape is (-1: none; an
    odd run of ``escape`` right before it escapes it, TeamCity's ``|]``), and, when there is
    none, whether ``data`` ends in an open escape. ``before``: the text before ``data`` did
    (a command passing in parts)."""
    at = data.find(char)
    if not escape:
        return at, False
    while at >= 0 and _escaped(data, at, escape, before):
        at = data.find(char, at + 1)
    return at, at < 0 and _escaped(data, len(data), escape, before)


def _escaped(data: AnyStr, at: int, escape: AnyStr, before: bool) -> bool:
    """Whether what is at ``at`` follows an odd run of ``escape`` (``before``: counting an
    open one before ``data`` when the run reaches its start)."""
    run = 0
    while run < at and data[at - run - 1 : at - run] == escape:
        run += 1
    return bool((run + (before and run == at)) % 2)
