"""The handler's engine, made from its checked arguments: the engine proper, the console that
waits at a small budget until the log is known not to fit, and the baseline.

Imported on a handler's construction: ``import logtrim`` does not load the engine.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, replace

from .._matchers import compiler
from .._text import hide_secrets
from ..baseline.front import for_run_declaring
from ..dialects import choose
from ..engine.console.whole import Whole
from ..engine.core import Core
from ..engine.policy import Policy
from ..engine.shapes.baseline import Baseline
from ..logs.declaring import declared_across


@dataclass
class HandlerEngine:
    core: Core
    whole: Whole  # the console, shown whole while the log may fit (engine/console/whole.py)
    baseline: Baseline | None
    history_name: str  # the name its --history index is kept under


def build(
    pol: Policy,
    ci: str,
    baseline: str | os.PathLike[str] | None,
    history: str | os.PathLike[str] | None,
    name: str,
) -> HandlerEngine:
    """The engine of a handler publishing ``name`` (see :class:`.LogtrimHandler`)."""
    history_name = hide_secrets(name, pol.masks)  # a secret in it is no file's name
    known = None
    if baseline or history:
        # What the good runs declare is masked in the app's records too, as ``run`` masks
        # it: a plain log scanned, a compressed one as its load decodes it.
        masks = (
            declared_across([os.fspath(baseline)], list(pol.masks), alone=True, decode=False)
            if baseline
            else list(pol.masks)
        )
        known, declared = for_run_declaring(baseline, history, history_name)
        masks += [value for value in declared if value not in masks]
        if len(masks) > len(pol.masks):
            pol = replace(pol, masks=tuple(masks))
    dialect = choose(ci, os.environ)
    pristine = copy.deepcopy(dialect)  # before any record: for a log shown whole

    def fresh() -> Core:
        return _records(Core(pol, copy.deepcopy(pristine), compiler=compiler(pol.engine),
                             baseline=known))  # fmt: skip

    core = _records(Core(pol, dialect, compiler=compiler(pol.engine), baseline=known))
    return HandlerEngine(core, Whole(core, fresh), known, history_name)


def _records(core: Core) -> Core:
    """An engine of logging records: a ``\\r`` in one is its text, not a redraw (a command's
    ``Access denied\\rsee above``: the console showed ``see above``, the level and the
    message gone); the console shows the record as a ``StreamHandler`` prints it."""
    core.shaper.redraws = False
    return core
