"""Where settings come from: the command line, ``LOGTRIM_*`` variables and config files.

Precedence: command line > environment > ``logtrim.toml`` > ``[tool.logtrim]`` in
``pyproject.toml`` (both in the working directory) > defaults. Every value is checked by its
setting's parser (:mod:`.settings`) before the child starts; a bad one is a
:class:`UsageError` (exit 2) that names where it came from.
"""

from __future__ import annotations

import codecs
import errno
import stat
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from .._errors import UsageError
from .._log import say
from .._text import split_names
from .settings import Settings, Source, names


def _toml(path: Path) -> dict[str, object]:
    """A TOML file's data; raises OSError, UnicodeDecodeError or ValueError (its syntax)."""
    # Imported only when there is a file to read: most runs have none (start-up counts).
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        data: dict[str, object] = tomllib.loads(_text(path.read_bytes()))
    except RecursionError:  # arrays or tables nested past Python's limit
        raise ValueError("nested too deeply") from None
    return data  # (a syntax error: TOMLDecodeError, a ValueError)


def _text(raw: bytes) -> str:
    """A config file's text: UTF-8, past a byte-order mark (Windows Notepad writes one), or
    UTF-16 with its mark (Windows PowerShell's ``>`` and ``Out-File`` write that); raises
    UnicodeDecodeError."""
    if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def _table(data: dict[str, object], nested: bool) -> object:
    """logtrim's settings in a file's data: ``[tool.logtrim]`` in ``pyproject.toml``, else
    ``[logtrim]`` or the whole file."""
    if nested:
        tool = data.get("tool", {})
        return tool.get("logtrim", {}) if isinstance(tool, dict) else {}
    return data.get("logtrim", data)


def _astray(data: dict[str, object]) -> str | None:
    """In ``pyproject.toml``: logtrim's settings anywhere but ``[tool.logtrim]`` (a
    ``[logtrim]`` table, a setting's key at the top level), said as found; None if none."""
    if "logtrim" in data:
        return "the [logtrim] table"
    known = names()
    return next((f"key {k!r}" for k in data if k.replace("-", "_") in known), None)


def _outside(data: dict[str, object], nested: bool) -> list[str]:
    """The keys of a ``logtrim.toml`` beside its ``[logtrim]`` table: read from neither
    place, a ``mask-env`` there would unmask a secret without a word."""
    if nested or "logtrim" not in data:
        return []
    return [key for key in data if key != "logtrim"]


def _file(path: Path, nested: bool) -> Source:
    try:
        data = _toml(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        if nested and not _mentions_logtrim(path):
            # The project's own file, broken or not ours to judge: the step is not blocked.
            say(f"{path}: not valid TOML ({exc}); it has no [tool.logtrim]: ignored", "warning")
            return Source({}, lambda _: str(path))
        if isinstance(exc, OSError):  # permission denied, an I/O error: no syntax at fault
            raise UsageError(f"config file cannot be read: {path}: {exc.strerror}") from None
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    table = _table(data, nested)
    if not isinstance(table, dict):
        raise UsageError(f"{path}: the logtrim settings must be a table")
    if nested and (astray := _astray(data)):
        # Read from nowhere, a mask-env there would leave a secret unmasked without a word.
        raise UsageError(f"{path}: {astray} belongs under [tool.logtrim]")
    if outside := _outside(data, nested):
        raise UsageError(
            f"{path}: key {outside[0]!r} is outside the [logtrim] table: put every key in it, "
            "or have no [logtrim] table"
        )
    known = names()
    values: dict[str, object] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name == "tool" and not nested:  # pyproject.toml's form in logtrim.toml
            raise UsageError(f"{path}: [tool.logtrim] is pyproject.toml's table: here, use "
                             "[logtrim] or top-level keys")  # fmt: skip
        if name not in known:
            raise UsageError(f"{path}: unknown key {key!r}{_meant(name, known)}")
        if name in values:  # ``success-tail`` and ``success_tail``: which one was meant?
            raise UsageError(f"{path}: {key!r} is given twice, with dashes and underscores")
        # One pattern as a string is a list of one (a variable's ``[...]`` is JSON: a
        # pattern's character class is not).
        values[name] = [value] if name in _PATTERNS and isinstance(value, str) else value
    return Source(values, lambda _: str(path))


_PATTERNS = frozenset({"keep", "drop"})  # the keys that take a list of regular expressions
# Options no config file sets, on purpose (docs/config.md says why).
_COMMAND_LINE_ONLY = frozenset({"artifact", "name", "pty", "config", "verbose"})


def _meant(name: str, known: Iterable[str]) -> str:
    """What a mistyped key may mean (`` (did you mean 'budget'?)``); secrets are no key."""
    if name == "mask":  # a secret's value in a file that is read by all is no secret
        return " (secrets are not written in a config file: name their variables in mask-env)"
    if name in _COMMAND_LINE_ONLY:
        return f" (--{name.replace('_', '-')} is given on the command line only: docs/config.md)"
    import difflib  # a typo is rare (start-up counts)

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.7)
    return f" (did you mean {close[0].replace('_', '-')!r}?)" if close else ""


def _mentions_logtrim(path: Path) -> bool:
    """A broken ``pyproject.toml`` may still hold logtrim's settings (masks among them):
    only one that never names logtrim can be passed over (in its text: UTF-16 too)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return True
    try:
        return "logtrim" in _text(raw)
    except UnicodeDecodeError:
        return b"logtrim" in raw


def _kind(path: Path) -> str:
    """``"file"``, ``"dir"``, ``"other"`` (a FIFO, a device) or ``"missing"`` (also a link to
    nothing, a loop); a path the system refuses to look up (too long, a directory that cannot
    be searched) is a usage error: the step must not start without its settings."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "missing"
        raise UsageError(f"config file cannot be looked up: {path}: {exc.strerror}") from None
    return "file" if stat.S_ISREG(mode) else "dir" if stat.S_ISDIR(mode) else "other"


