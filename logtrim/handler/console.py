"""The handler's console: a text stream, given up for good once writing to it fails."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import suppress
from typing import IO

Emit = tuple[int, bytes]


class Console:
    """Writes the engine's emits to a text stream (``sys.stdout`` at each write, if none);
    ``printed`` counts the bytes written (the budget's measure: what records logged after
    ``close()`` may still take is what is left of it)."""

    def __init__(self) -> None:
        self.ok = True
        self.printed = 0

    def write(self, emits: Sequence[Emit], stream: IO[str] | None) -> None:
        if not emits or not self.ok:
            return
        out = stream if stream is not None else sys.stdout
        if out is None:
            return
        data = b"".join(data for _, data in emits)
        text = data.decode("utf-8", "replace")
        self.printed += len(data)  # (counted also if the write fails: it may be part written)
        try:
            try:
                out.write(text)
            except UnicodeEncodeError:
                # A stream that is not UTF-8 (a Windows agent's pipe in cp1252, an ASCII
                # locale): one character it cannot encode must not silence the console,
                # the summary and the artifact's message with it ("?" is no longer than it).
                encoding = getattr(out, "encoding", None) or "ascii"
                out.write(text.encode(encoding, "replace").decode(encoding, "replace"))
            out.flush()
        except Exception as exc:  # closed, or no stream at all: the archive goes on, the app too
            self.ok = False
            with suppress(Exception):
                if sys.stderr is not None and sys.stderr is not out:
                    name = type(exc).__name__
                    sys.stderr.write(f"logtrim: warning: the console cannot be written ({name}); "
                                     "the archive goes on\n")  # fmt: skip
