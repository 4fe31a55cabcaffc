"""Time in the engine: progress throttling and repeat collapse (the heartbeat: heartbeat.py).

Each object keeps its own per-stream state and is told the time; none reads a clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .._sizes import format_count
from .._text import ANSI_BYTES
from .history import History
from .kinds import INFO, PROGRESS, SERVICE, Kind
from .output import STDERR, STDOUT, Output
from .templates import template

if TYPE_CHECKING:
    from .native import NativeProgress


class Pending:
    """A stream's progress throttle: when a progress line last showed, and the latest state
    since of each kind of progress (a plain line, each dialect's progress command): a message
    only ever replaces an older one of its own kind."""

    def __init__(self) -> None:
        self.at = float("-inf")
        self.line: tuple[int, bytes] | None = None  # the latest plain progress line (lineno, raw)
        self.gap = -1  # the gap (Output.gaps) that counts the waiting line, if one does
        # The latest progress command of each dialect not printed yet: (lineno, console form).
        self.commands: dict[str, tuple[int, bytes]] = {}
        # Whether either waits: an attribute, as every line printed asks.
        self.waiting = False

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
        console_form: Callable[[bytes], bytes],
    ) -> None:
        self.interval = interval
        self._out = out
        self._history = history
        self._console_form = console_form  # a raw line as the console shows it, masked
        self.streams = {STDOUT: Pending(), STDERR: Pending()}
        self.native: NativeProgress | None = None  # the CI's own indicator, told of each
        out.waiting = self.streams
        out.late = self.late

    def due(
        self, stream: int, now: float, lineno: int, line: bytes, *, command: str | None = None
    ) -> bool:
        """Whether a progress line may show now; if not, it waits as the latest state of its
        kind (``command``: the dialect whose progress command it is, in its console form)."""
        st = self.streams[stream]
        if now - st.at >= self.interval:
            st.at = now
            # Shown now: it replaces the waiting state of its own kind only.
            if command is None:
                st.line = None
            else:
                st.commands.pop(command, None)
            st.waiting = st.line is not None or bool(st.commands)
            return True
        st.waiting = True
        if command is not None:
            st.commands[command] = (lineno, line)
            return False
        st.line = (lineno, line)
        self._out.hide(len(line))
        st.gap = self._out.gaps
        return False

    def late(self, stream: int, before: int | None = None, *, upto: int | None = None) -> None:
        """Show the stream's waiting progress states, if any, in the order written (a line
        within the budget); each dropped when it is not older than line ``before`` (the
        caller prints it as context). ``upto``: only those older than that line (an older
        line printed late, the last of a count); the newer ones keep waiting."""
        st = self.streams[stream]
        if not st.waiting:
            return
        if upto is None and st.line is not None and not st.commands and self.native is None:
            # The common state (a flood between shown lines): one plain line waits.
            lineno, line = st.line
            st.line, st.waiting = None, False
            if before is None or lineno < before:
                self._plain(stream, st, lineno, line)
            return
        waiting = [(n, raw, False) for n, raw in st.commands.values()]
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
            # ``lineno``: the states still waiting (written later) stay after it.
            if plain:
                self._plain(stream, st, lineno, line)
            elif line:  # else a command its dialect dropped
                text = line if line.endswith(b"\n") else line + b"\n"
                self._out.emit(stream, text, SERVICE, lineno=lineno)
                self._history.mark_shown(lineno, stream=stream)

    def _plain(self, stream: int, st: Pending, lineno: int, line: bytes) -> None:
        """A waiting plain progress line, shown after all if the budget allows."""
        out = self._out
        masked = self._console_form(line)
        if not out.budget.allows(PROGRESS, len(masked)):
            return
        if st.gap == out.gaps and out.gap_lines > 0:
            # Shown after all: the next gap marker does not count it as not shown.
            out.gap_lines -= 1
            out.gap_bytes = max(out.gap_bytes - len(line), 0)
        out.emit(stream, masked, PROGRESS, lineno=lineno)
        self._history.mark_shown(lineno, stream=stream)

    def tick(self, now: float) -> None:
        """Time passes: waiting lines whose interval is over are shown."""
        for stream, st in self.streams.items():
            if st.waiting and now - st.at >= self.interval:
                st.at = now
                self.late(stream)
        if self.native is not None and not any(st.waiting for st in self.streams.values()):
            self.native.tick(now)  # not while a fresher line waits: it brings its own state


class Run:
    """A stream's run of repeats: the template of the last shown line and how often since."""

    def __init__(self) -> None:
        self.key: bytes | None = None
        # The last shown line itself while its template is not needed: a line after a gap
        # repeats nothing, so most shown lines never need theirs.
        self.raw: bytes | None = None
        self.given: bytes | None = None  # what key() last returned untemplated
        self.count = 0
        self.reported = 0.0
        self.line = b""  # the line shown (console form, before masking)
        self.candidate = b""  # the line key() last let through: shown() makes it ``line``
        self.at = -1  # Output.printed when it was shown: anything printed since ends the run
        self.same = True  # every line counted is ``line`` itself ("repeated" is true)
        self.first = -1  # the first line counted, the last one and its tier
        self.last: tuple[int, bytes, Kind] | None = None

    @property
    def empty(self) -> bool:
        """No shown line that a repeat could follow."""
        return self.key is None and self.raw is None


