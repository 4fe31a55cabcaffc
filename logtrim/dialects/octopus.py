"""Octopus Deploy: ``##octopus[...]`` service messages, base64 values (see docs/ci.md).

Besides its commands, Octopus has *level switches* (``##octopus[stdout-warning]``): sticky
per stream until the next one. The dialect tracks them as it observes the child's lines and
tells the engine, as a :class:`~logtrim.dialects.base.Level`, how the lines after a switch
are shown; before logtrim's own closing lines it switches back to the defaults, because
Calamari keeps the child's last switch.
"""

from __future__ import annotations

import base64
import re
from typing import ClassVar

from .._regex import lazy
from .base import MASK, Action, Closing, Dialect, Level, Print, failure_note
from .escape import reason_line
from .servicemsg import (
    MARKER,
    OPENER,
    Mode,
    calamari_value,
    format_message,
    loose_value,
    parse_messages,
)
from .syntax import Mask, keeping

# The next line of a message whose ']' comes later: attributes only, perhaps the ']'.
# A message's later line: attributes, perhaps its ``]`` and text after it (Calamari's text).
_ATTRIBUTES = lazy(
    r"""\s*(?:(?:[A-Za-z_][\w.-]*\s*=\s*(?:'[^']*'|"[^"]*")\s*)+(?:\][^\n]*)?|\][^\n]*)"""
)
# A message as Calamari reads one: the marker, perhaps spaces and '['s, a name, attributes,
# then its ']' (or the end of the line, when the message goes on over the next lines). "see
# ##octopus[ docs" is text. Any case: older server parsers ignore it, and a line passed
# verbatim where no parser acts on it is only a line.
_COMMAND = lazy(
    r"""(?i:##octopus)\s*\[*\s*[A-Za-z][\w.-]*"""
    r"""(?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:'[^']*'|"[^"]*"))*\s*(?:\]|\Z)"""
)
# The start of a message cut short anywhere after its name (a value megabytes long).
_START = lazy(
    r"""(?i:##octopus)\s*\[*\s*[A-Za-z][\w.-]*"""
    r"""(?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:'[^']*'|"[^"]*"))*"""
    r"""(?:\s+[A-Za-z_][\w.-]*(?:\s*=\s*(?:'[^']*|"[^"]*)?)?)?\s*\Z"""
)
# The messages octopus.md lists: their names are kept in a message, whatever the secrets.
_NAMES = (
    "setVariable", "createArtifact", "resultMessage", "progress", "mask",
    "create-kubernetestarget", "create-azurewebapptarget", "create-tokenaccount",
    "create-awsaccount", "delete-target", "createStepPackageTarget", "set-environmentstate",
)  # fmt: skip
_COMMAND_BYTES = lazy(_COMMAND.pattern.encode())
# A message's name, and where an attribute named ``value`` begins its text.
_NAME = lazy(r"(?i:##octopus)\s*\[*\s*([A-Za-z][\w.-]*)")
_VALUE = lazy(r"""\s(?i:value)\s*=\s*['"]""")
_OPENER_TEXT = lazy(re.escape(OPENER), re.IGNORECASE)
# One attribute, in bytes: its value is masked as the text it encodes.
_ATTRIBUTE = lazy(rb"""([A-Za-z_][\w.-]*\s*=\s*)(?:'([^']*)'|"([^"]*)")""")
# What each switch does to the lines after it. ``stderr-error`` and ``stderr-output`` only
# change the server's level for stderr lines: the rules still decide what is shown.
_LEVELS = {
    Mode.STDOUT_DEFAULT: Level.NORMAL,
    Mode.STDOUT_VERBOSE: Level.QUIET,  # Verbose lines: archive only
    Mode.STDOUT_WARNING: Level.WARNING,
    Mode.STDOUT_ERROR: Level.ERROR,
    Mode.STDOUT_HIGHLIGHT: Level.INFO,
    Mode.STDOUT_WAIT: Level.INFO,
    Mode.STDOUT_IGNORE: Level.IGNORED,
    Mode.STDERR_DEFAULT: Level.NORMAL,
    Mode.STDERR_ERROR: Level.NORMAL,
    Mode.STDERR_PROGRESS: Level.PROGRESS,
    Mode.STDERR_IGNORE: Level.IGNORED,
    Mode.STDERR_OUTPUT: Level.NORMAL,
}


