"""Lines and bytes per line template over a stream of chunks (what ``stats`` reports).

All digits are mapped to ``0`` (C-speed ``translate``: the template regex treats every digit
alike), the distinct lines are counted with ``Counter`` (a C loop) and only they meet the
regex (:func:`~logtrim.engine.shapes.templates.templates_of_keys`).

A line is held with its newline (a *key*): ``BytesIO.readlines`` finds line ends with
``memchr``, where ``bytes.split`` compares byte by byte (measured: split and count in 0.7x the
instructions), and keys joined with nothing are the block the template regex reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from io import BytesIO
from itertools import compress, islice, repeat
from operator import is_, mul, not_
from typing import NamedTuple, Protocol

from ..._text import MASK
from ..masking import urlcreds
from ..shapes.templates import DIGITS_TO_ZERO, last_state, templates_of_keys
from .table import Table, TemplateStat

__all__ = ["Shared", "Table", "TemplateCounter", "TemplateStat"]


class Shared(NamedTuple):
    """Templates of ``distinct`` lines (:meth:`TemplateCounter.share`): the keys (each with
    its newline) joined, and their templates joined with newlines."""

    distinct: int
    keys: bytes
    templates: bytes


class Watch(Protocol):
    """Told each chunk with its keys, and each fold (:class:`~.keytiers.KeyTiers`)."""

    def chunk(self, chunk: bytes, keys: list[bytes], cut: bool) -> None: ...

    def fold(self, keys: list[bytes], counts: list[int]) -> None: ...


class TemplateCounter:
    """Counts lines and bytes per template over a stream of whole-line chunks.

    Feed chunks that end at a line end (only the last chunk may lack its newline). Memory
    holds the distinct digit-free lines, folded into templates when there are ``fold_at``
    of them or they hold ``fold_bytes``; a line is templated on its first ``KEY_MAX`` bytes
    (the rest still counts in its size), so memory stays bounded whatever the lines.
    A log's distinct lines recur all through it (a few shapes, ids from a pool): held until
    then, each meets the regex once per log, not once per so many bytes fed.
    """

    KEY_MAX = 4096
    # Fields whose templates are kept (templates_of's cache): ~10 MB at most.
    FIELDS_MAX, FIELDS_BYTES = 1 << 16, 2 << 20

    # The distinct lines held and what a fold makes of them are most of stats' memory: held
    # up to 32 MB (checked every ``fold_bytes // 2`` fed), long distinct lines took a stats
    # run to 177 MB; checked at each chunk, 110 MB. (The short-line benchmark log holds 18 MB.)
    HOLD_BYTES = 24 << 20

    def __init__(
        self, fold_at: int = 140_000, fold_bytes: int = 32 << 20, batch: int = 4096
    ) -> None:
        self.fold_at = fold_at
        self.fold_bytes = fold_bytes
        # Distinct lines templated at once: bounds the bulk path's memory (a join of fields
        # takes 80 bytes a field); 4096 of them templated in 0.85x the time of 16,384.
        self.batch = batch
        self._pending = 0  # bytes fed since the distinct lines were last looked at
        self._held = 0  # distinct lines held then
        self._held_bytes = 0  # the bytes of the distinct lines held now
        self._first: int | None = None  # new distinct lines in the first look after a fold
        self._beyond: Counter[bytes] = Counter()  # bytes of long lines past their key
        self._keys: Counter[bytes] = Counter()
        self._unterminated: Counter[bytes] = Counter()  # keys of lines without newline
        self._known: dict[bytes, bytes] = {}  # templates of held lines, made elsewhere
        # After :meth:`share`, until more is fed: its parity, the parity of each held line's
        # hash, and the templates of those of that parity, in order.
        self._made: tuple[int, list[int], list[bytes]] | None = None
        self._folded = Table()  # bounded: the rarer templates counted as other
        self._fields: dict[bytes, bytes] = {}  # field -> its template (templates_of's cache)
        self._fields_bytes = 0  # the bytes of its fields
        self.lines = 0  # lines fed so far
        self.watch: Watch | None = None  # told of each chunk's keys and of each fold

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self._made = None
        # bytes, not a bytearray's translate (2/3 of the instructions on its own): BytesIO
        # shares bytes and copies a bytearray; with the copy that took 1.6x the CPU time.
        lines = BytesIO(chunk.translate(DIGITS_TO_ZERO)).readlines()
        last = lines[-1]
        unterminated = last[-1:] != b"\n"
        if unterminated:
            lines[-1] = last + b"\n"
        keys = self._keys
        held = len(keys)
        # Counter.update from a list is a C loop.
        keys.update(lines)
        # Only the new keys are measured, not every line: for the bytes held, and for a line
        # past KEY_MAX (a new key: the keys held are cut).
        fresh = len(keys) - held
        cut = False
        if fresh:
            sizes = list(map(len, islice(reversed(keys), fresh)))
            if cut := max(sizes) > self.KEY_MAX + 1:
                self._recount_cut(lines, fresh)
                sizes = list(map(len, islice(reversed(keys), len(keys) - held)))
            self._held_bytes += sum(sizes) - len(sizes)
        if self.watch is not None:
            self.watch.chunk(chunk, lines, cut)
        if unterminated:
            self._unterminated[lines[-1]] += 1
        self.lines += len(lines)
        self._pending += len(chunk)
        if len(self._keys) > self.fold_at or self._held_bytes > self.HOLD_BYTES:
            self._fold()
        elif self._pending > self.fold_bytes // 2:
            self._check()

    def _check(self) -> None:
        """Every ``fold_bytes // 2`` fed: fold when the distinct lines held fill
        ``fold_bytes``, or when as many new ones come as at first (lines that do not recur:
        holding them saves no regex and slows the counting down)."""
        self._pending = 0
        held = len(self._keys)
        fresh, self._held = held - self._held, held
        if self._held_bytes > self.fold_bytes:
            self._fold()
        elif self._first is None:
            self._first = fresh
        elif fresh * 4 >= self._first * 3:
            self._fold()

    def _recount_cut(self, lines: list[bytes], fresh: int) -> None:
        """Count ``lines`` (just counted, ``fresh`` of them new keys) anew, cut to KEY_MAX:
        their keys in the order they come in, as if counted cut at once."""
        keys = self._keys
        keys.subtract(lines)
        for key in list(islice(reversed(keys), fresh)):
            del keys[key]
        self._cut_long(lines)
        keys.update(lines)

    def _cut_long(self, lines: list[bytes]) -> None:
        limit = self.KEY_MAX
        for i, line in enumerate(lines):
            if len(line) > limit + 1:
                lines[i] = key = _cut(line, limit)
                self._beyond[key] += len(line) - len(key)

    def _fold(self) -> None:
        keys, beyond = self._keys, self._beyond
        self._pending = self._held = self._held_bytes = 0
        self._first = None
        if not keys:
            self._known.clear()
            return
        held = list(keys)
        counts = list(keys.values())
        if self.watch is not None:
            self.watch.fold(held, counts)
        templates = self._templates(held)
        del held
        out = self._folded
        get = out.get
        # The coarse key has the length of its original lines (translate keeps lengths);
        # the sizes are C loops, the loop below the one Python step a distinct line takes.
        sizes = map(mul, counts, map(len, keys))
        for tpl, count, size, key in zip(templates, counts, sizes, keys, strict=True):
            entry = get(tpl)
            if entry is None:
                out.put(tpl, TemplateStat(count, size, key[:-1]))
            else:
                entry.lines += count
                entry.size += size
        if self._unterminated or beyond:
            template_of = dict(zip(keys, templates, strict=True))
            for key, extra in beyond.items():
                out.resize(template_of[key], extra)  # (a long line's bytes past its key)
            for key, count in self._unterminated.items():
                out.resize(template_of[key], -count)  # no newline to count
            self._unterminated.clear()
        keys.clear()
        beyond.clear()
        self._known.clear()
        self._made = None

    def _templates(self, keys: list[bytes]) -> list[bytes]:
        """``templates_of(keys)`` (the held lines, in order), in batches (the bulk path's
        memory grows with the lines given it); those made ahead are not made again."""
        if self._made is None:
            return self._looked_up(keys)
        # Those :meth:`share` made are taken in order, the others looked up (:meth:`learn`),
        # and the two merged in order: C loops, no look-up for a line of this parity.
        parity, bits, made = self._made
        other = self._looked_up(list(compress(keys, map(not_, bits) if parity else bits)))
        pick = (iter(other), iter(made)) if parity else (iter(made), iter(other))
        return list(map(next, map(pick.__getitem__, bits)))

    def _looked_up(self, keys: list[bytes]) -> list[bytes]:
        """The templates of ``keys``: made elsewhere (:meth:`learn`) or here."""
        known = self._known
        found = list(map(known.get, keys)) if known else []  # C loops: one look-up a line
        missing = list(compress(keys, map(is_, found, repeat(None)))) if known else keys
        made = self._in_batches(missing)
        if not known:
            return list(made)
        fresh = dict(zip(missing, made, strict=True))
        return list(map(fresh.get, keys, found))  # type: ignore[arg-type]  # all found

    def _in_batches(self, keys: list[bytes]) -> Iterator[bytes]:
        """``templates_of(keys)`` in batches; the templates of the fields met are kept from
        batch to batch and fold to fold, up to ``FIELDS_MAX`` fields, ``FIELDS_BYTES``."""
        fields = self._fields
        for start in range(0, len(keys), self.batch):
            if len(fields) > self.FIELDS_MAX or self._fields_bytes > self.FIELDS_BYTES:
                fields.clear()
                self._fields_bytes = 0
            held = len(fields)
            yield from templates_of_keys(keys[start : start + self.batch], cache=fields)
            # Only the fields just added are measured (a C loop): they come last.
            self._fields_bytes += sum(map(len, islice(reversed(fields), len(fields) - held)))

    def share(self, parity: int) -> Shared:
        """Template now the held lines whose hash has this parity (0 or 1), and return
        their templates: two processes that counted two parts of one log each take one
        parity and hand the other theirs, so a line held by both meets the regex once."""
        keys = self._keys
        bits = list(map((1).__and__, map(hash, keys)))  # C loops, as below
        mine = list(compress(keys, bits if parity else map(not_, bits)))
        made = list(self._in_batches(mine))
        self._made = (parity, bits, made)
        # Keys end with a newline, templates hold none: two joined blobs pickle at memcpy
        # speed, where a dict of them goes entry by entry.
        return Shared(len(mine), b"".join(mine), b"\n".join(made))

    def learn(self, shared: Shared) -> None:
        """Templates made elsewhere (another process's :meth:`share`) of lines this one may
        hold: its next fold looks them up."""
        if shared.distinct:
            keys = BytesIO(shared.keys).readlines()
            templates = shared.templates.split(b"\n")
            self._known.update(zip(keys, templates, strict=True))

    def lines_held(self) -> int:
        """The distinct lines held (not folded yet)."""
        return len(self._keys)

    def add(self, lines: int, templates: dict[bytes, TemplateStat]) -> None:
        """Counts made elsewhere (another process) of other lines."""
        self.lines += lines
        self._folded.absorb(templates)

    def result(self) -> Table:
        """``{template: TemplateStat}`` for everything fed so far."""
        self._fold()
        return self._folded


def _cut(line: bytes, limit: int) -> bytes:
    """A long line's key: its first ``limit`` bytes and a newline; a URL's password the cut
    leaves open (no ``@`` after it yet) as the mask, as its ``@`` would have it masked."""
    # A line redrawn (a progress bar's states, over kilobytes): templated by its last state
    # (:func:`~logtrim.engine.shapes.templates.redrawn_as_last`), which is at its end.
    core = line.rstrip(b"\r\n")
    last = last_state(core, limit) if b"\r" in core else None
    if last is not None:
        return b"\r" + last + b"\n"
    head = line[:limit]
    if urlcreds.AT in line[limit:]:
        start = urlcreds.open_password(head)
        if start < limit:
            head = head[:start] + MASK
    return head + b"\n"
