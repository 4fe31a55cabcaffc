"""The interface every CI dialect implements.

A dialect is sans-IO: it recognises the system's commands in the child's output, learns the
secrets they declare, and returns the *actions* that publish the archive and mark a failure.
The shell (``_runner``, the handler) carries the actions out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Union


@dataclass(frozen=True)
class Print:
    """Print ``text`` (one or more whole lines, without the final newline) on stdout."""

    text: str


@dataclass(frozen=True)
class AppendFile:
    """Append ``text`` to the file at ``path`` (GitHub's step summary)."""

    path: str
    text: str


@dataclass(frozen=True)
class RunProgram:
    """Run a program and wait for it (Buildkite's ``buildkite-agent artifact upload``)."""

    argv: tuple[str, ...]


# Union, not |: the alias is evaluated at run time, and must work on Python 3.10.
Action = Union[Print, AppendFile, RunProgram]  # noqa: UP007


@dataclass(frozen=True)
class Closing:
    """What a dialect needs to know at the end of a run to publish and report it."""

    archive_path: str | None  # absolute; None when no archive was written
    archive_name: str
    archive_size: int
    exit_code: int
    reason: str | None  # one-line failure reason, when the run failed
    summary: Sequence[str] = ()  # the summary lines logtrim prints
    first_errors: Sequence[str] = ()  # a handful of the first error lines (masked)
    child_sent_result: bool = False  # the child already sent its own failure message
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    @property
    def failed(self) -> bool:
        return self.exit_code != 0


class Dialect:
    """Base dialect: plain text, no commands. Subclasses override what their system has."""

    #: The ``--ci`` name.
    name: ClassVar[str] = "plain"
    #: Environment variable whose presence selects this dialect under ``--ci auto``.
    detect_var: ClassVar[str | None] = None
    #: Byte strings whose presence in a line may mean a command of this system; a fast
    #: pre-check before :meth:`is_command`.
    markers: ClassVar[tuple[bytes, ...]] = ()

    @classmethod
    def detect(cls, env: Mapping[str, str]) -> bool:
        return cls.detect_var is not None and bool(env.get(cls.detect_var))

    def is_command(self, line: str) -> bool:
        """True when the line carries one of this system's commands (forward it verbatim)."""
        return False

    def is_progress(self, line: str) -> bool:
        """True when the command is a progress update (may be throttled, latest kept)."""
        return False

    def declared_secrets(self, line: str) -> list[str]:
        """Secrets this line asks the system to mask (learned from that point on)."""
        return []

    def observe(self, line: str) -> None:
        """See a line that may carry a command, after ``is_command``/``declared_secrets``.

        For state that spans lines (GitHub's ``stop-commands``); a no-op by default.
        """

    def group_start(self, title: str) -> str | None:
        """A line that opens a collapsible group, or None when the system has none."""
        return None

    def group_end(self, title: str) -> str | None:
        return None

    def reset_lines(self) -> list[str]:
        """Lines to print before logtrim's own output after the child's (mode resets)."""
        return []

    def finish(self, closing: Closing) -> list[Action]:
        """Mark the failure (if any) and publish the archive."""
        actions: list[Action] = []
        if closing.archive_path:
            actions.append(Print(f"[logtrim] full log: {closing.archive_path}"))
        return actions