class Octopus(Dialect):
    name: ClassVar[str] = "octopus"
    detect_var: ClassVar[str | None] = "OctopusCalamariWorkingDirectory"
    markers: ClassVar[tuple[bytes, ...]] = (OPENER.encode(),)
    declaring: ClassVar[tuple[bytes, ...]] = (b"##octopus[mask", b"##octopus[setvariable")
    syntax_words: ClassVar[tuple[str, ...]] = (
        *(mode.value for mode in Mode), *_NAMES, "name", "value", "sensitive", "message",
        "path", "length", "percentage",
    )  # fmt: skip
    # Deployment scripts print Octopus messages whatever runs them: always passed verbatim.
    forward_always: ClassVar[bool] = True
    closes_at_bracket: ClassVar[bool] = True  # Calamari reads up to the first ']'

    def __init__(self) -> None:
        self.stdout = Mode.STDOUT_DEFAULT
        self.stderr = Mode.STDERR_DEFAULT
        self.sent_result = False  # the child sent its own resultMessage

    def is_command(self, line: str) -> bool:
        # Only a line that holds a message passes verbatim and outside the budget: a marker
        # in plain text is a line like any other (filtered, budgeted, masked as text).
        return "#" in line and _COMMAND.search(line) is not None

    def command_span(self, line: str) -> tuple[int, int] | None:
        # Text before the marker or after the ']' is printed as plain output.
        found = _COMMAND.search(line)
        return None if found is None else found.span()

    def long_command(self, start: str) -> bool:
        return _COMMAND.match(start) is not None or _START.match(start) is not None

    def declaring_spans(self, line: str) -> list[tuple[int, int]] | None:
        # Each message that declares a secret, wherever it is on the line; one left open
        # (its ']' on a later line) to the end of the line. No opener: a later line of one.
        spans: list[tuple[int, int]] = []
        openers = [m.start() for m in _OPENER_TEXT.finditer(line)]
        if not openers:
            return None
        for start in openers:
            if spans and start < spans[-1][1]:
                continue
            end = line.find("]", start)
            if end < 0:
                spans.append((start, len(line.rstrip("\r\n"))))
                break
            if self.declared_secrets(line[start : end + 1]):
                spans.append((start, end + 1))
        return spans

    def is_progress(self, line: str) -> bool:
        return f"{MARKER}progress" in line

    def native_progress(self, percent: int, message: str) -> str | None:
        # The task log's progress bar; both values base64, as in every message.
        return format_message("progress", percentage=str(percent), message=message)

    def long_value_at(self, start: str) -> int:
        # ``sensitive`` comes after the value (Calamari's helpers write it so): a long
        # ``setVariable`` may declare one until its end.
        name = _NAME.match(start)
        if name is None or name[1].lower() not in ("setvariable", "mask"):
            return -1
        value = _VALUE.search(start, name.end())
        return name.end() if value is None else value.end()

    def long_declares(self, head: str, tail: str) -> bool:
        name = _NAME.match(head)
        if name is None or name[1].lower() == "mask" or head[-1:] not in ("'", '"'):
            return True
        close = tail.find(head[-1])  # the value's closing quote, its other attributes after
        return close < 0 or bool(self.declared_secrets(head + "QUFBQQ==" + tail[close:]))

    def declared_secrets(self, line: str) -> list[str]:
        if "#" not in line:
            return []
        found = []
        # Every message on the line, in any case: more masking is safe.
        for message in parse_messages(line, any_case=True):
            name = message.name.lower()
            # As .NET's bool.Parse, any case and spaces around (learning more is always safe).
            flag = message.attrs.get("sensitive") or ""
            sensitive = name == "setvariable" and flag.strip().lower() == "true"
            value = message.attrs.get("value")
            if value and (sensitive or name == "mask"):
                found.append(value)
                # Bytes that are not UTF-8: the child prints them raw (the value as it is,
                # surrogates for them), and Calamari masks what it reads (U+FFFD for them).
                read = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                if read != value:
                    found.append(read)
        return found

    def mask_command(self, line: bytes, mask: Mask) -> bytes | None:
        # Values are base64 of UTF-8: decoded, masked, encoded again, so the message still
        # parses (the plain forms would leave invalid base64, and the server would drop it).
        # Each well-formed message as its values read; the text between, in one piece (a
        # secret cut by colour codes there is still one); no message: a later line of one.
        spans = [m.span() for m in _COMMAND_BYTES.finditer(line)]
        # Before any message: the end of one begun on an earlier line, to its first ``]``
        # (Calamari reads an open message that far), or text.
        close = line.find(b"]", 0, spans[0][0] if spans else len(line))
        if close >= 0:
            spans.insert(0, (0, close + 1))
        if not spans:
            return _mask_attributes(line, mask)
        cuts = [0, *(i for span in spans for i in span), len(line)]
        texts = [line[a:b] for a, b in zip(cuts[::2], cuts[1::2], strict=True)]
        messages = [
            _mask_attributes(line[s:e], mask, message=bool(i) or close < 0)
            for i, (s, e) in enumerate(spans)
        ]
        texts = list(map(mask, texts))
        masked = _interleave(texts, messages)
        if mask(masked) == masked:
            return masked
        # A secret crosses a message's edge (``]`` its first byte: ``]abc123`` printed as
        # ``##octopus[stdout-verbose]abc123``): the text on that side is masked whole, so the
        # messages still parse (masking their ``]`` would leave one open, and Calamari would
        # read the next lines into it). A secret inside a message's syntax is kept, as above.
        edges = [b"", *messages, b""]
        for i, text in enumerate(texts):
            around = edges[i] + text + edges[i + 1]
            if text.strip() and mask(around) != mask(edges[i]) + text + mask(edges[i + 1]):
                body = text.rstrip(b"\r\n")
                texts[i] = MASK + text[len(body) :]
        return _interleave(texts, messages)

    def unclosed(self, line: str) -> bool:
        starts = [m.end() for m in _OPENER_TEXT.finditer(line)]
        return "]" not in line[starts[-1] if starts else 0 :]

    def closes(self, line: str) -> bool:
        # Calamari reads an open message up to the next ']': a line holding one ends it
        # (``]##octopus[p`` ends one and opens another, read from that line).
        return "]" in line

    def continues(self, line: str) -> bool:
        # Servers parse a message over several lines; a line that is not attributes (the
        # text after "see ##octopus[ docs") is no part of one.
        return _ATTRIBUTES.fullmatch(line.rstrip("\r\n")) is not None

    def gathers(self, line: str) -> bool:
        # Calamari's parser reads on, over any lines, up to the next ']'.
        return True

    def observe(self, line: str) -> None:
        if "#" not in line:
            return
        for message in parse_messages(line):  # as Calamari reads them: in order, in case
            name = message.name.lower()
            if name == "resultmessage":
                self.sent_result = True
                continue
            try:
                mode = Mode(name)
            except ValueError:
                continue
            if mode.stderr:
                self.stderr = mode
            else:
                self.stdout = mode

    def observe_quick(self, line: bytes) -> None:
        if b"##octopus" in line:  # what Calamari's parser looks for
            self.observe(line.decode("utf-8", "replace"))

    def level(self, stderr: bool) -> Level:
        return _LEVELS[self.stderr if stderr else self.stdout]

    def child_sent_result(self) -> bool:
        return self.sent_result

    def reset_lines(self) -> list[str]:
        return [
            f"{MARKER}{default.value}]"
            for mode, default in (
                (self.stdout, Mode.STDOUT_DEFAULT),
                (self.stderr, Mode.STDERR_DEFAULT),
            )
            if mode is not default
        ]

    def own_line_levels(self) -> tuple[list[str], list[str]]:
        # Our lines go to stdout: only its switch matters (the server keeps it per stream).
        if self.stdout is Mode.STDOUT_DEFAULT:
            return [], []
        return [f"{MARKER}{Mode.STDOUT_DEFAULT.value}]"], [f"{MARKER}{self.stdout.value}]"]

    def finish(self, closing: Closing) -> list[Action]:
        actions: list[Action] = []
        if closing.failed and not closing.child_sent_result:
            if closing.reason:
                # One line without control characters, as every other system's reason.
                reason = reason_line(closing.reason)
                actions.append(Print(format_message("resultMessage", message=reason)))
            else:  # nothing to name: the task log still says that the step failed, and how
                actions += failure_note(closing)
        if closing.archive_path:
            actions.append(
                Print(
                    format_message(
                        "createArtifact",
                        path=closing.archive_path,
                        name=closing.archive_name,
                        length=str(closing.archive_size),
                    )
                )
            )
        return actions


