"""A CI command masked around its syntax: the values between the syntax spans masked as
the system decodes them, the syntax kept but for what is no syntax word (a dialect's
``mask_command``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

#: Masks every known secret in some bytes (the engine's masker).
Mask = Callable[[bytes], bytes]


def mask_outside(
    line: bytes,
    syntax: Sequence[tuple[int, int]],
    mask: Mask,
    words: re.Pattern[bytes],
    *,
    value: Mask | None = None,
    tail: Mask | None = None,
) -> bytes:
    """``line`` with the parts outside the ``syntax`` spans masked, each alone; in the
    syntax, only what is no syntax word (an unknown name can be a secret). ``value`` masks
    the parts between two spans (a property's value), ``tail`` the part after the last (a
    command's data), each as its system decodes it; else ``mask``."""
    if not syntax:
        return mask(line)
    parts, pos = [], 0
    for i, (start, end) in enumerate(syntax):
        if start > pos:
            parts.append((value or mask)(line[pos:start]) if i else mask(line[pos:start]))
        parts.append(keeping(line[start:end], mask, words))
        pos = end
    return b"".join([*parts, (tail or mask)(line[pos:]) if pos < len(line) else b""])


def keeping(syntax: bytes, mask: Mask, words: re.Pattern[bytes]) -> bytes:
    """``syntax`` masked but for its ``words``, each kept as written."""
    parts, pos = [], 0
    for word in words.finditer(syntax):
        parts += [mask(syntax[pos : word.start()]), word.group()]
        pos = word.end()
    return b"".join([*parts, mask(syntax[pos:])])


def syntax_of(
    line: bytes, command: re.Pattern[bytes], values: re.Pattern[bytes], end: int = -1
) -> list[tuple[int, int]]:
    """The syntax spans of the first ``command`` on ``line``: all of it but the group 1 of
    each ``values`` match inside it (a property's value) before ``end`` (its own end
    when -1)."""
    found = command.search(line)
    if found is None:
        return []
    spans, pos = [], found.start()
    for value in values.finditer(line, found.start(), found.end() if end < 0 else end):
        if value.start(1) > pos:
            spans.append((pos, value.start(1)))
        pos = value.end(1)
    if found.end() > pos:
        spans.append((pos, found.end()))
    return spans


__all__ = ["Mask", "keeping", "mask_outside", "syntax_of"]


def declaring_parts(
    line: str, command_at: Callable[[str], int], declares: Iterable[bool]
) -> list[tuple[int, int]]:
    """Where the commands that declare a secret are on ``line``, for a system that ends a line
    at a lone carriage return too (``dotnet_lines``) and reads each such line alone: in each
    that ``declares`` (one flag per such line, in order), from where ``command_at`` says its
    command starts to that line's end (the value runs to it). The text before a command,
    and the other lines, are no part."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for part, declaring in zip(line.rstrip("\r\n").split("\r"), declares, strict=True):
        at = command_at(part)
        if at >= 0 and declaring:
            spans.append((pos + at, pos + len(part)))
        pos += len(part) + 1  # and its carriage return
    return spans
