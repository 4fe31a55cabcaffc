"""GitHub Actions' workflow commands as the runner reads them: its command names, the blanks
it trims, its two forms (``::name props::data`` at a line's start, the older ``##[name
props]data`` anywhere), its pause (``::stop-commands::TOKEN``), names compared as .NET's
``OrdinalIgnoreCase`` compares them, and the commands' syntax spans. Used by
:mod:`.github` and the masking of values (engine/masking/encoded.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .._regex import lazy
from .base import dotnet_lines
from .escape import gh_unescape_data, gh_unescape_v1
from .syntax import syntax_of

# The runner's own commands. Matching only these keeps C++ lines such as ``::std::move(x)``
# from being mistaken for commands.
# fmt: off
COMMANDS = frozenset({
    "add-mask", "add-matcher", "add-path", "debug", "echo", "endgroup", "error", "group",
    "internal-set-repo-path", "notice", "remove-matcher", "save-state", "set-env",
    "set-output", "stop-commands", "warning",
})
# fmt: on
FOLDED = frozenset(name.upper() for name in COMMANDS)  # as ``fold`` gives them


# What .NET's ``TrimStart()`` takes off (``Char.IsWhiteSpace``), as the runner trims a line
# before ``::``: not the separators U+001C-U+001F, which Python's ``str.strip`` also takes.
BLANKS = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)


def parse(line: str, *, blanks: str | None = BLANKS) -> tuple[str, str] | None:
    """``(name, data)`` of a workflow command, the way the runner reads it, or None.

    The runner tries two forms: ``::name props::data`` at the start of the line (after
    spaces), then the older ``##[name props]data`` anywhere in it (its data escaped as
    Azure's). Names are compared in any case.
    """
    found = read_at(line, blanks)
    return None if found is None else found[1:]


def read_at(line: str, blanks: str | None = BLANKS) -> tuple[int, str, str] | None:
    """:func:`parse`, and where in ``line`` the command it reads starts."""
    text = line.rstrip("\r\n")
    stripped = text.lstrip(blanks)
    end = stripped.find("::", 2) if stripped.startswith("::") else -1
    name = stripped[2:end].split(" ", 1)[0] if end >= 0 else ""
    # Not one of its commands: the runner tries the older form on the same line.
    if name and (fold(name) in FOLDED or "##[" not in text):
        return len(text) - len(stripped), name, gh_unescape_data(stripped[end + 2 :])
    start = text.find("##[")
    end = text.find("]", start) if start >= 0 else -1
    if end < 0:
        return None
    name = text[start + 3 : end].split(" ", 1)[0]
    return (start, name, gh_unescape_v1(text[end + 1 :])) if name else None


def command_at(part: str) -> int:
    """Where the command :func:`parse` reads in one of the runner's lines starts (-1: none)."""
    found = read_at(part)
    return -1 if found is None else found[0]


def fold(text: str) -> str:
    """``text`` as the runner's ``StringComparison.OrdinalIgnoreCase`` compares it: each
    character upper-cased alone, simply (the Kelvin sign is no ``k`` there, as it is to
    ``str.lower``: a pause the runner keeps must not end for logtrim). .NET's ordinal
    casing keeps the dotless ``ı`` and the long ``ſ`` as they are (to ``str.upper`` they are
    ``I`` and ``S``: ``::add-maſk::`` would be a command to logtrim, text to the runner)."""
    if text.isascii():
        return text.upper()
    return "".join(_simple_upper(char) for char in text)


def _simple_upper(char: str) -> str:
    """``char`` upper-cased as .NET's ordinal casing does (ICU's simple mapping): where
    ``str.upper`` gives several characters, the simple mapping is the title case when that
    is one (a Greek letter with iota subscript: ``ᾀ`` is ``ᾈ``), else the character itself
    (``ß``)."""
    if char in _ORDINAL_KEEPS:
        return char
    up = char.upper()
    if len(up) == 1:
        return up
    title = char.title()
    return title if len(title) == 1 else char


#: The tokens the runner refuses to pause with: a command's name, and the one GitHub's docs
#: use as the example (``ValidateStopToken``, unless insecure tokens are allowed).
_REFUSED = FOLDED | {"PAUSE-LOGGING"}

