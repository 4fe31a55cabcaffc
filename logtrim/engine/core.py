"""The engine: one sans-IO object behind ``run``, the logging handler and ``trim``.

``Core.feed(stream, chunk, now)`` takes bytes as they arrive and returns what to append to
the archive (every byte, secrets masked) and what to print (a list of ``(stream, bytes)``).
It never blocks and never does I/O; the caller passes the time. Lines are looked at one by
one only where a rule hit, the head, an error's context or a level switch needs it; the rest
of a chunk is counted in C and kept in a short history for context and the failure tail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..dialects import Dialect, all_dialects
from .finish import Finishing
from .history import CUT, Held, History, StreamState
from .mask import Masker
from .policy import MIN_BUDGET, Budget, Policy, Tally
from .rules import RULES, Kind, Matcher, Rule
from .select import FORCED_STDOUT, STDERR, STDOUT, Emit, Selecting

__all__ = ["STDERR", "STDOUT", "Core", "Emit"]


class Core(Selecting, Finishing):
    """The policy engine. See the module docstring; one instance per run/log."""

    def __init__(
        self,
        policy: Policy | None = None,
        dialect: Dialect | None = None,
        *,
        max_pending: int = 1 << 20,
    ) -> None:
        self.policy = policy or Policy()
        self.dialect = dialect or Dialect()
        pol = self.policy
        self.budget = Budget(max(pol.budget, MIN_BUDGET))
        self.tally = Tally()
        self.notes: list[str] = []  # logtrim's own diagnostics, for the shell to log
        self.masker = Masker(engine=pol.engine)
        self.add_secrets(*pol.masks)
        others = [d for d in all_dialects() if d.name != self.dialect.name]
        # Secrets are learned from every system's syntax (more masking is safe), in a pass of
        # their own with their own instances; commands pass verbatim for the system in use
        # and Octopus.
        self._secret_dialects = [type(self.dialect)(), *others]
        self._command_dialects = [self.dialect] + [d for d in others if d.name == "octopus"]
        self._drop = [re.compile(p.encode()) for p in pol.drop]
        markers = {m for d in self._secret_dialects for m in d.markers}
        extra = [
            Rule(f"keep-{i}", Kind.KEEP, p.encode(), caseless=False) for i, p in enumerate(pol.keep)
        ]
        extra += [Rule("cmd", Kind.SERVICE, re.escape(m), caseless=False) for m in sorted(markers)]
        # Rarely needed (a marker that was no command): the pure-Python engine compiles fastest.
        self._plain_matcher = Matcher(RULES, engine="re")
        self.matcher = Matcher((*RULES, *extra), engine=pol.engine)
        self._streams = {STDOUT: StreamState(max_pending), STDERR: StreamState(max_pending)}
        self.history = History(max(pol.tail, pol.context) + 1)
        # Error lines the budget held back: the most recent are shown at the end of a failure.
        self.held = Held(min(max(self.budget.tail, 4096), 2 << 20))
        # Never longer than a piece of a long line: the console is the same whatever the chunks.
        self.max_pending = max_pending
        self.max_line = min(pol.max_line, max_pending // 2)
        # No one line may take more than an eighth of the budget on the console.
        self.width = min(self.max_line, max(self.budget.total // 8, 256))
        self.lines = 0
        self.nbytes = 0
        self._gap_lines = 0
        self._gap_bytes = 0
        self._stopped: set[Kind] = set()
        self.started: float | None = None
        self._last_emit = 0.0
        self.out_mode = "stdout-default"
        self.err_mode = "stderr-default"
        self.first_error: bytes | None = None
        self.last_exception: bytes | None = None
        self._traceback_seen = False
        self.child_sent_result = False
        self.first_errors: list[str] = []
        self._checkpoint: dict[Kind, tuple[int, int]] = {}
        self._out: list[Emit] = []

    # -- secrets --------------------------------------------------------------------------
    def add_secrets(self, *values: str) -> None:
        for value in self.masker.add(*values):
            self.notes.append(
                f"not masking a value of {len(value)} characters: shorter than 4 (as Octopus)"
            )

    def _learn(self, region: bytes, hits: Sequence[tuple[int, Kind]]) -> None:
        for start, kind in hits:
            if kind != Kind.SERVICE:
                continue
            end = region.find(b"\n", start)
            text = region[start : end if end >= 0 else len(region)].decode("utf-8", "replace")
            for dialect in self._secret_dialects:
                found = dialect.declared_secrets(text)
                if found:
                    self.add_secrets(*found)
                dialect.observe(text)

    # -- input ----------------------------------------------------------------------------
    def feed(self, stream: int, data: bytes, now: float) -> tuple[bytes, list[Emit]]:
        """Take a chunk of the child's ``stream``; return (archive bytes, console emits)."""
        if self.started is None:
            self.started = self._last_emit = now
        st = self._streams[stream]
        reserve = self.masker.max_len - 1 if self.masker else 0
        pieces = st.splitter.feed(
            data, reserve=reserve, safe_cut=self.masker.safe_cut if self.masker else None
        )
        archive = [
            self._piece(stream, buf, now) if long else self._region(stream, buf, now)
            for long, buf in pieces
        ]
        return b"".join(archive), self._take()

    def finish_input(self, now: float) -> tuple[bytes, list[Emit]]:
        """End of the child's output: the partial last line of each stream, if any."""
        archive = []
        for stream, st in self._streams.items():
            rest = st.splitter.flush()
            if rest:
                archive.append(self._region(stream, rest, now))
            st.in_long = False
        return b"".join(archive), self._take()

    def feed_line(
        self, stream: int, data: bytes, kind: Kind | None, now: float
    ) -> tuple[bytes, list[Emit]]:
        """Take one record (one or more whole lines) whose tier the caller knows.

        The logging handler and ``trim`` of a task log use this: a record's level outranks
        keyword guessing, and a multi-line record (a traceback) keeps one tier throughout.
        """
        if self.started is None:
            self.started = self._last_emit = now
        if not data.endswith(b"\n"):
            data += b"\n"
        if kind is None or kind == Kind.SERVICE:
            hits = self.matcher.scan(data)
            self._learn(data, hits)
        archive = self.masker.mask(data)
        base = self.lines
        self.history.remember(stream, data, base)
        pos = 0
        lineno = base
        while pos < len(data):
            if kind == Kind.NOISE and not self._line_mode(stream, lineno):
                # Detail the caller vouches for (DEBUG records, Verbose entries): count it in C.
                rest = data.count(b"\n", pos)
                self._gap_lines += rest
                self._gap_bytes += len(data) - pos
                self.tally.seen_lines[Kind.NOISE] += rest
                self.tally.seen_bytes[Kind.NOISE] += len(data) - pos
                lineno += rest
                break
            end = data.index(b"\n", pos) + 1
            line = data[pos:end]
            line_kind = kind if kind is not None else self.matcher.line_kind(line)
            self.history.hint = (lineno, pos)
            self._line(stream, line, line_kind, lineno, now)
            pos = end
            lineno += 1
        self.lines = lineno
        self.history.seal(lineno - base)
        self.nbytes += len(data)
        return archive, self._take()

    def classify(self, line: bytes) -> Kind:
        """The tier the built-in and user rules give one line."""
        return self.matcher.line_kind(line)

    def dropped(self, line: bytes) -> bool:
        """Whether a ``--drop`` rule keeps this line off the console, even as context."""
        return bool(self._drop) and any(r.search(line) for r in self._drop)

    def take_held(self, stream: int) -> bytes:
        """The partial line held for ``stream``, removed: for the shell when it fails open."""
        return self._streams[stream].splitter.flush()

    def passthrough(self, data: bytes) -> bytes:
        """Mask ``data`` only: what the shell archives after the engine failed open."""
        return self.masker.mask(data)

    def _piece(self, stream: int, buf: bytes, now: float) -> bytes:
        """A piece of a line too long to hold: classify its start, archive it all."""
        st = self._streams[stream]
        self.nbytes += len(buf)
        if not st.in_long:
            st.in_long = True
            head = self._line_start(buf)
            hits = self.matcher.scan(buf[: self.max_line])  # as a whole line is classified
            kind = hits[0][1] if hits else Kind.NOISE
            line = head + CUT + b"\n"
            self.history.remember(stream, line, self.lines)
            self.history.hint = (self.lines, 0)
            gap = self._gap_lines
            self._line(stream, line, kind, self.lines, now, size=len(buf))
            st.long_hidden = self._gap_lines > gap  # it went into the gap (not shown, not a repeat)
            self.lines += 1
            self.history.seal(1)
        else:
            self._long_rest(st, len(buf))
        return self.masker.mask(buf)

    def _long_rest(self, st: StreamState, size: int) -> None:
        """More bytes of a long line: a hidden one's gap counts them, as if seen whole."""
        if st.long_hidden:
            self._gap_bytes += size

    def _region(self, stream: int, region: bytes, now: float) -> bytes:
        st = self._streams[stream]
        archive = b""
        if st.in_long:
            # The rest of a long line: archive only, it was counted with its first piece.
            end = region.find(b"\n") + 1 or len(region)
            archive = self.masker.mask(region[:end])
            self._long_rest(st, end)
            self.nbytes += end
            region = region[end:]
            st.in_long = False
            if not region:
                return archive
        hits = self.matcher.scan(region)
        if hits and any(kind == Kind.SERVICE for _, kind in hits):
            self._learn(region, hits)
        archive += self.masker.mask(region)
        base = self.lines
        self.history.remember(stream, region, base)
        self._console(stream, region, hits, base, now)
        self.history.seal(self.lines - base)
        self.nbytes += len(region)
        return archive

    def _console(
        self, stream: int, region: bytes, hits: list[tuple[int, Kind]], base: int, now: float
    ) -> None:
        # The hot loop: locals instead of attribute lookups, one line-mode test per step.
        st = self._streams[stream]
        seen_lines, seen_bytes = self.tally.seen_lines, self.tally.seen_bytes
        interval = self.policy.progress_interval
        plain_progress = not self._drop and not self._quiet(stream)
        count, find = region.count, region.find
        n, nhits = len(region), len(hits)
        head = self.policy.head
        forced = self._mode_forced(stream)
        noise = Kind.NOISE
        pos, lineno, i = 0, base, 0
        while pos < n:
            while i < nhits and hits[i][0] < pos:
                i += 1
            if forced or lineno < head or st.after or st.block or st.svc_open:
                end = find(b"\n", pos) + 1 or n
                kind = hits[i][1] if i < nhits and hits[i][0] == pos else noise
            else:
                # Count the lines no rule hit in C, up to the next hit.
                target = hits[i][0] if i < nhits else n
                if target > pos:
                    skipped = count(b"\n", pos, target)
                    if target == n and region[-1:] != b"\n":
                        skipped += 1  # a last line without newline, at end of input
                    self._gap_lines += skipped
                    self._gap_bytes += target - pos
                    seen_lines[noise] += skipped
                    seen_bytes[noise] += target - pos
                    lineno += skipped
                    pos = target
                    if pos >= n:
                        break
                end = find(b"\n", pos) + 1 or n
                kind = hits[i][1]
                if kind == Kind.PROGRESS and plain_progress and now - st.progress_at < interval:
                    # The common flood: a progress line that only replaces the pending one.
                    st.progress_pending = (lineno, region[pos:end], False)
                    seen_lines[kind] += 1
                    seen_bytes[kind] += end - pos
                    self._gap_lines += 1
                    self._gap_bytes += end - pos
                    pos = end
                    lineno += 1
                    continue
            self.history.hint = (lineno, pos)
            self._line(stream, region[pos:end], kind, lineno, now)
            # The line may have switched the level (a service message).
            forced = self._mode_forced(stream)
            plain_progress = not self._drop and not self._quiet(stream)
            pos = end
            lineno += 1
        self.lines = lineno

    def _line_mode(self, stream: int, lineno: int) -> bool:
        """Whether the next line must be looked at even without a rule hit."""
        st = self._streams[stream]
        if lineno < self.policy.head or st.after or st.block or st.svc_open:
            return True
        return self._mode_forced(stream)

    def _mode_forced(self, stream: int) -> bool:
        """Whether the stream's level switch makes every line worth a look."""
        if stream == STDOUT:
            return self.out_mode in FORCED_STDOUT
        return self.err_mode == "stderr-progress"
