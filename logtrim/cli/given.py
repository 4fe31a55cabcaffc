"""The settings ``run``'s last resort needs, read from what was given without the settings
machinery (:mod:`.settings`), which may be what failed: each falls back to its default."""

from __future__ import annotations

import contextlib
import os

from .._sizes import parse_size
from ..engine.policy import Policy
from . import values
from .settings import Setting, Settings


def given_times(given: dict[str, object]) -> tuple[float, float]:
    """The drain timeout and the grace period given, or their defaults."""
    return _seconds(given, Settings.drain_timeout), _seconds(given, Settings.grace)


def _seconds(given: dict[str, object], setting: Setting[float]) -> float:
    with contextlib.suppress(Exception):
        raw = given.get(setting.name)
        raw = os.environ.get(f"LOGTRIM_{setting.name.upper()}") if raw is None else raw
        if raw is not None:
            return values.seconds(raw)
    return setting.default


def given_budget(given: dict[str, object]) -> int:
    """The budget given, or the default."""
    with contextlib.suppress(Exception):
        raw = given.get("budget") or os.environ.get("LOGTRIM_BUDGET")
        if raw:
            return parse_size(str(raw))
    return Policy.budget


__all__ = ["given_budget", "given_times"]
