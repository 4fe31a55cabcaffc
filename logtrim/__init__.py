"""logtrim: keep deployment task logs small and useful without losing a byte.

The public API. The subpackages are internal and show the architecture: ``engine`` (the
sans-IO policy engine), ``dialects`` (CI systems), ``archive``, ``run`` (the async shell of
``logtrim run``), ``handler`` (the logging handler), ``logs`` (trim, stats, cat) and ``cli``;
``logtrim.structlog`` is public.
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
from .engine.kinds import Kind
from .engine.policy import Policy
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

# Reprs, docs and tracebacks show the public path (``logtrim.LogtrimHandler``).
for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and not isinstance(_obj, str):
        _obj.__module__ = "logtrim"
del _name, _obj
