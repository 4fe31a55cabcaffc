"""Whether a line that says the program stopped also says why (:func:`.ranks.line_rank`):
a cause before it (``disk full, aborting``) or after it (``aborted: disk full``, ``aborted
because ...``). Such a line is an error line, not a status."""

from __future__ import annotations

import re

from ..._regex import lazy

# A cause, then that the program stops (``worker pool exhausted, aborting``): the cause is
# said, no status; not when the clause only says that something failed (``attempt 5/5
# failed, giving up``, ``Caught signal 15, shutting down``). Its time stamp and level word
# aside (``[2026-12-05 10:00:01] FATAL: disk full, aborting``).
_CAUSE_FIRST = lazy(
    rb"^(?:\[?[0-9]{2,4}[-/:.][0-9:.,/TZ+ -]*\]?[ \t]+)?"
    rb"(?:\W*(?:fatal|critical|crit|error|err|panic|emerg)\b\W*)?"
    rb"(?P<clause>(?:[^,;(\n]|\([^)\n]*\))+)"  # (a comma in brackets is the clause's)
    rb"[,;] +(?:aborting|giving up|rolling back|shutting down|"
    # ... or that what it did stopped (``too many invalid rows (3000 > 100), import aborted``)
    rb"(?:[\w'-]+ ){1,2}(?:aborted|stopped|cancell?ed)\b[.!]*$)\b",
    re.I,
)
_LETTER = lazy(rb"[a-z]", re.I)
_SAYS_ONLY_FAILED = lazy(
    rb"\b(?:fail\w*|errors?|exceptions?|signal|timed? ?out|unrecoverable|fatal|crash\w*|"
    rb"abort\w*|cancel\w*|interrupt\w*|killed)\b",
    re.I,
)
# A status that goes on to say why ("deployment aborted: disk full", "exit code 1: certificate
# expired", "import aborted because too many rows were invalid") carries its cause: an error
# line, not a status. A failed command's own echo
# ("Command failed with exit code 1: npm run build") names the command, not a cause.
_CAUSE = lazy(
    rb"\b(?:aborted|aborting|rolling back|shutting down|giving up|"
    rb"(?:code|status) -?[0-9]+)\.?(?::|(?P<why> because(?: of)?| due to)) +(?P<rest>[^\s].*)",
    re.I,
)


def cause_after(body: bytes) -> bool:
    """Whether a status goes on to say why (:data:`_CAUSE`): after ``because`` only with more
    than that something failed (``aborted due to errors`` says no more than ``aborted``)."""
    found = _CAUSE.search(body)
    if found is None:
        return False
    return found["why"] is None or not _SAYS_ONLY_FAILED.search(found["rest"])


def cause_first(body: bytes) -> bool:
    """Whether a line gives a cause before it says the program stops (:data:`_CAUSE_FIRST`)."""
    found = _CAUSE_FIRST.match(body)
    if found is None or _LETTER.search(found["clause"]) is None:
        return False
    return not _SAYS_ONLY_FAILED.search(found["clause"])


__all__ = ["cause_after", "cause_first"]
