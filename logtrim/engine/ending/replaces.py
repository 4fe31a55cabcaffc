"""Whether a new candidate replaces the failure reason chosen so far (:mod:`.reason`).

A higher rank does, and within a rank the newest line (or the first, for compiler errors and
failing tests: :func:`.ranks.beats`). Two kinds of later line do although they rank no higher:
an error after an exception the program logged and went on from, and never the error words
under a boxed diagnostic's first line. Plain functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable

from ..._text import ANSI_BYTES
from .named import WENT_ON
from .ranks import Candidate, Rank, beats

# Lines of other output after a handled exception past which a later error line is the
# reason: more than a shell trap's or a wrapper's cleanup prints (whose "deploy.sh failed at
# line 42" names no new cause), fewer than a program that went on with its work.
WENT_ON_ERROR = 50
# A diagnostic drawn in a box (Terraform's, OpenTofu's ``╷ │ ╵``): its first error line is its
# summary; the error words on the box's later lines are its detail, wrapped to the terminal.
BOX = "\u2502".encode()
_BOX_LINES = 20
_IGNORED = b"...ignoring"


def replaces(
    best: Candidate | None,
    rank: Rank,
    lineno: int,
    text: bytes,
    *,
    boxed: bool,
    errors_since: Callable[[], int],
) -> bool:
    """Whether a candidate of ``rank`` at ``lineno`` (``text``: its words) replaces ``best``:
    it :func:`.beats` it, or it comes after an exception the program went on from (logged
    and handled): a fatal line more than :data:`.WENT_ON` lines after it, an error line after
    more than :data:`WENT_ON_ERROR` lines of other output (``errors_since``: the error lines
    since ``best``); what stopped the program is that line (``CRITICAL billing run aborted:
    ledger out of balance``). Errors right after the exception (a cleanup's ``could not
    release lock``) follow from it: it stays the reason. So does a boxed diagnostic's first
    error line (``boxed``) over the error words of the lines under it."""
    if best is None:
        return True
    if boxed and rank <= best.rank and lineno - best.lineno <= _BOX_LINES and text.startswith(BOX):
        return False
    if beats(rank, best.rank):
        return True
    if best.rank != Rank.EXCEPTION or lineno - best.lineno <= WENT_ON:
        return False
    if rank == Rank.FATAL:
        return True
    calm = lineno - best.lineno - 1 - errors_since()
    return rank == Rank.ERROR and calm > WENT_ON_ERROR


def went_on(best: Candidate, after: bytes) -> None:
    """The line after the chosen one (``after``) may say that the program went on from it
    (Ansible's ``...ignoring`` under a task's ``fatal:``): it is then an error the program
    retried, outranked by any later error and, far from the end, no reason."""
    if ANSI_BYTES.sub(b"", after).strip() == _IGNORED:
        best.rank = Rank.RETRIED


def unboxed(best: Candidate) -> bool:
    """Take a boxed diagnostic's gutter off the chosen line; whether it had one."""
    if not best.text.startswith(BOX):
        return False
    best.text = best.text[len(BOX) :].lstrip()
    return True
