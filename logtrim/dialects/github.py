"""GitHub Actions: ``::name k=v::data`` workflow commands and the step summary file.

GitHub has no stdout command to publish a file (an ``actions/upload-artifact`` step does it),
so ``finish`` names the archive in a ``::notice::`` and in ``$GITHUB_STEP_SUMMARY``.

``::stop-commands::TOKEN`` makes the runner ignore every command until a line ``::TOKEN::``.
The dialect tracks that state: call :meth:`GitHub.observe` once per line of the child's output,
*after* :meth:`is_command` and :meth:`declared_secrets` have looked at it. While paused, only
the resume line counts as a command and no ``add-mask`` is honoured (the runner ignores it too):
its value is still learned (more masking is safe; a stray pause in a tool's log must not turn
learning off), but the line is text to the runner, so its value is masked on the console.
:meth:`reset_lines` resumes command processing before logtrim writes its own commands.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import ClassVar

from .._regex import lazy
from .base import Action, AppendFile, Closing, Dialect, Print, dotnet_lines, failure_note
from .escape import (
    failure_text,
    gh_command,
    gh_data,
    gh_property,
    md_code_span,
    md_fenced,
    md_text,
)
from .ghcommands import (
    COMMANDS,
    FOLDED,
    command_at,
    commands,
    fold,
    parse,
    paused,
    read_at,
    syntax,
)
from .syntax import Mask, declaring_parts

# Groups, logs and annotations with values of plain text (see ``Dialect.quick``).
_QUICK = lazy(
    rb"::(?:group|endgroup|debug|notice|warning|error)"
    rb"(?: [A-Za-z]+=[\w ./=+()-]*(?:,[A-Za-z]+=[\w ./=+()-]*)*)?::[\w .,:/=+()-]*\n"
)

# The quick lines that start or end a group, in either form (``::group::``, ``##[group]``).
_QUICK_GROUP = lazy(rb"(?:::|##\[)(end)?group[ :\]]")


# Commands the runner reads and writes no log line for (``::debug::`` shows only with step
# debugging on).
_UNSHOWN = frozenset(
    ("DEBUG", "ADD-MASK", "ENDGROUP", "SAVE-STATE", "SET-OUTPUT", "SET-ENV", "ADD-PATH",
     "ECHO", "STOP-COMMANDS", "ADD-MATCHER", "REMOVE-MATCHER")
)  # fmt: skip


class GitHub(Dialect):
    name: ClassVar[str] = "github"
    dotnet_reader = True
    detect_var: ClassVar[str | None] = "GITHUB_ACTIONS"
    markers: ClassVar[tuple[bytes, ...]] = (b"::", b"##[")
    declaring: ClassVar[tuple[bytes, ...]] = (b"::add-mask::", b"##[add-mask]")
    ends_at_cr: ClassVar[bool] = True
    syntax_words: ClassVar[tuple[str, ...]] = (
        *sorted(COMMANDS), "title", "file", "line", "col", "endLine", "endColumn",
    )  # fmt: skip
    quick: ClassVar[re.Pattern[bytes] | None] = _QUICK

    def __init__(self) -> None:
        #: The ``stop-commands`` token while command processing is paused, else None.
        self.paused_token: str | None = None
        #: The child opened a group and has not ended it (groups do not nest on GitHub).
        self.group_open = False
        self.was_paused = False  # the child paused commands at some time (replay_pause)
        # The console's masking: a token that holds a secret is ``********`` to the runner.
        self._hide: Callable[[str], str] | None = None
        # The tokens of pauses whose stop the console showed in clear, folded -> as shown:
        # the command that resumes one is shown with that token, though it became a secret
        # since (an ``add-mask`` of it while paused): it was on the console, and masked, the
        # runner would never resume. A few at most.
        self._clear_tokens: dict[str, str] = {}

    @classmethod
    def detect(cls, env: Mapping[str, str]) -> bool:
        return env.get("GITHUB_ACTIONS", "").lower() == "true"

    def is_command(self, line: str) -> bool:
        token = self.paused_token
        for name, _ in commands(line):
            if fold(name) == fold(token) if token is not None else fold(name) in FOLDED:
                return True
        return False

    def may_be_command(self, line: str) -> bool:
        # Any command's syntax: a paused runner's resume token is one (its name is the token).
        return parse(line) is not None

    def long_command(self, start: str) -> bool:
        # (a part of a line too long to hold, after a ``\r``: the resume token too)
        line = self.first_read(start)
        return self.is_command(line) or self.may_be_command(line)

    def shows_line(self, line: str) -> bool:
        # The runner shows a group's title and an annotation's text; the rest it only reads.
        # While commands are stopped, each is plain text.
        if self.paused_token is not None:
            return True
        found = commands(line)
        return not found or any(fold(name) not in _UNSHOWN for name, _ in found)

    def ends_section(self, line: str) -> bool:
        return any(fold(name) == "ENDGROUP" for name, _ in commands(line))

    def reported_error(self, line: str) -> tuple[str, bool] | None:
        if self.paused_token is not None:
            return None
        for name, data in commands(line):
            if fold(name) == "ERROR" and data.strip():
                return data, False
        return None

    def syntax_spans(self, line: bytes) -> list[tuple[int, int]]:
        return syntax(line)[0]

    def declared_secrets(self, line: str) -> list[str]:
        # Learned whatever the pause, and after any whitespace (a separator byte the runner
        # does not trim) or a byte-order mark (.NET drops one at the output's start): more
        # masking is always safe (see declares_to_ci). So is any case: ``add-maſk`` is text to
        # the runner (its ordinal casing keeps the long s), a value to mask to logtrim.
        return [
            value
            for name, value in commands(line.lstrip("\ufeff"), blanks=None)
            if name.upper() == "ADD-MASK" and value.strip()
        ]

    def declaring_spans(self, line: str) -> list[tuple[int, int]] | None:
        # The runner reads text before an older ``##[add-mask]`` as output: masked.
        return declaring_parts(line, command_at, self._declaring(line))

    def declares_to_ci(self, line: str) -> bool:
        # While paused the runner reads an ``add-mask`` as text: its value is masked there.
        return any(self._declaring(line))

    def _declaring(self, line: str) -> list[bool]:
        """Per line the runner reads in ``line`` (:func:`.dotnet_lines`), whether it is an
        ``add-mask`` the runner takes: read while commands run, a pause or its end earlier
        on the same line counted (``::stop-commands::T\r::add-mask::x``: text)."""
        token, flags = self.paused_token, []
        for part in dotnet_lines(line):
            found = parse(part)
            name, data = found if found is not None else ("", "")
            flags.append(token is None and fold(name) == "ADD-MASK" and bool(data.strip()))
            token = paused(token, name, data)
        return flags

    def secret_forms(self, value: str) -> list[str]:
        return [gh_data(value), gh_property(value)]

    def observe(self, line: str) -> None:
        """Follow ``stop-commands`` pauses; call once per child line, after classifying it."""
        # The runner (.NET) drops a byte-order mark at the output's start only: a pause or a
        # group behind it there is the runner's; one behind a later mark is text to it.
        if not self._started:
            self._started = True
            line = line.removeprefix("\ufeff")
        for name, data in commands(line):
            self._observe(name, data)

    def hide_with(self, hide: Callable[[str], str]) -> None:
        self._hide = hide

    def _observe(self, name: str, data: str) -> None:
        if self._hide is not None and not self._resumes(name):
            # As the runner reads them: masked as the console shows (a pause's token that
            # holds a secret is ``********`` to it), but for a resume shown as written.
            hidden = self._hide(name), self._hide(data)
            if fold(name) == "STOP-COMMANDS" and hidden[1] == data and len(self._clear_tokens) < 64:
                self._clear_tokens.setdefault(fold(data), data)
            name, data = hidden
        running = self.paused_token is None
        self.paused_token = paused(self.paused_token, name, data)
        self.was_paused = self.was_paused or self.paused_token is not None
        if running and self.paused_token is None and fold(name) in ("GROUP", "ENDGROUP"):
            self.group_open = fold(name) == "GROUP"

    def _resumes(self, name: str) -> bool:
        """Whether a command of this name resumes a pause whose stop the console showed with
        its token in clear (the runner compares names in any case)."""
        return bool(self._clear_tokens) and fold(name) in self._clear_tokens

    def resumes_in_clear(self, line: str) -> bool:
        if not self._clear_tokens:
            return False
        return any(self._resume_part(part) for part in line.rstrip("\r\n").split("\r"))

    def _resume_part(self, part: str) -> bool:
        """Whether one line the runner reads resumes a pause whose token the console showed
        in clear."""
        found = parse(part)
        return found is not None and self._resumes(found[0])

    def mask_command(self, line: bytes, mask: Mask, *, continued: bool = False) -> bytes | None:
        # The resume of a pause whose token the console showed in clear: with that token as
        # shown (the runner compares names in any case: another case of it may be a secret
        # never shown), its data masked; each part after a lone \r as the runner reads it.
        text = line.decode("utf-8", "surrogateescape")
        if not self.resumes_in_clear(text):
            return super().mask_command(line, mask, continued=continued)
        body = text.rstrip("\r\n")
        out: list[bytes] = []
        for part in body.split("\r"):
            raw = part.encode("utf-8", "surrogateescape")
            if self._resume_part(part):
                out.append(self._resume_form(part, mask))
            else:
                masked = super().mask_command(raw, mask)
                out.append(mask(raw) if masked is None else masked)
        return b"\r".join(out) + line[len(body.encode("utf-8", "surrogateescape")) :]

    def _resume_form(self, part: str, mask: Mask) -> bytes:
        """A resume of a pause whose token the console showed in clear, with that token."""
        at, name, _ = read_at(part) or (0, "", "")
        start = part.find("::", at) + 2
        head = part[:start] + self._clear_tokens[fold(name)] + "::"
        rest = part[start + len(name) + 2 :].encode("utf-8", "surrogateescape")
        return head.encode("utf-8", "surrogateescape") + (mask(rest) if rest else b"")

    def quick_ready(self) -> bool:
        return self.paused_token is None

    _started = False  # a line was observed: the output's start is past

    def observe_quick(self, line: bytes) -> None:
        # Of the quick shapes, only a group's start or end is seen (a quick line is no
        # pause and ends none: a token is never a command's name).
        self._started = True
        found = _QUICK_GROUP.match(line)
        if found is not None and self.paused_token is None:
            self.group_open = found.group(1) is None

    def reset_lines(self) -> list[str]:
        # logtrim's own ::error:: and ::notice:: would be ignored while the child's pause
        # lasts, and its closing lines would fold into a group the child left open.
        lines = []
        if self.paused_token is not None:
            lines.append(f"::{self.paused_token}::")
            self.paused_token = None
        if self.group_open:
            lines.append("::endgroup::")
            self.group_open = False
        return lines

    def replay_pause(self, lines: bytes) -> tuple[str, str] | None:
        if not self.was_paused:
            return None
        # A token none of the lines can hold (a hash of them all): none ends this pause.
        token = f"logtrim-{hashlib.blake2b(lines, digest_size=12).hexdigest()}"
        return f"::stop-commands::{token}", f"::{token}::"

    def group_start(self, title: str, *, timestamp: float = 0.0) -> str | None:
        return f"::group::{gh_data(title)}"

    def group_end(self, title: str, *, timestamp: float = 0.0) -> str | None:
        return "::endgroup::"

    def finish(self, closing: Closing) -> list[Action]:
        actions: list[Action] = []
        if closing.failed and not closing.child_sent_result and not closing.error_reported:
            reason = failure_text(closing.reason, closing.exit_code)
            title = f"logtrim: exit code {closing.exit_code}"
            actions.append(Print(gh_command("error", reason, title=title)))
        elif closing.failed and not closing.child_sent_result:
            # The child's own ::error is the reason: no second annotation, but the log
            # still says that the step failed, and why.
            actions += failure_note(closing)
        summary_path = closing.env.get("GITHUB_STEP_SUMMARY")
        if summary_path:
            actions.append(AppendFile(summary_path, step_summary(closing)))
        if closing.archive_path:
            note = (
                f"full log {closing.archive_name} at {closing.archive_path}"
                " (keep it with actions/upload-artifact)"
            )
            actions.append(Print(gh_command("notice", note, title="logtrim")))
        return actions


def step_summary(closing: Closing) -> str:
    """The markdown logtrim appends to ``$GITHUB_STEP_SUMMARY``: every value made inert."""
    status = f"failed (exit code {closing.exit_code})" if closing.failed else "succeeded"
    parts = [f"### logtrim: {status}"]
    if closing.failed:  # the reason the ::error annotation gives, first
        parts.append("Reason: " + md_code_span(failure_text(closing.reason, closing.exit_code)))
    if closing.summary:
        parts.append("\n".join(f"- {md_text(line.strip())}" for line in closing.summary))
    if closing.first_errors:
        parts.append("First errors:\n\n" + md_fenced(list(closing.first_errors)))
    if closing.archive_path:
        parts.append(
            f"Full log: {md_code_span(closing.archive_path)} ({closing.archive_size:,} bytes, zstd)"
        )
    # Blank lines around the block keep it apart from whatever the step already wrote.
    return "\n" + "\n\n".join(parts) + "\n"
