"""Hypothesis properties of progress and of the console's line starts, in time.

A script's output over time, on both streams: plain lines, errors, progress lines, progress
commands of several CI systems, lines written in two parts with a pause between them. Each
line carries a number of its own, so the console says where each line it shows came from.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from conftest import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logtrim.dialects import all_dialects
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.policy import Policy

SETTINGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
INTERVAL = 1.0  # the progress interval


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


#: How each kind of line is written, from its number. The progress commands of each system
#: (Octopus passes under any --ci), and progress as plain text.
FORMS = {
    "noise": lambda n: f"copying file {n}.dat",
    "info": lambda n: f"Deployed web-{n} to prod",
    "error": lambda n: f"ERROR: step {n} failed",
    "progress": lambda n: f"Uploading package {n}%",
    "octopus": lambda n: f"##octopus[progress percentage='{_b64(str(n))}' message='{_b64('x')}']",
    "azure": lambda n: f"##vso[task.setprogress value={n};]step {n}",
    "teamcity": lambda n: f"##teamcity[progressMessage 'step {n}']",
}
PROGRESS = ("progress", "octopus", "azure", "teamcity")
NUMBER = re.compile(rb"(?:file |web-|step |package |value=|percentage=')([0-9A-Za-z+/=]+)")


@dataclass(frozen=True)
class Write:
    stream: int
    kind: str
    pause: float  # seconds before the write, or before the rest of a split line (ticks)
    split: bool  # the line's start first, its rest later


WRITES = st.builds(
    Write,
    st.sampled_from([STDOUT, STDOUT, STDERR]),
    st.sampled_from(list(FORMS)),
    st.sampled_from([0.0, 0.0, 0.0, 0.3, 1.2]),
    st.booleans(),
)


def _run(
    writes: list[Write],
    ci: str,
    verbatim: int,
    heartbeat: float = 0.0,
    *,
    native: bool = False,
    exit_code: int = 0,
) -> tuple[list[tuple[int, bytes]], dict[tuple[int, str], bytes]]:
    """The console of ``writes`` (numbered in order), and the last line of each progress
    kind per stream. ``native``: logtrim drives the CI's progress indicator too (its own
    progress commands on the console)."""
    dialect = next(d for d in all_dialects() if d.name == ci)
    policy = Policy(
        verbatim=verbatim,
        heartbeat=heartbeat,
        progress_interval=INTERVAL,
        native_progress=native,
    )
    core = Core(policy, dialect)
    now = 0.0
    core.start(now)
    console: list[tuple[int, bytes]] = []
    last: dict[tuple[int, str], bytes] = {}
    for n, w in enumerate(writes, start=1):
        text = FORMS[w.kind](n).encode()
        if w.kind in PROGRESS:
            last[w.stream, w.kind] = text
        if w.split and w.kind in ("noise", "info"):
            # The start of the line, shown after a short wait; the pause before its rest.
            head = text.index(b" ") + 1
            console += core.feed(w.stream, text[:head], now)[1]
            now += 0.3
            console += core.tick(now)
            now += w.pause
            console += core.tick(now)
            console += core.feed(w.stream, text[head:] + b"\n", now)[1]
        else:
            now += w.pause
            console += core.tick(now)
            console += core.feed(w.stream, text + b"\n", now)[1]
    console += core.finish_input(now)[1]
    console += core.close(exit_code, now)[0]
    return console, last


def _line_number(line: bytes) -> int | None:
    """The number of the line a console line shows (an Octopus percentage is base64)."""
    match = NUMBER.search(line)
    if match is None:
        return None
    token = match.group(1)
    if line.startswith(b"##octopus["):
        token = base64.b64decode(token)
    return int(token) if token.isdigit() else None


CI = st.sampled_from(["octopus", "azure", "teamcity"])
VERBATIM = st.sampled_from([0, 1 << 20])  # filtered from the first line; or all shown whole


@SETTINGS
@given(st.lists(WRITES, max_size=40), CI, VERBATIM)
# The last of two similar lines is printed when their count ends, after a progress line
# written later started to wait: that one must still come after it.
@example([Write(1, "progress", 0.0, False), Write(1, "noise", 0.0, False),
          Write(1, "noise", 0.0, False), Write(1, "progress", 0.0, False)],
         "octopus", 0)  # fmt: skip
# One waiting state printed before an older line must not bring a later one with it.
@example([Write(1, "progress", 0.0, False), Write(1, "noise", 0.0, False),
          Write(1, "octopus", 0.0, False), Write(1, "noise", 0.0, False),
          Write(1, "progress", 0.0, False)], "octopus", 0)  # fmt: skip
# A waiting state printed late comes before the count of a later line (a similar error).
@example([Write(1, "progress", 0.0, False), Write(1, "error", 0.0, False),
          Write(1, "octopus", 0.0, False), Write(1, "error", 0.0, False),
          Write(1, "noise", 0.0, False)], "octopus", 0)  # fmt: skip
# The success tail's last lines may follow a command written after them (unseen on screen).
@example([Write(1, "noise", 0.0, False)] * 11 + [Write(1, "octopus", 0.0, False)],
         "octopus", 0)  # fmt: skip
def test_each_stream_shows_its_lines_in_the_order_written(
    writes: list[Write], ci: str, verbatim: int
) -> None:
    """On each stream, the child's plain lines reach the console in the order written, and
    its commands in the order written (a waiting progress line among the plain ones)."""
    console, _ = _run(writes, ci, verbatim)
    for stream in (STDOUT, STDERR):
        text = b"".join(data for s, data in console if s == stream)
        shown = [
            (number, _is_command(line, ci))
            for line in text.splitlines()
            if (number := _line_number(line)) is not None
        ]
        assert _in_order(shown), (stream, text)


_COUNT = re.compile(
    rb"^\[logtrim\] (?:\.\.\. ([\d,]+) (?:lines?(?: \([^)]*\))? not shown|similar lines?) \.\.\."
    rb"|\(repeated (once|[\d,]+) more(?: times)?\))$"
)


def _counted(line: bytes) -> int | None:
    """How many lines of the child's a marker of logtrim's own says it does not show."""
    match = _COUNT.match(line)
    if match is None:
        return None
    number = next(g for g in match.groups() if g is not None)
    return 1 if number == b"once" else int(number.replace(b",", b""))


def _markers_in_place(
    console: list[tuple[int, bytes]], writes: list[Write], ci: str
) -> list[tuple[int, int, int]]:
    """Where a line of the child's is shown while the markers before it count a different
    number of the lines written before it and never shown: (line, counted, not shown).
    Each marker must come before the next line shown after the lines it counts (a waiting
    progress state printed late included), and none may wait past it."""
    shown: list[int] = []  # the numbers of the child's lines in the order printed
    counts: list[tuple[int, int]] = []  # (lines counted, index in ``shown`` it came before)
    again = False  # in a section of earlier lines: shown again, counted where they were
    for _, data in console:
        for line in data.splitlines():
            if line.startswith((b"[logtrim] --- earlier", b"[logtrim] --- held back")) or (
                line.startswith(_FOLDS) and b"held back" in line  # (a CI's fold of them)
            ):
                again = True
            elif line.startswith((b"[logtrim] --- ", *_FOLDS, *_FOLD_ENDS)):
                again = False
            if again:
                continue  # (its header says a marker above counted them; docs/policy.md)
            if (count := _counted(line)) is not None:
                counts.append((count, len(shown)))
            elif not line.startswith(b"[logtrim] ") and (number := _line_number(line)):
                shown.append(-number if _is_command(line, ci) else number)
    # A progress command replaced while it waited is no line of the console's: no marker
    # counts it (its system passes, so it is never shown as a line either).
    passing = {"octopus", ci}
    silent = {n for n, w in enumerate(writes, start=1) if w.kind in passing}
    never = set(range(1, len(writes) + 1)) - {abs(n) for n in shown} - silent
    wrong, command = [], 0
    for index, number in enumerate(shown):
        if number < 0:
            command = max(command, -number)
            continue  # a command: read by the CI, not shown, so its place is no matter
        if number < command:
            # The last lines after a command written after them (see _in_order): the marker
            # flushed before the command counted them already (a known double count).
            break
        counted = sum(count for count, at in counts if at <= index)
        hidden = sum(1 for n in never if n < number)
        if counted != hidden:
            wrong.append((number, counted, hidden))
    return wrong


_STARTS = {"octopus": b"##octopus[", "azure": b"##vso[", "teamcity": b"##teamcity["}
# A CI's fold of logtrim's sections (the earlier lines held back, the last lines), its end.
_FOLDS = (b"##[group]", b"::group::", b"##teamcity[blockOpened")
_FOLD_ENDS = (b"##[endgroup]", b"::endgroup::", b"##teamcity[blockClosed")


def _is_command(line: bytes, ci: str) -> bool:
    """A command under ``ci`` (Octopus's pass under any; another system's are text)."""
    return line.startswith((_STARTS["octopus"], _STARTS[ci]))


def _in_order(shown: list[tuple[int, bool]]) -> bool:
    """Each line once; plain lines in the order written, commands in the order written. A
    plain line may follow a command written after it (the tail's last lines, after a final
    ``setVariable``), and a progress command may follow plain lines written after it (it
    waits out its interval: it passes whatever the budget). The server reads a command and
    shows nothing, so a person sees the plain lines in order; no progress command replaces
    a later one."""
    numbers = [n for n, _ in shown]
    if len(numbers) != len(set(numbers)):
        return False
    return all(
        earlier < later or earlier_command != later_command
        for i, (earlier, earlier_command) in enumerate(shown)
        for later, later_command in shown[i + 1 :]
    )


@SETTINGS
@given(
    st.lists(WRITES.filter(lambda w: w.stream == STDOUT), max_size=40),
    CI,
    VERBATIM,
    st.sampled_from([0, 1]),
)
# The gap marker of the states a waiting line replaced comes before it, not after it (and
# not after a later line, the closing one included).
@example([Write(1, "progress", 0.0, False)] * 4 + [Write(1, "info", 0.0, False)],
         "octopus", 0, 0)  # fmt: skip
@example([Write(1, "progress", 0.0, False)] * 4 + [Write(1, "noise", 0.0, False)] * 12,
         "azure", 0, 0)  # fmt: skip
# A line shown late (on a tick) leaves the gap: a state waiting after it in the same gap is
# placed in what is left of it.
@example([Write(1, "progress", 0.0, False), Write(1, "progress", 0.0, False),
          Write(1, "progress", 1.2, False), Write(1, "noise", 0.0, False)],
         "octopus", 0, 0)  # fmt: skip
# A failed run whose last counted lines come before a waiting state: the count stands (the
# failure tail could not show them after the state).
@example([Write(1, "progress", 0.0, False), Write(1, "noise", 0.0, False),
          Write(1, "noise", 0.0, False), Write(1, "progress", 0.0, False)],
         "octopus", 0, 1)  # fmt: skip
# A line left out before two progress commands, the second throttled: the few lines left out
# were shown "instead of their marker" from the lines right before the next one, which was
# the waiting command, and the line left out vanished with no marker (CI found the case).
@example([Write(1, "noise", 0.0, False)] * 11
         + [Write(1, "octopus", 0.0, False)] * 2 + [Write(1, "info", 0.0, False)],
         "octopus", 0, 0)  # fmt: skip
# The same before an error line: its context took the waiting command, and the gap marker
# was told the context stood for the line left out (nightly profile found the case).
@example([Write(1, "noise", 0.0, False)] * 11
         + [Write(1, "octopus", 0.0, False)] * 2 + [Write(1, "error", 0.0, False)],
         "octopus", 0, 0)  # fmt: skip
@example([Write(1, "noise", 0.0, False)] * 11
         + [Write(1, "octopus", 0.0, False)] * 2 + [Write(1, "error", 0.0, False)],
         "octopus", 0, 1)  # fmt: skip
# A progress command before each line, then an error on stderr: the commands replaced while
# they waited were shown as its context, and the marker took them for lines it counted (a
# newcomer's Octopus step found it: 495 lines said for 496).
@example([Write(1, "octopus", 0.0, False), Write(1, "noise", 0.0, False)] * 12
         + [Write(2, "error", 0.0, False)], "octopus", 0, 1)  # fmt: skip
# The same under Azure, whose group folds the earlier lines held back: the check once read
# the fold's lines as shown in order (CI found the case).
@example([Write(1, "noise", 0.0, False)] * 9
         + [Write(1, "progress", 0.0, False), Write(1, "noise", 0.0, False),
            Write(1, "progress", 0.0, False), Write(1, "error", 1.2, False)],
         "azure", 0, 1)  # fmt: skip
# Lines a marker counted, then shown again among the earlier lines held back (their
# header says they were counted above): no line shown in order is counted wrong.
@example([Write(1, "noise", 0.0, False)] * 6 + [Write(1, "error", 0.0, False)]
         + [Write(1, "noise", 0.0, False)] * 6 + [Write(1, "info", 0.0, False)],
         "octopus", 0, 1)  # fmt: skip
# A failed run whose last line comes after states shown as they came, one between them
# counted: the tail's lines held back after the states must not move that count.
@example([Write(1, "progress", 0.0, False), Write(1, "progress", 0.0, False),
          Write(1, "progress", 0.0, False), Write(1, "noise", 0.0, False)],
         "octopus", 0, 1)  # fmt: skip
def test_each_marker_comes_before_the_next_line_after_the_lines_it_counts(
    writes: list[Write], ci: str, verbatim: int, exit_code: int
) -> None:
    """Wherever a line of the child's is shown, the markers before it have counted exactly
    the lines written before it that the console does not show: a marker never comes after
    a later line (a waiting progress state printed late, the last lines), nor counts one
    shown. One stream: the gap is shared by both, each stream's order is its own."""
    console, _ = _run(writes, ci, verbatim, exit_code=exit_code)
    assert _markers_in_place(console, writes, ci) == [], b"".join(d for _, d in console)


