"""What the engine remembers of recent output: enough lines for context and the tail.

The history holds whole regions as they arrived (not one object per line), trimmed from the
old end once the newer regions cover the lines the policy may still need.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from itertools import compress, count, islice

from ..console.display import CUT, display
from ..ending.held import Held
from .consoleform import Shaper
from .lasttext import last_text, line_start

# Re-exported: the engine makes Held with the history; CUT and display are what its
# console forms use.
__all__ = ["CUT", "Held", "History", "Shaper", "display"]

ENDS = 12  # each stream's last lines held however old (engine/ending/ends.py: WALK)
End = tuple[int, int, bytes]  # (lineno, stream, raw line)
_BATCH_LINES = 256  # trimmed regions looked at together for a stream's last lines
_BATCH_BYTES = 1 << 20
_OPEN = 1 << 62  # the line count of a region still being looked at
#: Bytes the history holds before its long lines are put in their console form (a few
#: hundred lines of up to 1 MiB each would otherwise stay whole: memory stays bounded).
HOLD = 8 << 20


class History:
    """Recent raw lines of both streams in arrival order, and which of them were shown."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        # (first lineno, stream, whole lines, line count)
        self._segments: deque[tuple[int, int, bytes, int]] = deque()
        self._lines = 0
        self.hint = (-1, 0)  # (lineno, offset in the newest segment) of the current line
        self._shown: deque[int] = deque()
        self.last_shown = -1
        # Per stream, the newest line shown (or counted as a repeat): what the console shows
        # later of that stream must be newer, so that each stream reads in order.
        self.last_on: dict[int, int] = {}
        # Per stream, the newest line the failure tail must be newer than: the last shown,
        # or, when that was a progress state shown as it came, the state written before it.
        # The lines between are no states, and the tail may show them: it would otherwise be
        # empty after ``Uploading 100%`` shown as the last line.
        self.tail_from: dict[int, int] = {}
        # The newest line the console has moved past: a partial line or a redrawn state
        # printed after it (with the marker that counted the lines before). Context before a
        # later line never reaches back to it: it would print after what came later.
        self.passed = -1
        # Lines under a level that keeps them off the console (archive only): [start, end).
        self._quiet: deque[tuple[int, int]] = deque()
        self._ignored: deque[tuple[int, int]] = deque()  # of those, the ones the CI ignores
        self.lines = 0  # lines of both streams counted so far (the engine's line number)
        self._bytes = 0  # of the segments held
        self._limit = HOLD  # compact when the segments hold more
        #: A long line's stand-in (its console form; the engine sets it), or None.
        self.compact: Callable[[bytes], bytes | None] | None = None
        # Per stream, its last non-blank lines trimmed from the segments (that ``end_skip``
        # does not refuse): a stream's last lines stay at hand however much the other
        # stream wrote after them (a failed command's one line on stderr, then a cleanup
        # trap's hundreds on stdout), the same whatever the reads were.
        self._ends: dict[int, deque[tuple[int, bytes]]] = {}
        self.end_skip: Callable[[bytes], bool] = lambda _raw: False  # the engine sets it
        # Told the first line and the count of a segment about to go (the engine sets it).
        self.dropping: Callable[[int, int], None] | None = None
        # Regions trimmed and not looked at yet, per stream, with their lines and bytes: a
        # batch's last lines are found at once (a region a line long is trimmed per line).
        self._trimmed: dict[int, tuple[list[tuple[int, bytes, int]], int, int]] = {}

    def remember(self, stream: int, lines: bytes, first: int) -> None:
        """Add a region whose lines are being looked at; :meth:`seal` then gives its count
        (the caller counts them anyway: one pass over the bytes, not two)."""
        self._segments.append((first, stream, lines, _OPEN))
        self._bytes += len(lines)

    def seal(self, count: int) -> None:
        first, stream, lines, _ = self._segments[-1]
        self._segments[-1] = (first, stream, lines, count)
        self._lines += count
        while len(self._segments) > 1 and self._lines - self._segments[0][3] >= self.keep:
            if self.dropping is not None:
                self.dropping(self._segments[0][0], self._segments[0][3])
            self._lines -= self._segments[0][3]
            self._bytes -= len(self._segments[0][2])
            self._trim(*self._segments.popleft())
        if self._bytes > self._limit and self.compact is not None:
            self._compact(self.compact)

    def _compact(self, stand_in: Callable[[bytes], bytes | None]) -> None:
        """Each long line of the segments before the newest (whose offsets the line being
        looked at may still use) replaced by its stand-in: a line stays a line."""
        segments = self._segments
        for i in range(len(segments) - 1):
            first, stream, data, count = segments[i]
            lines = data.split(b"\n")
            changed = False
            for k, line in enumerate(lines[:-1]):  # the last piece has no newline: as it is
                short = stand_in(line + b"\n")
                if short is not None:
                    lines[k], changed = short[:-1], True
            if changed:
                segments[i] = (first, stream, b"\n".join(lines), count)
        self._bytes = sum(len(segment[2]) for segment in segments)
        self._limit = self._bytes + HOLD

    def mark_shown(
        self, lineno: int, *, in_order: bool = True, stream: int = 0, state: int | None = None
    ) -> None:
        """``state``: the line is a progress state shown as it came, and ``state`` the line
        of the state written before it on its stream (-1: none; see ``tail_from``)."""
        if in_order and lineno > self.last_shown:
            self.last_shown = lineno
        if stream and lineno > self.last_on.get(stream, -1):
            self.last_on[stream] = lineno
            tail_from = self.tail_from
            if state is None:
                tail_from[stream] = lineno
            elif state > tail_from.get(stream, -1):
                tail_from[stream] = state
        shown = self._shown
        shown.append(lineno)
        floor = self._floor(lineno)
        while shown and shown[0] < floor:
            shown.popleft()

    def mark_range(self, first: int, last: int, stream: int) -> None:
        """``mark_shown(n, stream=stream)`` for each line ``n`` from ``first`` to ``last``, in
        a few calls: the same marks kept (those below the floor go as they would)."""
        self.last_shown = max(self.last_shown, last)
        self.last_on[stream] = max(self.last_on.get(stream, -1), last)
        self.tail_from[stream] = max(self.tail_from.get(stream, -1), last)
        shown = self._shown
        floor = self._floor(last)
        # The marks below the floor from the left, found in C (a run marked earlier may
        # have left thousands).
        old = next(compress(count(), map(floor.__le__, shown)), len(shown))
        if old:
            self._shown = shown = deque(islice(shown, old, None))
        shown.extend(range(first if shown else max(first, floor), last + 1))

    def _floor(self, lineno: int) -> int:
        """The oldest mark still needed: the tail looks back ``keep`` lines at most. By the
        newest line marked too, not only the lines counted (counted after a region): a region
        of a million short lines shown as written keeps a few marks, not a million."""
        return max(self.lines, lineno) - self.keep - 2

    def unmark(self, stream: int, first: int, last: int) -> None:
        """Lines ``first`` to ``last`` of ``stream`` (the newest it counted) are not shown
        after all: its next lines may show them. Once, at the end of a failed run."""
        self.last_on[stream] = min(self.last_on.get(stream, -1), first - 1)
        self.tail_from[stream] = min(self.tail_from.get(stream, -1), first - 1)
        self._shown = deque(n for n in self._shown if not first <= n <= last)

    def quiet(self, start: int, end: int, *, ignored: bool = False) -> None:
        """Lines ``start`` to ``end`` (excluded) are archive only: never context or tail;
        ``ignored``: the CI shows none of them (no failure reason either)."""
        if end <= start:
            return
        floor = self.lines - self.keep - 2
        for spans in (self._quiet, self._ignored) if ignored else (self._quiet,):
            if spans and spans[-1][1] >= start:
                start = min(start, spans[-1][0])
                spans.pop()
            spans.append((start, end))
            while len(spans) > 1 and spans[0][1] < floor:
                spans.popleft()

    def is_quiet(self, lineno: int) -> bool:
        return any(start <= lineno < end for start, end in self._quiet)

    def is_ignored(self, lineno: int) -> bool:
        return any(start <= lineno < end for start, end in self._ignored)

    def visible(self, lineno: int, stream: int) -> bool:
        """Whether a line may still be shown: not archive only, newer than what its stream
        showed last."""
        return lineno > self.last_on.get(stream, -1) and not self.is_quiet(lineno)

    def tail_visible(self, lineno: int, stream: int) -> bool:
        """Whether the failure tail may show a line: not archive only, newer than
        ``tail_from``."""
        return lineno > self.tail_from.get(stream, -1) and not self.is_quiet(lineno)

    def shown(self) -> set[int]:
        return set(self._shown)

    def line_after(self, lineno: int) -> bytes | None:
        """The raw line after ``lineno`` on the same stream, if the history still holds both
        (a line of the other stream says nothing of this one)."""
        found = self.recent(lineno + 2, 2)
        if len(found) < 2 or found[0][0] != lineno or found[1][0] != lineno + 1:
            return None
        return found[1][2] if found[0][1] == found[1][1] else None

    def line_before(self, lineno: int) -> bytes | None:
        """The raw line before ``lineno``, the line being looked at (:attr:`hint`), when both
        are in one region (one stream's): the hint finds it at once, whatever the region's
        size (a walk from the region's start, per line, cost a square)."""
        hint_line, end = self.hint
        if hint_line != lineno or not self._segments:
            return None
        first, _, data, _ = self._segments[-1]  # the region being looked at
        if lineno <= first or end <= 0:
            return None  # the line opens its region: the line before may be another stream's
        return data[data.rfind(b"\n", 0, end - 1) + 1 : end]

    def recent(self, before: int, count: int) -> list[tuple[int, int, bytes]]:
        """Up to ``count`` raw lines numbered below ``before``: (lineno, stream, line)."""
        out: list[tuple[int, int, bytes]] = []
        hint_line, hint_pos = self.hint
        for age, (first, stream, data, nlines) in enumerate(reversed(self._segments)):
            if first >= before:
                continue
            # The hint is an offset in the newest region (never compacted: it stays valid).
            hinted = age == 0 and first <= hint_line
            if before >= first + nlines:
                end = len(data)
            elif hinted and hint_line == before:
                end = hint_pos  # the line being looked at starts here
            elif nlines != _OPEN:  # (a last line without a newline: the lines before it)
                whole = data[-1:] == b"\n"
                known = nlines if whole else nlines - 1
                end = line_start(
                    data, before - first, known, len(data) if whole else data.rfind(b"\n") + 1
                )
            elif hinted and before < hint_line:  # the open region's own hint
                end = line_start(data, before - first, hint_line - first, hint_pos)
            else:
                end = line_start(data, before - first, 0, 0)
            lineno = min(before, first + nlines)
            while end > 0 and len(out) < count:
                start = data.rfind(b"\n", 0, end - 1) + 1
                lineno -= 1
                out.append((lineno, stream, data[start:end]))
                end = start
            if len(out) >= count:
                break
            before = first
        out.reverse()
        return out

    def _trim(self, first: int, stream: int, data: bytes, nlines: int) -> None:
        """A region trimmed from the segments, kept until a batch's last lines are found."""
        regions, lines, size = self._trimmed.get(stream, ([], 0, 0))
        regions.append((first, data, nlines))
        self._trimmed[stream] = (regions, lines + nlines, size + len(data))
        if lines + nlines >= _BATCH_LINES or size + len(data) >= _BATCH_BYTES:
            self._keep_ends(stream)

    def _keep_ends(self, stream: int) -> None:
        """The last lines of a stream's trimmed regions kept (a few finds), the regions let go."""
        regions = self._trimmed.pop(stream, ([], 0, 0))[0]
        found: list[tuple[int, bytes]] = []
        for first, data, nlines in reversed(regions):
            found += last_text(data, first, nlines, ENDS - len(found), self.end_skip)
            if len(found) >= ENDS:
                break
        self._ends.setdefault(stream, deque(maxlen=ENDS)).extend(reversed(found))

    def last_lines(self, skip: Callable[[bytes], bool], count: int = 1) -> list[End]:
        """Each stream's last ``count`` (at most :data:`ENDS`) non-blank lines that ``skip``
        does not refuse (a CI command is no failure reason): (lineno, stream, line), oldest
        first; held however much the other stream wrote after them."""
        for trimmed in list(self._trimmed):
            self._keep_ends(trimmed)
        found: list[End] = []
        mine: dict[int, int] = {}
        for first, stream, data, nlines in reversed(self._segments):
            want = count - mine.get(stream, 0)
            if want <= 0 or not nlines:
                continue
            lines = last_text(data, first, nlines, want, skip)
            found += [(lineno, stream, line) for lineno, line in lines]
            mine[stream] = mine.get(stream, 0) + len(lines)
        for stream, ends in self._ends.items():
            for lineno, line in reversed(ends):
                if mine.get(stream, 0) >= count:
                    break
                if not skip(line):
                    found.append((lineno, stream, line))
                    mine[stream] = mine.get(stream, 0) + 1
        return sorted(found)
