"""Fail-open, the archive still gets each stream's lines whole (:class:`ArchiveLines`)."""

from __future__ import annotations

from ..engine.flow.lines import StreamJoin
from ..engine.policy import LINE_HELD


class ArchiveLines:
    """Fail-open, the archive still gets each stream's lines whole, one stream's at a time
    (as the engine gives them): a stream's unfinished line waits for its end, so the other
    stream's bytes never land inside it; past :data:`.LINE_HELD` (as the engine holds a line)
    it goes as it is, ended by the engine's :class:`StreamJoin` (``join``, whose state goes
    on across the break)."""

    def __init__(self, join: StreamJoin) -> None:
        self._partial: dict[int, bytes] = {}
        self._join = join

    def whole(self, stream: int, data: bytes, *, final: bool = False) -> bytes:
        data = self._partial.pop(stream, b"") + data
        end = len(data) if final else data.rfind(b"\n") + 1
        if len(data) - end > LINE_HELD:
            end = len(data)  # a line too long to hold: archived in pieces
        if end < len(data):
            self._partial[stream] = data[end:]
        return self._join(stream, data[:end])
