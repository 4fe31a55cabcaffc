"""Command values as each CI server decodes them, and where each decoded byte was written.

A secret can be spelled in a value with any mix of the escapes its server undoes: GitHub's
runner reads ``a%25b%c`` as ``a%b%c`` and a property's ``a%3Ab`` or ``a:b`` as ``a:b``;
TeamCity reads ``p4ss|]w0rd``, ``p4ss]w0rd`` and ``p4ss|0x005Dw0rd`` alike. No fixed list of
forms covers every mix, so a value is decoded as its server decodes it, the secrets are found
in that text, and each one found is mapped back to the bytes that spell it.

The rules, from each server's own parser:

* GitHub (actions/runner ``ActionCommand.cs``): ``::name k=v,k=v::data`` at a line's start;
  the properties end at the first ``::``, split at ``,``, each value after its first ``=``
  (so ``;``, ``]``, ``=`` and a lone ``:`` are plain characters there); properties undo
  ``%0D %0A %3A %2C %25``, data ``%0D %0A %25``; the older ``##[name k=v;k=v]data`` undoes
  ``%3B %0D %0A %5D %25`` in both. Escapes are upper case only (ordinal replaces).
* Azure (agent ``CommandStringConvertor``): ``##vso[area.action k=v;k=v]data``, the
  properties up to the first ``]``, split at ``;``; properties and data undo ``%AZP25 %0D %0A
  %5D %3B`` alike (the ``##[group]`` formatting commands are printed as written).
* TeamCity (service messages): in a quoted value ``|`` escapes the next character: ``|n``,
  ``|r``, ``|x`` (U+0085), ``|l`` (U+2028), ``|p`` (U+2029), ``|0xNNNN`` (a UTF-16 code unit,
  a surrogate pair as two), any other character stands for itself (``|'``, ``||``, ``|[``,
  ``|]``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from .._regex import lazy

Find = Callable[[bytes], list[tuple[int, int]]]


@dataclass(frozen=True, slots=True)
class Codec:
    """One system's escapes in one place of a command: how its server decodes a value, and
    how logtrim writes one (the value masked, encoded again)."""

    escape: re.Pattern[bytes]
    unit: Callable[[bytes], bytes]
    encode: Callable[[str], str]
    lead: bytes  # every escape starts with it: a value without it is its own text
    #: The bytes its escapes stand for (None: any): a secret with none of them is found in
    #: the decoded text only where its raw text holds it too, so the plain form covers it.
    plain: frozenset[int] | None = None


def _percent(table: dict[bytes, bytes]) -> Callable[[bytes], bytes]:
    return table.__getitem__


_TC_NAMED = {b"n": b"\n", b"r": b"\r", b"x": "\x85".encode(), b"l": "\u2028".encode()}
_TC_NAMED[b"p"] = "\u2029".encode()


def _tc_unit(unit: bytes) -> bytes:
    if unit.startswith(b"|0x"):
        units = bytes.fromhex(unit.replace(b"|0x", b"").decode("ascii"))
        return units.decode("utf-16-be", "surrogatepass").encode("utf-8", "surrogatepass")
    return _TC_NAMED.get(unit[1:], unit[1:])


def _encoder(table: dict[str, str]) -> Callable[[str], str]:
    trans = str.maketrans(table)
    return lambda text: text.translate(trans)


_GH_DATA = {b"%25": b"%", b"%0D": b"\r", b"%0A": b"\n"}
_GH_PROP = {**_GH_DATA, b"%3A": b":", b"%2C": b","}
_GH_V1 = {**_GH_DATA, b"%3B": b";", b"%5D": b"]"}


def _gh(table: dict[bytes, bytes]) -> Codec:
    escape = lazy(b"|".join(re.escape(k) for k in table))
    plain = {v.decode(): k.decode() for k, v in table.items()}
    stands = frozenset(b for v in table.values() for b in v)
    return Codec(escape, _percent(table), _encoder(plain), b"%", stands)


GH_DATA = _gh(_GH_DATA)
GH_PROPERTY = _gh(_GH_PROP)
GH_V1 = _gh(_GH_V1)
AZURE = _gh({b"%AZP25": b"%", b"%0D": b"\r", b"%0A": b"\n", b"%5D": b"]", b"%3B": b";"})
_TC_ENCODE = {"|": "||", "'": "|'", "\n": "|n", "\r": "|r", "[": "|[", "]": "|]"}
TEAMCITY = Codec(
    lazy(
        rb"\|0x[dD][89abAB][0-9a-fA-F]{2}\|0x[dD][c-fC-F][0-9a-fA-F]{2}"  # a surrogate pair
        rb"|\|0x[0-9a-fA-F]{4}|\|[\s\S]"
    ),
    _tc_unit,
    _encoder(_TC_ENCODE),
    b"|",
)


Units = list[tuple[int, int, int, int]]


def decode(raw: bytes, codec: Codec) -> tuple[bytes, Units]:
    """``raw`` decoded, and its escapes: ``(decoded start, decoded length, raw start, raw
    length)`` of each, in order (the bytes between are copied one for one)."""
    parts: list[bytes] = []
    units: Units = []
    pos = size = 0
    for found in codec.escape.finditer(raw):
        text = raw[pos : found.start()]
        plain = codec.unit(found.group())
        parts += [text, plain]
        size += len(text)
        units.append((size, len(plain), found.start(), found.end() - found.start()))
        size += len(plain)
        pos = found.end()
    parts.append(raw[pos:])
    return b"".join(parts), units


def raw_spans(found: list[tuple[int, int]], units: Units) -> list[tuple[int, int]]:
    """The spans of a raw value that spell the spans ``found`` in its decoded text."""
    starts = [u[0] for u in units]

    def to_raw(pos: int, closing: bool) -> int:
        at = pos - 1 if closing else pos  # the byte the span starts or ends with
        i = bisect_right(starts, at) - 1
        if i < 0:
            return pos
        dec, dec_len, raw, raw_len = units[i]
        if at < dec + dec_len:  # inside an escape: all of its bytes
            return raw + (raw_len if closing else 0)
        return pos + (raw + raw_len) - (dec + dec_len)  # a copied byte after escape i

    return [(to_raw(a, False), to_raw(b, True)) for a, b in found]


def needed(codec: Codec, secret_bytes: frozenset[int] | set[int]) -> bool:
    """Whether secrets made of ``secret_bytes`` can be spelled in the codec's escapes."""
    return codec.plain is None or not codec.plain.isdisjoint(secret_bytes)


def spans_in(raw: bytes, codec: Codec, find: Find) -> list[tuple[int, int]]:
    """The spans of ``raw`` (a value) that spell a secret once its server decodes it."""
    if codec.lead not in raw:
        return []
    decoded, units = decode(raw, codec)
    if not units:
        return []
    found = find(decoded)
    return raw_spans(found, units) if found else []


def mask_value(raw: bytes, codec: Codec, mask: Callable[[bytes], bytes]) -> bytes:
    """A value masked in the text its server reads: decoded, masked and encoded again when
    that text holds a secret; else masked as written."""
    decoded, units = decode(raw, codec) if codec.lead in raw else (raw, [])
    if units:
        masked = mask(decoded)
        if masked != decoded:
            text = codec.encode(masked.decode("utf-8", "surrogateescape"))
            return mask(text.encode("utf-8", "surrogateescape"))
    return mask(raw)
