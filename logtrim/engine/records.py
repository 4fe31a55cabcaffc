"""Records whose tier the caller knows (the logging handler, a task log), fed whole.

A secret over several lines may also span two records (``log.info("key: %s", pem_start)``
then the rest). While the end of the records so far could begin such a secret, they wait for
the next record (within ``max_pending`` bytes), and so do the records of a CI message still
open over several lines; they are then masked together: the archive and console forms of all
of them in one pass. Records are handed on one by one, each with its own tier. With no secret
over lines (the usual case) a record goes straight through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .console.output import STDERR, STDOUT
from .masking.secrets import Secrets
from .match.kinds import Kind
from .match.matcher import Compiler, Database

#: Looks at one record's console form: (stream, console bytes, tier, raw size, now).
Take = Callable[[int, bytes, "Kind | None", int, float], None]


class Records:
    def __init__(
        self, secrets: Secrets, take: Take, max_pending: int, compiler: Compiler | None = None
    ) -> None:
        self._secrets = secrets
        self._compiler = compiler
        self._markers: Database | None = None  # the markers' database, built on first use
        self._built = False
        self._take = take
        self._max_pending = max_pending
        self._waiting: dict[int, list[tuple[bytes, Kind | None]]] = {STDOUT: [], STDERR: []}

    def feed(self, stream: int, data: bytes, kind: Kind | None, now: float) -> bytes:
        """Take one record (ending with a newline); return the archive bytes ready."""
        waiting = self._waiting[stream]
        waiting.append((data, kind))
        joined = data if len(waiting) == 1 else b"".join(d for d, _ in waiting)
        masker = self._secrets.masker
        if len(joined) < self._max_pending and (
            (masker.multiline and masker.held(joined, multiline_only=True))
            # A message over several records may declare its secret in the last one.
            or self._secrets.commands.declared.open_at(joined) < len(joined)
        ):
            return b""  # may begin a secret that the next record ends
        return self.release(stream, now)

    def release(self, stream: int, now: float) -> bytes:
        """Hand on the waiting records of ``stream``; return their archive bytes."""
        waiting, self._waiting[stream] = self._waiting[stream], []
        if not waiting:
            return b""
        joined = b"".join(d for d, _ in waiting)
        archive, console, _ = self._secrets.region(stream, joined, console_hits=False)
        parts = _per_record(console, [data for data, _ in waiting])
        for (data, kind), part in zip(waiting, parts, strict=True):
            self._take(stream, part, kind, len(data), now)
        return archive

    def each(self, stream: int, records: Sequence[bytes]) -> list[bytes] | None:
        """The console form of each record (each ending with a newline), masked in one pass;
        None when feeding them one by one could differ: a secret over lines (a record may
        wait for the next), records waiting, a record that declares secrets or continues a
        command (what it declares masks only the records after it)."""
        secrets = self._secrets
        if secrets.masker.multiline or self._waiting[stream] or secrets.commands.is_open(stream):
            return None
        joined = b"".join(records)
        if self._has_marker(joined) and any(
            kind == Kind.SERVICE for _, kind in secrets.matcher.scan(joined)
        ):
            return None
        _, console, _ = secrets.split(stream, joined, ())
        if console is None:  # no secret: the records as they are
            return list(records)
        return _per_record(console, records)

    def _has_marker(self, data: bytes) -> bool:
        """Whether ``data`` holds a dialect's command marker: a command line has one, and a
        scan of all the rules costs ten times the compiled search for the markers alone."""
        markers = self._secrets.commands.markers
        if not self._built:
            self._built = True
            self._markers = (
                self._compiler.literals(markers, caseless=True) if self._compiler else None
            )
        if self._markers is None:
            data = data.lower()  # the markers, in any case (a dialect's parser decides)
            return any(m.lower() in data for m in markers)
        found: list[int] = []
        self._markers.scan(data, match_event_handler=lambda i, *_: found.append(i))
        return bool(found)

    def take(self, stream: int) -> bytes:
        """The waiting records of ``stream``, removed, as written: for a shell failing open."""
        waiting, self._waiting[stream] = self._waiting[stream], []
        return b"".join(d for d, _ in waiting)


def _per_record(console: bytes, records: Sequence[bytes]) -> list[bytes]:
    """``console`` (the masked form of the joined ``records``) cut back into one part per
    record: masking keeps the lines, so a record's lines are its own."""
    out, pos = [], 0
    for data in records:
        end = pos
        for _ in range(data.count(b"\n")):
            end = console.index(b"\n", end) + 1
        out.append(console[pos:end])
        pos = end
    return out
