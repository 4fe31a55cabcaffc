"""Whether a regex of many alternatives finds anything in a line, at the cost of its branches.

``re`` has fast paths for a search (a literal prefix, a set of first characters), but not for
an alternation whose branches start differently, some with ``^``: then every alternative is
tried at every position. The failure reason's patterns (:mod:`.reason`) are such alternations:
about 150 us for each error line looked at one by one. :class:`AnySearch` gives the same
yes or no: the branches anchored with ``^`` (no MULTILINE: the start of the text) are tried
there only, in one ``match``; each other branch is searched alone, with ``re``'s fast paths.
A case-insensitive branch whose letters are all literals (no class holds a letter, no escape
but ``\\b``, ``\\d``, ``\\s``, ``\\w`` or of punctuation, no inline flag) finds the same in the
text lowered, written in lower case and searched case-sensitively: there the fast path works.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..._regex import lazy

# A branch with letters only as literals: the same case-insensitively as lowered, on a
# lowered text. Classes without letters; escapes of punctuation and \b \d \s \w; (?: only.
_CASE_FREE = lazy(
    rb"(?:[^\\\[(]|\\[bdsw]|\\[^A-Za-z0-9]|\[\^?(?:[^\]A-Za-z\\]|\\[^A-Za-z0-9])+\]|\(\?:|\((?!\?))*"
)


def branches(pattern: bytes) -> list[bytes]:
    """The top-level alternatives of a regex (its ``|`` outside groups and classes)."""
    out: list[bytes] = []
    depth, start, i, n = 0, 0, 0, len(pattern)
    while i < n:
        char = pattern[i : i + 1]
        if char == b"\\":
            i += 1  # the escaped byte is no syntax
        elif char == b"[":
            i += 2 if pattern[i + 1 : i + 2] == b"^" else 1
            if pattern[i : i + 1] == b"]":
                i += 1  # a ] first in a class is a member
            while i < n and pattern[i : i + 1] != b"]":
                i += 2 if pattern[i : i + 1] == b"\\" else 1
        elif char == b"(":
            depth += 1
        elif char == b")":
            depth -= 1
        elif char == b"|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:])
    return out


class AnySearch:
    """``bool(re.compile(pattern, flags).search(text))``, branch by branch (module docstring)."""

    def __init__(self, pattern: bytes, flags: int = 0) -> None:
        if flags & re.MULTILINE or re.match(rb"\(\?[a-zA-Z]+\)", pattern):
            # With MULTILINE, ^ is no longer the start of the text only; global inline
            # flags would be the first branch's alone.
            raise ValueError("AnySearch takes no MULTILINE and no global inline flags")
        self._source, self._flags = pattern, flags
        # Compiled on first use: most runs never look for a failure reason.
        self._at: Callable[[bytes], object] | None = None
        self._any: list[Callable[[bytes], object]] | None = None
        self._lower: list[Callable[[bytes], object]] = []

    @property
    def pattern(self) -> re.Pattern[bytes]:
        """The whole regex, as written."""
        return re.compile(self._source, self._flags)

    def __call__(self, text: bytes) -> bool:
        if self._any is None:
            self._compile()
        if self._at is not None and self._at(text):
            return True
        assert self._any is not None
        if any(search(text) for search in self._any):
            return True
        if self._lower:
            lowered = text.lower()
            return any(search(lowered) for search in self._lower)
        return False

    def _compile(self) -> None:
        parts, flags = branches(self._source), self._flags
        anchored = [p[1:] for p in parts if p.startswith(b"^")]
        if anchored:
            self._at = re.compile(b"|".join(anchored), flags).match
        floating = [p for p in parts if not p.startswith(b"^")]
        # re's fast search for a literal start does not work case-insensitively: a branch
        # that reads the same in lower case (module docstring) is searched in the lowered
        # text, case-sensitively.
        simple = [p for p in floating if flags & re.I and _CASE_FREE.fullmatch(p)]
        self._lower = [re.compile(p.lower(), flags & ~re.I).search for p in simple]
        self._any = [re.compile(p, flags).search for p in floating if p not in simple]
