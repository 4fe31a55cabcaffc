"""The ``--history`` store: per artifact name, the line shapes of the last few successful runs.

One file per name, ``<key>.shapes``: a compact index, never a log. Layout (little-endian):
``MAGIC``, the run count (u32), then per run its shape count (u32) and that many 64-bit
shape hashes, sorted; last, a 16-byte BLAKE2b of everything before it. A file that is short,
long, or fails its check is ignored with a one-line warning: the run goes on without a baseline.

Writing takes an exclusive ``flock`` on the folder (no lock file), reads the index anew,
appends this run, keeps the last :data:`KEEP_RUNS`, writes a temporary file and renames it
over the index: two runs that finish at once both land, one after the other, and a reader
(who takes no lock) sees the old index or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import struct
import sys
import tempfile
import time
from array import array
from collections.abc import Collection, Iterator, Sequence
from hashlib import blake2b
from pathlib import Path
from typing import BinaryIO

from .._log import say
from ..engine.shapes.shapes import SHAPE_CAP

MAGIC = b"LTSHAPE1"
#: Successful runs an index remembers; their union is the next run's baseline.
KEEP_RUNS = 5
_CHECK = 16
_MAX_FILE = len(MAGIC) + 4 + KEEP_RUNS * (4 + 8 * SHAPE_CAP) + _CHECK
_U32 = struct.Struct("<I")


def key_for(name: str) -> str:
    """The index name of an artifact name: digits dropped (a default name holds the time, and
    every run of one step must find the same index), only file-name-safe characters kept."""
    # (letters of any script: a step named in CJK or Cyrillic is no other step's ``log.zst``)
    key = re.sub(r"[^\w.-]+", "_", re.sub(r"[-_.]*\d+", "", name)).strip("._") or "run"
    # A file name's limit is in bytes (255 on most systems, the temporary file's prefix and
    # suffix included): a longer key is cut there, a hash of the whole kept apart from others.
    data = key.encode("utf-8", "surrogateescape")
    if len(data) <= _KEY_BYTES:
        return key
    import hashlib

    whole = hashlib.sha256(data).hexdigest()[:12]
    return data[: _KEY_BYTES - 13].decode("utf-8", "ignore") + "-" + whole


#: The longest index name (bytes, before ``.shapes``): well within a file name's 255.
_KEY_BYTES = 120


def command_key(argv: Sequence[str]) -> str:
    """The name a run's history is kept under when the archive's name is the default one
    (``bash-20261206-173000.log.zst``: every ``bash`` step's): the command and its first
    words that are no options (``bash deploy-web.sh``)."""
    words = [Path(word).name or word for word in argv[:4] if not word.startswith("-")]
    return " ".join(words[:3]) or "run"


def index_path(folder: str | os.PathLike[str], name: str) -> Path:
    return Path(folder) / f"{key_for(name)}.shapes"


def _u64(values: Collection[int]) -> bytes:
    packed = array("Q", sorted(values))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def encode(runs: list[Collection[int]]) -> bytes:
    parts = [MAGIC, _U32.pack(len(runs))]
    for run in runs:
        parts += [_U32.pack(len(run)), _u64(run)]
    body = b"".join(parts)
    return body + blake2b(body, digest_size=_CHECK).digest()


def decode(data: bytes) -> list[array[int]] | None:
    """The runs of an index, or None when it is not a whole, intact index."""
    if len(data) < len(MAGIC) + 4 + _CHECK or not data.startswith(MAGIC):
        return None
    body, check = data[:-_CHECK], data[-_CHECK:]
    if blake2b(body, digest_size=_CHECK).digest() != check:
        return None
    (count,) = _U32.unpack_from(body, len(MAGIC))
    pos = len(MAGIC) + 4
    runs: list[array[int]] = []
    for _ in range(count):
        if pos + 4 > len(body):
            return None
        (n,) = _U32.unpack_from(body, pos)
        pos += 4
        run = array("Q")
        run.frombytes(body[pos : pos + 8 * n])
        if len(run) != n:
            return None
        if sys.byteorder == "big":
            run.byteswap()
        runs.append(run)
        pos += 8 * n
    return runs if pos == len(body) else None


def read_index(path: str | os.PathLike[str]) -> list[array[int]] | None:
    """The runs of the index at ``path``; None if it is missing, unreadable or damaged."""
    try:
        with open_regular(path) as file:
            data = file.read(_MAX_FILE + 1)
    except OSError:
        return None
    return decode(data) if len(data) <= _MAX_FILE else None


class NotRegularFileError(OSError):
    """A FIFO, a device, a socket where a file was expected."""


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """``path`` opened for reading if it is a regular file; raise OSError. A FIFO put in a
    shared history folder must not hold every step that uses it at ``open`` (it waits for a
    writer): the open does not wait, and anything but a regular file is refused."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFileError(errno.EINVAL, "not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def remembered(folder: str | os.PathLike[str], name: str) -> set[int] | None:
    """The shapes of the last successful runs of ``name``; None when there are none yet.
    A damaged index is ignored, with a warning."""
    path = index_path(folder, name)
    if not path.exists():
        return None
    runs = read_index(path)
    if runs is None:
        what = "is damaged" if _ours(path) else "is no logtrim index (left alone)"
        say(f"--history: {path} {what} (ignored; this run has no baseline)", "warning")
        return None
    out: set[int] = set()
    for run in runs:
        out.update(run)
    return out


def _ours(path: Path) -> bool:
    """Whether ``path`` may be (re)written as an index: missing, or a regular file that
    starts as an index does (a damaged one of ours: cut short, or its sums wrong). A file
    the user put there (an empty one too), a link or a directory is never replaced."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return True
    if not stat.S_ISREG(st.st_mode):
        return False
    try:
        with open_regular(path) as file:
            head = file.read(len(MAGIC))
    except OSError:
        return False
    return bool(head) and MAGIC.startswith(head)  # (written by rename: ours is never empty)


#: Seconds a run waits for the history folder's lock before it leaves its shapes unrecorded.
LOCK_WAIT = 5.0
_LOCK_POLL = 0.02


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive ``flock`` on the folder itself: nothing is left next to the indexes.
    Where the folder cannot be locked (Windows; some network file systems) the rename alone
    keeps each index whole (two runs finishing at once may then keep only one's shapes).
    Held for :data:`LOCK_WAIT` seconds by another process: OSError (the caller warns)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                # Held that long: not a run finishing at once (milliseconds) but a process
                # stopped or hung with it, or anyone who can read the folder: the run ends.
                if time.monotonic() >= deadline:
                    raise OSError(
                        errno.EWOULDBLOCK,
                        f"the folder stayed locked by another process for {LOCK_WAIT:g} s",
                    ) from None
                time.sleep(_LOCK_POLL)
            except OSError:
                break  # a file system without locks: the rename alone keeps the index whole
        yield
    finally:
        os.close(fd)  # closing releases the lock


def record(folder: str | os.PathLike[str], name: str, shapes: Collection[int]) -> Path:
    """Add a successful run's shapes to the index of ``name``; raise OSError."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder)  # never its parents: checked to exist before the run started
    path = index_path(folder, name)
    with _locked(path.parent):
        if not _ours(path):
            raise OSError(errno.EEXIST, "a file that is no logtrim index is there (left alone)")
        runs: list[Collection[int]] = list(read_index(path) or [])
        runs = [*runs[max(0, len(runs) - KEEP_RUNS + 1) :], shapes]
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(encode(runs))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    return path
