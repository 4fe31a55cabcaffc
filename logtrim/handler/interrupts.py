"""Ctrl-C while the handler reports or closes: held until it is done (Python's exit hooks
would print a traceback through logtrim's frames, with no summary, the last records lost)."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def interrupts_held() -> Iterator[list[int]]:
    """A Ctrl-C while the handler closes is taken when it has closed, not in the middle (an
    atexit traceback through logtrim's frames, no summary, the archive's last records lost):
    the list it yields gets the signal's number. Only where Python's own SIGINT handler is in
    place, in the main thread (no other thread may set one)."""
    got: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield got
        return
    try:
        before = signal.getsignal(signal.SIGINT)
        if before is not signal.default_int_handler:
            yield got
            return
        signal.signal(signal.SIGINT, lambda signum, _frame: got.append(signum))
    except (ValueError, OSError):  # (an interpreter without signals, or one shutting down)
        yield got
        return
    try:
        yield got
    finally:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signal.SIGINT, before)


_exiting: list[bool] = []  # set once Python's exit hooks reached :func:`hold_at_exit`


def hold_at_exit() -> None:
    """An ``atexit`` callback, registered after logging's own, so run before it: from here on
    a Ctrl-C is held for good (the handlers still close; Python then exits as interrupted).
    A second Ctrl-C after the first one's report once interrupted ``logging.shutdown``
    before any handler closed: no summary, the last records lost, nothing said."""
    with contextlib.suppress(Exception):
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            signal.signal(signal.SIGINT, _held)
            _exiting.append(True)


def _held(_signum: int, _frame: object) -> None:
    """The first Ctrl-C past :func:`hold_at_exit` is held; another one stops the exit's work
    (a console that blocks must not keep the program from ending)."""
    if len(_exiting) > 1:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        raise KeyboardInterrupt
    _exiting.append(True)


def at_exit() -> bool:
    """Whether :meth:`LogtrimHandler.close` runs from ``logging.shutdown`` (Python's exit:
    an interrupt then ends nothing more, and raising it would only print a traceback)."""
    if _exiting:
        return True
    frame = sys._getframe(1)
    for _ in range(6):
        if frame is None:
            return False
        if frame.f_code is logging.shutdown.__code__:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


__all__ = ["at_exit", "hold_at_exit", "interrupts_held"]
