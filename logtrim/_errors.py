"""The one error tree of logtrim, and the exit code each error maps to.

    LogtrimError                 base: anything logtrim reports as a one-line error
     ├── UsageError              bad option, bad size, bad regex, bad config value (exit 2)
     │    └── ArgumentError      a bad argument of ``LogtrimHandler`` (also a ``ValueError``)
     ├── InputError              an input file for trim/stats/cat is missing, unreadable, binary
     │                           or not what its header says (exit 3)
     ├── OutputError             an output of trim, cat, stats or diff could not be written (exit 4)
     ├── CommandNotFoundError    COMMAND does not exist (exit 127, as a shell says)
     └── CommandNotExecutableError  COMMAND exists but cannot be executed (exit 126)

Errors inside a running pipeline are never raised to the user: logtrim fails open instead
(see :mod:`logtrim.run.pipeline`), so the child's exit code stays the one that counts.
Anything else that escapes a command is a bug: one line and :data:`INTERNAL_ERROR`.
The CLI's ``main`` is the one place these become exit codes (docs/exit-codes.md).
"""

from __future__ import annotations

#: A bug in logtrim escaped a command (never ``run``'s: it fails open).
INTERNAL_ERROR = 1


class LogtrimError(Exception):
    """Base class: a problem logtrim reports in one line, with a documented exit code."""

    exit_code: int = 1


class UsageError(LogtrimError):
    """The command line, an environment variable or a config file holds a bad value."""

    exit_code = 2


class ArgumentError(UsageError, ValueError):
    """A bad argument of :class:`logtrim.LogtrimHandler`: a ``ValueError`` too, as Python's
    own constructors raise for a bad value."""


class InputError(LogtrimError):
    """An input file cannot be read or decoded."""

    exit_code = 3


class OutputError(LogtrimError):
    """An output (``trim -o``, ``trim --artifact``) failed after it was created: disk full."""

    exit_code = 4


class CommandNotFoundError(LogtrimError):
    """The command to run does not exist."""

    exit_code = 127


class CommandNotExecutableError(LogtrimError):
    """The command to run exists but is not executable."""

    exit_code = 126
