"""How ``run`` ends: the engine's closing lines (summary, failure reason, the archive's
name), the dialect's messages and the actions they ask for, such as publishing the archive.

It fails open as the pipeline does: if the engine cannot close, the lines it held and the
dialect's own closing messages are printed all the same, so the CI server still gets the
archive and the failure mark.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from .. import _log
from .._log import logger
from .._text import as_bytes
from .._threads import in_thread
from ..dialects.actions import RunProgram
from ..engine.core import STDOUT
from . import ending
from .actions import carry_out

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..dialects.actions import Action
    from .pipeline import Pipeline


async def close(pipeline: Pipeline, exit_code: int, size: int) -> None:
    """The run's end on the console: the engine's closing lines, the CI's messages, and the
    actions they ask for (publish the archive); a good run is remembered for --history."""
    path = str(pipeline.options.artifact.resolve()) if not pipeline.archive.failed else None
    pipeline.console.end_line()
    if pipeline.broken:
        # The engine's counts are not to be trusted: the tail, the archive, nothing more.
        pipeline.console.write(pipeline.fallback.finish())
        pipeline.console.end_line()
        await _publish_only(pipeline, exit_code, path, size)
        return
    try:
        lost = str(pipeline.options.artifact.resolve()) if pipeline.archive.failed else None
        gone = lost is not None and not await in_thread(os.path.exists, lost)
        emits, actions = ending.close_engine(
            pipeline.whole, exit_code, time.monotonic(), archive=path, name=pipeline.options.name,
            size=size, interrupted=pipeline.interrupted, killed_by=pipeline.killed_by, lost=lost,
            gone=gone,
        )  # fmt: skip
    except Exception:
        pipeline.console.write(pipeline.whole.release())
        logger().warning("internal error while closing the run", exc_info=True)
        await _publish_only(pipeline, exit_code, path, size)  # the artifact all the same
        return
    pipeline.console.write(emits)
    _log.closed(_room(pipeline, actions))  # what is said from now on fits the rest
    mask = pipeline.core.secrets.mask_text
    if exit_code == 0 and pipeline.interrupted is None:  # a good run: the next one's baseline
        # (its name masked with every secret known now: one the step declared is no file's)
        ending.remember(pipeline.options.history, mask(pipeline.history_name), pipeline.baseline)
    missing = await in_thread(carry_out, actions, _warn, mask)
    pipeline.console.write([(STDOUT, as_bytes(line) + b"\n") for line in missing])


async def _publish_only(pipeline: Pipeline, exit_code: int, path: str | None, size: int) -> None:
    """The dialect's closing messages and actions alone (publish the archive, mark a
    failure): a broken engine must not keep the archive from the CI server."""
    pipeline.console.end_line()
    printed, actions = ending.published_only(
        pipeline.core, exit_code, path, pipeline.options.name, size, _warn_with_traceback
    )
    pipeline.console.write(printed)
    _log.closed(_room(pipeline, actions))
    mask = pipeline.core.secrets.mask_text
    missing = await in_thread(carry_out, actions, _warn, mask)
    pipeline.console.write([(STDOUT, as_bytes(line) + b"\n") for line in missing])


def _room(pipeline: Pipeline, actions: Sequence[Action]) -> int:
    """The console bytes the budget has left after the closing lines (by what was written:
    a run shown whole spends no budget line by line), but for the lines printed instead of
    a program not installed, which come after the warnings."""
    instead = sum(len(a.missing) + 1 for a in actions if isinstance(a, RunProgram))
    written = pipeline.console.written + _log.written()
    return pipeline.core.out.budget.total - written - instead


def _warn(message: str) -> None:
    logger().warning(message)


def _warn_with_traceback(message: str) -> None:
    logger().warning(message, exc_info=True)


__all__ = ["close"]
