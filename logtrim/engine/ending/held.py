"""Error lines the budget held back, for the end of a failed run: the newest within a cap,
the block that names the failure kept longest."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..._regex import lazy
from ..shapes.templates import DIGITS_TO_ZERO, hexless

Entry = tuple[int, int, bytes, int, bool]
#: Error lines pushed out whose shape (digits as zeros) was pushed out once only, kept for
#: the end: a one-off error in a flood of alike ones is often the cause.
RARE_MAX = 8
_COMMON_MAX = 4096  # shapes pushed out more than once, remembered (then forgotten at once)


@dataclass
class _Run:
    """Error lines held as they came, one block: split and formatted only when read."""

    first: int  # line number of the first
    stream: int
    block: bytes  # whole lines
    fmt: Callable[[bytes], bytes]
    context: frozenset[int] = frozenset()  # lines (from 0) held as the error before them's


def _shown_size(block: bytes, end: int) -> int:
    """The console size of ``block[:end]`` (whole lines): a CRLF line shows without its CR."""
    return end - block.count(b"\r\n", 0, end) if b"\r" in block else end


class Held:
    """Error lines the budget held back, each with the rest of its incident (stack trace,
    lines after it), for the end of a failed run: the newest within ``cap`` bytes, but the
    block that names the failure (:attr:`reason`), kept while it fits, whatever its age.

    Lines go oldest first at every add, so the store is the same whether a flood's lines
    come one at a time or as one run (:meth:`add_run`): the cheap flood path changes the
    cost, never what the tail shows. Repeats are sorted out when the tail is chosen.
    """

    def __init__(self, cap: int, *, rare: bool = False) -> None:
        self.cap = cap
        # ``rare``: error lines pushed out of a shape pushed out once are kept apart (at
        # most RARE_MAX of them): not a flood's, whose newest lines stay held
        self._rare: dict[bytes, _Rare] | None = {} if rare else None
        self._common: set[bytes] = set()
        # (lineno, stream, console text, line number of the incident's error, continues it),
        # or a run of raw error lines (see add_run)
        self._lines: deque[Entry | _Run] = deque()
        self._size = 0
        #: The block of the line the failure reason names so far, its first and last line
        #: numbers ((-1, -1): none); set by the selector.
        self.reason: Callable[[], tuple[int, int]] = lambda: (-1, -1)
        #: A CI command is never held: it reached the CI in its turn or was throttled, and
        #: the section of earlier lines would send it again, after later ones (set by the
        #: selector).
        self.command: Callable[[bytes], bool] = lambda text: False

    @property
    def lines(self) -> list[tuple[int, int, bytes, int, bool]]:
        """The held lines, every text in its console form."""
        out: list[tuple[int, int, bytes, int, bool]] = []
        for entry in self._lines:
            if isinstance(entry, _Run):
                body = entry.block[:-1] if entry.block.endswith(b"\n") else entry.block
                incident = entry.first
                for k, line in enumerate(body.split(b"\n")):
                    lineno = entry.first + k
                    cont = k not in entry.context
                    incident = lineno if cont else incident
                    out.append((lineno, entry.stream, entry.fmt(line + b"\n"), incident, cont))
            else:
                out.append(entry)
        if self._rare:
            held = {_shape(text) for _, _, text, _, _ in out}
            out += [r.entry() for shape, r in self._rare.items() if shape not in held]
            out.sort(key=lambda entry: entry[0])
        return out

    def add(self, lineno: int, stream: int, text: bytes, incident: int, cont: bool) -> None:
        if self.command(text):
            return
        self._lines.append((lineno, stream, text, incident, cont))
        self._size += len(text)
        self._shrink()

    def add_run(
        self,
        first: int,
        stream: int,
        block: bytes,
        fmt: Callable[[bytes], bytes],
        context: frozenset[int] = frozenset(),
    ) -> None:
        """Whole error lines (each its own incident, but the ``context`` ones: the error
        before them's), kept raw: put in console form (``fmt``) only if still held when read.
        A flood of errors costs no work per line here."""
        self._lines.append(_Run(first, stream, block, fmt, context))
        self._size += _shown_size(block, len(block))
        self._shrink()

    def _shrink(self, keep_reason: bool = True) -> None:
        """Down to ``cap``: the oldest first, but the reason's block while the rest can go."""
        if self._size <= self.cap:
            return
        lines = self._lines
        low, high = self.reason() if keep_reason else (-1, -1)
        skip = 0  # entries at the front that belong to the reason's block
        while self._size > self.cap and len(lines) > skip:
            old = lines[skip]
            if _in_block(old, low, high):
                if isinstance(old, _Run) and len(parts := _split(old, low, high)) > 1:
                    del lines[skip]
                    for part in reversed(parts):  # the block's own lines alone stay
                        lines.insert(skip, part)
                    continue
                skip += 1
                continue
            if isinstance(old, _Run):
                kept = self._trim(old, self._size - self.cap)
                if kept is not None:
                    self._pushed_run(old, len(old.block) - len(kept.block))
                    lines[skip] = kept
                    self._drop_orphans(skip, low, high, old)
                    return
            if len(lines) == 1:
                return  # one line left: it stays, as ``add`` keeps one
            del lines[skip]
            self._size -= _entry_size(old)
            self._drop_orphans(skip, low, high, old)
            if isinstance(old, _Run):
                self._pushed_run(old, len(old.block))
            elif old[0] == old[3]:  # an error line, not one of its block
                self._pushed(_shape(old[2]), _Rare(old[0], old[1], old[2], None))
        if self._size > self.cap and skip:  # the block alone is over the cap: it goes too
            self._shrink(keep_reason=False)

    def _drop_orphans(self, skip: int, low: int, high: int, gone: Entry | _Run) -> None:
        """The lines of an error gone (``gone`` last) go with it, held one by one or in a
        run alike: a trace under no error line says nothing of which one it was, and no
        marker would say that its start was left out."""
        lines = self._lines
        while len(lines) > skip + 1:
            head = lines[skip]
            if isinstance(head, _Run):
                if 0 not in head.context or _in_block(head, low, high):
                    return
                kept = self._trim(head, 1)  # its first line: the context of the error gone
                if kept is not None:
                    lines[skip] = kept
                    continue
            elif not (_orphan(head, low, high) or _trace_of(head, gone)):
                return
            gone = head
            self._size -= _entry_size(head)
            del lines[skip]

    def _pushed(self, shape: bytes, rare: _Rare) -> None:
        """An error line pushed out: kept apart while its shape was pushed out once only."""
        kept = self._rare
        if kept is None or shape in self._common:
            return
        if kept.pop(shape, None) is not None:
            if len(self._common) >= _COMMON_MAX:
                self._common.clear()
            self._common.add(shape)
            return
        kept[shape] = rare
        if len(kept) > RARE_MAX:
            del kept[next(iter(kept))]

    def _pushed_run(self, run: _Run, end: int) -> None:
        """The error lines of ``run.block[:end]`` pushed out, in order, as one by one: a
        flood's shapes, already pushed out twice, are passed over in C."""
        if self._rare is None:
            return
        block = run.block[:end]
        # (a CRLF line's console form, its text one by one, has no CR)
        shapes = block.replace(b"\r\n", b"\n").translate(DIGITS_TO_ZERO).split(b"\n")
        if shapes and not shapes[-1]:
            shapes.pop()
        common, context = self._common, run.context
        fresh = [k for k, shape in enumerate(shapes) if shape not in common]
        if not fresh:
            return
        lines = block.split(b"\n")
        for k in fresh:
            if k not in context:
                rare = _Rare(run.first + k, run.stream, lines[k] + b"\n", run.fmt)
                self._pushed(hexless(shapes[k]), rare)

    def _trim(self, old: _Run, over: int) -> _Run | None:
        """A run without its oldest whole lines covering ``over`` bytes (None: all of it)."""
        block = old.block
        if over >= _shown_size(block, len(block)):
            return None
        cut = block.find(b"\n", over - 1) + 1
        while 0 < cut < len(block) and (short := over - _shown_size(block, cut)) > 0:
            cut = block.find(b"\n", cut + short - 1) + 1
        if not 0 < cut < len(block):
            return None
        first = old.first + block.count(b"\n", 0, cut)
        shift = first - old.first
        context = frozenset(k - shift for k in old.context if k >= shift)
        self._size -= _shown_size(block, cut)
        return _Run(first, old.stream, block[cut:], old.fmt, context)


@dataclass
class _Rare:
    """An error line pushed out, kept apart (raw from a run: formatted only when read)."""

    lineno: int
    stream: int
    text: bytes
    fmt: Callable[[bytes], bytes] | None

    def entry(self) -> Entry:
        text = self.text if self.fmt is None else self.fmt(self.text)
        return (self.lineno, self.stream, text, self.lineno, True)


def _orphan(entry: tuple[int, int, bytes, int, bool] | _Run, low: int, high: int) -> bool:
    """Whether ``entry``, now the oldest held, belongs to an older error line (one no longer
    held) outside the reason's block (``low`` to ``high``)."""
    return isinstance(entry, tuple) and 0 <= entry[3] < entry[0] and not _in_block(entry, low, high)


def _trace_of(
    entry: tuple[int, int, bytes, int, bool] | _Run, gone: tuple[int, int, bytes, int, bool] | _Run
) -> bool:
    """Whether ``entry`` is the header of the traceback logged right under the line ``gone``
    (Python's ``log.exception``: the message, then ``Traceback (most recent call last):``)."""
    return (
        isinstance(entry, tuple)
        and isinstance(gone, tuple)
        and entry[0] == gone[0] + 1
        and entry[1] == gone[1]
        and entry[2].startswith(b"Traceback (most recent call last)")
    )


def _in_block(entry: tuple[int, int, bytes, int, bool] | _Run, low: int, high: int) -> bool:
    """Whether ``entry`` holds a line of the block ``low``..``high`` (or of its incident)."""
    if low < 0:
        return False
    if isinstance(entry, _Run):
        return entry.first <= high and low < entry.first + entry.block.count(b"\n")
    return low <= entry[0] <= high or low <= entry[3] <= high


def _split(run: _Run, low: int, high: int) -> list[_Run]:
    """``run`` cut where the block ``low``..``high`` (with the context lines that continue
    it) starts and ends, so that only the block's own lines are kept longest."""
    lines = [line + b"\n" for line in run.block.split(b"\n")]  # not splitlines: CRs stay
    lines[-1] = lines[-1][:-1]
    if not lines[-1]:
        lines.pop()
    start = max(low - run.first, 0)
    end = min(high - run.first + 1, len(lines))
    while end < len(lines) and end in run.context:
        end += 1
    out = []
    for a, b in ((0, start), (start, end), (end, len(lines))):
        if a < b:
            context = frozenset(k - a for k in run.context if a <= k < b)
            out.append(_Run(run.first + a, run.stream, b"".join(lines[a:b]), run.fmt, context))
    return out


def _entry_size(entry: tuple[int, int, bytes, int, bool] | _Run) -> int:
    if isinstance(entry, _Run):
        return _shown_size(entry.block, len(entry.block))
    return len(entry[2])


def alike_cut(
    lines: list[Entry], shown: set[int], line_after: Callable[[int], bytes | None]
) -> set[int]:
    """The plain lines cut from the context before an error shown live (not its block) that
    have the shape of the line after them (``line_after``: its raw form, if still known): a
    run of like lines whose last ones the console showed (``gcc -c src/module_297.c ...``).
    Shown after the error, out of order, they say nothing more; a line unlike the next
    (``Running smoke tests against ...``) still comes back."""
    out: set[int] = set()
    for lineno, _, text, incident, cont in lines:
        if not cont and lineno < incident and incident in shown:
            after = line_after(lineno)
            if after is not None and _loose(after) == _loose(text):
                out.add(lineno)
    return out


def _loose(text: bytes) -> bytes:
    """:func:`_shape` with each run of zeros one: ``in 8 ms`` is like ``in 24 ms``."""
    return _ZEROS.sub(b"0", _shape(text))


_ZEROS = lazy(rb"0+")


def _shape(text: bytes) -> bytes:
    """A line's shape: its digits as zeros, its hex ids as ``#``s, without its line end."""
    return hexless(text.removesuffix(b"\n").removesuffix(b"\r").translate(DIGITS_TO_ZERO))
