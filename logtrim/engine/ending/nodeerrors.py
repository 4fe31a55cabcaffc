"""Node's report of an ``AggregateError`` (``Promise.any``, ``new AggregateError``). Sans-IO.

Node prints the aggregate first, ``AggregateError: all mirrors failed`` with its frames, or
``[AggregateError: All promises were rejected] {`` when it has none, then each error it
holds, indented, in an ``[errors]: [`` block. Each of those is an error line, and the newest
would replace the aggregate as the reason: the aggregate stays the reason, its first error
the root cause.
"""

from __future__ import annotations

from ..._regex import lazy
from .ranks import Candidate

#: The aggregate without frames: ``[AggregateError: All promises were rejected] {``.
HEAD = lazy(rb"^\[([A-Z]\w*Error(?: \[[A-Z][A-Z0-9_]*\])?: .*)\] \{$")
#: One error the aggregate holds: ``Error: mirror-a timed out``, ``TypeError [ERR_X]: ...``.
_ERROR = lazy(rb"^\w*Error(?: \[[A-Z][A-Z0-9_]*\])?: ")
_OPEN = b"[errors]: ["
_WITHIN = 200  # lines from the aggregate to its errors' block at most


class NodeErrors:
    """Whether a line is one of the errors an aggregate holds (then it is no reason)."""

    def __init__(self) -> None:
        self._of = -1  # the line of the aggregate whose block is open

    def inside(self, best: Candidate | None, text: bytes, body: bytes, lineno: int) -> bool:
        """Whether ``text`` (``body`` stripped) opens, is in, or closes the block of the
        chosen line's errors; the first of them is said with it."""
        if body == _OPEN:
            near = best is not None and 0 <= lineno - best.lineno < _WITHIN
            self._of = best.lineno if near and best is not None and best.root is None else -1
            return self._of >= 0
        if self._of < 0 or best is None or best.lineno != self._of:
            return False
        if body in (b"]", b"}") or not text[:1].isspace():
            self._of = -1
            return body in (b"]", b"}")
        if best.root is None and _ERROR.match(body):
            best.root, best.member = body.rstrip(b","), True
        return True


__all__ = ["HEAD", "NodeErrors"]
