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
from collections.abc import Mapping
from typing import ClassVar

from .._regex import lazy
from .base import Action, AppendFile, Closing, Dialect, Print, dotnet_lines
from .escape import (
    failure_text,
    gh_command,
    gh_data,
    gh_property,
    gh_unescape_data,
    gh_unescape_v1,
    md_code_span,
    md_fenced,
    md_text,
)
from .syntax import Mask, declaring_parts, mask_outside, syntax_of
from .unescape import GH_DATA, GH_PROPERTY, GH_V1, mask_value

# The runner's own commands. Matching only these keeps C++ lines such as ``::std::move(x)``
# from being mistaken for commands.
# fmt: off
COMMANDS = frozenset({
    "add-mask", "add-matcher", "add-path", "debug", "echo", "endgroup", "error", "group",
    "internal-set-repo-path", "notice", "remove-matcher", "save-state", "set-env",
    "set-output", "stop-commands", "warning",
})
# fmt: on
_FOLDED = frozenset(name.upper() for name in COMMANDS)  # as ``fold`` gives them


# What .NET's ``TrimStart()`` takes off (``Char.IsWhiteSpace``), as the runner trims a line
# before ``::``: not the separators U+001C-U+001F, which Python's ``str.strip`` also takes.
_BLANKS = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)


def parse(line: str, *, blanks: str | None = _BLANKS) -> tuple[str, str] | None:
    """``(name, data)`` of a workflow command, the way the runner reads it, or None.

    The runner tries two forms: ``::name props::data`` at the start of the line (after
    spaces), then the older ``##[name props]data`` anywhere in it (its data escaped as
    Azure's). Names are compared in any case.
    """
    found = _read(line, blanks)
    return None if found is None else found[1:]


def _read(line: str, blanks: str | None = _BLANKS) -> tuple[int, str, str] | None:
    """:func:`parse`, and where in ``line`` the command it reads starts."""
    text = line.rstrip("\r\n")
    stripped = text.lstrip(blanks)
    end = stripped.find("::", 2) if stripped.startswith("::") else -1
    name = stripped[2:end].split(" ", 1)[0] if end >= 0 else ""
    # Not one of its commands: the runner tries the older form on the same line.
    if name and (fold(name) in _FOLDED or "##[" not in text):
        return len(text) - len(stripped), name, gh_unescape_data(stripped[end + 2 :])
    start = text.find("##[")
    end = text.find("]", start) if start >= 0 else -1
    if end < 0:
        return None
    name = text[start + 3 : end].split(" ", 1)[0]
    return (start, name, gh_unescape_v1(text[end + 1 :])) if name else None


def _command_at(part: str) -> int:
    """Where the command :func:`parse` reads in one of the runner's lines starts (-1: none)."""
    found = _read(part)
    return -1 if found is None else found[0]


def fold(text: str) -> str:
    """``text`` as the runner's ``StringComparison.OrdinalIgnoreCase`` compares it: each
    character upper-cased alone, simply (the Kelvin sign is no ``k`` there, as it is to
    ``str.lower``: a pause the runner keeps must not end for logtrim)."""
    if text.isascii():
        return text.upper()
    return "".join(up if len(up := char.upper()) == 1 else char for char in text)


def _paused(token: str | None, name: str, data: str) -> str | None:
    """The runner's pause token after it reads the command ``name`` with ``data``: a pause
    ends at its token (compared in any case); ``stop-commands`` starts one (not an empty
    token nor a command's name, which the runner refuses)."""
    if token is not None:
        return None if fold(name) == fold(token) else token
    if fold(name) == "STOP-COMMANDS" and data and fold(data) not in _FOLDED:
        return data
    return None


def commands(line: str, *, blanks: str | None = _BLANKS) -> list[tuple[str, str]]:
    """:func:`parse` of each line the runner reads in ``line`` (:func:`.dotnet_lines`) that
    holds a command (``blanks``: what is trimmed before ``::``; None: any whitespace)."""
    return [
        found for part in dotnet_lines(line) if (found := parse(part, blanks=blanks)) is not None
    ]


# A command's syntax (bytes), all but its values, as the runner splits it (see
# dialects/unescape.py): ``::name props::`` at the line's start, its properties up to the
# first ``::``, each value after its ``=`` up to a ``,``; or the older ``##[name props]``,
# each value up to a ``;``.
_V2 = lazy(rb"\A\s*::([^\s:]+)(?: [^:]*(?::[^:]+)*)?::")
_V2_VALUES = lazy(rb"=([^,]*)")
_V1 = lazy(rb"##\[([^\]]*)\]")
_V1_VALUES = lazy(rb"=([^;\]]*)")
# The same grammar over a region of many lines (engine/masking/encoded.py finds the values a secret
# may be spelled in): a command at any line's start with its properties (group 1) and its
# data (group 2); the older form anywhere; nothing past a line's end. A line ends at a lone
# carriage return too, as the runner reads it (:func:`.dotnet_lines`).
V2_IN_TEXT = lazy(rb"(?m)(?:^|\r)[^\S\r\n]*::[^\s:]+(?: ([^:\r\n]*(?::[^:\r\n]+)*))?::([^\r\n]*)")
V2_VALUES_IN_TEXT = lazy(rb"=([^,\r\n]*)")
V1_IN_TEXT = lazy(rb"##\[([^\]\r\n]*)\]([^\r\n]*)")
V1_VALUES_IN_TEXT = lazy(rb"=([^;\]\r\n]*)")


