"""The failure reason of a run of error lines taken in bulk (:mod:`.flood`).

The chooser keeps the highest rank; within a rank the first line (a compiler error, a failing
test) or the newest one. A line's rank depends on its digits-to-zero form only, so the run's
forms (found in C) say which of its lines the chooser would keep: of the forms ranked before,
only the one line of the highest rank that offering each would keep is offered; of the forms
not ranked yet, the first and last lines, which ranks them. In line order, these offers choose
what offering every line chooses; the run's first and last lines alone did not (a
``retrying`` line last hid the newest plain error before it).

A run holds no line the chooser reads with its neighbours (a traceback's frame, a ``Caused
by``, a panic and its message: :mod:`.flood` ends a run before one) and starts only when the
chooser no longer looks closely (its first errors for the CI are kept).
"""

from __future__ import annotations

from itertools import compress
from typing import TYPE_CHECKING

from ..match.kinds import ERROR
from ..shapes.templates import DIGITS_TO_ZERO
from .ranks import _FIRST_WINS, Rank

if TYPE_CHECKING:
    from .reason import ReasonChooser

_IS_ERROR = bytes(int(k == ERROR) for k in range(256))  # a run's kinds as 1 (error) or 0


def offer_run(
    chooser: ReasonChooser,
    region: bytes,
    starts: list[int],
    ends: list[int],
    kinds: bytes,
    lineno: int,
) -> None:
    """Offer the run's lines (``region[starts[k]:ends[k]]``, consecutive and each ending in a
    newline, line numbers from ``lineno``; ``kinds`` says which are errors, the others are
    warnings) as offering each of them would: the chooser does not look closely at these
    lines (:meth:`~.reason.ReasonChooser.looks_closely`), which :func:`.flood.closed`
    makes sure of."""
    forms = region[starts[0] : ends[-1]].translate(DIGITS_TO_ZERO).split(b"\n")
    mask = kinds.translate(_IS_ERROR)
    ordered = list(compress(forms, mask))  # the errors' forms, without their newlines
    at = list(compress(range(len(starts)), mask))
    last = dict(zip(ordered, at, strict=False))  # each form's last line
    # Each form's first line (a search of the list per form cost a square: a flood of
    # distinct short errors, 1 MB of them, took 40 s).
    first = dict(zip(reversed(ordered), reversed(at), strict=False))
    picks: set[int] = set()
    top: Rank | None = None
    tops: list[bytes] = []  # the forms of the highest rank known
    known = chooser.best is not None  # (the memo answers once something was chosen)
    for form, end in last.items():
        rank = chooser.memo_rank(form + b"\n") if known else None
        if rank is None:
            picks.update((first[form], end))
        elif top is None or rank > top:
            top, tops = rank, [form]
        elif rank == top:
            tops.append(form)
    if top in _FIRST_WINS:
        picks.add(min(map(first.__getitem__, tops)))
    elif top is not None:
        picks.add(max(map(last.__getitem__, tops)))
    for k in sorted(picks):
        chooser.offer(region[starts[k] : ends[k]], lineno + k, error=True)
