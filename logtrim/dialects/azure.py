"""Azure Pipelines: ``##vso[area.action k=v;...]data`` logging commands and ``##[...]`` formatting.

The agent looks for ``##vso[name ...]`` anywhere in a line, so :meth:`Azure.is_command` does too;
``##[group]``-style formatting commands count only at the start of a line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from .._regex import lazy
from .._text import inert
from .base import Action, Closing, Dialect, Print, dotnet_lines, failure_note
from .escape import (
    azure_command,
    azure_data,
    azure_property,
    azure_unescape,
    failure_text,
)
from .syntax import Mask, declaring_parts, mask_outside, syntax_of
from .unescape import AZURE, GH_V1, mask_value

# ``##vso[task.setvariable variable=x]``: a name (area.action), properties, then the ']'. The
# properties stop at the next ``##vso[`` (a line of many unclosed ones was read in square time).
_COMMAND = lazy(r"##vso\[\.*[A-Za-z][\w.-]*(?:\s(?:[^\]#]|#(?!#vso\[))*)?\]")
# A command's syntax (bytes): all of ``##vso[...]`` or ``##[name ...]`` but property values.
_SYNTAX = lazy(rb"##vso\[\.*[A-Za-z][\w.-]*(?:\s(?:[^\]#]|#(?!#vso\[))*)?\]|\A\s*##\[[^\]]*\]")
_VALUES = lazy(rb"=([^;\]]*)")
_FORMATTING = lazy(rb"\s*##\[")
# The same over a region of many lines (engine/masking/encoded.py): a command anywhere, in any case
# (what older agents read), its properties (group 1) and data (group 2), none past its line.
IN_TEXT = lazy(
    rb"##(?i:vso)\[((?:[^\]\r\n#]|#(?!#(?i:vso)\[))*)\]([^\r\n]*)"
)  # (a lone CR ends a line too)
VALUES_IN_TEXT = lazy(rb"=([^;\]\r\n]*)")
# Groups, logs and issues with values of plain text (see ``Dialect.quick``).
_QUICK = lazy(
    rb"(?:##\[(?:group|endgroup|section|warning|error|debug|command)\]"
    rb"|##vso\[(?:task\.logissue|build\.addbuildtag)"
    rb"(?: [A-Za-z]+=[\w .,:/+()-]*(?:;[A-Za-z]+=[\w .,:/+()-]*)*;?)?\])[\w .,:/=+()-]*\n"
)


# What the agent reads as true (``StringUtil.ConvertToBoolean``; older agents'
# ``Boolean.TryParse`` also allow spaces around it): ``issecret= true`` is a secret.
_TRUE = frozenset(("true", "1", "$true"))


def _vso_at(part: str) -> int:
    """Where :func:`parse` finds the command in one of the agent's lines (-1: none)."""
    return part.lower().find("##vso[")


def parse(line: str) -> tuple[str, dict[str, str], str] | None:
    """``(area.action, properties, data)`` of the first ``##vso[`` command of one of the
    agent's lines, unescaped. The prefix in any case: older agents read ``##VSO[`` too, and a
    secret one of them would learn is learned here (masking more costs nothing). A property
    given more than once keeps its last value that is not empty (:func:`_is_secret` reads
    every one)."""
    found = _read(line)
    if found is None:
        return None
    name, pairs, data = found
    return name, dict(pairs), data


def _read(line: str) -> tuple[str, list[tuple[str, str]], str] | None:
    """:func:`parse`, each property as :func:`_pairs` gives it."""
    start = _vso_at(line)
    if start < 0:
        return None
    end = line.find("]", start)
    if end < 0:
        return None
    name, _, raw_props = line[start + len("##vso[") : end].strip().partition(" ")
    # As the agent splits them (``Command.TryParse``), empty pieces dropped: its name's by
    # dots (``task..setsecret`` is ``task.setsecret``), each property's at its first ``=``
    # after its key, the ``=`` right after that one too (.NET's ``Split(.., 2,
    # RemoveEmptyEntries)``: ``issecret==true`` is ``issecret`` = ``true``).
    parts = [part for part in name.split(".") if part]
    if len(parts) == 2:
        name = ".".join(parts)
    return name.lower(), _pairs(raw_props), azure_unescape(line[end + 1 :].rstrip("\r\n"))


def _pairs(raw_props: str) -> list[tuple[str, str]]:
    """Each property as the agent splits it (its key in lower case, no blank around it; the
    agent keeps the blanks, so `` issecret`` is another key to it: both are read here), a
    pair with an empty side left out as the agent leaves it out."""
    pairs = []
    for item in raw_props.split(";"):
        key, sep, value = item.lstrip("=").partition("=")
        value = value.lstrip("=")
        if sep and key.strip() and value:
            pairs.append((key.strip().lower(), azure_unescape(value)))
    return pairs


def _is_secret(name: str, pairs: list[tuple[str, str]]) -> bool:
    """Whether any spelling of a command's properties, as the agent may read them, makes its
    value a secret (a ``setvariable``'s ``issecret``, a ``setendpoint``'s ``authParameter``
    field): ``issecret=true; issecret=false`` is true to the agent, whose keys keep their
    blanks, and so to logtrim."""
    if name == "task.setsecret":
        return True
    if name == "task.setvariable":
        # .NET's ``Boolean.TryParse`` trims blanks and NULs (older agents read it so).
        return any(k == "issecret" and v.strip(" \t\r\n\0").lower() in _TRUE for k, v in pairs)
    if name == "task.setendpoint":
        # The agent masks an endpoint's auth parameter as it is set (its
        # TaskSetEndpointCommand): a service principal's key, a password.
        return any(k == "field" and v.strip().lower() == "authparameter" for k, v in pairs)
    return False


