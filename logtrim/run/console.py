"""``run``'s console: the child's selected lines on logtrim's stdout and stderr.

It fails soft: a closed console (EPIPE) never stops the run (the archive still takes
everything). The archive writers live in :mod:`logtrim.archive`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO

from ..engine.core import STDERR, STDOUT, Emit


class Console:
    """logtrim's stdout and stderr; a closed console (EPIPE) must not stop the run."""

    def __init__(self) -> None:
        self._files: dict[int, IO[bytes]] = {STDOUT: sys.stdout.buffer, STDERR: sys.stderr.buffer}
        self.closed = False
        self._open_line = {STDOUT: False, STDERR: False}  # the last write did not end a line

    def end_line(self) -> None:
        """Our own lines start at column 0, even after a child's unterminated last line."""
        if self._open_line[STDOUT]:
            self.write([(STDOUT, b"\n")])

    def write(self, emits: Sequence[Emit]) -> None:
        if not emits or self.closed:
            return
        try:
            # One write per run of lines on the same stream: the order across streams is kept.
            stream, batch = emits[0][0], list[bytes]()
            for next_stream, data in emits:
                if next_stream != stream:
                    self._write(stream, b"".join(batch))
                    stream, batch = next_stream, []
                batch.append(data)
            self._write(stream, b"".join(batch))
        except (BrokenPipeError, OSError):
            self.closed = True

    def _write(self, stream: int, data: bytes) -> None:
        if data:
            file = self._files[stream]
            file.write(data)
            file.flush()
            self._open_line[stream] = not data.endswith(b"\n")
