"""Jenkins: no commands in a step's output; artifacts come from the ``archiveArtifacts`` step."""

from __future__ import annotations

from typing import ClassVar

from .._text import inert
from .base import Action, Closing, Dialect, Print, failure_note


class Jenkins(Dialect):
    name: ClassVar[str] = "jenkins"
    detect_var: ClassVar[str | None] = "JENKINS_URL"

    def finish(self, closing: Closing) -> list[Action]:
        actions = failure_note(closing)
        if not closing.archive_path:
            return actions
        path = inert(closing.archive_path)
        return [*actions, Print(f"[logtrim] full log: {path} (keep it with archiveArtifacts)")]
