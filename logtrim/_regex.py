"""Regexes compiled on first use (start-up counts).

Compiling the patterns of every dialect, the failure ranking and the tables at import took
a third of the imports of ``run -- true``; most runs never use most of them. :func:`lazy`
stands for ``re.compile``: the pattern is compiled the first time one of its attributes is
asked for, and each attribute asked for is then kept on the object, so a later
``PATTERN.search(line)`` costs what it costs on the compiled pattern.
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, cast


class _Lazy:
    """The pattern and flags of a regex not compiled yet (see the module docstring)."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern = pattern  # as the compiled pattern's: read without compiling
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        # Only for what the instance does not hold yet; dunders are never the pattern's
        # (copy and pickle probe them on an instance that has no pattern yet).
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(re.compile(self.pattern, self._flags), name)
        setattr(self, name, value)
        return value


def lazy(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(pattern, flags)``, compiled on first use: for a pattern whose methods and
    attributes are used (``re.sub(pattern, ...)`` and ``isinstance`` need a compiled one)."""
    return cast("re.Pattern[AnyStr]", _Lazy(pattern, flags))
