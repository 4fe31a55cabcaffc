"""The end of a run: the earlier lines the budget held back, then the last lines."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..._text import ANSI_BYTES
from ..console.output import OWN, Output
from ..flow.history import History, Shaper
from ..match.kinds import Kind
from ..shapes.novelty import Withheld
from .ends import earlier as earlier_ends
from .ends import last_of_each, newest
from .failure import TailLine, incidents, says_failed
from .fold import fold, fold_blocks, fold_earlier, similar_key, written_after
from .headers import earlier_header, head_counted, named_count, tail_header
from .held import Held, alike_cut
from .marked import SHORT, marks_size, pick_marked
from .reopen import before_end, before_last, says_why
from .tailprint import TailPrinter

_PARTIAL = "... only part of what follows fits the budget ..."
_PARTIAL_SHORT = "... only part fits ..."


class Tail:
    """Prints the failure tail from the history and the held-back error lines."""

    def __init__(
        self,
        out: Output,
        history: History,
        held: Held,
        shaper: Shaper,
        classify: Callable[[bytes], Kind],
        dropped: Callable[[bytes], bool],
        *,
        after: int,
        block: int,
        is_new: Callable[[bytes], bool] | None = None,
        withheld: Withheld | None = None,
        ends: Callable[[], list[tuple[int, int, bytes]]] = list,
        progress: Callable[[bytes], bool] = lambda _: False,
        command: Callable[[bytes], bool] = lambda _: False,
        reported: Callable[[bytes], bool] = lambda _: False,
        reason: Callable[[], tuple[int, int]] = lambda: (-1, -1),
    ) -> None:
        self._out = out
        self._reason = reason  # the failure reason's block: its first and last line
        self._command = command  # whether a line is a CI's command
        self._reported = reported  # whether a CI's command reports an error (a reason's)
        self._history = history
        self._printer = TailPrinter(out, history, classify)
        self._held = held
        self._shaper = shaper
        self._classify = classify
        self._dropped = dropped
        self._after = after
        self._block = block
        self._is_new = is_new  # with a baseline: whether a line is new (preferred in the tail)
        self._withheld = withheld  # with a baseline: the new lines held back
        self._ends = ends  # each stream's last lines: (lineno, stream, raw), oldest first
        # A CI's progress command not shown was a state the bar moved past (the throttle
        # sent a newer one): printed again, it would move the bar back.
        self._progress = progress

    def emit(
        self,
        count: int,
        room: int,
        title: Callable[[int], str] | None = None,
        *,
        failed: bool = False,
    ) -> None:
        """The last ``count`` lines not shown yet, in ``room`` bytes; when they do not all
        fit, the incidents and the newest lines win (:func:`~logtrim.engine.ending.failure.pick`).

        Each stream reads in order: lines newer than what their stream showed last come
        under the tail's header. The error lines the budget held back, with their stack
        traces and the lines after them (also those of an error shown live whose block the
        budget cut), older than the window or than a line their stream already showed,
        come first, under a header that says they are earlier: at a small budget they are
        often what says why. Other earlier lines are not shown: the console would end on
        them. None under a level that keeps them off the console: archive only stays so.
        Each line at most once. ``title`` makes the header's title from the number of last
        lines it names (:func:`_named`)."""
        out, history = self._out, self._history
        shown = history.shown()
        recent, held, window, reopened = self._gather(count, shown, failed=failed)
        candidates = held + [line for line in window if not self._progress(line.text)]
        # The gap marker before the tail counts only the lines the tail does not cover (not
        # their size: the history holds a long line's start only).
        # Lines up to the last one shown in order are not in the gap: it counts what followed.
        since = history.last_shown
        # (a line a drop rule keeps off the console is not the tail's: it stays in the gap;
        # the lines reopened before a stream's last ones shown go under the earlier header)
        dropped = self._dropped
        out_of_it = shown | reopened
        left = [(n, raw) for n, _, raw in recent if n not in out_of_it and not dropped(raw)]
        covered = len(left) + written_after(held, since)
        # More than the gap holds: a marker above counted some of them already (a stream's
        # last lines written before the other's line shown last), which the header says,
        # else the counts read as more lines than the run wrote.
        again = covered > out.gap_lines
        out.gap_lines = max(out.gap_lines - covered, 0)
        gap = out.gap_text(0, sized=False)
        compact = out.budget.compact
        # (a progress state passed is left out of the tail: not named either)
        told = [n for n, raw in left if not self._progress(raw)]
        lasts = history.recent(history.lines, count) if told and len(told) < count else []
        # (a CI's command after them, a ``setVariable``, is no line of the stream)
        above = [n for n, _, raw in lasts if n in shown and not self._command(raw)]
        named = named_count(min(count, history.lines), told, above)  # (never more than written)
        said = title(named) if title else ""
        if said and named == count and above and told:
            said += f", {len(above)} shown already"  # ("last 200 lines" over 183 reads as lost)
        header = tail_header(said, again=again, compact=compact)
        room -= len(header) + len(gap)
        # Lines written before the last one shown in order were in a marker's count above.
        recounted = [
            line.lineno <= since for line in candidates if line.earlier and line.lineno >= 0
        ]
        earlier = earlier_header(compact, all(recounted), any(recounted))
        note = _PARTIAL_SHORT if compact else _PARTIAL
        if any(line.earlier for line in candidates):
            room -= len(earlier)
        partial = sum(len(line.text) for line in candidates) > room
        if partial:
            room -= len(OWN) + len(note) + 1
        picked, skipped = pick_marked(
            candidates, window, room, self._held.reason(), counted=not compact
        )
        if not partial and any(SHORT < n < 0 for n in skipped.values()):
            # Stretches left out with no room for their counts: one note says so.
            partial = True
            room -= len(OWN) + len(note) + 1
            picked, skipped = pick_marked(
                candidates, window, room, self._held.reason(), counted=not compact
            )
        if partial:
            slack = room - sum(len(line.text) for line in picked) - marks_size(skipped)
            header, partial = head_counted(
                self._out,
                (self._history.lines, since),
                (picked, candidates, skipped),
                left,
                slack,
                (header, note, title),
            )
        if any(ANSI_BYTES.sub(b"", line.text).strip() for line in picked):
            # (not for lines that show nothing: a colour reset alone, blank lines)
            self._printer.print(picked, (earlier, header), note if partial else "", skipped)
        elif gap:  # no line to show: the lines left out still get their marker (kept room)
            out.flush_gap(sized=False, paid=True)
        for lineno, _, _ in recent:
            history.mark_shown(lineno, in_order=False)

    def _gather(
        self, count: int, shown: set[int], *, failed: bool
    ) -> tuple[list[tuple[int, int, bytes]], list[TailLine], list[TailLine], set[int]]:
        """The window's lines the tail may show (each stream's newer than it showed last;
        on failure, also those before a stream's last lines shown: :func:`before_end`), the
        earlier lines held back, the window as tail lines, similar runs folded, and the
        numbers of its lines reopened before their stream's last ones shown."""
        history = self._history
        lines = history.recent(history.lines, count)
        says = partial(says_why, classify=self._classify)
        froms = (
            before_end(lines, shown, history, says, self._command, self._failure) if failed else {}
        )
        # (before a stream's last lines shown, not a progress state: the bar moved past it)
        recent = [
            line
            for line in lines
            if history.tail_visible(line[0], line[1])
            or (
                line[0] > froms.get(line[1], line[0])
                and line[0] not in shown
                and not history.is_quiet(line[0])  # archive only stays so
                and self._classify(line[2]) != Kind.PROGRESS
            )
        ]
        first = recent[0][0] if recent else history.lines
        since = lines[0][0] if lines else history.lines  # the window's first line
        ends = newest(self._ends(), count)
        held = fold_earlier(
            [
                line
                for line in self._earlier(first, shown, ends, froms, failed=failed, since=since)
                if not self._progress(line.text)
            ]
        )
        # Incidents are found over the lines already shown too: the lines after an error
        # shown live belong to it, even where the window starts after it.
        seen = [(n, raw) for n, _, raw in lines if not history.is_quiet(n)]
        window = self._window(recent, shown, seen, last_of_each(ends))
        reopened: set[int] = set()
        if froms:  # lines written before their stream's last ones shown: out of order
            window = before_last(window, froms, history.tail_from)
            last_on = history.tail_from
            reopened = {n for n, s, _ in recent if s in froms and n < last_on.get(s, -1)}
        return recent, held, window, reopened

    def _failure(self, raw: bytes) -> bool:
        """Whether a line says something failed (:func:`.says_failed`)."""
        return says_failed(raw, self._classify, self._command, self._reported)

    def _earlier(
        self,
        first: int,
        shown: set[int],
        ends: list[tuple[int, int, bytes]],
        froms: dict[int, int],
        *,
        failed: bool,
        since: int,
    ) -> list[TailLine]:
        """The lines held back (errors and their blocks, new lines) older than the window
        starting at ``first`` or than a line their stream showed, and each stream's last
        lines before the window, oldest first; none of them already shown. Of an error shown
        live, the rest the budget cut only after a failure, and then if it has a block (a
        trace's frames) or the error is the reason's or in the window (from ``since``): out of
        order, the context of an error the run went on from for longer than the window says
        nothing more."""
        history = self._history
        last_on = {**history.tail_from, **froms}
        is_new = self._is_new or (lambda _: False)
        # Each line once: a new line also held with an error keeps its place in the error's
        # block (a stack frame stays a frame: the baseline only adds lines, never moves them).
        kept = {line[0]: line for line in self._withheld.held.lines} if self._withheld else {}
        errors = {line[0] for line in self._held.lines}
        low, high = self._reason() if failed else (0, -1)
        # An incident is taken whole or not at all: a stretch left out inside it would go
        # without its marker.
        framed = {line[3] for line in self._held.lines if line[4]} if failed else set()
        alike = alike_cut(self._held.lines, shown, history.line_after) if failed else set()
        kept.update(
            (line[0], line)
            for line in self._held.lines
            if line[0] == line[3]
            or line[3] not in shown
            or (
                failed
                and (line[3] in framed or line[3] >= since or low <= line[3] <= high)
                and line[0] not in alike
            )
        )
        # A new line held for being new has a rule's mark only if a rule gives it a tier.
        held = [
            TailLine(
                lineno,
                stream,
                text,
                lineno in errors or self._classify(text) > Kind.NOISE,
                incident,
                cont,
                earlier=True,
                new=is_new(text),
            )
            for lineno, stream, text, incident, cont in sorted(kept.values())
            if (lineno < first or lineno <= last_on.get(stream, -1)) and lineno not in shown
        ]
        skip = shown | set(kept)
        more = earlier_ends(ends, first, skip, history, self._shaper, self._classify, is_new)
        return sorted(held + more, key=lambda line: line.lineno)

    def _window(
        self,
        recent: list[tuple[int, int, bytes]],
        shown: set[int],
        seen: list[tuple[int, bytes]],
        lasts: set[int],
    ) -> list[TailLine]:
        """The recent lines not shown yet, with their incidents (found over ``seen``),
        similar runs folded: a run of lines that differ only in numbers and ids (a
        countdown) does not fill the tail."""
        marks = incidents(
            seen,
            self._classify,
            after=self._after,
            block=self._block,
        )
        items: list[TailLine] = []
        run: list[TailLine] = []
        key = None
        for lineno, stream, raw in recent:
            if lineno in shown or self._dropped(raw):
                continue
            text = self._shaper.masked(raw)
            incident, marked, cont = marks.get(lineno, (-1, False, False))
            new_key = (stream, similar_key(text))
            if new_key != key:
                fold(run, items)
                run, key = [], new_key
            new = self._is_new is not None and self._is_new(raw)
            end = lineno in lasts
            run.append(TailLine(lineno, stream, text, marked, incident, cont, new=new, end=end))
        fold(run, items)
        return fold_blocks(items)


__all__ = ["Tail"]
