"""GitLab CI: collapsible ``section_start``/``section_end`` markers.

A job cannot publish a file from its output (artifacts are declared in ``.gitlab-ci.yml``) nor
mark a failure (only the exit code does), so ``finish`` names the archive in a plain line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .._regex import lazy
from .._text import inert
from .base import Action, Closing, Dialect, Print, failure_note

_MARKER = lazy(r"\x1b\[0Ksection_(?:start|end):\d+:")
_NOT_NAME = lazy(r"[^a-z0-9_.-]+")


def section_name(title: str) -> str:
    """GitLab accepts only ``[a-z0-9_.-]`` in a section name; start and end must match."""
    return _NOT_NAME.sub("_", title.lower()).strip("_")[:64] or "section"


class GitLab(Dialect):
    name: ClassVar[str] = "gitlab"
    detect_var: ClassVar[str | None] = "GITLAB_CI"
    # The erase code is part of the marker: text before the command is text, and is left
    # out past the budget; the marker's own ``\x1b[0K`` never is.
    markers: ClassVar[tuple[bytes, ...]] = (b"\x1b[0Ksection_start:", b"\x1b[0Ksection_end:")

    @classmethod
    def detect(cls, env: Mapping[str, str]) -> bool:
        return env.get("GITLAB_CI", "").lower() == "true"

    def is_command(self, line: str) -> bool:
        return _MARKER.search(line) is not None

    def group_start(self, title: str, *, timestamp: float = 0.0) -> str | None:
        # A section's timestamps give its duration: the shell passes the real time in.
        name = section_name(title)
        start = f"\x1b[0Ksection_start:{int(timestamp)}:{name}[collapsed=true]\r\x1b[0K"
        return start + inert(title)

    def group_end(self, title: str, *, timestamp: float = 0.0) -> str | None:
        return f"\x1b[0Ksection_end:{int(timestamp)}:{section_name(title)}\r\x1b[0K"

    def finish(self, closing: Closing) -> list[Action]:
        actions = failure_note(closing)
        if not closing.archive_path:
            return actions
        path = inert(closing.archive_path)
        hint = "keep it with artifacts:paths and artifacts:when: always in .gitlab-ci.yml"
        return [*actions, Print(f"[logtrim] full log: {path} ({hint})")]
