"""logtrim's own diagnostics: structlog, to stderr, quiet unless something is wrong.

In Octopus every stderr line is an Error line, so logtrim writes to stderr only for real
problems (warnings) by default; ``-v`` adds debug detail.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_configured = False


def configure(verbose: bool = False) -> None:
    global _configured
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.format_exc_info,
            _render,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.DEBUG if verbose else logging.WARNING
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    _configured = True


def _render(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> str:
    """``logtrim: warning: message (key=value ...)``: one line, greppable."""
    level = event.pop("level", "info")
    message = event.pop("event", "")
    trace = event.pop("exception", None)
    extra = " ".join(f"{k}={v!r}" for k, v in event.items())
    line = f"logtrim: {level}: {message}" + (f" ({extra})" if extra else "")
    return f"{line}\n{trace}" if trace else line


def logger() -> Any:
    if not _configured:
        configure()
    return structlog.get_logger("logtrim")
