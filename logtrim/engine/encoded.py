"""Secrets inside values a CI decodes before it reads them: found by decoding, masked whole.

An Octopus attribute value is base64, which Calamari reads with .NET's decoder: spaces, tabs
and line breaks anywhere in it are skipped, and XML entities are resolved first. No fixed
form of a secret covers every such spelling (``U3Bh Y2Vk...``), so each value of a message is
decoded as Calamari decodes it and, when the text holds a secret, the value is masked whole.
What a reader could still decode from a value Calamari rejects counts too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..dialects.servicemsg import calamari_value, loose_value

# Any case: what older servers read; a marker in text is masked the same (more is safe).
_OPENER = re.compile(rb"##(?i:octopus)")
_OPENER_LEN = len(b"##octopus")
#: Lone ``#`` looked past one by one before the pair is searched for (see :func:`hashes`).
_LONE = 8
# A quoted value after ``name=``; the message ends at the first ']' (Calamari's parser).
_VALUE = re.compile(rb"""=\s*(?:'([^'\]]*)'|"([^"\]]*)")""")


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


def octopus_spans(data: bytes, holds: Callable[[bytes], bool]) -> list[tuple[int, int]]:
    """The spans of the Octopus attribute values in ``data`` whose decoded text ``holds``
    a secret (a message runs to its ``]`` or its line's end: a region holds whole lines, so
    the answer is the same whatever the reads; a spelled value over lines is not read)."""
    first = hashes(data)
    if first < 0:
        return []
    out: list[tuple[int, int]] = []
    for opener in _OPENER.finditer(data, first):
        end = _end(data, opener.end())
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
    return data.find(b"##", pos) if pos >= 0 else -1


def _end(data: bytes, start: int) -> int:
    """Where the message whose name starts at ``start`` ends: its ``]``, or its line's end."""
    ends = [e for e in (data.find(b"]", start), data.find(b"\n", start)) if e >= 0]
    return min(ends, default=len(data))
