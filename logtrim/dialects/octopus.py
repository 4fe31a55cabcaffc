"""Octopus Deploy: ``##octopus[...]`` service messages, base64 values (see docs/ci.md).

Besides its commands, Octopus has *level switches* (``##octopus[stdout-warning]``): sticky
per stream until the next one. The dialect tracks them as it observes the child's lines and
tells the engine, as a :class:`~logtrim.dialects.base.Level`, how the lines after a switch
are shown; before logtrim's own closing lines it switches back to the defaults, because
Calamari keeps the child's last switch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from .._regex import lazy
from . import octomask
from .base import Action, Closing, Dialect, Level, Print, failure_note
from .escape import reason_line
from .servicemsg import (
    MARKER,
    OPENER,
    Mode,
    ServiceMessage,
    calamari_bodies,
    calamari_read,
    format_message,
    loose_messages,
    parse_messages,
)
from .syntax import Mask

#: A message's later line: attributes, perhaps its ``]`` and text after it (Calamari's text);
#: the fail-open path reads the same lines as bytes (logtrim/run/fallback.py).
ATTRIBUTES = r"""\s*(?:(?:[A-Za-z_][\w.-]*\s*=\s*(?:'[^']*'|"[^"]*")\s*)+(?:\][^\n]*)?|\][^\n]*)"""
_ATTRIBUTES = lazy(ATTRIBUTES)
_BLANKS_NULS = lazy(r"^[\s\x00]+|[\s\x00]+$")  # what .NET's Boolean.TryParse trims
_COMMAND = lazy(octomask.COMMAND)
# A level switch alone on its line, as the bootstrap's ``Write-Verbose`` writes one before and
# after each line (see ``Dialect.quick``): no attribute, nothing to decode or mask.
_QUICK = lazy(
    rb"##octopus\[(?:%s)\]\r?\n" % "|".join(re.escape(mode.value) for mode in Mode).encode()
)
# Each level switch alone on its line, as written (the quick lines that are switches).
_SWITCHES = {
    f"{MARKER}{mode.value}]{end}".encode(): mode
    for mode in Mode
    for end in ("", "\r", "\n", "\r\n")
}
_STDERR_MODES = frozenset(mode for mode in Mode if mode.stderr)
# The start of a message cut short anywhere after its name (a value megabytes long).
_START = lazy(
    r"""(?i:##octopus)\s*\[*\s*[A-Za-z][\w.-]*"""
    r"""(?:\s+[A-Za-z_][\w.-]*\s*=\s*(?:'[^']*'|"[^"]*"))*"""
    r"""(?:\s+[A-Za-z_][\w.-]*(?:\s*=\s*(?:'[^']*|"[^"]*)?)?)?\s*\Z"""
)
# The messages octopus.md lists: their names are kept in a message, whatever the secrets.
_NAMES = (
    "setVariable", "createArtifact", "resultMessage", "progress", "mask",
    "create-kubernetestarget", "create-azurewebapptarget", "create-tokenaccount",
    "create-awsaccount", "delete-target", "createStepPackageTarget", "set-environmentstate",
)  # fmt: skip
# A message's name, and where an attribute named ``value`` begins its text.
_NAME = lazy(r"(?i:##octopus)\s*\[*\s*([A-Za-z][\w.-]*)")
_VALUE = lazy(r"""\s(?i:value)\s*=\s*['"]""")
_OPENER_TEXT = lazy(re.escape(OPENER), re.IGNORECASE)
# What each switch does to the lines after it. ``stderr-error`` and ``stderr-output`` only
# change the server's level for stderr lines: the rules still decide what is shown.
_LEVELS = {
    Mode.STDOUT_DEFAULT: Level.NORMAL,
    Mode.STDOUT_VERBOSE: Level.QUIET,  # Verbose lines: archive only
    Mode.STDOUT_WARNING: Level.WARNING,
    Mode.STDOUT_ERROR: Level.ERROR,
    Mode.STDOUT_HIGHLIGHT: Level.INFO,
    Mode.STDOUT_WAIT: Level.INFO,
    Mode.STDOUT_IGNORE: Level.IGNORED,
    Mode.STDERR_DEFAULT: Level.NORMAL,
    Mode.STDERR_ERROR: Level.NORMAL,
    Mode.STDERR_PROGRESS: Level.PROGRESS,
    Mode.STDERR_IGNORE: Level.IGNORED,
    Mode.STDERR_OUTPUT: Level.NORMAL,
}


class Octopus(Dialect):
    name: ClassVar[str] = "octopus"
    detect_var: ClassVar[str | None] = "OctopusCalamariWorkingDirectory"
    markers: ClassVar[tuple[bytes, ...]] = (OPENER.encode(),)
    declaring: ClassVar[tuple[bytes, ...]] = (b"##octopus[mask", b"##octopus[setvariable")
    syntax_words: ClassVar[tuple[str, ...]] = (
        *(mode.value for mode in Mode), *_NAMES, "name", "value", "sensitive", "message",
        "path", "length", "percentage",
    )  # fmt: skip
    # Deployment scripts print Octopus messages whatever runs them: always passed verbatim.
    forward_always: ClassVar[bool] = True
    closes_at_bracket: ClassVar[bool] = True  # Calamari reads up to the first ']'
    base64_values: ClassVar[bool] = True
    quick: ClassVar[re.Pattern[bytes] | None] = _QUICK

    def shows_line(self, line: str) -> bool:
        # Calamari reads every service message and writes none of them to the task log, but
        # one it cannot parse (a value not base64): that it writes as a warning.
        if not line.lstrip().startswith("##octopus["):
            return True
        return line.encode("utf-8", "surrogateescape") not in _SWITCHES and not parse_messages(line)

    def __init__(self) -> None:
        self.stdout = Mode.STDOUT_DEFAULT
        self.stderr = Mode.STDERR_DEFAULT
        self.sent_result = False  # the child sent its own resultMessage

    def is_command(self, line: str) -> bool:
        # Only a line that holds a message passes verbatim and outside the budget: a marker
        # in plain text is a line like any other (filtered, budgeted, masked as text).
        return "#" in line and _COMMAND.search(line) is not None

    def command_span(self, line: str) -> tuple[int, int] | None:
        # Text before the marker or after the ']' is printed as plain output.
        found = _COMMAND.search(line)
        return None if found is None else found.span()

    def long_command(self, start: str) -> bool:
        return _COMMAND.match(start) is not None or _START.match(start) is not None

    def declaring_spans(self, line: str) -> list[tuple[int, int]] | None:
        # Each message that declares a secret, wherever it is on the line; one left open
        # (its ']' on a later line) to the end of the line. No opener: a later line of one.
        spans: list[tuple[int, int]] = []
        openers = [m.start() for m in _OPENER_TEXT.finditer(line)]
        if not openers:
            return None
        for start in openers:
            if spans and start < spans[-1][1]:
                continue
            end = line.find("]", start)
            if end < 0:
                spans.append((start, len(line.rstrip("\r\n"))))
                break
            if self.declared_secrets(line[start : end + 1]):
                spans.append((start, end + 1))
        return spans

    def is_progress(self, line: str) -> bool:
        return f"{MARKER}progress" in line

    def native_progress(self, percent: int, message: str) -> str | None:
        # The task log's progress bar; both values base64, as in every message.
        return format_message("progress", percentage=str(percent), message=message)

    def long_value_at(self, start: str) -> int:
        # ``sensitive`` comes after the value (Calamari's helpers write it so): a long
        # ``setVariable`` may declare one until its end.
        name = _NAME.match(start)
        if name is None or name[1].lower() not in ("setvariable", "mask"):
            return -1
        value = _VALUE.search(start, name.end())
        return name.end() if value is None else value.end()

    def long_declares(self, head: str, tail: str) -> bool:
        name = _NAME.match(head)
        if name is None or name[1].lower() == "mask" or head[-1:] not in ("'", '"'):
            return True
        close = tail.find(head[-1])  # the value's closing quote, its other attributes after
        return close < 0 or bool(self.declared_secrets(head + "QUFBQQ==" + tail[close:]))

    def declared_secrets(self, line: str) -> list[str]:
        if "#" not in line:
            return []
        # Every message on the line, in any case: more masking is safe. A lone \r between
        # its attributes is read with a blank there too, as a message over two lines is (a
        # reader that ends a line at \r sees two; the tight reading glues the attributes).
        messages = parse_messages(line, any_case=True)
        if "\r" in line.rstrip("\r\n"):
            messages += parse_messages(line.rstrip("\r\n").replace("\r", " "), any_case=True)
        # ... and one Calamari drops (an attribute that is not base64): it prints it back.
        return _declared(messages) or _declared(loose_messages(line))

    def declares_to_ci(self, line: str) -> bool:
        # Only a declaration Calamari's own parser takes: Octopus masks that value; one it
        # never reads (``###octopus[``, after ``##octopus x``) is masked here, as text.
        if "#" not in line:
            return False
        bodies, left = calamari_bodies(line)
        if _declared(calamari_read(bodies)):
            return True
        # A message still open at the end (a value too long to hold: its end comes later).
        name = _NAME.match(OPENER + left) if left is not None else None
        return name is not None and name[1].lower() in ("setvariable", "mask")

    def mask_command(self, line: bytes, mask: Mask, *, continued: bool = False) -> bytes | None:
        return octomask.mask_line(line, mask, self.keep_words(), continued=continued)

    def unclosed(self, line: str) -> bool:
        starts = [m.end() for m in _OPENER_TEXT.finditer(line)]
        return "]" not in line[starts[-1] if starts else 0 :]

    def closes(self, line: str) -> bool:
        # Calamari reads an open message up to the next ']': a line holding one ends it
        # (``]##octopus[p`` ends one and opens another, read from that line).
        return "]" in line

    def continues(self, line: str) -> bool:
        # Servers parse a message over several lines; a line that is not attributes (the
        # text after "see ##octopus[ docs") is no part of one.
        return _ATTRIBUTES.fullmatch(line.rstrip("\r\n")) is not None

    def gathers(self, line: str) -> bool:
        # Calamari's parser reads on, over any lines, up to the next ']'.
        return True

    def observe(self, line: str) -> None:
        if "#" not in line:
            return
        for message in parse_messages(line):  # as Calamari reads them: in order, in case
            name = message.name.lower()
            if name == "resultmessage":
                self.sent_result = True
                continue
            try:
                mode = Mode(name)
            except ValueError:
                continue
            self._switch(mode)

    def _switch(self, mode: Mode) -> None:
        if mode in _STDERR_MODES:
            self.stderr = mode
        else:
            self.stdout = mode

    def observe_quick(self, line: bytes) -> None:
        # A level switch alone: its name is its mode (a look-up: a script's every
        # ``Write-Verbose`` is two of them).
        if (mode := _SWITCHES.get(line)) is not None:
            self._switch(mode)
        elif b"##octopus" in line:  # what Calamari's parser looks for
            self.observe(line.decode("utf-8", "replace"))

    def level(self, stderr: bool) -> Level:
        return _LEVELS[self.stderr if stderr else self.stdout]

    def child_sent_result(self) -> bool:
        return self.sent_result

    def reset_lines(self) -> list[str]:
        return [
            f"{MARKER}{default.value}]"
            for mode, default in (
                (self.stdout, Mode.STDOUT_DEFAULT),
                (self.stderr, Mode.STDERR_DEFAULT),
            )
            if mode is not default
        ]

    def own_line_levels(self) -> tuple[list[str], list[str]]:
        # Our lines go to stdout: only its switch matters (the server keeps it per stream).
        if self.stdout is Mode.STDOUT_DEFAULT:
            return [], []
        return [f"{MARKER}{Mode.STDOUT_DEFAULT.value}]"], [f"{MARKER}{self.stdout.value}]"]

    def finish(self, closing: Closing) -> list[Action]:
        actions: list[Action] = []
        if closing.failed and not closing.child_sent_result:
            if closing.reason:
                # One line without control characters, as every other system's reason.
                reason = reason_line(closing.reason, encoded=True)
                actions.append(Print(format_message("resultMessage", message=reason)))
            else:  # nothing to name: the task log still says that the step failed, and how
                actions += failure_note(closing)
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


def _declared(messages: Sequence[ServiceMessage]) -> list[str]:
    """The secrets ``messages`` declare: a sensitive ``setVariable``'s value, a ``mask``'s."""
    found: list[str] = []
    for message in messages:
        name = message.name.lower()
        # As .NET's bool.Parse, any case, blanks and NULs around (learning more is always
        # safe: ``Boolean.TryParse`` trims both, ``True\0`` is true to Calamari).
        flag = message.attrs.get("sensitive") or ""
        sensitive = name == "setvariable" and _BLANKS_NULS.sub("", flag).lower() == "true"
        value = message.attrs.get("value")
        if value and (sensitive or name == "mask"):
            found.append(value)
            # Bytes that are not UTF-8: the child prints them raw (the value as it is,
            # surrogates for them), and Calamari masks what it reads (U+FFFD for them).
            read = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            if read != value:
                found.append(read)
    return found
