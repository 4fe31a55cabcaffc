"""The failure reason's detail, from the line after it. Sans-IO."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..._regex import lazy
from ..._text import ANSI_BYTES
from .ranks import Candidate, Rank
from .replaces import BOX
from .testify import testify_after, testify_before
from .traces import EXCEPTION

# Where a compiler's message points (rustc's, ruff's): `` --> src/main.rs:11:18``.
_LOCATION = lazy(rb"^--> (\S+:\d+(?::\d+)?)$")


def _under_test(test: bytes, plain: bytes) -> bool:
    """Whether the line after a failing test's may be its exception: indented (Gradle's), or
    right under Surefire's ``<<< FAILURE!`` (its exception starts the line)."""
    return plain[:1] in b" \t" or test.endswith((b"<<< FAILURE!", b"<<< ERROR!"))


def add_detail(best: Candidate | None, line_after: Callable[[int], bytes | None]) -> None:
    """The chosen line's detail, from the line after it (``line_after``: the raw line after
    a line number, if still held): a header that ends with ``:`` says what went wrong on its
    next, indented line (``CMake Error at CMakeLists.txt:8 (find_package):``); a compiler's
    `` --> src/main.rs:11:18`` says where (``error[E0308]: mismatched types``); a failing
    test's indented exception says why it failed."""
    if best is not None and best.start > 1 and not best.text.startswith(_UNITTEST_NAMED):
        best.text = _unittest_case(best.start, line_after) + best.text
    if best is None or best.detailed or best.root is not None or best.rank <= Rank.STREAM_END:
        return
    best.detailed = True  # looked at once: as its lines leave the history, or at the end
    after = line_after(best.lineno)
    if after is None:
        return  # the other stream's line: it says nothing of this one
    # Colours may wrap the indent or the arrow (``\x1b[34m  --> \x1b[0msrc/main.rs``).
    plain = ANSI_BYTES.sub(b"", after)
    body = plain.strip()
    if best.boxed:
        best.text += _box_paragraph(best.text, best.lineno, line_after)
    elif (where := _LOCATION.match(body)) is not None:
        best.text += b" (at " + where.group(1) + b")"
    elif best.rank == Rank.TEST and _under_test(best.text, plain) and EXCEPTION.match(body):
        best.text += b" - " + body  # a failing test's assertion under it (Gradle's, Surefire's)
    elif best.rank == Rank.TEST and best.text.startswith(b"--- FAIL: "):
        best.text += _go_message(best.lineno, line_after)
    elif best.text.endswith(b":") and body and plain[:1] in b" \t":
        best.text += b" " + body + _goes_on(best.lineno + 1, plain, line_after)
    elif best.text.endswith(b":") and not body:
        best.text += _set_apart(best.lineno + 2, line_after)
    elif (said := _EXPECTED.match(body)) is not None:
        best.text += _values(said.group(1), best.lineno + 2, line_after)
    elif (npm := _NPM.match(best.text)) is not None and not best.text.endswith(_ENDS):
        best.text += _wrapped(npm.group(0), best.lineno, line_after)
    elif best.wrapped and _at_width(line_after(best.lineno - 1)) and not _margin_head(plain):
        best.text += b" " + body + _rewrapped(best.lineno + 1, plain, line_after)


def _unittest_case(start: int, line_after: Callable[[int], bytes | None]) -> bytes:
    """``FAIL: test_total (test_cart.CartTest.test_total) - `` when the traceback that starts
    at line ``start`` is one of unittest's reports (its header, a rule, then the traceback):
    which test, as pytest's ``FAILED test_cart.py::test_total - ...`` says it; else nothing."""
    rule, head = line_after(start - 2), line_after(start - 3)
    if rule is None or head is None or not _RULE.match(rule.rstrip()):
        return b""
    named = _UNITTEST_CASE.match(ANSI_BYTES.sub(b"", head).rstrip())
    return named.group(0) + b" - " if named is not None else b""


# unittest's report of a failing test: its header, then a rule of dashes, then the traceback.
_UNITTEST_CASE = lazy(rb"^(?:FAIL|ERROR): \w+ \([\w.]+\)(?: \(.{1,200}\))?$")
_UNITTEST_NAMED = (b"FAIL: ", b"ERROR: ")
_RULE = lazy(rb"^-{20,}$")


def _set_apart(lineno: int, line_after: Callable[[int], bytes | None]) -> bytes:
    """What a header that ends with ``:`` says on one short line set apart by blank lines
    (Node's ``AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:`` then
    ``90 !== 85``), or nothing."""
    line, after = line_after(lineno - 1), line_after(lineno)
    if line is None or (after is not None and ANSI_BYTES.sub(b"", after).strip()):
        return b""
    body = ANSI_BYTES.sub(b"", line).strip()
    return b" " + body if 0 < len(body) <= _SHORT else b""


