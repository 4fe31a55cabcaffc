"""Declared values too long to learn: refused, said, and masked in their own declaration.

A secret is masked in every form it may take (engine/masking/mask.py), each form held by the masker
for the rest of the run: a value a script declares may be megabytes long (a whole line, or
the base64 of a file), so what is learned is bounded, as what a line holds is. A value longer
than :data:`MAX_DECLARED` is not learned (logtrim says so on stderr, as it does of values too
short); its declaration still never shows it: the forms of the value are masked in the bytes
that declare it (the archive, and the console but where the CI in use reads the declaration),
and a declaring command too long to hold (engine/service/longline.py) is masked from its value
on, by place, as it passes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence

from ...dialects import Dialect
from ..match.matcher import Compiler
from .inpieces import MAX_DECLARED
from .mask import Masker, apply, merged

#: The distinct declared values learned in a run, and their bytes in all: each costs its forms
#: for the rest of the run, so a flood of declarations (hostile output) must not grow memory
#: without end. Far above what a deployment declares (GitHub allows 100 secrets a repository).
MAX_LEARNED = 10_000
MAX_LEARNED_BYTES = 1 << 20
_BATCH = 1024  # values waiting to be masked where declared, per masker
Spans = list[tuple[int, int]]


class TooLong:
    """The values of the last declarations read that were too long to learn (see above)."""

    def __init__(
        self, notes: list[str], forms: Callable[[str], list[str]], compiler: Compiler | None = None
    ) -> None:
        self._notes = notes
        self._compiler = compiler
        self._forms = forms  # a value's escaped forms in the CI commands
        # The values to mask in the bytes that declared them, their escaped forms, and a
        # masker of them (every spelling a CI decodes: Calamari's base64 with spaces too).
        self._values: list[tuple[str, list[str]]] = []
        self._masker: Masker | None = None  # of the first batch, kept while none is added
        self._places: Spans = []  # spans of those bytes, by place (a long command's value)
        self._said = False
        self._learned: set[bytes] = set()  # the declared values learned (bounded, above)
        self._learned_bytes = 0
        self._full_said = False

    @property
    def waiting(self) -> bool:
        """Whether some bytes wait to be masked where they were declared."""
        return bool(self._values or self._places)

    def learnable(self, values: list[str], *, pend: bool = True) -> list[str]:
        """The ``values`` short enough to learn; the others are said, and (``pend``) their
        forms wait to be masked where they were declared (:meth:`take`)."""
        out = []
        for value in values:
            raw = value.strip("\r\n").encode("utf-8", "surrogateescape")
            if len(raw) > MAX_DECLARED:
                self.refuse()
            elif self._room(raw):
                out.append(value)
                continue
            if pend:
                self._values.append((value, self._forms(value)))
                self._masker = None
        return out

    def _room(self, raw: bytes) -> bool:
        """Whether the value is learned (again, or within the bounds); said once if not."""
        if raw in self._learned:
            return True
        if len(self._learned) < MAX_LEARNED and self._learned_bytes + len(raw) <= MAX_LEARNED_BYTES:
            self._learned.add(raw)
            self._learned_bytes += len(raw)
            return True
        if not self._full_said:
            self._full_said = True
            self._notes.append(
                f"not masking more declared values: {MAX_LEARNED} values or "
                f"{MAX_LEARNED_BYTES >> 20} MiB declared in all are learned (so that a flood "
                "of declarations cannot grow memory without end): each later one is masked in "
                "its declaration, the value elsewhere is not; pass such secrets with --mask-env"
            )
        return False

    def refuse(self) -> None:
        """Say once that a declared value was too long to learn."""
        if self._said:
            return
        self._said = True
        self._notes.append(
            f"not masking a declared value over {MAX_DECLARED} bytes (64 KiB; GitHub's "
            "secrets are at most 48 KB): its declaration is masked, the value elsewhere is "
            "not; pass such a secret with --mask-env"
        )

    def place(self, start: int, end: int) -> None:
        """Mask ``[start, end)`` of the next bytes :meth:`take` reads (a long command's value)."""
        self._places.append((start, end))

    def place_found(self, data: bytes, offset: int) -> None:
        """:meth:`place` the forms waiting found in ``data``, which is at ``offset`` of the
        next bytes :meth:`take` reads."""
        for start, end in self._found(data):
            self.place(max(start + offset, 0), max(end + offset, 0))

    def masked(self, data: bytes) -> bytes:
        """``data`` with the forms waiting masked (the console form of a declaration)."""
        spans = merged(self._found(data))
        return apply(data, spans) if spans else data

    def take(self, data: bytes, lines: Spans | None = None) -> Spans:
        """The spans of ``data`` (the bytes that declared them) to mask, its forms only within
        ``lines`` when given (the command lines: what declared them, whatever the reads);
        then none wait."""
        found = self._found(data) if self._values else []
        if lines is not None and found:
            found = _within(found, lines)
        spans = found + [(a, min(b, len(data))) for a, b in self._places if a < b]
        self._values, self._masker = [], None
        self._places.clear()
        return spans

    def _found(self, data: bytes) -> Spans:
        """The spans of the values waiting in ``data``, in any form and spelling the masker
        finds a secret in (one multi-literal pass, whatever their number)."""
        found: Spans = []
        # In batches: a flood past the bounds brings thousands at once, and one masker of
        # them all would hold every form's compiled pattern at the same time.
        for at in range(0, len(self._values), _BATCH):
            masker = self._masker if at == 0 else None
            if masker is None:
                masker = _masker_of(self._values[at : at + _BATCH], self._compiler)
                if at == 0:
                    self._masker = masker
            found += masker.spans(data)
        return found


def _masker_of(values: list[tuple[str, list[str]]], compiler: Compiler | None) -> Masker:
    masker = Masker(compiler=compiler)
    masker.add(*(value for value, _ in values), forms=[f for _, forms in values for f in forms])
    return masker


def _within(found: Spans, lines: Spans) -> Spans:
    """The spans of ``found`` inside one of ``lines`` (merged first: a flood of declarations
    holds thousands of both, so each span is looked up, not compared with every line)."""
    union = merged(list(lines))
    starts = [start for start, _ in union]
    out = []
    for a, b in found:
        at = bisect_right(starts, a) - 1
        if at >= 0 and b <= union[at][1]:
            out.append((a, b))
    return out


def declaring_lines(region: bytes, lines: Spans, starts: Sequence[int]) -> Spans:
    """The command ``lines`` and the lines at ``starts`` (a declaration in a syntax not read
    as a command here is one too): where a value too long to learn is masked."""
    return lines + [(s, region.find(b"\n", s) + 1 or len(region)) for s in starts]


class LongValue:
    """The value of a secret that a command too long to hold (engine/service/longline.py) may
    declare, as the command passes: masked from its start (``at``: its byte in the command,
    -1: it declares none) to its closing quote, or to the end of the command."""

    def __init__(self, window: str = "", at: int = -1, ours: bool = False) -> None:
        self.at, self.ours = at, ours  # ``ours``: the CI in use reads it (and needs it)
        self.passed = 0  # the command's bytes passed so far
        self.head = window.encode("utf-8", "surrogateescape")[: max(at, 0)].decode(
            "utf-8", "surrogateescape"
        )  # the command up to its value
        self.quote = self.head[-1:].encode() if self.head[-1:] in ("'", '"') else b""
        self.tail = b""  # its last bytes: whether it did declare, at its end
        self.done = False  # the value's closing quote passed

    def span(self, part: bytes, *, close: bool) -> tuple[int, int] | None:
        """The span of the value in the command's next ``part`` (``close``: it ends with the
        command's ``]``), if any."""
        start = self.passed
        self.passed += len(part)
        self.tail = (self.tail + part[-256:])[-256:]
        if self.at < 0 or self.done:
            return None
        begin = max(self.at - start, 0)
        end = len(part) - 1 if close else len(part.rstrip(b"\r\n"))
        if self.quote and 0 <= (quote := part.find(self.quote, begin)) < end:
            end, self.done = quote, True  # the attributes after it stay
        return (begin, end) if begin < end else None

    def begins(self, part: bytes, begin: int) -> bool:
        """Whether the value begins at ``begin`` of ``part`` (the last one :meth:`span` read)."""
        return self.passed - len(part) + begin == self.at

    def declared(self, dialect: Dialect) -> bool:
        """At the command's end: whether it declared a value too long to learn (a shorter
        one was learned from its piece: engine/masking/inpieces.py)."""
        ends = len(self.tail) - len(self.tail.rstrip(b"\r\n"))  # its line's end: no value
        return (
            self.at >= 0
            and self.passed - self.at - ends > MAX_DECLARED
            and dialect.long_declares(self.head, self.tail.decode("latin-1"))
        )