#: The characters .NET's ordinal casing leaves as they are, which ``str.upper`` does not
#: (dotnet/runtime's ``GlobalizationNative_InitOrdinalCasingPage``).
_ORDINAL_KEEPS = frozenset("\u0131\u017f")


def paused(token: str | None, name: str, data: str) -> str | None:
    """The runner's pause token after it reads the command ``name`` with ``data``: a pause
    ends at its token (compared in any case); ``stop-commands`` starts one (not an empty
    token nor a command's name, which the runner refuses)."""
    if token is not None:
        return None if fold(name) == fold(token) else token
    if fold(name) == "STOP-COMMANDS" and data and fold(data) not in _REFUSED:
        return data
    return None


def commands(line: str, *, blanks: str | None = BLANKS) -> list[tuple[str, str]]:
    """:func:`parse` of each line the runner reads in ``line`` (:func:`.dotnet_lines`) that
    holds a command (``blanks``: what is trimmed before ``::``; None: any whitespace)."""
    return [
        found for part in dotnet_lines(line) if (found := parse(part, blanks=blanks)) is not None
    ]


# A command's syntax (bytes), all but its values, as the runner splits it (see
# dialects/unescape.py): ``::name props::`` at the line's start, its properties up to the
# first ``::``, each value after its ``=`` up to a ``,``; or the older ``##[name props]``,
# each value up to a ``;``.
V2 = lazy(rb"\A\s*::([^\s:]+)(?: [^:]*(?::[^:]+)*)?::")
V2_VALUES = lazy(rb"=([^,]*)")
V1 = lazy(rb"##\[([^\]]*)\]")
V1_VALUES = lazy(rb"=([^;\]]*)")
# The same grammar over a region of many lines (engine/masking/encoded.py finds the values a secret
# may be spelled in): a command at any line's start with its properties (group 1) and its
# data (group 2); the older form anywhere; nothing past a line's end. A line ends at a lone
# carriage return too, as the runner reads it (:func:`.dotnet_lines`).
V2_IN_TEXT = lazy(rb"(?m)(?:^|\r)[^\S\r\n]*::[^\s:]+(?: ([^:\r\n]*(?::[^:\r\n]+)*))?::([^\r\n]*)")
V2_VALUES_IN_TEXT = lazy(rb"=([^,\r\n]*)")
# V2_IN_TEXT from its ``::`` on: a literal ``re`` looks for at C speed, where the line-start
# alternation is tried at every byte (a tenth of the masking of a log with a key in it).
_V2_FROM_COLONS = lazy(rb"::[^\s:]+(?: ([^:\r\n]*(?::[^:\r\n]+)*))?::([^\r\n]*)")
V1_IN_TEXT = lazy(rb"##\[([^\]\r\n]*)\]([^\r\n]*)")
V1_VALUES_IN_TEXT = lazy(rb"=([^;\]\r\n]*)")


def v2_in_text(data: bytes) -> Iterator[re.Match[bytes]]:
    """The matches of :data:`V2_IN_TEXT` in ``data``, the same groups (1: the properties, 2:
    the data), each starting at its ``::`` rather than at its line's start."""
    pos = 0
    while (found := _V2_FROM_COLONS.search(data, pos)) is not None:
        start = found.start()
        line = max(data.rfind(b"\n", 0, start), data.rfind(b"\r", 0, start)) + 1
        if not data[line:start].strip(b" \t\v\f"):
            yield found
            pos = found.end()
            continue
        # Text before it: no command on the rest of this line (up to a CR).
        ends = [at for at in (data.find(b"\n", start), data.find(b"\r", start)) if at >= 0]
        if not ends:
            return
        pos = min(ends)


def syntax(line: bytes) -> tuple[list[tuple[int, int]], bool]:
    """The syntax spans of the command on ``line`` and whether it is the older form; the
    form the runner tries first, as :func:`parse` does."""
    found = V2.match(line)
    if found and (fold(found.group(1).decode("utf-8", "replace")) in FOLDED or b"##[" not in line):
        # The closing ``::`` is no part of the last value.
        return syntax_of(line, V2, V2_VALUES, found.end() - 2), False
    return syntax_of(line, V1, V1_VALUES), True
