"""TeamCity: ``##teamcity[name 'value']`` / ``##teamcity[name k='v' ...]`` service messages.

Values use ``|`` escapes (see ``_escape``); non-ASCII stays as UTF-8. TeamCity reads a message
anywhere in a line, so :meth:`TeamCity.is_command` does too.

``publishArtifacts`` takes *path rules*: a comma or newline separates rules, ``=>`` names a
target and ``*`` matches any name, with no way to escape any of them. Those characters become
the ``?`` wildcard, which still matches the archive's own name.
"""

from __future__ import annotations

import re
from typing import ClassVar

from .._regex import lazy
from .base import Action, Closing, Dialect, Print
from .escape import failure_text, tc_message, tc_value, wildcard_safe
from .syntax import Mask, mask_outside, syntax_of
from .unescape import TEAMCITY, decode, mask_value

# ``##teamcity[name ...]`` up to the first ']' outside its quoted values (TeamCity's parser
# reads a value to its closing quote: ``|]`` and ``]`` inside one are its text); a message
# whose quotes do not close is read up to its first ']', as before.
# Outside its values, and inside them too, a message stops at the next ``##teamcity[``: a
# line of many unclosed ones was read in square time (``##teamcity[a b='|'\r`` 2,000 times,
# each value open to the next one's quote: 3.5 s, 4,000 times 13 s).
_NOT_NEXT = r"#(?!#teamcity\[)"
_VALUE = rf"'(?:[^'|#]|\|.|{_NOT_NEXT})*'"
_COMMAND = lazy(rf"##teamcity\[\s*[A-Za-z][\w.-]*(?:\s(?:{_VALUE}|[^\]'#]|{_NOT_NEXT})*)?\]")
_LOOSE = lazy(rf"##teamcity\[\s*[A-Za-z][\w.-]*(?:\s(?:[^\]#]|{_NOT_NEXT})*)?\]")
# The message's syntax (bytes): all but its quoted values, whose escapes are ``|x``.
_COMMAND_BYTES = lazy(_COMMAND.pattern.encode())
_LOOSE_BYTES = lazy(_LOOSE.pattern.encode())
#: A message up to its ``]``, found in bytes (its values read loosely).
MESSAGE = _LOOSE_BYTES
_VALUES = lazy(rb"'((?:[^'|]|\|.)*)'")
# The same over a region of many lines (engine/masking/encoded.py): a message up to its ']'
# (a quoted value may hold one) or its line's end, and its quoted values.
IN_TEXT = lazy(rb"##teamcity\[[^'\]\n]*(?:'(?:[^'|\n]|\|[^\n])*'[^'\]\n]*)*")
VALUES_IN_TEXT = lazy(rb"'((?:[^'|\n]|\|[^\n])*)'")


_ATTRS = lazy(r"(?<![\w.-])([A-Za-z_][\w.-]*)='((?:[^'|]|\|.)*)'")


def _unescape(value: str) -> str:
    """A quoted value as TeamCity reads it (``|'`` is ``'``, ``|n`` a newline)."""
    if "|" not in value:
        return value
    raw = value.encode("utf-8", "surrogateescape")
    return decode(raw, TEAMCITY)[0].decode("utf-8", "replace")


_SWITCH = lazy(r"##teamcity\[\s*(disable|enable)ServiceMessages\s*\]")


def _found(line: str) -> re.Match[str] | None:
    """The first message on ``line``: at each marker in turn, its values read to their closing
    quotes, else up to its first ']' (a search of either over the whole line, from each
    message of a line of loose ones, cost a square: ``##teamcity[a b='|]'`` over and over)."""
    at = line.find("##teamcity[")
    while at >= 0:
        found = _COMMAND.match(line, at) or _LOOSE.match(line, at)
        if found is not None:
            return found
        at = line.find("##teamcity[", at + 1)
    return None


def _split(found: re.Match[str]) -> tuple[str, str]:
    """A found message's name and the rest of it (its attributes, as written)."""
    name, _, rest = found.group(0)[len("##teamcity[") : -1].strip().partition(" ")
    return name, rest


_START = lazy(r"##teamcity\[\s*[A-Za-z][\w.-]*(?:\s[^\]]*)?\Z")  # cut short
# A test reporter's messages, values of plain text (see ``Dialect.quick``).
_QUICK_NAMES = (
    "testStarted|testFinished|testFailed|testIgnored|testStdOut|testStdErr|testSuiteStarted"
    "|testSuiteFinished|blockOpened|blockClosed|flowStarted|flowFinished|compilationStarted"
    "|compilationFinished|buildStatisticValue"
)
_QUICK = rb"##teamcity\[(?:%s)(?: [A-Za-z][\w.-]*='[\w .,:/=+()-]*')*\]\n"


def path_rule(path: str) -> str:
    """``path`` as a TeamCity artifact path rule that matches exactly that file."""
    return wildcard_safe(path, ",\r\n*").replace("=>", "=?")  # (a `*` would match any name)


# Commands TeamCity reads and writes no build-log line for.
_UNSHOWN = frozenset(
    ("setParameter", "buildStatisticValue", "publishArtifacts", "importData", "buildNumber",
     "addBuildTag", "removeBuildTag", "enableServiceMessages", "disableServiceMessages",
     "blockClosed", "flowStarted", "flowFinished")
)  # fmt: skip


