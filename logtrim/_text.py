"""The one definition of an escape sequence, for everything that strips or skips them.

A terminal swallows every escape sequence of ECMA-48 (and xterm's ctlseqs), so a secret split
by any of them shows whole. Log lines carry colour codes (``ESC [ 31 m``) most; tools that
redraw write cursor moves (``ESC [ 2 K``); ``tput sgr0`` writes ``ESC ( B`` (a character set);
titles and hyperlinks are OSC strings (``ESC ] 8 ;; url ESC \\``). The classes, by the byte
after ESC:

* CSI ``ESC [``: parameter bytes 0x30-0x3F, intermediates 0x20-0x2F, a final 0x40-0x7E;
* control strings: OSC ``ESC ]``, DCS ``ESC P``, SOS ``ESC X``, PM ``ESC ^``, APC ``ESC _``,
  ended by ST (``ESC \\``) or BEL (xterm's end for OSC, read for all);
* nF: intermediates 0x20-0x2F (``ESC ( B``, ``ESC ) 0``, ``ESC # 8``), then a final 0x30-0x7E;
* two bytes: Fp 0x30-0x3F (``ESC 7``, ``ESC =``), Fe 0x40-0x5F but the introducers above
  (``ESC M``), Fs 0x60-0x7E (``ESC c``).

A control string is a code only within one line and up to STRING_MAX bytes: one that is never
ended would otherwise swallow the lines after it (and what waits for its end would grow with
them). The line rules need only the colour-code fragment, which the full pattern contains.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._regex import lazy

#: The longest control string (a title, a hyperlink's URL) read as a code, not as text.
STRING_MAX = 4096

#: A colour code (SGR), or the erase to the line's end that gcc and grep write after one
#: (``\x1b[01;35m\x1b[Kwarning:``): what may come before the text of a coloured line.
COLOUR = r"\x1b\[[0-9;]*[mK]"
_STRING = rf"\x1b[\]PX^_][^\x07\x1b\n]{{0,{STRING_MAX}}}(?:\x07|\x1b\\)"
#: Any escape sequence: CSI (colour codes among them), a control string, nF, two bytes.
ANSI = rf"\x1b\[[0-?]*[ -/]*[@-~]|{_STRING}|\x1b[ -/]+[0-~]|\x1b[0-OQ-WYZ\\`-~]"
#: The start of an escape sequence that the next bytes may end.
ANSI_OPEN = rf"\x1b(?:\[[0-?]*[ -/]*|[\]PX^_][^\x07\x1b\n]{{0,{STRING_MAX}}}\x1b?|[ -/]+)?"

#: What a secret is replaced with, everywhere.
MASK = b"********"
#: The shortest secret masked, as Octopus's server: shorter ones would mask ordinary text.
MIN_SECRET = 4

ANSI_TEXT = lazy(ANSI)
ANSI_BYTES = lazy(ANSI.encode())


def plain_text(line: bytes) -> bytes:
    """A line as a person reads it: without its colour codes and line end (``\r\n`` too)."""
    return (ANSI_BYTES.sub(b"", line) if b"\x1b" in line else line).rstrip(b"\r\n")


def as_bytes(text: str) -> bytes:
    """Text logtrim prints, as bytes: a path the system gave as bytes that are not UTF-8
    (decoded with ``surrogateescape``) is printed as those bytes, never an error."""
    return text.encode("utf-8", "surrogateescape")


def char_start(data: bytes, at: int) -> int:
    """``at``, moved back to the start of the UTF-8 character it falls in: a cut there
    leaves no half character on either side. Bytes that are no UTF-8 keep ``at``."""
    back = at
    while 0 < back < len(data) and at - back < 3 and 0x80 <= data[back] < 0xC0:
        back -= 1
    if back < at and data[back] < 0xC0:
        return at  # a run of continuation bytes with no lead: not a character
    return back


def char_after(data: bytes, at: int) -> int:
    """``at``, moved on to the start of the next UTF-8 character when it falls inside one
    (see :func:`char_start`): a piece begun there holds no half character."""
    start = char_start(data, at)
    if start == at:
        return at
    lead = data[start]
    end = start + (2 if lead < 0xE0 else 3 if lead < 0xF0 else 4)
    return end if end > at else at


def hide_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret (the longest first) replaced by the mask; none so short
    (under :data:`MIN_SECRET`) or blank that it would hide ordinary words. For logtrim's own
    text made before any masker exists (a usage error, a name derived from the command or
    ``--name``)."""
    mask = MASK.decode()
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_SECRET and not secret.isspace():
            text = text.replace(secret, mask)
    return text


# Control characters (C0, DEL, C1) and Unicode line/paragraph separators: anything that could
# end a line or move the cursor in someone's log viewer.
_CONTROL = lazy("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r"}
# A CI command's opener, read anywhere in a line: Azure's and GitHub's older ``##[``,
# ``##vso[`` (older agents in any case), TeamCity's, Octopus's in any case.
_OPENER = lazy(r"#(?=#(?:\[|(?i:vso|teamcity)\[|(?i:octopus)))")


def one_line(text: str) -> str:
    """``text`` for a human-read line: control characters shown as escapes, never raw."""

    def show(match: re.Match[str]) -> str:
        char = match.group()
        if char in _NAMED:
            return _NAMED[char]
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _CONTROL.sub(show, text)


def inert(text: str) -> str:
    """``text`` (a path, a name) inside one of logtrim's own lines: one line, and no CI
    command in it (``##vso[`` is shown ``\\x23#vso[``): a directory named with a newline and
    a command must not make logtrim print that command."""
    return _OPENER.sub(r"\\x23", one_line(text))


_NAME_SEPARATORS = re.compile(r"\s*[,;]\s*|\s+")


def split_names(raw: str) -> list[str]:
    """Variable names in one string (``LOGTRIM_MASK_ENV``, a config's ``mask-env``, one
    ``--mask-env``): a JSON list of them (as every list setting may be given in the
    environment), else apart by commas, semicolons or blanks, none of which a name holds
    (``A;B``, ``A B`` and ``["A", "B"]`` named no variable, and their secrets went
    unmasked). Two separators in a row leave an empty name (``A,,B``: a typo the caller may
    refuse)."""
    text = raw.strip()
    if text.startswith("["):
        import json

        try:
            listed = json.loads(text)
        except ValueError:
            listed = None
        if isinstance(listed, list) and all(isinstance(item, str) for item in listed):
            return [name for item in listed for name in split_names(item)] or [""]
    return _NAME_SEPARATORS.split(text)
