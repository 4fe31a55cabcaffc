"""Each stream's last lines: where a failed program says why it stopped.

A failed command writes one line on stderr, then a cleanup trap prints hundreds on stdout:
that line is a failure reason candidate and reaches the failure tail however many lines
followed it on the other stream (the history holds each stream's newest region).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from ..._regex import lazy
from ..._text import ANSI_BYTES
from ..console.display import last_state
from ..console.output import STDERR, STDOUT
from ..flow.history import ENDS, End, History, Shaper
from ..match.kinds import Kind
from ..shapes.templates import template
from .failure import TailLine
from .fold import similar_key
from .named import as_said
from .ranks import Rank, line_rank
from .reason import ReasonChooser
from .streamend import says_failure

LOOP = 3  # a stream that ends in this many like lines ends in a loop's output
# A shell's trace (``set -x``) of a builtin that only passes an exit code on.
_PASSES_CODE = lazy(rb"^\++ (?:return|exit)(?: -?[0-9]+)?$")
# ... and of the bookkeeping around it: the code kept (``+ local rc=7``, ``+ rc=7``), tested
# (``+ '[' 7 -ne 0 ']'``), a lock removed by an ERR trap (``++ rm -f /run/x.lock``).
_BOOKKEEPING = lazy(
    rb"^\++ (?:local |declare |[A-Za-z_][A-Za-z0-9_]*=\S*$|'?\[|\[\[ |test |rm -f |trap |set [+-])"
)


# A last line that only says the program stops (``giving up``, ``Aborting.``): the line
# before it is where it said why.
_STOPS = lazy(
    rb"^(?:[\w.-]+: )?(?:(?:giving up|gave up)(?: after [0-9]+ (?:attempts|retries|tries))?|"
    rb"aborting|aborted|exiting|stopping|halting|bailing out|failed|failure|"
    # ... that the retries are over, and no more (``attempt 3/3 failed, giving up``)
    rb"(?:(?:attempt|try|retry) #?[0-9]+(?: ?(?:/|of) ?[0-9]+)?|all (?:[0-9]+ )?"
    rb"(?:attempts|retries|tries)) failed(?:, (?:giving up|aborting))?)[.!]*$",
    re.I,
)


# The pointer a command line tool prints under its complaint about the command line
# (``Try 'cp --help' for more information.``): the line before it says what was wrong.
_TRY_HELP = lazy(
    rb"^(?:[\w.+-]{1,64}: )?(?:try|run|see) ['`\"]?[^'`\"\n]{1,200}['\"]?"
    rb"(?: or ['`\"][^'`\"\n]{1,200}['\"])? for more information\.?$",
    re.I,
)


# A frame of Perl's Carp (``croak``, ``confess``) under its message: ``\tmain::check("four")
# called at deploy.pl line 3``.
_CARP_FRAME = lazy(
    rb"^(?:[\w:]+(?:\(.*\))?|eval \{\.\.\.\}|require \S+) called at .+ line [0-9]+\.?$"
)


# Tcl's error trace (its ``errorInfo``) under the message it says: ``    while executing``,
# the command quoted (``"error "replica count must be positive, got $n""``: the code's words,
# not a message), ``    (procedure "check" line 1)``, ``    invoked from within``, and so on
# to ``    (file "deploy.tcl" line 3)``.
_TCL_EXECUTING = lazy(rb"^[ \t]+while executing$")
_TCL_END = lazy(rb'^[ \t]+(?:\((?:file|procedure) "[^"\n]*" line [0-9]+\)|invoked from within)$')
#: A stream's last lines looked at for a Tcl trace.
TCL_WINDOW = 40


def offer_tcl(reasons: ReasonChooser, ends: list[End]) -> None:
    """The message above a Tcl trace that ends a stream, as an exception's (see
    :data:`_TCL_EXECUTING`); ``ends``: each stream's last :data:`TCL_WINDOW` lines."""
    for stream in (STDOUT, STDERR):
        mine = [(n, ANSI_BYTES.sub(b"", raw).rstrip(b"\r\n")) for n, s, raw in ends if s == stream]
        if len(mine) < 3 or not _TCL_END.match(mine[-1][1]):
            continue
        at = next((i for i in range(len(mine) - 1, 0, -1) if _TCL_EXECUTING.match(mine[i][1])), 0)
        lineno, message = mine[at - 1] if at else (-1, b"")
        if at and lineno == mine[at][0] - 1 and message.strip():
            reasons.take(Rank.EXCEPTION, message.strip(), lineno, start=lineno)


