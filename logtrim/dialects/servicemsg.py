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

from .._regex import lazy

#: What logtrim writes before each of its own messages; the one place it is written out.
MARKER = "##octopus["
#: What Calamari looks for: spaces and any number of ``[`` may come between it and the name.
OPENER = MARKER[:-1]


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


# The common form's name and attributes (ASCII names: others are left to the XML parser).
_NAME = lazy(r"\s*([A-Za-z][\w.-]*)", re.ASCII)
_ATTR = lazy(r"""\s*([A-Za-z_][\w.-]*)\s*=\s*(?:'([^']*)'|"([^"]*)")""", re.ASCII)


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
    """The first message in ``text`` that Calamari would act on, or None."""
    found = parse_messages(text)
    return found[0] if found else None


@lru_cache(maxsize=64)
def parse_messages(text: str, *, any_case: bool = False) -> tuple[ServiceMessage, ...]:
    """Every message in ``text`` read the way Calamari reads one, in order.

    Calamari's parser finds ``##octopus`` anywhere, takes the text up to the next ``]``,
    trims it, strips any ``[`` before the name and drops line breaks, then parses
    ``<TEXT/>`` as XML: so ``##octopus [name ...]`` and ``##octopus[[name ...]`` are
    messages too, and a value may hold XML entities and, as .NET's base64 allows, spaces.
    A value that is not base64, or a repeated attribute, makes that message invalid (the
    server drops it). ``any_case``: ``##OCTOPUS`` as well (older server parsers ignore case;
    what declares a secret is read so).
    """
    found: list[ServiceMessage] = []
    for opener in (_ANY_CASE if any_case else _OPENER).finditer(text):
        end = text.find("]", opener.end())
        if end < 0:
            break
        message = _valid(text[opener.end() : end])
        if message is not None:
            found.append(message)
    return tuple(found)


def loose_messages(text: str) -> tuple[ServiceMessage, ...]:
    """Every message in ``text`` (any case) with the attributes that decode, whatever the
    others hold: one per ``value`` (a repeated one too). Calamari drops such a message and
    prints it back, so a secret it declares reaches the task log however it is read; more
    masking is safe, so what it declares is learnt (:meth:`.Octopus.declared_secrets`)."""
    found: list[ServiceMessage] = []
    for opener in _ANY_CASE.finditer(text):
        end = text.find("]", opener.end())
        if end < 0:
            break
        body = _body(text[opener.end() : end])
        name = _NAME.match(body)
        if name is None:
            continue
        attrs: dict[str, str] = {}
        values: list[str] = []
        for attr in _ATTR.finditer(body, name.end()):
            key = attr.group(1).lower()
            raw = attr.group(2) if attr.group(2) is not None else attr.group(3)
            value = _decoded(raw.replace(" ", ""))  # (.NET's base64 allows spaces)
            if value is None:
                continue
            if key == "value":
                values.append(value)
            attrs.setdefault(key, value)
        found += [ServiceMessage(name.group(1), {**attrs, "value": v}) for v in values]
    return tuple(found)


def _valid(read: str) -> ServiceMessage | None:
    """:func:`_message`, None where reading it fails: the server drops a message it cannot
    read, and a fault of logtrim's on one must not stop the engine (the secrets declared
    after it would reach the log)."""
    try:
        return _message(read)
    except Exception:
        return None


def _message(read: str) -> ServiceMessage | None:
    """A message's text (between its marker and its ``]``) as Calamari parses it: trimmed,
    any ``[`` before the name dropped, no line breaks, ``<TEXT/>`` as XML; None if invalid."""
    body = _body(read)
    return _simple(body) or _as_xml(body)


def _body(read: str) -> str:
    """A message's text as Calamari reads it: trimmed, any ``[`` before the name dropped, no
    line breaks."""
    return read.strip().lstrip("[").replace("\r", "").replace("\n", "")


def _decoded(raw: str) -> str | None:
    """An attribute's value, base64 of UTF-8 (None: not that)."""
    try:
        return base64.b64decode(raw, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):  # (a character not ASCII: ValueError)
        return None


def calamari_read(bodies: list[str]) -> tuple[ServiceMessage, ...]:
    """The valid messages among the texts :func:`calamari_bodies` found (:func:`_message`)."""
    return tuple(message for read in bodies if (message := _valid(read)) is not None)


