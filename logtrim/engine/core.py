"""The engine: one sans-IO object behind ``run``, the logging handler and ``trim``.

``Core.feed(stream, chunk, now)`` takes bytes as they arrive and returns what to append to
the archive (every byte, secrets masked) and what to print (a list of ``(stream, bytes)``).
It never blocks and never does I/O; the caller passes the time, and a compiler for the
multi-pattern matchers (``logtrim._matchers``) if it has one. Lines are looked at one by one
only where a rule hit, the head, an error's context or a level switch needs it; the rest of a
chunk is counted in C and kept in a short history for context and the failure tail.

The core owns the parts and calls them: the :class:`~.select.Selector` (per-line decisions,
with the progress throttle and repeat collapse), the :class:`~.finish.Finish` of a run (its
failure tail and closing lines), the :class:`~.commands.Commands` the dialects read, and the
:class:`~.output.Output` they all print through.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..dialects import Dialect
from ..dialects.base import Action
from .console.output import STDERR, STDOUT, Emit, Output
from .console.partial import Partial
from .console.tally import Tally
from .ending.closing import Ending
from .ending.finish import Finish
from .flow.heartbeat import Heartbeat, newest_unshown
from .flow.history import Held, History, Shaper
from .flow.intake import Intake
from .flow.lines import StreamJoin
from .flow.select import Selector
from .masking.mask import Masker
from .masking.secrets import Secrets
from .match.matcher import Compiler, Matcher
from .match.rules import RULES, Kind, extra_rules
from .policy import LINE_HELD, MIN_BUDGET, Budget, Policy
from .records import Records
from .service.commands import Commands
from .service.native import NativeProgress
from .shapes.novelty import Novelty, Withheld

if TYPE_CHECKING:  # imported with --baseline or --history only (start-up counts)
    from .shapes.baseline import Baseline

__all__ = ["STDERR", "STDOUT", "Core", "Emit"]


class Core:
    """The policy engine. See the module docstring; one instance per run/log."""

    # It builds the parts and wires them to each other, each after what it needs.
    def __init__(
        self,
        policy: Policy | None = None,
        dialect: Dialect | None = None,
        *,
        max_pending: int = LINE_HELD,
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
        self.commands.hide_with(self.masker.mask_text)  # a pause's token as the CI reads it
        self.matcher = Matcher((*RULES, *extra_rules(pol.keep, self.commands.markers)),
                               compiler=compiler)  # fmt: skip
        self._text_only: Matcher | None = None  # the rules but the commands' (classify)
        self.secrets = Secrets(self.masker, self.commands, self.matcher, self.notes)
        self.add_secrets(*pol.masks)
        self._drop = [re.compile(p.encode("utf-8", "surrogateescape")) for p in pol.drop]
        self.history = History(max(pol.tail, pol.success_tail, pol.context) + 1)
        # Error lines the budget held back: the most recent are shown at the end of a failure.
        held = Held(min(max(self.budget.tail, 4096), 2 << 20), rare=True)
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
        self.select = Selector(pol, self.out, self.history, held, self.shaper, self.matcher,
                               self.commands, self.dropped)  # fmt: skip
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
        """The parts after the selector: the clocks, the run's end, the intake."""
        self.heartbeat = Heartbeat(pol.heartbeat, self.out)
        self.partial = Partial(self)
        self.heartbeat.open_lines = self.partial.open_lines
        self.heartbeat.newest = functools.partial(
            newest_unshown, self.history, self.masker, self.dropped, self.is_command
        )
        self.native = NativeProgress(self.dialect, pol.progress_interval, self.out,
                                     self.shaper.masked, enabled=pol.native_progress)  # fmt: skip
        if self.native.active:
            self.select.progress.native, self.out.after_progress = self.native, self.native.flush
        self.finish = Finish(
            pol, out=self.out, select=self.select, history=self.history, held=held,
            shaper=self.shaper, commands=self.commands, masker=self.masker, native=self.native,
            secrets=self.secrets, dialect=self.dialect, classify=self.classify,
            dropped=self.dropped, novelty=novelty, baseline=self.baseline,
        )  # fmt: skip
        self.intake = Intake(
            history=self.history, tally=self.tally, select=self.select, out=self.out,
            matcher=self.matcher, shaper=self.shaper, masker=self.masker,
            secrets=self.secrets, partial=self.partial, max_pending=max_pending,
            novelty=novelty,
        )  # fmt: skip
        self._inputs = self.intake.inputs
        self.archived = StreamJoin()  # the streams' archive bytes, lines never run together
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
        reserve = self.masker.spelled_len - 1 if self.masker else 0
        pieces = st.splitter.feed(
            data,
            reserve=reserve,
            safe_cut=self.masker.piece_cut,
            hold=self.secrets.hold if self.masker.multiline else None,
            open_end=self.masker.open_end if self.masker else None,
            open_at=self.commands.declared.open_at,
        )
        archive, carried = self.intake.pieces(stream, pieces, now)
        if carried:
            st.splitter.unread(carried)  # (the line goes on in the next chunk)
        # Learnt before the other stream's turn; in a line too long to hold too: the bytes it
        # keeps below the piece size may end a declaration long before they are cut.
        if redrawn := st.redrawn(fresh=bool(pieces)):
            self.secrets.learn_piece(redrawn)
        self.partial.waiting(stream, now, fresh=bool(pieces))
        return self.archived(stream, b"".join(archive)), self._printed(now)

    def finish_input(self, now: float) -> tuple[bytes, list[Emit]]:
        """End of the child's output: the partial last line of each stream, if any (and the
        records waiting for the next one)."""
        archive = []
        for stream, st in self._inputs.items():
            archive.append(self.archived(stream, self.records.release(stream, now)))
            rest = st.splitter.flush()
            if rest:
                archive.append(self.archived(stream, self.intake.region(stream, rest, now)))
            elif st.in_long:  # a long line's last piece took all of it: it ends here
                self.intake.long_end(stream, b"", now)
            st.in_long = False
            st.partial_at = None
        return b"".join(archive), self._printed(now)

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
        return self.archived(stream, archive), self._printed(now)

    def classify(self, line: bytes) -> Kind:
        """The tier the built-in and user rules give one line: a CI command's (it passes),
        else its words' (a Rust path, a pytest node id: ``::`` in a line makes no command).
        A line longer than the engine holds whole is classified on its start, as the pieces
        of one are (:data:`~.policy.LINE_HELD`)."""
        if len(line) > self.shaper.max_pending:
            line = line[: self.shaper.max_line]
        kind = self.matcher.line_kind(line)
        if kind == Kind.SERVICE and not self.commands.is_command(line.decode("utf-8", "replace")):
            if self._text_only is None:
                self._text_only = self.matcher.text_only()
            kind = self._text_only.line_kind(line)
        return kind

    def is_command(self, text: str) -> bool:
        """Whether a line carries a CI command that passes verbatim."""
        return self.commands.is_command(text)

    def dropped(self, line: bytes) -> bool:
        """Whether a ``--drop`` rule keeps this line off the console, even as context."""
        if not self._drop:
            return False
        held = self.shaper.stand_ins.get(line)  # a long line the history holds cut
        return held if held is not None else any(r.search(line) for r in self._drop)

    def take_held(self, stream: int) -> tuple[bytes, bytes]:
        """The partial line held for ``stream``, removed, and the console form of its start
        already shown (b"": none): for the shell when it fails open."""
        st = self._inputs[stream]
        shown = st.partial_text if st.partial_shown else b""
        st.partial_shown = 0
        st.partial_text = b""
        st.partial_at = None
        return st.splitter.flush(), shown

    def passthrough(self, stream: int, data: bytes, *, final: bool = False) -> bytes:
        """Mask ``data`` only: what the shell forwards after the engine failed open. The bytes
        that could start a secret wait for the stream's next chunk (``final``: no more)."""
        return self.secrets.failing.passthrough(stream, data, final=final)

    def _own_line_levels(self) -> tuple[list[bytes], list[bytes]]:
        reset, restore = self.dialect.own_line_levels()
        return [x.encode() + b"\n" for x in reset], [x.encode() + b"\n" for x in restore]

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
        return self._printed(now)

    def _printed(self, now: float) -> list[Emit]:
        """What goes to the console now; a line the CI shows is no silence (the heartbeat:
        a command it reads and may hide, a progress state, is)."""
        out = self.out
        if out.visible != out.looked:
            out.looked = out.visible
            self.heartbeat.last = now
        return out.take()

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
        return self.out.tally.checkpoint()

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
        gone: bool = False,
    ) -> tuple[list[Emit], list[Action]]:
        """The end: repeats and progress settled, the tail on failure, summary, publication.

        ``timestamp``: the Unix time, for dialects that stamp their groups (GitLab);
        ``interrupted``: the signal that stopped the run, for the summary; ``killed_by``: the
        signal that ended the command (the failure reason when no line says more); ``lost``:
        the archive's path when writing it failed (``gone``: no file is left there). Returns
        console emits and the dialect's other actions for the shell to carry out.
        """
        self.finish.settle(exit_code)
        started = self.heartbeat.started
        duration = (now - (now if started is None else started)) if timed else None  # trim: None
        # Every text handed to the dialect is masked with the secrets known by now.
        mask = self.masker.mask_text
        end = Ending(exit_code, duration, self.lines, self.nbytes,
                     None if archive is None else mask(archive), mask(archive_name),
                     archive_size, env, timestamp, interrupted,
                     None if lost is None else mask(lost),
                     archive is not None and mask(archive) != archive, gone)  # fmt: skip
        return self.finish.close(end, killed_by)
