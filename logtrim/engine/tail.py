"""The end of a run: the earlier lines the budget held back, then the last lines."""

from __future__ import annotations

from collections.abc import Callable

from .._sizes import format_count
from .failure import TailLine, incidents, pick
from .held import Held
from .history import History, Shaper
from .kinds import Kind
from .novelty import Withheld
from .output import OWN, STDOUT, Output
from .templates import template

#: Over the lines written before some already on the console: the one section out of order.
EARLIER_HEADER = b"[logtrim] --- earlier lines held back (written before some lines above) ---\n"
#: Its short form, below a 32 kB budget (``Budget.compact``): there the bytes are the failure's.
EARLIER_SHORT = b"[logtrim] --- held back, written earlier ---\n"
_PARTIAL = "... only part of what follows fits the budget ..."
_PARTIAL_SHORT = "... only part fits ..."
_FOLD = 12  # a run of this many similar lines shows as its first and last three


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
    ) -> None:
        self._out = out
        self._history = history
        self._held = held
        self._shaper = shaper
        self._classify = classify
        self._dropped = dropped
        self._after = after
        self._block = block
        self._is_new = is_new  # with a baseline: whether a line is new (preferred in the tail)
        self._withheld = withheld  # with a baseline: the new lines held back

    def emit(self, count: int, room: int, title: str = "") -> None:
        """The last ``count`` lines not shown yet, in ``room`` bytes; when they do not all
        fit, the incidents and the newest lines win (:func:`~logtrim.engine.failure.pick`).

        Each stream reads in order: lines newer than what their stream showed last come
        under the tail's header. The error lines the budget held back, with their stack
        traces and the lines after them (also those of an error shown live whose block the
        budget cut), older than the window or than a line their stream already showed,
        come first, under a header that says they are earlier: at a small budget they are
        often what says why. Other earlier lines are not shown: the console would end on
        them. None under a level that keeps them off the console: archive only stays so.
        Each line at most once."""
        out, history = self._out, self._history
        shown = history.shown()
        lines = history.recent(history.lines, count)
        recent = [line for line in lines if history.visible(line[0], line[1])]
        first = recent[0][0] if recent else history.lines
        last_on = history.last_on
        is_new = self._is_new or (lambda _: False)
        # Each line once: a new line also held with an error keeps its place in the error's
        # block (a stack frame stays a frame: the baseline only adds lines, never moves them).
        kept = {line[0]: line for line in self._withheld.held.lines} if self._withheld else {}
        errors = {line[0] for line in self._held.lines}
        kept.update((line[0], line) for line in self._held.lines)
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
        # Incidents are found over the lines already shown too: the lines after an error
        # shown live belong to it, even where the window starts after it.
        seen = [(n, raw) for n, _, raw in lines if not history.is_quiet(n)]
        window = self._window(recent, shown, seen)
        candidates = held + window
        header = f"[logtrim] --- {title or 'last lines'} ---\n".encode()
        # The gap marker before the tail counts only the lines the tail does not cover (not
        # their size: the history holds a long line's start only).
        # Lines up to the last one shown in order are not in the gap: it counts what followed.
        since = history.last_shown
        covered = sum(1 for n, _, _ in recent if n not in shown)
        covered += sum(1 for line in held if line.lineno > since)
        out.gap_lines = max(out.gap_lines - covered, 0)
        gap = out.gap_text(0, sized=False)
        room -= len(header) + len(gap)
        compact = out.budget.compact
        earlier = EARLIER_SHORT if compact else EARLIER_HEADER
        note = _PARTIAL_SHORT if compact else _PARTIAL
        if any(line.earlier for line in candidates):
            room -= len(earlier)
        partial = sum(len(line.text) for line in candidates) > room
        if partial:
            room -= len(OWN) + len(note) + 1
        picked = pick(candidates, room, named=self._held.reason())
        if picked:
            self._print(picked, (earlier, header), note if partial else "")
        for lineno, _, _ in recent:
            history.mark_shown(lineno, in_order=False)

    def _print(self, picked: list[TailLine], headers: tuple[bytes, bytes], note: str) -> None:
        """The picked lines: the earlier ones, then the others, each under its header;
        ``note``: the marker that says only part fits (empty: all of it does)."""
        out, history = self._out, self._history
        if note:
            out.marker(note)
        out.flush_gap(sized=False, paid=True)  # its room was kept with the header's
        older = [line for line in picked if line.earlier]
        newer = [line for line in picked if not line.earlier]
        for part, title_line in zip((older, newer), headers, strict=True):
            if part:
                out.emit(STDOUT, title_line, Kind.NOISE, own=True)
            for line in part:
                out.emit(line.stream, line.text, Kind.NOISE, own=line.lineno < 0)
                if line.lineno >= 0:
                    self._count(line.text)
                    history.mark_shown(line.lineno, in_order=False)
        out.clear_gap()

    def _count(self, text: bytes) -> None:
        """A line of a tier shown in the tail counts as shown in its tier ("errors 4/4", not
        "errors 0/4 · tail 4"), while its tier has lines seen and not counted shown; any
        other line is a tail line."""
        tally = self._out.tally
        kind = self._classify(text)
        if Kind.NOISE < kind <= Kind.ERROR and tally.shown_lines[kind] < tally.seen_lines[kind]:
            tally.shown_lines[kind] += 1
            tally.shown_bytes[kind] += len(text)
        else:
            tally.tail_lines += 1

    def _window(
        self,
        recent: list[tuple[int, int, bytes]],
        shown: set[int],
        seen: list[tuple[int, bytes]],
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
            new_key = (stream, template(text))
            if new_key != key:
                _fold(run, items)
                run, key = [], new_key
            new = self._is_new is not None and self._is_new(raw)
            run.append(TailLine(lineno, stream, text, marked, incident, cont, new=new))
        _fold(run, items)
        return items


def _fold(run: list[TailLine], items: list[TailLine]) -> None:
    """Add a run of similar lines to ``items``: folded around a count when it is long."""
    if len(run) < _FOLD:
        items.extend(run)
        return
    items.extend(run[:3])
    note = f"[logtrim] ... {format_count(len(run) - 6)} similar lines ...\n"
    items.append(TailLine(-1, STDOUT, note.encode()))
    items.extend(run[-3:])
