"""Tail lines that say nothing alone (:func:`.failure.pick`): a caret or a compiler's quoted
source line, which point at the line above them, and lines blank but for colour codes or a
level with no message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..._regex import lazy
from ..._text import COLOUR


class Placed(Protocol):
    """A tail line as these look at it."""

    @property
    def lineno(self) -> int: ...
    @property
    def stream(self) -> int: ...
    @property
    def text(self) -> bytes: ...


# A line that points at the line above it: a caret (pytest's ``^^^^``, a compiler's
# ``^~~~``, behind gcc's and rustc's gutter ``   |``), or the source line a compiler quotes
# under its diagnostic (``   42 |     int fd = ...``).
_LEANS = lazy(rb"^[ \t]*(?:[0-9]* *\| *)?(?:[~^]*\^[~^]*|(?<=\|)[ \t]*\S.*)[ \t\r]*$")
_LEANING_MOST = 4  # lines a pointer may lean on, up: a diagnostic, its source, its caret


def leaning(lines: Sequence[Placed], i: int) -> list[int]:
    """``i`` with the lines above it that it points at (see :data:`_LEANS`), oldest first."""
    first = i
    while (
        first > 0
        and i - first < _LEANING_MOST
        and _LEANS.match(lines[first].text.rstrip(b"\n")) is not None
        and lines[first - 1].lineno == lines[first].lineno - 1
        and lines[first - 1].stream == lines[first].stream
    ):
        first -= 1
    return list(range(first, i + 1))


# A line blank but for colour codes or a level field with no message (Maven's ``[ERROR] ``
# between its summary's paragraphs, a lone ``\x1b[0m``): blank, where the room is short.
_BLANK = lazy(
    rb"^(?:" + COLOUR.encode() + rb"|[ \t\r\n])*"
    rb"(?:\[(?:ERROR|WARNING|WARN|INFO)\](?:" + COLOUR.encode() + rb"|[ \t\r\n])*)?$"
)


def says(text: bytes) -> bool:
    """Whether a tail line says anything (see :data:`_BLANK`)."""
    return bool(text.strip()) and _BLANK.match(text) is None


__all__ = ["leaning", "says"]
