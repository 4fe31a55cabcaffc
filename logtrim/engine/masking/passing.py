"""The values of a base64-valued command (Octopus's) too long to hold, masked part by part as
it passes: a secret's form in a value is written over with base64 of the same length."""

from __future__ import annotations

import base64
import binascii

from ..._regex import lazy
from .mask import apply

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BASE64 = frozenset(_ALPHABET)
_COUNTED = frozenset(_ALPHABET + b"=")  # what :func:`_count` counts
_STARS = base64.b64encode(b"***")  # ``Kioq``: four of its characters decode to three '*'


def _count(data: bytes | bytearray) -> int:
    """The base64 characters in ``data``, padding too (a decoder skips the blanks between)."""
    return len(data) - len(data.translate(None, _ALPHABET + b"="))


class PassingValues:
    """The values of an Octopus message too long to hold, masked part by part as it passes
    (engine/service/longline.py). A value is base64: a secret's form in one is written over
    with base64 of the same length, which decodes to ``*``s in the value's text, so the
    message still parses (``********`` there is no base64: the server would drop it). A form
    outside the values is masked as text."""

    def __init__(self) -> None:
        self._quote = b""  # the quote of the value the last part ended in, b"": none
        self._offset = 0  # the value's base64 characters before this part (its place in groups)

    @staticmethod
    def head(part: bytes) -> int:
        """Where the first value of a command's first ``part`` starts (its quote)."""
        opened = _QUOTE.search(part)
        return len(part) if opened is None else opened.start()

    def mask(self, part: bytes, spans: list[tuple[int, int]]) -> bytes:
        """The next ``part`` of the message with the secrets' ``spans`` masked."""
        values = self._values(part)
        if not spans:
            return part
        out = bytearray(part)
        outside: list[tuple[int, int]] = []
        for start, end in spans:
            pos = start
            for begin, stop, offset in values:
                if stop <= pos or begin >= end:
                    continue
                if begin > pos:
                    outside.append((pos, begin))
                a, b = max(pos, begin), min(end, stop)
                phase = (offset + _count(out[begin:a])) % 4
                if not _rewrite(out, a, b, phase, stop):
                    _stars(out, a, b, phase)
                pos = b
            if pos < end:
                outside.append((pos, end))
        return apply(bytes(out), outside) if outside else bytes(out)

    def _values(self, part: bytes) -> list[tuple[int, int, int]]:
        """The spans of values in ``part``, each with its bytes passed before it."""
        found: list[tuple[int, int, int]] = []
        pos = 0
        while pos <= len(part):
            if self._quote:
                close = part.find(self._quote, pos)
                stop = len(part) if close < 0 else close
                if stop > pos:
                    found.append((pos, stop, self._offset))
                    self._offset += _count(part[pos:stop])
                if close < 0:
                    break
                self._quote, pos = b"", close + 1
            else:
                opened = _QUOTE.search(part, pos)
                if opened is None:
                    break
                self._quote, self._offset, pos = opened.group(), 0, opened.end()
        return found


_QUOTE = lazy(rb"['\"]")


def _stars(out: bytearray, start: int, end: int, phase: int) -> None:
    """``out[start:end]`` written over character by character with the base64 of ``*``s
    (``phase``: the place of its first character in its group): blanks and padding stay, so
    the groups stay whole."""
    for i in range(start, end):
        if out[i] in _BASE64:
            out[i] = _STARS[phase % 4]
        if out[i] in _COUNTED:
            phase += 1


def _rewrite(out: bytearray, start: int, end: int, phase: int, stop: int) -> bool:
    """Write the base64 groups that hold ``out[start:end]`` (``phase``: the place of its first
    character in its group; ``stop``: where the value ends) again, each byte whose bits that
    span holds made ``*``: the bytes of the secret become ``*``, those around it stay whole
    (valid UTF-8). False, nothing written: the groups reach past this part or hold blanks
    (the caller writes stars character by character)."""
    first = start - phase
    need = -(phase + end - start) % 4
    last = end + need
    if first < 0 or last > stop or _count(out[first:last]) != last - first:
        return False
    group = bytes(out[first:last])
    try:
        raw = base64.b64decode(group, validate=True)
    except binascii.Error:
        return False
    # The span's bits, from the groups' start: every byte they touch is the secret's.
    low, high = phase * 6 // 8, min(-(-(phase + end - start) * 6 // 8), len(raw))
    again = base64.b64encode(raw[:low] + b"*" * (high - low) + raw[high:])
    if len(again) != len(group):
        return False
    out[first:last] = again
    return True
