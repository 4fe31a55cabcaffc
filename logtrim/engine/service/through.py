"""A command too long to hold, passing through the console as it comes (engine/service/longline.py).

Its bytes are printed in several emits; anything else printed on its stream meanwhile (logtrim's
own notes and markers go to stdout while the other stream goes on) would land inside it and cut
it in two. Those emits wait, in order, and follow its end.
"""

from __future__ import annotations

Emit = tuple[int, bytes]


class Through:
    """Which emits are a passing command's, and the others of its stream that wait."""

    def __init__(self) -> None:
        self.stream: int | None = None  # the stream a command passes on, if any
        self._start = 0  # where in the pending emits it began (0 after a take)
        self._parts: set[int] = set()  # the indexes of its own emits there
        self._waiting: list[Emit] = []

    def begin(self, stream: int, at: int) -> None:
        self.stream, self._start, self._parts = stream, at, set()

    def part(self, at: int) -> None:
        """The emit at index ``at`` of the pending ones is the command's."""
        self._parts.add(at)

    def untangle(self, emits: list[Emit]) -> None:
        """Set aside the emits of its stream that are not its own (in place; only those
        since it began are looked at: a chunk of thousands of commands pends as many)."""
        start, keep = self._start, []
        for i in range(start, len(emits)):
            emit = emits[i]
            if emit[0] == self.stream and i not in self._parts:
                self._waiting.append(emit)
            else:
                keep.append(emit)
        if len(keep) < len(emits) - start:
            emits[start:] = keep
        self._start, self._parts = 0, set()

    def end(self, emits: list[Emit]) -> None:
        """Its last emit is in: the waiting emits follow it (in place)."""
        self.untangle(emits)
        emits += self._waiting
        self.stream, self._waiting = None, []
