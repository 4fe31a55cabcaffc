"""Settings from the command line, ``LOGTRIM_*`` variables and config files, checked early.

Precedence: command line > environment > ``logtrim.toml`` > ``[tool.logtrim]`` in
``pyproject.toml`` (both in the working directory) > defaults. Every value is checked before
the child starts; a bad one is a :class:`UsageError` (exit 2).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._errors import UsageError
from .._sizes import format_size, parse_size
from ..engine.policy import MIN_BUDGET, Policy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

#: key -> (type, default). Lists are repeatable options.
KEYS: dict[str, tuple[str, Any]] = {
    "budget": ("size", "20MB"),
    "level": ("int", 2),
    "ci": ("str", "auto"),
    "head": ("int", 10),
    "tail": ("int", 200),
    "context": ("int", 5),
    "after": ("int", 3),
    "heartbeat": ("float", 60.0),
    "progress_interval": ("float", 5.0),
    "grace": ("float", 10.0),
    "drain_timeout": ("float", 3.0),
    "keep": ("list", []),
    "drop": ("list", []),
    "mask_env": ("list", []),
}


def _convert(key: str, value: Any, where: str) -> Any:
    kind = KEYS[key][0]
    try:
        if kind == "size":
            size = parse_size(value if isinstance(value, (int, str)) else str(value))
            if size < MIN_BUDGET:
                raise UsageError(f"budget must be at least {format_size(MIN_BUDGET)}")
            return size
        if kind == "int":
            number = int(value)
            if number < 0:
                raise ValueError
            return number
        if kind == "float":
            seconds = float(value)
            if seconds < 0:
                raise ValueError
            return seconds
        if kind == "list":
            if isinstance(value, str):
                value = json.loads(value) if value.startswith("[") else [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError
            return list(value)
        return str(value)
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from None
    except (ValueError, TypeError, json.JSONDecodeError):
        raise UsageError(f"{where}: bad value for {key}: {value!r}") from None


def from_files(cwd: Path, explicit: Path | None = None) -> dict[str, Any]:
    """Settings from ``--config PATH``, or ``logtrim.toml`` / ``pyproject.toml`` in ``cwd``."""
    found: dict[str, Any] = {}
    candidates = (
        [(explicit, explicit.name == "pyproject.toml")]
        if explicit
        else [(cwd / "pyproject.toml", True), (cwd / "logtrim.toml", False)]
    )
    for path, nested in candidates:
        if not path.is_file():
            if explicit:
                raise UsageError(f"config file not found: {path}")
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"{path}: not valid TOML: {exc}") from None
        table = data.get("tool", {}).get("logtrim", {}) if nested else data.get("logtrim", data)
        for key, value in table.items():
            norm = key.replace("-", "_")
            if norm not in KEYS:
                raise UsageError(f"{path}: unknown key {key!r}")
            found[norm] = _convert(norm, value, str(path))
    return found


def from_env(env: Mapping[str, str]) -> dict[str, Any]:
    found = {}
    for key in KEYS:
        name = "LOGTRIM_" + key.upper()
        if name in env and env[name] != "":
            value: Any = env[name]
            if key == "mask_env":
                value = [v.strip() for v in env[name].split(",") if v.strip()]
            found[key] = _convert(key, value, name)
    return found


def resolve(
    cli: Mapping[str, Any], env: Mapping[str, str], cwd: Path, config: Path | None = None
) -> dict[str, Any]:
    """Merge the layers; ``cli`` holds only the options the user gave (not None)."""
    merged = {key: default for key, (_, default) in KEYS.items()}
    merged["budget"] = parse_size(merged["budget"])
    layers = [from_files(cwd, config), from_env(env)]
    layers.append(
        {
            key: _convert(key, value, "--" + key.replace("_", "-"))
            for key, value in cli.items()
            if value is not None and not (isinstance(value, list) and not value)
        }
    )
    masked: list[str] = []
    for layer in layers:
        merged.update(layer)
        # Names of secrets add up across layers: a higher layer must not unmask a lower one's.
        masked += [n for n in layer.get("mask_env", []) if n not in masked]
    merged["mask_env"] = masked
    for key in ("keep", "drop"):
        for pattern in merged[key]:
            try:
                re.compile(pattern.encode())
            except re.error as exc:
                raise UsageError(f"--{key}: bad regular expression {pattern!r}: {exc}") from None
    if not 1 <= merged["level"] <= 22:
        raise UsageError("--level must be between 1 and 22")
    return merged


def masks_from(
    names: list[str], values: list[str], env: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """Secrets: ``--mask`` values plus the values of the named environment variables.

    Also returns the names that are unset or empty: a typo there would leak a secret.
    """
    secrets = list(values)
    missing = []
    for name in names:
        if env.get(name):
            secrets.append(env[name])
        else:
            missing.append(name)
    return secrets, missing


def policy_from(settings: Mapping[str, Any], masks: list[str]) -> Policy:
    return Policy(
        budget=settings["budget"],
        head=settings["head"],
        tail=settings["tail"],
        context=settings["context"],
        after=settings["after"],
        heartbeat=settings["heartbeat"],
        progress_interval=settings["progress_interval"],
        keep=tuple(settings["keep"]),
        drop=tuple(settings["drop"]),
        masks=tuple(masks),
    )


def environ() -> dict[str, str]:
    return dict(os.environ)
