"""Repeat collapse: a line like the last one shown on its stream is counted, not shown.

Told the time like the rest of the engine; reads no clock.
"""

from __future__ import annotations

from collections.abc import Callable

from ..._sizes import format_count
from ..._text import ANSI_BYTES
from ..console.output import STDERR, STDOUT, Output
from ..console.tally import WORTH
from ..match.kinds import INFO, Kind
from ..shapes.templates import template
from .history import History

#: Times the very same info line follows a gap before it goes into the gaps it follows.
RECUR = 3
_AGAIN_MAX = 4096  # lines remembered (then counted anew)
_AGAIN_LINE = 256  # the longest remembered: headings and separators are short
# The marker of one line counted (the line is shown in its place when at most WORTH times as
# long, as a gap's few lines are).
_ONE_SIMILAR = len("[logtrim] ... 1 similar line ...\n")


class Run:
    """A stream's run of repeats: the template of the last shown line and how often since."""

    def __init__(self) -> None:
        self.key: bytes | None = None
        # The last shown line itself while its template is not needed: a line after a gap
        # repeats nothing, so most shown lines never need theirs.
        self.raw: bytes | None = None
        self.given: bytes | None = None  # what key() last returned untemplated
        self.count = 0
        self.reported = 0.0
        self.line = b""  # the line shown (console form, before masking)
        self.candidate = b""  # the line key() last let through: shown() makes it ``line``
        self.at = -1  # Output.printed when it was shown: anything printed since ends the run
        self.same = True  # every line counted is ``line`` itself ("repeated" is true)
        self.first = -1  # the first line counted, the last one and its tier
        self.last: tuple[int, bytes, Kind] | None = None
        self.prev: tuple[int, bytes, Kind] | None = None  # the line counted before ``last``
        # The tier of the line shown, and of the line key() last let through: a line of
        # another tier repeats nothing (an error record after info records of one template).
        self.kind: Kind = INFO
        self.candidate_kind: Kind = INFO

    def last_key(self) -> bytes | None:
        """The template of the last shown line (made from the line when first needed)."""
        if self.raw is not None:
            self.key, self.raw = repeat_key(self.raw), None
        return self.key

    @property
    def empty(self) -> bool:
        """No shown line that a repeat could follow."""
        return self.key is None and self.raw is None


def repeat_key(shown: bytes) -> bytes:
    """The repeat key: the template, a hex id and a number alike (a checksum that happens to
    hold no letter is a number to the template, and ended the run of its neighbours)."""
    key = template(ANSI_BYTES.sub(b"", shown) if b"\x1b" in shown else shown)
    return key.replace(b"<hex>", b"<n>") if b"<hex>" in key else key