def _said_last(texts: list[bytes]) -> int:
    """The index of a stream's last line that says what ran: past a traced code passed on
    (``+ return 22``) and the bookkeeping around it, past a tool's pointer to its help and
    past Perl's frames under its message; the last line itself when it is no such line, or
    when all before it are bookkeeping or frames."""
    last = len(texts) - 1
    if last > 0 and _TRY_HELP.match(_body(texts[last])):
        return last - 1
    if _CARP_FRAME.match(_body(texts[last])):
        said = next((i for i in range(last, -1, -1) if not _CARP_FRAME.match(_body(texts[i]))), -1)
        return last if said < 0 else said
    if not _PASSES_CODE.match(_body(texts[last])):
        return last
    for i in range(last - 1, -1, -1):
        body = _body(texts[i])
        if not (_BOOKKEEPING.match(body) or _PASSES_CODE.match(body)):
            return i
    return last


def _body(line: bytes) -> bytes:
    return ANSI_BYTES.sub(b"", line).strip()


COUNT = ENDS  # a failed run's console shows each stream's last lines, however old


def offer(
    reasons: ReasonChooser,
    ends: list[End],
    display: Callable[[bytes], bytes],
    classify: Callable[[bytes], Kind],
) -> None:
    """Each stream's last line (of ``ends``, a stream's last :data:`LOOP` lines) as a reason
    candidate, oldest first (see :meth:`ReasonChooser.offer_stream_end`)."""
    offers = []
    for stream in (STDOUT, STDERR):
        mine = [(n, display(last_state(raw))) for n, s, raw in ends if s == stream]
        if not mine:
            continue
        # ``+ return 22``, ``+ exit 3``: a ``set -x`` trace of a code passed on says no more
        # than the code; the line before it is what the function or script did last.
        mine = mine[: _said_last([text for _, text in mine]) + 1]
        # ``giving up`` says that it stopped; the line before, why, when it says something
        # failed or was refused (``remote returned: 409 conflict ... (version mismatch)``),
        # not a milestone (``Server listening on :8080``): then the stop itself.
        stops = (
            len(mine) > 1
            and _STOPS.match(_body(mine[-1][1])) is not None
            and classify(mine[-2][1]) not in (Kind.WARNING, Kind.INFO)
            and says_failure(_body(mine[-2][1]))
        )
        if stops:
            mine = mine[:-1]
        lineno, last = mine[-1]
        # The last of a run of like lines is a loop's (a cleanup trap's, a countdown's): it
        # says what the loop did, not what failed. A progress form ("3 of 8 pods never
        # became ready") is too loose a sign to call a line quiet.
        loop = len(mine) == LOOP and len({template(text) for _, text in mine}) == 1
        kind = classify(last)
        quiet = loop or kind == Kind.INFO
        # A warning says it is not what failed (a `set -e` script's silent command did, long
        # after it: its pipe may still bring it last): the exit code is the reason then.
        if kind == Kind.WARNING:
            continue
        # A progress bar (curl's on stderr) is no message a program stops with: stderr's
        # rank is for a line of no tier (or an error).
        message = kind != Kind.PROGRESS
        offers.append((lineno, last, stream == STDERR or stops, message, quiet))
    for lineno, last, stderr, message, quiet in sorted(offers):
        reasons.offer_stream_end(last, lineno, stderr=stderr, message=message, quiet=quiet)


def newest(ends: list[End], count: int) -> list[End]:
    """Of ``ends`` (oldest first), each stream's last ``count`` at most: a tail of fewer
    lines (``--tail 2``) shows no more of a stream's end than that."""
    if count >= COUNT:
        return ends
    kept: list[End] = []
    taken: dict[int, int] = {}
    for end in reversed(ends):
        if taken.get(end[1], 0) < count:
            taken[end[1]] = taken.get(end[1], 0) + 1
            kept.append(end)
    return kept[::-1]


