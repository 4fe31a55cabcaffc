"""The tier of a logging record: its level decides, with the few exceptions below."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..engine.match.kinds import Kind

if TYPE_CHECKING:
    from ..engine.core import Core


def record_kind(core: Core, data: bytes, levelno: int, *, scan_debug: bool) -> Kind:
    """INFO may be progress; ``keep`` rules and CI commands (e.g. ``##octopus[...]``) pass
    as such whatever the level. ``scan_debug``: DEBUG records are looked at too (a ``keep``
    rule may pick one); otherwise they are detail unread."""
    if levelno < logging.INFO and not scan_debug:
        return Kind.NOISE
    found = core.classify(data)
    if found == Kind.KEEP:
        return found
    # A real CI command, or just "::" in some text?
    if found == Kind.SERVICE and core.is_command(data.decode("utf-8", "replace")):
        return found
    if levelno < logging.INFO:
        return Kind.NOISE
    if levelno < logging.WARNING:
        return Kind.PROGRESS if found == Kind.PROGRESS else Kind.INFO
    return Kind.WARNING if levelno < logging.ERROR else Kind.ERROR
