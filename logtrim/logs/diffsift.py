"""``logtrim diff``'s last look at the new lines it kept (:mod:`.diff`): a new shape near a
line of GOOD is left out, a line with the same words as an earlier new one (or that only
echoes the line before it) is counted with it, and a line that is only a label is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..engine.ending.failure import LEVEL
from ..engine.match.kinds import Kind
from .similar import ERROR_WORDS, Neighbours, tokens

if TYPE_CHECKING:
    from .diff import Diff, Found

# Lines count together by their words only when they have this many: with fewer, most of a
# line is in what tokens leave out (pytest's ``>   assert f(10) == 12`` and the
# ``E   assert 14.4 == 12`` under it share only ``assert``).
_SAME_WORDS = 3


def sift(out: Diff, good: Neighbours, line_kind: Callable[[bytes], Kind]) -> None:
    """Leave out the new shapes whose first line is near a line of GOOD, and count a new
    line with the same tokens as an earlier one, or with no word the new line right before it
    lacks, with that one."""
    kept: list[Found] = []
    same: dict[frozenset[bytes], Found] = {}  # the token set of each line kept -> the line
    last: tuple[int, frozenset[bytes], Found] | None = None  # the line before, kept
    for found in out.found:
        if good.nearest(tokens(found.text)) is not None:
            out.near_shapes += 1
            out.near_lines += 1 + found.repeats
            out.new_lines -= 1 + found.repeats
            continue
        # The same words as an earlier new line (another prefix, other ids, another logger's
        # level name: the same failure logged again at ERROR), as logjuicer looks a tokenized
        # line up once: counted with it. Error words keep their case here (``Error:`` then
        # ``ERROR:`` is a failure reported again by another layer).
        key = tokens(LEVEL.sub(b" ", found.text), fold=False)
        first = same.setdefault(key, found) if len(key) >= _SAME_WORDS else found
        if first is found and last is not None and _echoes(found, key, last):
            first = last[2]  # a tool's message printed again under it, indented or bare
            mine, theirs = _tier(found, line_kind), _tier(first, line_kind)
            if mine > theirs or (mine == theirs == Kind.ERROR and _raises(first.text, found.text)):
                # The echo is the error (pytest's ``E   ConnectionError: ...`` under the
                # ``>   raise ConnectionError(...)`` that raised it; the exception that ends
                # a traceback, under its frame's indented source line): it is the one
                # shown, the line before it its context.
                found.repeats += 1 + first.repeats
                kept[-1] = found
                if same.get(last[1]) is first:
                    same[last[1]] = found
                last = (found.number, last[1], found)
                continue
        if first is not found:
            first.repeats += 1 + found.repeats
            continue
        kept.append(found)
        last = (found.number, key, found)
    out.found = kept


# A label: a word or two and a colon ending the line (``  STDOUT:``, ``Exception occurred:``),
# after a prefix (a time, a logger, a level) that holds no error word.
_LABEL = re.compile(rb"(?:^|.*?[:|] )[ \t]*(\w[\w.-]*(?: \w[\w.-]*)?):[ \t]*\r?$")


def unlabel(out: Diff) -> None:
    """Leave out the new lines that are only a label: the lines under it say what happened
    (shown when new), a label alone does not. One that names an error stays unless the line
    right after it is new."""
    numbers = {found.number for found in out.found}
    kept: list[Found] = []
    for found in out.found:
        match = _LABEL.match(found.text)
        if (
            match is not None
            and not _says_error(found.text[: match.start(1)])
            and (not _says_error(match[1]) or found.number + 1 in numbers)
        ):
            out.labels += 1 + found.repeats
            out.new_lines -= 1 + found.repeats
            continue
        kept.append(found)
    out.found = kept


def _says_error(text: bytes) -> bool:
    """Whether ``text`` holds an error word, or its plural (``Errors``)."""
    return any(tok.lower().removesuffix(b"s") in ERROR_WORDS for tok in tokens(text))


def _tier(found: Found, line_kind: Callable[[bytes], Kind]) -> Kind:
    """A kept line's tier (looked up once: ``compute`` asks again for each line shown)."""
    if found.tier == Kind.NOISE:
        found.tier = line_kind(found.text)
    return found.tier


# A frame's source line that raises (Python's ``raise``, JavaScript's and Java's ``throw``).
_RAISE = re.compile(rb"[ \t]+(?:raise|throw)\b")


def _raises(code: bytes, exception: bytes) -> bool:
    """Whether ``code`` is the indented source line of a frame that raises and
    ``exception``, less indented, the exception it raised (a traceback's last two lines)."""
    indent = len(exception) - len(exception.lstrip(b" \t"))
    return _RAISE.match(code) is not None and indent < len(code) - len(code.lstrip(b" \t"))


def _echoes(found: Found, key: frozenset[bytes], last: tuple[int, frozenset[bytes], Found]) -> bool:
    """Whether ``found`` follows the kept new line ``last`` and says no word it did not."""
    number, words, _ = last
    return found.number == number + 1 and len(key) >= _SAME_WORDS and key <= words


__all__ = ["sift", "unlabel"]