@SETTINGS
@given(st.lists(WRITES, max_size=40), CI, VERBATIM)
# A state waiting on stderr, a newer one on stdout: both let out before a line, stdout's
# first, and the bar ended at the older one.
@example([Write(1, "azure", 0.0, False), Write(1, "info", 0.0, False),
          Write(2, "azure", 0.0, False), Write(2, "info", 0.0, False),
          Write(2, "azure", 0.0, False), Write(1, "azure", 0.0, False),
          Write(1, "info", 0.0, False)], "azure", 0)  # fmt: skip
# Progress commands on stderr the throttle moved past, a newer one on stdout shown: the
# last lines replayed an older one after it (the bar went back).
@example([Write(2, "progress", 0.0, False), Write(2, "octopus", 0.0, False),
          Write(2, "octopus", 0.0, False), Write(1, "octopus", 0.0, False)],
         "octopus", 0)  # fmt: skip
def test_the_latest_of_each_progress_kind_is_shown(
    writes: list[Write], ci: str, verbatim: int
) -> None:
    """Each stream's latest progress line is on the console; of each system whose commands
    pass, the latest progress command of either stream is, and no older one of its kind
    comes after it: the CI has one bar, which ends at the final state."""
    console, last = _run(writes, ci, verbatim)
    for (stream, kind), line in last.items():
        if kind == "progress":
            text = b"".join(data for s, data in console if s == stream)
            assert line + b"\n" in text, (stream, kind, line)
    printed = [line for _, data in console for line in data.splitlines()]
    for kind in {"octopus", ci}:
        numbers = [n for n, w in enumerate(writes, start=1) if w.kind == kind]
        if not numbers:
            continue
        final = FORMS[kind](numbers[-1]).encode()
        marker = FORMS[kind](0).encode()[:12]
        ofkind = [line for line in printed if line.startswith(marker)]
        assert ofkind and ofkind[-1] == final, (kind, final, ofkind)


