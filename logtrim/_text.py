"""The one definition of an ANSI escape sequence, for everything that strips or skips them.

Log lines carry colour codes (``ESC [ 31 m``) most; tools that redraw also write cursor moves
(``ESC [ 2 K``), window titles and hyperlinks (OSC ``ESC ] ... BEL``) and APC strings. The
line rules need only the colour-code fragment, which the full pattern contains.
"""

from __future__ import annotations

import re

#: A colour code (SGR): what may come before the text at the start of a coloured line.
COLOUR = r"\x1b\[[0-9;]*m"
#: Any escape sequence: CSI (colour codes among them), OSC and APC strings ended by BEL.
ANSI = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b_[^\x07]*\x07"

#: What a secret is replaced with, everywhere.
MASK = b"********"

ANSI_TEXT = re.compile(ANSI)
ANSI_BYTES = re.compile(ANSI.encode())


def as_bytes(text: str) -> bytes:
    """Text logtrim prints, as bytes: a path the system gave as bytes that are not UTF-8
    (decoded with ``surrogateescape``) is printed as those bytes, never an error."""
    return text.encode("utf-8", "surrogateescape")
