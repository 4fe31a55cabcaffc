"""The engine's time-driven and closing half: heartbeat, late progress, tails, the end.

A mixin of :class:`~logtrim._core.Core`, kept apart so each module reads on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .._sizes import format_count, format_size
from ..dialects import Closing, Dialect, Print
from ..dialects.base import Action
from .failure import TailLine, incidents, pick
from .history import Held, History, StreamState
from .mask import Masker
from .policy import Budget, Policy, Tally, lines_text
from .rules import Kind
from .select import _OWN, STDOUT, Emit
from .templates import template


class Finishing:
    """Methods of :class:`Core` that run on a clock tick or at the end of input."""

    policy: Policy
    dialect: Dialect
    budget: Budget
    tally: Tally
    masker: Masker
    history: History
    lines: int
    max_line: int
    _display: Callable[[bytes], bytes]
    nbytes: int
    started: float | None
    out_mode: str
    err_mode: str
    first_error: bytes | None
    last_exception: bytes | None
    first_errors: list[str]
    held: Held
    child_sent_result: bool
    _last_emit: float
    _checkpoint: dict[Kind, tuple[int, int]]
    _gap_lines: int
    _gap_bytes: int
    _out: list[Emit]
    _streams: dict[int, StreamState]
    _marker: Callable[[str], None]
    _emit: Callable[[int, bytes, Kind], None]
    _take: Callable[[], list[Emit]]
    _flush_gap: Callable[..., None]
    _gap_text: Callable[..., bytes]
    _end_repeat: Callable[[int], None]
    dropped: Callable[[bytes], bool]
    classify: Callable[[bytes], Kind]
    feed_line: Callable[[int, bytes, Kind | None, float], tuple[bytes, list[Emit]]]

    # -- time, tails, markers, the end ---------------------------------------------------------
    def tick(self, now: float) -> list[Emit]:
        """Time passes: throttled progress catches up, and a heartbeat if all was quiet."""
        for stream, st in self._streams.items():
            pending = st.progress_pending
            if pending and now - st.progress_at >= self.policy.progress_interval:
                st.progress_at = now
                self._late_progress(stream)
        if (
            self.started is not None
            and self.policy.heartbeat > 0
            and now - self._last_emit >= self.policy.heartbeat
        ):
            shown = sum(self.tally.shown_bytes.values())
            share = 100.0 * shown / self.nbytes if self.nbytes else 0.0
            self._marker(
                f"still running after {_clock(now - self.started)}: "
                f"{lines_text(self.lines)} ({format_size(self.nbytes)}) so far, "
                f"{share:.1f}% shown"
            )
            self._last_emit = now
        out = self._take()
        if out:
            self._last_emit = now
        return out

    def _late_progress(self, stream: int) -> None:
        st = self._streams[stream]
        if st.progress_pending is None:
            return
        lineno, line, service = st.progress_pending
        st.progress_pending = None
        if service:
            self._emit(stream, line if line.endswith(b"\n") else line + b"\n", Kind.SERVICE)
        else:
            masked = self.masker.mask(self._display(line))
            if self.budget.allows(Kind.PROGRESS, len(masked)):
                self._emit(stream, masked, Kind.PROGRESS)
            else:
                return
        self.history.mark_shown(lineno, self.lines, in_order=False)

    def marker(self, text: str, *, covers_gap: bool = False) -> list[Emit]:
        """Print one line of logtrim's own (counted against the budget).

        ``covers_gap``: the line says what was not shown (a task log's per-node note), so
        the engine's own ``... N lines not shown ...`` is not printed for the same lines.
        """
        self._marker(text)
        if covers_gap:
            self._gap_lines = self._gap_bytes = 0
        return self._take()

    def keep(self, stream: int, line: bytes) -> list[Emit]:
        """Print a line that must be shown whatever the tier (a task log's node header)."""
        _, out = self.feed_line(stream, line, Kind.KEEP, self.started or 0.0)
        return out

    def checkpoint(self) -> dict[Kind, tuple[int, int]]:
        """Lines and bytes not shown, per tier, since the previous checkpoint."""
        now = {
            k: (
                self.tally.seen_lines[k] - self.tally.shown_lines[k],
                self.tally.seen_bytes[k] - self.tally.shown_bytes[k],
            )
            for k in Kind
        }
        delta = {}
        for k, (lines, nbytes) in now.items():
            old_lines, old_bytes = self._checkpoint.get(k, (0, 0))
            delta[k] = (lines - old_lines, nbytes - old_bytes)
        self._checkpoint = now
        return delta

    def emit_tail(self, count: int, *, reserve: int | None = None, title: str = "") -> list[Emit]:
        """On failure: the last ``count`` lines not shown yet, after the error lines (with
        their stack traces) the budget held back before them; when they do not all fit, the
        incidents and the newest lines win (:func:`~logtrim._failure.pick`).

        A run of 12 or more lines that differ only in numbers and ids shows as its first and
        last three lines around a count, so a countdown does not fill the tail.
        """
        room = self.budget.room(self.budget.closing if reserve is None else reserve)
        shown = self.history.shown()
        recent = self.history.recent(self.lines, count)
        first = recent[0][0] if recent else self.lines
        held = [
            TailLine(lineno, stream, text, True, incident, cont)
            for lineno, stream, text, incident, cont in self.held.lines
            if lineno < first and lineno not in shown
        ]
        window = self._tail_window(recent, shown)
        held_header = b"[logtrim] --- error lines the budget held back ---\n"
        header = f"[logtrim] --- {title or 'last lines'} ---\n".encode()
        note = "... only part of what follows fits the budget ..."
        # The gap marker before the tail counts only the lines the tail does not cover (not
        # their size: the history holds a long line's start only).
        unseen = sum(1 for lineno, _, _ in recent if lineno not in shown)
        self._gap_lines = max(self._gap_lines - unseen - len(held), 0)
        gap = self._gap_text(0, sized=False)
        room -= len(header) + (len(held_header) if held else 0) + len(gap)
        candidates = held + window
        partial = sum(len(line.text) for line in candidates) > room
        if partial:
            room -= len(_OWN) + len(note) + 1
        picked = pick(candidates, room)
        if picked:
            if partial:
                self._marker(note)
            self._flush_gap(sized=False)
            older = [line for line in picked if 0 <= line.lineno < first]
            for part, title_line in ((older, held_header), (picked[len(older) :], header)):
                if part:
                    self._emit(STDOUT, title_line, Kind.NOISE)
                for line in part:
                    self._emit(line.stream, line.text, Kind.NOISE)
                    if line.lineno >= 0:
                        self.tally.tail_lines += 1
                        self.history.mark_shown(line.lineno, self.lines, in_order=False)
            for lineno, _, _ in recent:
                self.history.mark_shown(lineno, self.lines, in_order=False)
            self._gap_lines = self._gap_bytes = 0
        return self._take()

    def _tail_window(self, recent: list[tuple[int, int, bytes]], shown: set[int]) -> list[TailLine]:
        """The recent lines not shown yet, with their incidents, similar runs folded."""
        marks = incidents(
            [(lineno, raw) for lineno, _, raw in recent],
            self.classify,
            after=self.policy.after,
            block=self.policy.block,
        )
        items: list[TailLine] = []
        run: list[TailLine] = []
        key = None

        def end_run() -> None:
            if len(run) >= 12:
                items.extend(run[:3])
                note = f"[logtrim] ... {format_count(len(run) - 6)} similar lines ...\n"
                items.append(TailLine(-1, STDOUT, note.encode()))
                items.extend(run[-3:])
            else:
                items.extend(run)

        for lineno, stream, raw in recent:
            if lineno in shown or self.dropped(raw):
                continue
            text = self.masker.mask(self._display(raw))
            incident, marked, cont = marks.get(lineno, (-1, False, False))
            new_key = (stream, template(text))
            if new_key != key:
                end_run()
                run, key = [], new_key
            run.append(TailLine(lineno, stream, text, marked, incident, cont))
        end_run()
        return items

    def reason(self) -> str | None:
        """A one-line failure reason: the exception of the last traceback, else the first error."""
        text = self.last_exception or self.first_error
        if text is None:
            return None
        line = self.masker.mask(text).decode("utf-8", "replace").strip()
        return line[:497] + "..." if len(line) > 500 else line

    def close(
        self,
        exit_code: int,
        now: float,
        *,
        archive: str | None = None,
        archive_name: str = "",
        archive_size: int = 0,
        env: Mapping[str, str] | None = None,
        timed: bool = True,
    ) -> tuple[list[Emit], list[Action]]:
        """The end: repeats and progress settled, the tail on failure, summary, publication.

        Returns console emits and the dialect's other actions (files to append, programs to
        run) for the shell to carry out.
        """
        for stream in self._streams:
            self._end_repeat(stream)
            self._late_progress(stream)
        if self.dialect.name == "octopus":
            # Calamari keeps the child's last level switch: reset it before our own lines.
            if self.out_mode != "stdout-default":
                self._emit(STDOUT, b"##octopus[stdout-default]\n", Kind.SERVICE)
            if self.err_mode != "stderr-default":
                self._emit(STDOUT, b"##octopus[stderr-default]\n", Kind.SERVICE)
        for line in self.dialect.reset_lines():  # e.g. GitHub: end a stop-commands pause
            self._emit(STDOUT, line.encode() + b"\n", Kind.SERVICE)
        # A virtual clock (trim) has no duration worth printing.
        started = self.started if self.started is not None else now
        duration = now - started if timed else None

        def summary(compact: bool) -> list[str]:
            return self.tally.summary(
                lines=self.lines,
                nbytes=self.nbytes,
                console=self.budget.used,
                duration=duration,
                archive=archive,
                archive_size=archive_size,
                archived=self.nbytes,
                compact=compact,
            )

        def closing(lines: list[str]) -> tuple[list[Action], int]:
            actions = self.dialect.finish(
                Closing(
                    archive_path=archive,
                    archive_name=archive_name,
                    archive_size=archive_size,
                    exit_code=exit_code,
                    reason=self.reason(),
                    summary=lines,
                    first_errors=list(self.first_errors),
                    child_sent_result=self.child_sent_result,
                    env=dict(env) if env is not None else {},
                )
            )
            size = sum(len(a.text) + 1 for a in actions if isinstance(a, Print))
            return actions, size + sum(len(x) + 1 for x in lines) + 64

        compact = self.budget.total < 32_000  # a small budget is for the failure, not counts
        if exit_code != 0:
            _, reserve = closing(summary(compact))
            title = f"last {self.policy.tail} lines (exit code {exit_code})"
            group = self.dialect.group_start(title)
            if group is not None:
                reserve += len(group) + len(self.dialect.group_end(title) or "") + 2
            before = self._take()
            tail = self.emit_tail(self.policy.tail, reserve=reserve, title=title)
            if tail and group is not None:
                tail.insert(0, (STDOUT, group.encode() + b"\n"))
                self.budget.spend(len(group) + 1)
                end = self.dialect.group_end(title)
                if end is not None:
                    tail.append((STDOUT, end.encode() + b"\n"))
                    self.budget.spend(len(end) + 1)
            self._out = before + tail
        lines = summary(compact)
        actions, need = closing(lines)
        if need > self.budget.room(0):
            lines = summary(True)
            actions, need = closing(lines)
            if need > self.budget.room(0):
                lines = []
                actions, _ = closing(lines)
        for text in lines:
            self._emit(STDOUT, text.encode() + b"\n", Kind.NOISE)
        others: list[Action] = []
        for action in actions:
            if isinstance(action, Print):
                self._emit(STDOUT, action.text.encode() + b"\n", Kind.SERVICE)
            else:
                others.append(action)
        return self._take(), others


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s"
