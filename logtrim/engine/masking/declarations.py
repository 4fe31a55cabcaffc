"""What the child's commands declare: the secrets, read as every system's dialect reads them.

Secrets are learned from every system's syntax (more masking is safe), in a pass of their
own over each region, with dialect instances of their own. A message may go on over the next
lines, also past the end of a region; the lines that declare a secret to the system in use
are noted, for their command passes as it is (:class:`~.commands.Commands` masks the rest).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from ...dialects import Dialect, all_dialects
from ...dialects.overlap import breaks_commands

#: A command over several lines holds at most this many more: a bound, whatever the input.
MAX_LINES = 64
_NO_CASE = bytes(b for b in range(256) if not chr(b).isalpha() or b > 127)


def opens(dialect: Dialect, text: str) -> bool:
    """Whether ``text`` starts a command of ``dialect`` that goes on on the next lines (a
    line without its marker starts none, whatever :meth:`Dialect.unclosed` says of it)."""
    if not dialect.unclosed(text):
        return False
    lowered = text.lower()
    return any(m.decode("latin-1").lower() in lowered for m in dialect.markers)


def _goes_on(dialect: Dialect) -> bool:
    """Whether the dialect's commands may go on over several lines."""
    return type(dialect).unclosed is not Dialect.unclosed


def _window(region: bytes, count: int) -> int:
    """Where a window at the end of ``region`` holding its last ``count`` lines starts."""
    window = 128 * count
    while window < len(region) and region.count(b"\n", len(region) - window) <= count:
        window *= 4
    return max(len(region) - window, 0)


def _last_lines(region: bytes, count: int) -> int:
    """Where the last ``count`` lines of ``region`` (ending with a newline) start."""
    parts = region.split(b"\n")[:-1]
    return len(region) - sum(len(p) + 1 for p in parts[-count:])


def _newlines(region: bytes, pos: int) -> list[int]:
    out = []
    while (pos := region.find(b"\n", pos) + 1) > 0:
        out.append(pos - 1)
    return out


def _closes_nowhere(region: bytes, start: int, end: int, text: str, opened: Dialect) -> bool:
    """Whether the message of ``opened`` that the line ``text`` (``region[start:end]``)
    opens reads on over its bound of ``MAX_LINES`` more lines without a ``]``, all within
    the region: it is not held for the next one, and no system reads a declaration or a
    switch in it (each needs a ``]`` after its marker, but GitHub's ``::`` command at the
    start of a line): learning it changes nothing. Each opener of an unclosed line read
    the next 64 lines, whole (a log of them cost their square)."""
    if not opened.closes_at_bracket or text.lstrip().startswith("::"):
        return False
    close = region.find(b"]", start)
    if close >= 0 and region.count(b"\n", end + 1, close) < MAX_LINES:
        return False  # a ']' within its bound (found in C: a log of such lines is common)
    stop = end
    for _ in range(MAX_LINES):
        stop = region.find(b"\n", stop + 1)
        if stop < 0:
            return False
    return stop < len(region) - 1 and region.find(b"]", start, stop) < 0