class TeamCity(Dialect):
    name: ClassVar[str] = "teamcity"
    detect_var: ClassVar[str | None] = "TEAMCITY_VERSION"
    markers: ClassVar[tuple[bytes, ...]] = (b"##teamcity[",)
    syntax_words: ClassVar[tuple[str, ...]] = (
        "message", "text", "status", "publishArtifacts", "progressMessage", "progressStart",
        "progressFinish", "buildProblem", "description", "setParameter", "name", "value",
        "blockOpened", "blockClosed", "errorDetails",
    )  # fmt: skip
    closes_at_bracket: ClassVar[bool] = True
    escape: ClassVar[bytes] = b"|"
    quick: ClassVar[re.Pattern[bytes] | None] = lazy(_QUICK % _QUICK_NAMES.encode())
    quick_progress: ClassVar[re.Pattern[bytes] | None] = lazy(
        rb"##teamcity\[progressMessage '[\w .,:/=+()-]*'\]\n"
    )

    def __init__(self) -> None:
        #: The child turned service messages off (``disableServiceMessages``) and has not
        #: turned them on again: TeamCity would read logtrim's own messages as text.
        self.disabled = False

    def long_command(self, start: str) -> bool:
        return any(p.match(start) is not None for p in (_COMMAND, _LOOSE, _START))

    def syntax_spans(self, line: bytes) -> list[tuple[int, int]]:
        return syntax_of(line, _COMMAND_BYTES, _VALUES) or syntax_of(line, _LOOSE_BYTES, _VALUES)

    def mask_syntax(self, line: bytes, mask: Mask) -> bytes:
        # Each value as TeamCity decodes it (``p4ss|]w0rd``, ``|0x0070...``): found in any mix.
        spans = self.syntax_spans(line)
        value = lambda raw: mask_value(raw, TEAMCITY, mask)  # noqa: E731
        return mask_outside(line, spans, mask, self.keep_words(), value=value)

    def is_command(self, line: str) -> bool:
        # A message is one line, a name then its ']'; a marker in text without them is text.
        return "##teamcity[" in line and _found(line) is not None

    def command_span(self, line: str) -> tuple[int, int] | None:
        # Text before the marker or after the ']' is printed as plain output.
        found = _found(line)
        return None if found is None else found.span()

    def shows_line(self, line: str) -> bool:
        # Messages, blocks, tests and problems show in the build log; these only set things.
        # While service messages are off, each is plain text.
        if self.disabled or (found := _found(line)) is None:
            return True
        return _split(found)[0] not in _UNSHOWN

    def ends_section(self, line: str) -> bool:
        found = _found(line)
        return found is not None and _split(found)[0] == "blockClosed"

    def reported_error(self, line: str) -> tuple[str, bool] | None:
        if self.disabled or (found := _found(line)) is None:
            return None
        name, rest = _split(found)
        attrs = {k: _unescape(v) for k, v in _ATTRS.findall(rest)}
        if name == "buildProblem":
            text = attrs.get("description", "")
        elif name == "message" and attrs.get("status", "").upper() == "ERROR":
            text = attrs.get("text", "")
        elif name == "testFailed" and attrs.get("name"):
            message = attrs.get("message", "")
            return (f"{attrs['name']}: {message}" if message else attrs["name"]), True
        else:
            return None
        return (text, False) if text.strip() else None

    def observe(self, line: str) -> None:
        """Follow ``disableServiceMessages``/``enableServiceMessages``, as TeamCity reads them."""
        if "ServiceMessages" not in line:
            return
        for found in _SWITCH.finditer(line):
            self.disabled = found.group(1) == "disable"

    def observe_quick(self, line: bytes) -> None:
        if b"ServiceMessages" in line:
            self.observe(line.decode("utf-8", "replace"))

    def reset_lines(self) -> list[str]:
        # logtrim's status message and publishArtifacts would be plain text to TeamCity.
        if not self.disabled:
            return []
        self.disabled = False
        return [tc_message("enableServiceMessages")]

    def is_progress(self, line: str) -> bool:
        return "##teamcity[progressMessage" in line

    def secret_forms(self, value: str) -> list[str]:
        return [tc_value(value)]

    def native_progress(self, percent: int, message: str) -> str | None:
        # TeamCity shows a message, not a percentage: the line (which states it) is the text.
        return tc_message("progressMessage", message)

    def group_start(self, title: str, *, timestamp: float = 0.0) -> str | None:
        return tc_message("blockOpened", name=title)

    def group_end(self, title: str, *, timestamp: float = 0.0) -> str | None:
        return tc_message("blockClosed", name=title)

    def finish(self, closing: Closing) -> list[Action]:
        actions: list[Action] = []
        if closing.failed and not closing.child_sent_result:
            # The non-zero exit code already fails the build; this says why, once.
            reason = failure_text(closing.reason, closing.exit_code)
            actions.append(Print(tc_message("message", text=reason, status="ERROR")))
        if closing.archive_path:
            rule = path_rule(closing.archive_path)
            actions.append(Print(tc_message("publishArtifacts", rule)))
        return actions
