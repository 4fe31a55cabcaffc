"""The closing lines as the console gets them: their size in bytes, masked as the CI reads
them, an archive path shortened to fit. Plain functions, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..._text import as_bytes
from ...dialects import Dialect, Print, RunProgram
from ...dialects.base import Action, AppendFile

ELIDED_MIN = 16  # the fewest characters an elided path keeps


def elided(path: str, excess: int) -> str:
    """``path`` at least ``excess`` characters shorter, its middle elided: a path masked
    where printed names no file the CI could publish, and the budget kept room for it as
    given (a secret declared during the run lengthens it: ``abcd`` is ``********``)."""
    keep = max(len(path) - excess - 3, ELIDED_MIN)
    return path[: keep // 2] + "..." + path[len(path) - (keep - keep // 2) :]


def masked_action(action: Action, mask: Callable[[str], str], dialect: Dialect) -> Action:
    if isinstance(action, AppendFile):
        return replace(action, text=mask(action.text))
    if isinstance(action, Print):
        lines = [masked_line(line, mask, dialect) for line in action.text.split("\n")]
        return replace(action, text="\n".join(lines))
    return action


def masked_line(line: str, mask: Callable[[str], str], dialect: Dialect) -> str:
    """One line logtrim prints: a command masked as its CI reads its values (the marker,
    the name and the attribute names kept: a secret such as ``octopus`` must not break a
    message), other text as text. Masking masked text changes nothing (``********`` stays)."""
    # (the child's pause, resumed once it is over for the dialect: its token as shown)
    if not dialect.is_command(line) and not dialect.resumes_in_clear(line):
        return mask(line)

    def by_text(data: bytes) -> bytes:
        return as_bytes(mask(data.decode("utf-8", "surrogateescape")))

    masked = dialect.mask_command(as_bytes(line), by_text)
    return mask(line) if masked is None else masked.decode("utf-8", "surrogateescape")


def line_size(line: str) -> int:
    """Console bytes of one line of text (UTF-8, with its newline)."""
    return len(as_bytes(line)) + 1


def printed_size(actions: list[Action]) -> int:
    """The console bytes of the actions: the lines to print, and the lines the shell prints
    when a program to run is missing."""
    size = sum(line_size(a.text) for a in actions if isinstance(a, Print))
    return size + sum(line_size(a.missing) for a in actions if isinstance(a, RunProgram))


def signal_reason(killed_by: str | None, interrupted: str | None) -> str | None:
    """Why a run ended by a signal failed, when no line of its output says more."""
    if killed_by is None and interrupted is None:
        return None
    if killed_by is None:
        return f"interrupted by {interrupted}"
    if interrupted is None or interrupted == killed_by:
        return f"terminated by {killed_by}"
    return f"terminated by {killed_by} after {interrupted}"
