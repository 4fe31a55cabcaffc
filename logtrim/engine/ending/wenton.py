"""Whether an error line says that the program went on from it: it retries, goes on
without what failed or another way, or past the one item (:mod:`.ranks` ranks such a line as
one it retried: something later ended the program)."""

from __future__ import annotations

import re

from ..._regex import lazy

# An error the program goes on from: it retries ("retrying (1/3)", "will retry in 5s",
# "attempt 2 of 5"). Not one that says the retries are over ("giving up after 3 attempts").
_RETRY = lazy(
    rb"\bretrying\b|\bwill (?:be )?retr(?:y|ied)\b|\bretry(?:ing)? in [0-9]|\btrying again\b|"
    # ... or goes on without it (``cache server unreachable, continuing without cache``)
    rb"\bcontinuing (?:without|anyway|regardless)\b|\bproceeding (?:without|anyway)\b|"
    # ... or on another way (``mirror eu-1 unreachable, falling back to us-1``)
    rb"\bfall(?:ing|s)? back (?:to|on)\b|\bfell back (?:to|on)\b",
    re.I,
)
# ... or says which try it was, one of more to come (``attempt 2 of 5``; not ``attempt 3/3``:
# the last one, after which the program stops).
_ATTEMPT = lazy(rb"\b(?:attempt|try|retry) #?([0-9]+) ?(?:of|/) ?([0-9]+)", re.I)
# ... or past the one item, as its clause ends (``could not restore a.pdb: file in use,
# skipping``, ``bad line 3 (ignored)``, ``db check failed, continuing``); not ``skipping
# deploy: build failed``. (Apart, and read only on a line that has the word: in ``_RETRY`` it
# doubled its time on every line.)
_SKIPPED = lazy(
    rb"[,;(-] *(?:skipping|skipped|ignoring|ignored|continuing|proceeding|moving on)"
    rb"(?: it| this \w+| anyway)?\b[.!)]*[ \t\r]*$",
    re.I,
)
_PAST_WORDS = (b"skipp", b"ignor", b"continu", b"proceed", b"moving on")


def _went_past(body: bytes) -> bool:
    lowered = body.lower()
    return any(w in lowered for w in _PAST_WORDS) and _SKIPPED.search(body) is not None


_RETRIES_OVER = lazy(
    rb"giving up|gave up|no more (?:retries|attempts)|exhausted|(?:max(?:imum)?|all) "
    rb"(?:[0-9]+ )?(?:retries|attempts)|after [0-9]+ (?:retries|attempts|tries)",
    re.I,
)


def went_on(body: bytes) -> bool:
    """Whether the error line ``body`` says the program went on from it (and not that its
    retries are over: ``giving up after 3 attempts``)."""
    if _RETRIES_OVER.search(body):
        return False
    if _RETRY.search(body) or _went_past(body):
        return True
    attempt = _ATTEMPT.search(body)
    return attempt is not None and int(attempt[1]) < int(attempt[2])


__all__ = ["went_on"]
