"""Lines and bytes not shown, per tier, between checkpoints (``Core.checkpoint``: a
CI task's own summary of what it hid)."""

from __future__ import annotations

from .kinds import Kind
from .policy import Tally


class Unshown:
    """Counts what :class:`.Tally` saw but did not show since the previous checkpoint."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self._last: dict[Kind, tuple[int, int]] = {}

    def checkpoint(self) -> dict[Kind, tuple[int, int]]:
        """Lines and bytes not shown, per tier, since the previous checkpoint."""
        tally = self.tally
        now = {
            k: (
                tally.seen_lines[k] - tally.shown_lines[k],
                tally.seen_bytes[k] - tally.shown_bytes[k],
            )
            for k in Kind
        }
        delta = {}
        for k, (lines, nbytes) in now.items():
            old_lines, old_bytes = self._last.get(k, (0, 0))
            delta[k] = (lines - old_lines, nbytes - old_bytes)
        self._last = now
        return delta
