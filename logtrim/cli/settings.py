"""The settings of ``logtrim run``: each defined once, with its type, default, help and check.

Each attribute of :class:`Settings` is a :class:`Setting`: the one place that says what the
setting is. Its default (the engine's own, from :class:`Policy`, where the engine has one),
its ``--help`` text (``[default: ...]`` is rendered from the default) and the parser that
checks a raw value from the command line, a ``LOGTRIM_*`` variable or a config file. The
type is the parser's: ``Setting[T]`` reads as ``T`` on an instance, so mypy checks every use.
:mod:`.config` gathers the sources; ``Settings(sources)`` layers them, lowest first.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeVar, overload

from .._errors import UsageError
from .._sizes import format_size, parse_size
from ..archive import DEFAULT_LEVEL
from ..dialects import DIALECTS
from ..engine.policy import MIN_BUDGET, Policy

T = TypeVar("T")

_ENGINE = Policy()  # the engine's defaults: written once, there
CI_NAMES = ", ".join(["auto", *DIALECTS])


class BadValue(ValueError):
    """A raw value a parser refuses; the message says what a good one looks like."""


@dataclass(frozen=True)
class Source:
    """Raw values from one place, by setting name, and how an error names that place."""

    values: Mapping[str, object]
    where: Callable[[str], str]


class Setting(Generic[T]):
    """One setting. On the class, this object (for ``--help``); on an instance, its value."""

    def __init__(
        self,
        default: T,
        help: str,
        parse: Callable[[object], T],
        *,
        show: Callable[[T], str] | None = str,
        merge: Callable[[T, T], T] | None = None,
    ) -> None:
        self.default = default
        self.help = help
        self.parse = parse
        self.show = show  # how --help writes the default (None: not shown)
        self.merge = merge  # joins a lower source's value with a higher one's (else replaced)
        self.name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Setting[T]: ...
    @overload
    def __get__(self, obj: Settings, owner: type[Any]) -> T: ...
    def __get__(self, obj: Settings | None, owner: type[Any]) -> Setting[T] | T:
        if obj is None:
            return self
        value: T = obj.__dict__[self.name]  # stored by fill(), from this setting's parser
        return value

    def __set__(self, obj: Settings, value: NoReturn) -> None:  # mypy flags any assignment
        raise AttributeError(f"settings are read-only: {self.name}")

    def check(self, raw: object, where: str) -> T:
        """One raw value, checked; a bad one is a one-line :class:`UsageError`."""
        try:
            return self.parse(raw)
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
        except BadValue as exc:
            raise UsageError(f"{where}: bad value for {self.name}: {raw!r} ({exc})") from None

    def fill(self, obj: Settings, sources: Sequence[Source]) -> None:
        value = self.default
        for source in sources:
            if self.name in source.values:
                new = self.check(source.values[self.name], source.where(self.name))
                value = self.merge(value, new) if self.merge else new
        obj.__dict__[self.name] = value

    def help_text(self, text: str | None = None) -> str:
        """The ``--help`` text (or ``text``), with the default."""
        text = text or self.help
        return f"{text} [default: {self.show(self.default)}]" if self.show else text


# Parsers: a raw value (typer's, a TOML value, a variable's text) to a checked one.


def _count(raw: object) -> int:
    hint = "a whole number, 0 or more"
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise BadValue(hint)
    try:
        number = int(raw)
    except ValueError:
        raise BadValue(hint) from None
    if number < 0:
        raise BadValue(hint)
    return number


def _level(raw: object) -> int:
    hint = "a whole number between 1 and 22"
    try:
        number = _count(raw)
    except BadValue:
        raise BadValue(hint) from None
    if not 1 <= number <= 22:
        raise BadValue(hint)
    return number


def _seconds(raw: object) -> float:
    # float() takes nan and inf; nan then passes `< 0` (it fails every comparison), and
    # either wrecks a timer after the child ran.
    hint = "seconds: a finite number, 0 or more"
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise BadValue(hint)
    try:
        seconds = float(raw)
    except ValueError:
        raise BadValue(hint) from None
    if not math.isfinite(seconds) or seconds < 0:
        raise BadValue(hint)
    return seconds


def _budget(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise BadValue("a size such as 20MB")
    try:
        size = parse_size(raw if isinstance(raw, (int, str)) else str(raw))
    except OverflowError:
        raise BadValue("a size such as 20MB") from None
    if size < MIN_BUDGET:
        raise UsageError(f"budget must be at least {format_size(MIN_BUDGET)}")
    return size


def _verbatim(raw: object) -> int | None:
    """A size (0: filter from the first line); ``auto``: a twentieth of the budget."""
    if isinstance(raw, str) and raw.strip().lower() == "auto":
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise BadValue("a size such as 1MB, or auto")
    try:
        return parse_size(raw if isinstance(raw, (int, str)) else str(raw))
    except (OverflowError, ValueError):
        raise BadValue("a size such as 1MB, or auto") from None


def _show_verbatim(size: int | None) -> str:
    return "auto" if size is None else _show_size(size)


def _ci(raw: object) -> str:
    if not isinstance(raw, str) or raw.lower() not in ("auto", *DIALECTS):
        raise BadValue(f"one of {CI_NAMES}")
    return raw.lower()


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(raw: object) -> bool:
    """A switch: a TOML boolean, or ``1``/``true``/``yes``/``on`` and ``0``/``false``/..."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE + _FALSE:
        return raw.strip().lower() in _TRUE
    raise BadValue("true or false")


