"""Printing the failure tail's picked lines: under their headers, with the markers of what
was left out between them, each counted in its tier (:mod:`.tail` picks them)."""

from __future__ import annotations

from collections.abc import Callable

from ..console.output import OWN, STDOUT, Output
from ..console.tally import gap_note
from ..flow.history import History
from ..match.kinds import Kind
from .failure import TailLine
from .marked import SHORT, SHORT_GAP


class TailPrinter:
    """Prints the lines the tail picked, and counts them."""

    def __init__(self, out: Output, history: History, classify: Callable[[bytes], Kind]) -> None:
        self._out = out
        self._history = history
        self._classify = classify

    def print(
        self,
        picked: list[TailLine],
        headers: tuple[bytes, bytes],
        note: str,
        skipped: dict[int, int],
    ) -> None:
        """The picked lines: the earlier ones, then the others, each under its header;
        ``note``: the marker that says only part fits (empty: all of it does). The gap
        marker comes right before the last lines (the earlier ones are out of order, under
        their own header), and a stretch of the window left out is marked where it was."""
        out, history = self._out, self._history
        if note:  # paid: its room was kept when the lines were picked
            out.emit(STDOUT, OWN + note.encode() + b"\n", Kind.NOISE, own=True)
        older = [line for line in picked if line.earlier]
        newer = [line for line in picked if not line.earlier]
        for part, title_line in zip((older, newer), headers, strict=True):
            if part is newer:
                out.flush_gap(sized=False, paid=True)  # its room was kept with the header's
            if part:
                out.emit(STDOUT, title_line, Kind.NOISE, own=True)
            for line in part:
                left_out = skipped.get(id(line), 0)
                if left_out == SHORT:  # paid, as the counted ones
                    out.emit(STDOUT, SHORT_GAP, Kind.NOISE, own=True)
                elif left_out > 0:  # paid: the lines were picked with room for it
                    out.emit(STDOUT, gap_note(left_out, sized=False), Kind.NOISE, own=True)
                elif left_out < 0:
                    out.marker(gap_note(-left_out, sized=False)[len(OWN) : -1].decode())
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
