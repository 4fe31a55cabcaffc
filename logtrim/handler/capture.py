"""``capture``: a :class:`~logtrim.handler.handler.LogtrimHandler` on a logger for one block."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .._log import WITHHELD
from . import hooks
from .failopen import masked_text
from .handler import LogtrimHandler


@contextmanager
def capture(
    artifact: str | os.PathLike[str],
    *,
    logger: logging.Logger | str | None = None,
    level: int | None = logging.DEBUG,
    formatter: logging.Formatter | None = None,
    **options: Any,
) -> Iterator[LogtrimHandler]:
    """Install a :class:`LogtrimHandler` on the root logger (or ``logger``) for a block.

    ``level`` is set on the logger (``None`` leaves it); the handlers already there still
    print only what its level let through before. At exit the handler is removed and
    closed; if an exception propagates it closes with exit code 1 (the failure tail shows)
    and the exception is re-raised (logged first, traceback whole, so the archive has it and
    the CI failure message names it; ``SystemExit`` passes its code). Other keywords go to
    :class:`LogtrimHandler`.
    """
    target = logger if isinstance(logger, logging.Logger) else logging.getLogger(logger)
    handler = LogtrimHandler(artifact, **options)
    handler.setFormatter(formatter or logging.Formatter(_FORMAT))
    old_level = target.level
    # The handlers already there print what they printed before the block.
    kept = _Kept(target) if level is not None and level < target.getEffectiveLevel() else None
    if level is not None:
        target.setLevel(level)
    target.addHandler(handler)
    code = 0
    try:
        with _thread_errors(handler, target), _keeping(kept, handler):
            yield handler
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        if code and not isinstance(exc.code, int):
            # ``sys.exit("message")``: the message says why, so the archive has it and it is
            # the failure reason; Python prints it on stderr as it is, where no hook masks it
            # (the process ends with exit code 1 all the same).
            _log(handler, target, "%s", (str(exc.code),), None)
            exc.code = _masked_message(handler, exc.code)
        raise
    except GeneratorExit:
        # A generator that holds the block, closed early (``break`` out of its loop, the
        # generator dropped): the normal end of a generator, not a failure.
        raise
    except BaseException as exc:
        code = 130 if isinstance(exc, KeyboardInterrupt) else 1
        # Into the archive and the console's error tier; the app's own report follows.
        args = (type(exc).__name__,)
        # From the app's frame on: the first one is this generator's ``yield``.
        trace = exc.__traceback__
        while trace is not None and trace.tb_frame.f_code.co_filename in _OURS:
            trace = trace.tb_next
        info = (type(exc), exc, trace)
        if _log(handler, target, _UNCAUGHT, args, info):
            # Python's report of it, should nothing catch it, would say it twice.
            with contextlib.suppress(Exception):
                setattr(exc, hooks.REPORTED, True)
        raise
    finally:
        target.removeHandler(handler)
        if level is not None:
            target.setLevel(old_level)
        handler.close(code or None)


def _log(
    handler: LogtrimHandler,
    target: logging.Logger,
    message: str,
    args: tuple[str, ...],
    info: hooks.Info | None,
) -> bool:
    """An uncaught exception (or an exit's message) into the archive and the console's
    error tier; False: the handler's filters refused it."""
    record = target.makeRecord(target.name, logging.ERROR, "", 0, message, args, info)
    return bool(handler.handle(record))


def _masked_message(handler: LogtrimHandler, code: str | int | None) -> str | int | None:
    """A ``SystemExit`` message as Python will print it, masked (as it is if it holds no
    secret); a fixed line if it cannot be masked."""
    try:
        text = str(code)
    except Exception:
        return WITHHELD
    masked = masked_text(handler.core, text)
    return code if masked == text else masked


class _Kept(logging.Filter):
    """What a logger's level let through before the block lowered it: the app's own console
    handler would else print every DEBUG record the block lets through for the archive. A
    record passes if its logger's level, as it was, lets it through."""

    def __init__(self, target: logging.Logger) -> None:
        super().__init__()
        self._target, self._level = target, target.level

    def filter(self, record: logging.LogRecord) -> bool:
        root = logging.getLogger()
        found = root if record.name == root.name else root.manager.loggerDict.get(record.name)
        logger = found if isinstance(found, logging.Logger) else None
        while logger is not None:
            level = self._level if logger is self._target else logger.level
            if level:
                return record.levelno >= level
            logger = logger.parent
        return True


@contextmanager
def _keeping(kept: _Kept | None, ours: logging.Handler) -> Iterator[None]:
    """``kept`` on every handler of every logger for the block (not on ``ours``)."""
    if kept is None:
        yield
        return
    root = logging.getLogger()
    loggers = [
        root,
        *(x for x in root.manager.loggerDict.values() if isinstance(x, logging.Logger)),
    ]
    handlers = {h for logger in loggers for h in logger.handlers if h is not ours}
    for each in handlers:
        each.addFilter(kept)
    try:
        yield
    finally:
        for each in handlers:
            each.removeFilter(kept)


@contextmanager
def _thread_errors(handler: LogtrimHandler, target: logging.Logger) -> Iterator[None]:
    """A thread's uncaught exception during the block, while threading's hook is the default
    one: logged (the archive and the console's error tier have it; the default hook printed
    a secret the handler was given as written)."""
    if not hooks.threads_default():
        yield
        return
    before = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:  # the default hook ignores it too
            return
        name = args.thread.name if args.thread is not None else "?"
        info = hooks.thread_info(args)
        if not _log(handler, target, hooks.IN_THREAD, (args.exc_type.__name__, name), info):
            hooks.print_masked(f"Exception in thread {name}:\n", info)  # (a filter refused it)

    threading.excepthook = hook
    try:
        yield
    finally:
        if threading.excepthook is hook:
            threading.excepthook = before


_OURS = (__file__, contextlib.__file__)  # frames of the block's machinery, not the app's
_UNCAUGHT = "uncaught %s: the block ended with an exception"
_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"

__all__ = ["capture"]
