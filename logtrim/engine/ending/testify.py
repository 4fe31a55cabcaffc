"""What a Go test's testify assertion says failed, for the failure reason (:mod:`.detail`).

testify writes its assertion as a block of fields under a bare ``x_test.go:42:`` message line,
after the test's ``--- FAIL:`` line (before it with ``go test -v``); each field's line and each
line under it starts with blanks, a tab, and the field's name padded with blanks and a tab
(``Error:<blanks><tab>Not equal:``, then ``<blanks><tab>expected: 10710``,
``<blanks><tab>actual  : 10800``, ``Test:<blanks><tab>TestSettlement``).

Its ``Messages`` (the test's own words, if any) and its ``Error`` field (with the lines under
it) are the failure: `` - Not equal: expected: 10710 actual : 10800 (settlement_test.go:42)``.
Sans-IO.
"""

from __future__ import annotations

from collections.abc import Callable

from ..._regex import lazy
from ..._text import ANSI_BYTES

# The bare message line over the block, a field (its name and first line) and a line under it.
_HEAD = lazy(rb"^[ \t]*([\w./-]+_test\.go:[0-9]+):[ \t]*$")
_FIELD = lazy(rb"^[ \t]*\t([A-Z][A-Za-z ]{1,20}):[ \t]*(.*?)[ \t]*$")
_MORE = lazy(rb"^[ \t]*\t[ \t]+\t(.*?)[ \t]*$")
_SAID = (b"Error", b"Messages")
#: The most lines of a block read (its fields and the values under them).
_LINES = 24

LineAfter = Callable[[int], "bytes | None"]


def testify_after(lineno: int, line_after: LineAfter) -> bytes:
    """The block under the failing test's line ``lineno`` (``go test``), or nothing."""
    head = _line(line_after, lineno)
    if head is None or (found := _HEAD.match(head)) is None:
        return b""
    block = []
    for n in range(lineno + 1, lineno + 1 + _LINES):
        line = _line(line_after, n)
        if line is None or not (_FIELD.match(line) or _MORE.match(line)):
            break
        block.append(line)
    return _said(block, found[1])


def testify_before(lineno: int, line_after: LineAfter) -> bytes:
    """The block over the failing test's line ``lineno`` (``go test -v``), or nothing."""
    block: list[bytes] = []
    for n in range(lineno - 2, max(lineno - 2 - _LINES, -1), -1):
        line = _line(line_after, n)
        if line is None:
            break
        if (found := _HEAD.match(line)) is not None:
            return _said(block[::-1], found[1])
        if not (_FIELD.match(line) or _MORE.match(line)):
            break
        block.append(line)
    return b""


def _line(line_after: LineAfter, n: int) -> bytes | None:
    """The line after line ``n``, without colour codes and line end; None if not held."""
    line = line_after(n)
    return None if line is None else ANSI_BYTES.sub(b"", line).rstrip(b"\r\n")


def _said(block: list[bytes], where: bytes) -> bytes:
    """The ``Messages`` and ``Error`` fields of a block, each with the lines under it."""
    said: dict[bytes, list[bytes]] = {name: [] for name in _SAID}
    field: list[bytes] | None = None
    for line in block:
        if (found := _FIELD.match(line)) is not None:
            field, value = said.get(found[1]), found[2]
        elif (more := _MORE.match(line)) is not None:
            value = more[1]
        else:
            continue
        if field is not None and value:
            field.append(b" ".join(value.split()))
    error, messages = (b" ".join(said[name]) for name in _SAID)
    if not error:
        return b""
    text = messages + b": " + error if messages else error
    return b" - " + text + b" (" + where.rsplit(b"/", 1)[-1] + b")"


__all__ = ["testify_after", "testify_before"]
