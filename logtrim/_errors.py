"""The one error tree of logtrim, and the exit code each error maps to.

    LogtrimError                 base: anything logtrim reports as a one-line error
     ├── UsageError              bad option, bad size, bad regex, bad config value (exit 2)
     ├── InputError              an input file for trim/stats/cat is missing or unreadable (exit 3)
     ├── CommandNotFoundError    COMMAND does not exist (exit 127, as a shell says)
     └── CommandNotExecutableError  COMMAND exists but cannot be executed (exit 126)

Errors inside a running pipeline are never raised to the user: logtrim fails open instead
(see ``_runner``), so the child's exit code stays the one that counts.
"""

from __future__ import annotations


class LogtrimError(Exception):
    """Base class: a problem logtrim reports in one line, with a documented exit code."""

    exit_code: int = 1


class UsageError(LogtrimError):
    """The command line, an environment variable or a config file holds a bad value."""

    exit_code = 2


class InputError(LogtrimError):
    """An input file cannot be read or decoded."""

    exit_code = 3


class CommandNotFoundError(LogtrimError):
    """The command to run does not exist."""

    exit_code = 127


class CommandNotExecutableError(LogtrimError):
    """The command to run exists but is not executable."""

    exit_code = 126