def _interleave(texts: list[bytes], messages: list[bytes]) -> bytes:
    """The texts with the messages between them (one text more than messages)."""
    return b"".join([m for pair in zip(texts, messages, strict=False) for m in pair] + texts[-1:])


def _mask_attributes(text: bytes, mask: Mask, *, message: bool = False) -> bytes:
    """``text`` with each attribute value masked in the text it encodes. ``message``: it is
    one message, whose marker, name, attribute names and quotes are syntax, never masked
    (a secret such as ``octopus`` must not break it); else (the next line of one) the text
    between the attributes is masked as text."""

    def one(match: re.Match[bytes]) -> bytes:
        quote = b"'" if match.group(2) is not None else b'"'
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        return match.group(1) + quote + _mask_value(raw, mask) + quote

    pos = 0
    parts = []
    for match in _ATTRIBUTE.finditer(text):
        between = text[pos : match.start()]
        parts.append(keeping(between, mask, Octopus.keep_words()) if message else mask(between))
        parts.append(one(match))
        pos = match.end()
    parts.append(keeping(text[pos:], mask, Octopus.keep_words()) if message else mask(text[pos:]))
    return b"".join(parts)


def _mask_value(raw: bytes, mask: Mask) -> bytes:
    """An attribute value, read as Calamari reads it (spaces in its base64, XML entities),
    masked and encoded again; as written when it holds no secret (nor is one as written).
    One Calamari rejects (the
    server drops the message, and prints it) is masked whole if its text still decodes to a
    secret, else masked as text."""
    plain = calamari_value(raw)
    if plain is None:
        loose = loose_value(raw)
        return MASK if mask(loose) != loose else mask(raw)
    masked = mask(plain)
    if masked != plain:
        return base64.b64encode(masked)
    # Its base64 may itself be a secret (a Basic-auth token is base64 of ``user:pass``):
    # then no spelling of the value may be printed.
    return raw if mask(raw) == raw else base64.b64encode(MASK)
