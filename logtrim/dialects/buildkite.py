"""Buildkite: ``--- ``/``+++ ``/``~~~ `` group headers and ``buildkite-agent artifact upload``.

A Buildkite group has no end marker: output belongs to the latest header until the next one,
so :meth:`Buildkite.group_end` returns None. On failure ``^^^ +++`` expands the group that
holds the end of the log, as Buildkite's docs suggest for failing commands.

``artifact upload`` reads its argument as ``;``-separated glob patterns with no escape syntax,
so glob characters and ``;`` in the path become the ``?`` wildcard, which still matches it.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from typing import ClassVar

from .._text import inert
from .base import Action, Closing, Dialect, Print, RunProgram, failure_note
from .escape import wildcard_safe

_HEADERS = ("--- ", "+++ ", "~~~ ", "^^^ +++")
_HEADER_BYTES = tuple(header.encode() for header in _HEADERS)
# A backslash escapes in POSIX globs but separates directories on Windows.
_GLOB = "*?[]{};" + ("\\" if os.sep == "/" else "")


class Buildkite(Dialect):
    name: ClassVar[str] = "buildkite"
    detect_var: ClassVar[str | None] = "BUILDKITE"
    markers: ClassVar[tuple[bytes, ...]] = tuple(header.encode() for header in _HEADERS)

    @classmethod
    def detect(cls, env: Mapping[str, str]) -> bool:
        return env.get("BUILDKITE", "").lower() == "true"

    def is_command(self, line: str) -> bool:
        return line.startswith(_HEADERS)

    def is_cosmetic(self, line: bytes) -> bool:
        return line.startswith(_HEADER_BYTES)

    def group_start(self, title: str, *, timestamp: float = 0.0) -> str | None:
        return f"--- {inert(title)}"

    def finish(self, closing: Closing) -> list[Action]:
        actions: list[Action] = []
        if closing.failed:
            actions.append(Print("^^^ +++"))
            actions += failure_note(closing)
        if not closing.archive_path:
            return actions
        pattern = wildcard_safe(closing.archive_path, _GLOB)
        # Without the agent on PATH (the shell looks), one line says how to upload.
        command = inert(f"buildkite-agent artifact upload {shlex.quote(pattern)}")
        path = inert(closing.archive_path)
        missing = f"[logtrim] full log: {path} (upload it with: {command})"
        actions.append(RunProgram(("buildkite-agent", "artifact", "upload", pattern), missing))
        return actions
