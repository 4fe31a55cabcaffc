"""Read a baseline: a logtrim archive (``.zst``), a plain or ``.gz`` log, an Octopus raw task
log, a ``--history`` index file, or a directory of them (several good runs: their union).

An archive of a run that had a baseline ends with that run's line shapes (its trailer:
:mod:`logtrim.archive.trailer`): only those are read, in milliseconds whatever the archive's
size. Anything else streams in chunks (memory: one chunk, the shape set and its bounded
caches), with the tolerant reader of ``trim``/``stats``: a truncated archive gives the shapes
of what decodes, and a warning; so does an archive whose index frame is damaged.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from time import monotonic

from .._errors import InputError
from .._log import say
from .._sizes import format_size
from ..archive import trailer
from ..archive.zstd import ZSTD_MAGIC
from ..engine.shapes.baseline import Shaper
from ..engine.shapes.hashset import HashSet
from ..engine.shapes.shapes import SHAPE_CAP, Shapes
from ..logs.declared import Declared
from ..logs.inputs import Input, InputFormat, open_detected, open_input
from . import halves
from .store import MAGIC, NotRegularFileError, decode, open_regular, read_index

#: The most a baseline input gives (as text): about 10 s of shaping at most.
MAX_READ = 2 * 1024**3
#: After the load's time: how long what a compressed baseline declares is still read (about
#: 1.5 GB of text a second, decoded: a real log's end, not a decompression bomb's).
DECLARE_SECONDS = 15.0


#: Called with each chunk (whole lines) of a baseline read as text.
OnText = Callable[[bytes], None]


def load(
    path: str | os.PathLike[str],
    cap: int = SHAPE_CAP,
    text: OnText | None = None,
    *,
    compact: bool = False,
    mask: Declared | None = None,
) -> Shapes:
    """The shapes of every line of the baseline at ``path``; raise :class:`InputError`.
    With ``text``, ``text`` gets the lines too (an archive with an index frame is read
    whole for them, its shapes still from the frame); an index file has none to give.
    ``compact``: the shapes held in 8 bytes each (:class:`~logtrim.engine.shapes.hashset.HashSet`),
    for a ``cap`` of millions. ``mask``: the lines read are masked with it as ``diff``
    masks BAD (the secrets they declare, URL passwords), so a log diffed against itself
    has the same shapes on both sides; read on one core."""
    base = Path(path)
    files = files_in(base) if base.is_dir() else [base]
    shapes = Shapes(cap, compact=compact)
    skipped = _Skipped(base, len(files))
    for file in files:
        with skipped:
            _load_one(str(file), shapes, text, mask=mask)
    return shapes


def load_with_lines(
    path: str | os.PathLike[str], deadline: float | None = None, declared: OnText | None = None
) -> tuple[Shapes, Shaper | None]:
    """:func:`load`, and the Shaper of the last log it shaped line by line (its cache: the
    baseline's recent lines and their shapes, which a run need not shape again). Past
    ``deadline`` (``time.monotonic()``), what was read is the baseline, with a warning.
    ``declared`` gets the lines of each compressed log read whole (what they declare is
    learned where they are decoded; a plain one is scanned apart, faster)."""
    shapes = Shapes()
    last: list[Shaper | None] = [None]
    base = Path(path)
    files = files_in(base) if base.is_dir() else [base]
    skipped = _Skipped(base, len(files))
    for done, file in enumerate(files):
        if deadline is not None and monotonic() >= deadline:
            say(f"{base}: {len(files) - done} of its {len(files)} files not read as a baseline "
                "(out of time)", "warning")  # fmt: skip
            if declared is not None:  # no shapes from them, but every secret they declare
                until = deadline + DECLARE_SECONDS
                for rest in files[done:]:
                    with contextlib.suppress(InputError, OSError):
                        _declarations_only(str(rest), declared, until)
            break
        last[0] = None  # one Shaper's cache held at a time: memory stays bounded
        with skipped:
            _load_one(str(file), shapes, None, last, deadline, declared=declared)
    return shapes, last[0]


class _Skipped:
    """Around each file's load: in a directory of good runs, a file that cannot be read is
    skipped with a warning (the others still make the baseline); when none can be, the
    last one's error is raised. A single file's error is raised as it is."""

    def __init__(self, base: Path, count: int) -> None:
        self.folder = base.is_dir()
        self.left = count
        self.read = 0

    def __enter__(self) -> None:
        self.left -= 1

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> bool:
        if exc is None:
            self.read += 1
        if not isinstance(exc, InputError) or not self.folder or not (self.left or self.read):
            return False
        say(f"{exc} (skipped: the directory's other files make the baseline)", "warning")
        return True


def files_in(folder: Path) -> list[Path]:
    """The files of a directory of good runs, in order (hidden ones left out); raise
    :class:`InputError` when it has none."""
    # Anything but a directory: a FIFO or a device is skipped with the others' warning.
    files = sorted(p for p in folder.iterdir() if not p.is_dir() and not p.name.startswith("."))
    if not files:
        raise InputError(f"{folder}: baseline directory holds no files")
    return files


def _load_one(
    path: str,
    shapes: Shapes,
    text: OnText | None,
    last: list[Shaper | None] | None = None,
    deadline: float | None = None,
    *,
    mask: Declared | None = None,
    declared: OnText | None = None,
) -> None:
    head = _head(path)
    if head.startswith(MAGIC):
        found = read_index(path)
        if found is None:
            raise InputError(f"{path}: not a readable baseline index (corrupt or truncated)")
        shapes.add(h for run in found for h in run)
        return
    # The shapes from the index frame; the lines, for ``text``, still from the archive.
    trailer_shapes = head.startswith(ZSTD_MAGIC) and _from_trailer(path, shapes)
    if trailer_shapes and text is None:
        return
    inp = _opened(path)
    is_task, chunks = open_detected(inp)
    if declared is not None and text is None and inp.format != InputFormat.PLAIN:
        text = declared  # read whole here anyway: its declarations as it is decoded
    if mask is not None:
        chunks = mask.lines(chunks, learn=not mask.scan(inp))
    # One Shapes per input: a task log is shaped without its prefix, a plain log as it is.
    mine = _like(shapes, is_task, keep=last is not None)
    done = None
    whole = trailer_shapes or text is not None or mask is not None  # read here, in one pass
    if not whole and (inp.size or 0) <= MAX_READ and halves.forkable():
        done = halves.load(inp, chunks, mine)  # on two cores, if large and plain
    if done is False:  # a cap was reached: the order counts, read it in one pass
        inp = _opened(path)
        is_task, chunks = open_detected(inp)
        mine = _like(shapes, is_task, keep=last is not None)
    elif done:
        chunks = iter(())
    read = 0
    for chunk in chunks:
        if not trailer_shapes:
            mine.feed(chunk)
        if text is not None:
            text(chunk)
        read += len(chunk)
        if read >= MAX_READ or (deadline is not None and monotonic() >= deadline):
            # A good run's shapes are in its first gigabytes; a decompression bomb given as
            # a baseline would otherwise hold the step for as long as it inflates.
            cut = read >= MAX_READ
            why = "" if cut else " (the step does not wait longer for it)"
            size = format_size(MAX_READ if cut else read)
            # What it declares is learned to its end all the same: a secret it declares
            # past the cut would be printed in clear (a plain file is scanned whole too).
            rest = declared is not None and text is declared
            also = f"; what it declares is read on, {DECLARE_SECONDS:.0f} s at most" if rest else ""
            say(f"{inp.name}: only its first {size} are read as a baseline{why}{also}",
                "warning")  # fmt: skip
            if rest and text is not None:
                _declare_rest(inp.name, chunks, text, (deadline or monotonic()) + DECLARE_SECONDS)
            break
    shapes.add(mine.hashes)
    shapes.full = shapes.full or mine.full
    if last is not None and not mine.full:
        last[0] = mine.shaper
    inp.check()  # not a baseline: what decoded is not used
    if inp.damage:
        say(f"{inp.name}: {inp.damage}", "warning")


def _declare_rest(name: str, chunks: Iterable[bytes], declared: OnText, until: float) -> None:
    """The rest of a baseline's lines, for what they declare only, until ``until``: past it
    (a decompression bomb: tens of gigabytes), a warning says a secret declared further on
    is not known (it is in no good run's log a step would print it from, or one that large)."""
    read = 0
    for chunk in chunks:
        declared(chunk)
        read += len(chunk)
        if monotonic() >= until:
            say(f"{name}: what it declares past another {format_size(read)} is not read: "
                "a secret declared there is not masked", "warning")  # fmt: skip
            return


def _declarations_only(path: str, declared: OnText, until: float) -> None:
    """What a compressed baseline file the load had no time for declares, decoded to its
    end (a plain one is scanned with ``run``'s options; an index file and an archive with
    its index frame declare nothing not masked already)."""
    head = _head(path)
    if head.startswith(MAGIC) or (head.startswith(ZSTD_MAGIC) and indexed(path)):
        return
    inp = _opened(path)
    try:
        if inp.format != InputFormat.PLAIN:
            _declare_rest(inp.name, open_detected(inp)[1], declared, until)
    finally:
        inp.close()


def indexed(path: str) -> bool:
    """Whether a zstd file is an archive of ``run`` with its index frame, one that reads as
    an index (masked already: what it declares is not read again; any frame at its end made
    a file of declarations pass for one)."""
    try:
        payload = trailer.read(path)
    except (trailer.TrailerError, OSError):
        return False
    return payload is not None and decode(payload) is not None


def _like(shapes: Shapes, tasklog: bool, *, keep: bool) -> Shapes:
    """An empty Shapes for one input, its hashes held as ``shapes`` holds them."""
    return Shapes(
        shapes.cap, tasklog=tasklog, keep=keep, compact=isinstance(shapes.hashes, HashSet)
    )


def _from_trailer(path: str, shapes: Shapes) -> bool:
    """Add the shapes of the archive's index frame; False when it has no usable one."""
    try:
        payload = trailer.read(path)
    except trailer.TrailerError as exc:
        say(f"{path}: {exc} (ignored; the archive is read whole)", "warning")
        return False
    except OSError:
        return False  # open_input says why
    if payload is None:
        return False
    found = decode(payload)
    if found is None:
        say(f"{path}: its index frame is damaged (ignored; the archive is read whole)", "warning")
        return False
    shapes.add(h for run in found for h in run)
    return True


def _head(path: str) -> bytes:
    """The first bytes of a baseline file; raise InputError if it is no regular file (a
    FIFO would hold the step at ``open``, waiting for a writer)."""
    try:
        with open_regular(path) as file:
            return file.read(len(MAGIC))
    except NotRegularFileError:
        raise InputError(f"{path}: not a regular file (a baseline is read from files)") from None
    except OSError:
        return b""  # open_input says why, in its words


def _opened(path: str) -> Input:
    """A baseline file, opened: a binary one is no baseline (no option reads it anyway)."""
    inp = open_input(path)
    inp.binary_hint = ""
    return inp
