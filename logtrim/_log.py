"""logtrim's own diagnostics: structlog, to stderr, quiet unless something is wrong.

In Octopus every stderr line is an Error line, so logtrim writes to stderr only for real
problems (warnings) by default; ``-v`` adds debug detail. structlog is imported on the first
diagnostic, not at start-up: most runs never log one.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, MutableMapping
from typing import Any

_verbose = False
_logger: Any = None
_charge: Callable[[int], None] | None = None


class _Stderr:
    """stderr, with every byte written charged to the run's console budget."""

    def write(self, text: str) -> int:
        if _charge is not None:
            _charge(len(text.encode("utf-8", "replace")))
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def charge_to(hook: Callable[[int], None] | None) -> None:
    """Count logtrim's own diagnostics against a budget (``hook(nbytes)``)."""
    global _charge
    _charge = hook


def configure(verbose: bool = False) -> None:
    global _verbose, _logger
    _verbose = verbose
    _logger = None


def _render(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> str:
    """``logtrim: warning: message (key=value ...)``: one line, greppable."""
    level = event.pop("level", "info")
    message = event.pop("event", "")
    trace = event.pop("exception", None)
    extra = " ".join(f"{k}={v!r}" for k, v in event.items())
    line = f"logtrim: {level}: {message}" + (f" ({extra})" if extra else "")
    return f"{line}\n{trace}" if trace else line


def logger() -> Any:
    """The diagnostics logger (a structlog bound logger writing to stderr)."""
    global _logger
    if _logger is None:
        import structlog

        _logger = structlog.wrap_logger(
            structlog.PrintLogger(_Stderr()),  # type: ignore[arg-type]
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.format_exc_info,
                _render,
            ],
            wrapper_class=structlog.make_filtering_bound_logger(
                logging.DEBUG if _verbose else logging.WARNING
            ),
        )
    return _logger
