"""Hypothesis property: a line the console counts as not shown never reaches it later, and no
line is shown twice (docs/policy.md "Order, markers and levels"), whatever the order the two
streams' lines come in. Each line carries its number, so the console can be checked line by
line; the engine is driven directly, all at time 0, so each order gives one console."""

from __future__ import annotations

import itertools
import re

import pytest
from conftest import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logtrim.dialects.octopus import Octopus
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.policy import Policy

SETTINGS = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

FORMS = [
    "L{n} copy file {n} of 300 to /var/www",
    "L{n} INFO step done",
    "L{n} cleanup: removing /tmp/staging",
    "L{n} DEBUG resolved host",
    "cp: L{n} cannot stat 'x.conf': No such file or directory",
    "L{n} WARNING: disk {n}% full",
    "L{n} ERROR: upload failed",
]
_NUMBER = re.compile(rb"L(\d+) ")
_COUNT = re.compile(
    rb"^\[logtrim\] (?:\.\.\. ([\d,]+) (?:similar )?lines?\b|\(repeated ([\d,]+) more times\))"
)
# The summary's count of the lines a drop rule kept off where every line is shown.
_DROPPED = re.compile(rb"; ([\d,]+) lines? dropped \(--drop\)")
# Sections at the end that show lines again from before (held back, or the failure tail):
# their lines may have been counted where they were, by design.
_EARLIER = (b"[logtrim] --- earlier", b"[logtrim] --- held back", b"[logtrim] --- last")


def _console(lines: list[tuple[int, int]], budget: int, code: int, drop: bool = False) -> bytes:
    core = Core(Policy(budget=budget, head=2, tail=40, drop=("cleanup:",) if drop else ()))
    out = []
    for n, (stream, form) in enumerate(lines):
        text = FORMS[form].format(n=n) + "\n"
        out += core.feed(stream, text.encode(), 0.0)[1]
    out += core.finish_input(0.0)[1]
    out += core.close(code, 0.0, timed=False)[0]
    return b"".join(data for _, data in out)


def _accounts(console: bytes) -> tuple[list[int], list[int], int, bool]:
    """The numbers of the child's lines shown (those shown again in an end section last),
    the lines the markers count before that section, and whether the count cannot add up:
    a part was left out without its own marker (``only part fits``), or an end section
    was shown."""
    shown: list[int] = []
    again: list[int] = []
    counted, earlier, partial = 0, False, False
    for line in console.splitlines():
        if line.startswith(b"[logtrim] "):
            header = line.startswith(b"[logtrim] ---")
            earlier = line.startswith(_EARLIER) or (earlier and not header)
            partial = partial or b"only part" in line or line.startswith(_EARLIER)
            found = _COUNT.match(line)
            if found:
                counted += int((found.group(1) or found.group(2)).replace(b",", b""))
            if dropped := _DROPPED.search(line):
                counted += int(dropped.group(1).replace(b",", b""))
        elif number := _NUMBER.search(line):
            (again if earlier else shown).append(int(number.group(1)))
    return shown, again, counted, partial


LINES = st.lists(
    st.tuples(st.sampled_from([STDOUT, STDERR]), st.integers(0, len(FORMS) - 1)),
    min_size=1,
    max_size=120,
)


@SETTINGS
@given(LINES, st.sampled_from([2048, 3000, 4096, 8192]), st.sampled_from([0, 1]), st.booleans())
@example([(STDOUT, 2)] * 30, 8192, 1, True)  # a drop rule's lines in the tail's window
def test_no_line_is_counted_not_shown_and_shown(
    lines: list[tuple[int, int]], budget: int, code: int, drop: bool
) -> None:
    """Each line is shown or counted: a line a drop rule keeps off the console too (the
    lines of the tail's window it dropped were once counted by no marker)."""
    console = _console(lines, budget, code, drop)
    shown, again, counted, partial = _accounts(console)
    assert len(shown + again) == len(set(shown + again)), console.decode()
    # Counted and shown in order would be more than the lines written.
    assert len(shown) + counted <= len(lines), console.decode()
    if not partial:  # the rest is in the end sections (the tail recaps lines counted before)
        assert len(shown) + counted + len(again) >= len(lines), console.decode()


# A `set -e` deploy script (after tester5's): copies on stdout, `cp` fails on stderr, then
# its EXIT trap writes a line to each stream. Two pipes: the four writes come in any order
# that keeps each stream's own.
_DEPLOY = [
    (STDOUT, b"Deploying shop-api 1.2.3\n"
     + b"".join(b"copy file %d of 300 to /var/www\n" % i for i in range(1, 301))
     + b"Running migrations\n"),
    (STDERR, b"cp: cannot stat 'deploy.conf': No such file or directory\n"),
    (STDOUT, b"cleanup: removing /tmp/deploy-staging (exit 1)\n"),
    (STDERR, b"cleanup: released lock\n"),
]  # fmt: skip
_ORDERS = [
    o
    for o in itertools.permutations(range(4))
    if o.index(0) < o.index(2) and o.index(1) < o.index(3)
]


