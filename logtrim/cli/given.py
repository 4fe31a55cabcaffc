"""The settings ``run``'s last resort needs, read from what was given without the settings
machinery (:mod:`.settings`), which may be what failed: each falls back to its default."""

from __future__ import annotations

import contextlib
import os

from .._sizes import parse_size
from ..engine.policy import Policy
from . import values
from .settings import Settings


def given_drain(given: dict[str, object]) -> float:
    """The drain timeout given, or the default."""
    with contextlib.suppress(Exception):
        raw = given.get("drain_timeout")
        raw = os.environ.get("LOGTRIM_DRAIN_TIMEOUT") if raw is None else raw
        if raw is not None:
            return values.seconds(raw)
    return Settings.drain_timeout.default


def given_budget(given: dict[str, object]) -> int:
    """The budget given, or the default."""
    with contextlib.suppress(Exception):
        raw = given.get("budget") or os.environ.get("LOGTRIM_BUDGET")
        if raw:
            return parse_size(str(raw))
    return Policy.budget


__all__ = ["given_budget", "given_drain"]
