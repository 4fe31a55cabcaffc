"""The console's level around logtrim's own lines (:class:`.Output`'s): the dialect's lines
that put it at its default before a run of them, and those that give the child its level
back at the child's next line."""

from __future__ import annotations

from collections.abc import Callable

#: The lines that put the console at its default level before logtrim's own lines, and
#: those that give the child its level back after them (from the dialect).
Wrap = Callable[[], tuple[list[bytes], list[bytes]]]


def no_wrap() -> tuple[list[bytes], list[bytes]]:
    return [], []


class Levels:
    """Which level switches are in effect; :class:`.Output` prints what it returns."""

    def __init__(self) -> None:
        self.wrap: Wrap = no_wrap
        self.reset: list[bytes] = []  # the level resets in effect for our own lines
        self.restore: list[bytes] = []  # ... and the child's level, to give back
        self.final = False  # the closing lines: the levels were reset for good

    def to_default(self) -> list[bytes]:
        """Before our own line: the child's level switched off, once for a run of them."""
        if self.reset or self.final:
            return []
        reset, restore = self.wrap()
        if reset:
            self.reset, self.restore = reset, restore
        return reset

    def give_back(self) -> list[bytes]:
        """Before the child's line: its level again, after our own lines switched it off."""
        restore, self.reset, self.restore = self.restore, [], []
        return restore

    def end(self) -> list[bytes]:
        """The closing lines start: our own lines from now on. Returns the resets already
        printed (still in effect)."""
        self.final = True
        reset, self.reset, self.restore = self.reset, [], []
        return reset