def from_files(cwd: Path | None, explicit: Path | None = None) -> list[Source]:
    """``--config PATH``, or ``pyproject.toml`` then ``logtrim.toml`` in ``cwd`` (lowest first)."""
    if explicit:
        kind = _kind(explicit)
        if kind == "dir":
            raise UsageError(f"config file is a directory: {explicit}")
        if kind == "other":  # a FIFO, /dev/stdin: read once
            raise UsageError(f"config file is not a regular file: {explicit}")
        if kind == "missing":
            raise UsageError(f"config file not found: {explicit}")
        return [_file(explicit, explicit.name == "pyproject.toml")]
    if cwd is None:
        return []
    own = cwd / "logtrim.toml"
    found = [(cwd / "pyproject.toml", True), (own, False)]
    for path, _ in found:
        if path.exists() and not path.is_file():  # a directory, a FIFO: not read unseen
            raise UsageError(f"config file is not a regular file: {path}")
    if own.is_symlink() and not own.exists():
        # A shared config linked in and gone: its mask-env would stop masking without a word.
        raise UsageError(f"config file is a link to nothing: {own}")
    return [_file(path, nested) for path, nested in found if path.is_file()]


def _looked_at(cwd: Path | None, explicit: Path | None) -> list[Path]:
    """``--config PATH``, else ``pyproject.toml`` and ``logtrim.toml`` in ``cwd`` (lowest first)."""
    if explicit:
        return [explicit]
    return [] if cwd is None else [cwd / "pyproject.toml", cwd / "logtrim.toml"]


def files_read(cwd: Path | None, explicit: Path | None = None) -> list[Path]:
    """The config files :func:`from_files` reads, lowest first (``-v`` names them)."""
    return [path for path in _looked_at(cwd, explicit) if path == explicit or path.is_file()]


def file_mask_env(cwd: Path | None, explicit: Path | None = None) -> list[str]:
    """The names the config files' ``mask-env`` gives, read whatever else the files hold
    (an unknown key, a bad value): logtrim's own messages are masked with them from the
    first one, an error in that very file included. A file that cannot be read gives none."""
    names: list[str] = []
    for path in _looked_at(cwd, explicit):
        try:
            if not path.is_file():  # missing, or a FIFO: reading one would wait for its writer
                continue
        except OSError:  # cannot be looked up: from_files says so, as a usage error
            continue
        try:
            data = _toml(path)
            table = _table(data, path.name == "pyproject.toml")
        except Exception:
            continue
        for place in (table, data):  # beside a [logtrim] table too: the error names them
            raw = place.get("mask-env", place.get("mask_env")) if isinstance(place, dict) else None
            values = raw if isinstance(raw, list) else [raw] if raw else []
            names += [n for v in values for n in split_names(str(v)) if n]
    return names


def from_env(env: Mapping[str, str]) -> Source:
    """``LOGTRIM_<NAME>`` variables; an empty one counts as unset."""
    values = {n: env[_variable(n)] for n in names() if env.get(_variable(n))}
    return Source(values, _variable)


def _variable(name: str) -> str:
    return "LOGTRIM_" + name.upper()


# Variables that are no setting: the switches of docs/config.md, then the tests' and
# benchmarks' (known, but never suggested for a typo).
_SWITCHES = frozenset({"LOGTRIM_ENGINE", "LOGTRIM_NO_HYPERSCAN"})
_INTERNAL = frozenset(
    {
        "LOGTRIM_NO_FORK",
        "LOGTRIM_CHECKER",
        "LOGTRIM_FAULT_AFTER",
        "LOGTRIM_FAULT_SCANNER",
        "LOGTRIM_CORPUS",
    }
)


def unknown_variables(env: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """``LOGTRIM_*`` variables that are no setting (a typo such as ``LOGTRIM_MASKENV`` would
    turn masking off unseen): each with the variable it may mean, if one is close."""
    known = {_variable(n) for n in names()} | _SWITCHES
    found = []
    for name in sorted(n for n in env if n.startswith("LOGTRIM_") and n not in known | _INTERNAL):
        import difflib  # a typo is rare (start-up counts)

        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
        found.append((name, close[0] if close else None))
    return found


def from_command_line(given: Mapping[str, object]) -> Source:
    """The options the user gave (typer passes None, or an empty list, for the others)."""
    values = {n: v for n, v in given.items() if v is not None and v != []}
    return Source(values, lambda name: "--" + name.replace("_", "-"))


def resolve(
    cli: Mapping[str, object],
    env: Mapping[str, str],
    cwd: Path | None,
    config: Path | None = None,
) -> Settings:
    """The settings of a run: each source over the ones below it, setting by setting."""
    return Settings([*from_files(cwd, config), from_env(env), from_command_line(cli)])


def masks_from(
    variables: tuple[str, ...], values: list[str], env: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """Secrets: ``--mask`` values plus the values of the named environment variables.

    Also returns the names that are unset or empty: a typo there would leak a secret. An
    empty ``--mask`` value masks nothing: an error, as a mistyped variable in a script
    (``--mask "$DB_PASWORD"``) gives one.
    """
    if any(not v.strip("\r\n") for v in values):
        raise UsageError(
            "--mask: an empty value masks nothing (give the secret, or --mask-env NAME)"
        )
    if any(v.isspace() for v in values):
        raise UsageError("--mask: a value of blanks only is no secret (give the secret)")
    secrets = list(values)
    missing = []
    for name in variables:
        if env.get(name):
            secrets.append(env[name])
        else:
            missing.append(name)
    return secrets, missing
