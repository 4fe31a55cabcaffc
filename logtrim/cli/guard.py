"""What the entry point guards against: closed standard fds, a reader that left, and
typer's usage errors, each turned into one line and an exit code by :func:`.app.main`
(and by :func:`.runcmd.main`, ``run``'s path without typer)."""

import errno
import importlib
import os
import signal
import sys
from collections.abc import Iterable
from typing import Any

from .. import _log
from .._errors import INTERNAL_ERROR, LogtrimError, OutputError
from .._regex import lazy
from .._text import hide_secrets, split_names

# A device or disk that takes no more: what the user's redirection chose, not a bug.
_FULL = frozenset((errno.ENOSPC, errno.EDQUOT, errno.EFBIG))


def usage_errors() -> tuple[type[Exception], ...]:
    """The class of typer's usage errors: typer 0.28 carries its own copy of click, so
    click itself (imported at a cost) is only asked where typer has no copy."""
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            return (importlib.import_module(name).ClickException,)
        except (ImportError, AttributeError):
            continue
    return ()


def finish(exc: Exception) -> int:
    """The exit code of an error that escaped a command, said in one line on stderr: a
    :class:`LogtrimError` its documented code, a reader that left 141, a bug 1."""
    if isinstance(exc, LogtrimError):
        _log.say(str(exc), "error")
        return exc.exit_code
    if isinstance(exc, BrokenPipeError):  # ``logtrim cat x | head``: as SIGPIPE would say
        silence_stdout()
        return 141
    if isinstance(exc, OSError) and exc.errno in _FULL:  # ``logtrim --help > /dev/full``
        silence_stdout()
        _log.say(f"cannot write the output: {exc.strerror or exc}", "error")
        return OutputError.exit_code
    _log.say(f"internal error: {type(exc).__name__}: {exc} (please report it)", "error")
    return INTERNAL_ERROR


def usage_line(exc: Exception, args: list[str]) -> str:
    """typer's usage error as one line: what is wrong, and where to read more (``args``: the
    command line, without the program's name)."""
    _close_only(exc)
    message = str(getattr(exc, "format_message", exc.__str__)()).rstrip(".")
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return message
    command = ctx.command_path
    if ctx.command.name == "run" and "COMMAND" in message:
        message = "no command to run: logtrim run [OPTIONS] -- COMMAND [ARGS]..."
    if (word := _one_dash(message, ctx, args)) is not None:
        return f"No such option: -{word} (did you mean --{word}?)"
    if found := _NOT_A_NUMBER.fullmatch(message):  # said as logtrim's own checks say it
        option, value, kind = found.groups()
        what = "a whole number" if kind.startswith("int") else "a number"
        return f"{option}: bad value for {option.lstrip('-')}: {value} ({what})"
    return f"{message} (see '{command} --help')"


def _one_dash(message: str, ctx: Any, args: list[str]) -> str | None:
    """``-budget`` for ``--budget``: click reads it as ``-b`` and names that alone. The long
    option's name, when a word of the command line is it with one dash."""
    if not message.startswith("No such option: -") or message[17:18] == "-":
        return None
    longs = {o[2:] for p in ctx.command.params for o in p.opts if o.startswith("--")}
    for word in args[: args.index("--")] if "--" in args else args:
        name = word[1:].partition("=")[0]
        if word[:1] == "-" and word[1:2] != "-" and name in longs:
            return name
    return None


# click's words for a number option given text (``--tail abc``).
_NOT_A_NUMBER = lazy(r"Invalid value for '(--[\w-]+)'(?: / '-\w')?: (.*) is not a valid (\w+)")


# ``--budget 5 MB``: a number, then a unit as a word of its own.
_NUMBER = lazy(r"[0-9]+(?:\.[0-9]+)?")
_UNIT = lazy(r"(?i)[kmgt]i?b|bytes?")  # (not ``k``: kubectl's alias is a command)


def refuse_detached_unit(value: object, word: str, then: str) -> None:
    """``--budget 5 MB``: the budget ``value``, then a unit as the next ``word``, which is read
    as ``then`` (the command to run, an input, GOOD). Said as such, not as a budget of 5
    bytes too small, a command ``MB`` not found or an unexpected extra argument."""
    from .._errors import UsageError

    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()) and _UNIT.fullmatch(word):
        raise UsageError(
            f"--budget {value} {word}: the unit is read as {then}; "
            f"write --budget {value.strip()}{word}"
        )