# An assertion's values on the two lines after it (xUnit's and NUnit's ``Expected: 90.00``
# then ``Actual:   89.99`` or ``But was:  89.99``; Jest's ``Received:``).
_EXPECTED = lazy(rb"^Expected: *(\S.{0,120})$")
_ACTUAL = lazy(rb"^(?:Actual|But was|Received): *(\S.{0,120})$")


def _values(expected: bytes, lineno: int, line_after: Callable[[int], bytes | None]) -> bytes:
    """`` (expected 90.00, actual 89.99)`` when the line at ``lineno`` gives the actual
    value, else nothing."""
    line = line_after(lineno - 1)
    said = None if line is None else _ACTUAL.match(ANSI_BYTES.sub(b"", line).strip())
    if said is None:
        return b""
    return b" (expected " + expected.strip() + b", actual " + said.group(1).strip() + b")"


# ``go test``'s message of a failing test, under its ``--- FAIL:`` line (and its subtests').
_GO_MESSAGE = lazy(rb"^[\w./-]+_test\.go:[0-9]+: (\S.{0,200})$")
_GO_SUBTEST = lazy(rb"^--- FAIL: ")
# A test's message that says what failed, not what it did (``t.Log``'s ``fixture loaded``).
_GO_FAILED = lazy(
    rb"(?i)\b(?:got|want(?:ed)?|expected|unexpected|mismatch|differ|error|fail|not equal|"
    rb"should|must|missing|invalid|wrong)|!=|\bpanic"
)


def _go_message(lineno: int, line_after: Callable[[int], bytes | None]) -> bytes:
    """`` - total = 89.99, want 90.00 (pricing_test.go:42)``: the message logged under a
    failing Go test's line (past its failing subtests' lines) that says what failed; with
    ``-v``, where the messages come before it, the one of those since its ``=== RUN``; else
    nothing. ``t.Log`` and ``t.Errorf`` write alike: the first message that reads as a
    failure (``got``, ``want``, ``expected``, an error word), else the last one (a test's
    ``t.Fatal`` ends it)."""
    said: list[bytes] = []
    for n in range(lineno, lineno + _GO_DEPTH + _GO_BEFORE):
        after = line_after(n)
        if after is None:
            break
        body = ANSI_BYTES.sub(b"", after).strip()
        if _GO_SUBTEST.match(body) and not said and n < lineno + _GO_DEPTH:
            continue
        if (message := _GO_MESSAGE.match(body)) is None:
            break
        said.append(_go_said(message, body))
    if not said and (testify := testify_after(lineno, line_after)):
        return testify
    return _go_failure(said) or _go_message_before(lineno, line_after)


def _go_message_before(lineno: int, line_after: Callable[[int], bytes | None]) -> bytes:
    """``go test -v``'s messages logged before a failing test's line, back to the ``=== RUN``
    lines (a line of another kind ends the look): the one :func:`_go_failure` picks."""
    said: list[bytes] = []
    for n in range(lineno - 2, max(lineno - 2 - _GO_BEFORE, -1), -1):
        line = line_after(n)  # the line at n + 1
        if line is None:
            break
        body = ANSI_BYTES.sub(b"", line).strip()
        if (message := _GO_MESSAGE.match(body)) is not None:
            said.insert(0, _go_said(message, body))
        elif not body.startswith((b"=== RUN", b"=== CONT", b"=== PAUSE", b"=== NAME")):
            break
    return _go_failure(said) or testify_before(lineno, line_after)


def _go_failure(said: list[bytes]) -> bytes:
    """Of a test's messages in order, the first that reads as a failure, else the last."""
    return next((m for m in said if _GO_FAILED.search(m)), said[-1] if said else b"")


def _go_said(said: re.Match[bytes], body: bytes) -> bytes:
    return b" - " + said.group(1) + b" (" + body[: body.index(b": ")] + b")"


#: How many nested subtests' lines :func:`_go_message` passes over.
_GO_DEPTH = 4
#: How many lines before a failing test's line :func:`_go_message_before` looks at.
_GO_BEFORE = 12


#: The longest line :func:`_set_apart` takes.
_SHORT = 120


#: The most lines of a message's paragraph read after its first (CMake's wrap at 80 columns).
_PARAGRAPH = 4
#: The most lines read in a boxed diagnostic's box (its gutter: :data:`.replaces.BOX`).
_BOX_LINES = 24


def _box_paragraph(title: bytes, lineno: int, line_after: Callable[[int], bytes | None]) -> bytes:
    """What a boxed diagnostic says is wrong under its title (Terraform's ``Error: Resource
    precondition failed``): its first paragraph at the gutter's margin, after the source it
    points at and the values (indented), up to a blank line or the box's end; the title's
    detail, after a colon."""
    rest = b""
    for n in range(lineno, lineno + _BOX_LINES):
        after = line_after(n)
        plain = ANSI_BYTES.sub(b"", after).rstrip() if after is not None else b""
        if not plain.startswith(BOX):
            break  # the box's end (``╵``)
        body = plain[len(BOX) :].removeprefix(b" ")
        if not body.strip() or body[:1] in b" \t":
            if rest:
                break  # the paragraph's end
            continue  # a blank line, the source pointed at, its values
        rest += b" " + body.strip()
        if rest.count(b" ") > 80:  # (a reason is cut to 500 characters anyway)
            break
    if not rest:
        return b""
    return (b"" if title.endswith(_ENDS) else b":") + rest


