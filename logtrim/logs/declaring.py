"""What the files a command reads besides its output declare to their CI (a sensitive
variable, an ``::add-mask::``): learned ahead, so that a secret one log declares is masked in
every other one, and in what a run or an app prints (its baseline's)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from .._errors import LogtrimError
from .declared import Declared


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
    if len(paths) < 2 and not alone:
        return secrets
    declared = Declared()
    for path in dict.fromkeys(paths):
        for file in files_of(path):
            with contextlib.suppress(LogtrimError, OSError):  # the command's own read says why
                _learn_declared(declared, file, decode=decode)
    return [*secrets, *(value for value in declared.values if value not in secrets)]


def files_of(path: str) -> list[str]:
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
    from ..baseline.load import indexed
    from .inputs import InputFormat, open_input
    from .linechunks import line_chunks

    inp = open_input(path)
    try:
        if inp.format == InputFormat.PLAIN:
            declared.scan(inp)
        elif decode and (inp.format == InputFormat.GZIP or not indexed(path)):
            for chunk in line_chunks(inp.chunks()):
                declared.feed(chunk)
    finally:
        inp.close()


__all__ = ["declared_across", "files_of"]
