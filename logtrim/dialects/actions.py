"""What a dialect and the engine hand each other at a run's end: the actions for the shells to
carry out (print, append to a file, run a program), what the dialect is told of the run
(:class:`Closing`), and how a stream's lines are shown after a level switch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Union


class Level(str, Enum):
    """How the lines after a level switch are shown on their stream (the engine's view)."""

    NORMAL = "normal"  # as the rules say
    QUIET = "quiet"  # archive only
    IGNORED = "ignored"  # archive only, and the CI shows none of it: no failure reason either
    PROGRESS = "progress"  # every line is a progress line (throttled)
    INFO = "info"  # every line is at least info: each one is looked at
    WARNING = "warning"  # ... at least a warning
    ERROR = "error"  # ... at least an error


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
    """Run a program and wait for it (Buildkite's ``buildkite-agent artifact upload``).

    The shell looks the program up; when it is not installed, it prints ``missing`` (one
    line, without the final newline) on stdout instead.
    """

    argv: tuple[str, ...]
    missing: str = ""


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
    # The child reported an error to the CI with a command (``::error::``, Azure's
    # ``task.logissue``), the reason or another: the CI shows the failure already, as an
    # annotation of its own (a second one for the same failure is noise).
    error_reported: bool = False
    env: Mapping[str, str] = field(default_factory=dict)  # the run's environment
    timestamp: float = 0.0  # Unix time at the end of the run

    @property
    def failed(self) -> bool:
        return self.exit_code != 0


__all__ = ["Action", "AppendFile", "Closing", "Level", "Print", "RunProgram"]
