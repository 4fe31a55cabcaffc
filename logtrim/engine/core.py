"""The engine: one sans-IO object behind ``run``, the logging handler and ``trim``.

``Core.feed(stream, chunk, now)`` takes bytes as they arrive and returns what to append to
the archive (every byte, secrets masked) and what to print (a list of ``(stream, bytes)``).
It never blocks and never does I/O; the caller passes the time, and a compiler for the
multi-pattern matchers (``logtrim._matchers``) if it has one. Lines are looked at one by one
only where a rule hit, the head, an error's context or a level switch needs it; the rest of a
chunk is counted in C and kept in a short history for context and the failure tail.

The core owns the parts and calls them: the :class:`~.select.Selector` (per-line decisions,
with the progress throttle and repeat collapse), the :class:`~.tail.Tail` of a failure, the
:class:`~.closing.Closer`, the :class:`~.commands.Commands` the dialects read, and the
:class:`~.output.Output` they all print through.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..dialects import Dialect
from ..dialects.base import Action, Closing
from . import ends
from .closing import Closer, Ending, closing_floor, signal_reason
from .commands import Commands
from .heartbeat import Heartbeat
from .history import End, Held, History, Shaper
from .intake import Intake
from .lines import StreamJoin
from .mask import Masker
from .matcher import Compiler, Matcher
from .native import NativeProgress
from .novelty import Novelty, Withheld
from .output import STDERR, STDOUT, Emit, Output
from .partial import Partial
from .policy import MIN_BUDGET, Budget, Policy, Tally
from .records import Records
from .rules import RULES, Kind, extra_rules
from .secrets import Secrets
from .select import Selector
from .tail import Tail

if TYPE_CHECKING:  # imported with --baseline or --history only (start-up counts)
    from .baseline import Baseline

__all__ = ["STDERR", "STDOUT", "Core", "Emit"]


class Core:
    """The policy engine. See the module docstring; one instance per run/log."""

    # It builds the parts and wires them to each other, each after what it needs.
    def __init__(
        self,
        policy: Policy | None = None,
        dialect: Dialect | None = None,
        *,
        max_pending: int = 1 << 20,
        compiler: Compiler | None = None,
        baseline: Baseline | None = None,
    ) -> None:
        self.policy = pol = policy or Policy()
        # Good runs' line shapes (the front end loads them): new lines rank higher.
        self.baseline = baseline
        novelty = Novelty(baseline) if baseline is not None else None
        self.novelty = novelty
        self.dialect = dialect or Dialect()
        self.budget = Budget(max(pol.budget, MIN_BUDGET))
        self.tally = Tally()
        self.notes: list[str] = []  # logtrim's own diagnostics, for the shell to log
        self.masker = Masker(compiler=compiler)
        self.commands = Commands(self.dialect)
        self.matcher = Matcher((*RULES, *extra_rules(pol.keep, self.commands.markers)),
                               compiler=compiler)  # fmt: skip
        self.secrets = Secrets(self.masker, self.commands, self.matcher, self.notes)
        self.add_secrets(*pol.masks)
        self._drop = [re.compile(p.encode()) for p in pol.drop]
        self.history = History(max(pol.tail, pol.success_tail, pol.context) + 1)
        # Error lines the budget held back: the most recent are shown at the end of a failure.
        held = Held(min(max(self.budget.tail, 4096), 2 << 20))
        # Never longer than a piece of a long line: the console is the same whatever the chunks.
        max_line = min(pol.max_line, max_pending // 2)
        # No one line may take more than an eighth of the budget on the console.
        width = min(max_line, max(self.budget.total // 8, 256))
        self.shaper = Shaper(self.masker, max_line=max_line, max_pending=max_pending, width=width)
        self.shaper.dropped = self.dropped
        self.history.end_skip = lambda raw: self.is_command(raw.decode("utf-8", "replace"))
        self.shaper.keep_for(self.history)
        self.out = Output(self.budget, self.tally)
        self.out.holding = functools.partial(self.commands.is_open, STDOUT)
        if type(self.dialect).own_line_levels is not Dialect.own_line_levels:
            self.out.wrap = self._own_line_levels  # else none: no call per own line
        self.select = Selector(
            pol,
            self.out,
            self.history,
            held,
            self.shaper,
            self.matcher,
            self.commands,
            self.dropped,
        )
        self.select.has_drop = bool(self._drop)
        if novelty is not None:
            self.select.withheld = Withheld(novelty.is_new, held.cap)
        self._build_end(pol, held, novelty, max_pending, compiler)

    def _build_end(
        self,
        pol: Policy,
        held: Held,
        novelty: Novelty | None,
        max_pending: int,
        compiler: Compiler | None,
    ) -> None:
        """The parts after the selector: the tail, the closing lines, the clocks, the intake."""
        self._exit_code = 0  # set at the end
        self.tail = Tail(
            self.out, self.history, held, self.shaper, self.classify, self.dropped,
            after=pol.after, block=pol.block, is_new=novelty.is_new if novelty else None,
            withheld=self.select.withheld, ends=self._failed_ends,
        )  # fmt: skip
        self.closer = Closer(pol, self.out, self.dialect, self.masker.mask_text)
        self.heartbeat = Heartbeat(pol.heartbeat, self.out)
        self.partial = Partial(self)
        self.heartbeat.open_lines = self.partial.open_lines
        self.native = NativeProgress(self.dialect, pol.progress_interval, self.out,
                                     self.shaper.masked, enabled=pol.native_progress)  # fmt: skip
        if self.native.active:
            self.select.progress.native, self.out.after_progress = self.native, self.native.flush
        self.intake = Intake(
            history=self.history, tally=self.tally, select=self.select, out=self.out,
            matcher=self.matcher, shaper=self.shaper, masker=self.masker,
            secrets=self.secrets, partial=self.partial, max_pending=max_pending,
            novelty=novelty,
        )  # fmt: skip
        self._inputs = self.intake.inputs
        self._archived = StreamJoin()  # the streams' archive bytes, lines never run together
        self.records = Records(self.secrets, self.intake.record, max_pending, compiler)

    @property
    def nbytes(self) -> int:
        """Bytes of the child's output so far."""
        return self.intake.nbytes

    @property
    def lines(self) -> int:
        """Lines of both streams so far."""
        return self.history.lines

    # -- secrets --------------------------------------------------------------------------
    def add_secrets(self, *values: str) -> None:
        """Secrets to mask from now on (with their forms in every system's commands)."""
        self.secrets.add(*values)

    # -- input ----------------------------------------------------------------------------
    def feed(self, stream: int, data: bytes, now: float) -> tuple[bytes, list[Emit]]:
        """Take a chunk of the child's ``stream``; return (archive bytes, console emits)."""
        self.heartbeat.start(now)
        st = self._inputs[stream]
        reserve = self.masker.max_len - 1 if self.masker else 0
        pieces = st.splitter.feed(
            data,
            reserve=reserve,
            safe_cut=self.masker.piece_cut,
            hold=self.secrets.hold if self.masker.multiline else None,
            open_end=self.masker.open_end if self.masker else None,
        )
        intake = self.intake
        archive = [
            intake.piece(stream, buf, now) if long else intake.region(stream, buf, now)
            for long, buf in pieces
        ]
        self.partial.waiting(stream, now, fresh=bool(pieces))
        return self._archived(stream, b"".join(archive)), self.out.take()

    def finish_input(self, now: float) -> tuple[bytes, list[Emit]]:
        """End of the child's output: the partial last line of each stream, if any (and the
        records waiting for the next one)."""
        archive = []
        for stream, st in self._inputs.items():
            archive.append(self._archived(stream, self.records.release(stream, now)))
            rest = st.splitter.flush()
            if rest:
                archive.append(self._archived(stream, self.intake.region(stream, rest, now)))
            elif st.in_long:  # a long line's last piece took all of it: it ends here
                self.intake.long_end(stream, b"", now)
            st.in_long = False
            st.partial_at = None
        return b"".join(archive), self.out.take()

    def feed_line(
        self, stream: int, data: bytes, kind: Kind | None, now: float
    ) -> tuple[bytes, list[Emit]]:
        """Take one record (one or more whole lines) whose tier the caller knows.

        The logging handler and ``trim`` of a task log use this: a record's level outranks
        keyword guessing, and a multi-line record (a traceback) keeps one tier throughout.
        """
        self.heartbeat.start(now)
        if not data.endswith(b"\n"):
            data += b"\n"
        # Secrets from every system's declarations, whatever tier the caller gives the record.
        archive = self.records.feed(stream, data, kind, now)
        return self._archived(stream, archive), self.out.take()

    def _stream_ends(self, count: int = ends.COUNT) -> list[End]:
        """Each stream's last ``count`` lines, CI commands left out: (lineno, stream, raw)."""
        command = self.commands.is_command
        return self.history.last_lines(lambda raw: command(raw.decode("utf-8", "replace")), count)

    def _failed_ends(self) -> list[End]:
        """For the tail of a failed run: each stream's last lines (a success's are its result)."""
        return self._stream_ends() if self._exit_code else []

    def classify(self, line: bytes) -> Kind:
        """The tier the built-in and user rules give one line."""
        return self.matcher.line_kind(line)

    def is_command(self, text: str) -> bool:
        """Whether a line carries a CI command that passes verbatim."""
        return self.commands.is_command(text)

    def dropped(self, line: bytes) -> bool:
        """Whether a ``--drop`` rule keeps this line off the console, even as context."""
        if not self._drop:
            return False
        held = self.shaper.stand_ins.get(line)  # a long line the history holds cut
        return held if held is not None else any(r.search(line) for r in self._drop)

    def take_held(self, stream: int) -> bytes:
        """The partial line held for ``stream``, removed: for the shell when it fails open."""
        st = self._inputs[stream]
        st.partial_shown = 0
        st.partial_text = b""
        st.partial_at = None
        return st.splitter.flush()

    def passthrough(self, stream: int, data: bytes, *, final: bool = False) -> bytes:
        """Mask ``data`` only: what the shell forwards after the engine failed open. The bytes
        that could start a secret wait for the stream's next chunk (``final``: no more)."""
        return self.secrets.passthrough(stream, data, final=final)

    def _own_line_levels(self) -> tuple[list[bytes], list[bytes]]:
        reset, restore = self.dialect.own_line_levels()
        return [x.encode() + b"\n" for x in reset], [x.encode() + b"\n" for x in restore]

    def publish_only(
        self,
        exit_code: int,
        *,
        archive: str | None,
        archive_name: str,
        archive_size: int,
        env: Mapping[str, str] | None = None,
    ) -> list[Action]:
        """The dialect's closing actions alone (publish the archive, mark a failure), for a
        shell whose engine failed: no counts, every name masked."""
        mask = self.secrets.mask_text
        closing = Closing(None if archive is None else mask(archive), mask(archive_name),
                          archive_size, exit_code, None, env=dict(env or {}))  # fmt: skip
        return self.dialect.finish(closing)

    def reserve_closing(self, archive: str, archive_name: str) -> None:
        """Before any output: room for the closing lines that publish this archive."""
        mask = self.secrets.mask_text
        self.budget.keep_for_closing(closing_floor(self.dialect, mask(archive), mask(archive_name)))

    def archive_failed(self) -> None:
        """The archive can take no more: notes no longer say it has what they leave out."""
        self.budget.archive_note = "not archived either: the archive failed"

    # -- time and the end -----------------------------------------------------------------
    def start(self, now: float) -> None:
        """The run starts (before its first output): the summary's duration counts from here."""
        self.heartbeat.start(now)

    def tick(self, now: float) -> list[Emit]:
        """Time passes: throttled progress catches up, and a heartbeat if all was quiet."""
        self.select.progress.tick(now)
        self.heartbeat.beat(now, self.lines, self.nbytes)
        for stream in (STDOUT, STDERR):
            self.partial.show(stream, now)
        out = self.out.take()
        if out:
            self.heartbeat.last = now
        return out

    def marker(self, text: str, *, covers_gap: bool = False) -> list[Emit]:
        """Print one line of logtrim's own (counted against the budget).

        ``covers_gap``: the line says what was not shown (a task log's per-node note), so
        the engine's own ``... N lines not shown ...`` is not printed for the same lines.
        """
        self.out.marker(text)
        if covers_gap:
            self.out.clear_gap()
        return self.out.take()

    def checkpoint(self) -> dict[Kind, tuple[int, int]]:
        """Lines and bytes not shown, per tier, since the previous checkpoint."""
        return self.out.checkpoint()

    def emit_tail(self, count: int, *, reserve: int | None = None, title: str = "") -> list[Emit]:
        """On failure: the last ``count`` lines not shown yet (see :class:`~.tail.Tail`)."""
        room = self.budget.room(self.budget.closing if reserve is None else reserve)
        self.tail.emit(count, room, title)
        return self.out.take()

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
        timestamp: float = 0.0,
        interrupted: str | None = None,
        killed_by: str | None = None,
        lost: str | None = None,
    ) -> tuple[list[Emit], list[Action]]:
        """The end: repeats and progress settled, the tail on failure, summary, publication.

        ``timestamp``: the Unix time, for dialects that stamp their groups (GitLab);
        ``interrupted``: the signal that stopped the run, for the summary; ``killed_by``: the
        signal that ended the command (the failure reason when no line says more); ``lost``:
        the archive's path when writing it failed. Returns
        console emits and the dialect's other actions for the shell to carry out.
        """
        if self.commands.is_open(STDOUT):
            # Calamari would read our lines into it up to the first ']': this one takes that.
            self.commands.close_open(STDOUT)
            self.out.marker("the command's service message left open ends here")
        for stream in (STDOUT, STDERR):
            if exit_code != 0:  # the failure tail shows how a run of repeats ended
                self.select.repeats.unwind(stream)
            else:
                self.select.repeats.end(stream)
            self.select.progress.late(stream)
        self.native.finish()
        started = self.heartbeat.started
        duration = (now - (now if started is None else started)) if timed else None  # trim: None
        # Every text handed to the dialect is masked with the secrets known by now.
        mask = self.masker.mask_text
        end = Ending(exit_code, duration, self.lines, self.nbytes,
                     None if archive is None else mask(archive), mask(archive_name),
                     archive_size, env, timestamp, interrupted,
                     None if lost is None else mask(lost))  # fmt: skip
        if self.baseline is not None and self.baseline.known is not None:
            self.tally.new_shapes = len(self.baseline.new_shapes)
            if self.novelty is not None:
                self.tally.known = dict(self.novelty.known)
        reasons = self.select.reasons
        self._exit_code = exit_code
        if exit_code != 0:
            # Tools often write their fatal message last on one stream and flush the other
            # after it: each stream's last line is a candidate, with or without an error word.
            ends.offer(reasons, self._stream_ends(ends.LOOP), self.shaper.display, self.classify)
            command = self.commands.is_command
            if self.novelty is not None:  # with a baseline: its last new line printed once
                self.novelty.offer_reason(reasons, self.shaper.display, command)
        actions = self.closer.close(
            end,
            reason=reasons.reason(self.masker, fallback=signal_reason(killed_by, interrupted)),
            first_errors=reasons.masked_first_errors(self.masker),
            child_sent_result=self.commands.child_sent_result,
            tail=lambda count, reserve, title: self.emit_tail(count, reserve=reserve, title=title),
        )
        return self.out.take(), actions
