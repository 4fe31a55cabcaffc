"""Inputs of ``trim``, ``stats`` and ``cat``: plain files, gzip, zstd (logtrim archives), stdin.

The format comes from the first bytes (gzip ``1f 8b``, zstd ``28 b5 2f fd``), whatever the
name says (random bytes named ``.zst`` are plain, and binary: see below). Reading streams
in chunks with bounded memory, also for decompression bombs and lines without end (cut at
every multiple of ``CHUNK`` bytes of the input).
A compressed input that ends early is decoded as far as it goes and reported by
:attr:`Input.damage`, not raised; one that decodes to nothing, or holds bytes that are not
what its header says, is :attr:`Input.fatal` too: every byte that decoded is still given
out (the chunks end normally, so no reader down the line loses what it holds), and
:meth:`Input.check` raises :class:`InputError` once the caller has used them.

Binary input is detected as grep detects it: a NUL byte in the first ``BINARY_PEEK`` bytes of
the input's text, decoded: a file and its ``.gz`` or ``.zst`` copy are decided alike. It is
refused unless ``binary=True`` (``--binary``).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from typing import BinaryIO

from .._errors import InputError
from ..archive.zstd import ZSTD_MAGIC, ReadResult, decode_chunks, is_zstd
from . import linechunks
from .linechunks import line_chunks
from .tasklog import is_tasklog
from .utf16 import Utf16Watch, has_mark, utf16_as_utf8

GZIP_MAGIC = b"\x1f\x8b"
# A compressed chunk can expand a thousandfold; read those in small pieces.
_COMPRESSED_CHUNK = 64 << 10
#: A NUL byte in this many first decoded bytes makes an input binary (as grep decides).
BINARY_PEEK = 32 << 10


class InputFormat(str, Enum):
    """How an input is stored, from its first bytes."""

    PLAIN = "plain"
    GZIP = "gzip"
    ZSTD = "zstd"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of(cls, head: bytes) -> InputFormat:
        if head.startswith(GZIP_MAGIC):
            return cls.GZIP
        # (a file of 2 or 3 bytes that starts the magic: an archive cut there, no text)
        cut = 2 <= len(head) < len(ZSTD_MAGIC) and ZSTD_MAGIC.startswith(head)
        return cls.ZSTD if cut or is_zstd(head) else cls.PLAIN


class Input:
    """One opened input. Iterate :meth:`chunks` once; check :attr:`damage` afterwards."""

    def __init__(
        self,
        path: str,
        file: BinaryIO,
        head: bytes,
        size: int | None,
        binary: bool = False,
        *,
        rereadable: bool = False,
    ) -> None:
        self.path = path
        self.binary = binary  # read binary (NUL-holding) input anyway
        # Said of a binary input: what to do (an input read without the option says none).
        self.binary_hint = "use --binary to read it anyway"
        # A regular file, which can be opened and read again by its path; a pipe (stdin,
        # ``<(...)``, a FIFO) gives its bytes once, to the one read that uses them.
        self.rereadable = rereadable
        self.name = "<stdin>" if path == "-" else path
        self.size = size  # bytes on disk, when known (for progress)
        self.consumed = 0  # bytes read from disk so far
        self.decoded = 0  # bytes yielded so far
        self.damage: str | None = None  # "truncated at the end", or a decoding error
        self.fatal = False  # the damage is an error (exit 3), raised by ``check``
        self._file = file
        self._head = head
        self.format = InputFormat.of(head)
        # Maybe text in UTF-16 (PowerShell's ``>``: decided on its first 64 KiB as it is
        # read): what it declares is read in its text only, and no second core reads its bytes.
        self.utf16 = has_mark(head)
        self._watch = Utf16Watch()  # who wants to know when it is read as UTF-16

    def _raw(self, size: int) -> Iterator[bytes]:
        try:
            head, self._head = self._head, b""
            block = head + self._file.read(size - len(head)) if head else self._file.read(size)
            while block:
                self.consumed += len(block)
                yield block
                block = self._file.read(size)
        except OSError as exc:
            raise InputError(f"{self.name}: {exc.strerror or exc}") from exc

    def _text(self, raw: Iterator[bytes]) -> Iterator[bytes]:
        """The decoded bytes, refused when binary (a NUL byte near their start)."""
        peeked = b""
        watch = self._watch
        for block in utf16_as_utf8(raw, watch.decided, watch.stored):
            if not self.binary and len(peeked) < BINARY_PEEK:
                peeked += block[: BINARY_PEEK - len(peeked)]
                if b"\0" in peeked:
                    hint = f"; {self.binary_hint}" if self.binary_hint else ""
                    raise InputError(f"{self.name}: binary file (NUL bytes near the start){hint}")
            yield block

    def on_utf16(
        self, callback: Callable[[], None], stored: Callable[[bytes], None] | None = None
    ) -> None:
        """Call ``callback`` when its text is read as UTF-16 (before the first bytes read
        so are yielded), or now if it was; and ``stored`` with its bytes as stored, each
        block before the text it decodes to."""
        self._watch.add(callback, stored)

    def chunks(self) -> Iterator[bytes]:
        """The decoded bytes, in chunks of any size (not aligned to lines)."""
        result = ReadResult()
        if self.format == InputFormat.PLAIN:
            decoded: Iterator[bytes] = self._raw(linechunks.CHUNK)
        elif self.format == InputFormat.GZIP:
            decoded = self._gunzip(self._raw(_COMPRESSED_CHUNK))
        else:
            decoded = decode_chunks(self._raw(_COMPRESSED_CHUNK), result)
        # Decided on the text, not on what is stored: a copy compressed decides alike.
        decoded = self._text(decoded)
        try:
            for chunk in decoded:
                self.decoded += len(chunk)
                yield chunk
        finally:
            self.close()
        if self.format == InputFormat.ZSTD:
            if result.error and "too much memory" in result.error:
                # Whole, but written with a window past zstd's default limit (``--long=28``+).
                self.damage = (
                    f"a zstd frame whose window is larger than logtrim decodes (128 MiB; "
                    f"written with zstd --long?), after {self.decoded:,} bytes decoded; "
                    f"zstd -d --long=31 reads it"
                )
            elif result.error:
                self.damage = f"not zstd after {self.decoded:,} bytes decoded ({result.error})"
            elif result.index_cut:
                self.damage = (
                    f"the index frame at the end is cut; the log before it is whole "
                    f"({self.decoded:,} bytes)"
                )
            elif result.truncated:
                self.damage = f"truncated at the end ({self.decoded:,} bytes decoded)"
        cut_data = self.damage is not None and self.damage.startswith("truncated")
        # A truncated end that still gave data is a warning, and so is a cut index frame
        # (the log is whole); the rest is an error, raised by ``check`` once what decoded
        # is used: raised here, it would drop what the readers down the line still hold.
        self.fatal = bool(self.damage) and not result.index_cut and not (cut_data and self.decoded)
        self.check_whole()

    @property
    def lost_end(self) -> bool:
        """Whether the input's end was lost (truncated, or cut while read): a warning for the
        text it gives, yet what it would have said after is unknown."""
        damage = self.damage
        return damage is not None and not self.fatal and not damage.startswith("the index")

    def check(self) -> None:
        """Raise :class:`InputError` when the input was :attr:`fatal`ly damaged."""
        if self.fatal:
            raise InputError(f"{self.name}: {self.damage}")

    def check_whole(self) -> None:
        """Note, as damage, a plain file that ended before the size it had when opened (cut
        while it was read: a rotated log); what was read is still used."""
        whole = self.size is None or self.consumed >= self.size
        if not whole and self.damage is None and self.format == InputFormat.PLAIN:
            self.damage = (
                f"the file shrank while it was read: {self.consumed:,} of {self.size:,} bytes"
            )

    def _gunzip(self, raw: Iterable[bytes]) -> Iterator[bytes]:
        # Members are concatenated (``cat a.gz b.gz``); max_length bounds each step's output.
        dobj = zlib.decompressobj(wbits=31)
        in_member = False
        made = 0  # (the reader counts what it took in whole chunks: a short log is none yet)
        for block in raw:
            data = block
            while data:
                try:
                    out = dobj.decompress(data, linechunks.CHUNK)
                except zlib.error as exc:
                    self.damage = f"not gzip after {made:,} bytes decoded ({exc})"
                    return
                in_member = True
                if out:
                    made += len(out)
                    yield out
                if dobj.eof:
                    data = dobj.unused_data
                    dobj = zlib.decompressobj(wbits=31)
                    in_member = False
                else:
                    data = dobj.unconsumed_tail
        if in_member:
            if tail := dobj.flush():
                made += len(tail)
                yield tail
            self.damage = f"truncated at the end ({made:,} bytes decoded)"

    def fileno(self) -> int:
        return self._file.fileno()

    @property
    def closed(self) -> bool:
        """Read to its end (or closed on an error)."""
        return self._file.closed

    def close(self) -> None:
        if self._file is not sys.stdin.buffer:
            self._file.close()


def is_stdout(path: str) -> bool:
    """Whether ``path`` (``-``: stdin) is the regular file stdout writes to (``logtrim cat
    a.log >> a.log``): read while it grows by what is read, it never ends (refuse it, as
    ``cat`` does: "input file is output file")."""
    try:
        out = os.fstat(1)
        st = os.fstat(0) if path == "-" else os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(out.st_mode) and (st.st_dev, st.st_ino) == (out.st_dev, out.st_ino)


def open_input(path: str, *, binary: bool = False) -> Input:
    """Open ``path`` (``-`` is stdin) and detect its format; raise :class:`InputError`."""
    if path == "-":
        stdin = sys.stdin.buffer
        return Input(path, stdin, stdin.read(4), None, binary)
    try:
        file = open(path, "rb")  # noqa: SIM115 (closed by Input when read or on error)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        st = os.fstat(file.fileno())
        head = file.read(4)
    except OSError as exc:
        file.close()
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    size = st.st_size if st.st_size > 0 else None
    return Input(path, file, head, size, binary, rereadable=stat.S_ISREG(st.st_mode))


def probe_input(path: str) -> None:
    """What :func:`open_input` raises for ``path``, before any work starts, without taking a
    byte from a pipe (``<(...)``, ``/dev/stdin``, a FIFO: their bytes are read once, by the
    read that uses them; opening a FIFO would wait for its writer)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        open_input(path).close()  # (a directory: its error)
    elif not os.access(path, os.R_OK):
        raise _unreadable(path, PermissionError(errno.EACCES, os.strerror(errno.EACCES)))


def _unreadable(path: str, exc: OSError) -> InputError:
    """The one-line error of an input that cannot be opened."""
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{path}: no such file")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{path}: is a directory")
    return InputError(f"{path}: cannot read: {exc.strerror or exc}")


def _peek(chunks: Iterator[bytes], want: int = 8192) -> tuple[bytes, Iterator[bytes]]:
    """The first ``want`` bytes, and all the chunks as if none were read."""
    taken: list[bytes] = []
    size = 0
    for chunk in chunks:
        taken.append(chunk)
        size += len(chunk)
        if size >= want:
            break

    def chained() -> Iterator[bytes]:
        yield from taken
        yield from chunks

    return b"".join(taken)[:want], chained()


def open_detected(inp: Input) -> tuple[bool, Iterator[bytes]]:
    """(is a raw task log, the input's decoded chunks cut at line ends)."""
    head, chunks = _peek(inp.chunks())
    return is_tasklog(head), line_chunks(chunks)
