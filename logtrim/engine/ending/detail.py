"""The failure reason's detail, from the line after it. Sans-IO."""

from __future__ import annotations

from collections.abc import Callable

from ..._regex import lazy
from ..._text import ANSI_BYTES
from .ranks import Candidate, Rank
from .traces import EXCEPTION

# Where a compiler's message points (rustc's, ruff's): `` --> src/main.rs:11:18``.
_LOCATION = lazy(rb"^--> (\S+:\d+(?::\d+)?)$")


def add_detail(best: Candidate | None, line_after: Callable[[int], bytes | None]) -> None:
    """The chosen line's detail, from the line after it (``line_after``: the raw line after
    a line number, if still held): a header that ends with ``:`` says what went wrong on its
    next, indented line (``CMake Error at CMakeLists.txt:8 (find_package):``); a compiler's
    `` --> src/main.rs:11:18`` says where (``error[E0308]: mismatched types``); a failing
    test's indented exception says why it failed."""
    if best is None or best.detailed or best.root is not None or best.rank <= Rank.STREAM_END:
        return
    best.detailed = True  # looked at once: as its lines leave the history, or at the end
    after = line_after(best.lineno)
    if after is None:
        return  # the other stream's line: it says nothing of this one
    # Colours may wrap the indent or the arrow (``\x1b[34m  --> \x1b[0msrc/main.rs``).
    plain = ANSI_BYTES.sub(b"", after)
    body = plain.strip()
    if (where := _LOCATION.match(body)) is not None:
        best.text += b" (at " + where.group(1) + b")"
    elif best.rank == Rank.TEST and plain[:1] in b" \t" and EXCEPTION.match(body):
        best.text += b" - " + body  # a failing test's assertion under it (Gradle's)
    elif best.text.endswith(b":") and body and plain[:1] in b" \t":
        best.text += b" " + body


__all__ = ["add_detail"]
