"""Each stream's last lines: where a failed program says why it stopped.

A failed command writes one line on stderr, then a cleanup trap prints hundreds on stdout:
that line is a failure reason candidate and reaches the failure tail however many lines
followed it on the other stream (the history holds each stream's newest region).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..._regex import lazy
from ..._text import ANSI_BYTES
from ..console.display import last_state
from ..console.output import STDERR, STDOUT
from ..flow.history import ENDS, End, History, Shaper
from ..match.kinds import Kind
from ..shapes.templates import template
from .failure import TailLine
from .ranks import Rank
from .reason import ReasonChooser
from .streamend import says_failure

LOOP = 3  # a stream that ends in this many like lines ends in a loop's output
#: The last lines of each stream looked at for the reason: an EXIT trap's clean-up traced
#: under ``set -x`` (``+ cleanup``, ``+ local rc=1``, ``+ rm -rf x``, ``+ exit 1``) gives way to
#: the command traced before it.
WALK = ENDS
# A shell's trace (``set -x``) of a builtin that only passes an exit code on.
_PASSES_CODE = lazy(rb"^\++ (?:return|exit)(?: -?[0-9]+)?$")
# ... and of the bookkeeping around it: the code kept (``+ local rc=7``, ``+ rc=7``), tested
# (``+ '[' 7 -ne 0 ']'``), a lock removed by an ERR trap (``++ rm -f /run/x.lock``).
_REDIRECTS = lazy(rb"^\++ exec$")  # ``exec 2>&1`` traced: redirections alone
_MESSAGE = lazy(rb"^\++ (?:echo|printf)(?: |$)")
_BOOKKEEPING = lazy(
    rb"^\++ (?:local |declare |[A-Za-z_][A-Za-z0-9_]*=\S*$|'?\[|\[\[ |test |rm -f |trap |set [+-])"
)

# ... and of a command that cannot fail without a line of its own (a message, a write error):
# an EXIT trap's clean-up traced after the command that failed (``+ rm -rf /tmp/deploy.$$``,
# ``+ echo 'cleanup done'``, the call of a clean-up function, tracing turned off). Under
# ``set -e`` the command traced before it is what failed.
# ... of those, the call of a clean-up function (the trap's, or one that failed itself)
_CLEANUP_NAME = rb"[\w-]*(?:clean|teardown|on_exit)[\w-]*(?: |$)"
_CLEANUP_CALL = lazy(rb"^\++ " + _CLEANUP_NAME, re.I)
_CLEANS_UP = lazy(
    rb"^\++ (?:rm -[a-zA-Z]*f[a-zA-Z]* |echo(?: |$)|printf |true$|:(?: |$)|set [-+][a-zA-Z]+|"
    rb"trap |popd|unset |exec$|" + _CLEANUP_NAME + rb")",
    re.I,
)

# make's report that a recipe failed (``make: *** [Makefile:3: all] Error 2``, ``make[1]: ***
# Waiting for unfinished jobs....``): the line the recipe's command wrote before it says why
# (``/bin/sh: 1: arithmetic expression: expecting primary``, which has no error word). An
# error make was told to ignore (``make: [Makefile:2: all] Error 1 (ignored)``) is no reason,
# nor is what its recipe wrote before it.
_MAKE_STATUS = lazy(rb"^make(?:\[[0-9]+\])?: \*\*\* ")
_MAKE_IGNORED = lazy(rb"^make(?:\[[0-9]+\])?: \[.*\] Error [0-9]+ \(ignored\)$")


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
    (``+ return 22``) and the bookkeeping around it, past a tool's pointer to its help, past
    make's report of a recipe that failed and past Perl's frames under its message; the
    last line itself when it is no such line, or when all before it are bookkeeping or
    frames."""
    last = len(texts) - 1
    if last > 0 and _TRY_HELP.match(_body(texts[last])):
        return last - 1
    if _MAKE_STATUS.match(_body(texts[last])):
        said = next((i for i in range(last, -1, -1) if not _MAKE_STATUS.match(_body(texts[i]))), -1)
        return last if said < 0 or _MAKE_IGNORED.match(_body(texts[said])) else said
    if _CARP_FRAME.match(_body(texts[last])):
        said = next((i for i in range(last, -1, -1) if not _CARP_FRAME.match(_body(texts[i]))), -1)
        return last if said < 0 else said
    if _CLEANS_UP.match(_body(texts[last])):
        return _before_cleanup(texts, last)
    if not _PASSES_CODE.match(_body(texts[last])):
        return last
    for i in range(last - 1, -1, -1):
        body = _body(texts[i])
        # (an EXIT trap's clean-up before its ``exit $rc``: ``+ cleanup``, ``+ rm -rf x``;
        # not an ``echo``, which is the message of a function that returns a code)
        quiet = _CLEANS_UP.match(body) and not _MESSAGE.match(body)
        if not (_BOOKKEEPING.match(body) or _PASSES_CODE.match(body) or quiet):
            return i
        if i == last - 1 and _CLEANUP_CALL.match(body):
            return i  # (a function that only returned its code: ``cleanup_old_releases``)
    return last


def _before_cleanup(texts: list[bytes], last: int) -> int:
    """The last line before the clean-up traced at the end (``last``): the command traced
    before it (the one that failed), or the line it wrote on the stream (``make: ***
    /nope: No such file or directory.  Stop.``); ``last`` itself when there is none. The
    trap's bookkeeping (``+ rc=1``, ``+ local rc=1``) is part of the clean-up."""
    for i in range(last - 1, -1, -1):
        body = _body(texts[i])
        if not (_CLEANS_UP.match(body) or _BOOKKEEPING.match(body)):
            return i
    return last


def _body(line: bytes) -> bytes:
    return ANSI_BYTES.sub(b"", line).strip()


COUNT = 3  # a failed run's console shows each stream's last lines, however old


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
        if _REDIRECTS.match(_body(mine[-1][1])):
            continue  # (``exec 2>&1`` traced on the stream it left: the rest is on the other)
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
        loop = len(mine) >= LOOP and len({template(text) for _, text in mine[-LOOP:]}) == 1
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
