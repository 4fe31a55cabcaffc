"""Where a CI command may start in a line too long to hold (engine/service/longline.py).

A command is looked for at each marker that counts anywhere in a line (``##octopus``,
``##teamcity[``, ``##vso[``), and at the line's start for every system; whether one starts
there is read on a *window* of the bytes from there, so the answer never depends on the reads.
A run of markers that start nothing (``##[`` over and over) costs C only: its candidates are
decided once.
"""

from __future__ import annotations

from ..._regex import lazy
from ...dialects import Dialect
from ...dialects.escape import unescaped
from .commands import Commands

#: The first bytes after a marker that say whether a command may start there at all.
_GLANCE = 128
#: A line a .NET reader starts after a lone carriage return, with a command that starts
#: lines (GitHub's ``::``): a candidate at the ``::``.
_CR_LEAD = lazy(rb"\r[ \t]*(?=::)")


class Starts:
    """Finds the places a command starts in the bytes of a long line (see the module)."""

    def __init__(self, commands: Commands, max_pending: int) -> None:
        self._commands = commands
        self.window = max(max_pending // 4, 16)
        self.prefix = max_pending // 2  # a command starting here ends the line's text
        anywhere = [m.lower() for m in commands.markers if m.startswith(b"##")]
        self._anywhere = sorted(set(anywhere))
        self._cr_lead = b"::" in commands.markers  # (``_CR_LEAD``)
        self.keep = max(map(len, self._anywhere), default=1) - 1  # a marker's bytes, but one
        self._next: dict[bytes, int] = {}  # per marker, its next place in the bytes looked at
        self.prev = -1  # the last candidate looked at, if it started none on its glance
        self._last: tuple[str | None, tuple[Dialect, int] | None] = (None, None)

    def reset(self) -> None:
        """New bytes to look at: no marker's place, no candidate before."""
        self._next.clear()
        self.prev = -1

    def text_end(self, start: bytes) -> int:
        """Where the text of a long line ends, from its first piece ``start``: at the first
        command that starts in the first :attr:`prefix` bytes, else there."""
        pos, low = 0, start.lower()
        self.reset()
        while (found := self.candidate(start, low, pos, lead=pos == 0)) >= 0:
            if found >= self.prefix:
                break
            decided = self.window_at(start, found, lead=pos == 0, end=True)
            if decided is not None and self.recognise(decided[0]) is not None:
                return found
            pos = self.passed(start, found, decided, lead=pos == 0)
        return min(len(start), self.prefix)

    def candidate(self, buf: bytes, low: bytes, pos: int, *, lead: bool) -> int:
        """The next place from ``pos`` a command may start: a marker that counts anywhere
        (``low``: ``buf`` in lower case), or (``lead``) the line's start after spaces (a
        system whose commands start lines)."""
        if lead:
            first = len(buf) - len(buf.lstrip())
            if not any(low.startswith(m, first) for m in self._anywhere):
                return first
        best = -1
        for m in self._anywhere:  # each marker's next place, found again only once passed
            at = self._next.get(m, -2)
            if at == -2 or 0 <= at < pos:
                at = self._next[m] = low.find(m, pos)
            if at >= 0 and (best < 0 or at < best):
                best = at
        if self._cr_lead:
            at = self._next.get(b"\r", -2)
            if at == -2 or 0 <= at < pos:
                found = _CR_LEAD.search(buf, max(pos - 1, 0))
                at = self._next[b"\r"] = found.end() if found is not None else -1
            if at >= 0 and (best < 0 or at < best):
                best = at
        return best

    def held_from(self, buf: bytes, found: int) -> int:
        """Where to keep ``buf`` from while the candidate at ``found`` waits for the rest of
        its window: at it, or at the carriage return that leads it (the next bytes are read
        with it, and it is a candidate again)."""
        if not self._cr_lead or not buf.startswith(b"::", found):
            return found
        at = found
        while at > 0 and buf[at - 1] in b" \t":
            at -= 1
        return at - 1 if at > 0 and buf[at - 1] == 13 else found

    def window_at(self, buf: bytes, found: int, *, lead: bool, end: bool) -> tuple[str, int] | None:
        """What decides whether a command starts at ``found``: up to the first ``]`` after a
        marker, else :attr:`window` bytes; None while they have not all come (``end``: no
        more will). With the number of bytes it is read from."""
        close = -1 if lead else buf.find(b"]", found, found + min(_GLANCE, self.window))
        if close < 0 and not lead:
            # A command start read on its first bytes first: a start of none (``##[`` over
            # and over) is no start of one on more, and costs no search of a whole window
            # for its ``]`` each (a line of markers would cost its length for every one).
            start = buf[found : found + _GLANCE].decode("utf-8", "surrogateescape")
            if len(start) == _GLANCE and self.recognise(start) is None:
                return start, _GLANCE
            close = buf.find(b"]", found, found + self.window)
        if close < 0 and len(buf) - found < self.window and not end:
            return None
        stop = min(close + 1 if close >= 0 else found + self.window, len(buf))
        return buf[found:stop].decode("utf-8", "surrogateescape"), stop - found

    def passed(self, buf: bytes, found: int, decided: tuple[str, int] | None, *, lead: bool) -> int:
        """Where to look on from after ``found`` started no command (``decided``: on what).

        The next byte; but when ``found`` was decided on its first :data:`_GLANCE` bytes at
        most, as was the candidate before it, and the bytes repeat from that one with their
        distance as period (``##[`` over and over), every candidate in that run is that
        candidate again, decided on the same bytes: past them (their search costs C only).
        """
        prev = self.prev
        self.prev = -1 if lead or decided is None or decided[1] > _GLANCE else found
        if self.prev < 0 or prev < 0 or found + _GLANCE > len(buf):
            return found + 1
        if buf[found : found + _GLANCE] != buf[prev : prev + _GLANCE]:
            return found + 1  # no repeat (the common case): said at the cost of a compare
        # Candidates up to ``last`` read bytes of the run alone: each is ``prev`` plus a
        # number of periods (none came between the two), decided as ``prev`` was.
        last = _period_end(buf, prev, found - prev) - _GLANCE
        if last <= found:
            return found + 1
        self.prev = -1  # the candidates skipped are not looked at: no period from them
        return last + 1

    def recognise(self, window: str) -> tuple[Dialect, int] | None:
        """The system whose command ``window`` starts, and where it ends in it (-1: past it)."""
        if window is self._last[0]:  # the window read again to decide (a line of markers)
            return self._last[1]
        recognised = self._recognised(window)
        self._last = (window, recognised)
        return recognised

    def _recognised(self, window: str) -> tuple[Dialect, int] | None:
        dialect = self._commands.long_command(window)
        if dialect is None:
            return None
        if dialect.closes_at_bracket:
            close = unescaped(window, "]", dialect.escape.decode())[0]
            if close >= 0 and self._commands.is_command(window[: close + 1]):
                return dialect, close + 1
            return (dialect, -1) if close < 0 else None
        return dialect, -1


def _period_end(buf: bytes, start: int, period: int) -> int:
    """Where the run from ``start`` in which ``buf`` repeats with ``period`` ends: the first
    ``i`` from ``start + period`` with ``buf[i] != buf[i - period]`` (else its end); blocks
    compared in C, doubling, the last one halved."""
    pos, step, size = start + period, 64, len(buf)
    while pos < size:
        n = min(step, size - pos)
        if buf[pos : pos + n] != buf[pos - period : pos - period + n]:
            while n > 1:  # the mismatch is within buf[pos : pos + n]
                half = n // 2
                if buf[pos : pos + half] == buf[pos - period : pos - period + half]:
                    pos += half
                    n -= half
                else:
                    n = half
            return pos
        pos += n
        step *= 2
    return size


__all__ = ["Starts"]
