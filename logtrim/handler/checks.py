"""The handler's arguments, checked before it opens anything or registers with ``logging``.

The rules are the command line's (:class:`~logtrim.cli.settings.Settings`' parsers), so a
value ``run`` refuses the handler refuses too; as a Python API it raises ``TypeError`` for an
unknown keyword and, for a bad value, :class:`ArgumentError` naming the argument: a
``ValueError``, as the standard library's handlers raise, and logtrim's ``UsageError``, as
the command line's option would be; instead of failing on the first record or at exit.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

from .._errors import ArgumentError, UsageError
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
) -> tuple[Policy, dict[str, Any]]:
    """The handler's :class:`Policy` from its ``budget`` and other keywords; ``others``:
    its own arguments checked as a setting (``{"compression": ("level", 3)}``), returned
    parsed (``"3"`` is 3, as a config file's value)."""
    from ..cli.settings import Settings

    parsers = _parsers()
    if unknown := sorted(set(policy) - set(parsers)):
        raise TypeError(f"LogtrimHandler() got an unexpected keyword argument {unknown[0]!r}")
    if isinstance(policy.get("masks"), str):
        # The command line's rule (a lone string is one item, a JSON list if it starts with
        # "[") would read a secret that starts with "[" as a list: a list or tuple only.
        raise ArgumentError(
            "LogtrimHandler: masks must be a list of secrets, not a str (masks=[value])"
        )
    parsed = {name: _value(name, Settings.__dict__[setting].parse, raw)
              for name, (setting, raw) in others.items()}  # fmt: skip
    # A lone regular expression is one rule: never read as a JSON list (``keep="[Ee]rror"``).
    policy = {k: [v] if k in _RULES and isinstance(v, str) else v for k, v in policy.items()}
    fields = {name: _value(name, parsers[name], raw) for name, raw in policy.items()}
    if "masks" in fields:
        fields["masks"] = as_recorded(fields["masks"])
    return Policy(budget=_value("budget", parsers["budget"], budget), **fields), parsed


def as_recorded(masks: tuple[str, ...]) -> tuple[str, ...]:
    """Each secret also as a record carries it: records are encoded ``backslashreplace``,
    so a value read from a non-UTF-8 environment (``os.fsdecode(b"pa\\xffss")``, which holds
    a surrogate) reaches the archive and the console as ``pa\\udcffss``. The value itself
    stays (text is masked ``surrogateescape``: Python's own reports) unless no bytes can
    spell it (a lone surrogate that is no escaped byte)."""
    found: list[str] = []
    for value in masks:
        try:
            value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            pass
        else:
            found.append(value)
        found.append(value.encode("utf-8", "backslashreplace").decode("utf-8"))
    return tuple(dict.fromkeys(found))


def _value(name: str, parse: Callable[[object], object], raw: object) -> Any:
    from ..cli.values import BadValue

    try:
        return parse(raw)
    except UsageError as exc:
        raise ArgumentError(f"LogtrimHandler: {name}: {exc}") from None
    except BadValue as exc:
        # The secrets are not repeated: the others in the list are real (an unset variable
        # among them gives ``None``), and the error reaches the console.
        shown = "" if name in _SECRET else f" {raw!r}"
        raise ArgumentError(f"LogtrimHandler: bad value for {name}:{shown} ({exc})") from None


_SECRET = frozenset({"masks"})
_RULES = frozenset({"keep", "drop"})


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
    history: str | os.PathLike[str] | None = None,
) -> tuple[Policy, Path, dict[str, Any]]:
    """Every argument of the handler checked (see the module): its policy, the archive's
    absolute path and ``others`` parsed."""
    pol, parsed = checked_policy(budget, policy, others)
    checked_seconds(flush_seconds)
    checked_stream(stream)
    checked_history(history)
    if not os.fspath(artifact):
        raise ArgumentError("LogtrimHandler: artifact: an empty path")
    path = Path(artifact).absolute()
    checked_name(name, path)
    checked_artifact(path, force=force)
    return pol, path, parsed


def checked_artifact(path: Path, *, force: bool) -> None:
    """An existing file that is not a zstd archive is refused, as ``run --artifact`` does
    (``force=True`` replaces it); so is a path in no directory, as ``logging.FileHandler``
    refuses one (the handler would have no archive, and no budget for its records)."""
    if not path.parent.is_dir():
        raise FileNotFoundError(f"LogtrimHandler: artifact: no directory {path.parent}")
    dir_named = False
    with suppress(OSError):  # (a name too long is said below)
        dir_named = path.is_dir()
    if dir_named:
        raise IsADirectoryError(f"LogtrimHandler: artifact: {path} is a directory")
    try:  # made now, as ``run --artifact`` makes it: a directory that takes no file is named
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except FileExistsError:
        try:
            check(path, force=force, option="artifact", force_name="force=True")
        except UsageError as exc:
            raise FileExistsError(f"LogtrimHandler: {exc}") from None
        _writable(path)
    except OSError as exc:
        why = f"LogtrimHandler: artifact: cannot create {path}: {exc.strerror}"
        raise type(exc)(why) from None


def _writable(path: Path) -> None:
    """An archive already there that this process cannot write (another account's, a
    read-only disk) is refused now, as ``run`` refuses it: else the run would end with no
    archive of its own, and the earlier run's file where a person looks for this one's."""
    try:  # opened, not truncated: nothing changes yet (and a FIFO does not wait for a reader)
        os.close(os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0)))
    except OSError as exc:
        raise type(exc)(f"LogtrimHandler: artifact: cannot write {path}: {exc.strerror}") from None


def checked_history(history: str | os.PathLike[str] | None) -> None:
    """``history``: a directory, or a path where one can be made in an existing directory,
    as ``run --history`` takes it. A FIFO or a file there is refused now: ``close()`` locks
    the directory by opening it, and a FIFO's open waits for a writer that never comes."""
    if history is not None:
        from ..cli.values import folder

        _value("history", folder, os.fspath(history))


def checked_name(name: str | None, path: Path) -> None:
    """The artifact's name (``name``, else the archive's file name): published, so not blank."""
    if name is not None and not name.strip():
        raise ArgumentError(f"LogtrimHandler: name: empty or blanks only: {name!r}")
    if name is None and not path.name.strip():
        raise ArgumentError(f"LogtrimHandler: artifact: a file name of blanks only: {str(path)!r}")


def checked_stream(stream: object) -> None:
    """``stream``: None (stdout at each write) or a text stream (something with ``write``)."""
    if stream is not None and not callable(getattr(stream, "write", None)):
        raise TypeError(f"LogtrimHandler: stream must be a text stream, not {stream!r}")


def checked_seconds(flush_seconds: object) -> None:
    """``flush_seconds``: a number above 0 (a frame ends at most that long after data)."""
    if isinstance(flush_seconds, bool) or not isinstance(flush_seconds, (int, float)):
        raise TypeError(f"LogtrimHandler: flush_seconds must be a number, not {flush_seconds!r}")
    if not 0 < flush_seconds < math.inf:
        raise ArgumentError(f"LogtrimHandler: flush_seconds must be above 0: {flush_seconds!r}")