class Repeats:
    """A line that repeats the last one shown on its stream (same template) is counted, not
    shown; the count is printed every ``report`` seconds and when the run ends.

    Only a run of the very same line is "repeated"; lines that differ in their numbers are
    "similar", and the last of them is shown after the count (a status code that changed,
    the final state), so the marker never says a line repeated when it did not."""

    def __init__(
        self, report: float, out: Output, history: History, mask: Callable[[bytes], bytes]
    ) -> None:
        self.report = report
        self._out = out
        self._history = history
        self._mask = mask  # a console form as printed: secrets masked
        self.streams = {STDOUT: Run(), STDERR: Run()}
        # Info lines after lines not shown, once the console is pressed: how often, by line.
        self._again: dict[bytes, int] = {}

    def key(
        self, stream: int, shown: bytes, now: float, lineno: int, kind: Kind = INFO
    ) -> bytes | None:
        """None when the line repeats the last one shown on its stream; else what to give
        :meth:`shown` if it is shown (its template, or the line itself until needed).

        A run of repeats ends at a gap: a line like the last one shown, but after lines that
        were not shown (``progress 5000/20000`` ... thousands of DEBUG lines ...
        ``progress 10000/20000``), is shown, not counted: the count would span lines the
        console does not show, and say less than the line itself. It ends too when anything
        else was printed since (a progress line, the other stream's line): the count comes
        right after the line it counts."""
        run = self.streams[stream]
        run.candidate, run.candidate_kind = shown, kind
        if self._broken(run):
            if run.count:
                self._report(stream)
            run.key = run.raw = None
            run.given = shown
            return shown
        run.given = None
        out = self._out
        key = repeat_key(shown)
        if key == run.last_key() and kind == run.kind:
            if not run.count:
                run.first = lineno
            run.count += 1
            if run.same and shown != run.line:
                run.same = False
            run.prev, run.last = run.last, (lineno, shown, kind)
            out.unsettled = True  # the count is printed before anything else
            out.tally.collapsed += 1
            # Counted on the console: not shown again as the context of a later error.
            self._history.mark_shown(lineno, stream=stream)
            if now - run.reported >= self.report:
                run.reported = now
                self._out.marker(_so_far(run), settle=False)
            return None
        if run.count:  # as end(), inline: most lines shown end no run
            self._report(stream)
        run.key = None
        return key

    def counts(self, stream: int, shown: bytes, kind: Kind) -> bool:
        """Whether :meth:`key` would count ``shown``, a line of tier ``kind``, now (what it
        changes, :meth:`key` would change first too)."""
        run = self.streams[stream]
        if self._broken(run) or kind != run.kind:
            return False
        key = run.last_key()
        return key is not None and repeat_key(shown) == key

    def may_continue(self, stream: int, start: bytes) -> bool:
        """Whether a line that starts with ``start`` (its newline yet to come) may be counted
        in the stream's run: its template so far begins the run's."""
        run = self.streams[stream]
        if run.empty or self._broken(run):
            return False
        key = run.last_key()
        return key is not None and key.startswith(repeat_key(start))

    def counting(self, stream: int, kind: Kind) -> bytes | None:
        """The template of the run being counted on ``stream`` (a line of it counted already,
        nothing since): a line of tier ``kind`` with it is counted too. None: no run of that
        tier is being counted."""
        run = self.streams[stream]
        if not run.count or self._broken(run) or kind != run.kind:
            return None
        return run.last_key()

    def _broken(self, run: Run) -> bool:
        """Whether the run cannot go on: lines went into a gap, or something else was
        printed, since its last line shown."""
        return bool(self._out.gap_lines) or run.at != self._out.printed

    def count_run(
        self, stream: int, lineno: int, lines: tuple[bytes, bytes], count: int, kind: Kind,
        now: float, *, alike: bool,
    ) -> None:  # fmt: skip
        """``count`` lines from ``lineno`` that :meth:`key` would count one by one (the
        caller found each like ``lines[0]``, :meth:`counts`), counted at once: ``lines``,
        the first and the last; ``alike``: each is the line shown (a run "repeated")."""
        run = self.streams[stream]
        first, last = lines
        run.candidate, run.given = last, None
        if not run.count:
            run.first = lineno
        run.count += 1
        run.same = run.same and first == run.line
        out = self._out
        out.unsettled = True
        if now - run.reported >= self.report:  # at the first line: the time is one per call
            run.reported = now
            out.marker(_so_far(run), settle=False)
        run.count += count - 1
        run.same = run.same and alike
        # (the line before the last: known when the run is of two lines here)
        run.prev = run.last if count == 1 else (lineno, first, kind) if count == 2 else None
        run.last = (lineno + count - 1, last, kind)
        out.tally.collapsed += count
        self._history.mark_range(lineno, lineno + count - 1, stream)

    def recurs(self, line: bytes) -> bool:
        """Whether an info line goes into the gap it follows: once the console has spent a
        quarter of its room for info lines, the very same line came after lines not shown
        :data:`RECUR` times already (a heading a test runner prints before each test's
        captured output, a build tool's separator). Shown again, each would cost itself and a
        gap marker, and say nothing the first ones did not. Counted only from then on: a
        console with room pays nothing for it."""
        out = self._out
        if not out.gap_lines or len(line) > _AGAIN_LINE:
            return False
        budget = out.budget
        if budget.used * 4 <= budget.ceiling(INFO):
            return False
        again = self._again
        seen = again.get(line, 0)
        if seen >= RECUR:
            return True
        if len(again) >= _AGAIN_MAX:
            again.clear()
        again[line] = seen + 1
        return False

    def shown(self, stream: int, key: bytes, now: float) -> None:
        """A shown line starts a run of repeats."""
        run = self.streams[stream]
        if key is run.given:
            run.key, run.raw = None, key
        else:
            run.key, run.raw = key, None
        run.given = None
        run.reported = now
        run.line, run.same = run.candidate, True
        run.kind = run.candidate_kind
        run.at = self._out.printed

    def end(self, stream: int) -> None:
        self._report(stream)
        run = self.streams[stream]
        run.key = run.raw = None

    def unwind(self, stream: int) -> None:
        """The end of a failed run: the lines counted since the stream's last shown line
        are given back, not shown (the failure tail shows the last of them, after a marker
        that counts the others): a count must not swallow the lines that led to the failure.
        Not when a progress state of the stream written after them waits: they are not the
        last lines, and the tail could not show them after it; the count stands."""
        run = self.streams[stream]
        pending = self._out.waiting.get(stream)
        if run.last is not None and pending is not None and pending.after(run.last[0]):
            self.end(stream)
            return
        if run.count and run.last is not None:
            self._history.unmark(stream, run.first, run.last[0])
            self._out.tally.collapsed -= run.count
            self._out.hide(0, run.count)  # their size is in the archive, not known here
            run.count = 0
        self.end(stream)

    def settle(self, before: int | None = None) -> None:
        """Something else is about to be printed: the counts so far go first, right after
        the repeats they count (a later repeat of the same line is counted anew). ``before``:
        that line was written before some counts' last lines: those wait until after it."""
        self._out.unsettled = False
        later = False
        for stream, run in self.streams.items():
            if before is not None and run.count and run.last is not None and run.last[0] > before:
                later = True
                continue
            self._report(stream)
        self._out.unsettled = self._out.unsettled or later

    def _report(self, stream: int) -> None:
        run = self.streams[stream]
        count, last, prev = run.count, run.last, run.prev
        run.count, run.last, run.prev = 0, None, None
        if not count or last is None:
            return
        if run.same:
            times = "once more" if count == 1 else f"{format_count(count)} more times"
            self._out.marker(f"(repeated {times})", settle=False)
            return
        run.same = True
        _, line, kind = last
        masked = self._mask(line)
        out = self._out
        # Not after a progress state written later that waits (it would come first).
        pending = out.waiting.get(stream)
        later = pending is not None and pending.after(last[0])
        shows = not later and out.budget.allows(kind, len(masked))
        hidden = count - 1 if shows else count
        if hidden == 1 and shows and prev is not None and self._instead(stream, prev, masked):
            hidden = 0  # the one line, shown in the place of a marker that says as much
        if hidden:
            plural = "line" if hidden == 1 else "lines"
            out.marker(f"... {format_count(hidden)} similar {plural} ...", settle=False)
        if shows:  # the last of them: where the run ended up
            out.tally.collapsed -= 1
            out.emit(stream, masked, kind, settle=False, lineno=last[0])

    def _instead(self, stream: int, prev: tuple[int, bytes, Kind], last: bytes) -> bool:
        """Show ``prev``, the one line a similar-lines marker would count, when it is at most
        twice as long as the marker and the budget has room for it and ``last``: printed
        then, it says more than ``... 1 similar line ...``."""
        lineno, line, kind = prev
        masked = self._mask(line)
        out = self._out
        cost = len(masked) + len(last)
        if len(masked) > WORTH * _ONE_SIMILAR or not out.budget.allows(kind, cost):
            return False
        out.tally.collapsed -= 1
        out.emit(stream, masked, kind, settle=False, lineno=lineno)
        return True


def _so_far(run: Run) -> str:
    if run.same:
        times = "once" if run.count == 1 else f"{format_count(run.count)} times"
        return f"(repeated {times} so far)"
    return f"({format_count(run.count)} similar lines so far)"
