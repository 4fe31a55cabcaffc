"""What a terminal shows of bytes: the test's own reading of ECMA-48 escape sequences (as
xterm's ctlseqs lists them), written apart from logtrim's pattern so that the two check
each other. A control string counts within one line and up to 4 KiB, as docs/masking.md
promises; anything else that is not a whole code stays as text."""

from __future__ import annotations

ESC, BEL, ST_END = 0x1B, 0x07, ord("\\")
STRINGS = b"]PX^_"  # OSC, DCS, SOS, PM, APC
STRING_MAX = 4096

#: One code of each class (ECMA-48 CSI, control strings ended by BEL or ST, nF, Fp/Fe/Fs),
#: as tools print them: what a secret may be split by.
CODES = [
    b"\x1b[31m", b"\x1b[0m", b"\x1b[1;32m", b"\x1b[K", b"\x1b[?25l", b"\x1b]0;t\x07",
    b"\x1b]0;title\x1b\\", b"\x1b]8;;http://x/a\x1b\\", b"\x1b]8;;\x1b\\", b"\x1bP1$r0m\x1b\\",
    b"\x1b_Gi=1\x1b\\", b"\x1b^pm\x07", b"\x1bXsos\x1b\\", b"\x1b(B", b"\x1b(B\x1b[m",
    b"\x1b)0", b"\x1b#8", b"\x1b%G", b"\x1b7", b"\x1b8", b"\x1b=", b"\x1b>", b"\x1bM", b"\x1bc",
]  # fmt: skip


def shown(data: bytes) -> bytes:
    """``data`` without its escape sequences."""
    out = bytearray()
    i = 0
    while i < len(data):
        end = _code_end(data, i) if data[i] == ESC else None
        if end is None:
            out.append(data[i])
            i += 1
        else:
            i = end
    return bytes(out)


def _code_end(data: bytes, at: int) -> int | None:
    """Where the code that starts at ``at`` ends (None: no whole code starts there)."""
    size, i = len(data), at + 1
    if i >= size:
        return None
    kind = data[i]
    if kind == ord("["):  # CSI: parameters, intermediates, a final byte
        i = _skip(data, i + 1, 0x30, 0x3F)
        i = _skip(data, i, 0x20, 0x2F)
        return i + 1 if i < size and 0x40 <= data[i] <= 0x7E else None
    if kind in STRINGS:
        for j in range(i + 1, min(size, i + 2 + STRING_MAX)):
            if data[j] == BEL:
                return j + 1
            if data[j] in (ESC, ord("\n")):
                return j + 2 if data[j] == ESC and data[j + 1 : j + 2] == b"\\" else None
        return None
    if 0x20 <= kind <= 0x2F:  # nF: intermediates, then a final byte
        i = _skip(data, i, 0x20, 0x2F)
        return i + 1 if i < size and 0x30 <= data[i] <= 0x7E else None
    return i + 1 if 0x30 <= kind <= 0x7E else None  # Fp, Fe, Fs


def _skip(data: bytes, i: int, low: int, high: int) -> int:
    while i < len(data) and low <= data[i] <= high:
        i += 1
    return i
