"""The commands on one command line, as its system reads them: where each is (the rest of
the line is text, printed as plain output), a line a .NET reader splits at a lone ``\r``,
and a line of progress commands alone. Sans-IO."""

from __future__ import annotations

from .commands import Commands


def command_parts(commands: Commands, raw: str, body: int) -> list[tuple[int, int]]:
    """Where each command of a command line is: to its ``]`` (Octopus, TeamCity), or to
    the line's end from its marker (Azure's, GitHub's older form)."""
    if "\r" in raw[:body] and commands.ends_at_cr():
        return _cr_parts(commands, raw[:body])
    spans: list[tuple[int, int]] = []
    pos = 0
    while pos < body:
        rest = raw[pos:body]
        if not commands.is_command(rest):
            break
        span = commands.command_span(rest)
        if span is None:  # the rest of the line from its marker
            span = (len(commands.text_before(rest)), len(rest))
        if span[1] <= 0:
            break
        spans.append((pos + span[0], pos + span[1]))
        pos += span[1]
    return spans


def newest_progress(commands: Commands, line: bytes) -> tuple[bytes, int]:
    """A line of several progress commands and no text (``##octopus[progress ...]`` written
    again and again on one line): only the newest of them, as if each had a line of its own
    and was throttled, with every other command on it, in order; and the bytes of those
    left out (the archive has them)."""
    raw = line.decode("utf-8", "surrogateescape")
    body = len(raw.rstrip("\r\n"))
    spans = command_parts(commands, raw, body)
    if len(spans) < 2:
        return line, 0
    gaps = zip([0, *(end for _, end in spans)], [*(start for start, _ in spans), body], strict=True)
    if any(raw[a:b].strip() for a, b in gaps):
        return line, 0  # text around them: read as any command line
    progress = [bool(commands.progress_of(raw[a:b])) for a, b in spans]
    if sum(progress) < 2:
        return line, 0
    newest = len(progress) - 1 - progress[::-1].index(True)
    kept_spans = [span for i, span in enumerate(spans) if not progress[i] or i == newest]
    # (between two kept commands, what the child wrote after the first: a ``\r`` a .NET
    # reader ends a line at, or nothing)
    cr = "\r" if "\r" in raw[:body] and commands.ends_at_cr() else ""
    kept = (cr.join(raw[a:b] for a, b in kept_spans) + raw[body:]).encode(
        "utf-8", "surrogateescape"
    )
    return kept, len(line) - len(kept)


def only_progress(commands: Commands, text: str) -> bool:
    """Whether a command line holds no command but progress ones: a line that also sets a
    variable or reports a problem is never thrown out as a progress state (only its
    progress commands could be, and the line passes whole)."""
    body = len(text.rstrip("\r\n"))
    parts = command_parts(commands, text, body)
    return len(parts) < 2 or all(commands.progress_of(text[a:b]) for a, b in parts)


def _cr_parts(commands: Commands, body: str) -> list[tuple[int, int]]:
    """The commands of a line a .NET reader (GitHub's runner, Azure's agent) reads as
    several, split at each lone ``\r``: the parts that are commands, from their marker;
    the rest is text to it, plain lines (``::notice::x\r<text>``: the text is no part of
    the command, and passes only while the budget has room for it)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for part in body.split("\r"):
        if part.strip() and commands.may_be_command(part):
            spans.append((pos + len(commands.text_before(part)), pos + len(part)))
        pos += len(part) + 1
    return spans


__all__ = ["command_parts", "newest_progress", "only_progress"]
