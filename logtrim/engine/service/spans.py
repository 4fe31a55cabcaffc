"""Where a region's command lines are, as the dialects will read them in turn: each line that
is a command, and the lines after one its dialect leaves open (:meth:`.Commands.command_lines`).
Their secrets are masked as the command's system reads them, not as plain text.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence

from ...dialects import Dialect
from ..masking.declarations import MAX_LINES, opens


def command_spans(
    dialects: Sequence[Dialect],
    quick: re.Pattern[bytes] | None,
    region: bytes,
    starts: Sequence[int],
    open_dialect: Dialect | None,
    open_lines: int,
) -> list[tuple[int, int]]:
    """The ``[start, end)`` offsets of ``region``'s command lines (``starts``: where the
    lines that may be one start); ``open_dialect``: the system whose command the previous
    region left open, ``open_lines`` lines ago; ``quick``: the inert lines of the system in
    use (``dialects[0]``), which open none."""
    out: list[tuple[int, int]] = []
    pos = 0
    if open_dialect is not None:  # a command open since the previous region
        pos = continuation(region, 0, open_dialect, open_lines, out)
    # The dialects as the region's lines will find them, each line seen in turn as the
    # selector sees it: a ``::stop-commands::`` pause, or its end, in the region changes
    # what the lines after it are (copies: their state is a few plain values).
    seeing = [copy.copy(d) for d in dialects]
    for start in starts:
        if start < pos:
            continue
        if quick is not None and seeing[0].quick_ready():
            found = quick.match(region, start)
            if found is not None:  # a command, that opens none
                for d in seeing:
                    d.observe_quick(region[start : found.end()])
                out.append((start, found.end()))
                pos = found.end()
                continue
        end = region.find(b"\n", start) + 1 or len(region)
        text = region[start:end].decode("utf-8", "replace")
        command = any(d.is_command(text) for d in seeing)
        for d in seeing:
            d.observe(text)
        if not command:
            continue  # a marker in plain text ("--- " in "-----END KEY----- done")
        out.append((start, end))
        dialect = next((d for d in seeing if opens(d, text)), None)
        pos = continuation(region, end, dialect, 0, out) if dialect else end
    return out


def continuation(
    region: bytes, pos: int, dialect: Dialect | None, count: int, out: list[tuple[int, int]]
) -> int:
    """The lines from ``pos`` that go on ``dialect``'s open command (``count`` of them
    came before), added to ``out``; returns where they end."""
    while dialect is not None and pos < len(region) and count < MAX_LINES:
        end = region.find(b"\n", pos) + 1 or len(region)
        text = region[pos:end].decode("utf-8", "replace")
        if not dialect.continues(text):
            break
        out.append((pos, end))
        pos, count = end, count + 1
        if not dialect.unclosed(text):
            break
    return pos


def declaring_bytes(ours: Dialect, line: bytes) -> list[tuple[int, int]]:
    """The ``[start, end)`` bytes of the commands that declare a secret on a line that
    declares one to ``ours``, the system in use (all of it when the line is the command)."""
    text = line.decode("utf-8", "surrogateescape")
    spans = ours.declaring_spans(text)
    if spans is None:
        return [(0, len(line))]  # the whole line is the command (``::add-mask::VALUE``)
    return [
        (len(text[:a].encode("utf-8", "surrogateescape")),
         len(text[:b].encode("utf-8", "surrogateescape")))
        for a, b in spans
    ]  # fmt: skip
