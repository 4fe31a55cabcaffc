"""The tier of a logging record: its level decides, with the few exceptions below."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from ..dialects import Dialect, all_dialects
from ..engine.match.kinds import Kind

if TYPE_CHECKING:
    from ..engine.core import Core


def levelno_of(value: object) -> int:
    """A record's ``levelno`` as a number: what an app may set there instead (``"ERROR"``,
    ``"40"``, ``None``) is read as logging reads a level's name, else taken as INFO (its
    words, a CI command in it, still count): one odd record never stops the filtering."""
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        named = logging.getLevelName(value.strip().upper())
        if isinstance(named, int):
            return named
        if value.strip().isdigit():
            return int(value.strip())
    return logging.INFO


def record_kind(core: Core, data: bytes, levelno: int, *, scan_debug: bool) -> Kind:
    """INFO may be progress; ``keep`` rules and CI commands (e.g. ``##octopus[...]``) pass
    as such whatever the level. ``scan_debug``: a ``keep`` rule may pick a DEBUG record;
    otherwise DEBUG records are detail, but for a CI command (see :class:`DebugCommands`)."""
    found = core.classify(data)
    if found == Kind.KEEP and (scan_debug or levelno >= logging.INFO):
        return found
    # A real CI command, or just "::" in some text?
    if found == Kind.SERVICE and core.is_command(data.decode("utf-8", "replace")):
        return found
    if levelno < logging.INFO:
        return Kind.NOISE
    if levelno < logging.WARNING:
        return Kind.PROGRESS if found == Kind.PROGRESS else Kind.INFO
    return Kind.WARNING if levelno < logging.ERROR else Kind.ERROR


class DebugCommands:
    """Which DEBUG records are fed on their own, not in the batch of detail the engine
    takes unread: one that carries a CI command (it passes verbatim, as ``run`` passes it:
    the CI acts on it) or declares a secret in any system's syntax (learned before a later
    record, or Python's report of an uncaught exception, is masked).

    Every DEBUG record is looked at, so the look is quick: the markers that matter here
    (the commands of the system in use and those that always pass, and the systems that
    declare secrets) as plain substrings, their part before the first letter (a marker is
    read in any case); the engine decides on a record that holds one."""

    def __init__(self, core: Core) -> None:
        self._core = core
        ours = type(core.dialect)
        dialects = [ours, *(type(d) for d in all_dialects())]
        markers = {
            m
            for d in dialects
            if d is ours or d.forward_always or d.declared_secrets is not Dialect.declared_secrets
            for m in d.markers
        }
        needles: set[bytes] = set()
        self._caseless: list[bytes] = []
        for marker in markers:
            lead = re.match(rb"[^A-Za-z]*", marker)
            if lead is not None and len(lead.group()) >= 2:
                needles.add(lead.group())
            else:
                self._caseless.append(marker.lower())
        # One needle that holds another is found by it.
        self._needles = [n for n in needles if not any(o != n and o in n for o in needles)]

    def alone(self, data: bytes) -> bool:
        """Whether the DEBUG record ``data`` is fed on its own."""
        for needle in self._needles:
            if needle in data:
                break
        else:
            if not self._caseless:
                return False
            lowered = data.lower()
            if not any(marker in lowered for marker in self._caseless):
                return False
        core = self._core
        if core.classify(data) == Kind.SERVICE:
            return True
        starts = [0, *(m.end() for m in _NEWLINE.finditer(data, 0, len(data) - 1))]
        return bool(core.commands.declared.declared_in(data, starts))


_NEWLINE = re.compile(b"\n")
