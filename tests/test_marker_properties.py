"""Hypothesis property: every stretch of lines the console does not show has a marker where it
is (docs/policy.md "Order, markers and levels"), whatever the mix of lines, the budget and
the exit code. Each line carries its number, so a stretch left out is seen on the console."""

from __future__ import annotations

import itertools
import re

from conftest import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_engine import core, drive

from logtrim.engine.console.tally import gap_note
from logtrim.engine.core import STDOUT
from logtrim.engine.ending.failure import TailLine
from logtrim.engine.ending.marked import SHORT, SHORT_GAP, pick_marked

SETTINGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

FORMS = [
    "L{n} copying file {n}.dat",
    "L{n} ERROR: upload failed",
    "L{n} WARNING: disk {n}% full",
    "L{n} INFO step done",
    "=== L{n} Deploying ===",
    "L{n} health check returned 200",
    "L{n} health check returned 503",
]
_NUMBER = re.compile(rb"L(\d+) ")
_OWN = b"[logtrim] "
_MARKS = (b"not shown", b"similar line", b"(repeated")
_COUNTED = re.compile(rb"\.\.\. ([\d,]+) similar lines? \.\.\.$|\(repeated ([\d,]+) more times\)$")


def _unmarked(console: bytes) -> list[tuple[int, int]]:
    """The stretches between two in-order lines of the child with no marker between them.
    The section of earlier lines (out of order, under its own header) is not checked inside;
    a stretch that spans it, less the lines it shows, must be marked after it. After
    ``... only part fits ...`` (the end chose what fits) the note marks what follows."""
    found: list[tuple[int, int]] = []
    previous, marked, earlier, partial = -1, True, False, False
    shown_earlier: set[int] = set()
    last_earlier = -1  # the earlier section's last line shown: a fold there counts after it
    # A marker right before the earlier section counts the lines up to the section's first.
    marked_until = -1
    for line in console.splitlines():
        if line.startswith(_OWN):
            if b"--- held back" in line or b"--- earlier lines" in line:
                marked_until = -2 if marked and previous >= 0 else -1
                earlier, marked = True, False
            elif b"--- last" in line:
                earlier = False
            elif b"only part" in line:
                partial = True
            elif (count := _COUNTED.search(line)) and earlier and last_earlier >= 0:
                # A fold among the earlier lines: the lines right after its last one shown.
                folded = int((count.group(1) or count.group(2)).replace(b",", b""))
                shown_earlier.update(range(last_earlier + 1, last_earlier + 1 + folded))
                last_earlier += folded
            elif (count := _COUNTED.search(line)) and previous >= 0:
                # A count of lines like the one before it: the lines right after it.
                previous += int((count.group(1) or count.group(2)).replace(b",", b""))
            elif any(mark in line for mark in _MARKS) or line == SHORT_GAP.rstrip(b"\n"):
                marked = True
            continue
        number = _NUMBER.search(line)
        if number is None:
            continue
        at = int(number.group(1))
        if earlier:
            if marked_until == -2:
                marked_until = at
            shown_earlier.add(at)
            last_earlier = at
            continue
        missing = set(range(max(previous, marked_until) + 1, at)) - shown_earlier
        if previous >= 0 and missing and not (marked or partial):
            found.append((min(missing), max(missing)))
        previous, marked = max(previous, at), False
    return found


@SETTINGS
@given(
    block=st.lists(st.integers(0, len(FORMS) - 1), min_size=1, max_size=60),
    times=st.integers(1, 80),
    budget=st.integers(2_500, 30_000),
    exit_code=st.sampled_from([0, 1]),
)
# A fold among the earlier lines held back (blocks of two alike): counted after their last one
# shown there, not after the last line shown in order (the check once read it so).
@example(block=[5, 6], times=26, budget=2500, exit_code=0)
# A line not shown right before the section of error lines held back: its marker comes before
# the section (the check once asked for one after it).
@example(block=[0, 1, 1, 1, 0], times=10, budget=2500, exit_code=0)
def test_every_stretch_not_shown_has_a_marker(
    block: list[int], times: int, budget: int, exit_code: int
) -> None:
    """A block of lines written again and again (a deployment's rounds): the budget runs out
    somewhere, the last lines and the earlier section take what is left."""
    forms = block * times
    data = "".join(FORMS[f].format(n=n) + "\n" for n, f in enumerate(forms)).encode()
    _, out = drive(core(budget=budget, tail=20), [(STDOUT, data, 0.0)], exit_code=exit_code)
    assert _unmarked(out[STDOUT]) == []


@SETTINGS
@given(
    texts=st.lists(
        st.sampled_from([b"\n", b"  }\n", b"    rendering Widget7 variant 2\n", b"ERROR: x\n"]),
        min_size=2,
        max_size=80,
    ),
    room=st.integers(40, 2_000),
)
def test_a_stretch_no_longer_than_its_marker_is_shown_instead(
    texts: list[bytes], room: int
) -> None:
    # A blank line or a brace left out of the tail costs less than the marker saying so.
    window = [
        TailLine(n, STDOUT, text, marked=text.startswith(b"ERROR")) for n, text in enumerate(texts)
    ]
    picked, skipped = pick_marked(window, window, room, (-1, -1))
    marks = {
        key: len(SHORT_GAP) if n == SHORT else len(gap_note(n, sized=False))
        for key, n in skipped.items()
        if n > 0 or n == SHORT
    }
    if skipped and all(n > 0 or n == SHORT for n in skipped.values()):
        assert sum(len(line.text) for line in picked) + sum(marks.values()) <= room
    numbers = [line.lineno for line in picked]
    assert numbers == sorted(numbers)
    for line, after in itertools.pairwise(picked):
        out = texts[line.lineno + 1 : after.lineno]
        if out and id(after) in marks:
            assert sum(map(len, out)) > marks[id(after)], (out, skipped[id(after)])