class Azure(Dialect):
    name: ClassVar[str] = "azure"
    dotnet_reader = True
    detect_var: ClassVar[str | None] = "TF_BUILD"
    markers: ClassVar[tuple[bytes, ...]] = (b"##vso[", b"##[")
    declaring: ClassVar[tuple[bytes, ...]] = (
        b"##vso[task.setsecret", b"##vso[task.setvariable", b"##vso[task.setendpoint",
    )  # fmt: skip
    ends_at_cr: ClassVar[bool] = True
    syntax_words: ClassVar[tuple[str, ...]] = (
        "task.logissue", "task.setprogress", "task.setvariable", "task.setsecret",
        "task.complete", "task.uploadfile", "artifact.upload", "build.addbuildtag", "type",
        "task.setendpoint", "field", "key", "id",
        "value", "variable", "issecret", "result", "containerfolder", "artifactname",
        "section", "group", "endgroup", "error", "warning", "command", "debug",
    )  # fmt: skip
    quick: ClassVar[re.Pattern[bytes] | None] = _QUICK
    quick_progress: ClassVar[re.Pattern[bytes] | None] = lazy(
        rb"##vso\[task\.setprogress value=[0-9]{1,3};?\][\w .,:/=+()-]*\n"
    )

    @classmethod
    def detect(cls, env: Mapping[str, str]) -> bool:
        return env.get("TF_BUILD", "").lower() == "true"

    def syntax_spans(self, line: bytes) -> list[tuple[int, int]]:
        return syntax_of(line, _SYNTAX, _VALUES)

    def mask_syntax(self, line: bytes, mask: Mask) -> bytes:
        # Each value as the agent decodes it: a secret in any mix of its escapes is found.
        body = line.rstrip(b"\r\n")
        value = lambda raw: mask_value(raw, AZURE, mask)  # noqa: E731
        if _FORMATTING.match(body):
            # The agent shows ``##[name ...]`` as written, but GitHub's runner reads the same
            # form (its older commands) escaped: a secret spelled so is masked too.
            value = lambda raw: mask_value(mask_value(raw, AZURE, mask), GH_V1, mask)  # noqa: E731
        masked = mask_outside(
            body, self.syntax_spans(body), mask, self.keep_words(), value=value, tail=value
        )
        return masked + line[len(body) :]

    def is_command(self, line: str) -> bool:
        # The agent runs ``##vso[area.action ...]``; a marker in text without its ']' is text.
        if "##vso[" in line and _COMMAND.search(line) is not None:
            return True
        # The agent reads a lone ``\r`` as a line's end (.NET ``ReadLine``): a formatting
        # command after one (``Downloading 100%\r##[group]Stage 2``) is a command too.
        return "##[" in line and any(part.lstrip().startswith("##[") for part in dotnet_lines(line))

    def is_progress(self, line: str) -> bool:
        return "##vso[task.setprogress" in line.lower()

    def shows_line(self, line: str) -> bool:
        # A ``##[section]``-style format line shows; of the ``##vso[...]`` commands, an
        # issue logged does.
        found = parse(line)
        return found is None or found[0] == "task.logissue"

    def reported_error(self, line: str) -> tuple[str, bool] | None:
        found = parse(line)
        if found is None or not found[2].strip():
            return None
        name, props, data = found
        if (name == "task.logissue" and props.get("type", "").lower() == "error") or (
            name == "task.complete" and props.get("result", "").lower() == "failed"
        ):
            return data, False
        return None

    def native_progress(self, percent: int, message: str) -> str | None:
        # The form of Azure's docs, trailing ';' included; the message is escaped data.
        return f"##vso[task.setprogress value={percent};]{azure_data(message)}"

    def declared_secrets(self, line: str) -> list[str]:
        found = []
        for part in dotnet_lines(line):
            read = _read(part)
            if read is not None and read[2] and _is_secret(read[0], read[1]):
                found.append(read[2])
        return found

    def declaring_spans(self, line: str) -> list[tuple[int, int]] | None:
        # The agent reads the text before ``##vso[`` as output: masked.
        flags = (bool(self.declared_secrets(part)) for part in dotnet_lines(line))
        return declaring_parts(line, _vso_at, flags)

    def secret_forms(self, value: str) -> list[str]:
        return [azure_data(value), azure_property(value)]

    def group_start(self, title: str, *, timestamp: float = 0.0) -> str | None:
        # A formatting command: the agent prints it without unescaping, so show, don't escape.
        return f"##[group]{inert(title)}"

    def group_end(self, title: str, *, timestamp: float = 0.0) -> str | None:
        return "##[endgroup]"

    def finish(self, closing: Closing) -> list[Action]:
        actions: list[Action] = []
        if closing.failed and not closing.child_sent_result and not closing.error_reported:
            reason = failure_text(closing.reason, closing.exit_code)
            actions.append(Print(azure_command("task.logissue", reason, type="error")))
        elif closing.failed and not closing.child_sent_result:
            actions += failure_note(closing)  # (the child's own issue is the reason)
        if closing.archive_path:
            upload = azure_command(
                "artifact.upload",
                closing.archive_path,
                containerfolder="logtrim",
                artifactname=closing.archive_name,
            )
            actions.append(Print(upload))
        return actions
