"""The fail-open path's pump (:mod:`.unfiltered`): both pipes forwarded, masked, under the
budget, with plain blocking I/O and :mod:`selectors` (no event loop: this path must work when
the rest does not).

The two pipes keep no order between them, so a secret declared on one stream and used on the
other right after it may be read second. As in a normal run (:meth:`.Reader.pair`), a chunk is
fed only after the other pipe was read *after* it and what that declares was learned.
"""

from __future__ import annotations

import collections
import os
import selectors
import subprocess
import time
from collections.abc import Callable, Iterable
from typing import Protocol

from .._fork import readable

READ_SIZE = 1 << 16
_LAST_ROUNDS = 64  # once the drain is over: turns of reading the pipes, at most

Show = Callable[[Iterable[tuple[int, bytes]]], None]


class Mask(Protocol):
    def feed(self, stream: int, data: bytes, *, final: bool = False) -> bytes: ...
    def passed(self, stream: int, data: bytes) -> None: ...
    def learn_ahead(self, stream: int, data: bytes) -> None: ...


class Shown(Protocol):
    def write(self, stream: int, data: bytes) -> Iterable[tuple[int, bytes]]: ...


def pump(
    child: subprocess.Popen[bytes],
    mask: Mask,
    shown: Shown,
    show: Show,
    drain: float,
    tick: Callable[[], None],
) -> bool:
    """Forward both pipes until they close, masked, under the budget; then reap the child.
    Once it has exited, a process it started may hold a pipe open: read on ``drain`` seconds
    at most, then what the pipes hold, as a normal run does; ``tick`` is called at least
    every half second. Whether a pipe was left open."""
    assert child.stdout is not None and child.stderr is not None
    deadline: float | None = None
    with selectors.DefaultSelector() as sel:
        sel.register(child.stdout.fileno(), selectors.EVENT_READ, 1)
        sel.register(child.stderr.fileno(), selectors.EVENT_READ, 2)
        pipes = _Pipes(sel, mask, shown, show)
        while sel.get_map():
            tick()  # (the grace period's end)
            if deadline is None and child.poll() is not None:
                deadline = time.monotonic() + drain
            # (polled each half second for the child's exit while no output comes)
            wait = 0.5 if deadline is None else max(deadline - time.monotonic(), 0.0)
            for key, _ in sel.select(wait):
                # (read ahead in the turn of the one before it, it may hold nothing now)
                if (data := pipes.ready(key.data)) is not None:
                    pipes.turn(key.data, data)
            if deadline is not None and time.monotonic() >= deadline:
                pipes.last(sel)
                break
        held = bool(sel.get_map())
    child.wait()
    return held


class _Pipes:
    def __init__(self, sel: selectors.BaseSelector, mask: Mask, shown: Shown, show: Show) -> None:
        self._sel, self._mask, self._shown, self._show = sel, mask, shown, show
        self.ended: set[int] = set()  # streams read to their end

    def turn(self, stream: int, data: bytes) -> None:
        """Feed ``data``, then what the other pipe holds, and so on in turn while it holds
        bytes: each chunk after the other pipe was read after it and its declarations
        learned."""
        self._mask.passed(stream, data)
        self._end(stream, data)
        # (no bound on the turns: each feeds a chunk, so a child that writes both pipes
        # without end is still forwarded, and a bound let a use pass before its declaration)
        queue = collections.deque([(stream, data)])
        while queue:
            each, chunk = queue.popleft()
            other = 3 - each
            if (more := self.ready(other)) is not None:
                self._mask.learn_ahead(other, more)
                self._end(other, more)
                queue.append((other, more))
            self._show(self._shown.write(each, self._mask.feed(each, chunk, final=not chunk)))

    def last(self, sel: selectors.BaseSelector) -> None:
        """The drain is over: what the open pipes hold now, read in turns (a bounded number:
        a process may write on), then each one's open line let go, masked."""
        for _ in range(_LAST_ROUNDS):
            got = False
            for key in list(sel.get_map().values()):
                if (data := self.ready(key.data)) is not None:
                    self.turn(key.data, data)
                    got = True
            if not got:
                break
        for key in list(sel.get_map().values()):
            self._show(self._shown.write(key.data, self._mask.feed(key.data, b"", final=True)))

    def ready(self, stream: int) -> bytes | None:
        """What ``stream``'s pipe holds now (``b""``: its end), None if nothing."""
        if stream in self.ended:
            return None
        fd = self._fd(stream)
        if fd is None:
            return None
        if not readable(fd):
            return None
        return os.read(fd, READ_SIZE)

    def _end(self, stream: int, data: bytes) -> None:
        if not data and (fd := self._fd(stream)) is not None:
            self.ended.add(stream)
            self._sel.unregister(fd)

    def _fd(self, stream: int) -> int | None:
        return next((k.fd for k in self._sel.get_map().values() if k.data == stream), None)


__all__ = ["READ_SIZE", "pump"]