def _show_flag(value: bool) -> str:
    return "true" if value else "false"  # as a config file writes it


def _strings(raw: object) -> tuple[str, ...]:
    """A list; a lone string is one item, or a JSON list when it starts with ``[``."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.startswith("[") else [raw]
        except json.JSONDecodeError:
            raise BadValue("a JSON list of strings") from None
    if not isinstance(raw, (list, tuple)) or not all(isinstance(v, str) for v in raw):
        raise BadValue("a list of strings")
    return tuple(raw)


def _patterns(raw: object) -> tuple[str, ...]:
    patterns = _strings(raw)
    for pattern in patterns:
        try:
            re.compile(pattern.encode())
        except re.error as exc:
            raise UsageError(f"bad regular expression {pattern!r}: {exc}") from None
    return patterns


def _names(raw: object) -> tuple[str, ...]:
    """Variable names: a list, or one comma-separated string (``LOGTRIM_MASK_ENV=A,B``)."""
    if isinstance(raw, str):
        raw = raw.split(",")
    names = _strings(raw)
    return tuple(n.strip() for n in names if n.strip())


def _show_seconds(seconds: float) -> str:
    return f"{seconds:g}"


def _show_size(size: int) -> str:
    """``20MB``: the default as a user would write it."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size and size % scale == 0:
            return f"{size // scale}{unit}"
    return str(size)


_NONE: tuple[str, ...] = ()


def _union(lower: tuple[str, ...], higher: tuple[str, ...]) -> tuple[str, ...]:
    return lower + tuple(v for v in higher if v not in lower)


class Settings:
    """What ``logtrim run`` may take from the command line, ``LOGTRIM_*`` and config files."""

    budget = Setting(
        _ENGINE.budget, "Console byte budget: 20MB, 512kB, 1MiB, bytes.", _budget, show=_show_size
    )
    level = Setting(DEFAULT_LEVEL, "zstd level, 1-22 (window at least 8 MiB).", _level)
    ci = Setting("auto", f"CI dialect: {CI_NAMES}.", _ci)
    head = Setting(_ENGINE.head, "First lines of the run to show.", _count)
    tail = Setting(_ENGINE.tail, "Last lines shown on failure.", _count)
    success_tail = Setting(
        _ENGINE.success_tail, "Last lines shown on success (those not shown yet).", _count
    )
    verbatim = Setting(
        _ENGINE.verbatim,
        "Output shown whole, as written, before filtering starts: a size, 0, or auto "
        "(a twentieth of the budget).",
        _verbatim,
        show=_show_verbatim,
    )
    context = Setting(_ENGINE.context, "Lines shown before each error.", _count)
    after = Setting(_ENGINE.after, "Lines shown after each error.", _count)
    keep = Setting(
        tuple(_ENGINE.keep), "Always show lines matching REGEX (repeatable).", _patterns, show=None
    )
    drop = Setting(
        tuple(_ENGINE.drop), "Never show lines matching REGEX (repeatable).", _patterns, show=None
    )
    # Names of secrets add up across sources: a higher one must not unmask a lower one's.
    mask_env = Setting(
        _NONE,
        "Mask the value of this environment variable (repeatable).",
        _names,
        show=None,
        merge=_union,
    )
    heartbeat = Setting(
        _ENGINE.heartbeat,
        "Seconds of console silence before a heartbeat line.",
        _seconds,
        show=_show_seconds,
    )
    progress_interval = Setting(
        _ENGINE.progress_interval,
        "Seconds between progress lines per stream.",
        _seconds,
        show=_show_seconds,
    )
    native_progress = Setting(
        _ENGINE.native_progress,
        "Drive the CI's own progress indicator from progress lines (Octopus, Azure, TeamCity).",
        _flag,
        show=_show_flag,
    )
    grace = Setting(
        10.0, "Seconds between forwarding a signal and SIGKILL.", _seconds, show=_show_seconds
    )
    drain_timeout = Setting(
        3.0, "Seconds to keep reading after the child exits.", _seconds, show=_show_seconds
    )

    def __init__(self, sources: Sequence[Source] = ()) -> None:
        """The defaults, overridden by each source in turn (lowest first)."""
        for source in sources:
            if unknown := set(source.values) - set(names()):
                raise ValueError(f"not settings: {sorted(unknown)}")
        for setting in _all():
            setting.fill(self, sources)

    def __repr__(self) -> str:
        values = ", ".join(f"{n}={getattr(self, n)!r}" for n in names())
        return f"Settings({values})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(tuple(vars(self).values()))

    def policy(self, masks: Sequence[str]) -> Policy:
        """The engine's policy: these settings plus the secret values to mask."""
        return Policy(
            budget=self.budget,
            head=self.head,
            tail=self.tail,
            success_tail=self.success_tail,
            verbatim=self.verbatim,
            context=self.context,
            after=self.after,
            heartbeat=self.heartbeat,
            progress_interval=self.progress_interval,
            native_progress=self.native_progress,
            keep=self.keep,
            drop=self.drop,
            masks=tuple(masks),
        )


def _all() -> Iterator[Setting[Any]]:
    return (v for v in vars(Settings).values() if isinstance(v, Setting))


def names() -> list[str]:
    """The settings' names, as written in config files (with ``_`` or ``-``)."""
    return [setting.name for setting in _all()]
