"""Options: the command-line options ``run`` and ``trim`` share, and what ``run`` is given."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from ..dialects import Dialect
from ..engine.policy import Policy

KeepOption = Annotated[
    list[str] | None, typer.Option(help="Always show lines matching REGEX (repeatable).")
]
DropOption = Annotated[
    list[str] | None, typer.Option(help="Never show lines matching REGEX (repeatable).")
]


@dataclass
class RunOptions:
    argv: Sequence[str]
    policy: Policy
    dialect: Dialect
    artifact: Path
    name: str
    level: int = 2
    grace: float = 10.0
    drain_timeout: float = 3.0
    pty: bool = False


def default_artifact(argv: Sequence[str], cwd: Path | None = None) -> Path:
    """``<command>-<YYYYmmdd-HHMMSS>.log.zst`` in the working directory."""
    stem = Path(argv[0]).name if argv else "run"
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem) or "run"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return (cwd or Path.cwd()) / f"{stem}-{stamp}.log.zst"
