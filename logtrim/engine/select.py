"""The engine's per-line decisions: tiers, level switches, throttling, repeats, context.

A mixin of :class:`~logtrim._core.Core` (which owns the state and feeds it lines); kept apart
so each module reads on its own. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .._sizes import format_count, format_size
from ..dialects import Dialect
from ..dialects.servicemsg import STDERR_MODES, STDOUT_MODES, parse_message
from .failure import continues
from .history import CUT, Held, History, StreamState, display
from .mask import Masker
from .policy import TIER_LINES, Budget, Policy, Tally
from .rules import Kind, Matcher
from .templates import template

STDOUT, STDERR = 1, 2
Emit = tuple[int, bytes]

_EXCEPTION_LINE = re.compile(rb"^(?:\x1b\[[0-9;]*m)*[\w.$]*(?:Error|Exception|Interrupt)\b")
_ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b_[^\x07]*\x07")
FORCED_STDOUT = {
    "stdout-warning": Kind.WARNING,
    "stdout-error": Kind.ERROR,
    "stdout-highlight": Kind.INFO,
    "stdout-wait": Kind.INFO,
}
_QUIET_MODES = frozenset({"stdout-verbose", "stdout-ignore", "stderr-ignore"})
_OWN = b"[logtrim] "


class Selecting:
    """Methods of :class:`Core` that decide, line by line, what reaches the console."""

    policy: Policy
    dialect: Dialect
    budget: Budget
    tally: Tally
    masker: Masker
    matcher: Matcher
    history: History
    lines: int
    max_line: int
    max_pending: int
    width: int
    out_mode: str
    err_mode: str
    child_sent_result: bool
    first_error: bytes | None
    last_exception: bytes | None
    first_errors: list[str]
    held: Held
    _streams: dict[int, StreamState]
    _plain_matcher: Matcher
    _command_dialects: Sequence[Dialect]
    _traceback_seen: bool
    _stopped: set[Kind]
    _gap_lines: int
    _gap_bytes: int
    _out: list[Emit]
    dropped: Callable[[bytes], bool]
    _late_progress: Callable[[int], None]

    # -- one line -------------------------------------------------------------------------
    def _line(
        self, stream: int, line: bytes, kind: Kind, lineno: int, now: float, size: int = -1
    ) -> None:
        st = self._streams[stream]
        if st.svc_open:
            # The rest of a multi-line service message: forwarded whole.
            st.svc_open = 0 if b"]" in line else st.svc_open - 1
            self._emit_service(stream, line, lineno)
            return
        if kind == Kind.SERVICE:
            if self._service(stream, line, lineno, now):
                return
            kind = self._plain_matcher.line_kind(line)
        elif len(line) > self.max_line and not line.endswith(CUT + b"\n"):
            # Classified on a bounded prefix, as a line too long to hold in one piece is.
            kind = self.matcher.line_kind(line[: self.max_line])
        kind = self._apply_modes(stream, kind)
        seen = kind  # the line's own tier, before it is promoted to context
        context = cont = False
        if kind != Kind.NOISE or not self._quiet(stream):
            if kind < Kind.KEEP and self.dropped(line):
                kind = Kind.NOISE
            elif st.block and (not line.strip() or continues(st.block_head, line)):
                st.block -= 1
                kind, context, cont = Kind.ERROR, True, True
            else:
                st.block = 0
                if st.after:
                    st.after -= 1
                    if kind < Kind.ERROR:
                        kind, context = Kind.ERROR, True
                # The head is brief: it may not take more than a tenth of the live budget.
                head = lineno < self.policy.head and self.budget.used < self.budget.live // 10
                if head and kind < Kind.INFO:
                    kind = seen = Kind.INFO
        size = len(line) if size < 0 else size
        self.tally.seen_lines[seen] += 1
        self.tally.seen_bytes[seen] += size
        if kind == Kind.NOISE:
            self._gap_lines += 1
            self._gap_bytes += size
            return
        shown = self._display(line)
        if kind == Kind.PROGRESS and not self._progress_due(stream, now, lineno, line):
            return
        key = None
        if not context and kind != Kind.PROGRESS:  # progress is throttled, not collapsed
            key = self._repeat_key(stream, shown, now, lineno)
            if key is None:
                return
        if context and st.holding >= 0:
            # The rest of an error the budget held back: held with it, for the end.
            self.held.add(lineno, stream, self.masker.mask(shown), st.holding, cont)
            self.tally.held_lines += 1
            self.tally.held_bytes += len(shown)
            self._gap_lines += 1
            self._gap_bytes += size
            return
        opens = kind == Kind.ERROR and not context
        before = self._context_before(lineno) if opens else []
        shown_now = self._show(stream, shown, kind, lineno, before, context=context)
        if opens:
            st.after = self.policy.after
            st.block = self.policy.block
            st.block_head = line
            st.holding = -1 if shown_now else lineno
            if not shown_now:
                self.held.add(lineno, stream, self.masker.mask(shown), lineno, True)
            self._note_error(shown)
        if shown_now and key is not None:
            st.repeat_key = key  # only a shown line starts a run of repeats
            st.repeat_reported = now

    def _quiet(self, stream: int) -> bool:
        return (self.out_mode if stream == STDOUT else self.err_mode) in _QUIET_MODES

    def _apply_modes(self, stream: int, kind: Kind) -> Kind:
        if stream == STDOUT:
            if self.out_mode in _QUIET_MODES:
                return Kind.NOISE
            forced = FORCED_STDOUT.get(self.out_mode)
            return max(kind, forced) if forced is not None else kind
        if self.err_mode in _QUIET_MODES:
            return Kind.NOISE
        if self.err_mode == "stderr-progress":
            return Kind.PROGRESS
        return kind

    def _service(self, stream: int, line: bytes, lineno: int, now: float) -> bool:
        text = line.decode("utf-8", "replace")
        command = any(d.is_command(text) for d in self._command_dialects)
        for dialect in self._command_dialects:
            dialect.observe(text)
        if not command:
            return False
        start = text.find("##octopus[")
        if start >= 0:
            if "]" not in text[start:]:
                self._streams[stream].svc_open = 1000
            message = parse_message(text)
            if message is not None:
                name = message.name.lower()
                if name in STDOUT_MODES:
                    self.out_mode = name
                elif name in STDERR_MODES:
                    self.err_mode = name
                elif name == "resultmessage":
                    self.child_sent_result = True
        self.tally.seen_lines[Kind.SERVICE] += 1
        self.tally.seen_bytes[Kind.SERVICE] += len(line)
        progress = any(d.is_progress(text) for d in self._command_dialects)
        if progress and not self._progress_due(stream, now, lineno, line, service=True):
            return True
        self._emit_service(stream, line, lineno)
        return True

    def _emit_service(self, stream: int, line: bytes, lineno: int) -> None:
        if not line.endswith(b"\n"):
            line += b"\n"
        self._flush_gap()
        self._emit(stream, line, Kind.SERVICE)
        self._mark_shown(lineno)

    # -- selection helpers -----------------------------------------------------------------
    def _progress_due(
        self, stream: int, now: float, lineno: int, line: bytes, *, service: bool = False
    ) -> bool:
        """Whether a progress line may show now; if not, it waits as the latest state."""
        st = self._streams[stream]
        if now - st.progress_at >= self.policy.progress_interval:
            st.progress_at = now
            st.progress_pending = None
            return True
        st.progress_pending = (lineno, line, service)
        if not service:
            self._gap_lines += 1
            self._gap_bytes += len(line)
        return False

    def _repeat_key(self, stream: int, shown: bytes, now: float, lineno: int) -> bytes | None:
        """None when the line repeats the last one shown on its stream (it is counted, and
        the count is re-emitted every ``repeat_report`` seconds); else its template."""
        st = self._streams[stream]
        key = template(_ANSI.sub(b"", shown))
        if key == st.repeat_key:
            st.repeat_count += 1
            self.tally.collapsed += 1
            # Counted on the console: not shown again as the context of a later error.
            self.history.last_shown = max(self.history.last_shown, lineno)
            if now - st.repeat_reported >= self.policy.repeat_report:
                st.repeat_reported = now
                self._marker(f"(repeated {_times(st.repeat_count)} so far)")
            return None
        self._end_repeat(stream)
        return key

    def _end_repeat(self, stream: int) -> None:
        st = self._streams[stream]
        if st.repeat_count:
            count = st.repeat_count
            self._marker(
                "(repeated once more)"
                if count == 1
                else f"(repeated {format_count(count)} more times)"
            )
        st.repeat_count = 0
        st.repeat_key = None

    def _context_before(self, lineno: int) -> list[tuple[int, bytes]]:
        want = min(self.policy.context, lineno - self.history.last_shown - 1)
        if want <= 0:
            return []
        return [
            (stream, self._display(raw))
            for _, stream, raw in self.history.recent(lineno, want)
            if not self.dropped(raw)
        ]

    def _show(
        self,
        stream: int,
        shown: bytes,
        kind: Kind,
        lineno: int,
        before: list[tuple[int, bytes]],
        *,
        context: bool = False,
    ) -> bool:
        if self._streams[stream].progress_pending is not None:
            self._late_progress(stream)  # the progress state before this line, in order
        masked = self.masker.mask(shown)
        ctx = [(s, self.masker.mask(b)) for s, b in before]
        gap = self._gap_text(len(ctx))
        cost = len(masked) + len(gap) + sum(len(b) for _, b in ctx)
        if not self.budget.allows(kind, cost) and ctx:
            ctx, gap = [], self._gap_text(0)
            cost = len(masked) + len(gap)
        if not self.budget.allows(kind, cost):
            self.tally.held_lines += 1
            self.tally.held_bytes += len(shown)
            self._gap_lines += 1
            self._gap_bytes += len(shown)
            if kind not in self._stopped:
                self._stopped.add(kind)
                pct = 100 * self.budget.used // self.budget.total
                self._marker(
                    f"budget {pct}% used: {TIER_LINES[kind]} are no longer shown "
                    "(the archive has everything)"
                )
            return False
        if gap:
            self._emit(STDOUT, gap, Kind.NOISE)
        self._gap_lines = self._gap_bytes = 0
        for i, (ctx_stream, line) in enumerate(ctx):
            self._emit(ctx_stream, line, Kind.NOISE)
            self.tally.context_lines += 1
            self._mark_shown(lineno - len(ctx) + i)
        self._emit(stream, masked, Kind.NOISE if context else kind)
        if context:
            self.tally.context_lines += 1
        self._mark_shown(lineno)
        return True

    def _gap_text(self, context_lines: int, *, sized: bool = True) -> bytes:
        lines = self._gap_lines - context_lines
        if lines <= 0:
            return b""
        size = f" ({format_size(self._gap_bytes)})" if sized else ""
        return (
            f"[logtrim] ... {format_count(lines)} line{'s' if lines != 1 else ''}{size} "
            "not shown ...\n"
        ).encode()

    def _flush_gap(self, *, sized: bool = True) -> None:
        gap = self._gap_text(0, sized=sized)
        if gap and self.budget.allows_marker(len(gap)):
            self._emit(STDOUT, gap, Kind.NOISE)
        self._gap_lines = self._gap_bytes = 0

    def _note_error(self, shown: bytes) -> None:
        text = _ANSI.sub(b"", shown).strip()
        if self.first_error is None:
            self.first_error = text
        if len(self.first_errors) < 5:
            self.first_errors.append(text.decode("utf-8", "replace"))
        if b"traceback (most recent call last)" in text.lower():
            self._traceback_seen = True
        elif self._traceback_seen and _EXCEPTION_LINE.match(text):
            self.last_exception = text

    def _display(self, raw: bytes) -> bytes:
        """A line's console form. A long one is masked before it is cut, so no part of a
        secret is left at the cut; one longer than the splitter holds shows its start only,
        as it does when it comes in pieces."""
        if len(raw) > self.max_pending:
            raw = self._line_start(raw) + CUT + b"\n"
        elif len(raw) > self.width:
            raw = self.masker.mask(raw)
        return display(raw, self.width)

    def _line_start(self, raw: bytes) -> bytes:
        """The first ``max_line`` bytes of a long line, masked."""
        return self.masker.mask(raw[: self.max_line + self.masker.max_len])[: self.max_line]

    def _marker(self, text: str) -> None:
        line = _OWN + text.encode() + b"\n"
        if self.budget.allows_marker(len(line)):
            self._emit(STDOUT, line, Kind.NOISE)

    def _emit(self, stream: int, data: bytes, kind: Kind) -> None:
        self._out.append((stream, data))
        self.budget.spend(len(data))
        if kind != Kind.NOISE:
            self.tally.shown_lines[kind] += 1
            self.tally.shown_bytes[kind] += len(data)

    def _mark_shown(self, lineno: int) -> None:
        self.history.mark_shown(lineno, self.lines)

    def _take(self) -> list[Emit]:
        out, self._out = self._out, []
        return out


def _times(n: int) -> str:
    return "once" if n == 1 else f"{format_count(n)} times"
