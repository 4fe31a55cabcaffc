"""The end of a run: the failure tail, the summary and the dialect's closing actions.

Everything after the child's last line fits in what the budget kept for it: the summary
shrinks to one line, then to none, before the dialect's messages (publishing the archive,
the failure reason) would be left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from ..._text import as_bytes, inert
from ...dialects import Closing, Dialect, Print
from ...dialects.base import Action
from ...dialects.escape import reason_line
from ..console.output import STDOUT, Emit, Output
from ..match.kinds import Kind
from ..policy import Policy
from .headers import EARLIER_START, in_fold, last_lines
from .printed import elided, line_size, masked_action, masked_line, printed_size

#: The failure reason's length (characters) the closing reserve always has room for; a
#: longer reason is cut to what the budget has left (the summary goes first).
REASON_ROOM = 100
#: Slack for what is printed between the reserve's check and the closing lines.
_SLACK = 64
_TRIES = 8  # each shortens the path by what it lacked: one or two in practice

#: Prints the last lines (:meth:`.Tail.emit`): their count, the bytes to leave, their title from the
#: number of lines it names.
TailPrinter = Callable[[int, int, Callable[[int], str]], list[Emit]]


@dataclass(frozen=True)
class Ending:
    """How a run ended and what the closing lines report about it."""

    exit_code: int
    duration: float | None  # None: a virtual clock (``trim``) has no duration worth printing
    lines: int
    nbytes: int
    archive: str | None = None
    archive_name: str = ""
    archive_size: int = 0
    env: Mapping[str, str] | None = None
    timestamp: float = 0.0  # Unix time, for the dialect
    interrupted: str | None = None  # the signal that stopped the run (``SIGINT``), if any
    lost: str | None = None  # the archive's path when writing it failed (it is not published)
    path_masked: bool = False  # the archive's path holds a secret (masked where printed)
    gone: bool = False  # writing it failed and no file is left there


@dataclass(frozen=True)
class _Spoke:
    """What the closing lines say of the failure: the reason (cut to fit, if need be)."""

    reason: str | None
    first_errors: list[str]
    child_sent_result: bool
    error_reported: bool


class Closer:
    """Prints what follows the child's output; returns the dialect's other actions."""

    def __init__(
        self, policy: Policy, out: Output, dialect: Dialect, mask: Callable[[str], str] = str
    ) -> None:
        self.policy = policy
        self.out = out
        self.dialect = dialect
        self.mask = mask

    def close(
        self,
        end: Ending,
        *,
        reason: str | None,
        first_errors: list[str],
        child_sent_result: bool,
        error_reported: bool = False,
        tail: TailPrinter,
    ) -> list[Action]:
        budget = self.out.budget
        self._resets()
        spoke = _Spoke(reason, list(first_errors), child_sent_result, error_reported)
        compact = budget.compact  # a small budget is for the failure, not counts
        if end.exit_code != 0 or self.policy.success_tail:
            # Every run ends with its last lines: nothing disappears without a marker. The
            # slack is the tail's to leave: once it is printed the summary needs only its
            # own bytes (its counts may have grown a digit, which the slack covers).
            _, reserve = self._closing(end, self._summary(end, compact), spoke)
            self._tail(end, reserve + _SLACK, tail)
        self.out.flush_gap(sized=False)  # no console ends mid-stream without a marker
        for lines in (self._summary(end, compact), self._summary(end, True), []):  # shorter
            actions, need = self._closing(end, lines, spoke)
            if need <= budget.room(0):
                break
        while need > budget.room(0) and spoke.reason and len(spoke.reason) > 1:  # then the reason
            why = spoke.reason
            spoke = replace(
                spoke, reason=reason_line(why, max(len(why) - (need - budget.room(0)), 1))
            )
            actions, need = self._closing(end, lines, spoke)
        for _ in range(_TRIES):  # last, a path a secret made longer than the room kept for it
            if need <= budget.room(0) or not end.path_masked or end.archive is None:
                break
            end = replace(end, archive=elided(end.archive, need - budget.room(0)))
            actions, need = self._closing(end, lines, spoke)
        return self._print(lines, actions)

    def _summary(self, end: Ending, compact: bool) -> list[str]:
        """The summary's lines; a path may hold a newline and a CI command: each line stays
        one, inert."""
        out = self.out
        return [
            inert(line)
            for line in _path_note(end)
            + out.tally.summary(
                lines=end.lines,
                nbytes=end.nbytes,
                console=out.budget.used + out.budget.unpaid - out.own_bytes,  # the child's
                duration=end.duration,
                archive=end.archive,
                archive_size=end.archive_size,
                archived=end.nbytes,
                compact=compact,
                interrupted=end.interrupted,
                lost=end.lost,
                gone=end.gone,
            )
        ]

    def _closing(self, end: Ending, lines: list[str], spoke: _Spoke) -> tuple[list[Action], int]:
        """The dialect's closing actions, and the bytes they and the summary ``lines`` need."""
        closed = Closing(
            # A path a secret is masked in is published by none: masked, a CI's pattern of
            # it (TeamCity's ``?`` for each character) may still find the file, or another.
            archive_path=None if end.path_masked else end.archive,
            archive_name=end.archive_name,
            archive_size=end.archive_size,
            exit_code=end.exit_code,
            reason=spoke.reason,
            summary=lines,
            first_errors=list(spoke.first_errors),
            child_sent_result=spoke.child_sent_result,
            error_reported=spoke.error_reported,
            env=dict(end.env) if end.env is not None else {},
            timestamp=end.timestamp,
        )
        # Built from masked values; their text is masked again as printed (rendering,
        # ``\\x00`` for a NUL or lines joined, can make a secret's text out of what was
        # none), a message's values as its CI reads them, its syntax never.
        actions = [masked_action(a, self.mask, self.dialect) for a in self.dialect.finish(closed)]
        return actions, printed_size(actions) + sum(line_size(x) for x in lines)

    def _resets(self) -> None:
        """The dialect's resets (e.g. level switches back to the defaults), but those
        printed for our own last lines and still in effect."""
        already = self.out.end_levels()
        for line in self.dialect.reset_lines():
            # Masked as the child's line that set it was (a pause's token that is a secret:
            # the CI was paused with ``********``, which is then what resumes it).
            data = as_bytes(masked_line(line, self.mask, self.dialect)) + b"\n"
            if data not in already:
                self.out.emit(STDOUT, data, Kind.NOISE, own=True)

    def _print(self, lines: list[str], actions: list[Action]) -> list[Action]:
        """The summary's ``lines`` and the actions that print, on the console; the other
        actions returned, for the shell."""
        for text in lines:
            self.out.emit(STDOUT, as_bytes(text) + b"\n", Kind.NOISE, own=True)
        others: list[Action] = []
        for action in actions:
            if isinstance(action, Print):
                self.out.emit(STDOUT, as_bytes(action.text) + b"\n", Kind.SERVICE)
            else:
                others.append(action)
        return others

    def _replayed(self, lines: list[Emit]) -> list[Emit]:
        """The child's lines printed again, inside a pause of the CI's commands where the
        dialect has one for them (:meth:`~logtrim.dialects.base.Dialect.replay_pause`): its
        room was kept for it."""
        pause = self.dialect.replay_pause(b"".join(data for _, data in lines)) if lines else None
        if pause is None:
            return lines
        start, end = (as_bytes(line) + b"\n" for line in pause)
        self.out.own_lines(len(start) + len(end))
        return [(STDOUT, start), *lines, (STDOUT, end)]

    def _tail(self, end: Ending, reserve: int, tail: TailPrinter) -> None:
        """The failure tail, in a collapsible group where the system has them."""
        out, dialect = self.out, self.dialect
        pause = dialect.replay_pause(b"")  # its size: a token's is the same for any lines
        if pause is not None:
            reserve += len(pause[0]) + len(pause[1]) + 2
        if end.exit_code == 0:  # no group: a success's last lines are its result
            before = out.take()  # the resets first: a pause of the child's ends before ours
            lines = tail(self.policy.success_tail, reserve, last_lines)
            out.push(before + self._replayed(lines))
            return
        named = [self.policy.tail]  # the number of last lines the header names (Tail.emit)
        title = last_lines(named[0], end.exit_code)
        group = dialect.group_start(title, timestamp=end.timestamp)
        room = 0  # for the group's lines: with the longest title, the header's
        if group is not None:
            room = self._group_size(title, end)
            reserve += room

        def titled(count: int) -> str:
            named.append(count)
            return last_lines(count, end.exit_code)

        before = out.take()
        lines = self._replayed(tail(self.policy.tail, reserve, titled))
        if lines and group is not None:
            lines = self._folded(lines, last_lines(named[-1], end.exit_code), end, room)
        out.push(before + lines)

    def _folded(self, lines: list[Emit], title: str, end: Ending, room: int) -> list[Emit]:
        """The tail's lines in a group titled as its header (``title``: the last lines'), or,
        with only earlier lines held back, as theirs; the header is not said again inside.
        ``room``: the bytes kept for the group's lines (with the header's, what it may take)."""
        header: bytes | tuple[bytes, ...] = f"[logtrim] --- {title}".encode()
        code = f" (exit code {end.exit_code})"
        if not any(data.startswith(header) for _, data in lines):
            title, header = f"earlier lines{code}", EARLIER_START
        ahead, inside, said = in_fold(lines, header)
        if said is not None:  # the header with its note (``..., counted above as not shown``)
            header_line = sum(len(data) for _, data in lines) - sum(
                len(data) for _, data in ahead + inside
            )  # the bytes of the header's line, left out of the fold: the title's room
            said += code if header == EARLIER_START else ""
            if self._group_size(said, end) <= room + header_line:
                title = said
            else:  # a long note that does not fit: the header stays inside
                inside = lines[len(ahead) :]
        lines = inside
        group = self.dialect.group_start(title, timestamp=end.timestamp)
        group_end = self.dialect.group_end(title, timestamp=end.timestamp)
        assert group is not None
        lines.insert(0, (STDOUT, as_bytes(group) + b"\n"))
        self.out.own_lines(len(group) + 1)
        if group_end is not None:
            lines.append((STDOUT, as_bytes(group_end) + b"\n"))
            self.out.own_lines(len(group_end) + 1)
        return ahead + lines

    def _group_size(self, title: str, end: Ending) -> int:
        """The bytes of a group's lines titled ``title``."""
        start = self.dialect.group_start(title, timestamp=end.timestamp) or ""
        return len(start) + len(self.dialect.group_end(title, timestamp=end.timestamp) or "") + 2


def closing_floor(dialect: Dialect, archive_path: str, archive_name: str) -> int:
    """Console bytes the closing lines need at least, whatever the run prints: the dialect's
    resets and messages (publishing ``archive_path`` under ``archive_name``, a failure with
    a reason of :data:`REASON_ROOM` characters), without the summary."""
    worst = Closing(
        archive_path=archive_path,
        archive_name=archive_name,
        archive_size=10**15,
        exit_code=255,
        reason="x" * REASON_ROOM,
    )
    resets = sum(line_size(line) for line in dialect.reset_lines())
    return resets + printed_size(dialect.finish(worst)) + _SLACK


def _path_note(end: Ending) -> list[str]:
    """A line saying that the archive's path holds a secret: it is masked wherever printed,
    so the CI's publish message names a file that is not there."""
    if not end.path_masked:
        return []
    return ["[logtrim] warning: the archive's path holds a secret, masked where printed: it "
            "is not published to the CI (give --artifact a path without it)"]  # fmt: skip
