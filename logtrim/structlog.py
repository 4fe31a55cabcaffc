"""structlog straight into the engine, without stdlib logging in between.

structlog calls its final logger's method named after the level (``debug``, ``info``,
``warning``, ``error``, ``critical``) with the rendered event; :class:`LogtrimLogger` maps
that name to the level and hands the text to a :class:`LogtrimHandler`, which archives it
and lets the policy decide what the console shows. structlog itself is imported only by
:func:`configure_structlog`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from .handler.handler import LogtrimHandler


class LogtrimLogger:
    """structlog's final logger: one method per level, each takes the rendered event."""

    def __init__(self, handler: LogtrimHandler) -> None:
        self.handler = handler

    def _write(self, level: int, message: str | bytes) -> None:
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        self.handler.write(message, level)

    def debug(self, message: str | bytes) -> None:
        self._write(logging.DEBUG, message)

    def info(self, message: str | bytes) -> None:
        self._write(logging.INFO, message)

    def warning(self, message: str | bytes) -> None:
        self._write(logging.WARNING, message)

    def error(self, message: str | bytes) -> None:
        self._write(logging.ERROR, message)

    def critical(self, message: str | bytes) -> None:
        self._write(logging.CRITICAL, message)

    msg = log = info
    warn = warning
    err = exception = failure = error
    fatal = critical


class LogtrimLoggerFactory:
    """``structlog.configure(logger_factory=LogtrimLoggerFactory(handler))``."""

    def __init__(self, handler: LogtrimHandler) -> None:
        self.handler = handler
        self._logger = LogtrimLogger(handler)

    def __call__(self, *args: Any) -> LogtrimLogger:
        return self._logger


class LearnDeclarations:
    """A processor: what the event declares (``log.info("::add-mask::...")``) is learned
    before a renderer puts a time stamp and a level before it, off its line's start, where
    no CI reads it as a command (the app meant it all the same)."""

    def __init__(self, handler: LogtrimHandler) -> None:
        self.handler = handler

    def __call__(self, _logger: Any, _name: str, event_dict: Any) -> Any:
        event = event_dict.get("event") if isinstance(event_dict, dict) else None
        if isinstance(event, str):
            self.handler.learn(event)
        return event_dict


def configure_structlog(
    handler: LogtrimHandler,
    *,
    level: int = logging.DEBUG,
    processors: Sequence[Callable[..., Any]] | None = None,
) -> None:
    """Configure structlog globally to log through ``handler`` (the native option).

    The default processors add the level and an ISO timestamp and render one plain line
    per event (no colours), tracebacks in full. Events below ``level`` cost almost nothing.
    :class:`LearnDeclarations` goes first, before ``processors`` too.
    """
    import structlog

    if processors is None:
        processors = [
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            ),
        ]
    structlog.configure(
        processors=[LearnDeclarations(handler), *processors],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=LogtrimLoggerFactory(handler),
        cache_logger_on_first_use=True,
    )


__all__ = ["LearnDeclarations", "LogtrimLogger", "LogtrimLoggerFactory", "configure_structlog"]
