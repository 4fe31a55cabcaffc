"""The end of a log, shared by ``run`` and the handler: the archive's trailer, the engine's
closing lines, a good run remembered, and the archive published alone once the engine failed.

Each shell keeps its own order and its own way to warn; these are the steps they share.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .._text import as_bytes
from ..dialects import Print

if TYPE_CHECKING:
    from ..dialects.base import Action
    from ..engine.console.whole import Whole
    from ..engine.core import Core, Emit
    from ..engine.shapes.baseline import Baseline

STDOUT = 1


def trailer(baseline: Baseline | None, *, broken: bool) -> bytes:
    """The log's line shapes, for its archive's end (a fast baseline next time); none once
    the engine broke (it no longer saw every line)."""
    if baseline is None or broken:
        return b""
    from ..baseline import front

    return front.index_payload(baseline)


def close_engine(
    whole: Whole,
    exit_code: int,
    now: float,
    *,
    archive: str | None,
    name: str,
    size: int,
    interrupted: str | None = None,
    killed_by: str | None = None,
    lost: str | None = None,
    gone: bool = False,
) -> tuple[list[Emit], list[Action]]:
    """:meth:`~logtrim.engine.core.Core.close` through ``whole``, with this process's
    environment and the Unix time: the closing lines to print and the other actions."""
    return whole.close(
        lambda core: core.close(
            exit_code, now, archive=archive, archive_name=name, archive_size=size,
            env=os.environ, timestamp=time.time(), interrupted=interrupted,
            killed_by=killed_by, lost=lost, gone=gone,
        )
    )  # fmt: skip


def remember(history: str | os.PathLike[str] | None, name: str, baseline: Baseline | None) -> None:
    """A good run: its shapes are the next one's baseline (``--history``)."""
    if baseline is not None:
        from ..baseline import front  # imported with a baseline only (start-up counts)

        front.remember(history, name, baseline)


def published_only(
    core: Core,
    exit_code: int,
    archive: str | None,
    name: str,
    size: int,
    warn: Callable[[str], None],
) -> tuple[list[Emit], list[Action]]:
    """After the engine failed: the archive is published all the same, nothing more.
    (The lines to print, the other actions.)"""
    try:
        actions = core.finish.publish_only(
            exit_code, archive=archive, archive_name=name, archive_size=size, env=os.environ
        )
    except Exception:
        warn("internal error; the archive is not published")
        return [], []
    printed = [(STDOUT, as_bytes(a.text) + b"\n") for a in actions if isinstance(a, Print)]
    return printed, [a for a in actions if not isinstance(a, Print)]
