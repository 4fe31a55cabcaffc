"""What ``run`` is given, checked (typer-free: ``run``'s fast path does not import typer)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._errors import UsageError
from .._sizes import format_size, format_size_up
from .._text import hide_secrets
from ..dialects import Dialect
from ..engine.ending.closing import closing_floor
from ..engine.policy import Policy, min_budget


@dataclass(frozen=True)
class RunOptions:
    """Everything ``run`` needs, checked: built from :class:`~.settings.Settings`."""

    argv: Sequence[str]
    policy: Policy
    dialect: Dialect
    artifact: Path
    name: str
    level: int
    grace: float
    drain_timeout: float
    pty: bool
    baseline: str = ""  # good run(s) to compare with ("" for none)
    history: str = ""  # the --history directory ("" for none)
    reserved: bool = False  # ``artifact`` is a default name this run created empty


_STEM_MAX = 100  # of the 255 bytes a file name may have: room for the time and suffixes


def default_artifact(
    argv: Sequence[str], cwd: Path | None = None, secrets: Iterable[str] = ()
) -> Path:
    """``<command>-<YYYYmmdd-HHMMSS>.log.zst`` in the working directory, reserved: created
    empty and exclusively, so that two runs started in the same second never take one name
    (``-2``, ``-3``, ... after the time; never an existing file). A working directory that
    cannot take it (read-only, as in many containers) gives the system's temporary
    directory, with a warning: the user chose no path, and the step must not be blocked."""
    stem = Path(argv[0]).name if argv else "run"
    if (
        hide_secrets(stem, secrets) != stem
    ):  # the name is published (createArtifact): no secret in it
        stem = "run"
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem) or "run"
    stem = stem[:_STEM_MAX]  # a legal command name can be too long for a file name with more
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = cwd or Path.cwd()
    try:
        return _reserve(folder, f"{stem}-{stamp}")
    except OSError as exc:
        import tempfile

        from .. import _log

        elsewhere = Path(tempfile.gettempdir())
        try:
            path = _reserve(elsewhere, f"{stem}-{stamp}")
        except OSError:
            raise UsageError(
                f"cannot create the archive in {folder} ({exc.strerror}) nor in {elsewhere}: "
                "give --artifact a writable path"
            ) from None
        _log.logger().warning(
            f"the working directory cannot take the archive ({exc.strerror}): it goes to {path}"
        )
        return path


def _reserve(folder: Path, base: str) -> Path:
    """The first free name ``base[-N].log.zst`` in ``folder``, created empty (O_EXCL)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    n = 1
    while True:
        path = folder / (f"{base}.log.zst" if n == 1 else f"{base}-{n}.log.zst")
        try:
            os.close(os.open(path, flags, 0o644))
        except FileExistsError:
            n += 1
            continue
        return path


def check_closing_room(budget: int, dialect: Dialect, path: Path, name: str) -> None:
    """The budget must hold the closing lines that publish this archive, whatever the run
    prints: a long path or name needs a larger budget (said before the child starts)."""
    need = min_budget(closing_floor(dialect, str(path.resolve()), name))
    if budget < need:
        raise UsageError(
            f"--budget: {format_size(budget)} cannot hold the closing lines that publish an "
            f"archive with this long --artifact path or --name: use at least {format_size_up(need)}"
        )
