"""The forms a secret takes in the output, as bytes: its spellings, its line endings, its lines
alone, its base64, and the pieces a long form is masked as (:class:`.mask.Masker` masks them
all; docs/masking.md lists them)."""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from collections.abc import Callable

from ... import _text

MIN_LENGTH = _text.MIN_SECRET
MIN_FORM = 4  # a base64 form shorter than this would mask ordinary words
#: A longer form is masked as the pieces of this length that cover it: hyperscan refuses a
#: literal of a few kB, and ``re`` compiles and scans one of megabytes in time growing with
#: its square (a declared value can be a whole line). Wherever the form occurs, its pieces'
#: spans touch and merge into its span: it is masked as before; a piece alone is masked too.
LONG_FORM = 1024


def line_endings(raw: bytes) -> list[bytes]:
    """``raw``, and a secret over several lines also with its other line ending: a terminal
    (``--pty``) or a Windows tool prints ``\\n`` as ``\\r\\n``, a Unix tool may print a value
    read with ``\\r\\n`` as ``\\n``."""
    if b"\n" not in raw:
        return [raw]
    lf = raw.replace(b"\r\n", b"\n")
    crlf = lf.replace(b"\n", b"\r\n")
    return [raw, *(form for form in (lf, crlf) if form != raw)]


_LINE_END = re.compile(rb"\r\n|\r|\n")


def line_forms(raw: bytes) -> list[bytes]:
    """Each line of a secret over several lines, without the spaces around it: a tool that
    indents what it prints (YAML, ``kubectl``, ``sed 's/^/  /'``) prints a key line by line
    with a prefix, so the whole value never appears. Lines shorter than MIN_LENGTH stay."""
    if b"\n" not in raw and b"\r" not in raw:
        return []
    # (a lone ``\r`` ends a line too: the runner and the agent read lines with .NET's
    # ``ReadLine``, and a terminal starts the line again)
    lines = (line.strip() for line in _LINE_END.split(raw))
    return [line for line in lines if len(line) >= MIN_LENGTH]


def json_forms(raw: bytes) -> list[bytes]:
    """``raw`` as JSON string writers write it, where that differs: a quote, a backslash or a
    control character escaped (``\\"``, ``\\n`` in a key over several lines), and each
    writer's own escapes (:data:`_WRITERS`: characters past ASCII, HTML's, ``\\/``). A
    structured log or a config dump prints a secret so."""
    text = raw.decode("utf-8", "surrogateescape")
    if any("\udc80" <= c <= "\udcff" for c in text):
        return []  # not UTF-8 text: no JSON writer printed it
    forms = {writer(text).encode("utf-8") for writer in _WRITERS}
    return sorted(form for form in forms if form != raw)


def python_json_forms(raw: bytes) -> list[bytes]:
    """``raw`` as Python's ``json.dumps`` writes it in a string, where that differs (either
    ``ensure_ascii``): the writer of the JSON a Python ``repr`` ends up in."""
    text = raw.decode("utf-8", "surrogateescape")
    if any("\udc80" <= c <= "\udcff" for c in text):
        return []
    forms = {json.dumps(text, ensure_ascii=flag)[1:-1].encode("utf-8") for flag in (True, False)}
    return sorted(form for form in forms if form != raw)


def repr_forms(raw: bytes) -> list[bytes]:
    """``raw`` as Python's ``repr`` writes it between its quotes, where that differs: a
    string's (a backslash, control characters as ``\\n`` or ``\\x1b``, its quote when it holds
    both kinds), its ``ascii()``, and its bytes' (each byte past ASCII as ``\\xNN``). A
    ``KeyError``, ``%r``, a container's ``str()`` and structlog's renderers print a value so."""
    text = raw.decode("utf-8", "surrogateescape")
    # Inside a longer text that holds both quotes, its ``'`` is escaped too (``\\'``):
    # repr of it with both quotes after it, those cut off again.
    forms = {repr(raw)[2:-1].encode(), repr(raw + b"'\"")[2:-4].encode()}
    if not any("\udc80" <= c <= "\udcff" for c in text):
        for spell in (repr, ascii):
            forms |= {spell(text)[1:-1].encode("utf-8"), spell(text + "'\"")[1:-4].encode("utf-8")}
    return sorted(form for form in forms if form != raw)


