"""CI dialects: one small module per system, all behind :class:`Dialect`.

Adding a system means one module here plus its entry in ``DIALECTS``.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._errors import UsageError
from .azure import Azure
from .base import Action, AppendFile, Closing, Dialect, Level, Print, RunProgram
from .buildkite import Buildkite
from .github import GitHub
from .gitlab import GitLab
from .jenkins import Jenkins
from .octopus import Octopus
from .teamcity import TeamCity

# Order matters for --ci auto: the first whose variable is set wins.
DIALECTS: dict[str, type[Dialect]] = {
    "octopus": Octopus,
    "github": GitHub,
    "azure": Azure,
    "teamcity": TeamCity,
    "gitlab": GitLab,
    "buildkite": Buildkite,
    "jenkins": Jenkins,
    "plain": Dialect,
}

__all__ = [
    "DIALECTS",
    "Action",
    "AppendFile",
    "Closing",
    "Dialect",
    "Level",
    "Print",
    "RunProgram",
    "all_dialects",
    "choose",
]


def choose(name: str, env: Mapping[str, str]) -> Dialect:
    """The dialect for ``--ci NAME``; ``auto`` detects it from the environment."""
    key = name.lower()
    if key == "auto":
        for cls in DIALECTS.values():
            if cls.detect(env):
                return cls()
        return Dialect()
    if key not in DIALECTS:
        names = ", ".join(["auto", *DIALECTS])
        raise UsageError(f"unknown --ci {name!r}: choose one of {names}")
    return DIALECTS[key]()


def all_dialects() -> list[Dialect]:
    """One instance of every dialect: commands of any system pass through verbatim."""
    return [cls() for name, cls in DIALECTS.items() if name != "plain"]
