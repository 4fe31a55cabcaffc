"""Commands a line opens and leaves open: a message whose ``]`` comes on a later line goes
on over the next lines of its stream, each of which must look like part of it (its dialect
says), for at most :data:`~logtrim.engine.masking.declarations.MAX_LINES` lines."""

from __future__ import annotations

from collections.abc import Sequence

from ...dialects import Dialect
from ..console.output import STDERR, STDOUT
from ..masking.declarations import MAX_LINES, opens


class OpenCommands:
    """Per stream, the command left open (if any) and how many lines it went on."""

    def __init__(self, dialects: Sequence[Dialect]) -> None:
        self._dialects = dialects
        self.now: dict[int, Dialect | None] = {STDOUT: None, STDERR: None}
        self.lines = {STDOUT: 0, STDERR: 0}
        #: Commands left open that the next line did not continue: no message after all.
        self.abandoned = 0
        # The dialect of the command the stream's last line continued (masked as its part).
        self.continued: dict[int, Dialect | None] = {STDOUT: None, STDERR: None}

    def after(self, stream: int, text: str) -> None:
        """After a command line: whether its command goes on on the stream's next lines."""
        self.now[stream] = self._opened(text)
        self.lines[stream] = 0

    def reset(self, stream: int) -> None:
        """A line that is a whole command of its own: nothing goes on."""
        self.now[stream], self.lines[stream], self.continued[stream] = None, 0, None

    def _opened(self, text: str) -> Dialect | None:
        """The system whose command ``text`` opens and leaves open: a line of another
        system's (``::endgroup::``) opens none, though it has no ']'."""
        return next((d for d in self._dialects if opens(d, text)), None)

    def continues(self, stream: int, text: str) -> bool:
        """Whether a line is the next line of the stream's open command (it stays open while
        its dialect says so, for at most ``MAX_LINES`` lines)."""
        dialect = self.now[stream]
        if dialect is None:
            return False
        self.lines[stream] += 1
        if not dialect.continues(text) or self.lines[stream] > MAX_LINES:
            self.now[stream] = None
            self.abandoned += 1
            return False
        self.continued[stream] = dialect
        if not dialect.unclosed(text):
            self.now[stream] = None
        return True

    def leaves_open(self, text: str) -> bool:
        """Whether a command line opens a command that goes on on the next lines."""
        return self._opened(text) is not None

    def close(self, stream: int) -> None:
        """The stream ended with its command still open: nothing more continues it."""
        self.now[stream] = None
