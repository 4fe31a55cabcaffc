"""The exact path the pure-Python matcher's answers are compared with."""

from __future__ import annotations

from logtrim.engine.match.kinds import Kind
from logtrim.engine.match.matcher import Matcher


def reference(matcher: Matcher, chunk: bytes) -> list[tuple[int, Kind]]:
    """The exact path: each line of the chunk on its own, by ``line_kind``."""
    out: list[tuple[int, Kind]] = []
    start = 0
    for line in chunk.split(b"\n"):
        kind = matcher.line_kind(line)
        if kind != Kind.NOISE:
            out.append((start, kind))
        start += len(line) + 1
    return out