def _as_read(text: str) -> str:
    """``text`` (decoded with ``surrogateescape``) as a CI decodes its bytes: U+FFFD for
    each byte that is no UTF-8."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _bare(values: list[str]) -> list[str]:
    """``values``, each followed by itself without surrounding whitespace when that differs
    (``::add-mask:: VALUE``): the bare value is what the script prints elsewhere, and more
    masking is safe (one too short is refused by the masker, as any short value)."""
    out: list[str] = []
    for value in values:
        out.append(value)
        bare = value.strip()
        if bare and bare != value and bare not in out:
            out.append(bare)
    return out


def _still_open(dialect: Dialect, after: list[str]) -> bool:
    """Whether a message of ``dialect`` opened before the lines ``after`` is open after
    them (as :meth:`Declarations._gather` reads it: on while it gathers and is unclosed)."""
    return all(dialect.gathers(text) and not dialect.closes(text) for text in after)


class Declarations:
    """Learns the secrets the child's commands declare (``dialect``: the system in use)."""

    def __init__(self, dialect: Dialect) -> None:
        others = [d for d in all_dialects() if d.name != dialect.name]
        self._secret_dialects = [type(dialect)(), *others]
        # Inert lines of the system in use (``Dialect.quick``) declare nothing, open nothing.
        self._quick = type(dialect).quick_lines()
        self._watching = [
            d for d in self._secret_dialects if type(d).observe_quick is not Dialect.observe_quick
        ]
        self.markers = sorted({m for d in self._secret_dialects for m in d.markers})
        # The dialects whose messages go on over several lines, and their markers (any case).
        self._multiline = [d for d in self._secret_dialects if _goes_on(d)]
        self._openers = [m.lower() for d in self._multiline for m in d.markers]
        self._caseless = [m[: len(m) - len(m.lstrip(_NO_CASE))] for m in self._openers]
        # The lines of the latest region that declare a secret to the system in use: the only
        # ones whose command carries it (another system's declaration is masked as it reads
        # it: nobody there takes the value, and a reader could decode it).
        self.declaring: set[bytes] = set()
        # Per stream: a message still open at the end of the last region learned (its
        # dialect and lines), read on into the next region's first lines.
        self._gathering: dict[int, tuple[Dialect, list[bytes]]] = {}
        self.faults = 0  # messages that could not be read for what they declare (a fault)

    @property
    def dialects(self) -> list[Dialect]:
        """The dialect instances that read the declarations (the system in use first)."""
        return self._secret_dialects

    def gathering(self, stream: int) -> bool:
        """Whether a message of the stream is open since its last region."""
        return stream in self._gathering

    def learn(self, region: bytes, starts: Sequence[int], stream: int | None = None) -> list[str]:
        """The secrets the command lines starting at ``starts`` declare (``stream``: the
        one ``region`` comes from, for a message open over the end of a region)."""
        found: list[str] = []
        self.declaring.clear()
        held = self._gathering.pop(stream, None) if stream is not None else None
        if held is not None:
            dialect, before = held
            lines, end = self._gather(region, -1, dialect, len(before))
            found += self._learn_lines([*before, *lines], lines)
            self._hold(stream, dialect, [*before, *lines], end, region)
        quick = self._quick
        for start in starts:
            if quick is not None and (inert := quick.match(region, start)) is not None:
                for dialect in self._watching:
                    dialect.observe_quick(region[start : inert.end() - 1])
                continue
            end = region.find(b"\n", start)
            end = end if end >= 0 else len(region)
            first = region[start:end]
            text = first.decode("utf-8", "surrogateescape")
            opened = next((d for d in self._secret_dialects if opens(d, text)), None)
            if opened is not None and _closes_nowhere(region, start, end, text, opened):
                continue
            more, end = ([], end) if opened is None else self._gather(region, end, opened, 1)
            lines = [first, *more]
            found += self._learn_lines(lines, lines)
            if opened is not None:
                self._hold(stream, opened, lines, end, region)
        return _bare(found)

    def open_at(self, region: bytes) -> int:
        """Where a message still open at the end of ``region`` (whole lines) starts, else
        ``len(region)``: its lines wait for the rest, for what it declares is masked in its
        own lines only when it is read whole, whatever the reads (``print`` writes the last
        newline alone). Bounded as :meth:`learn` holds one: ``MAX_LINES`` lines."""
        end = len(region)
        if not self._openers or not end:
            return end
        near = _window(region, MAX_LINES)
        # No marker near the end, the common case: seen by the markers' bytes that have no
        # case (``##``); then in any case (a caseless regex costs ten times ``lower``).
        if all(p and region.find(p, near) < 0 for p in self._caseless):
            return end
        window = region[near:]
        lowered = window.lower()
        if not any(m in lowered for m in self._openers):
            return end
        begin = near + _last_lines(window, MAX_LINES)
        starts = [begin, *(i + 1 for i in _newlines(region, begin))]
        lines = [region[a:b].decode("utf-8", "surrogateescape") for a, b in pairwise(starts)]
        for k, text in enumerate(lines):
            opened = next((d for d in self._multiline if opens(d, text)), None)
            if opened is not None and _still_open(opened, lines[k + 1 :]):
                return starts[k]
        return end

    def long_value_at(self, start: str) -> int:
        """Where the value of a secret that ``start`` (a long command's) may declare begins,
        by any system's syntax; -1: none (see :meth:`.Dialect.long_value_at`)."""
        found = [at for d in self._secret_dialects if (at := d.long_value_at(start)) >= 0]
        return min(found, default=-1)

    def declared_in(self, region: bytes, starts: Sequence[int]) -> list[str]:
        """What the commands starting at ``starts`` declare, with no state changed: for
        lines read ahead of their turn (they are learned again in it). A message over
        several lines (``##octopus[mask`` then ``value='...']``) is read over them, joined
        as :meth:`_learn_lines` joins them."""
        texts: list[str] = []
        for start in starts:
            end = region.find(b"\n", start)
            end = end if end >= 0 else len(region)
            text = region[start:end].decode("utf-8", "surrogateescape")
            texts.append(text)
            opened = next((d for d in self._secret_dialects if opens(d, text)), None)
            if opened is not None:
                more = self._gather(region, end, opened, 1)[0]
                lines = [text, *(raw.decode("utf-8", "surrogateescape") for raw in more)]
                texts += [" ".join(lines), "".join(t.rstrip("\r") for t in lines)]
        return _bare([v for t in texts for d in self._secret_dialects for v in self._read(d, t)])

    def declared_text(self, data: bytes) -> list[tuple[str, str]]:
        """What ``data`` (a piece of a line too long to hold) declares in any system's
        syntax, with no state changed: (the system's name, the value)."""
        text = data.decode("utf-8", "surrogateescape")
        found = [(d.name, v) for d in self._secret_dialects for v in self._read(d, text)]
        return [(name, bare) for name, v in found for bare in _bare([v])]

    def _read(self, dialect: Dialect, text: str) -> list[str]:
        """What ``text`` declares to ``dialect``; nothing if reading it fails: a fault of
        logtrim's on one message must not stop the messages after it from declaring (the
        engine failed open, and every secret declared later reached the log)."""
        try:
            return dialect.declared_secrets(text)
        except Exception:
            self.faults += 1
            return []

    def _learn_lines(self, lines: list[bytes], here: list[bytes]) -> list[str]:
        """What a message over ``lines`` declares, read joined with and without a space
        (Calamari drops line breaks); ``here``: its lines in this region."""
        found: list[str] = []
        texts = [raw.decode("utf-8", "surrogateescape") for raw in lines]
        spaced, tight = " ".join(texts), "".join(t.rstrip("\r") for t in texts)
        # What the CI reads, bytes that are no UTF-8 as U+FFFD: a pause's token with them
        # ends where the CI's does (the values learned keep their bytes).
        read = spaced if spaced.isascii() else _as_read(spaced)
        ours = False
        for i, dialect in enumerate(self._secret_dialects):
            declared = self._read(dialect, spaced)
            if len(lines) > 1:
                declared += [v for v in self._read(dialect, tight) if v not in declared]
            found += declared
            # The first: the system in use, when it reads the declaration as one.
            ours = ours or (i == 0 and bool(declared) and dialect.declares_to_ci(read))
            try:
                dialect.observe(read)
            except Exception:  # (as in :meth:`_read`)
                self.faults += 1
        if ours:
            self.declaring.update(raw.rstrip(b"\r") for raw in here)
        return found

    def _gather(
        self, region: bytes, end: int, dialect: Dialect, count: int
    ) -> tuple[list[bytes], int]:
        """The lines after the newline at ``end`` that the open message of ``dialect``
        reads on (``count`` lines so far), and where the last one ends."""
        lines: list[bytes] = []
        while end + 1 < len(region) and count + len(lines) <= MAX_LINES:
            nxt = region.find(b"\n", end + 1)
            nxt = nxt if nxt >= 0 else len(region)
            line = region[end + 1 : nxt]
            text = line.decode("utf-8", "surrogateescape")
            if not dialect.gathers(text):
                break
            lines.append(line)
            end = nxt
            if dialect.closes(text):
                return lines, -2  # closed
        return lines, end

    def _hold(
        self, stream: int | None, dialect: Dialect, lines: list[bytes], end: int, region: bytes
    ) -> None:
        """Keep a message open at the end of the region for the next one."""
        if stream is not None and end >= len(region) - 1 and len(lines) <= MAX_LINES:
            self._gathering[stream] = (dialect, lines)

    def breaks_commands(self, value: str) -> str | None:
        """The CI in use, if masking ``value`` breaks its commands (:mod:`.dialects.overlap`)."""
        dialect = self._secret_dialects[0]
        return dialect.name if breaks_commands(dialect, value) else None

    def syntax_word(self, value: str) -> str | None:
        """A word of a command's syntax that holds ``value`` (kept there unmasked), if any."""
        for dialect in self._secret_dialects:
            words = [m.decode("latin-1") for m in dialect.markers] + list(dialect.syntax_words)
            found = next((w for w in words if value in w), None)
            if found is not None:
                return found
        return None

    def secret_forms(self, value: str) -> list[str]:
        """The escaped forms of a secret in every system's commands."""
        return [f for d in self._secret_dialects for f in d.secret_forms(value) if f != value]
