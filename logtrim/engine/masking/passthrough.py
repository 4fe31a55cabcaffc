"""What the engine forwards when it fails open (:class:`Passthrough`): each stream's chunks
masked as they come, the bytes that could start a secret, or a command's line not ended yet,
carried to the stream's next chunk; the secrets a stream declares from then on learned too."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from ..console.output import STDERR, STDOUT
from .mask import apply, merged
from .toolong import declaring_lines

if TYPE_CHECKING:
    from .secrets import Secrets

#: The longest unfinished line a fail-open stream holds to read a command whole.
_LINE_BOUND = 64 << 10
#: The most bytes of an open message over several lines a fail-open stream holds.
_OPEN_BOUND = 1 << 20
Spans = list[tuple[int, int]]


class Passthrough:
    """The per-stream fail-open state of :class:`.Secrets` (composed in it, its masker and
    commands used)."""

    def __init__(self, secrets: Secrets) -> None:
        self._secrets = secrets
        self._carry: dict[int, bytes] = {STDOUT: b"", STDERR: b""}
        # Fail-open learning: per stream, the bytes after the last line read.
        self._unread: dict[int, bytes] = {}
        # Fail-open: per stream, the line given out in part (its bytes, up to the bound).
        self._begun: dict[int, bytes] = {}
        # Fail-open: per stream, the bytes of the unread line whose \r-ended parts were learned.
        self._redrawn: dict[int, int] = {}

    def carried(self, stream: int) -> bytes:
        """The bytes fail-open holds back for the stream's next chunk (they may start a
        secret, or a command's line not ended yet)."""
        return self._carry.get(stream, b"")

    def passthrough(self, stream: int, data: bytes, *, final: bool = False) -> bytes:
        """Fail-open: ``data`` masked, the bytes that could start a secret carried over."""
        return self.passthrough_forms(stream, data, final=final)[0]

    def passthrough_forms(
        self, stream: int, data: bytes, *, final: bool = False, learn: bool = False
    ) -> tuple[bytes, bytes]:
        """Fail-open: (archive form, console form) of ``data``, the bytes that could start
        a secret carried over. ``learn``: the secrets the stream declares from here on are
        learned too (a run whose engine broke keeps masking what the script declares later;
        a declaration keeps its value on the console, where its CI server reads it)."""
        new, data = data, self._carry.get(stream, b"") + data
        try:
            if learn:
                self._learn_lines(stream, new, final)
            # ``alone``: the next write is masked without this one (a URL's scheme waits).
            cut = len(data) if final else len(data) - self._secrets.masker.held(data, alone=True)
            if learn and not final:  # a command's line waits for its end, to be read whole
                cut = min(cut, self._command_start(data))
            cut = self._secrets.masker.safe_cut(data, cut)
            if learn:  # a declaration keeps its value on the console
                region = data[:cut]
                begun = self._begun.get(stream, b"")
                if begun and (end := region.find(b"\n") + 1):
                    # The rest of a line given out in part declares as the line does.
                    self._secrets.commands.cut_from(
                        begun + region[:end], region[:end].rstrip(b"\r\n")
                    )
                starts = self._starts(region, begun)
                archive, console = self._failing(stream, region, starts)
            else:
                archive = console = self._secrets.masker.mask(data[:cut])
        except Exception:
            cut = len(data) if final else max(len(data) - self._secrets.masker.max_len + 1, 0)
            archive = console = self._secrets.crude(data[:cut])
        self._carry[stream] = data[cut:]
        if cut:
            nl = data.rfind(b"\n", 0, cut) + 1
            begun = (self._begun.get(stream, b"") if not nl else b"") + data[nl:cut]
            # (past the bound, a line not read as a command: a non-blank byte stands for it)
            self._begun[stream] = begun if len(begun) <= _LINE_BOUND else b"-"
        return archive, archive if console is None else console

    def _failing(self, stream: int, region: bytes, starts: list[int]) -> tuple[bytes, bytes]:
        """(archive form, console form) of a region when the engine broke: both masked as
        text, but for the lines that declare a secret to the CI in use, which keep their
        command as written (no selector masks the other commands as their CI reads them)."""
        spans = self._secrets.masker.spans(region)
        lines = self._secrets.commands.command_lines(stream, region, starts)
        long = self._secrets.too_long.take(region, declaring_lines(region, lines, starts))
        spans = merged(spans + long) if long else spans
        archive = apply(region, spans)
        parts, pos = [], 0
        for start, end in lines:
            line = region[start:end]
            edge = any(a < end and b > start and (a < start or b > end) for a, b in spans)
            if edge or not self._secrets.commands.keeps_command(line):
                continue  # masked as text (so is a line a secret over lines runs into)
            parts.append(_masked(region, spans, pos, start))
            masked = self._secrets.commands.mask(stream, line, self._secrets.masker.mask)
            parts.append(masked if masked is not None else self._secrets.masker.mask(line))
            pos = end
        if not parts:
            return archive, archive
        return archive, b"".join([*parts, _masked(region, spans, pos, len(region))])

    def _starts(self, region: bytes, begun: bytes) -> list[int]:
        """Where the commands of ``region`` start; ``begun``: the start of its first line,
        given out earlier (its first bytes are then no line's start: GitHub's ``::``
        commands must start one, though a marker that counts anywhere still does)."""
        if not region:
            return []
        if not begun:
            return self._secrets.matcher.service_starts(self._secrets.matcher.scan(region))
        probe = begun + region  # read on the line as written (a marker after a blank)
        starts = self._secrets.matcher.service_starts(self._secrets.matcher.scan(probe))
        return [max(at - len(begun), 0) for at in starts]  # (the first: the line goes on)

    def _learn_lines(self, stream: int, new: bytes, final: bool) -> None:
        """Learn the declarations of the stream's lines that ``new`` ends (each line read
        once, whole; of an unfinished line longer than the bound, its last bytes)."""
        text = self._unread.pop(stream, b"") + new
        end = len(text) if final else text.rfind(b"\n") + 1
        if end:
            try:
                self._learn(text[:end], stream)
            except Exception:  # a line that breaks the reader: the others still declare
                for line in text[:end].splitlines(keepends=True):
                    with contextlib.suppress(Exception):
                        self._learn(line, stream)
        done = 0 if end else self._redrawn.pop(stream, 0)
        rest = text[end:]
        if len(rest) > _LINE_BOUND:  # its last bytes only: what a lone \r ended there counts
            cut = len(rest) - _LINE_BOUND
            rest, done = rest[cut:], max(done - cut, 0)
        self._unread[stream] = rest
        # The parts of the unfinished line a lone \r ended: lines to a CI's .NET reader,
        # learned now, as the engine learns them (a use on the other stream meanwhile).
        if (cr := rest.rfind(b"\r") + 1) > done:
            self._secrets.learn_piece(rest[done:cr])
            done = cr
        self._redrawn[stream] = done

    def _learn(self, region: bytes, stream: int) -> None:
        starts = self._secrets.matcher.service_starts(self._secrets.matcher.scan(region))
        self._secrets.learn(region, starts, stream)

    def _command_start(self, data: bytes) -> int:
        """Where the unfinished last line of ``data`` begins if it may be a command (it
        holds a marker, or begins like one), or the first line of a message still open at
        its end (its secret declared further on), else ``len(data)``; a line past the
        bound goes on (bounded memory wins)."""
        start = data.rfind(b"\n") + 1
        opened = self._secrets.commands.declared.open_at(data[:start])
        if opened < start and len(data) - opened <= _OPEN_BOUND:
            return opened
        line = data[start:]
        if not line or len(line) > _LINE_BOUND:
            return len(data)
        lead = line.lstrip()
        markers = self._secrets.commands.markers
        if any(m in line or (lead and m.startswith(lead)) for m in markers):
            return start
        return len(data)


def _masked(region: bytes, spans: Spans, start: int, end: int) -> bytes:
    """``region[start:end]`` with the ``spans`` (of ``region``) within it masked."""
    return apply(region[start:end], [(a - start, b - start) for a, b in spans
                                     if start <= a and b <= end])  # fmt: skip


__all__ = ["Passthrough"]