@pytest.mark.parametrize("order", _ORDERS)
def test_a_failed_deploy_counts_each_line_once(order: tuple[int, ...]) -> None:
    """Whatever the order of the two streams, each line is shown in order or counted, never
    both, and none is lost; the failure tail may recap a line counted before it."""
    core = Core(Policy(budget=4096))
    out = []
    for i in order:
        out += core.feed(*_DEPLOY[i], 0.0)[1]
    out += core.finish_input(0.0)[1]
    out += core.close(1, 0.0, timed=False)[0]
    console = b"".join(data for _, data in out)
    lines = console.splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith(b"[logtrim] --- last")]
    tail = heads[0] if heads else len(lines)
    child = [line for line in lines if not line.startswith(b"[logtrim] ")]
    live = [line for line in lines[:tail] if not line.startswith(b"[logtrim] ")]
    counted = sum(
        int((m.group(1) or m.group(2)).replace(b",", b"")) for m in map(_COUNT.match, lines) if m
    )
    assert len(child) == len(set(child)), console.decode()
    assert len(live) + counted <= 305 <= len(child) + counted, console.decode()


def test_octopus_verbose_last_lines_are_counted_not_left_out() -> None:
    """A script that ends under ``##octopus[stdout-verbose]`` (archive only): its last line is
    counted in a marker, and a line counted earlier is not shown again under the tail."""
    core = Core(Policy(budget=4096), Octopus())
    out = []
    for stream, data in [
        (STDOUT, b"Starting\n" + b"".join(b"detail line %d\n" % i for i in range(2000))),
        (STDOUT, b"##octopus[stderr-progress]\n"),
        (STDERR, b"err progress\n"),
        (STDOUT, b"##octopus[createArtifact path='eA==' name='eA==' length='MA==']\n"),
        (STDERR, b"ERROR: failed to deploy\n"),
        (STDOUT, b"##octopus[stdout-verbose]\nlast verbose line\n"),
    ]:
        out += core.feed(stream, data, 0.0)[1]
    out += core.finish_input(0.0)[1]
    out += core.close(4, 0.0, timed=False)[0]
    console = b"".join(data for _, data in out)
    lines = console.splitlines()
    assert b"last verbose line" not in console
    assert lines.count(b"ERROR: failed to deploy") == 1, console.decode()
    # Service messages verbatim and in order; the last one of the child's is followed by the
    # level put back for logtrim's own lines, then a marker that counts the verbose line.
    verbose = lines.index(b"##octopus[stdout-verbose]")
    assert lines.index(b"##octopus[createArtifact path='eA==' name='eA==' length='MA==']") < verbose
    end = lines[verbose + 1 :]
    assert end[:2] == [b"##octopus[stdout-default]", b"##octopus[stderr-default]"], console.decode()
    assert end[2] == b"[logtrim] ... 1 line not shown ...", console.decode()
    # No header of last lines without a line of the child's under it.
    for at, line in enumerate(lines):
        if line.startswith(b"[logtrim] --- last"):
            assert not lines[at + 1].startswith((b"[logtrim] ", b"##octopus")), console.decode()


@pytest.mark.parametrize("budget", [8192, 65536])
def test_a_tail_of_lines_a_marker_counted_says_so(budget: int) -> None:
    """stdout's last lines, written before stderr's line shown last, were counted by the
    marker above that line: the tail's header says they were (the counts would otherwise
    add up to more lines than the run wrote); one stream's tail says nothing of the kind."""
    core = Core(Policy(budget=budget))
    out = core.feed(STDOUT, b"".join(b"record %d ok\n" % i for i in range(5000)), 0.0)[1]
    out += core.feed(STDERR, b"WARNING: slow batch at record 5000\n", 0.0)[1]
    out += core.finish_input(0.0)[1]
    out += core.close(0, 0.0, timed=False)[0]
    lines = b"".join(data for _, data in out).splitlines()
    header = next(line for line in lines if line.startswith(b"[logtrim] --- last"))
    assert b"not shown" in header  # (the header says its lines were counted above)
    # Lines written before one shown are not the run's last alone: the header names the window.
    assert header.startswith(b"[logtrim] --- last 20 lines")
    assert lines.index(header) > lines.index(b"WARNING: slow batch at record 5000")
    assert b"record 4999 ok" in lines[lines.index(header) :]

    alone = _console([(STDOUT, 2)] * 3000, budget, 0)
    assert b"--- last 20 lines ---" in alone