def last_of_each(ends: list[End]) -> set[int]:
    """The line numbers of each stream's very last line among ``ends`` (oldest first)."""
    return {n for n, _, _ in {stream: (n, stream, raw) for n, stream, raw in ends}.values()}


def earlier(
    ends: list[End],
    first: int,
    skip: set[int],
    history: History,
    shaper: Shaper,
    classify: Callable[[bytes], Kind],
    is_new: Callable[[bytes], bool],
) -> list[TailLine]:
    """The stream ends older than the tail's window (``first``), not in ``skip`` (shown or
    held already), still visible (newer than what their stream showed), as tail lines."""
    lasts = last_of_each(ends)
    return [
        TailLine(
            lineno,
            stream,
            shaper.masked(raw),
            classify(raw) > Kind.NOISE,
            earlier=True,
            new=is_new(raw),
            end=lineno in lasts,
        )
        for lineno, stream, raw in ends
        if lineno < first
        and lineno not in skip
        and history.visible(lineno, stream)
        and not shaper.dropped(raw)
    ]


def before_end(
    lines: list[tuple[int, int, bytes]],
    shown: set[int],
    history: History,
    says_why: Callable[[bytes], bool],
    command: Callable[[bytes], bool],
    failed: Callable[[bytes], bool] = lambda _: True,
) -> dict[int, int]:
    """For a failed run's tail: per stream whose last lines in the window (``lines``) were
    shown as they came (a line that only says something failed, and the context before it),
    the newest line it showed before the lines not shown that precede them.

    The tail shows the lines after that one too, as earlier lines: it would otherwise show
    nothing of the end of such a stream (``Build failed`` shown last, the ``checksum
    mismatch`` forty lines before it not). When a line of the window shown already says why
    (a failing test with its assertion, an exception, ``cp: cannot stat``), the lines before
    it stay as they were (the console says it), but those after it not shown come too: what
    the program said after its error (a hint, the box's location, the status) is the
    failure's. A CI's command is no line of the stream here (it always passes: a
    ``::notice::`` between the cause and the end does not end the lines not shown).
    ``failed``: whether a line says something failed; when no line shown in the window
    says so, on either stream or as a CI's command (a script's ``==> Checking the release``,
    then a silent command that failed), the streams keep their order: lines before their
    last ones would end the console, as if they failed."""
    froms: dict[int, int] = {}
    # Whether a line shown says something failed, on either stream or as a CI's command.
    failing = any(failed(raw) for n, _, raw in lines if n in shown)
    raws = {n: raw for n, _, raw in lines}
    # The newest: an earlier error that says why may be one the run went on from.
    why = [n for n, _, raw in lines if n in shown and says_why(raw)][-1:]
    for stream in {line[1] for line in lines}:
        own = [
            n for n, s, raw in lines if s == stream and not history.is_quiet(n) and not command(raw)
        ]
        if why:
            if (after := _after_cause(_hidden_after(own, why[0], shown), raws)) is not None:
                froms[stream] = why[0] if after < 0 else after
            continue
        last = len(own)
        while last and own[last - 1] in shown:
            last -= 1
        if last in (0, len(own)):  # all shown, or its last line is the tail's anyway
            continue
        start = last
        while start and own[start - 1] not in shown:
            start -= 1
        if not failing:
            # Nothing shown says it failed: only the few odd lines that ended the stretch
            # not shown, after a run of like lines (``CDN invalidation still InProgress``
            # after thousands of ``sync file``, then ``=== Rolling back ===`` shown): what
            # the program said last before its end. A stretch of like lines alone stays.
            start = _odd_end(own, start, last, raws)
            if start < 0:
                continue
        froms[stream] = own[start - 1] if start else own[0] - 1
    return froms


#: The most lines :func:`_odd_end` takes: a few, or they are no end of a run of like lines.
_ODD = 10