def _escaper(
    table: dict[str, str], *, upper: bool = False, ascii_only: bool = False
) -> Callable[[str], str]:
    """A JSON string writer (without the quotes): ``table``'s escapes first, then JSON's own
    (a quote, a backslash, the control characters), and with ``ascii_only`` every character
    past ASCII as ``\\uXXXX`` (UTF-16, as JSON spells it); hex digits as ``upper`` says."""
    spell = "\\u{:04X}" if upper else "\\u{:04x}"
    escapes = {code: spell.format(code) for code in range(0x20)}
    escapes.update({ord(c): e for c, e in _OWN.items()})
    escapes.update({ord(c): e for c, e in table.items()})  # str.translate: C speed, a key is kB

    def past_ascii(match: re.Match[str]) -> str:
        code = ord(match.group())
        if code > 0xFFFF:  # a surrogate pair
            high, low = divmod(code - 0x10000, 0x400)
            return spell.format(0xD800 + high) + spell.format(0xDC00 + low)
        return spell.format(code)

    def write(text: str) -> str:
        # The table first: its characters past ASCII (U+2028) are spelled as it says.
        written = text.translate(escapes)
        return _PAST_ASCII.sub(past_ascii, written) if ascii_only else written

    return write


#: JSON's own escapes, where it has a short one.
_OWN = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_PAST_ASCII = re.compile(r"[^\x00-\x7e]")


def _codes(chars: str, *, upper: bool = False) -> dict[str, str]:
    return {char: ("\\u{:04X}" if upper else "\\u{:04x}").format(ord(char)) for char in chars}


#: JSON string writers, each as it escapes by default (their sources: docs/masking.md).
_WRITERS: tuple[Callable[[str], str], ...] = (
    lambda text: json.dumps(text)[1:-1],  # Python's json.dumps
    # JavaScript's JSON.stringify, Jackson
    lambda text: json.dumps(text, ensure_ascii=False)[1:-1],
    _escaper(_codes("<>&\u2028\u2029")),  # Go's encoding/json, Ruby on Rails' to_json
    _escaper(_codes("<>&='\u2028\u2029")),  # Gson
    # .NET's System.Text.Json (JavaScriptEncoder.Default)
    _escaper(_codes("\"<>&'+`", upper=True), upper=True, ascii_only=True),
    _escaper({"/": "\\/"}, ascii_only=True),  # PHP's json_encode
)


def base64_forms(raw: bytes) -> list[bytes]:
    """The base64 forms of ``raw``: padded, and at the three alignments inside longer text."""
    forms = [base64.b64encode(raw)]
    for shift in range(3):
        encoded = base64.b64encode(bytes(shift) + raw)
        first = -(-8 * shift // 6)  # characters that also hold the padding bytes' bits
        last = 8 * (shift + len(raw)) // 6  # characters wholly inside the secret's bits
        inner = encoded[first:last]
        if len(inner) >= MIN_FORM:
            forms.append(inner)
    return forms


def misread_forms(raw: bytes) -> list[bytes]:
    """``raw`` as a reader of UTF-16 shows it, in UTF-8: a log that starts in UTF-16 (its
    byte-order mark) and goes on in UTF-8 (two logs concatenated) is read as UTF-16 to its
    end, the secret's bytes two by two as characters (CJK, mostly) that give the secret back
    once written as UTF-16 again. Both byte orders, at both alignments; the characters at the
    edges, which also hold a byte of the text around, left out (the secret's first and last
    byte may show there); forms of 2 characters at least, fewer would mask ordinary words."""
    forms = []
    for order in ("utf-16-le", "utf-16-be"):
        for shift in (0, 1):
            body = raw[shift:]
            body = body[: len(body) & ~1]
            # A surrogate at an edge may pair with the text around: left out, as an edge.
            text = body.decode(order, "replace").strip("\ufffd")
            if len(text) >= 2:
                forms.append(text.encode("utf-8"))
    return forms


def spellings(value: str) -> list[str]:
    """``value``, and its composed and decomposed Unicode spellings where they differ: a
    terminal shows ``é`` and ``e`` + U+0301 alike, and a tool may print either (macOS file
    names are decomposed, most input methods compose). Each also without the blanks around
    it: a secret pasted with a stray space (``--mask-env``) is printed without it."""
    found = [value]
    if not value.isascii():
        found += (unicodedata.normalize(form, value) for form in ("NFC", "NFD"))
    found += [spelled.strip() for spelled in found]
    # Shorter than a secret may be (``e`` + U+0301 twice composes to 2 characters; `` ab ``
    # bare): left out, it would mask ordinary words.
    return [
        spelled
        for i, spelled in enumerate(found)
        if spelled not in found[:i] and (i == 0 or len(spelled) >= MIN_LENGTH)
    ]


def pieces(form: bytes) -> list[bytes]:
    """``form``, or the pieces of :data:`LONG_FORM` bytes that cover it (the last one ends
    where it ends: no short piece to mask ordinary text)."""
    if len(form) <= LONG_FORM:
        return [form]
    starts = [*range(0, len(form) - LONG_FORM, LONG_FORM), len(form) - LONG_FORM]
    return [form[i : i + LONG_FORM] for i in starts]


__all__ = [
    "LONG_FORM",
    "MIN_FORM",
    "base64_forms",
    "line_endings",
    "line_forms",
    "misread_forms",
    "pieces",
    "repr_forms",
    "spellings",
]
