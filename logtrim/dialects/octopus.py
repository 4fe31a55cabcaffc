"""Octopus Deploy: ``##octopus[...]`` service messages, base64 values (see docs/ci.md)."""

from __future__ import annotations

from typing import ClassVar

from .base import Action, Closing, Dialect, Print
from .servicemsg import format_message, parse_message

_TRUE = {"true", "True", "TRUE"}


class Octopus(Dialect):
    name: ClassVar[str] = "octopus"
    detect_var: ClassVar[str | None] = "OctopusCalamariWorkingDirectory"
    markers: ClassVar[tuple[bytes, ...]] = (b"##octopus[",)

    def is_command(self, line: str) -> bool:
        return "##octopus[" in line

    def is_progress(self, line: str) -> bool:
        return "##octopus[progress" in line

    def declared_secrets(self, line: str) -> list[str]:
        if "##octopus[" not in line:
            return []
        message = parse_message(line)
        if message is None:
            return []
        name = message.name.lower()
        if name == "setvariable" and message.attrs.get("sensitive") in _TRUE:
            value = message.attrs.get("value")
            return [value] if value else []
        if name == "mask":
            value = message.attrs.get("value")
            return [value] if value else []
        return []

    def finish(self, closing: Closing) -> list[Action]:
        actions: list[Action] = []
        if closing.failed and closing.reason and not closing.child_sent_result:
            actions.append(Print(format_message("resultMessage", message=closing.reason)))
        if closing.archive_path:
            actions.append(
                Print(
                    format_message(
                        "createArtifact",
                        path=closing.archive_path,
                        name=closing.archive_name,
                        length=str(closing.archive_size),
                    )
                )
            )
        return actions
