"""What ``run`` gives the second core besides the archive: on the fallback engine the scans
(:mod:`.aside`), with a baseline its look-ups (:mod:`.checker`). Each is forked before the
child (and any thread) starts, and only where it pays; without it the work stays in ``run``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine.core import Core
    from .aside import Ahead
    from .checker import Checker

# The baseline's checker: "0" never, "1" even on a busy machine (tests compare both paths).
_CHECKER = "LOGTRIM_CHECKER"

Process = Callable[[int, bytes], Awaitable[None]]


def start(core: Core, process: Process, *, writer: bool = False) -> Ahead | Checker | None:
    """The forked helper for this run, or None. ``writer``: the archive is written by a
    process of its own (:mod:`logtrim.archive.forked`), which keeps a processor busy too."""
    if core.matcher.engine != "re":
        return _checker(core, process, writer)
    from . import aside

    if aside.wanted(core.matcher):
        with contextlib.suppress(OSError):  # no process to spare: scan here
            return aside.Ahead(core.matcher, process, core.shaper.max_pending)
    return None


def _checker(core: Core, process: Process, writer: bool) -> Checker | None:
    novelty = core.novelty
    wanted = os.environ.get(_CHECKER)
    if novelty is None or wanted == "0":
        return None
    from ..logs.ahead import spare_core
    from . import aside, checker

    # Two processes spend more CPU in all: only where a processor is idle besides the
    # archive writer's (on two, the checker slowed the run by about a tenth).
    if aside.can_fork() and (wanted == "1" or spare_core(busy=int(writer))):
        with contextlib.suppress(OSError):  # no process to spare: look here
            return checker.Checker(novelty, process, core.shaper.max_pending)
    return None
