"""Python's own report of an uncaught exception, masked.

The interpreter's default hooks print an uncaught exception's traceback to stderr, message
and all, before logging's exit hook closes the handlers: a secret in it (``KeyError:
'hunter2'``) would reach the CI log as written. While the hooks are the default ones, each
:class:`~logtrim.handler.handler.LogtrimHandler` made in this process puts its masker here,
and the traceback is printed as the default hook prints it, masked with every one of them.
An app's own hooks are its business: they are left alone.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

# An exception as Python's hooks and ``logging`` take it.
Info = tuple[type[BaseException], BaseException, TracebackType | None]

_MOST = 64  # maskers kept: the newest handlers' (a program makes one or a few)
_maskers: list[Callable[[str], str]] = []


def watch(mask: Callable[[str], str]) -> None:
    """Mask Python's reports of uncaught exceptions with ``mask`` too, from now on (also
    after its handler closed: the program may still hold the secret)."""
    _maskers.append(mask)
    del _maskers[:-_MOST]
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _excepthook
    if threading.excepthook is threading.__excepthook__:
        threading.excepthook = _thread_hook


def threads_default() -> bool:
    """Whether threading's hook is Python's own or this module's (not the app's)."""
    return threading.excepthook in (threading.__excepthook__, _thread_hook)


def print_masked(head: str, info: Info) -> None:
    """An exception's traceback on stderr, as Python's hooks print it, masked; a line that
    says it is left out when it could not be masked."""
    if sys.stderr is None:  # (pythonw: the default hooks print nothing either)
        return
    text = head + "".join(traceback.format_exception(*info))
    with contextlib.suppress(Exception):
        for mask in list(_maskers):
            text = mask(text)
        sys.stderr.write(text)
        sys.stderr.flush()
        return
    with contextlib.suppress(Exception):
        sys.stderr.write(f"{info[0].__name__}: (not shown: it could not be masked)\n")


def _excepthook(
    kind: type[BaseException], value: BaseException, trace: TracebackType | None
) -> None:
    print_masked("", (kind, value, trace))


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:  # the default hook ignores it too
        return
    name = args.thread.name if args.thread is not None else "?"
    value = args.exc_value or args.exc_type()
    print_masked(f"Exception in thread {name}:\n", (args.exc_type, value, args.exc_traceback))


def uncaught() -> tuple[logging.LogRecord, int] | None:
    """The record and exit code of the uncaught exception the interpreter printed (and kept
    as ``sys.last_value``) before logging's exit hook closes the handlers; None when there
    is none (or in an interactive session, where it may be an old one)."""
    value = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)
    if not isinstance(value, BaseException) or hasattr(sys, "ps1") or sys.flags.interactive:
        return None
    info = (type(value), value, value.__traceback__)
    message = "uncaught %s: the program ended with an exception"
    record = logging.LogRecord("logtrim", logging.ERROR, "", 0, message, (info[0].__name__,), info)
    return record, 130 if isinstance(value, KeyboardInterrupt) else 1


__all__ = ["Info", "print_masked", "threads_default", "uncaught", "watch"]
