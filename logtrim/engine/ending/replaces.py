"""Whether a new candidate replaces the failure reason chosen so far (:mod:`.reason`).

A higher rank does, and within a rank the newest line (or the first, for compiler errors and
failing tests: :func:`.ranks.beats`). Three kinds of later line do although they rank no
higher: an error after an exception the program logged and went on from, a compiler error
after failing tests, and never the error words under a boxed diagnostic's first line. A
later error line may also be no candidate at all: the chosen line's sentence wrapped onto it,
a ``Caused by:`` that says again what was said, a caret. Plain functions, no I/O.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from ..._regex import lazy
from ..._text import ANSI_BYTES
from .named import WENT_ON
from .ranks import Candidate, Rank, beats, table_row
from .traces import CARRIER

# Lines of other output after a handled exception past which a later error line is the
# reason: more than a shell trap's or a wrapper's cleanup prints (whose "deploy.sh failed at
# line 42" names no new cause), fewer than a program that went on with its work.
WENT_ON_ERROR = 50
# Lines of other output after a thread's exception that say the main thread went on.
THREAD_WENT_ON = 3
# Lines of other output between a program's own error message and a later one up to which
# the later one follows from it (a cleanup trap's ``rm: cannot remove ...`` after ``cp:
# cannot stat ...``, a wrapper's ``Error: deploy failed``): the first stays the reason. After
# a library's record (``E1201 ...``, ``level=error``, ``ERROR: ...``) or an indented line
# (a report's, a quoted source's), the newest wins: a program's own message sums up.
BURST_CALM = 3
_BURSTS = (Rank.ERROR, Rank.FATAL)
# A failing test a later compiler error outranks: compiling comes before testing in a part
# of a build, so the error is another part's, past tests whose failures did not stop it
# (``-Dmaven.test.failure.ignore``, Gradle's ``--continue``).
_TESTS = (Rank.TEST, Rank.TEST_ASSERTION)
# A diagnostic drawn in a box (Terraform's, OpenTofu's ``╷ │ ╵``): its first error line is its
# summary; the error words on the box's later lines are its detail, wrapped to the terminal.
BOX = "\u2502".encode()
_BOX_LINES = 20
_IGNORED = b"...ignoring"
# A line that says the retry it follows worked.
_SUCCEEDED = lazy(rb"(?i)\b(?:succeeded|successful(?:ly)?|recovered|reconnected)\b")
_CARET = lazy(rb"[~^]*\^[~^]*")


def replaces(
    best: Candidate | None,
    rank: Rank,
    lineno: int,
    text: bytes,
    *,
    boxed: bool,
    errors_since: Callable[[], int],
    own: bool = False,
) -> bool:
    """Whether a candidate of ``rank`` at ``lineno`` (``text``: its words) replaces ``best``:
    it :func:`.beats` it, or it comes after an exception the program went on from (logged
    and handled): a fatal line more than :data:`.WENT_ON` lines after it, an error line after
    more than :data:`WENT_ON_ERROR` lines of other output (``errors_since``: the error lines
    since ``best``); what stopped the program is that line (``CRITICAL billing run aborted:
    ledger out of balance``). Errors right after the exception (a cleanup's ``could not
    release lock``) follow from it: it stays the reason. So does a boxed diagnostic's first
    error line (``boxed``) over the error words of the lines under it, and a program's own
    message over another (``own``) in its burst (:data:`BURST_CALM`)."""
    if best is None:
        return True
    if boxed and rank <= best.rank and lineno - best.lineno <= _BOX_LINES and text.startswith(BOX):
        return False
    if rank == Rank.COMPILER and best.rank in _TESTS:
        return True  # the build went on past the tests (ignored) to compile another part
    if beats(rank, best.rank):
        if rank == best.rank and best.own and table_row(text):
            # A listing printed after the program's own message (``kubectl get pods`` after
            # ``error: timed out waiting for the condition``): its rows are data, the
            # message says what failed.
            return False
        # (a record after it, or an indented line, a report's, says more: it takes its place)
        burst = own and best.own and rank == best.rank and rank in _BURSTS
        return not burst or calm(best, lineno, errors_since) > BURST_CALM
    if best.rank != Rank.EXCEPTION:
        return False
    if best.thread:
        # A thread died of it and the main one went on: its own error, after more than a
        # few lines of other output, says why it stopped; right after the thread's end it
        # follows from it (``ERROR: 1 worker failed``).
        return (
            rank in (Rank.ERROR, Rank.FATAL) and calm(best, lineno, errors_since) > THREAD_WENT_ON
        )
    if lineno - best.lineno <= WENT_ON:
        return False
    if rank == Rank.FATAL:
        return True
    return rank == Rank.ERROR and calm(best, lineno, errors_since) > WENT_ON_ERROR


def calm(best: Candidate, lineno: int, errors_since: Callable[[], int]) -> int:
    """The lines of other output between ``best`` and ``lineno`` (error lines not counted)."""
    return lineno - best.lineno - 1 - errors_since()


def went_on(best: Candidate, after: bytes) -> None:
    """The line after the chosen one (``after``) may say that the program went on from it
    (Ansible's ``...ignoring`` under a task's ``fatal:``): it is then an error the program
    retried, outranked by any later error and, far from the end, no reason. A caret under
    it (``^``, ``~~~^``) says it is a line of source quoted (Node's ``throw new Error(...)``
    over the error it throws): no message of the program's own."""
    text = ANSI_BYTES.sub(b"", after)
    if (carrier := CARRIER.match(text)) is not None:  # (read through a Compose prefix)
        text = text[carrier.end() :]
    text = text.strip()
    if text == _IGNORED:
        best.rank = Rank.RETRIED
    elif best.rank == Rank.RETRIED and _SUCCEEDED.search(text):
        best.past = True  # (``retrying in 2s``, then ``upload succeeded (attempt 4/5)``)
    elif _CARET.fullmatch(text):
        best.own = False


