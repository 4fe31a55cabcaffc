"""What the entry point guards against: closed standard fds, a reader that left, and
typer's usage errors, each turned into one line and an exit code by :func:`.app.main`."""

import importlib
import os
import sys


def _usage_errors() -> tuple[type[Exception], ...]:
    """The class of typer's usage errors: typer 0.28 carries its own copy of click, so
    click itself (imported at a cost) is only asked where typer has no copy."""
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            return (importlib.import_module(name).ClickException,)
        except (ImportError, AttributeError):
            continue
    return ()


USAGE_ERRORS = _usage_errors()


def usage_line(exc: Exception) -> str:
    """typer's usage error as one line: what is wrong, and where to read more."""
    message = str(getattr(exc, "format_message", exc.__str__)()).rstrip(".")
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return message
    command = ctx.command_path
    if ctx.command.name == "run" and "COMMAND" in message:
        message = "no command to run: logtrim run [OPTIONS] -- COMMAND [ARGS]..."
    return f"{message} (see '{command} --help')"


def ensure_std_fds() -> None:
    """Open /dev/null on any of fds 0, 1, 2 that is closed (``logtrim run ... >&-``).

    Else the next ``os.pipe`` would take the free number and the child's output would land
    in the wrong place; and Python has no ``sys.stdout`` to write to.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    for name, fd, mode in (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, mode, closefd=False, errors="backslashreplace"))  # noqa: SIM115


def silence_stdout() -> None:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())  # Python's exit-time flush must not fail again
    os.close(null)
