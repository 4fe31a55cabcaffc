"""The console form of the lines the history holds (:class:`Shaper`): masked where a cut
could leave part of a secret, cut to the console's width."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..console.display import CUT, display
from ..masking.mask import Masker

if TYPE_CHECKING:
    from .history import History

__all__ = ["Shaper"]


class Shaper:
    """The console form of raw lines: masked where a cut could leave part of a secret, cut to
    ``width``; a line longer than the splitter holds shows its start only, as it does when it
    comes in pieces."""

    def __init__(self, masker: Masker, *, max_line: int, max_pending: int, width: int) -> None:
        self.masker = masker
        self.max_line = max_line
        self.max_pending = max_pending
        self.width = width
        # The console forms the history holds for long lines, each its own form, with
        # whether the line was dropped; the newest only (the history holds fewer).
        self.stand_ins: OrderedDict[bytes, bool] = OrderedDict()
        self.dropped: Callable[[bytes], bool] = lambda _raw: False  # the engine sets it
        # Whether a ``\r`` redraws its line (a child's progress bar); in a logging record
        # it is text (the handler's engine: False), and the record is shown as written.
        self.redraws = True
        self._stand_ins_max = 0  # set with the history's length (see ``keep_for``)

    def keep_for(self, history: History) -> None:
        """Let ``history`` hold long lines as their console forms."""
        self._stand_ins_max = 2 * history.keep + 16
        history.compact = self.stand_in

    def stand_in(self, raw: bytes) -> bytes | None:
        """What the history may hold for ``raw``: its console form, for a line long enough
        that the form is much shorter (None: the line itself). The form is masked with the
        secrets known now (those declared before the line)."""
        if len(raw) <= 2 * self.width:
            return None
        form = self.display(raw)
        dropped = self.dropped(raw)
        self.stand_ins.pop(form, None)
        self.stand_ins[form] = dropped
        while len(self.stand_ins) > self._stand_ins_max:
            self.stand_ins.popitem(last=False)
        return form

    def display(self, raw: bytes) -> bytes:
        """A line's console form, not yet masked unless it was cut."""
        if len(raw) <= self.width and raw[-1:] == b"\n" and b"\r" not in raw:
            return raw  # the common line: its console form is itself
        if len(raw) <= 2 * self.width and raw in self.stand_ins:
            return raw  # a long line's form, held for it by the history
        if len(raw) > self.max_pending:
            raw = self.line_start(raw) + CUT + b"\n"
        elif len(raw) > self.width:
            raw = self.masker.mask(raw)
        return display(raw, self.width, redraws=self.redraws)

    def masked(self, raw: bytes, generation: int = -1) -> bytes:
        """A line's console form, masked. ``generation``: the masker's when ``raw`` was
        masked already (a line of a region's console form, :meth:`.Secrets.region`); while
        no secret came since, a common line (its form is itself) is not masked again."""
        form = self.display(raw)
        if form is raw and generation == self.masker.generation:
            return raw
        return self.masker.mask(form)

    def line_start(self, raw: bytes) -> bytes:
        """The first ``max_line`` bytes of a long line, masked."""
        return self.masker.head(raw, self.max_line)
