"""The end of a run as the core meets it: what is still open settled, the failure reason
chosen, then the failure tail and the closing lines (:class:`~.closing.Closer`).

A part of :class:`~.core.Core`, given the parts it reads. The core turns the shell's account
of the end (exit code, archive, signals) into an :class:`~.closing.Ending` and hands it here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ...dialects import Dialect
from ...dialects.base import Action, Closing, Print
from ..console.output import STDERR, STDOUT, Emit, Output
from ..flow.history import End, Held, History, Shaper
from ..flow.select import Selector
from ..masking.mask import Masker
from ..masking.secrets import Secrets
from ..match.kinds import Kind
from ..policy import Policy
from ..service.commands import Commands
from ..service.native import NativeProgress
from ..shapes.novelty import Novelty
from . import ends
from .closing import Closer, Ending, closing_floor
from .detail import add_detail
from .printed import signal_reason
from .ranks import Candidate, Rank
from .tail import Tail

if TYPE_CHECKING:  # imported with --baseline or --history only (start-up counts)
    from ..shapes.baseline import Baseline


def _signal_said(
    killed_by: str | None, interrupted: str | None, best: Candidate | None
) -> str | None:
    """The signal that ended the command, as the reason when no line says more; none when
    the program aborted itself (an assertion, C++'s terminate, glibc's checks) and wrote
    last on stderr: that line says why (another signal came from outside the program)."""
    if killed_by == "SIGABRT" and interrupted is None and best and best.rank >= Rank.STREAM_END:
        return None
    return signal_reason(killed_by, interrupted)


#: The exit code of GNU ``timeout`` (and BusyBox's) when the command ran out of time.
TIMED_OUT = 124


class Finish:
    """Settles, then closes, one run; owns the failure :class:`~.tail.Tail` and the
    :class:`~.closing.Closer`. Also the shells' other closing calls: the budget's room for
    the closing lines, and the closing actions alone when the engine failed."""

    def __init__(
        self,
        pol: Policy,
        *,
        out: Output,
        select: Selector,
        history: History,
        held: Held,
        shaper: Shaper,
        commands: Commands,
        masker: Masker,
        native: NativeProgress,
        secrets: Secrets,
        dialect: Dialect,
        classify: Callable[[bytes], Kind],
        dropped: Callable[[bytes], bool],
        novelty: Novelty | None,
        baseline: Baseline | None,
    ) -> None:
        self.out, self.select, self.history, self.shaper = out, select, history, shaper
        self.commands, self.masker, self.native = commands, masker, native
        self.secrets, self.dialect = secrets, dialect
        self.classify, self.novelty, self.baseline = classify, novelty, baseline
        self.exit_code = 0  # set at the end
        self.tail = Tail(
            out, history, held, shaper, classify, dropped,
            after=pol.after, block=pol.block, is_new=novelty.is_new if novelty else None,
            withheld=select.withheld, ends=self.failed_ends, progress=self._progress_command,
            command=lambda raw: commands.is_command(raw.decode("utf-8", "replace")),
            reported=lambda raw: commands.reported_error(raw) is not None,
            reason=select.reasons.block,
        )  # fmt: skip
        self.closer = Closer(pol, out, dialect, masker.mask_text)

    def _progress_command(self, text: bytes) -> bool:
        """Whether a console line is a CI's progress command (its bar's state)."""
        if b"#" not in text:  # (every one starts with ``##``)
            return False
        return self.commands.progress_of(text.decode("utf-8", "replace")) is not None

    def reserve_closing(self, archive: str, archive_name: str) -> None:
        """Before any output: room for the closing lines that publish this archive."""
        mask = self.secrets.mask_text
        floor = closing_floor(self.dialect, mask(archive), mask(archive_name))
        self.out.budget.keep_for_closing(floor)

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
        # What the child left switched (a pause, a level, a group) is switched back first,
        # as the console showed it (a pause's token that is a secret is masked there).
        resets: list[Action] = [Print(mask(line)) for line in self.dialect.reset_lines()]
        return resets + self.dialect.finish(closing)

    def settle(self, exit_code: int) -> None:
        """What is still open when the output ends: a service message, runs of repeats,
        throttled progress, the CI's own progress indicator."""
        if self.commands.is_open(STDOUT):
            # Calamari would read our lines into it up to the first ']': this one takes that.
            self.commands.opened.close(STDOUT)
            self.out.marker("the command's service message left open ends here")
        tail_from = None
        if exit_code != 0:  # the failure tail's lines: a progress state there is its
            tail_from = max(self.history.lines - self.select.policy.tail, 0)
        for stream in (STDOUT, STDERR):
            if exit_code != 0:  # the failure tail shows how a run of repeats ended
                self.select.repeats.unwind(stream)
            else:
                self.select.repeats.end(stream)
            self.select.progress.late(stream, tail_from=tail_from)
        self.native.finish()

    def close(self, end: Ending, killed_by: str | None) -> tuple[list[Emit], list[Action]]:
        """The tail on failure, the summary and the dialect's closing actions, with the
        failure reason (``killed_by``: the signal that ended the command, the reason when no
        line says more). Returns console emits and the dialect's other actions."""
        tally = self.out.tally
        if self.baseline is not None and self.baseline.known is not None:
            tally.new_shapes = len(self.baseline.new_shapes)
            if self.novelty is not None:
                tally.known = dict(self.novelty.known)
        reasons = self.select.reasons
        self.exit_code = end.exit_code
        # (``timeout``'s 124: the command was stopped at its time limit, its last lines are
        # wherever it was then, a server's access log as likely as anything)
        if end.exit_code not in (0, TIMED_OUT):
            # Tools often write their fatal message last on one stream and flush the other
            # after it: each stream's last line is a candidate, with or without an error word.
            # (not a line the CI shows nothing of: Octopus's ``stdout-ignore``; nor one a drop
            # rule keeps off the console)
            dropped = self.shaper.dropped
            shown = [
                end
                for end in self.stream_ends(ends.WALK)
                if not self.history.is_ignored(end[0]) and not dropped(end[2])
            ]
            ends.offer(reasons, shown, self.shaper.display, self.classify)
            ends.offer_tcl(reasons, self.stream_ends(ends.TCL_WINDOW))
            command = self.commands.is_command
            if self.novelty is not None:  # with a baseline: its last new line printed once
                self.novelty.offer_reason(reasons, self.shaper.display, command)
        add_detail(reasons.best, self.history.line_after)
        fallback = _signal_said(killed_by, end.interrupted, reasons.best)
        actions = self.closer.close(
            end,
            reason=reasons.reason(self.masker, fallback=fallback, lines=self.history.lines),
            first_errors=reasons.masked_first_errors(self.masker),
            child_sent_result=self.commands.child_sent_result,
            error_reported=reasons.reported,
            tail=self.emit_tail,
        )
        return self.out.take(), actions

    def emit_tail(self, count: int, reserve: int, title: Callable[[int], str]) -> list[Emit]:
        """The last ``count`` lines not shown yet, leaving ``reserve`` bytes of the budget
        (see :class:`~.tail.Tail`)."""
        self.tail.emit(count, self.out.budget.room(reserve), title, failed=self.exit_code != 0)
        return self.out.take()

    def stream_ends(self, count: int = ends.COUNT) -> list[End]:
        """Each stream's last ``count`` lines, CI commands left out: (lineno, stream, raw)."""
        command = self.commands.is_command
        return self.history.last_lines(lambda raw: command(raw.decode("utf-8", "replace")), count)

    def failed_ends(self) -> list[End]:
        """For the tail of a failed run: each stream's last lines (a success's are its result)."""
        return self.stream_ends() if self.exit_code else []
