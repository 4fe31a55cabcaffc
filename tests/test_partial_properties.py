"""Hypothesis properties of a line whose start is on the console before its newline.

The engine shows the start of a line that waits (engine/console/partial.py) on a tick; the rest then
comes in any chunks, at any times, and a secret may be learned (on the other stream) while the
line is open. Whatever the chunks and the ticks: the console stays within the budget and
closes with the summary; every line shown in part has its rest shown or a note that says it
is not; no secret is shown once known, and the text around it is not lost.
"""

from __future__ import annotations

import re

from conftest import examples, split
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.policy import Policy

SETTINGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Its letters are in no other line the child writes, nor in logtrim's own: a console emit
# with one of them after the secret was declared shows a part of it.
SECRET = b"Tok-QWZJKVXYQWZJKVXYQWZ"
_SECRET_LETTERS = re.compile(rb"[QWZJKVXY]")
DECLARE = b"::add-mask::" + SECRET + b"\n"
AFTER_SECRET = b" -> ERROR: deploy rejected"


def _line(n: int, form: int, size: int) -> bytes:
    head = b"L%d " % n
    if form == 0:
        return head + b"Downloading: " + b"x" * size + b"\n"
    if form == 1:
        return head + b"ERROR: upload failed: " + b"no " * (size // 3) + b"(HTTP 500)\n"
    if form == 2:
        return head + b"fetch: " + b"".join(b"\r[%d]" % i for i in range(size // 4)) + b"\n"
    return head + b"step done\n"


LINES = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from([0, 40, 900, 3000, 9000])), max_size=8
)


def _run(
    lines: list[bytes], secret_at: int, cuts: list[int], ticks: list[bool], budget: int
) -> tuple[bytes, list[tuple[int, bytes]], int]:
    """Feed ``lines`` on stdout in chunks, a tick after those ``ticks`` flags, the secret's
    line at ``secret_at`` declared on stderr after its first chunk. (Archive, emits, the
    index of the first emit after the declaration.)"""
    core = Core(Policy(budget=budget, head=3, tail=20), max_pending=4096)
    archive, out, declared = [], [], -1
    now, k = 0.0, 0
    for i, line in enumerate(lines):
        at = cuts[k % len(cuts) : k % len(cuts) + 2]
        if i == secret_at:  # the first chunk ends before the secret does
            at = [at[0] % (line.index(AFTER_SECRET) - 1) + 1, *at[1:]]
        for j, chunk in enumerate(split(line, at)):
            arch, emits = core.feed(STDOUT, chunk, now)
            archive.append(arch)
            out += emits
            if ticks[k % len(ticks)]:
                now += 0.3
                out += core.tick(now)
            if i == secret_at and j == 0:
                declared = len(out)
                arch, emits = core.feed(STDERR, DECLARE, now)
                archive.append(arch)
                out += emits
            k += 1
    arch, emits = core.finish_input(now)
    archive.append(arch)
    out += emits
    out += core.close(1, now, archive="/tmp/a.zst", archive_name="a.zst", archive_size=5)[0]
    return b"".join(archive), out, declared


def _segments(console: bytes) -> dict[int, bytes]:
    """Each child line's console text on stdout, from its start to the next child line's."""
    found = list(re.finditer(rb"(?m)^L(\d+) ", console))
    ends = [m.start() for m in found[1:]] + [len(console)] * bool(found)
    return {int(m.group(1)): console[m.start() : end] for m, end in zip(found, ends, strict=True)}


@SETTINGS
@given(
    LINES,
    st.integers(0, 8),
    # Small cuts too: a start short enough to be shown (within a console line).
    st.lists(st.one_of(st.integers(0, 80), st.integers(0, 12_000)), min_size=1, max_size=20),
    st.lists(st.booleans(), min_size=1, max_size=20),
    st.integers(2048, 9000),
)
# The rest of a line shown in part once went to the console as it came: past the budget.
@example(forms=[(0, 3000), (1, 3000)], secret_at=0, cuts=[20, 30], ticks=[True], budget=2048)
# Once taken by its raw offset from the line masked whole: text after the secret was lost.
@example(forms=[], secret_at=0, cuts=[36], ticks=[True], budget=4096)
def test_a_line_shown_in_part_keeps_the_budget_its_text_and_its_secrets(
    forms: list[tuple[int, int]], secret_at: int, cuts: list[int], ticks: list[bool], budget: int
) -> None:
    lines = [_line(n, form, size) for n, (form, size) in enumerate(forms)]
    secret_at = min(secret_at, len(lines))
    lines.insert(secret_at, b"L%d auth: Bearer " % len(lines) + SECRET + AFTER_SECRET + b"\n")
    archive, out, declared = _run(lines, secret_at, cuts, ticks, budget)
    console = b"".join(data for _, data in out)
    assert len(console) <= budget
    assert b"[logtrim] failed (exit 1)" in console or b"/tmp/a.zst" in console
    assert SECRET not in archive and SECRET not in console
    later = b"".join(data for _, data in out[declared:]).replace(DECLARE, b"")
    assert not _SECRET_LETTERS.search(later), later
    stdout = b"".join(data for stream, data in out if stream == STDOUT)
    for n, text in _segments(stdout).items():
        line = next(x for x in lines if x.startswith(b"L%d " % n))
        if b"\r" in line[:-1] or b"[logtrim" in text:
            continue  # a redrawn line shows its last state; a note says what is left out
        end = AFTER_SECRET if SECRET in line else line[-8:-1]
        assert end in text, (line[:200], text[:400])


@settings(max_examples=examples(50), deadline=None)
@given(
    cuts=st.lists(st.integers(60, 60_000), min_size=1, max_size=40),
    pauses=st.lists(st.sampled_from([0.0, 0.06, 0.3, 0.9]), min_size=1, max_size=40),
)
@example(cuts=[82, 84], pauses=[0.9])  # two reads inside one line: one is left out
def test_a_run_of_like_lines_read_mid_line_is_counted_once(
    cuts: list[int], pauses: list[float]
) -> None:
    """A flood of like lines (``INFO processing row N``), read in chunks that end inside a
    line, with pauses between the reads shorter than a stalled line's wait (logtrim busy, the
    rest of the line already in the pipe), the reads at least a line apart (a line left
    started through two pauses may wait longer, and is then shown: ``WAIT_IN_RUN``): once its
    first line was shown whole (the first read holds it), a line started is not printed on
    its own, which would end the count; the flood is shown once, counted once, and its last
    line ends it."""
    data = b"".join(b"INFO processing row %d\n" % n for n in range(100_000, 102_000))
    spaced: list[int] = []
    for cut in sorted(set(cuts)):
        if not spaced or cut - spaced[-1] >= len(b"INFO processing row 100000\n"):
            spaced.append(cut)
    cuts = spaced
    core = Core(Policy(budget=64_000, head=0, verbatim=0))
    out: list[tuple[int, bytes]] = []
    now = 0.0
    for k, chunk in enumerate(split(data, cuts)):
        out += core.feed(STDOUT, chunk, now)[1]
        now += pauses[k % len(pauses)]
        out += core.tick(now)
    out += core.finish_input(now)[1]
    out += core.close(0, now, archive="/tmp/a.zst", archive_name="a.zst", archive_size=10)[0]
    console = b"".join(data for _, data in out)
    assert console.count(b"INFO processing row") == 2, console
    assert re.findall(rb"\.\.\. ([\d,]+) similar lines \.\.\.", console) == [b"1,998"]