@SETTINGS
@given(st.lists(WRITES, max_size=40), CI, VERBATIM, st.sampled_from([0.0, 0.5]))
def test_own_lines_and_commands_start_a_line(
    writes: list[Write], ci: str, verbatim: int, heartbeat: float
) -> None:
    """logtrim's own lines (a heartbeat, the closing lines) and every service message start
    a console line of their own, also after the start of a child's line shown early."""
    console, _ = _run(writes, ci, verbatim, heartbeat, native=True)
    starts = (b"[logtrim] ", b"##octopus[", b"##vso[", b"##teamcity[")
    for stream in (STDOUT, STDERR):
        text = b"".join(data for s, data in console if s == stream)
        for marker in starts:
            for match in re.finditer(re.escape(marker), text):
                at = match.start()
                assert at == 0 or text[at - 1 : at] == b"\n", (stream, text[max(at - 40, 0) :])


def _elapsed(writes: list[Write]) -> float:
    """The time ``_run`` takes over ``writes``."""
    return sum(w.pause + (0.3 if w.split and w.kind in ("noise", "info") else 0.0) for w in writes)


@SETTINGS
@given(st.lists(WRITES, max_size=60), CI, VERBATIM)
def test_progress_commands_wait_for_a_line_shown(
    writes: list[Write], ci: str, verbatim: int
) -> None:
    """A progress command passes whatever the budget, so a waiting one goes out before a
    line printed after it, on a tick or at the end, never before a line the budget then
    hides: of each kind, at most one per interval and one per line shown."""
    console, _ = _run(writes, ci, verbatim)
    # The states of both streams go, in the order written, before a line shown.
    every = b"".join(data for _, data in console).splitlines()
    lines = [x for x in every if _line_number(x) and not _is_command(x, ci)]
    most = int(_elapsed(writes) // INTERVAL) + 2
    for stream in (STDOUT, STDERR):
        text = b"".join(data for s, data in console if s == stream)
        for marker in {_STARTS["octopus"], _STARTS[ci]}:  # the others are plain lines
            assert text.count(marker) <= most + len(lines), (stream, marker, text)
