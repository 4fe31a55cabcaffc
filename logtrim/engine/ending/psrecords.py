"""Windows PowerShell's error records, for the failure reason (:mod:`.reason`).

A record (its NormalView) is the message, then its position (``At C:\\deploy.ps1:30 char:1``,
``At line:1 char:1``), the code with a ``+ ~~~`` marker, then ``+ CategoryInfo`` and ``+
FullyQualifiedErrorId``. The message has no error word of its own (``New-Item : Access to the
path 'D:\\x' is denied.``): the position line says it is one. The rest is metadata, never the
reason. Sans-IO: the line before the position is asked for (``before``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..._regex import lazy
from ..._text import ANSI_BYTES

AT = lazy(rb"^At [^\n]*:[0-9]+ char:[0-9]+$")
RECORD = lazy(rb"^[ \t]*\+ ")
META = lazy(rb"^[ \t]*\+ (?:CategoryInfo|FullyQualifiedErrorId) +: ")
#: The most lines of a record after its position (code, marker, metadata, a wrapped one).
RECORD_LINES = 8


@dataclass
class Records:
    """The records read so far: where the last one's position line was."""

    before: Callable[[int], bytes | None] | None = None  # the raw line before a line number
    _at: int = -100

    def read(self, body: bytes, lineno: int) -> tuple[bool, bytes | None]:
        """A line (``body``: stripped of colour and blanks): whether it is a record's line
        (then no candidate itself), and the raw message line when it is the position line
        (the message is the line above it, when still held)."""
        if META.match(body):
            return True, None
        if lineno - self._at <= RECORD_LINES and RECORD.match(body):
            return True, None
        if not AT.match(body):
            return False, None
        self._at = lineno
        above = self.before(lineno) if self.before is not None else None
        if above is None or RECORD.match(message_of(above)):
            return True, None
        return True, above


def message_of(raw: bytes) -> bytes:
    """A record's message line as the reason reads it: without colour and blanks."""
    return ANSI_BYTES.sub(b"", raw).strip()


__all__ = ["META", "Records", "message_of"]
