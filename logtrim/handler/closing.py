"""The handler's end: the records that wait, the archive closed, the summary and the
artifact's publication (``run``'s steps, :mod:`logtrim.run.ending`, in the handler's order)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..run import ending
from ..run.actions import carry_out
from . import hooks
from .failopen import STDOUT, fail_open, warn
from .interrupts import at_exit, interrupts_held

if TYPE_CHECKING:
    from ..dialects.base import Action
    from .handler import LogtrimHandler


def close_handler(h: LogtrimHandler, exit_code: int | None, done: Callable[[], None]) -> None:
    """:meth:`LogtrimHandler.close`: once, under the handler's lock, then the CI's actions
    and ``done`` (logging's own close), a Ctrl-C held meanwhile (:mod:`.interrupts`)."""
    with interrupts_held() as interrupted:
        with h._mutex:
            if h._closed:
                return
            code = h.exit_code if exit_code is None else exit_code
            if exit_code is None and code == 0:
                code = uncaught(h)
            if h._feeding:
                close_midrecord(h)
            h._closed = True
            h._stop.set()  # the idle thread sees ``_closed`` once it gets the lock
            actions = finish(h, code)
        printed = carry_out(actions, warn, h._mask_text)
        h._console([(STDOUT, line.encode() + b"\n") for line in printed])
        done()
    if interrupted and not at_exit():
        raise KeyboardInterrupt


def finish(h: LogtrimHandler, exit_code: int) -> list[Action]:
    """Close ``h``'s engine and archive (with its lock held); the closing lines printed,
    the CI's actions returned. Once the engine failed, the archive is published alone."""
    now = time.monotonic()
    try:
        h._drain(now)
        if not h._engine_failed:
            h._take(h._whole.finish_input(now), now)  # records waiting for the next
    except Exception:
        fail_open(h, b"")
    if h._broken:
        h._unfiltered(b"", now, final=True)  # the bytes that waited for a secret's end
    size = h._archive.close(ending.trailer(h._baseline, broken=h._broken))
    archive = str(h.path) if not h._archive.failed else None
    if not h._engine_failed:
        try:
            emits, actions = ending.close_engine(
                h._whole, exit_code, now, archive=archive, name=h.artifact_name, size=size
            )
        except Exception:
            warn("internal error while closing the log", h.core)
        else:
            h._console(emits)
            if exit_code == 0:  # a good run: the next one's baseline
                name = h.core.secrets.mask_text(h._history_name)  # (no secret in a file name)
                ending.remember(h._history, name, h._baseline)
            return actions
    # The engine failed: publish the archive all the same, nothing more.
    printed, actions = ending.published_only(
        h.core, exit_code, archive, h.artifact_name, size, warn
    )
    h._console(printed)
    return actions


def uncaught(h: LogtrimHandler) -> int:
    """The exit code of a program ending on an uncaught exception (:func:`.hooks.uncaught`),
    logged to ``h``, so that the archive has it and the failure is reported; 0: none."""
    found = hooks.uncaught()
    if found is None:
        return 0
    record, code = found
    taken = h.uncaught_taken
    if taken is None:
        h.handle(record)
    else:  # its filters took it already, when Python's hook asked (not asked twice)
        h.acquire()
        try:
            h.emit(taken)
        finally:
            h.release()
    return code


def will_show_uncaught(h: LogtrimHandler, record: logging.LogRecord) -> bool:
    """Whether ``h``'s :meth:`~.handler.LogtrimHandler.close` will log the main thread's
    uncaught exception (``record``) on the console, where Python would print it (stdout or
    stderr, not a file nor a stand-in without a descriptor). Its filters are asked once,
    here: the record they took is the one logged (a filter may count what it sees)."""
    target = h.stream if h.stream is not None else sys.stdout
    if h._closed or h.exit_code or h._broken or not _on_console(target):
        return False
    if not h.filter(record):
        return False
    h.uncaught_taken = record
    return True


def _on_console(stream: object) -> bool:
    """Whether ``stream`` is the process's stdout or stderr, with a descriptor."""
    if stream not in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        return False
    try:
        stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False
    return True


def close_midrecord(h: LogtrimHandler) -> None:
    """``h`` closed from a signal handler while a record was half taken
    (``logging.shutdown()`` in a SIGTERM handler): the engine's state is not to be trusted,
    and the records the signal handler logged wait for that record, which may never end
    (``os._exit``). They go out now, masked, unfiltered, archived; the run closes failed
    open."""
    fail_open(h, b"", why="closed while a record was being taken")
    now = time.monotonic()
    while h._queued:
        text, _, _ = h._queued.pop(0)
        h._unfiltered(text.encode("utf-8", "backslashreplace") + b"\n", now)
