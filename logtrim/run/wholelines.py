"""Fail-open, the archive still gets each stream's lines whole (:class:`ArchiveLines`)."""

from __future__ import annotations


class ArchiveLines:
    """Fail-open, the archive still gets each stream's lines whole, one stream's at a time
    (as the engine gives them): a stream's unfinished line waits for its end, so the other
    stream's bytes never land inside it; past :data:`_PARTIAL_MAX` it goes as it is, and
    the archive ends it with a newline of its own before the other stream's bytes."""

    def __init__(self) -> None:
        self._partial: dict[int, bytes] = {}
        self._open: int | None = None  # the stream whose line the archive left unended

    def whole(self, stream: int, data: bytes, *, final: bool = False) -> bytes:
        data = self._partial.pop(stream, b"") + data
        end = len(data) if final else data.rfind(b"\n") + 1
        if len(data) - end > _PARTIAL_MAX:
            end = len(data)  # a line too long to hold: archived in pieces
        if end < len(data):
            self._partial[stream] = data[end:]
        out = data[:end]
        if not out:
            return out
        if self._open is not None and self._open != stream:
            out = b"\n" + out
        self._open = None if out.endswith(b"\n") else stream
        return out


_PARTIAL_MAX = 1 << 20  # an unfinished line held for its end, at most
