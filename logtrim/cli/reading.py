"""What the commands that read existing logs share (:mod:`.posthoc`): their inputs' options,
stdout as a reader's, damaged inputs said, and the secrets they are given to mask."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .._errors import InputError, LogtrimError, UsageError
from .._log import say
from .guard import closed_at_start, require_stdout, silence_stdout
from .params import MaskEnvOption, MaskOption
from .settings import Settings

if TYPE_CHECKING:
    from ..logs.declared import Declared

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
    from ..logs.inputs import is_stdout

    for path in paths:
        for file in (path,) if path == "-" else _files_of(path):  # a directory of good runs
            if is_stdout(file):
                raise UsageError(f"{file}: input file is output file (stdout): refusing")


def declared_across(
    paths: Sequence[str], secrets: list[str], *, alone: bool = False, decode: bool = True
) -> list[str]:
    """``secrets`` and, when a command reads several inputs (a baseline among them; ``alone``:
    even one), the values each file declares to its CI, read ahead from all of them: a secret
    one log declares is masked in every other one printed, before or after it (each file
    alone learns only its own). A directory's files are read, compressed ones decoded (not
    an archive of ``run`` with its index frame: masked already, and read in milliseconds as
    a baseline; nor with ``decode`` false: ``run`` learns them as its baseline's load
    decodes them); stdin and pipes learn as they come."""
    from ..logs.declared import Declared

    if len(paths) < 2 and not alone:
        return secrets
    declared = Declared()
    for path in dict.fromkeys(paths):
        for file in _files_of(path):
            with contextlib.suppress(LogtrimError, OSError):  # the command's own read says why
                _learn_declared(declared, file, decode=decode)
    return [*secrets, *(value for value in declared.values if value not in secrets)]


def _files_of(path: str) -> list[str]:
    """The regular files ``path`` names: itself, or those of a directory of good runs, as a
    baseline reads them (not stdin, not a pipe: opening one would wait, and reading it would
    take what the command is to read)."""
    from ..baseline.load import files_in

    if os.path.isdir(path):
        with contextlib.suppress(LogtrimError, OSError):
            return [str(file) for file in files_in(Path(path)) if file.is_file()]
        return []
    return [path] if path != "-" and os.path.isfile(path) else []


def _learn_declared(declared: Declared, path: str, *, decode: bool) -> None:
    """What the file at ``path`` declares, into ``declared`` (a plain file scanned, a
    compressed one decoded in whole lines)."""
    from ..logs.inputs import InputFormat, open_input
    from ..logs.linechunks import line_chunks

    inp = open_input(path)
    try:
        if inp.format == InputFormat.PLAIN:
            declared.scan(inp)
        elif decode and (inp.format == InputFormat.GZIP or not _indexed(path)):
            for chunk in line_chunks(inp.chunks()):
                declared.feed(chunk)
    finally:
        inp.close()


def _indexed(path: str) -> bool:
    """Whether a zstd file is an archive of ``run`` with its index frame, one that reads as
    an index (any frame at its end made a file of declarations pass for masked already)."""
    from ..archive import trailer
    from ..baseline.store import decode

    try:
        payload = trailer.read(path)
    except trailer.TrailerError:
        return False
    return payload is not None and decode(payload) is not None


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
