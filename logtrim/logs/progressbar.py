"""The post-hoc commands' progress bar on stderr, for inputs large enough to need one."""

from __future__ import annotations

import sys
import time

from .._sizes import format_size
from .inputs import Input

_PROGRESS_MIN = 64 << 20  # inputs smaller than this get no progress bar


class Progress:
    """A one-line progress bar on stderr, redrawn at most every 0.2 s."""

    def __init__(self, inp: Input, enabled: bool) -> None:
        self.inp = inp
        self.enabled = enabled
        self._last = 0.0

    def update(self) -> None:
        if not self.enabled or self.inp.consumed < _PROGRESS_MIN:
            return
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        if self.inp.size is None:  # a pipe, /dev/zero: what was read so far
            sys.stderr.write(f"\r{self.inp.name}: {format_size(self.inp.consumed)} read")
            sys.stderr.flush()
            return
        size = self.inp.size
        share = min(self.inp.consumed / size, 1.0)
        bar = "█" * int(share * 30) + "░" * (30 - int(share * 30))
        sys.stderr.write(f"\r{self.inp.name}: {bar} {share:4.0%} of {format_size(size)}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self._last:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


__all__ = ["Progress"]
