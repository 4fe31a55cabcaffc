"""The console when the engine itself broke: a plain head and tail, under the budget.

Fail-open keeps the step running, but "unfiltered" must not mean "unlimited": a flood would
bury the failure reason and can break the CI's log view. With no engine to trust, the rule
is the simplest one: the first half of the budget left is shown as it comes, the last half
is kept in a ring and shown at the end, after one line saying how much was left out. The CI's
commands are no part of it: each reaches the CI, in order, whatever the budget.
"""

from __future__ import annotations

import re
from collections import deque

from .._sizes import format_size
from ..engine.core import STDOUT, Emit

# A line that may be a CI command: one the CI reads anywhere in a line (Octopus in any case,
# Azure, TeamCity), or one at a line's start (GitHub's ``::``).
_ANYWHERE = rb"##(?:vso\[|teamcity\[|(?i:octopus))"
_MARKER = re.compile(_ANYWHERE + rb"|(?:^|\n)[ \t]*::")
_COMMAND_LINE = re.compile(rb"^[^\n]*" + _ANYWHERE + rb"[^\n]*\n?|^[ \t]*::[^\n]*\n?", re.M)


class HeadTail:
    """Pass the first ``room // 2`` bytes, keep the last ``room // 2``, count the rest."""

    def __init__(self, room: int) -> None:
        self.head_left = room // 2
        self.tail_room = room - self.head_left
        self.tail: deque[Emit] = deque()
        self.tail_size = 0
        self.seen = 0
        self.skipped = 0

    def write(self, stream: int, data: bytes) -> list[Emit]:
        """What to show of ``data`` now (the head, and every CI command); the rest waits
        in the tail."""
        if not data or _MARKER.search(data) is None:
            return self._plain(stream, data)
        out: list[Emit] = []
        pos = 0
        for command in _COMMAND_LINE.finditer(data):
            out += self._plain(stream, data[pos : command.start()])
            # The CI acts on it: it passes whatever the budget, in the order written.
            out.append((stream, command.group()))
            self.seen += command.end() - command.start()
            pos = command.end()
        return out + self._plain(stream, data[pos:])

    def _plain(self, stream: int, data: bytes) -> list[Emit]:
        if not data:
            return []
        self.seen += len(data)
        shown = data[: self.head_left]
        self.head_left -= len(shown)
        rest = data[len(shown) :]
        if rest:
            self._keep(stream, rest[-self.tail_room :] if self.tail_room else b"")
            self.skipped += len(rest) - min(len(rest), self.tail_room)
        return [(stream, shown)] if shown else []

    def _keep(self, stream: int, data: bytes) -> None:
        if data:
            self.tail.append((stream, data))
            self.tail_size += len(data)
        while self.tail_size > self.tail_room and self.tail:
            old_stream, old = self.tail.popleft()
            over = self.tail_size - self.tail_room
            if len(old) > over:  # cut the oldest piece at a line start when there is one
                keep = old[over:]
                cut = keep.find(b"\n") + 1
                if 0 < cut < len(keep):
                    over, keep = over + cut, keep[cut:]
                self.tail.appendleft((old_stream, keep))
                self.tail_size -= over
                self.skipped += over
            else:
                self.tail_size -= len(old)
                self.skipped += len(old)

    def finish(self) -> list[Emit]:
        """The note on what was left out, then the tail."""
        if not self.skipped:
            return list(self.tail)
        note = (
            f"\nlogtrim: {format_size(self.skipped)} of {format_size(self.seen)} not shown "
            "after an internal error (the console budget holds; the archive has everything "
            "it could take)\n"
        )
        return [(STDOUT, note.encode()), *self.tail]
