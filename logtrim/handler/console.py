"""The handler's console: a text stream, given up for good once writing to it fails."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO

Emit = tuple[int, bytes]


class Console:
    """Writes the engine's emits to a text stream (``sys.stdout`` at each write, if none)."""

    def __init__(self) -> None:
        self.ok = True

    def write(self, emits: Sequence[Emit], stream: IO[str] | None) -> None:
        if not emits or not self.ok:
            return
        out = stream if stream is not None else sys.stdout
        if out is None:
            return
        try:
            out.write(b"".join(data for _, data in emits).decode("utf-8", "replace"))
            out.flush()
        except Exception:  # closed, or no stream at all: the archive goes on, the app too
            self.ok = False
