"""What the commands that read existing logs share (:mod:`.posthoc`): their inputs' options,
stdout as a reader's, damaged inputs said, and the secrets they are given to mask."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from .._errors import InputError, UsageError
from .._log import say
from .guard import closed_at_start, require_stdout, silence_stdout
from .params import MaskEnvOption, MaskOption
from .settings import Settings

if TYPE_CHECKING:
    pass

__all__ = [
    "INPUTS_HELP",
    "BinaryOption",
    "MaskEnvOption",
    "MaskOption",
    "fail",
    "secrets_given",
    "stdout_reader",
    "warn",
]

INPUTS_HELP = "Log files: plain, .gz or .zst (logtrim archives too); - for stdin."
BinaryOption = Annotated[
    bool,
    typer.Option(
        "--binary", help="Read input with NUL bytes near its start (refused as binary by default)."
    ),
]


@contextlib.contextmanager
def stdout_reader(writes: bool = True) -> Iterator[None]:
    """``logtrim cat a.zst | head``: the reader leaving ends the command, as SIGPIPE ends a
    shell tool (exit 141), without a traceback or a second error at exit (a full disk is
    :func:`.guard.finish`'s, for every command). ``writes``: the command's output goes to
    stdout, which must be open (exit 4 if it was closed)."""
    if writes:
        require_stdout()
    try:
        yield
    except BrokenPipeError:
        silence_stdout()
        raise typer.Exit(141) from None


def warn(name: str, damage: str | None, fatal: bool = False) -> None:
    """Warn of a damaged input; raise when the damage is an error (exit 3): only once
    what decoded was used, so the output holds every byte before the damage."""
    fail([f"{name}: {damage}"] if fatal else [])
    if damage:
        say(f"{name}: {damage}")


def fail(errors: list[str]) -> None:
    """Exit 3 for inputs damaged past reading (all said, the last as the error)."""
    for error in errors[:-1]:
        say(error, "error")
    if errors:
        raise InputError(errors[-1])


def stdin_open(paths: Sequence[str]) -> None:
    """Raise :class:`InputError` (exit 3) when an input is ``-`` and stdin was closed at start
    (``<&-``): it reads as empty, and ``diff --exit-code`` would pass a gate on no lines."""
    if "-" in paths and 0 in closed_at_start:
        raise InputError("<stdin>: cannot read: stdin is closed")


def refuse_stdout(paths: Sequence[str]) -> None:
    """Raise :class:`UsageError` when an input is the file stdout writes to (``logtrim cat
    a.log >> a.log``, ``stats a.log 1<> a.log``): read as it grows by what is written, or
    overwritten as it is read."""
    from ..logs.declaring import files_of
    from ..logs.inputs import is_stdout

    for path in paths:
        for file in (path,) if path == "-" else files_of(path):  # a directory of good runs
            if is_stdout(file):
                raise UsageError(f"{file}: input file is output file (stdout): refusing")


def secrets_given(mask: list[str] | None, mask_env: list[str] | None) -> list[str]:
    """The values to mask besides what the logs declare: ``--mask``'s, and those of the
    variables ``--mask-env`` and ``LOGTRIM_MASK_ENV`` name (names add up, as for ``run``;
    the only variable these commands read: a secret is never unmasked by one left out)."""
    from .config import from_command_line, masks_from
    from .values import BadValue, names

    given = Settings([from_command_line({"mask_env": mask_env})]).mask_env
    listed = os.environ.get("LOGTRIM_MASK_ENV", "")
    try:
        variables = (*given, *(names(listed) if listed.strip() else ()))
    except BadValue as exc:  # as ``run`` says it
        raise UsageError(f"LOGTRIM_MASK_ENV: bad value for mask-env: {listed!r} ({exc})") from None
    secrets, missing = masks_from(variables, list(mask or ()), os.environ)
    for variable in missing:
        say(f"mask-env names {variable}, which is unset or empty", "warning")
    return secrets
