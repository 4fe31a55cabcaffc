"""logtrim: keep deployment task logs small and useful without losing a byte.

The public API; everything else lives in private modules.
"""

from ._errors import (
    CommandNotExecutableError,
    CommandNotFoundError,
    InputError,
    LogtrimError,
    OutputError,
    UsageError,
)
from ._sizes import format_size, parse_size
from ._version import __version__
from .engine.policy import Policy
from .engine.rules import Kind
from .handler.capture import capture
from .handler.handler import LogtrimHandler
from .structlog import LogtrimLogger, LogtrimLoggerFactory, configure_structlog

__all__ = [
    "CommandNotExecutableError",
    "CommandNotFoundError",
    "InputError",
    "Kind",
    "LogtrimError",
    "LogtrimHandler",
    "LogtrimLogger",
    "LogtrimLoggerFactory",
    "OutputError",
    "Policy",
    "UsageError",
    "__version__",
    "capture",
    "configure_structlog",
    "format_size",
    "parse_size",
]
