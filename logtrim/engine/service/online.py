"""The commands on one command line, as its system reads them: where each is (the rest of
the line is text, printed as plain output), a line a .NET reader splits at a lone ``\r``,
and a line of progress commands alone. Sans-IO."""

from __future__ import annotations

from dataclasses import dataclass

from .commands import Commands


@dataclass(frozen=True)
class CommandLine:
    """A command line read once: its text (bytes as surrogates), where its line end starts,
    and where each of its commands is (:func:`command_parts`)."""

    raw: str
    body: int
    spans: list[tuple[int, int]]


def read(commands: Commands, line: bytes) -> CommandLine:
    """A command line's text and the places of its commands."""
    raw = line.decode("utf-8", "surrogateescape")
    body = len(raw.rstrip("\r\n"))
    return CommandLine(raw, body, command_parts(commands, raw, body))


def lone(parsed: CommandLine) -> bool:
    """Whether a command line holds one command alone: no text around it but blanks (text
    there is printed as plain output), no other command (the CI judges each on its own)."""
    raw, spans = parsed.raw, parsed.spans
    if len(spans) != 1:
        return False
    (start, end), body = spans[0], parsed.body
    return not raw[:start].strip() and not raw[end:body].strip()


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


def newest_progress(commands: Commands, line: CommandLine) -> bytes | None:
    """A line of several progress commands and no text (``##octopus[progress ...]`` written
    again and again on one line): only the newest of them, as if each had a line of its own
    and was throttled, with every other command on it, in order (the archive has them all);
    None: the line is not one."""
    raw, body, spans = line.raw, line.body, line.spans
    if len(spans) < 2:
        return None
    gaps = zip([0, *(end for _, end in spans)], [*(start for start, _ in spans), body], strict=True)
    if any(raw[a:b].strip() for a, b in gaps):
        return None  # text around them: read as any command line
    progress = [bool(commands.progress_of(raw[a:b])) for a, b in spans]
    if sum(progress) < 2:
        return None
    newest = len(progress) - 1 - progress[::-1].index(True)
    kept = [span for i, span in enumerate(spans) if not progress[i] or i == newest]
    # (between two kept commands, what the child wrote after the first: a ``\r`` a .NET
    # reader ends a line at, or nothing)
    cr = "\r" if "\r" in raw[:body] and commands.ends_at_cr() else ""
    thinned = cr.join(raw[a:b] for a, b in kept) + raw[body:]
    return thinned.encode("utf-8", "surrogateescape")


def only_progress(commands: Commands, line: CommandLine) -> bool:
    """Whether a command line holds no command but progress ones: a line that also sets a
    variable or reports a problem is never thrown out as a progress state (only its
    progress commands could be, and the line passes whole)."""
    spans = line.spans
    return len(spans) < 2 or all(commands.progress_of(line.raw[a:b]) for a, b in spans)


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


__all__ = ["CommandLine", "command_parts", "newest_progress", "only_progress", "read"]
