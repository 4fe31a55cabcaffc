"""Independent readers (and writers) of each CI system's commands, written from their specs.

They deliberately share no code with ``logtrim.dialects``: a test that encodes with logtrim
and decodes here checks logtrim against the systems' rules, not against itself. Each decoder
is strict: anything the system would misread raises ``ValueError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Command:
    name: str
    props: dict[str, str] = field(default_factory=dict)
    data: str | None = None


def _unescape(text: str, table: dict[str, str]) -> str:
    """Scan left to right, replacing each escape token of ``table`` once."""
    out: list[str] = []
    i = 0
    while i < len(text):
        for token, char in table.items():
            if text.startswith(token, i):
                out.append(char)
                i += len(token)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


# GitHub (actions/toolkit command.ts, runner ActionCommand.cs)
_GH_DATA = {"%25": "%", "%0D": "\r", "%0A": "\n"}
_GH_PROP = {**_GH_DATA, "%3A": ":", "%2C": ","}


def encode_github_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def parse_github(line: str) -> Command:
    """``::name k=v,k2=v2::data``: the command ends at the first ``::`` after the name."""
    if not line.startswith("::") or "\n" in line or "\r" in line:
        raise ValueError(f"not a one-line workflow command: {line!r}")
    end = line.index("::", 2)
    name, _, raw_props = line[2:end].partition(" ")
    props: dict[str, str] = {}
    for pair in raw_props.split(",") if raw_props else []:
        key, sep, value = pair.partition("=")
        if not sep or key in props:
            raise ValueError(f"bad property {pair!r}")
        props[key] = _unescape(value, _GH_PROP)
    return Command(name, props, _unescape(line[end + 2 :], _GH_DATA))


def github_executed(console: bytes) -> list[str]:
    """The commands a GitHub runner executes from ``console``, each line as read by
    :func:`parse_github` after its blanks: none while ``::stop-commands::TOKEN`` holds, until
    ``::TOKEN::`` (runner ActionCommandManager.cs)."""
    token, done = None, []
    for raw in console.decode().splitlines():
        line = raw.strip()
        try:
            name = parse_github(line).name
        except ValueError:
            continue  # no command: text
        if token is not None:
            token = None if name == token else token
        elif name == "stop-commands":
            token = parse_github(line).data
        else:
            done.append(line)
    return done


# Azure Pipelines (agent Command.cs / CommandStringConvertor.cs, task-lib taskcommand)
_AZ = {"%AZP25": "%", "%0D": "\r", "%0A": "\n", "%3B": ";", "%5D": "]"}


def encode_azure_data(value: str) -> str:
    return value.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def parse_azure(line: str) -> Command:
    """``##vso[area.action k=v;k2=v2]data``: properties end at the first ``]``."""
    if not line.startswith("##vso[") or "\n" in line or "\r" in line:
        raise ValueError(f"not a one-line logging command: {line!r}")
    end = line.index("]")
    name, _, raw_props = line[len("##vso[") : end].partition(" ")
    props: dict[str, str] = {}
    for pair in raw_props.split(";"):
        if not pair:
            continue
        key, sep, value = pair.partition("=")
        if not sep or key in props:
            raise ValueError(f"bad property {pair!r}")
        props[key] = _unescape(value, _AZ)
    return Command(name, props, _unescape(line[end + 1 :], _AZ))


# TeamCity (service messages docs): | escapes ' n r | [ ] and 0xNNNN
_TC = {"'": "'", "n": "\n", "r": "\r", "|": "|", "[": "[", "]": "]"}
_WORD = re.compile(r"[A-Za-z_][\w.-]*")


def _tc_value(text: str, i: int) -> tuple[str, int]:
    """Read ``'...'`` starting at ``text[i]``; return the value and the index after it."""
    if text[i] != "'":
        raise ValueError(f"expected a quote at {i} in {text!r}")
    out: list[str] = []
    i += 1
    while text[i] != "'":
        char = text[i]
        if char in "[]\n\r":
            raise ValueError(f"unescaped {char!r} in a value: {text!r}")
        if char == "|":
            nxt = text[i + 1]
            if nxt == "0" and text[i + 2] == "x":
                out.append(chr(int(text[i + 3 : i + 7], 16)))
                i += 7
                continue
            if nxt not in _TC:
                raise ValueError(f"bad escape |{nxt} in {text!r}")
            out.append(_TC[nxt])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out), i + 1


def parse_teamcity(line: str) -> Command:
    """``##teamcity[name 'value']`` (value in ``data``) or ``##teamcity[name k='v' ...]``."""
    if not line.startswith("##teamcity[") or not line.endswith("]"):
        raise ValueError(f"not a service message: {line!r}")
    match = _WORD.match(line, len("##teamcity["))
    if not match:
        raise ValueError(f"no message name: {line!r}")
    name, i = match.group(), match.end()
    if line[i : i + 2] == " '":
        value, i = _tc_value(line, i + 1)
        if line[i:] != "]":
            raise ValueError(f"text after the value: {line!r}")
        return Command(name, {}, value)
    props: dict[str, str] = {}
    while line[i] == " ":
        key = _WORD.match(line, i + 1)
        if not key or line[key.end()] != "=" or key.group() in props:
            raise ValueError(f"bad attribute in {line!r}")
        props[key.group()], i = _tc_value(line, key.end() + 1)
    if line[i:] != "]":
        raise ValueError(f"text after the attributes: {line!r}")
    return Command(name, props)


def ant_matches(rule: str, path: str) -> bool:
    """Does a TeamCity path rule (``*``, ``**``, ``?`` wildcards) match ``path``?"""
    parts = re.split(r"(\*\*|\*|\?)", rule)
    wild = {"**": ".*", "*": "[^/]*", "?": "[^/]"}
    pattern = "".join(wild.get(part, re.escape(part)) for part in parts)
    return re.fullmatch(pattern, path, re.DOTALL) is not None


# GitLab (docs: ci/jobs/job_logs, custom collapsible sections)
_SECTION = re.compile(
    r"\x1b\[0Ksection_(start|end):(\d+):([A-Za-z0-9_.-]+)(\[collapsed=true\])?\r\x1b\[0K(.*)",
    re.DOTALL,
)


def parse_gitlab_section(line: str) -> tuple[str, int, str, str]:
    """``(start|end, timestamp, name, header)`` of a one-line section marker."""
    match = _SECTION.fullmatch(line)
    if not match or "\n" in line or line.count("\r") != 1:
        raise ValueError(f"not a section marker: {line!r}")
    return match.group(1), int(match.group(2)), match.group(3), match.group(5)
