"""An Octopus service message line masked as Calamari reads it (:meth:`.Octopus.mask_command`):
each value in the text it encodes, the syntax kept, and a secret across a message's ``]``
masked in the text after it, never in the ``]``."""

from __future__ import annotations

import base64
import re

from .._regex import lazy
from .base import MASK
from .servicemsg import calamari_value, loose_value
from .syntax import Mask, keeping

# A message as Calamari reads one: the marker, perhaps spaces and '['s, a name, attributes,
# then its ']' (or the end of the line, when the message goes on over the next lines). "see
# ##octopus[ docs" is text. Any case: older server parsers ignore it, and a line passed
# verbatim where no parser acts on it is only a line.
COMMAND = (
    r"""(?i:##octopus)\s*\[*\s*[A-Za-z][\w.-]*"""
    r"""(?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:'[^']*'|"[^"]*"))*\s*(?:\]|\Z)"""
)
_COMMAND_BYTES = lazy(COMMAND.encode())
#: A message as Calamari reads one, found in bytes.
MESSAGE = _COMMAND_BYTES
# One attribute: its value is masked as the text it encodes.
_ATTRIBUTE = lazy(rb"""(?<![\w.-])([A-Za-z_][\w.-]*\s*=\s*)(?:'([^']*)'|"([^"]*)")""")


def mask_line(
    line: bytes, mask: Mask, words: re.Pattern[bytes], *, continued: bool = False
) -> bytes:
    """A line of Octopus messages masked (``words``: the syntax words kept in a message;
    ``continued``: the line goes on with a message opened on an earlier line)."""
    # Values are base64 of UTF-8: decoded, masked, encoded again, so the message still
    # parses (the plain forms would leave invalid base64, and the server would drop it).
    # Each well-formed message as its values read; the text between, in one piece (a
    # secret cut by colour codes there is still one); no message: a later line of one.
    spans = [m.span() for m in _COMMAND_BYTES.finditer(line)]
    # Before any message: the end of one begun on an earlier line, to its first ``]``
    # (Calamari reads an open message that far), or text (``password='P@ss'w0rd!' [attempt
    # 1] ##octopus[...]`` read as a message's end: the secret across its "value" passed).
    close = line.find(b"]", 0, spans[0][0] if spans else len(line)) if continued else -1
    if close >= 0:
        spans.insert(0, (0, close + 1))
    if not spans:  # the next line of a message: its attributes (else text alone)
        return _attributes(line, mask, words) if continued else mask(line)
    cuts = [0, *(i for span in spans for i in span), len(line)]
    texts = [line[a:b] for a, b in zip(cuts[::2], cuts[1::2], strict=True)]
    messages = [
        _attributes(line[s:e], mask, words, message=bool(i) or close < 0)
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


def _interleave(texts: list[bytes], messages: list[bytes]) -> bytes:
    """The texts with the messages between them (one text more than messages)."""
    return b"".join([m for pair in zip(texts, messages, strict=False) for m in pair] + texts[-1:])


def _attributes(
    text: bytes, mask: Mask, words: re.Pattern[bytes], *, message: bool = False
) -> bytes:
    """``text`` with each attribute value masked in the text it encodes. ``message``: it is
    one message, whose marker, name, attribute names and quotes are syntax, never masked
    (a secret such as ``octopus`` must not break it); else (the next line of one) the text
    between the attributes is masked as text."""

    def one(match: re.Match[bytes]) -> bytes:
        quote = b"'" if match.group(2) is not None else b'"'
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        return match.group(1) + quote + _value(raw, mask) + quote

    pos = 0
    parts = []
    for match in _ATTRIBUTE.finditer(text):
        between = text[pos : match.start()]
        parts.append(keeping(between, mask, words) if message else mask(between))
        parts.append(one(match))
        pos = match.end()
    parts.append(keeping(text[pos:], mask, words) if message else mask(text[pos:]))
    return b"".join(parts)


def _value(raw: bytes, mask: Mask) -> bytes:
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
