"""The failure reason: the line a person would point at, chosen by what kind of line it is.

One chooser serves every dialect's failure mark (a ``resultMessage``, an ``::error``,
...) and the plain ``[logtrim] failed (exit N): <reason>`` line. Lines are offered as they
are classified (only error-tier lines, and the last lines of each stream at the end), so the
cost is per error line, and the memory is a handful of candidates.

The ranks, best first, with examples: :mod:`.ranks`.

A stream's last line that says nothing went wrong (the last of a run of similar lines, an
info level, an action announced: ``Cloning into 'repo'...``) is none: the exit code is.

Within a rank, the first compiler error and the first failing test win (later ones often
follow from it); otherwise the newest line does (it is closest to the exit), but for a
program's own message a few lines after another (a cleanup trap's complaint after the
failing command's: :mod:`.replaces`). A fatal line
more than a few lines after an exception (one the program logged and went on from) wins
over it: what stopped the program is the fatal line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ..._text import ANSI_BYTES as _ANSI
from ..._text import char_start
from ..console.display import read_form
from ..masking.mask import Masker
from ..shapes.templates import DIGITS_TO_ZERO
from . import reading, traces
from .cleanup import WindDown, nothing_to_clean
from .errorrank import error_rank, plain_text
from .formranks import FormRanks
from .named import WENT_ON, completed, named
from .nodeerrors import NodeErrors
from .psrecords import META as PS_META
from .psrecords import Records
from .ranks import (
    Candidate,
    Rank,
    line_rank,
    own_message,
)
from .replaces import (
    BURST_CALM,
    calm,
    joins,
    pointer,
    replaces,
    restates,
    same_failure,
    unboxed,
    went_on,
)
from .streamend import end_rank
from .testreports import TestReports
from .tracestate import TraceState

__all__ = ["READ_MAX", "WENT_ON", "Rank", "ReasonChooser"]

#: A longer line is read for the reason as its start and its end, this much in all: each of
#: its forms is a search of the whole line (a megabyte of ``error error ...`` took a second
#: a line); a JSON record's message at the end of a 20 kB payload is still read whole.
READ_MAX = 1 << 16


def _bounded(line: bytes) -> bytes:
    """A long line's start and end, ``READ_MAX`` bytes in all, each ended on a character."""
    half = READ_MAX // 2
    head = line[: char_start(line, half)]
    return head + b" ... " + line[char_start(line, len(line) - half) :]


