"""Secrets as a terminal shows them: escape codes (colours, titles, cursor moves) between
their characters hide nothing (see :mod:`.mask`). Reading text without its codes, and where
each byte of it is in the bytes as written; the ends of text that could start a secret."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from ..._regex import lazy
from ..._text import ANSI_BYTES, ANSI_OPEN


def held_end(data: bytes, forms: list[bytes]) -> int:
    """The longest end of ``data`` that one of ``forms`` starts with (shorter than it)."""
    best = 0
    size = len(data)
    for form in forms:
        first = form[:1]
        pos = data.find(first, max(size - len(form) + 1, 0))
        while pos >= 0 and size - pos > best:
            if form.startswith(data[pos:]):
                best = size - pos
                break
            pos = data.find(first, pos + 1)
    return best


# The start of an escape sequence at the very end of a read: the rest comes with the next
# (a control string at most STRING_MAX bytes long: what waits for its end is bounded).
PARTIAL = lazy(ANSI_OPEN.encode() + rb"\Z")


def held_through(data: bytes | bytearray, forms: list[bytes]) -> int:
    """:func:`held_end` of ``data`` read without its escape codes, in bytes of ``data`` (the
    codes inside, and one begun at the very end, included).

    A code begun but not ended is read each way the next bytes may decide: a code that
    never ends is no code (``\x1b]0`` with no BEL after it: its ``0`` may start a secret,
    which the masker then reads whole), one they end hides what it holds. The first code
    begun and not ended takes all after it once ended (a title's BEL may come later); if
    it never ends, the last one (a colour's ``\x1b[3``) may still be ended on its own.
    """
    if b"\x1b" not in data:
        return 0
    raw = bytes(data)
    held = _held_text(raw, forms)  # no code ends: all of it is text
    first = PARTIAL.search(raw)
    if first is None:
        return held
    last = raw.rfind(b"\x1b")
    for start in {first.start(), last if PARTIAL.match(raw, last) else first.start()}:
        if found := _held_text(raw[:start], forms):
            held = max(held, len(raw) - start + found)
    return held


def _held_text(whole: bytes, forms: list[bytes]) -> int:
    """:func:`held_end` of ``whole`` read without its escape codes, in bytes of ``whole``."""
    if found := held_end(ANSI_BYTES.sub(b"", whole), forms):
        text = Stripped(whole)
        return len(whole) - text.where(len(text.text) - found)
    return 0


class Stripped:
    """``data`` read without its escape sequences, and where each of its bytes is in ``data``."""

    def __init__(self, data: bytes) -> None:
        self._kept: list[int] = []  # where each run of text between escapes starts in .text
        self._origin: list[int] = []  # and in data
        pieces: list[bytes] = []
        pos = size = 0
        for m in ANSI_BYTES.finditer(data):
            self._kept.append(size)
            self._origin.append(pos)
            pieces.append(data[pos : m.start()])
            size += m.start() - pos
            pos = m.end()
        self._kept.append(size)
        self._origin.append(pos)
        pieces.append(data[pos:])
        self.text = b"".join(pieces)

    def where(self, at: int) -> int:
        """The offset in ``data`` of the text's byte at ``at``."""
        i = bisect_right(self._kept, at) - 1  # the last run starting at or before it: not empty
        return self._origin[i] + at - self._kept[i]


def through_escapes(
    data: bytes, find: Callable[[bytes], list[tuple[int, int]]]
) -> list[tuple[int, int]]:
    """Spans of secrets in ``data`` read without its escape sequences, in ``data``'s offsets
    (the escapes inside a span are masked with it)."""
    found = find(ANSI_BYTES.sub(b"", data))  # in C; the offsets are mapped only if needed
    if not found:
        return []
    text = Stripped(data)
    return [(text.where(start), text.where(end - 1) + 1) for start, end in found]


def shown_end(data: bytes, chars: int) -> int:
    """How many bytes at the end of ``data`` hold its last ``chars`` characters as a terminal
    shows them, with the codes among them and one begun at the very end (all of ``data``
    when it shows fewer): where a secret of ``chars + 1`` characters may have begun."""
    if not chars or b"\x1b" not in data:
        return min(chars, len(data))
    partial = PARTIAL.search(data)
    text = Stripped(data[: partial.start()] if partial else data)
    if len(text.text) <= chars:
        return len(data)
    return len(data) - text.where(len(text.text) - chars)
