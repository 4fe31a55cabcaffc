"""The progress states that wait to be printed (engine/throttle.py), as printing
(:class:`.Output`) sees them: where each was written among the lines not shown, and the
order they go in before a line or a gap marker that would count them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

#: Where a waiting progress state was written among the lines not shown: the gap then
#: (:attr:`Output.gaps`), and its lines and bytes before the state.
Mark = tuple[int, int, int]


class Waiting(Protocol):
    """A stream's progress throttle, as far as printing asks (engine/throttle.py)."""

    waiting: bool  # a progress state waits to be printed
    mark: Mark  # where the plain line that waits was written among the lines not shown

    def after(self, lineno: int) -> bool:
        """Whether a state written after line ``lineno`` waits."""
        ...


def late_in_order(waiting: Mapping[int, Waiting], late: Callable[..., None], shows: int) -> None:
    """The waiting progress states of either stream, in the order written, each after
    the marker of the lines before it, before a marker that would count them: one
    counted there could not be shown after it. ``shows``: the stream whose line comes."""
    for stream in sorted((s for s in waiting if waiting[s].waiting), key=lambda s: waiting[s].mark):
        late(stream, shows=stream == shows)
