"""Logs written in UTF-16 with their byte-order mark (PowerShell's ``>`` and ``Out-File``):
told from a step's output that merely starts with the bytes FF FE, and read as UTF-8."""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Callable, Iterator

#: The bytes :func:`is_utf16` looks at: the mark and what follows it. A UTF-16 text has a
#: NUL in every ASCII character it holds (a newline, a space, a digit): 64 KiB without one
#: is no log in UTF-16.
UTF16_PEEK = 2 + (64 << 10)


def has_mark(head: bytes) -> bool:
    """Whether bytes that start with ``head`` (its first 4 are enough) may be UTF-16: they
    start with its byte-order mark. What reads the raw bytes elsewhere (declarations read
    ahead, a second core's half of a file) is not done for such a file: :func:`is_utf16`
    decides on its first 64 KiB as it is read."""
    return head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def is_utf16(head: bytes) -> bool:
    """Whether bytes that start with ``head`` (their first :data:`UTF16_PEEK`, or all) are
    UTF-16 text with its byte-order mark: the mark, then bytes that decode as UTF-16 (no
    unpaired surrogate), at most one character in 64 a control character no text holds (a
    BEL or a form feed is fine), and a newline (``0A 00``) in every 512 characters or an
    eighth of ASCII characters at least. A step's output that merely
    starts with the bytes FF FE, then UTF-8, Latin-1, ASCII with a stray NUL or binary bytes,
    is no UTF-16: it is read and printed as stored (``cat`` of a run's archive gives the
    bytes the step wrote)."""
    if not has_mark(head):
        return False
    sample = head[2:UTF16_PEEK]
    if not sample:
        return True
    little = head[:2] == codecs.BOM_UTF16_LE
    decoder = codecs.getincrementaldecoder("utf-16-le" if little else "utf-16-be")()
    try:
        text = decoder.decode(sample)  # a character cut at the end: fine
    except UnicodeDecodeError:  # an unpaired surrogate: no text
        return False
    if 64 * len(_CONTROL.findall(text)) > len(text):
        return False
    # Newlines (U+000A: bytes ``0A 00``) at least one in 512 characters: a Chinese log may have
    # no other ASCII; ASCII read as UTF-16 has one only where a stray NUL follows a newline.
    return 512 * text.count("\n") >= len(text) or 8 * sum(c < "\x80" for c in text) >= len(text)


# Control characters no text holds (a tab, a line end, an escape, a bell, a backspace and a
# form feed may be a log's).
_CONTROL = re.compile(r"[\x00-\x06\x0e-\x1a\x1c-\x1f]")


def utf16_as_utf8(
    raw: Iterator[bytes],
    decided: Callable[[], None] | None = None,
    stored: Callable[[bytes], None] | None = None,
) -> Iterator[bytes]:
    """A UTF-16 text that starts with its byte-order mark (as PowerShell's ``>`` and
    ``Out-File`` write logs) as UTF-8, so that its lines are read, not refused as binary
    for the NUL in every other byte; any other bytes as they are. ``decided`` is called
    before the first bytes of a text read so: what follows a UTF-16 log's first 64 KiB is
    read as UTF-16 whatever it is (a log in UTF-8 appended), and secrets are masked also
    as their bytes read so (``Masker.read_as_utf16``). ``stored`` gets the bytes of a text
    read so, as they are, each block before the text it decodes to."""
    first = b""
    for block in raw:
        first += block
        if len(first) >= UTF16_PEEK:
            break
    if not is_utf16(first):
        if first:
            yield first
        yield from raw
        return
    if decided is not None:
        decided()
    decoder = codecs.getincrementaldecoder("utf-16")("replace")  # (the mark read, not kept)
    for block in itertools.chain((first,), raw):
        if stored is not None:
            stored(block)
        if text := decoder.decode(block):
            yield text.encode("utf-8")
    if text := decoder.decode(b"", final=True):
        yield text.encode("utf-8")


_EARLY_MAX = 1 << 20  # stored bytes kept for a late listener (the peek's)


class Utf16Watch:
    """Who wants to know that an input's text is read as UTF-16 (:func:`utf16_as_utf8`'s
    ``decided``), and who wants its bytes as stored (its ``stored``). Stored blocks read
    before anyone asked for them (a peek at the input's kind) go to the first who does:
    bounded, as the peek is."""

    def __init__(self) -> None:
        self._when: list[Callable[[], None]] | None = []  # None: read as UTF-16
        self._stored: list[Callable[[bytes], None]] = []
        self._early: list[bytes] | None = []

    def add(self, callback: Callable[[], None], stored: Callable[[bytes], None] | None) -> None:
        if stored is not None:
            self._stored.append(stored)
            early, self._early = self._early or [], None
            for block in early:
                stored(block)
        if self._when is None:
            callback()
        else:
            self._when.append(callback)

    def decided(self) -> None:
        callbacks, self._when = self._when or [], None
        for callback in callbacks:
            callback()

    def stored(self, block: bytes) -> None:
        if self._early is not None and not self._stored:
            if sum(map(len, self._early)) < _EARLY_MAX:
                self._early.append(block)
            return
        for callback in self._stored:
            callback(block)


__all__ = ["UTF16_PEEK", "Utf16Watch", "has_mark", "is_utf16", "utf16_as_utf8"]
