"""Plain error lines' failure-reason ranks remembered by their form: a flood of lines that
differ in numbers or ids is ranked once (:meth:`.ReasonChooser.offer`)."""

from __future__ import annotations

from ..shapes.templates import hexless
from .ranks import Rank


class FormRanks:
    """Plain error lines' ranks by their digits-to-zero form: a flood's lines differ in their
    numbers (``request 812 failed``), and every rank's pattern treats all digits alike.
    Bounded: cleared when ``most`` forms are held."""

    def __init__(self, most: int = 4096) -> None:
        self._ranks: dict[bytes, Rank] = {}
        self._most = most

    def remember(self, form: bytes, rank: Rank) -> None:
        if len(self._ranks) >= self._most:
            self._ranks.clear()
        self._ranks[form] = rank
        self._ranks[hexless(form)] = rank

    def get(self, form: bytes) -> Rank | None:
        """The rank remembered for ``form`` (with its line end), None when the line is to be
        ranked in full (not seen, or a failing test's: what follows it is its report). A
        form not seen is looked up once more with its hex ids as ``#``s: a flood whose lines
        differ in a UUID or a hash (no pattern reads an id's letters) is ranked once."""
        rank = self._ranks.get(form)
        if rank is None:
            rank = self._ranks.get(hexless(form))
        return None if rank == Rank.TEST else rank


__all__ = ["FormRanks"]
