"""The settings of ``logtrim run``: each defined once, with its type, default, help and check.

Each attribute of :class:`Settings` is a :class:`Setting`: the one place that says what the
setting is. Its default (the engine's own, from :class:`Policy`, where the engine has one),
its ``--help`` text (``[default: ...]`` is rendered from the default) and the parser that
checks a raw value from the command line, a ``LOGTRIM_*`` variable or a config file. The
type is the parser's: ``Setting[T]`` reads as ``T`` on an instance, so mypy checks every use.
:mod:`.config` gathers the sources; ``Settings(sources)`` layers them, lowest first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeVar, overload

from .._errors import UsageError
from ..archive import DEFAULT_LEVEL
from ..engine.policy import Policy
from . import values

T = TypeVar("T")

_ENGINE = Policy()  # the engine's defaults: written once, there


@dataclass(frozen=True)
class Source:
    """Raw values from one place, by setting name, and how an error names that place."""

    values: Mapping[str, object]
    where: Callable[[str], str]


def _names(where: str, key: str) -> bool:
    """Whether the place an error names (``--mask-env``, ``LOGTRIM_MASK_ENV``) names the key."""
    return where.lower().replace("_", "-").endswith(key)


def _shown(raw: object) -> str:
    """A raw value as its source writes it: TOML's ``true``, a list as JSON; else its repr."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (list, tuple)):
        import json  # only for an error (start-up counts)

        return json.dumps(list(raw), ensure_ascii=False, default=str)
    if isinstance(raw, (int, float)):  # quoted as text is (``'1.5'``), as written (-2, not -2.0)
        return f"'{raw:g}'" if isinstance(raw, float) else f"'{raw}'"
    return repr(raw)


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
        metavar: str = "N",
    ) -> None:
        self.default = default
        self.metavar = metavar  # the value's name in --help
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
        key = self.name.replace("_", "-")  # as the option and the file's key are written
        try:
            return self.parse(raw)
        except UsageError as exc:
            # A file is named by its path: the key too (an option or a variable names it).
            said = where if _names(where, key) else f"{where}: {key}"
            raise UsageError(f"{said}: {exc}") from None
        except values.BadValue as exc:
            raise UsageError(f"{where}: bad value for {key}: {_shown(raw)} ({exc})") from None

    def fill(self, obj: Settings, sources: Sequence[Source]) -> None:
        value = self.default
        for source in sources:
            if self.name in source.values:
                where = source.where(self.name)
                new = self.check(source.values[self.name], where)
                value = self.merge(value, new) if self.merge else new
                obj.origins[self.name] = where
        obj.__dict__[self.name] = value

    def help_text(self, text: str | None = None) -> str:
        """The ``--help`` text (or ``text``), with the default."""
        text = text or self.help
        shown = self.show(self.default) if self.show else ""
        return f"{text} [default: {shown}]" if shown else text


_NONE: tuple[str, ...] = ()


def _union(lower: tuple[str, ...], higher: tuple[str, ...]) -> tuple[str, ...]:
    return lower + tuple(v for v in higher if v not in lower)


class Settings:
    """What ``logtrim run`` may take from the command line, ``LOGTRIM_*`` and config files."""

    budget = Setting(
        _ENGINE.budget,
        "Console byte budget: 20MB, 512kB, 1MiB, bytes.",
        values.budget,
        show=values.show_size,
        metavar="SIZE",
    )
    level = Setting(
        DEFAULT_LEVEL,
        "zstd level, 1-22 (window at least 8 MiB, hash table at least 2^16).",
        values.level,
    )
    ci = Setting("auto", f"CI dialect: {values.CI_NAMES}.", values.ci, metavar="NAME")
    head = Setting(_ENGINE.head, "First lines of the run to show.", values.count)
    tail = Setting(_ENGINE.tail, "Last lines shown on failure.", values.count)
    success_tail = Setting(
        _ENGINE.success_tail, "Last lines shown on success (those not shown yet).", values.count
    )
    verbatim = Setting(
        _ENGINE.verbatim,
        "Output shown whole, as written, before filtering starts: a size, 0, or auto "
        "(a twentieth of the budget).",
        values.verbatim,
        show=values.show_verbatim,
        metavar="SIZE",
    )
    context = Setting(_ENGINE.context, "Lines shown before each error.", values.count)
    after = Setting(_ENGINE.after, "Lines shown after each error.", values.count)
    keep = Setting(
        tuple(_ENGINE.keep),
        "Always show lines matching REGEX (repeatable).",
        values.patterns,
        show=None,
        metavar="REGEX",
    )
    drop = Setting(
        tuple(_ENGINE.drop),
        "Never show lines matching REGEX (repeatable).",
        values.patterns,
        show=None,
        metavar="REGEX",
    )
    # Names of secrets add up across sources: a higher one must not unmask a lower one's.
    mask_env = Setting(
        _NONE,
        "Mask the value of this environment variable (repeatable).",
        values.names,
        show=None,
        merge=_union,
        metavar="NAME",
    )
    heartbeat = Setting(
        _ENGINE.heartbeat,
        "Seconds of console silence before a heartbeat line.",
        values.seconds,
        show=values.show_seconds,
        metavar="SECONDS",
    )
    progress_interval = Setting(
        _ENGINE.progress_interval,
        "Seconds between progress lines per stream.",
        values.seconds,
        show=values.show_seconds,
        metavar="SECONDS",
    )
    native_progress = Setting(
        _ENGINE.native_progress,
        "Drive the CI's own progress indicator from progress lines (Octopus, Azure, TeamCity).",
        values.flag,
        show=values.show_flag,
    )
    baseline = Setting(
        "",
        "Good run(s) to compare with: a log, archive (.zst) or directory of them; lines "
        "whose shape they lack rank higher.",
        values.existing_path,
        show=values.show_path,
        metavar="PATH",
    )
    history = Setting(
        "",
        "Directory that remembers the line shapes of the last successful runs, per artifact "
        "name, as the next run's baseline.",
        values.folder,
        show=values.show_path,
        metavar="DIR",
    )
    grace = Setting(
        10.0,
        "Seconds between forwarding a signal and SIGKILL.",
        values.seconds,
        show=values.show_seconds,
        metavar="SECONDS",
    )
    drain_timeout = Setting(
        3.0,
        "Seconds to keep reading after the child exits.",
        values.seconds,
        show=values.show_seconds,
        metavar="SECONDS",
    )

    def __init__(self, sources: Sequence[Source] = ()) -> None:
        """The defaults, overridden by each source in turn (lowest first)."""
        # Where each setting given was given last, as an error names it (``--baseline``,
        # ``LOGTRIM_BASELINE``, a config file's path): not a setting (vars() are).
        self.origins: dict[str, str] = {}
        for source in sources:
            if unknown := set(source.values) - set(names()):
                raise ValueError(f"not settings: {sorted(unknown)}")
        for setting in _all():
            setting.fill(self, sources)

    def __repr__(self) -> str:
        values = ", ".join(f"{n}={getattr(self, n)!r}" for n in names())
        return f"Settings({values})"

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, n) for n in names())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def origin(self, name: str) -> str:
        """Where setting ``name`` came from, for an error, when not from its option:
        ``LOGTRIM_BASELINE``, ``baseline in logtrim.toml``; "" from the command line."""
        where = self.origins.get(name, "")
        if not where or where.startswith("--"):
            return ""
        return where if where.startswith("LOGTRIM_") else f"{name.replace('_', '-')} in {where}"

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
