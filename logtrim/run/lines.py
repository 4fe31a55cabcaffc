"""What a stream declares, read ahead of its turn: its whole lines, chunk by chunk, in the
order they were read (:meth:`.Reader.pair`, and the fail-open path's pump). No I/O here."""

from __future__ import annotations

from ..engine.masking.inpieces import MAX_DECLARED


class StreamLines:
    """A stream's line starts, in the order its chunks are read: the whole lines a chunk
    ends, with the start of the line it continues (a declaration split across reads is
    learned whole). Of a line longer than a declaration learned (64 KiB), its last bytes
    are carried: a declaration that ends it (``##vso[task.setsecret]...`` after 1 MB of a
    tool's output) is learned before the other stream's next lines, as any line's is.
    The parts of the unfinished line that a lone ``\r`` ended are lines to a CI's reader,
    which the engine learns as they come: they come after the whole lines, once each."""

    _MAX = MAX_DECLARED + 256  # (a declaring command's start, and its value)

    def __init__(self) -> None:
        self._carry = b""
        self._done = 0  # the carry's bytes up to its last \r, given already

    def passed(self, chunk: bytes) -> None:
        """:meth:`whole` for a chunk whose lines are not wanted (no copy of the chunk)."""
        end = chunk.rfind(b"\n") + 1
        if end:
            self._carry, self._done = chunk[end:], 0
        else:
            self._carry += chunk
        self._bound()

    def whole(self, chunk: bytes) -> bytes:
        """The whole lines ``chunk`` ends, then the parts of the unfinished line a lone ``\r``
        ended since the last call (no newline: learned as pieces)."""
        text = self._carry + chunk
        end = text.rfind(b"\n") + 1
        if end:
            self._carry, self._done = text[end:], 0
        else:
            self._carry = text
        self._bound()
        cr = self._carry.rfind(b"\r") + 1
        if cr <= self._done:
            return text[:end]
        piece, self._done = self._carry[self._done : cr], cr
        return text[:end] + piece

    def _bound(self) -> None:
        if len(self._carry) > self._MAX:
            cut = len(self._carry) - self._MAX
            self._carry, self._done = self._carry[cut:], max(self._done - cut, 0)


__all__ = ["StreamLines"]
