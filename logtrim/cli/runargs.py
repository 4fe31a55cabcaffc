"""``logtrim run``'s plain command lines parsed without typer (importing typer and building
its command costs about a sixth of ``run -- true``'s start-up).

:func:`parse` takes only what it is sure of: known options, each value given in full (not
starting with ``-``, a number that Python's own ``int``/``float`` reads), then COMMAND.
Anything else (``--help``, an unknown or misspelt option, a missing or bad value, no
COMMAND) returns None and typer parses the line, so every message and exit code stays
typer's. The values are the ones typer would pass (tests/test_runargs.py compares the two
on random command lines, and this table with typer's options).
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The value options: how typer converts each (click's INT and FLOAT call int and float).
VALUES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "--artifact": ("artifact", Path),
    "--name": ("name", str),
    "--budget": ("budget", str),
    "--level": ("level", int),
    "--ci": ("ci", str),
    "--head": ("head", int),
    "--tail": ("tail", int),
    "--success-tail": ("success_tail", int),
    "--verbatim": ("verbatim", str),
    "--context": ("context", int),
    "--after": ("after", int),
    "--heartbeat": ("heartbeat", float),
    "--progress-interval": ("progress_interval", float),
    "--grace": ("grace", float),
    "--drain-timeout": ("drain_timeout", float),
    "--baseline": ("baseline", str),
    "--history": ("history", str),
    "--config": ("config", Path),
}
#: The repeatable options (a list of strings each).
LISTS = {"--keep": "keep", "--drop": "drop", "--mask": "mask", "--mask-env": "mask_env"}
#: The flags: the parameter each sets, and to what.
FLAGS: dict[str, tuple[str, bool]] = {
    "--native-progress": ("native_progress", True),
    "--no-native-progress": ("native_progress", False),
    "--pty": ("pty", True),
    "--force": ("force", True),
    "--verbose": ("verbose", True),
    "-v": ("verbose", True),
}
#: What typer passes for an option not given.
DEFAULTS: dict[str, Any] = {
    **{name: None for name, _ in VALUES.values()},
    **{name: None for name in LISTS.values()},
    "native_progress": None,
    "pty": False,
    "force": False,
    "verbose": False,
}


def parse(args: list[str]) -> dict[str, Any] | None:
    """The parameters of ``run`` for ``args`` (what follows ``run``), as typer gives them;
    None: a command line for typer to parse (and to report, if it is wrong)."""
    given = dict(DEFAULTS)
    lists: dict[str, list[str]] = {}
    rest = list(args)
    while rest and rest[0].startswith("-"):
        arg = rest.pop(0)
        if arg == "--":
            break
        if arg in FLAGS:
            name, flag = FLAGS[arg]
            given[name] = flag
            continue
        opt, eq, value = arg.partition("=")
        if not eq:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        if value.startswith("-"):
            return None
        if opt in LISTS:
            lists.setdefault(LISTS[opt], []).append(value)
        elif opt in VALUES:
            name, convert = VALUES[opt]
            try:
                given[name] = convert(value)
            except ValueError:
                return None
        else:
            return None
    if not rest:
        return None
    given.update(lists)
    return {"command": rest, **given}