def _template(shown: bytes) -> bytes:
    return template(ANSI_BYTES.sub(b"", shown) if b"\x1b" in shown else shown)


class Repeats:
    """A line that repeats the last one shown on its stream (same template) is counted, not
    shown; the count is printed every ``report`` seconds and when the run ends.

    Only a run of the very same line is "repeated"; lines that differ in their numbers are
    "similar", and the last of them is shown after the count (a status code that changed,
    the final state), so the marker never says a line repeated when it did not."""

    def __init__(
        self, report: float, out: Output, history: History, mask: Callable[[bytes], bytes]
    ) -> None:
        self.report = report
        self._out = out
        self._history = history
        self._mask = mask  # a console form as printed: secrets masked
        self.streams = {STDOUT: Run(), STDERR: Run()}

    def key(
        self, stream: int, shown: bytes, now: float, lineno: int, kind: Kind = INFO
    ) -> bytes | None:
        """None when the line repeats the last one shown on its stream; else what to give
        :meth:`shown` if it is shown (its template, or the line itself until needed).

        A run of repeats ends at a gap: a line like the last one shown, but after lines that
        were not shown (``progress 5000/20000`` ... thousands of DEBUG lines ...
        ``progress 10000/20000``), is shown, not counted: the count would span lines the
        console does not show, and say less than the line itself. It ends too when anything
        else was printed since (a progress line, the other stream's line): the count comes
        right after the line it counts."""
        run = self.streams[stream]
        run.candidate = shown
        out = self._out
        if out.gap_lines or run.at != out.printed:
            if run.count:
                self._report(stream)
            run.key = run.raw = None
            run.given = shown
            return shown
        run.given = None
        key = _template(shown)
        if run.raw is not None:
            run.key, run.raw = _template(run.raw), None
        if key == run.key:
            if not run.count:
                run.first = lineno
            run.count += 1
            if run.same and shown != run.line:
                run.same = False
            run.last = (lineno, shown, kind)
            out.unsettled = True  # the count is printed before anything else
            out.tally.collapsed += 1
            # Counted on the console: not shown again as the context of a later error.
            self._history.mark_shown(lineno, stream=stream)
            if now - run.reported >= self.report:
                run.reported = now
                self._out.marker(_so_far(run), settle=False)
            return None
        if run.count:  # as end(), inline: most lines shown end no run
            self._report(stream)
        run.key = None
        return key

    def shown(self, stream: int, key: bytes, now: float) -> None:
        """A shown line starts a run of repeats."""
        run = self.streams[stream]
        if key is run.given:
            run.key, run.raw = None, key
        else:
            run.key, run.raw = key, None
        run.given = None
        run.reported = now
        run.line, run.same = run.candidate, True
        run.at = self._out.printed

    def end(self, stream: int) -> None:
        self._report(stream)
        run = self.streams[stream]
        run.key = run.raw = None

    def unwind(self, stream: int) -> None:
        """The end of a failed run: the lines counted since the stream's last shown line
        are given back, not shown (the failure tail shows the last of them, after a marker
        that counts the others): a count must not swallow the lines that led to the failure."""
        run = self.streams[stream]
        if run.count and run.last is not None:
            self._history.unmark(stream, run.first, run.last[0])
            self._out.tally.collapsed -= run.count
            self._out.hide(0, run.count)  # their size is in the archive, not known here
            run.count = 0
        self.end(stream)

    def settle(self, before: int | None = None) -> None:
        """Something else is about to be printed: the counts so far go first, right after
        the repeats they count (a later repeat of the same line is counted anew). ``before``:
        that line was written before some counts' last lines: those wait until after it."""
        self._out.unsettled = False
        later = False
        for stream, run in self.streams.items():
            if before is not None and run.count and run.last is not None and run.last[0] > before:
                later = True
                continue
            self._report(stream)
        self._out.unsettled = self._out.unsettled or later

    def _report(self, stream: int) -> None:
        run = self.streams[stream]
        count, last = run.count, run.last
        run.count, run.last = 0, None
        if not count or last is None:
            return
        if run.same:
            times = "once more" if count == 1 else f"{format_count(count)} more times"
            self._out.marker(f"(repeated {times})", settle=False)
            return
        run.same = True
        _, line, kind = last
        masked = self._mask(line)
        out = self._out
        # Not after a progress state written later that waits (it would come first).
        pending = out.waiting.get(stream)
        later = pending is not None and pending.after(last[0])
        shows = not later and out.budget.allows(kind, len(masked))
        hidden = count - 1 if shows else count
        if hidden:
            plural = "line" if hidden == 1 else "lines"
            out.marker(f"... {format_count(hidden)} similar {plural} ...", settle=False)
        if shows:  # the last of them: where the run ended up
            out.tally.collapsed -= 1
            out.emit(stream, masked, kind, settle=False, lineno=last[0])


def _so_far(run: Run) -> str:
    if run.same:
        times = "once" if run.count == 1 else f"{format_count(run.count)} times"
        return f"(repeated {times} so far)"
    return f"({format_count(run.count)} similar lines so far)"
