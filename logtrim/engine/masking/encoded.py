"""Secrets inside values a CI decodes before it reads them: found by decoding, masked whole.

An Octopus attribute value is base64, which Calamari reads with .NET's decoder: spaces, tabs
and line breaks anywhere in it are skipped, and XML entities are resolved first. No fixed
form of a secret covers every such spelling (``U3Bh Y2Vk...``), so each value of a message is
decoded as Calamari decodes it and, when the text holds a secret, the value is masked whole.
What a reader could still decode from a value Calamari rejects counts too.

GitHub's, Azure's and TeamCity's command values are read the same way, in the escapes their servers
undo (:func:`command_spans`): there each secret found is masked where it is spelled.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..._regex import lazy
from ...dialects import azure, ghcommands, teamcity
from ...dialects.servicemsg import calamari_value, loose_value
from ...dialects.unescape import (
    AZURE,
    GH_DATA,
    GH_PROPERTY,
    GH_V1,
    TEAMCITY,
    Codec,
    Find,
    needed,
    spans_in,
)
from .declarations import MAX_LINES

# Any case: what older servers read; a marker in text is masked the same (more is safe).
_OPENER = lazy(rb"##(?i:octopus)")
_OPENER_LEN = len(b"##octopus")
#: Lone ``#`` looked past one by one before the pair is searched for (see :func:`hashes`).
_LONE = 8
_PAIR = lazy(rb"##")
# A quoted value after ``name=``; the message ends at the first ']' (Calamari's parser).
_VALUE = lazy(rb"""=\s*(?:'([^'\]]*)'|"([^"\]]*)")""")


def safe_cut(data: bytes, cut: int, bound: int) -> int:
    """A cut at or before ``cut`` outside each Octopus message that starts at most ``bound``
    bytes before it: each side is masked alone, and a value is read with its message."""
    if b"##" not in data:
        return cut
    # An opener the cut itself splits (``##oc|topus``) counts: its message runs past the cut.
    for opener in _OPENER.finditer(data, max(cut - bound, 0), cut + _OPENER_LEN - 1):
        if opener.start() < cut and _end(data, opener.end()) >= cut:  # it goes whole
            return opener.start()
    return cut


def octopus_spans(
    data: bytes, holds: Callable[[bytes], bool], first: int | None = None
) -> list[tuple[int, int]]:
    """The spans of the Octopus attribute values in ``data`` whose decoded text ``holds``
    a secret (a message runs to its ``]``, over lines too, as :func:`_end` says: a region
    holds it whole, so the answer is the same whatever the reads)."""
    if first is None:  # (``first``: where the first ``##`` is, if the caller knows)
        first = hashes(data)
    if first < 0:
        return []
    out: list[tuple[int, int]] = []
    openers = list(_OPENER.finditer(data, first))
    # A message read no further than the next one's start (base64 values hold no ``#``):
    # a line of many unclosed ones was read in square time.
    limits = [o.start() for o in openers[1:]] + [len(data)] if openers else []
    for opener, limit in zip(openers, limits, strict=True):
        end = _end(data, opener.end(), limit)
        for match in _VALUE.finditer(data, opener.end(), end):
            group = 1 if match.group(1) is not None else 2
            raw = match.group(group)
            if len(raw) < 4:  # no base64 of a secret (4 bytes at least) is shorter
                continue
            plain = calamari_value(raw)
            if holds(loose_value(raw) if plain is None else plain):
                out.append(match.span(group))
    return out


def hashes(data: bytes) -> int:
    """Where the first ``##`` of ``data`` is (-1: none). Every region masked is searched for
    one: a two-byte ``find`` reads each byte in turn (a third of the masking's time on a log
    without ``#``), a one-byte one is ``memchr``; the pair is searched for only from the
    :data:`_LONE`-th lone ``#`` on (a log full of ``#`` costs no loop in Python)."""
    pos = data.find(b"#")
    for _ in range(_LONE):
        if pos < 0 or data.startswith(b"#", pos + 1):
            return pos
        pos = data.find(b"#", pos + 1)
    if pos < 0:
        return -1
    found = _PAIR.search(data, pos)  # (a regex: ~3x faster than a two-byte ``find`` here)
    return found.start() if found is not None else -1


