"""The handler's arguments, checked before it opens anything or registers with ``logging``.

The rules are the command line's (:class:`~logtrim.cli.settings.Settings`' parsers), so a
value ``run`` refuses the handler refuses too; as a Python API it raises ``TypeError`` for an
unknown keyword and ``ValueError`` naming the argument for a bad value, as the standard
library's handlers do, instead of failing on the first record or at exit.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .._errors import UsageError
from ..archive.target import check
from ..engine.policy import MatcherChoice, Policy


def _parsers() -> dict[str, Callable[[object], object]]:
    from ..cli import values
    from ..cli.settings import Settings

    found: dict[str, Callable[[object], object]] = {
        name: Settings.__dict__[name].parse
        for name in (field.name for field in dataclasses.fields(Policy))
        if name in Settings.__dict__
    }
    # The engine's knobs the command line does not have.
    found.update(
        block=values.count, max_line=values.count, repeat_report=values.seconds,
        masks=values.secrets, engine=_engine,
    )  # fmt: skip
    return found


def _engine(raw: object) -> MatcherChoice:
    from ..cli.values import BadValue

    try:
        return MatcherChoice(raw)
    except ValueError:
        raise BadValue(", ".join(c.value for c in MatcherChoice)) from None


def checked_policy(
    budget: object, policy: Mapping[str, Any], others: Mapping[str, tuple[str, object]]
) -> Policy:
    """The handler's :class:`Policy` from its ``budget`` and other keywords; ``others``:
    its own arguments checked as a setting (``{"compression": ("level", 3)}``)."""
    from ..cli.settings import Settings

    parsers = _parsers()
    if unknown := sorted(set(policy) - set(parsers)):
        raise TypeError(f"LogtrimHandler() got an unexpected keyword argument {unknown[0]!r}")
    for name, (setting, raw) in others.items():
        _value(name, Settings.__dict__[setting].parse, raw)
    fields = {name: _value(name, parsers[name], raw) for name, raw in policy.items()}
    return Policy(budget=_value("budget", parsers["budget"], budget), **fields)


def _value(name: str, parse: Callable[[object], object], raw: object) -> Any:
    from ..cli.values import BadValue

    try:
        return parse(raw)
    except UsageError as exc:
        raise ValueError(f"LogtrimHandler: {name}: {exc}") from None
    except BadValue as exc:
        # The secrets are not repeated: the others in the list are real (an unset variable
        # among them gives ``None``), and the error reaches the console.
        shown = "" if name in _SECRET else f" {raw!r}"
        raise ValueError(f"LogtrimHandler: bad value for {name}:{shown} ({exc})") from None


_SECRET = frozenset({"masks"})


def checked_arguments(
    artifact: str | os.PathLike[str],
    budget: object,
    policy: Mapping[str, Any],
    others: Mapping[str, tuple[str, object]],
    *,
    stream: object,
    name: str | None,
    flush_seconds: object,
    force: bool,
) -> tuple[Policy, Path]:
    """Every argument of the handler checked (see the module): its policy and the archive's
    absolute path."""
    pol = checked_policy(budget, policy, others)
    checked_seconds(flush_seconds)
    checked_stream(stream)
    path = Path(artifact).absolute()
    checked_name(name, path)
    checked_artifact(path, force=force)
    return pol, path


def checked_artifact(path: Path, *, force: bool) -> None:
    """An existing file that is not a zstd archive is refused, as ``run --artifact`` does
    (``force=True`` replaces it); so is a path in no directory, as ``logging.FileHandler``
    refuses one (the handler would have no archive, and no budget for its records)."""
    if not path.parent.is_dir():
        raise FileNotFoundError(f"LogtrimHandler: artifact: no directory {path.parent}")
    try:
        check(path, force=force, option="artifact", force_name="force=True")
    except UsageError as exc:
        raise FileExistsError(f"LogtrimHandler: {exc}") from None


def checked_name(name: str | None, path: Path) -> None:
    """The artifact's name (``name``, else the archive's file name): published, so not blank."""
    if name is not None and not name.strip():
        raise ValueError(f"LogtrimHandler: name: empty or blanks only: {name!r}")
    if name is None and not path.name.strip():
        raise ValueError(f"LogtrimHandler: artifact: a file name of blanks only: {str(path)!r}")


def checked_stream(stream: object) -> None:
    """``stream``: None (stdout at each write) or a text stream (something with ``write``)."""
    if stream is not None and not callable(getattr(stream, "write", None)):
        raise TypeError(f"LogtrimHandler: stream must be a text stream, not {stream!r}")


def checked_seconds(flush_seconds: object) -> None:
    """``flush_seconds``: a number above 0 (a frame ends at most that long after data)."""
    if isinstance(flush_seconds, bool) or not isinstance(flush_seconds, (int, float)):
        raise TypeError(f"LogtrimHandler: flush_seconds must be a number, not {flush_seconds!r}")
    if not 0 < flush_seconds < math.inf:
        raise ValueError(f"LogtrimHandler: flush_seconds must be above 0: {flush_seconds!r}")