@dataclass
class ReasonChooser:
    """Offer lines with :meth:`offer`; :meth:`reason` names the best one."""

    best: Candidate | None = None
    first_errors: list[bytes] = field(default_factory=list)  # a handful, for the CI's summary
    trace: TraceState = field(default_factory=TraceState)
    tests: TestReports = field(default_factory=TestReports)
    memo: bool = True  # plain error lines ranked once per digits-to-zero form (``_plain``)
    # The error lines seen so far, bulk-counted ones too (the tally's); else those offered.
    error_lines: Callable[[], int] | None = None
    _offered_errors: int = 0
    _errors_then: int = 0  # error lines seen when the chosen line was taken (it included)
    _counted: bool = False  # the line offered now is an error line, counted already
    _boxed: int = -1  # the chosen line's number when it is a boxed diagnostic's
    _next: int = -1  # the number of the line after the chosen one
    _wind_down: WindDown = field(default_factory=WindDown)  # a rollback after the chosen line
    _explained: deque[bytes] = field(default_factory=lambda: deque(maxlen=32))
    _said: deque[bytes] = field(default_factory=lambda: deque(maxlen=16))  # the last errors
    _ranks: FormRanks = field(default_factory=FormRanks)
    node: NodeErrors = field(default_factory=NodeErrors)
    carried: bytes = b""  # the carrier's prefix of the traceback read now
    powershell: Records = field(default_factory=Records)  # Windows PowerShell's error records
    # The last error line the program said it went past (``..., continuing without cache``):
    # a traceback right under it is the one it logged with it (``log.exception``).
    retried_at: int = -10
    # The last errors the child reported to its CI with a command.
    reported_texts: deque[bytes] = field(default_factory=lambda: deque(maxlen=16))

    def passes(self, lineno: int) -> bool:
        """Whether :meth:`offer` passes over the lines from ``lineno`` on that are no error."""
        return self.trace.far(lineno)

    def offer(self, line: bytes, lineno: int, *, error: bool, detail: bool = False) -> None:
        """A line of the child's: ``error`` when it is in the error tier; ``detail`` when its
        level says debug/trace (never a reason)."""
        trace = self.trace
        self._counted = error
        if (best := self.best) is not None:
            if lineno == self._next:
                went_on(best, line)  # (``...ignoring``)
            self._wind_down.see(best, line, lineno)
        if detail or not (
            error or trace.inside or lineno - trace.last_exception <= 3 or trace.group >= 0
        ):
            return  # the common case, kept cheap (``TraceState.far``, inline): no error
        self._offered_errors += error
        if len(line) > READ_MAX:
            line = _bounded(line)
        if error and (line.startswith(b"E ") or line[:1] == b"\x1b"):
            plain = _ANSI.sub(b"", line)  # (``--color=yes`` colours it)
            if plain.startswith(b"E "):  # pytest's explanation: its summary may cut it
                self._explained.append(plain[1:].strip())
        if self.memo and self._plain(line, lineno):
            return
        reading.read(self, line, lineno, error)

    def take_error(self, line: bytes, body: bytes, lineno: int, shown: bytes | None = None) -> None:
        """An error line away from any traceback, ranked by its words (``shown``: the line
        as named, when ``body`` is it without a carrier's stamp)."""
        if pointer(body) or self._continues(line, body, lineno) or restates(self._said, body):
            return
        if len(self.first_errors) < 5:
            self.first_errors.append(shown or body)
        cleans = nothing_to_clean(body)
        if cleans and self._follows_error(lineno):
            return  # a clean-up right after an error that found nothing to remove: it follows
        rank = error_rank(line, body)
        # A plain error line's rank, for lines that differ in digits ("Caused by" may
        # be taken otherwise next time: by what is chosen then; a clean-up's, by what
        # came before it).
        if self.memo and not cleans and not traces.CAUSED_BY.match(body):
            self._ranks.remember(line.translate(DIGITS_TO_ZERO), rank)
        rank = self.tests.rank(rank, body, lineno)
        # (one that found nothing never keeps a program's next message from the reason)
        own = own_message(plain_text(line), body) and not cleans
        self.take(rank, shown or body, lineno, own=own)

    def _continues(self, line: bytes, body: bytes, lineno: int) -> bool:
        """Whether an error line goes on the chosen line's sentence (:func:`.joins`): then
        it is joined to that line, not a reason of its own."""
        if self.best is None or not joins(self.best, line, body, lineno):
            return False
        self._next = lineno + 1
        return True

    def _follows_error(self, lineno: int) -> bool:
        """Whether a line at ``lineno`` comes right after the chosen line (a burst's few calm
        lines), and that one is no error the program went on from."""
        best = self.best
        return (
            best is not None
            and best.rank != Rank.RETRIED
            and calm(best, lineno, self._errors_since) <= BURST_CALM
        )

    def _plain(self, line: bytes, lineno: int) -> bool:
        """An error line away from any traceback or panic, ranked by its digits-to-zero form
        when a line of that form was ranked before: a flood's lines differ in their numbers
        (``request 812 failed``), and every pattern here treats all digits alike, so ranking
        each costs ~50 us for the same answer. False: the line is to be looked at in full."""
        rank = self._memo(line, lineno)
        if rank is None:
            return False
        plain = plain_text(line)
        # Ranked as :meth:`_read` ranks it: without a carrier's prefix, named with it.
        carrier = traces.CARRIER.match(plain)
        body = plain[carrier.end() :] if carrier else plain
        self.take(rank, plain.strip(), lineno, own=own_message(plain, body.strip()))
        return True

    def _memo(self, line: bytes, lineno: int) -> Rank | None:
        """The rank :meth:`_plain` takes for an error line, which changes nothing but the
        chosen line; None: the line is to be looked at in full. Once not None, it stays so
        for the later lines of the same form (the distances only grow)."""
        if self.looks_closely(lineno) or self.best is None:
            return None
        return self.memo_rank(line.translate(DIGITS_TO_ZERO))

    def memo_rank(self, form: bytes) -> Rank | None:
        """The rank remembered for an error line's digits-to-zero ``form`` (with its line
        end), None when it is to be ranked in full (not seen, or a failing test's)."""
        return self._ranks.get(form)

    def looks_closely(self, lineno: int) -> bool:
        """Whether a line at ``lineno`` is read with the lines before it: in or just after a
        traceback, its frames or a panic, or among the first error lines (kept for the CI)."""
        return self.trace.near(lineno) or len(self.first_errors) < 5 or self.tests.near(lineno)

    def ranked(self, line: bytes, lineno: int) -> bool:
        """Whether offering an error line and then the lines of its digits-to-zero form right
        after it (:mod:`.similar`) is the same as offering the first and last of them: each
        is ranked from the memo, the same rank, and the newest or first of a rank wins."""
        return self.memo and self._memo(line, lineno) is not None

    def block(self) -> tuple[int, int]:
        """The line numbers of the chosen line's block so far, first and last: a traceback
        from its header to its exception ((-1, -1): none chosen)."""
        if self.best is None:
            return (-1, -1)
        start = self.best.start
        return (start if 0 <= start <= self.best.lineno else self.best.lineno, self.best.lineno)

    def strong_block(self) -> tuple[int, int]:
        """:meth:`block` when the chosen line says why (a compiler's error, a failing test,
        an exception, a build's failure summary), else (-1, -1): a plain error line is
        outranked by any later one, so holding it longest would keep a stale line."""
        if self.best is None or self.best.rank <= Rank.FATAL:
            return (-1, -1)
        return self.block()

    def settled(self) -> bool:
        """Whether error lines may be offered a block at a time (first and last): no
        traceback has been seen, whose lines must each be looked at."""
        return not self.trace.seen

    def offer_stream_end(
        self,
        line: bytes,
        lineno: int,
        *,
        stderr: bool = True,
        message: bool = True,
        quiet: bool = False,
    ) -> None:
        """One of a stream's last lines: a candidate even without an error word if it is
        stderr's (``stderr``), where a program writes why it stops; ``message``: not a
        progress or warning line; ``quiet``: the line says nothing went wrong (a loop's last
        line, a milestone, an info level), below any other candidate. stdout's last line is
        one only as a shell's trace or when it says that something failed (``giving up:
        ...``): its "main done" or a cleanup trap's echo says nothing of what went wrong, and
        then the reason is the exit code."""
        self._counted = False  # (a line counted when it came)
        body = _ANSI.sub(b"", line).strip()
        # (a PowerShell record's metadata, a caret: never the reason)
        if not body or PS_META.match(body) or pointer(body):
            return
        if nothing_to_clean(body) and self._follows_error(lineno):
            return
        rank = end_rank(body, stderr=stderr, message=message, quiet=quiet)
        if rank is not None:
            self.take(rank, body, lineno)

    def offer_reported(self, text: bytes, test: bool, lineno: int) -> None:
        """An error the child reported to its CI with a command (``::error::``, a TeamCity
        ``testFailed``): the program itself says this is what went wrong. Ranked as an error
        line (a failing test as one), so that what the tool printed about it still wins; one
        that only says a phase failed (Azure's ``task.complete result=Failed;]Deployment
        failed``) as such a line, below the report before it that says why."""
        self._counted = False  # (a command: no line of a tier)
        body = _ANSI.sub(b"", text).strip()
        if body:
            self.reported_texts.append(body)
            rank = Rank.TEST_ASSERTION if test else Rank.ERROR
            if not test and (said := line_rank(body)) in (Rank.PHASE, Rank.STATUS):
                rank = said
            self.take(rank, body, lineno, reported=True)

    def offer_new(self, line: bytes, lineno: int) -> None:
        """With a baseline, the last new line of a shape the run printed once: above a
        stream's last line (which good runs may print too, or a loop's repeated line)."""
        self._counted = False  # (a line counted when it came)
        body = _ANSI.sub(b"", line).strip()
        if body:
            self.take(Rank.NEW, body, lineno)

    def take(
        self,
        rank: Rank,
        text: bytes,
        lineno: int,
        *,
        root: bytes | None = None,
        start: int = -1,
        own: bool = False,
        handling: bool = False,
        reported: bool = False,
    ) -> None:
        if rank == Rank.RETRIED:
            self.retried_at = lineno
        if self._wins(rank, lineno, text, own=own):
            self._choose(Candidate(rank, text, lineno, root, start, own=own, handling=handling,
                                   reported=reported))  # fmt: skip

    def _choose(self, best: Candidate) -> None:
        if best.text.endswith(b"...") and self._explained:
            best.text = completed(best.text, self._explained)
        self._boxed = best.lineno if unboxed(best) else -1
        self.best, self._next = best, best.lineno + 1
        self._errors_then = self._errors_seen()

    def _errors_seen(self) -> int:
        return self.error_lines() if self.error_lines is not None else self._offered_errors

    def _wins(self, rank: Rank, lineno: int, text: bytes, *, own: bool = False) -> bool:
        """Whether a candidate replaces the chosen line (:func:`.replaces`)."""
        best = self.best
        if best is not None and self._wind_down.keeps(best, rank, lineno):
            return False  # the run winds down after the chosen error: a clean-up's error
        boxed = best is not None and self._boxed == best.lineno
        since = self._errors_since
        return replaces(best, rank, lineno, text, boxed=boxed, errors_since=since, own=own)

    def _errors_since(self) -> int:
        """The error lines seen between the chosen line and the one offered now (each path
        counts a line before it offers it: the count holds the line offered now)."""
        return self._errors_seen() - self._errors_then - self._counted

    def reason(
        self, masker: Masker, fallback: str | None = None, lines: int | None = None
    ) -> str | None:
        """The chosen line, as :func:`.named` says it (``fallback``: a signal that ended the
        run; ``lines``: the lines the run wrote)."""
        return named(self.best, masker, fallback, lines)

    @property
    def reported(self) -> bool:
        """Whether the child reported the failure to its CI with a command: the chosen line,
        or another that names it too (``not ok 3 - total includes tax`` chosen, the test's
        ``::error file=...::total includes tax: expected 107`` reported)."""
        best = self.best
        if best is None or best.reported:
            return best is not None
        return any(same_failure(best.text, text) for text in self.reported_texts)

    def masked_first_errors(self, masker: Masker) -> list[str]:
        """The first error lines, masked with every secret known by now."""
        return [read_form(masker.mask(t)).decode("utf-8", "replace") for t in self.first_errors]
