"""The secrets a log declares to its CI, for the reports that print its lines (``stats``,
``diff``): learned as ``trim`` learns them, from every system's declarations, and masked in
what is printed. ``trim`` masks through its engine; a report masks its own text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from .._matchers import compiler
from ..dialects import Dialect
from ..engine.masking.declarations import Declarations
from ..engine.masking.mask import MIN_LENGTH, Masker
from .inputs import BINARY_PEEK, Input, InputFormat
from .linechunks import line_chunks
from .utf16 import UTF16_PEEK, is_utf16, utf16_as_utf8

_STREAM = 1  # the one stream a report reads
# What starts a declaration in each system that has them (docs/masking.md's table): the
# lines found so are read by every dialect, as the engine reads command lines.
DECLARING = (b"##octopus", b"::add-mask::", b"##vso[", b"##[add-mask]")
_STORED_MAX = 1 << 16  # a stored line's start kept for its end (a declaration's bound)


class Declared:
    """Feed it whole lines (:meth:`lines`) or a plain file (:meth:`scan`); :meth:`mask` is
    a no-op while nothing was declared."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        """``secrets``: values masked from the first line (``--mask``, ``--mask-env``)."""
        self.declarations = Declarations(Dialect())
        found = compiler()
        # Compiled as trim's engine masks: a pattern per form tried at every byte (``re``)
        # costs as many passes as there are secrets.
        self.masker = Masker(secrets, compiler=found)
        # One pass for the three markers where hyperscan is (bytes.find: ~0.6 ns a byte each).
        self._db = None if found is None else found.literals(list(DECLARING), caseless=True)
        self.values: dict[str, None] = {}  # the values declared, in order, each once
        # A UTF-16 log's bytes as stored (NULs left out), read apart from its text: their
        # own messages open across chunks, and the line they are in (:meth:`feed_stored`).
        self._stored: tuple[Declarations, bytearray] | None = None

    def _hits(self, data: bytes) -> list[int]:
        """Where the markers are in ``data``, in order."""
        if self._db is not None:
            found: list[int] = []

            def on_match(_id: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
                found.append(to - len(DECLARING[_id]))

            self._db.scan(data, match_event_handler=on_match)
            return sorted(found)
        hits = []
        lowered = data.lower()  # the markers in any case, as the dialects read them
        for marker in DECLARING:
            pos = lowered.find(marker)
            while pos >= 0:
                hits.append(pos)
                pos = lowered.find(marker, pos + 1)
        return sorted(hits)

    def feed(self, data: bytes) -> None:
        """Learn the declarations on the command lines of ``data`` (whole lines)."""
        self._learn(data, sorted({data.rfind(b"\n", 0, pos) + 1 for pos in self._hits(data)}))

    def feed_stored(self, block: bytes) -> None:
        """A block of a log read as UTF-16, as stored (decompressed): a log in UTF-8 appended
        to it declares in bytes that read as CJK characters. Learned as they come, before
        the text they read as is masked (a plain file's are learned first: :meth:`scan`)."""
        if self._stored is None:
            self._stored = (Declarations(Dialect()), bytearray())
        declarations, carry = self._stored
        carry += block.replace(b"\0", b"")
        end = carry.rfind(b"\n") + 1
        if end:
            data = bytes(carry[:end])
            del carry[:end]
            starts = sorted({data.rfind(b"\n", 0, pos) + 1 for pos in self._hits(data)})
            self._learn(data, starts, declarations)
        if len(carry) > _STORED_MAX:
            del carry[: len(carry) - _STORED_MAX]

    def _learn(
        self, data: bytes, starts: list[int], declarations: Declarations | None = None
    ) -> None:
        # (one stream: a message open at a chunk's end is read on into the next one)
        declarations = declarations or self.declarations
        if starts or declarations.gathering(_STREAM):
            values = declarations.learn(data, starts, _STREAM)
            self.values.update(dict.fromkeys(values))
            forms = declarations.secret_forms
            self.masker.add(
                *values, forms=[f for v in values if len(v) >= MIN_LENGTH for f in forms(v)]
            )

    def lines(
        self, chunks: Iterable[bytes], *, learn: bool = True, urls: bool = True
    ) -> Iterator[bytes]:
        """``chunks`` (cut at line ends) masked, their declarations learned first if
        ``learn`` (a secret declared in a chunk is masked in it, and in every later one).
        ``urls``: a URL's password too, declared or not (``stats`` counts a large file on
        two cores by its offsets as stored: it masks what it prints instead)."""
        held = b""  # the end of a piece of a long line: a secret may go on in the next one
        for chunk in chunks:
            if learn:
                self.feed(chunk)
            data = held + chunk
            held = b""
            if learn and data.endswith(b"\n"):
                # A message open at the chunk's end waits for its rest: a ``sensitive`` said
                # in the next chunk masks its value in its own lines too (as ``run`` holds
                # them; bounded as the message is).
                cut = self.declarations.open_at(data)
                data, held = data[:cut], data[cut:]
            if not (urls or self.masker):
                if data:
                    yield data
                continue
            if not data.endswith(b"\n") and not held:
                # A line cut in pieces (longer than a chunk): mask up to a point no secret
                # spans, nor a URL's credential (from its scheme on), the rest with the next
                # piece (a secret, or a password, across the cut leaked).
                cut = self.masker.piece_cut(data, max(len(data) - self.masker.spelled_len, 0))
                data, held = data[:cut], data[cut:]
            if data:
                yield self.masker.mask(data)
        if held:
            yield self.masker.mask(held)

    def scan(self, inp: Input) -> bool:
        """Learn a plain file's declarations from all of it before it is read: its lines
        are then masked from the first (a compressed file, stdin or another pipe learns
        them as they come: False)."""
        if not inp.rereadable or inp.format != InputFormat.PLAIN:
            return False
        try:
            with open(inp.path, "rb") as file:
                if is_utf16(file.read(UTF16_PEEK)):
                    file.seek(0)
                    # Its text: a declaration is looked for in what is printed; then its
                    # bytes as stored, NULs left out: a log in UTF-8 appended to it declares
                    # in bytes that read as CJK characters (the value masked as they read).
                    raw = iter(lambda: file.read(_BLOCK), b"")
                    for chunk in line_chunks(utf16_as_utf8(raw)):
                        self.feed(chunk)
                    file.seek(0)
                    raw = iter(lambda: file.read(_BLOCK), b"")
                    stored = (block.replace(b"\0", b"") for block in raw)
                    for chunk in line_chunks(stored):
                        self.feed(chunk)
                    return True
                file.seek(0)
                if not inp.binary and b"\0" in file.read(BINARY_PEEK):
                    return True  # refused as binary when read: none of it is printed
                file.seek(0)
                at = 0
                while block := file.read(_BLOCK):
                    # Whole lines only: the partial last line starts the next block.
                    end = block.rfind(b"\n") + 1 if len(block) == _BLOCK else len(block)
                    # One line longer than a block: cut where no marker can straddle it (the
                    # next block reads again the bytes a marker's start may be in).
                    end = end or len(block) - _MARKER_MAX + 1
                    self._learn_at(file, self.starts(block[:end], at))
                    at += end
                    file.seek(at)
        except OSError:
            pass  # the report's own read says what is wrong
        return True

    def starts(self, block: bytes, at: int) -> list[int]:
        """Where the lines holding a marker start, for ``block`` (whole lines) found at byte
        ``at`` of its file: a line once per marker on it, as :meth:`scan` learns them."""
        return [at + block.rfind(b"\n", 0, pos) + 1 for pos in self._hits(block)]

    def learn_at(self, path: str, starts: list[int]) -> None:
        """Learn the declarations on the lines of the file at ``path`` that start at
        ``starts`` (from :meth:`starts`, in file order): what :meth:`scan` learns."""
        if not starts:
            return
        try:
            with open(path, "rb") as file:
                self._learn_at(file, starts)
        except OSError:
            pass  # as in scan

    def _learn_at(self, file: BinaryIO, starts: list[int]) -> None:
        """Each declaration at ``starts``, with the lines after it that a message over
        several lines may take."""
        for start in starts:
            file.seek(start)
            # Only the declaration at the start: the others in these lines have their own
            # start, where all the lines a message may take follow them (learning them here
            # too made the work grow with the declarations' density, up to 66 times).
            self._learn(b"".join(file.readline(_LINE) for _ in range(_MESSAGE_LINES)), [0])

    def mask(self, data: bytes) -> bytes:
        return self.masker.mask(data)

    def mask_text(self, text: str) -> str:
        return self.masker.mask_text(text)


_BLOCK = 8 << 20
_MARKER_MAX = max(map(len, DECLARING))
_LINE = 1 << 20  # a declaring line is read up to this long
_MESSAGE_LINES = 66  # a message over several lines goes on for at most 64 more (commands.py)


class Hits:
    """The declaring lines of a part of a plain file, gathered as the part is read in
    whole-line chunks (so that a report need not read the file once more for them first):
    :attr:`starts` is what :meth:`Declared.starts` finds there, in file order, or None
    when a line came in pieces (too long: a marker may be cut; scan the file then)."""

    def __init__(self, find: Callable[[bytes, int], list[int]], at: int = 0) -> None:
        self._find = find
        self.at = at  # where the next chunk starts in the file
        self.starts: list[int] | None = []
        self._open = False  # the last chunk ended within a line

    def part(self, at: int) -> Hits:
        """A new gatherer for the part from byte ``at`` (a line start)."""
        return Hits(self._find, at)

    def feed(self, chunk: bytes) -> None:
        if self.starts is None or not chunk:
            return
        if self._open:
            self.starts = None
            return
        self.starts += self._find(chunk, self.at)
        self.at += len(chunk)
        self._open = not chunk.endswith(b"\n")

    def extend(self, starts: list[int] | None) -> None:
        """Add the next part's (another gatherer's :attr:`starts`)."""
        if self.starts is not None and starts is not None and not self._open:
            self.starts += starts
        else:
            self.starts = None
