"""The failure reason as said: the chosen line (:mod:`.reason`) masked, with its root cause,
at most :data:`REASON_LIMIT` long, and what stands instead of it."""

from __future__ import annotations

from ...dialects.escape import REASON_LIMIT
from ..console.display import read_form
from ..masking.mask import Masker
from .ranks import Candidate, Rank

# Lines after an error the program said it retries, or an exception it logged, that show it
# went on from it ("retrying", then "connected", then the rest of the step): past these, the
# error is not why it failed (a fatal line after a handled exception is).
WENT_ON = 10


def named(
    best: Candidate | None, masker: Masker, fallback: str | None = None, lines: int | None = None
) -> str | None:
    """The chosen line (with its root cause), masked, at most :data:`REASON_LIMIT` long;
    ``fallback`` (a signal that ended the run) when no error line was chosen. ``lines``:
    the lines the run wrote; an error the program retried and then went on from for more
    than :data:`WENT_ON` of them is no reason (a ``set -e`` script's silent command failed
    long after it): the exit code is."""
    if (
        best is not None
        and best.rank == Rank.RETRIED
        and lines is not None
        and lines - 1 - best.lineno > WENT_ON
    ):
        best = None
    if fallback is not None and (best is None or best.rank <= Rank.TRACED):
        return fallback
    if best is None:
        return None
    # Masked whole first: a secret is never split at a ``\r``.
    text = read_form(masker.mask(best.text))
    if best.root and best.root != best.text:
        text += b" (caused by " + read_form(masker.mask(best.root)) + b")"
    line = text.decode("utf-8", "replace").strip()
    return line[: REASON_LIMIT - 3] + "..." if len(line) > REASON_LIMIT else line
