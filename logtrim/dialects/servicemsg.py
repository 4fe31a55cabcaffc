"""Octopus service messages: formatting logtrim's own, parsing the child's.

Calamari's rules (see docs/reference.md): a message is ``##octopus[NAME attr='VALUE' ...]``,
read up to the first ``]`` and parsed as an XML start tag; every value is base64 of UTF-8.
logtrim writes its own messages alone on a line, at column 0, nothing after ``]``.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

#: What every Octopus service message starts with; the one place it is written out.
MARKER = "##octopus["
PREFIX = MARKER.encode()


class Mode(str, Enum):
    """A level switch: no attributes, sticky on its stream until the next switch."""

    STDOUT_DEFAULT = "stdout-default"
    STDOUT_VERBOSE = "stdout-verbose"
    STDOUT_WARNING = "stdout-warning"
    STDOUT_ERROR = "stdout-error"
    STDOUT_HIGHLIGHT = "stdout-highlight"
    STDOUT_WAIT = "stdout-wait"
    STDOUT_IGNORE = "stdout-ignore"
    STDERR_DEFAULT = "stderr-default"
    STDERR_ERROR = "stderr-error"
    STDERR_PROGRESS = "stderr-progress"
    STDERR_IGNORE = "stderr-ignore"
    STDERR_OUTPUT = "stderr-output"  # 2025.3+: stderr lines become Info

    @property
    def stderr(self) -> bool:
        """Whether the switch is for stderr (all switches are written to stdout)."""
        return self.value.startswith("stderr-")


_NAME = re.compile(r"\s*([A-Za-z][\w.-]*)")
_ATTR = re.compile(r"""\s*([A-Za-z_][\w.-]*)\s*=\s*(?:'([^']*)'|"([^"]*)")""")


def b64(value: str) -> str:
    """Base64 of UTF-8, as every Octopus attribute value is written (a path that is not
    UTF-8 as its own bytes)."""
    return base64.b64encode(value.encode("utf-8", "surrogateescape")).decode("ascii")


def format_message(name: str, /, **attrs: str) -> str:
    """One Octopus service message, values base64-encoded: ``##octopus[name a='..']``."""
    parts = "".join(f" {key}='{b64(value)}'" for key, value in attrs.items())
    return f"{MARKER}{name}{parts}]"


@dataclass(frozen=True)
class ServiceMessage:
    """A parsed Octopus service message; attribute names lower-cased, values decoded.

    Shared between callers (:func:`parse_message` caches): read it, do not change it.
    """

    name: str
    attrs: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=64)  # the same line is parsed for secrets, then for its level switch
def parse_message(text: str) -> ServiceMessage | None:
    """Parse the first ``##octopus[...]`` in ``text`` the way Calamari does, or return None.

    Values that are not valid base64 of UTF-8, or a repeated attribute, make the whole
    message invalid (the server drops such messages too).
    """
    start = text.find(MARKER)
    if start < 0:
        return None
    end = text.find("]", start)
    if end < 0:
        return None
    body = text[start + len(MARKER) : end]
    name_match = _NAME.match(body)
    if not name_match:
        return None
    attrs: dict[str, str] = {}
    pos = name_match.end()
    while pos < len(body):
        if not body[pos:].strip():
            break
        attr = _ATTR.match(body, pos)
        if not attr:
            return None
        key = attr.group(1).lower()
        raw = attr.group(2) if attr.group(2) is not None else attr.group(3)
        if key in attrs:
            return None
        try:
            attrs[key] = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        pos = attr.end()
    return ServiceMessage(name_match.group(1), attrs)
