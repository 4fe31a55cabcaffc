"""logtrim's own messages on stderr: every one goes out through :func:`say`.

``logtrim: <level>: <message>``, one line (and a traceback for an internal error). In
Octopus every stderr line is an Error line, so logtrim writes to stderr only for real
problems (warnings and errors) by default; ``-v`` adds debug detail. The structured logger
(structlog, imported on the first diagnostic: most runs never log one) renders through
:func:`say` too, so during a run every byte is charged to the console budget, and a broken
stderr never raises into the caller.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, MutableMapping
from contextlib import suppress
from typing import Any

_verbose = False
_logger: Any = None
_charge: Callable[[int], None] | None = None


def say(message: str, level: str | None = None) -> None:
    """Write ``logtrim: [<level>: ]<message>`` and a newline on stderr: the one way out."""
    text = f"logtrim: {level}: {message}\n" if level else f"logtrim: {message}\n"
    if _charge is not None:
        _charge(len(text.encode("utf-8", "replace")))
    stream = sys.stderr
    if stream is None:  # started with stderr closed
        return
    with suppress(OSError, ValueError):  # a closed console must not stop logtrim
        stream.write(text)
        stream.flush()


def charge_to(hook: Callable[[int], None] | None) -> None:
    """Count logtrim's own messages against a budget (``hook(nbytes)``)."""
    global _charge
    _charge = hook


def configure(verbose: bool = False) -> None:
    global _verbose, _logger
    _verbose = verbose
    _logger = None


def _say_event(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    """The last processor: ``message (key=value ...)`` through :func:`say`, nothing returned."""
    import structlog

    level = event.pop("level", "info")
    message = event.pop("event", "")
    trace = event.pop("exception", None)
    extra = " ".join(f"{k}={v!r}" for k, v in event.items())
    line = f"{message}" + (f" ({extra})" if extra else "")
    say(f"{line}\n{trace}" if trace else line, level)
    raise structlog.DropEvent


def verbose() -> bool:
    """Whether debug diagnostics are on (``-v``): ask before building a debug line, so a
    run without ``-v`` never imports structlog for it (start-up counts)."""
    return _verbose


def logger() -> Any:
    """The diagnostics logger (structlog: ``logger().warning("text", key=value)``)."""
    global _logger
    if _logger is None:
        import structlog

        _logger = structlog.wrap_logger(
            structlog.ReturnLogger(),
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.format_exc_info,
                _say_event,
            ],
            wrapper_class=structlog.make_filtering_bound_logger(
                logging.DEBUG if _verbose else logging.WARNING
            ),
        )
    return _logger
