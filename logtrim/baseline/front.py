"""The baseline of a run, ``trim`` or the handler: ``--baseline`` and ``--history`` together.

Loading never stops the step: a baseline that cannot be read is a warning, and the run goes
on without it (nothing is lost either way; the archive has every line).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from time import monotonic
from typing import TypeAlias

from .._errors import LogtrimError
from .._log import say, verbose
from ..engine.shapes.baseline import Baseline, Shaper
from ..engine.shapes.hashset import Hashes
from . import store
from .load import load_with_lines

_Path: TypeAlias = "str | os.PathLike[str]"
#: The longest a baseline read as a log holds the step's start: past it, the part read is the
#: baseline (a decompression bomb, an archive of gigabytes without its index frame).
LOAD_SECONDS = 5.0


def known_shapes(
    baseline: _Path | None,
    history: _Path | None,
    name: str,
    declared: Callable[[bytes], None] | None = None,
) -> tuple[Hashes | None, Shaper | None]:
    """The good runs' shapes, from ``baseline`` and the ``history`` of ``name`` (None if
    none), and the Shaper that shaped the baseline's lines if it had to (see :class:`Baseline`)."""
    known: Hashes | None = None
    prior: Shaper | None = None
    if baseline:
        try:
            shapes, prior = load_with_lines(baseline, monotonic() + LOAD_SECONDS, declared)
            known = shapes.hashes
        except (LogtrimError, OSError) as exc:
            say(f"--baseline: {exc} (this run has no baseline)", "warning")
        except Exception as exc:  # a bug on a good run's bytes must not cost the run its engine
            say(f"--baseline: internal error ({type(exc).__name__}: {exc}); this run has no "
                "baseline", "warning")  # fmt: skip
    if history:
        try:
            found = store.remembered(history, name)
        except OSError as exc:
            say(f"--history: {exc} (this run has no remembered baseline)", "warning")
            found = None
        else:
            if found is None:
                _none_remembered(history, name)
        if found is not None:
            known = found if known is None else {*known, *found}
    return known, prior


def _none_remembered(history: _Path, name: str) -> None:
    """Say that the history has no runs of ``name`` (its key: digits left out): when it has
    other names' (a name that differs from the good runs' is the likely cause), or with -v."""
    key = store.key_for(name)
    try:
        if store.index_path(history, name).exists():
            return  # there, but damaged: the store said so
        others = sorted(p.stem for p in Path(history).glob("*.shapes"))
    except OSError:
        others = []
    if others:
        listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        say(
            f"--history: no remembered runs named like {name!r} (its key {key!r}; "
            f"{os.fspath(history)} has {listed}): this run has no baseline, it only learns",
            "note",
        )
    elif verbose():
        say(f"--history: no remembered runs named like {name!r} yet (its key {key!r}): "
            "this run has no baseline, it only learns")  # fmt: skip


def for_run(
    baseline: _Path | None,
    history: _Path | None,
    name: str,
    *,
    tasklog: bool = False,
    declared: Callable[[bytes], None] | None = None,
) -> Baseline | None:
    """The engine's baseline; with ``history`` always one, to learn this run's shapes.
    ``declared`` gets the lines of a compressed baseline log as it is decoded."""
    known, prior = known_shapes(baseline, history, name, declared)
    if known is None and not history:
        return None
    return Baseline(known, tasklog=tasklog, prior=prior)


def for_run_declaring(
    baseline: _Path | None, history: _Path | None, name: str
) -> tuple[Baseline | None, list[str]]:
    """:func:`for_run`, and what a compressed baseline log declares: learned as its load
    decodes it (a plain one is scanned with ``run``'s options, faster)."""
    from ..logs.declared import Declared

    declared = Declared()
    found = for_run(baseline, history, name, declared=declared.feed)
    return found, list(declared.values)


def index_payload(baseline: Baseline | None) -> bytes:
    """The run's line shapes for the end of its own archive (b"" without a baseline: only a
    run that has one shapes its lines), so that the archive loads fast as the next baseline."""
    if baseline is None:
        return b""
    try:
        return store.encode([baseline.seen.hashes])
    except Exception:  # the archive is whole without it
        say("internal error; the archive has no index frame", "warning")
        return b""


def remember(history: _Path | None, name: str, baseline: Baseline | None) -> None:
    """After a successful run: its shapes join the history of ``name`` (a warning if not)."""
    if not history or baseline is None:
        return
    try:
        store.record(history, name, baseline.seen.hashes)
    except OSError as exc:
        say(f"--history: cannot write {store.index_path(history, name)}: {exc}", "warning")