# npm's error lines, each under its prefix: a sentence wrapped at 80 columns goes on, under
# the same prefix, until one ends it.
_NPM = lazy(rb"^npm (?:ERR!|error) ")
_ENDS = (b".", b":", b"!", b"?")


def _wrapped(prefix: bytes, lineno: int, line_after: Callable[[int], bytes | None]) -> bytes:
    """The rest of a sentence npm wrapped over its next lines (``... package-lock.json or`` /
    ``npm error npm-shrinkwrap.json with lockfileVersion >= 1. ...``), up to the line that
    ends it, a line with nothing after the prefix, that starts with a capital (``npm error
    A complete log of this run ...``) or is indented (a stack frame), or :data:`_PARAGRAPH`
    lines."""
    rest = b""
    for n in range(lineno, lineno + _PARAGRAPH):
        after = line_after(n)
        body = ANSI_BYTES.sub(b"", after).strip() if after is not None else b""
        more = body[len(prefix) :] if body.startswith(prefix) else b""
        # (a capital starts npm's next sentence; an indent, what npm prints of an object:
        # an error's stack frames, ``npm error     at ClientRequest.emit (...)``)
        if not more.strip() or more[:1].isupper() or more[:1].isspace():
            break
        more = more.strip()
        rest += b" " + more
        if rest.endswith(_ENDS):
            break
    return rest


#: A line a formatter wrapped at the terminal's width (rich's, at 80 columns where there is
#: no terminal, its blank before the wrap left at the line's end): at least this long.
_WRAP_MIN = 60


def _at_width(line: bytes | None) -> bool:
    """Whether a line (raw) ends where a formatter wrapped it: long, a blank at its end."""
    if line is None:
        return False
    text = ANSI_BYTES.sub(b"", line).rstrip(b"\r\n")
    return len(text) >= _WRAP_MIN and text.endswith((b" ", b"\t")) and not text.isspace()


def _margin_head(plain: bytes) -> bool:
    """Whether a line starts something of its own, not the rest of a wrapped one: blank,
    indented, an exception's line, or :data:`_OWN_LINE` (``Cleaning up ...``, ``make: ...``
    after an 80-column line that happens to end in a blank)."""
    return (
        not plain.strip()
        or plain[:1] in b" \t"
        or _OWN_LINE.match(plain) is not None
        or EXCEPTION.match(plain.strip()) is not None
    )


# What starts a line of its own, not the rest of a wrapped one: a sentence, a shell's trace,
# a bracketed or dated record, a tool's ``name: `` or ``ERROR:``, npm's prefix.
_OWN_LINE = lazy(rb"[A-Z][a-z]|[+\[#*>$]|[0-9]{4}-|[\w.-]+: |[A-Z]{2,}[:! ]|npm ")


def _rewrapped(lineno: int, first: bytes, line_after: Callable[[int], bytes | None]) -> bytes:
    """The rest of a sentence wrapped at the width: the lines after ``first`` (line
    ``lineno``) while each one before ends where it was wrapped, :data:`_PARAGRAPH` at most."""
    rest, before = b"", first
    for n in range(lineno, lineno + _PARAGRAPH):
        after = line_after(n) if _at_width(before) else None
        if after is None:
            break
        plain = ANSI_BYTES.sub(b"", after)
        if not plain.strip() or _margin_head(plain):
            break
        rest += b" " + plain.strip()
        before = after
    return rest


def _goes_on(lineno: int, first: bytes, line_after: Callable[[int], bytes | None]) -> bytes:
    """The rest of a message's paragraph: the lines after ``first`` (line ``lineno``) with
    its indent, up to a blank line or :data:`_PARAGRAPH` lines (CMake wraps a message:
    ``Could NOT find OpenSSL, try to set the path to OpenSSL root folder in the`` / ``system
    variable OPENSSL_ROOT_DIR (Required is at least version "9.9")``)."""
    indent = first[: len(first) - len(first.lstrip())]
    rest = b""
    for n in range(lineno, lineno + _PARAGRAPH):
        after = line_after(n)
        if after is None:
            break
        plain = ANSI_BYTES.sub(b"", after)
        body = plain.strip()
        if (
            not body
            or plain[: len(indent)] != indent
            or plain[len(indent) : len(indent) + 1].isspace()
        ):
            break
        rest += b" " + body
    return rest


__all__ = ["add_detail"]
