"""The engine's secrets: learning them, and masking each byte in the form it reaches a reader.

The archive gets every byte masked as plain text (:meth:`Secrets.archive`). The console gets
the same, except on the lines that may be CI commands: those keep their bytes here and are
masked line by line as their system reads them (``Dialect.mask_command``), once the selector
knows they are commands. When the engine fails open, :class:`.passthrough.Passthrough` masks
what is forwarded, carrying the bytes that could start a secret to the next chunk of the stream.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from ..match.kinds import Kind
from ..match.matcher import Matcher
from ..match.rehit import rehit
from ..service.commands import Commands
from . import inpieces, urlcreds
from .forms import spellings
from .mask import MASK, MIN_LENGTH, Masker, apply, merged
from .passthrough import Passthrough
from .refusals import Refusals
from .toolong import TooLong, declaring_lines

Hits = list[tuple[int, Kind]]
Spans = list[tuple[int, int]]
#: Said once when a CI message could not be read for what it declares (a fault of logtrim's).
_FAULT = (
    "internal error reading a CI message for the secret it may declare: that message's value "
    "is not learned; the messages after it still are"
)


class Secrets:
    """The masker, fed from every dialect's declarations; what fails open forwards."""

    def __init__(
        self, masker: Masker, commands: Commands, matcher: Matcher, notes: list[str]
    ) -> None:
        self.masker = masker
        self.commands = commands
        self.matcher = matcher
        self._notes = notes
        # Declared values not learned (too long, or past the bounds of what is learned).
        declared = commands.declared
        self.too_long = TooLong(notes, declared.secret_forms, masker.compiler)
        self._refusals = Refusals(notes, declared.syntax_word, declared.breaks_commands)
        self.failing = Passthrough(self)  # what is forwarded when the engine fails open

    def add(self, *values: str) -> None:
        spelled = [s for v in values if len(v) >= MIN_LENGTH for s in spellings(v)]
        forms = [f for s in spelled for f in self.commands.declared.secret_forms(s)]
        for value in values:
            self._refusals.syntax(value.strip("\r\n"))
        self._refusals.refused(self.masker.add(*values, forms=forms))
        self._refusals.short_bare(values)

    def learn_declared(self, values: Sequence[str], *, pend: bool = True) -> None:
        """Learn declared ``values`` within the bounds of :class:`.TooLong` (``pend``: one too
        long is masked where it was declared, later)."""
        self.add(*self.too_long.learnable(list(values), pend=pend))

    def learn(self, region: bytes, starts: Sequence[int], stream: int | None = None) -> None:
        """Learn the secrets the command lines starting at ``starts`` declare (and the rest
        of a message ``stream`` left open at the end of its last region)."""
        if starts or (stream is not None and self.commands.declared.gathering(stream)):
            declared = self.commands.declared
            faults = declared.faults
            self.learn_declared(declared.learn(region, starts, stream))
            if declared.faults and not faults:
                self._notes.append(_FAULT)

    def learn_piece(self, data: bytes) -> int:
        """Learn what a piece of a line too long to hold declares, before it is looked at
        (its pieces are cut so that none ends inside a declaration: :mod:`.inpieces`).
        Where the value of one too long to learn starts in ``data`` (-1: none): masked from
        there by place, to its line's end (the caller's)."""
        if not inpieces.declares(data):
            return -1
        declared = self.commands.declared.declared_text(data)
        self.learn_declared([v for _, v in declared], pend=False)
        # Masked where its value is (a command read as one here may be decided only after
        # its piece was archived: a GitHub command after a \r waits for its window); where it
        # cannot be found as written, another system's declaration (text here) from its
        # start, and a command read here as it passes (its dialect decodes it).
        reads = self.commands.reads
        for name, value in declared:
            raw = value.strip("\r\n").encode("utf-8", "surrogateescape")
            if len(raw) <= inpieces.MAX_DECLARED:
                continue
            at = data.find(raw[:64])
            if at >= 0:
                return at
            if name not in reads:
                return inpieces.first_start(data)
        return -1

    def learn_ahead(self, lines: bytes) -> None:
        """Learn what the whole ``lines`` of one stream declare before their turn: the two
        pipes are read in turn, so a secret declared on stderr just before stdout prints it
        may be read second (more masking is always safe). Bytes after the last newline are
        parts of a line that a lone ``\r`` ended, learned as the engine learns them."""
        end = lines.rfind(b"\n") + 1
        if end:
            whole = lines[:end]
            starts = self.matcher.service_starts(self.matcher.scan(whole))
            declared = self.commands.declared.declared_in(whole, starts)
            self.add(*self.too_long.learnable(declared, pend=False))
        if end < len(lines):
            self.learn_piece(lines[end:])

    def hold(self, data: bytes, cut: int) -> int:
        """A cut point at or before ``cut`` that splits no secret over several lines, and
        leaves after it the bytes at the end of ``data`` that could start one."""
        if not self.masker.multiline:
            return cut
        cut = min(cut, len(data) - self.masker.held(data, multiline_only=True))
        return self.masker.safe_cut(data, cut)

    def region(
        self, stream: int, region: bytes, *, console_hits: bool = True
    ) -> tuple[bytes, bytes, Hits]:
        """Learn the region's secrets; return its archive form, its console form (command
        lines left for their dialect to mask) and the rule hits in the console form (none
        unless ``console_hits``)."""
        hits = self.matcher.scan(region)
        starts = self.matcher.service_starts(hits)
        self.learn(region, starts, stream)
        archive, console, spans = self.split(stream, region, starts)
        if console is None:
            return archive, region, hits
        if not console_hits:
            return archive, console, []
        # A line's tier depends on that line alone: only the lines a mask changed are
        # scanned again; the others keep their hits, moved by what the masks added before.
        return archive, console, rehit(self.matcher.scan, region, console, spans, hits)

    def split(
        self, stream: int, region: bytes, starts: Sequence[int]
    ) -> tuple[bytes, bytes | None, Spans]:
        """(archive form, console form, the spans the console form masks) of a region; the
        console form is None when it is the region itself (no secret in it)."""
        spans = self.masker.spans(region)
        if not spans and not self.too_long.waiting:
            return region, None, []
        keep = self.commands.command_lines(stream, region, starts)
        long = self.too_long.take(region, declaring_lines(region, keep, starts))
        if not spans and not long:
            return region, None, []
        every = merged(spans + long) if long else spans
        archive = apply(region, every)
        if not keep:
            return archive, archive, every
        # A secret over several lines is no command's value: masked here even where it
        # runs into a command line (its dialect sees one line at a time).
        across = [s for s in spans if b"\n" in region[s[0] : s[1] - 1]]
        within = _outside([s for s in spans if s not in across], keep)
        # The value too long to learn: kept only where the CI in use reads it declared.
        ours = [k for k in keep if self.commands.declares(region[k[0] : k[1]])]
        masked = merged(across + within + _outside(long, ours))
        return archive, apply(region, masked), masked

    def mask_text(self, text: str) -> str:
        """``text`` masked; if the masker itself fails, masked form by form (slower)."""
        try:
            return self.masker.mask_text(text)
        except Exception:
            data = text.encode("utf-8", "surrogateescape")
            return self.crude(data).decode("utf-8", "surrogateescape")

    def piece(self, data: bytes) -> bytes:
        """The archive form of a piece of a line too long to hold."""
        long = self.too_long.take(data) if self.too_long.waiting else []
        if not long:
            return self.masker.mask_piece(data)
        return apply(data, merged(self.masker.piece_spans(data) + long))

    def crude(self, data: bytes) -> bytes:
        """``data`` masked without the compiled matcher: for when the masker itself broke."""
        data = apply(data, urlcreds.spans(data))  # ``re`` alone: no database to break
        for form in sorted(self.masker.forms, key=len, reverse=True):
            data = data.replace(form, MASK)
        return data


def _outside(spans: list[tuple[int, int]], keep: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``spans`` outside the ``keep`` ranges (each span looks only at the ranges
    it meets: a flood of declarations holds thousands of both)."""
    keep = merged(list(keep))
    ends = [k_end for _, k_end in keep]
    out: list[tuple[int, int]] = []
    for start, end in spans:
        pos = start
        at = bisect_right(ends, pos)  # the first range that ends after ``pos``
        while at < len(keep) and keep[at][0] < end:
            k_start, k_end = keep[at]
            if k_start > pos:
                out.append((pos, k_start))
            pos = max(pos, k_end)
            at += 1
        if pos < end:
            out.append((pos, end))
    return out