def _end(data: bytes, start: int, limit: int | None = None) -> int:
    """Where the message whose name starts at ``start`` ends: its ``]``, also on one of the
    next lines (Calamari reads to the first ``]``) when within ``MAX_LINES`` lines, as a
    region holds such a message whole (:meth:`.Declarations.open_at`); else its line's end;
    never past ``limit``."""
    limit = len(data) if limit is None else limit
    close, line_end = data.find(b"]", start, limit), data.find(b"\n", start, limit)
    if close >= 0 and (line_end < 0 or close < line_end):
        return close
    if close >= 0 and data.count(b"\n", start, close) < MAX_LINES:
        return close
    return line_end if line_end >= 0 else limit


def command_spans(data: bytes, find: Find, chars: set[int]) -> list[tuple[int, int]]:
    """The spans of GitHub, Azure and TeamCity command values in ``data`` (found by each
    dialect's grammar over a region, its ``IN_TEXT``) that spell a secret in escapes their
    server undoes (see :mod:`..dialects.unescape`); a value without one is its own text,
    which the plain forms cover. ``chars``: the bytes of the secrets (a ``%`` escape stands
    for a few characters: a secret without them needs no decoding, so that is asked first;
    a two-byte ``in`` reads every byte of a region)."""
    out: list[tuple[int, int]] = []
    # Each ``in`` reads all of a region that lacks the byte (most do): each asked once, and
    # only for a secret with a byte these escapes stand for (``needed``, a few set looks).
    if any(needed(codec, chars) for codec in (GH_PROPERTY, GH_V1, AZURE)) and b"%" in data:
        _escaped_by_percent(data, find, chars, out)
    if b"|" in data and b"##teamcity[" in data:
        for message in teamcity.IN_TEXT.finditer(data):
            for value in teamcity.VALUES_IN_TEXT.finditer(data, message.start(), message.end()):
                _value(data, value.span(1), TEAMCITY, find, out)
    return out


def _escaped_by_percent(
    data: bytes, find: Find, chars: set[int], out: list[tuple[int, int]]
) -> None:
    """:func:`command_spans` of GitHub's and Azure's commands (their escapes begin ``%``)."""
    if needed(GH_PROPERTY, chars):  # its search for ``::`` is the look for one
        for command in ghcommands.v2_in_text(data):
            _values(data, command, 1, ghcommands.V2_VALUES_IN_TEXT, GH_PROPERTY, find, out)
            _value(data, command.span(2), GH_DATA, find, out)
    # (``needed`` first: most secrets have no byte these escape, and ``in`` reads the region)
    v1, azure_too = needed(GH_V1, chars), needed(AZURE, chars)
    hashes = (v1 or azure_too) and b"##" in data
    if hashes and v1 and b"##[" in data:
        for command in ghcommands.V1_IN_TEXT.finditer(data):
            _values(data, command, 1, ghcommands.V1_VALUES_IN_TEXT, GH_V1, find, out)
            _value(data, command.span(2), GH_V1, find, out)
    if hashes and azure_too:
        for command in azure.IN_TEXT.finditer(data):
            _values(data, command, 1, azure.VALUES_IN_TEXT, AZURE, find, out)
            _value(data, command.span(2), AZURE, find, out)


def loose_spans(data: bytes, find: Find, chars: set[int]) -> list[tuple[int, int]]:
    """:func:`command_spans` for bytes that may be the middle of a command's value with its
    head elsewhere (a piece of a line too long to hold): ``data`` read whole in each
    system's escapes (``p%3Bss]w0rd`` is ``p;ss]w0rd`` to Azure's agent). Text that is no
    value may be masked too: more is safe."""
    out: list[tuple[int, int]] = []
    for codec in (GH_PROPERTY, GH_V1, AZURE, TEAMCITY):
        if codec.lead in data and needed(codec, chars):
            out += spans_in(data, codec, find)
    return out


def _values(
    data: bytes,
    command: re.Match[bytes],
    group: int,
    values: re.Pattern[bytes],
    codec: Codec,
    find: Find,
    out: list[tuple[int, int]],
) -> None:
    start, end = command.span(group)
    if start >= 0:
        for value in values.finditer(data, start, end):
            _value(data, value.span(1), codec, find, out)


def _value(
    data: bytes, span: tuple[int, int], codec: Codec, find: Find, out: list[tuple[int, int]]
) -> None:
    start, end = span
    if start >= 0 and end > start:
        out += [(start + a, start + b) for a, b in spans_in(data[start:end], codec, find)]