def detached_unit(args: list[str], then: str) -> None:
    """:func:`refuse_detached_unit` over a command line, before it is read (``trim``,
    ``stats``, ``cat``, ``diff``); the words after ``--`` are no options."""
    for i, arg in enumerate(args[:-2]):
        if arg == "--":
            return
        if arg == "--budget":
            refuse_detached_unit(args[i + 1], args[i + 2], then)


def _close_only(exc: Exception) -> None:
    """An unknown option's suggestions, only those close to it (click offers ``--verbose``
    for ``--bogus``): by the same measure the config's keys are suggested with."""
    wrong, offered = getattr(exc, "option_name", None), getattr(exc, "possibilities", None)
    if isinstance(wrong, str) and offered:
        import difflib

        close = difflib.get_close_matches(wrong, list(offered), n=3, cutoff=0.7)
        exc.possibilities = close  # type: ignore[attr-defined]


def masked_usage(line: str, args: list[str]) -> str:
    """A usage error masked with the secrets the command line names (``--mask V``,
    ``--mask=V``, ``--mask-env NAME``, ``LOGTRIM_MASK_ENV``): it may quote any of its
    words (``--tail SECRET``: not a valid int), before any setting was read."""
    return hide_secrets(line, argv_secrets(args))


def argv_secrets(args: list[str]) -> list[str]:
    """The secrets the command line names (see :func:`masked_usage`), read directly."""
    masks: list[str] = []
    names: list[str] = []
    config: str | None = None
    words = iter(args[: args.index("--")] if "--" in args else args)
    for word in words:
        option, eq, value = word.partition("=")
        if option in ("--mask", "--mask-env", "--config") and not eq:
            value = next(words, "")
        if option == "--mask":
            masks.append(value)
        elif option == "--mask-env":
            names.append(value)
        elif option == "--config":
            config = value
    names += _config_names(config)
    return named_secrets(masks, names)


def _config_names(config: str | None) -> list[str]:
    """The config file's ``mask-env`` (``--config``, else the working directory's), read
    leniently: a usage error is said before any setting was read."""
    from pathlib import Path

    from .config import file_mask_env

    try:
        return file_mask_env(Path.cwd(), Path(config) if config else None)
    except Exception:
        return []


def named_secrets(masks: Iterable[str], names: Iterable[str]) -> list[str]:
    """The ``--mask`` values and the values of the variables ``--mask-env`` and
    ``LOGTRIM_MASK_ENV`` name, read directly: for logtrim's words before any setting is."""
    names = [*names, *split_names(os.environ.get("LOGTRIM_MASK_ENV", ""))]
    return [*masks, *(os.environ.get(n.strip(), "") for n in names if n.strip())]


#: The standard fds that were closed when logtrim started (:func:`ensure_std_fds`).
closed_at_start: set[int] = set()


def default_sigchld() -> None:
    """SIGCHLD back to its default where the parent left it ignored (a supervisor's
    ``signal(SIGCHLD, SIG_IGN)``): the system then reaps children itself, and the step's exit
    code is lost (``run`` saw none and exited 0 or 1). The step starts with the default too,
    as a shell would start it."""
    sigchld = getattr(signal, "SIGCHLD", None)
    if sigchld is not None and signal.getsignal(sigchld) == signal.SIG_IGN:
        signal.signal(sigchld, signal.SIG_DFL)


def ensure_std_fds() -> None:
    """Open /dev/null on any of fds 0, 1, 2 that is closed (``logtrim run ... >&-``).

    Else the next ``os.pipe`` would take the free number and the child's output would land
    in the wrong place; and Python has no ``sys.stdout`` to write to. ``run`` goes on (it
    fails open, the archive has every byte); a command whose output is stdout refuses to
    start (:func:`require_stdout`).
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed_at_start.add(fd)
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    for name, fd, mode in (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, mode, closefd=False, errors="backslashreplace"))  # noqa: SIM115


def require_stdout() -> None:
    """Raise :class:`OutputError` (exit 4) if stdout was closed at start (``logtrim cat a.zst
    >&-``): the command's output would go nowhere, and exit 0 would say it went somewhere."""
    if 1 in closed_at_start:
        raise OutputError("cannot write the output: stdout is closed")


def silence_stdout() -> None:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())  # Python's exit-time flush must not fail again
    os.close(null)
