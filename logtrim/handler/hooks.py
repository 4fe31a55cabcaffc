"""Python's own report of an uncaught exception, masked.

The interpreter's default hooks print an uncaught exception's traceback to stderr, message
and all, before logging's exit hook closes the handlers: a secret in it (``KeyError:
'hunter2'``) would reach the CI log as written; so does an exception Python can only ignore
(raised in ``__del__``, a finalizer, a generator closed late: ``sys.unraisablehook``). While
the hooks are the default ones, each :class:`~logtrim.handler.handler.LogtrimHandler` made
in this process puts its masker here, and the traceback is printed as the default hook
prints it, masked with every one of them. An app's own hooks are its business: they are
left alone.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import sys
import threading
import traceback
import warnings
import weakref
from collections.abc import Callable
from types import TracebackType
from typing import Protocol, TextIO

from .._log import say
from .interrupts import hold_at_exit, interrupts_held

# An exception as Python's hooks and ``logging`` take it.
Info = tuple[type[BaseException], BaseException, TracebackType | None]

# Maskers kept: the newest handlers' (a program makes one or a few). Each keeps its engine
# alive (some 400 kB): a service that makes a handler per job must not grow without bound.
_MOST = 64
_maskers: list[Callable[[str], str]] = []
# Python's own (kept by ``warnings`` itself: this module may be imported while a
# ``catch_warnings`` block has put others in place)
_SHOWWARNING = getattr(warnings, "_showwarning_orig", warnings.showwarning)


class Watched(Protocol):
    """A handler as these hooks use it."""

    def _take_report(self, record: logging.LogRecord) -> bool:
        """Log an exception Python would only print (a thread's, one it ignores); True:
        taken."""

    def _reports_uncaught(self, record: logging.LogRecord) -> bool:
        """Whether it will show the main thread's uncaught exception when it closes."""


# The handlers a thread's uncaught exception is logged to, and that may show the main
# thread's when logging's exit hook closes them (weakly: a handler that is gone takes none),
# newest last, as many as the maskers.
_handlers: list[weakref.ref[Watched]] = []
#: Set on an exception ``capture`` logged: Python's report of it would say it twice.
REPORTED = "_logtrim_reported"
#: How a thread's uncaught exception is logged (here and by ``capture``): its class, the thread.
IN_THREAD = "uncaught %s in thread %s"
_dropped = False  # the warning that the oldest handlers' secrets are no longer used was said


def watch(mask: Callable[[str], str], handler: Watched | None = None) -> None:
    """Mask Python's reports of uncaught exceptions with ``mask`` too, from now on (also
    after its handler closed: the program may still hold the secret); ``handler`` logs a
    thread's uncaught exception, so that its archive has it, and may show the main
    thread's when it closes."""
    global _dropped
    _maskers.append(mask)
    if handler is not None:
        if not _handlers:  # (after logging's own: run before it)
            atexit.register(hold_at_exit)
        _handlers.append(weakref.ref(handler))
        del _handlers[:-_MOST]
    if len(_maskers) > _MOST:
        del _maskers[:-_MOST]
        if not _dropped:
            _dropped = True
            say(f"more than {_MOST} handlers made in this process: Python's own report of "
                f"an uncaught exception is masked with the newest {_MOST} handlers' secrets "
                "only", "warning")  # fmt: skip
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = _excepthook
    if threading.excepthook is threading.__excepthook__:
        threading.excepthook = _thread_hook
    if sys.unraisablehook is sys.__unraisablehook__:
        sys.unraisablehook = _unraisable_hook
    if warnings.showwarning is _SHOWWARNING:  # (``logging.captureWarnings`` logs them)
        warnings.showwarning = _show_warning


def _prints(impl: object) -> bool:
    """Whether ``warnings``' way to show a warning is its own (it prints), not a recorder's."""
    return getattr(impl, "__module__", None) == "warnings" and (
        getattr(impl, "__name__", None) == "_showwarnmsg_impl"
    )


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Python's report of a warning (``warnings.warn("token abc123 expired")``), masked as
    its report of an uncaught exception is: its text may hold a secret."""
    if not _prints(getattr(warnings, "_showwarnmsg_impl", None)):
        # Recorded, not printed (``catch_warnings(record=True)``, pytest): its own way.
        _SHOWWARNING(message, category, filename, lineno, file, line)
        return
    stream = sys.stderr if file is None else file
    if stream is None:
        return
    try:
        text = warnings.formatwarning(message, category, filename, lineno, line)
        for mask in list(_maskers):
            text = mask(text)
    except Exception:
        text = f"{category.__name__}: (not shown: it could not be masked)\n"
    with contextlib.suppress(OSError, ValueError):
        stream.write(text)


def threads_default() -> bool:
    """Whether threading's hook is Python's own or this module's (not the app's)."""
    return threading.excepthook in (threading.__excepthook__, _thread_hook)


def print_masked(head: str, info: Info) -> None:
    """An exception's traceback on stderr, as Python's hooks print it, masked; a line that
    says it is left out when it could not be masked."""
    if sys.stderr is None:  # (pythonw: the default hooks print nothing either)
        return
    try:
        text: str | None = head + "".join(traceback.format_exception(*info))
    except Exception:
        text = None
    if text is None or not print_text(text):
        with contextlib.suppress(Exception):
            sys.stderr.write(f"{info[0].__name__}: (not shown: it could not be masked)\n")


def print_text(text: str) -> bool:
    """``text`` masked on stderr; False when it could not be masked (nothing written)."""
    with contextlib.suppress(Exception):
        for mask in list(_maskers):
            text = mask(text)
        if sys.stderr is not None:
            sys.stderr.write(text)
            sys.stderr.flush()
        return True
    return False


def _excepthook(
    kind: type[BaseException], value: BaseException, trace: TracebackType | None
) -> None:
    """Python's report, masked; none when a handler has the traceback on its console
    already (``capture``) or will have it, in its place, when logging's exit hook closes it:
    said twice, once out of place, it was noise."""
    with interrupts_held():  # (a second Ctrl-C: the report is made, then Python exits)
        if not (getattr(value, REPORTED, False) or _reported_at_close()):
            print_masked("", (kind, value, trace))


def _reported_at_close() -> bool:
    """Whether an open handler will log the exception when logging's exit hook closes it,
    on the console (its filters take it) and soon: not while a thread Python waits for
    first still runs (the traceback would wait with it)."""
    found = uncaught()  # (None in an interactive session: the handler leaves it then)
    if found is None or any(
        not t.daemon and t is not threading.main_thread() and t.is_alive()
        for t in threading.enumerate()
    ):
        return False
    with contextlib.suppress(Exception):
        return any(
            (h := ref()) is not None and h._reports_uncaught(found[0]) for ref in list(_handlers)
        )
    return False


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    """Logged to the handlers (their archives and error tiers have it, as ``capture`` logs
    it); printed masked as the default hook prints it when no handler took it."""
    if args.exc_type is SystemExit:  # the default hook ignores it too
        return
    name = args.thread.name if args.thread is not None else "?"
    info = thread_info(args)
    record = logging.LogRecord(
        "logtrim", logging.ERROR, "", 0, IN_THREAD, (args.exc_type.__name__, name), info
    )
    if not _to_handlers(record):  # (a handler's console shows it, in its place)
        print_masked(f"Exception in thread {name}:\n", info)


def _to_handlers(record: logging.LogRecord) -> bool:
    """Log an exception Python would only print to the open handlers; True: one took it."""
    taken = False
    for ref in list(_handlers):
        handler = ref()
        if handler is not None:
            with contextlib.suppress(Exception):  # (the caller's report must still be made)
                taken = handler._take_report(record) or taken
    return taken


def thread_info(args: threading.ExceptHookArgs) -> Info:
    """The exception of threading's hook."""
    return _info(args.exc_type, args.exc_value, args.exc_traceback)