def _syntax(line: bytes) -> tuple[list[tuple[int, int]], bool]:
    """The syntax spans of the command on ``line`` and whether it is the older form; the
    form the runner tries first, as :func:`parse` does."""
    found = _V2.match(line)
    if found and (fold(found.group(1).decode("utf-8", "replace")) in _FOLDED or b"##[" not in line):
        # The closing ``::`` is no part of the last value.
        return syntax_of(line, _V2, _V2_VALUES, found.end() - 2), False
    return syntax_of(line, _V1, _V1_VALUES), True


# Groups, logs and annotations with values of plain text (see ``Dialect.quick``).
_QUICK = lazy(
    rb"::(?:group|endgroup|debug|notice|warning|error)"
    rb"(?: [A-Za-z]+=[\w ./=+()-]*(?:,[A-Za-z]+=[\w ./=+()-]*)*)?::[\w .,:/=+()-]*\n"
)

# The quick lines that start or end a group, in either form (``::group::``, ``##[group]``).
_QUICK_GROUP = lazy(rb"(?:::|##\[)(end)?group[ :\]]")


class GitHub(Dialect):
    name: ClassVar[str] = "github"
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

    @classmethod
    def detect(cls, env: Mapping[str, str]) -> bool:
        return env.get("GITHUB_ACTIONS", "").lower() == "true"

    def is_command(self, line: str) -> bool:
        token = self.paused_token
        for name, _ in commands(line):
            if fold(name) == fold(token) if token is not None else fold(name) in _FOLDED:
                return True
        return False

    def reported_error(self, line: str) -> tuple[str, bool] | None:
        if self.paused_token is not None:
            return None
        for name, data in commands(line):
            if fold(name) == "ERROR" and data.strip():
                return data, False
        return None

    def syntax_spans(self, line: bytes) -> list[tuple[int, int]]:
        return _syntax(line)[0]

    def mask_syntax(self, line: bytes, mask: Mask) -> bytes:
        # Each value as the runner decodes it: a secret in any mix of its escapes is found.
        body = line.rstrip(b"\r\n")
        spans, v1 = _syntax(body)
        values, data = (GH_V1, GH_V1) if v1 else (GH_PROPERTY, GH_DATA)
        masked = mask_outside(
            body,
            spans,
            mask,
            self.keep_words(),
            value=lambda raw: mask_value(raw, values, mask),
            tail=lambda raw: mask_value(raw, data, mask),
        )
        return masked + line[len(body) :]

    def declared_secrets(self, line: str) -> list[str]:
        # Learned whatever the pause, and after any whitespace (a separator byte the runner
        # does not trim) or a byte-order mark (.NET drops one at the output's start): more
        # masking is always safe (see declares_to_ci).
        return [
            value
            for name, value in commands(line.lstrip("\ufeff"), blanks=None)
            if fold(name) == "ADD-MASK" and value.strip()
        ]

    def declaring_spans(self, line: str) -> list[tuple[int, int]] | None:
        # The runner reads text before an older ``##[add-mask]`` as output: masked.
        return declaring_parts(line, _command_at, self._declaring(line))

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
            token = _paused(token, name, data)
        return flags

    def secret_forms(self, value: str) -> list[str]:
        return [gh_data(value), gh_property(value)]

    def observe(self, line: str) -> None:
        """Follow ``stop-commands`` pauses; call once per child line, after classifying it."""
        for name, data in commands(line):
            self._observe(name, data)

    def _observe(self, name: str, data: str) -> None:
        running = self.paused_token is None
        self.paused_token = _paused(self.paused_token, name, data)
        self.was_paused = self.was_paused or self.paused_token is not None
        if running and self.paused_token is None and fold(name) in ("GROUP", "ENDGROUP"):
            self.group_open = fold(name) == "GROUP"

    def quick_ready(self) -> bool:
        return self.paused_token is None

    def observe_quick(self, line: bytes) -> None:
        # Of the quick shapes, only a group's start or end is seen (a quick line is no
        # pause and ends none: a token is never a command's name).
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
        if closing.failed and not closing.child_sent_result:
            reason = failure_text(closing.reason, closing.exit_code)
            title = f"logtrim: exit code {closing.exit_code}"
            actions.append(Print(gh_command("error", reason, title=title)))
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