def _odd_end(own: list[int], start: int, last: int, raws: dict[int, bytes]) -> int:
    """Where the few lines unlike the one before each start at the end of ``own[start:last]``
    (lines not shown), when the line before them ends a run of like lines and they are at
    most :data:`_ODD`; else -1."""

    def key(i: int) -> bytes:
        return similar_key(raws[own[i]])

    j = last - 1
    while j > start and key(j) != key(j - 1) and last - j < _ODD:
        j -= 1
    if j == start or key(j) != key(j - 1) or j + 1 == last:
        return -1  # no run of like lines, too many lines after it, or none
    return j + 1


def _hidden_after(own: list[int], cause: int, shown: set[int]) -> list[int]:
    """A stream's lines (``own``) not shown after ``cause`` and before a line it showed (the
    lines after its last one shown are the tail's anyway)."""
    after = [n for n in own if n > cause]
    while after and after[-1] not in shown:
        after.pop()
    return [n for n in after if n not in shown]


def _after_cause(hidden: list[int], raws: dict[int, bytes]) -> int | None:
    """Which of the lines not shown after the cause (``hidden``) the tail shows again: -1
    all of them (what the program said after its error), the number of the line after
    which it does, or None, none. A loop's output (more than :data:`_ODD` like lines: the
    tests that passed after the failing one) is no word on the failure: it stays in its
    marker's count, and only the few odd lines after it come."""
    if not hidden:
        return None
    keys = [similar_key(raws[n]) for n in hidden]
    end = len(keys)
    while end > 1 and keys[end - 1] != keys[end - 2] and len(keys) - end < _ODD:
        end -= 1  # the odd lines at the end
    start = end - 1
    while start and keys[start - 1] == keys[end - 1]:
        start -= 1
    if end - start <= _ODD:
        return -1  # no loop's output at the end: all of them
    return hidden[end - 1] if end < len(keys) else None


# The words of a line that says only that something failed (see :func:`says_why`).
_FAILURE_WORDS = lazy(
    rb"\b(?:errors?|err|fail(?:ed|ures?|s)?|fatal|critical|panic|builds?|deploy(?:ment)?|"
    rb"release|steps?|stages?|jobs?|tasks?|tests?|pipeline|scripts?|install(?:ation)?|"
    rb"upgrade|rollout|checks?|has|have|exit(?:ed)?|code|status|with|the|of)\b",
    re.I,
)
_OWN_WORD = lazy(rb"[A-Za-z]")


def says_why(raw: bytes, classify: Callable[[bytes], Kind]) -> bool:
    """Whether a line is an error line that says why, not only that something failed:
    read as the failure reason reads it (its time stamp aside); a plain error or fatal
    line of failure words alone (``FAILED``, ``step 3/5 failed``, ``error: build
    failed``) says no more than that, one with a word of its own does (``Error:
    ENOSPC``, ``panic: boom``)."""
    if classify(raw) != Kind.ERROR:
        return False
    body = as_said(ANSI_BYTES.sub(b"", raw).strip())
    rank = line_rank(body)
    return rank > Rank.FATAL or (
        rank >= Rank.ERROR and _OWN_WORD.search(_FAILURE_WORDS.sub(b"", body)) is not None
    )


def before_last(
    window: list[TailLine], froms: dict[int, int], last_on: dict[int, int]
) -> list[TailLine]:
    """The window with the lines of the streams in ``froms`` written before their last line
    shown marked earlier; a fold's note (no line number) goes with the line after it, the
    rest of the run it counts (the line before it, at the window's end)."""
    marks = [
        line.lineno >= 0 and line.stream in froms and line.lineno < last_on.get(line.stream, -1)
        for line in window
    ]
    after: bool | None = None
    for k in range(len(window) - 1, -1, -1):
        if window[k].lineno >= 0:
            after = marks[k]
        elif after is not None:
            marks[k] = after
        elif k:  # a note at the window's end: as the line before it
            marks[k] = marks[k - 1]
    return [
        replace(line, earlier=True) if mark else line
        for line, mark in zip(window, marks, strict=True)
    ]