def _info(kind: type[BaseException], value: BaseException | None, tb: TracebackType | None) -> Info:
    """An exception as a hook gives it (its value may be false: ``__len__`` 0, or None)."""
    return kind, value if value is not None else kind(), tb


def _unraisable_hook(args: sys.UnraisableHookArgs) -> None:
    """``sys.unraisablehook``'s report (``__del__``, an ``atexit`` callback, a finalizer):
    logged to the handlers as a warning (the program goes on), so that their archives have
    it; else printed as Python's prints it (the object first), masked."""
    head = ""
    with contextlib.suppress(Exception):
        what = "" if args.object is None else _repr(args.object)
        if args.err_msg is not None:
            head = f"{args.err_msg}: {what}\n" if what else f"{args.err_msg}:\n"
        elif what:
            head = f"Exception ignored in: {what}\n"
    if args.exc_type is None:
        print_text(head)
        return
    info = _info(args.exc_type, args.exc_value, args.exc_traceback)
    said = head.rstrip("\n").removesuffix(":") or "Exception ignored"
    record = logging.LogRecord("logtrim", logging.WARNING, "", 0, "%s", (said,), info)
    if not _to_handlers(record):
        print_masked(head, info)


def _repr(obj: object) -> str:
    try:
        return repr(obj)
    except Exception:
        return "<object repr() failed>"


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


__all__ = [
    "IN_THREAD",
    "REPORTED",
    "Info",
    "print_masked",
    "print_text",
    "thread_info",
    "threads_default",
    "uncaught",
    "watch",
]
