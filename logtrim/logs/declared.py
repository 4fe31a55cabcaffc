"""The secrets a log declares to its CI, for the reports that print its lines (``stats``,
``diff``): learned as ``trim`` learns them, from every system's declarations, and masked in
what is printed. ``trim`` masks through its engine; a report masks its own text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from .._matchers import compiler
from ..dialects import Dialect
from ..engine.commands import Commands
from ..engine.mask import MIN_LENGTH, Masker
from .inputs import Input, InputFormat

# What starts a declaration in each system that has them (docs/masking.md's table): the
# lines found so are read by every dialect, as the engine reads command lines.
_DECLARING = (b"##octopus", b"::add-mask::", b"##vso[", b"##[add-mask]")


class Declared:
    """Feed it whole lines (:meth:`lines`) or a plain file (:meth:`scan`); :meth:`mask` is
    a no-op while nothing was declared."""

    def __init__(self) -> None:
        self.commands = Commands(Dialect())
        self.masker = Masker()
        found = compiler()
        # One pass for the three markers where hyperscan is (bytes.find: ~0.6 ns a byte each).
        self._db = None if found is None else found.literals(list(_DECLARING), caseless=True)

    def _hits(self, data: bytes) -> list[int]:
        """Where the markers are in ``data``, in order."""
        if self._db is not None:
            found: list[int] = []

            def on_match(_id: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
                found.append(to - len(_DECLARING[_id]))

            self._db.scan(data, match_event_handler=on_match)
            return sorted(found)
        hits = []
        lowered = data.lower()  # the markers in any case, as the dialects read them
        for marker in _DECLARING:
            pos = lowered.find(marker)
            while pos >= 0:
                hits.append(pos)
                pos = lowered.find(marker, pos + 1)
        return sorted(hits)

    def feed(self, data: bytes) -> None:
        """Learn the declarations on the command lines of ``data`` (whole lines)."""
        starts = sorted({data.rfind(b"\n", 0, pos) + 1 for pos in self._hits(data)})
        if starts:
            values = self.commands.learn(data, starts)
            forms = self.commands.secret_forms
            self.masker.add(
                *values, forms=[f for v in values if len(v) >= MIN_LENGTH for f in forms(v)]
            )

    def lines(self, chunks: Iterable[bytes], *, learn: bool = True) -> Iterator[bytes]:
        """``chunks`` (cut at line ends) masked, their declarations learned first if
        ``learn`` (a secret declared in a chunk is masked in it, and in every later one)."""
        for chunk in chunks:
            if learn:
                self.feed(chunk)
            yield self.masker.mask(chunk) if self.masker else chunk

    def scan(self, inp: Input) -> bool:
        """Learn a plain file's declarations from all of it before it is read: its lines
        are then masked from the first (a compressed file or stdin learns them as they
        come: False)."""
        if inp.path == "-" or inp.format != InputFormat.PLAIN:
            return False
        try:
            with open(inp.path, "rb") as file:
                at = 0
                while block := file.read(_BLOCK):
                    # Whole lines only: the partial last line starts the next block.
                    end = block.rfind(b"\n") + 1 if len(block) == _BLOCK else len(block)
                    end = end or len(block)  # one line longer than a block: as it is
                    self._learn_around(file, at, block[:end])
                    at += end
                    file.seek(at)
        except OSError:
            pass  # the report's own read says what is wrong
        return True

    def _learn_around(self, file: BinaryIO, at: int, block: bytes) -> None:
        """The declarations in ``block`` (the file's bytes from ``at``), each with the lines
        after it that a message over several lines may take."""
        for pos in self._hits(block):
            start = block.rfind(b"\n", 0, pos) + 1
            here = file.tell()
            file.seek(at + start)
            self.feed(b"".join(file.readline(_LINE) for _ in range(_MESSAGE_LINES)))
            file.seek(here)

    def mask(self, data: bytes) -> bytes:
        return self.masker.mask(data)

    def mask_text(self, text: str) -> str:
        return self.masker.mask_text(text)


_BLOCK = 8 << 20
_LINE = 1 << 20  # a declaring line is read up to this long
_MESSAGE_LINES = 66  # a message over several lines goes on for at most 64 more (commands.py)