def unboxed(best: Candidate) -> bool:
    """Take a boxed diagnostic's gutter off the chosen line; whether it had one."""
    if not best.text.startswith(BOX):
        return False
    best.text = best.text[len(BOX) :].lstrip()
    best.boxed = True
    return True


#: The longest a wrapped sentence grows by :func:`joins`.
_JOINED = 400
# What starts a message of its own: a name and a colon (``panic: ``, ``java.io.IOException:``).
_OWN_HEAD = lazy(rb"^[\w.$/\\-]+:(?:\s|$)")


def pointer(body: bytes) -> bool:
    """Whether a line is a caret under a quoted line (sqlite's ``^--- error here``): it
    points at the message above it, and is never the reason."""
    return body[:1] == b"^"


def joins(best: Candidate, line: bytes, body: bytes, lineno: int) -> bool:
    """Whether an error line goes on the sentence of the chosen line right above it,
    wrapped onto an indented line that starts in lower case (unzip's ``cannot find
    zipfile directory in one of nz.zip or`` / ``nz.zip.zip, and cannot find ...``): then
    it is joined to ``best`` (its text and line number)."""
    if lineno != best.lineno + 1 or not best.own or line[:1] not in b" \t":
        return False
    last = best.text[-1:]
    if not (last.isalnum() or last == b",") or len(best.text) > _JOINED:
        return False  # the chosen line ends its sentence, or a bracket (Go's ``[recovered]``)
    if not body[:1].islower() or _OWN_HEAD.match(body):
        return False  # a message of its own (``org.x.AssertionFailedError: ...``)
    best.text += b" " + body
    best.lineno = lineno
    return True


def restates(said: deque[bytes], body: bytes) -> bool:
    """Whether an error line is a ``Caused by:`` that says again what an error line just
    before it (``said``: the last ones) said (Flyway's ``Caused by: Migration V4__x.sql
    failed`` under ``ERROR: Migration V4__x.sql failed`` and its details): no cause of its
    own. Else the line is remembered for the next."""
    if body.startswith(b"Caused by: "):
        cause = body[len(b"Caused by: ") :].strip()
        if cause and any(earlier.endswith(cause) for earlier in said):
            return True
    said.append(body.strip())
    return False


#: The words two lines share when they name the same failure (:func:`same_failure`).
_SHARED = 20


def same_failure(chosen: bytes, reported: bytes) -> bool:
    """Whether a line and an error the child reported name the same failure: they share a
    stretch of :data:`_SHARED` bytes or more (the test's name, the message), or the shorter
    whole."""
    import difflib  # (at the run's end only: start-up counts)

    shorter = min(len(chosen), len(reported))
    match = difflib.SequenceMatcher(None, chosen, reported, autojunk=False).find_longest_match()
    return match.size >= min(_SHARED, shorter) > 0
