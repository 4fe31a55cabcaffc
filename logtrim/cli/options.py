"""What ``run`` is given, checked (typer-free: ``run``'s fast path does not import typer)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .._errors import UsageError
from .._sizes import format_size
from ..dialects import Dialect
from ..engine.closing import closing_floor
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


_STEM_MAX = 100  # of the 255 bytes a file name may have: room for the time and suffixes


def default_artifact(argv: Sequence[str], cwd: Path | None = None) -> Path:
    """``<command>-<YYYYmmdd-HHMMSS>.log.zst`` in the working directory; ``-2``, ``-3``, ...
    after the time when a run in the same second already took the name (never overwritten)."""
    stem = Path(argv[0]).name if argv else "run"
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem) or "run"
    stem = stem[:_STEM_MAX]  # a legal command name can be too long for a file name with more
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = cwd or Path.cwd()
    path = folder / f"{stem}-{stamp}.log.zst"
    n = 1
    while path.exists() or path.is_symlink():
        n += 1
        path = folder / f"{stem}-{stamp}-{n}.log.zst"
    return path


def check_closing_room(budget: int, dialect: Dialect, path: Path, name: str) -> None:
    """The budget must hold the closing lines that publish this archive, whatever the run
    prints: a long path or name needs a larger budget (said before the child starts)."""
    need = min_budget(closing_floor(dialect, str(path.resolve()), name))
    if budget < need:
        raise UsageError(
            f"--budget: {format_size(budget)} cannot hold the closing lines that publish an "
            f"archive with this long --artifact path or --name: use at least {format_size(need)}"
        )
