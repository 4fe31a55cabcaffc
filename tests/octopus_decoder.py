"""An independent decoder of Octopus service messages, written from Calamari's rules.

It shares no code with ``logtrim``: a message logtrim writes is checked against what the
Octopus server would read. Rules (Calamari ``ServiceMessageParser``): a message starts with
``##octopus[`` at column 0, runs to the first ``]``, and its body is parsed as the XML start
tag ``<NAME attr='..' .../>``; every attribute value is base64 of UTF-8; a duplicate attribute
(names are case-insensitive) or a bad value makes the message invalid. logtrim's own messages
must also be alone on their line.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

PREFIX = "##octopus["


@dataclass(frozen=True)
class Message:
    name: str
    attrs: dict[str, str] = field(default_factory=dict)


def decode(line: str, *, alone: bool = True) -> Message:
    """Decode one line holding a service message; ``ValueError`` if Octopus would not."""
    line = line.rstrip("\r\n") if alone else line
    if not line.startswith(PREFIX):
        raise ValueError(f"not a service message at column 0: {line!r}")
    end = line.find("]")
    if end < 0:
        raise ValueError(f"no closing bracket: {line!r}")
    if alone and line[end + 1 :] != "":
        raise ValueError(f"text after the message: {line!r}")
    body = line[len(PREFIX) : end]
    try:
        element = ET.fromstring(f"<{body}/>")
    except ET.ParseError as exc:
        raise ValueError(f"not an XML start tag: {body!r}: {exc}") from None
    attrs: dict[str, str] = {}
    for key, raw in element.attrib.items():
        lower = key.lower()
        if lower in attrs:
            raise ValueError(f"duplicate attribute {key!r}")
        try:
            attrs[lower] = base64.b64decode(raw.encode("ascii"), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeError) as exc:
            raise ValueError(f"attribute {key!r} is not base64 of UTF-8: {raw!r}") from exc
    return Message(element.tag, attrs)


def messages(console: bytes | str) -> list[Message]:
    """Every line of ``console`` that starts with ``##octopus[``, decoded (strictly)."""
    text = console.decode("utf-8") if isinstance(console, bytes) else console
    return [decode(line) for line in text.splitlines() if line.startswith(PREFIX)]


def message_lines(console: bytes) -> list[bytes]:
    """The raw lines of ``console`` that carry a service message anywhere."""
    return [line for line in console.splitlines() if b"##octopus[" in line]


def child_message_lines(console: bytes) -> list[bytes]:
    """:func:`message_lines` without the level switches logtrim wraps its own lines in:
    ``stdout-default`` before a run of ``[logtrim]`` lines and the child's level (not the
    default) after it."""
    lines = console.splitlines()
    default = b"##octopus[stdout-default]"
    level = default  # the stdout level in effect
    drop: set[int] = set()
    for i, line in enumerate(lines):
        if i in drop:
            continue
        if line == default and level != default:
            end = i + 1
            while end < len(lines) and lines[end].startswith(b"[logtrim] "):
                end += 1
            if end > i + 1 and end < len(lines) and lines[end] == level:
                drop |= {i, end}
                continue
        if line.startswith(b"##octopus[stdout-"):
            level = line
    return [line for i, line in enumerate(lines) if b"##octopus[" in line and i not in drop]


def encode(message: str, /, **attrs: str) -> str:
    """A message the way the Bash and Python helpers write it (for child processes)."""
    parts = "".join(
        f" {k}='{base64.b64encode(v.encode('utf-8')).decode('ascii')}'" for k, v in attrs.items()
    )
    return f"{PREFIX}{message}{parts}]"
