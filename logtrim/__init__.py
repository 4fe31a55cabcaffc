"""logtrim: keep deployment task logs small and useful without losing a byte.

The public API. The subpackages are internal and show the architecture: ``engine`` (the
sans-IO policy engine), ``dialects`` (CI systems), ``archive``, ``run`` (the async shell of
``logtrim run``), ``handler`` (the logging handler), ``logs`` (trim, stats, cat) and ``cli``;
``logtrim.structlog`` is public.
"""

import typing as _typing

from ._errors import (
    ArgumentError,
    CommandNotExecutableError,
    CommandNotFoundError,
    InputError,
    LogtrimError,
    OutputError,
    UsageError,
)
from ._sizes import format_size, parse_size
from ._version import __version__

if _typing.TYPE_CHECKING:
    from .engine.match.kinds import Kind
    from .engine.policy import Policy
    from .handler.capture import capture
    from .handler.handler import LogtrimHandler
    from .structlog import LogtrimLogger, LogtrimLoggerFactory, configure_structlog

# Imported on first use: ``logtrim run`` needs none of the logging side, and imports the
# engine itself later, with the garbage collector off (start-up counts; see logtrim.cli).
_LAZY = {
    "Kind": ".engine.match.kinds",
    "Policy": ".engine.policy",
    "capture": ".handler.capture",
    "LogtrimHandler": ".handler.handler",
    "LogtrimLogger": ".structlog",
    "LogtrimLoggerFactory": ".structlog",
    "configure_structlog": ".structlog",
}

__all__ = [
    "ArgumentError",
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


def _public(obj: _typing.Any) -> _typing.Any:
    """Reprs, docs and tracebacks show the public path (``logtrim.LogtrimHandler``)."""
    if hasattr(obj, "__module__") and not isinstance(obj, str):
        obj.__module__ = "logtrim"
    return obj


def __getattr__(name: str) -> _typing.Any:
    import importlib

    if name == "structlog":  # the public submodule, as the docs use it after ``import logtrim``
        return importlib.import_module(".structlog", __name__)
    if name not in _LAZY:
        raise AttributeError(f"module 'logtrim' has no attribute {name!r}")

    # Every name of the module at once: one of them may already have been imported.
    module = importlib.import_module(_LAZY[name], __name__)
    for other, where in _LAZY.items():
        if where == _LAZY[name]:
            globals()[other] = _public(getattr(module, other))
    return globals()[name]


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


for _name in __all__:
    if _name not in _LAZY:
        _public(globals()[_name])
del _name
