"""Time in the engine: progress throttling (repeats.py: repeat collapse; heartbeat.py).

Each object keeps its own per-stream state and is told the time; none reads a clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..console.output import STDERR, STDOUT, Mark, Output
from ..console.tally import gap_note
from ..match.kinds import NOISE, PROGRESS, SERVICE
from .history import History

if TYPE_CHECKING:
    from ..service.native import NativeProgress


class Pending:
    """A stream's progress throttle: when a progress line last showed, and the latest state
    since of each kind of progress (a plain line, each dialect's progress command): a message
    only ever replaces an older one of its own kind."""

    def __init__(self) -> None:
        self.at = float("-inf")
        self.line: tuple[int, bytes] | None = None  # the latest plain progress line (lineno, raw)
        # The masker's generation when that line was stored masked (-1: not known masked).
        self.masked_at = -1
        self.mark: Mark = (-1, 0, 0)  # its place in the gap that counts it (Output.mark)
        # The latest progress command of each dialect not printed yet: (lineno, console form).
        self.commands: dict[str, tuple[int, bytes]] = {}
        # Whether either waits: an attribute, as every line printed asks.
        self.waiting = False
        # The plain state written before the one :meth:`Progress.due` let show now, and the
        # last one shown (-1: none): the failure tail may show the lines between.
        self.before = self.last = -1

    def after(self, lineno: int) -> bool:
        """Whether a state written after line ``lineno`` waits."""
        states = [*self.commands.values(), *([self.line] if self.line is not None else [])]
        return self.waiting and any(n > lineno for n, _ in states)


class Progress:
    """At most one progress line per ``interval`` per stream; the latest state of each kind
    waits and is shown late (on a tick, or before the stream's next shown line), so the
    console ends with the final state."""

    def __init__(
        self,
        interval: float,
        out: Output,
        history: History,
        console_form: Callable[[bytes, int], bytes],
    ) -> None:
        self.interval = interval
        self._out = out
        self._history = history
        self._console_form = console_form  # a raw line as the console shows it, masked
        self.streams = {STDOUT: Pending(), STDERR: Pending()}
        # The last progress commands replaced while they waited: no line of the console's,
        # which the context of a later line does not show either, nor the gap count (a
        # command passes). The context looks a few lines back: the last ones are enough.
        self.replaced: deque[int] = deque(maxlen=64)
        self.native: NativeProgress | None = None  # the CI's own indicator, told of each
        out.waiting = self.streams
        out.late = self.late

    def due(
        self, stream: int, now: float, lineno: int, line: bytes, *, command: str | None = None
    ) -> bool:
        """Whether a progress line may show now; if not, it waits as the latest state of its
        kind (``command``: the dialect whose progress command it is, in its console form)."""
        st = self.streams[stream]
        if command is not None:
            # The CI has one bar: a state of it waiting on the other stream is older, and
            # printed after this one it would set the bar back.
            # Replaced, it is no line the failure tail or the context shows later either.
            for other, waiting in self.streams.items():
                if other != stream and (old := waiting.commands.pop(command, None)):
                    self._history.mark_shown(old[0], stream=0)
        if now - st.at >= self.interval:
            st.at = now
            # Shown now: it replaces the waiting state of its own kind only.
            if command is None:
                st.before = st.line[0] if st.line is not None else st.last
                st.line, st.last = None, lineno
            else:
                st.commands.pop(command, None)
            st.waiting = st.line is not None or bool(st.commands)
            return True
        st.waiting = True
        if command is not None:
            if (old := st.commands.get(command)) is not None:
                self.replaced.append(old[0])
            st.commands[command] = (lineno, line)
            return False
        st.line, st.mark, st.masked_at = (lineno, line), self._out.mark(), -1
        self._out.hide(len(line))
        return False

    def replace(self, stream: int, lineno: int, line: bytes, masked_at: int) -> None:
        """A plain progress line within the interval (the hot loop's short path: what
        :meth:`due` does then, and its tally): it replaces the waiting state, hidden.
        ``masked_at``: the masker's generation the line was masked at (-1: not masked)."""
        st, out = self.streams[stream], self._out
        st.line, st.mark, st.waiting = (lineno, line), out.mark(), True
        st.masked_at = masked_at
        out.tally.seen_lines[PROGRESS] += 1
        out.tally.seen_bytes[PROGRESS] += len(line)
        out.hide(len(line))

    def late(
        self,
        stream: int,
        before: int | None = None,
        *,
        upto: int | None = None,
        shows: bool = False,
        tail_from: int | None = None,
        hold: bool = False,
        failing: bool = False,
    ) -> None:
        """Show the stream's waiting progress states, if any, in the order written (a line
        within the budget); each dropped when it is not older than line ``before`` (the
        caller prints it as context). ``upto``: only those older than that line (an older
        line printed late, the last of a count); the newer ones keep waiting. ``shows``: a
        line of the child's is printed next (the CI indicator's waiting state settles);
        ``failing``: it is an error or a warning (the bar's state then goes before it).
        ``tail_from``: a plain state from that line on is dropped (the failure tail shows it,
        in its place: printed now, it would end its stream, and the tail, of newer lines
        only, would have none); a command never is (the CI reads it). ``hold``: the line
        that comes may not be printed (the budget decides next): commands keep waiting, for
        the line printed next (``Output.emit``), a tick or the end. A command passes whatever
        the budget: let out before each line the budget then hid, a flood of them passed."""
        st = self.streams[stream]
        if not st.waiting:
            return
        if hold and st.commands:
            self._hold_commands(stream, before, upto=upto, shows=shows, tail_from=tail_from)
            return
        if upto is None and st.line is not None and not st.commands and self.native is None:
            # The common state (a flood between shown lines): one plain line waits.
            lineno, line = st.line
            st.line, st.waiting = None, False
            if (before is None or lineno < before) and (tail_from is None or lineno < tail_from):
                self._plain(stream, st.mark, lineno, line, st.masked_at)
            return
        waiting = [(n, raw, False) for n, raw in st.commands.values()]
        mark = st.mark  # the plain line's (a command is read by the CI, not shown)
        if st.line is not None:
            lineno, line = st.line
            waiting.append((lineno, line, True))
        if upto is not None:
            kept = [w for w in waiting if w[0] >= upto]
            waiting = [w for w in waiting if w[0] < upto]
            st.commands = {k: v for k, v in st.commands.items() if v[0] >= upto}
            st.line = st.line if st.line is not None and st.line[0] >= upto else None
            st.waiting = bool(kept)
        else:
            st.line, st.commands, st.waiting = None, {}, False
        if self.native is not None and any(plain for _, _, plain in waiting):
            # the latest state: it may have replaced lines never seen
            self.native.see(next(line for _, line, plain in waiting if plain))
        for lineno, line, plain in sorted(waiting):
            if before is not None and lineno >= before:
                continue
            if plain and tail_from is not None and lineno >= tail_from:
                continue
            # ``lineno``: the states still waiting (written later) stay after it.
            if plain:
                self._plain(stream, mark, lineno, line, st.masked_at)
            elif line:  # else a command its dialect dropped
                text = line if line.endswith(b"\n") else line + b"\n"
                # A command of the child's, however late: paid as one (from the live room
                # only), or a flood of them takes the closing lines' room.
                self._out.emit(stream, text, SERVICE, command=True, lineno=lineno, shows=False)
                self._history.mark_shown(lineno, stream=stream)
        native = self.native
        if native is not None and native.pending is not None:
            # logtrim's own message of a state waits as the child's do: sent or dropped
            # before the next line shown on stdout (where it is printed), never after it.
            if shows and upto is None and stream == STDOUT:
                native.settle(failing=failing)
            else:
                self.streams[STDOUT].waiting = True

    def _hold_commands(
        self, stream: int, before: int | None, *, upto: int | None, shows: bool,
        tail_from: int | None,
    ) -> None:  # fmt: skip
        """:meth:`late` with ``hold``: the plain line goes (the budget holds it), the
        commands keep waiting (but those the caller prints as context, from ``before`` on)."""
        st = self.streams[stream]
        commands, st.commands = st.commands, {}
        if before is not None:
            commands = {k: v for k, v in commands.items() if v[0] < before}
        st.waiting = st.line is not None or self.native is not None
        if st.waiting:
            self.late(stream, before, upto=upto, shows=shows, tail_from=tail_from)
        st.commands = {**commands, **st.commands}
        st.waiting = st.waiting or bool(st.commands)

    def _plain(self, stream: int, mark: Mark, lineno: int, line: bytes, masked_at: int) -> None:
        """A waiting plain progress line, shown after all if the budget allows, after the
        marker of the lines before it (it leaves the gap that counted it)."""
        out = self._out
        masked = self._console_form(line, masked_at)
        if not out.budget.allows(PROGRESS, len(masked)):
            return
        if not split_gap(out, mark, lineno, len(masked), len(line)):
            return
        out.emit(stream, masked, PROGRESS, lineno=lineno)
        self._history.mark_shown(lineno, stream=stream)
        self.streams[stream].last = lineno

    def tick(self, now: float) -> None:
        """Time passes: waiting lines whose interval is over are shown."""
        for stream, st in self.streams.items():
            if st.waiting and now - st.at >= self.interval:
                if st.line is not None or st.commands:  # not the CI indicator's state alone
                    st.at = now
                self.late(stream)
        if self.native is not None and not any(
            st.line is not None or st.commands for st in self.streams.values()
        ):
            self.native.tick(now)  # not while a fresher line waits: it brings its own state


def split_gap(out: Output, mark: Mark, lineno: int, room: int, hidden: int) -> bool:
    """A waiting progress line written at ``mark`` (line ``lineno``, ``hidden`` bytes as
    written, counted in the gap while it waited) is printed late, ``room`` bytes: first the
    marker of the lines not shown written before it, so the console reads in the order
    written; the gap goes on with the lines after it, less the line. False (nothing
    printed) when the budget has no room for both."""
    gaps, lines, nbytes = mark
    budget = out.budget
    if gaps != out.gaps or lines < 0:
        # A marker printed already counted it and the lines before it: still shown, the
        # latest state is promised (a marker of the other stream's line may do so).
        return budget.allows(PROGRESS, room)
    text = gap_note(lines, nbytes) if lines > 0 else b""
    if not budget.allows(PROGRESS, room + len(text)) or (
        text and not budget.allows_marker(len(text))
    ):
        return False
    if text:
        out.emit(STDOUT, text, NOISE, own=True, lineno=lineno)
    lines, nbytes = lines + 1, nbytes + hidden  # and the line itself leaves the gap
    out.gap_lines = max(out.gap_lines - lines, 0)
    out.gap_bytes = max(out.gap_bytes - nbytes, 0)
    # The other states waiting in this gap: their places, in what is left of it.
    for state in out.waiting.values():
        if state.mark[0] == gaps:
            at, size = state.mark[1] - lines, max(state.mark[2] - nbytes, 0)
            state.mark = (gaps, at, size) if at >= 0 else (gaps, -1, 0)
    return True