def calamari_bodies(text: str) -> tuple[list[str], str | None]:
    """The texts of the messages Calamari's parser reads in ``text`` (between its marker and
    the ``]``), and of the one left open at its end (None: none is); read from its start (a
    message over several lines joined).

    Its state machine, not a search: it looks for ``##octopus`` in lower case from each
    ``#``, and a character that breaks the marker is not looked at again (``###octopus[``
    and ``##octo##octopus[`` are text); from the marker it reads up to the next ``]``
    whatever comes between (``##octopus x ##octopus[...]`` is one message, no valid one).
    What declares a secret to Octopus is read so: a declaration it never takes is masked
    like any other text."""
    bodies: list[str] = []
    pos, size, mark = 0, len(text), len(OPENER)
    while (start := text.find("#", pos)) >= 0:
        pos, matched = start + 1, 1
        while matched < mark and pos < size and text[pos] == OPENER[matched]:
            pos, matched = pos + 1, matched + 1
        if matched < mark:
            pos += 1  # (the character that broke it is consumed)
            continue
        end = text.find("]", pos)
        if end < 0:
            return bodies, text[pos:]  # open past the text
        bodies.append(text[pos:end])
        pos = end + 1
    return bodies, None


_OPENER = lazy(re.escape(OPENER))
_ANY_CASE = lazy(re.escape(OPENER), re.IGNORECASE)
_SPACES = str.maketrans("", "", " \t\r\n")  # what .NET's base64 decoder skips


# XML's predefined entities and character references: Calamari reads a value as XML.
_ENTITY = lazy(rb"&(?:#([0-9]+)|#[xX]([0-9A-Fa-f]+)|(lt|gt|amp|quot|apos));")
_NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"', b"apos": "'"}
_NOT_B64 = lazy(rb"[^A-Za-z0-9+/]")


def _entity(match: re.Match[bytes]) -> bytes:
    if match.group(3) is not None:
        return _NAMED[match.group(3)].encode()
    code = int(match.group(1)) if match.group(1) is not None else int(match.group(2), 16)
    try:
        return chr(code).encode("utf-8")
    except (ValueError, OverflowError):
        return b"\xff"  # no character: not base64, whatever it was


def calamari_value(raw: bytes) -> bytes | None:
    """The bytes an attribute value encodes, read as Calamari reads it: XML entities
    resolved, then .NET's ``Convert.FromBase64String``, which skips space, tab, CR and LF
    anywhere (and wants the rest padded to a multiple of 4); None if it reads none."""
    text = _ENTITY.sub(_entity, raw) if b"&" in raw else raw
    try:
        return base64.b64decode(text.translate(None, b" \t\r\n"), validate=True)
    except (binascii.Error, ValueError):
        return None


def loose_value(raw: bytes) -> bytes:
    """What a value would encode read loosely (only the base64 alphabet, padding fixed):
    for a value Calamari rejects, whose text a reader can still decode."""
    text = _NOT_B64.sub(b"", _ENTITY.sub(_entity, raw) if b"&" in raw else raw)
    text = text[: len(text) - len(text) % 4] if len(text) % 4 == 1 else text
    return base64.b64decode(text + b"=" * (-len(text) % 4))


def _simple(body: str) -> ServiceMessage | None:
    """The common form (a name, then quoted base64 values), without an XML parser: where
    it reads a message, so does XML; else :func:`_as_xml` decides."""
    name_match = _NAME.match(body)
    if not name_match or name_match.start(1) != 0:
        return None
    attrs: dict[str, str] = {}
    pos = name_match.end()
    while pos < len(body):
        if not body[pos:].strip():
            break
        attr = _ATTR.match(body, pos)
        if not attr or attr.start(1) == pos:  # XML wants a space before each attribute
            return None
        key = attr.group(1).lower()
        raw = attr.group(2) if attr.group(2) is not None else attr.group(3)
        if key in attrs:
            return None
        value = _decoded(raw)
        if value is None:
            return None
        attrs[key] = value
        pos = attr.end()
    return ServiceMessage(name_match.group(1), attrs)


def _as_xml(body: str) -> ServiceMessage | None:
    """``body`` parsed as Calamari parses it: ``<BODY/>`` as XML, values base64 of UTF-8
    (bytes that are not UTF-8 as lone surrogates, where .NET reads U+FFFD)."""
    from xml.etree import ElementTree  # rare: its import costs start-up time

    try:
        element = ElementTree.fromstring(f"<{body}/>")
    except (ElementTree.ParseError, ValueError):  # ValueError: bytes that are not UTF-8
        return None
    attrs: dict[str, str] = {}
    for key, raw in element.attrib.items():
        name = key.rpartition("}")[2].lower()  # the local name, case-insensitive
        if name in attrs:
            return None
        try:
            value = base64.b64decode(raw.translate(_SPACES), validate=True)
        except (binascii.Error, ValueError):
            return None
        # Bytes that are not UTF-8 are kept as lone surrogates (Calamari reads U+FFFD):
        # a secret declared so is the child's raw bytes too (octopus.declared_secrets).
        attrs[name] = value.decode("utf-8", "surrogateescape")
    return ServiceMessage(element.tag.rpartition("}")[2], attrs)
