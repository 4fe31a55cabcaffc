"""The engine broken mid-run while it held the console (a small budget holds it, to show a
run that fits whole): what it held comes first, then the fallback's head and tail. Each CI
command still reaches the console whole, on a line of its own, in the order the child wrote
it; each stream's lines keep their order; the budget holds; the archive has everything."""

from __future__ import annotations

import base64

import pytest
from conftest import RunLogtrim, examples, py
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.engine.core import STDERR, STDOUT, Emit
from logtrim.run.fallback import HeadTail

BUDGET = 3000
SECRET = "Sekrit-value-99"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# The child's writes, one line each (fd, line); the commands of each CI, where they go.
COMMANDS = {
    "github": ["::set-output name=one::1", "::set-output name=two::2", "::error::last"],
    "octopus": [
        f"##octopus[setVariable name='{_b64('Pw')}' value='{_b64(SECRET)}' "
        f"sensitive='{_b64('True')}']",
        f"##octopus[setVariable name='{_b64('Later')}' value='{_b64('x')}']",
        f"##octopus[progress percentage='{_b64('50')}' message='{_b64('half')}']",
    ],
}


def _writes(ci: str) -> list[tuple[int, str]]:
    first, *later = COMMANDS[ci]
    writes = [(1, "A first line"), (2, "err 00 before the fault"), (1, first)]
    for i in range(40):
        writes.append((1, f"filler {i:02d} " + "f" * 100))
        if i % 10 == 9:
            writes.append((2, f"err {i:02d} " + "e" * 40))
    writes += [(1, command) for command in later]
    return [*writes, (1, f"{SECRET} at the end"), (2, "err last")]


def _child(writes: list[tuple[int, str]]) -> str:
    # One write each, apart in time: the engine and the fallback get them one by one.
    return (
        "import os, time\n"
        f"for fd, line in {writes!r}:\n"
        "    os.write(fd, (line + '\\n').encode()); time.sleep(0.02)\n"
        "raise SystemExit(3)\n"
    )


def _in_order(shown: bytes, written: list[str]) -> list[str]:
    """The lines of ``shown`` that are lines of ``written``, checked to be in its order."""
    index = {line: i for i, line in enumerate(written)}
    found = [line for line in shown.decode().split("\n") if line in index]
    positions = [index[line] for line in found]
    assert positions == sorted(positions), found
    assert len(set(positions)) == len(positions), found  # none shown twice
    return found


@pytest.mark.parametrize("ci", ["github", "octopus"])
def test_broken_engine_keeps_commands_whole_and_in_order(run_logtrim: RunLogtrim, ci: str) -> None:
    writes = _writes(ci)
    result = run_logtrim("--ci", ci, "--budget", "3kB", "--mask", SECRET, "--", *py(_child(writes)),
                         env={"LOGTRIM_FAULT_AFTER": "60"})  # fmt: skip
    assert result.code == 3
    assert b"internal error" in result.stderr
    # Every command whole, on a line of its own, in the child's order.
    lines = result.stdout.decode().split("\n")
    commands = COMMANDS[ci]
    assert [line for line in lines if line in commands] == commands, result.stdout.decode()
    # Each stream's plain lines in order: what the engine held before the fault first, then
    # the head; the tail after the note saying what was left out (on stdout).
    out = [line for fd, line in writes if fd == 1 and line not in commands]
    head, note, tail = result.stdout.partition(b"not shown after an internal error")
    assert note, result.stdout.decode()
    assert _in_order(head, out)[:2] == ["A first line", "filler 00 " + "f" * 100]
    assert _in_order(head + tail, out)
    assert (
        _in_order(result.stderr, [line for fd, line in writes if fd == 2])[0]
        == "err 00 before the fault"
    )
    assert len(result.console) <= BUDGET
    assert SECRET.encode() not in result.console
    # The archive has every line (those with the secret, in any form, masked).
    archived = result.archive.decode().splitlines()
    plain = [line for _, line in writes if SECRET not in line and _b64(SECRET) not in line]
    assert len(archived) == len(writes)
    assert sorted(line for line in archived if "********" not in line) == sorted(plain)


# -- the fallback's head and tail alone ------------------------------------------------------


def _shown(emits: list[Emit], stream: int = STDOUT) -> bytes:
    return b"".join(data for s, data in emits if s == stream)


def test_head_ends_at_a_line_end_before_a_command() -> None:
    """The head has no room for the next line: it ends at the line before, so the command
    that follows is a line of its own (not glued to a cut line, where the CI ignores it)."""
    shown = HeadTail(100)
    emits = shown.write(STDOUT, b"x" * 30 + b"\n") + shown.write(STDOUT, b"y" * 60 + b"\n")
    emits += shown.write(STDOUT, b"::error::e\n")
    assert _shown(emits) == b"x" * 30 + b"\n::error::e\n"


def test_head_cut_inside_a_line_ends_it_on_every_stream() -> None:
    """A line begun in the head and cut: it ends there, on its stream and on the other one."""
    shown = HeadTail(100)
    emits = shown.write(STDOUT, b"abc") + shown.write(STDERR, b"partial")
    emits += shown.write(STDOUT, b"d" * 100 + b"\n") + shown.write(STDERR, b"::error::e\n")
    emits += shown.write(STDOUT, b"::error::o\n")
    assert _shown(emits) == b"abc" + b"d" * 38 + b"\n::error::o\n"
    assert _shown(emits, STDERR) == b"partial\n::error::e\n"
    assert sum(len(data) for _, data in emits) - len(b"::error::e\n::error::o\n") <= 50


def test_a_command_cut_across_writes_passes_whole() -> None:
    shown = HeadTail(0)
    emits = shown.write(STDOUT, b"::set-output name=a::") + shown.write(STDOUT, b"1\nplain\n")
    emits += shown.write(STDOUT, b"::error::e\n")
    assert _shown(emits) == b"::set-output name=a::1\n::error::e\n"


PIECES = st.sampled_from([b"plain ", b"text\n", b"\n", b"x" * 40, b"::error::c\n"])


@settings(max_examples=examples(300), deadline=None)
@given(
    pieces=st.lists(st.tuples(st.sampled_from([STDOUT, STDERR]), PIECES)), room=st.integers(0, 200)
)
def test_commands_are_whole_lines_in_order_and_the_rest_within_the_room(
    pieces: list[tuple[int, bytes]], room: int
) -> None:
    shown = HeadTail(room)
    written: dict[int, list[bytes]] = {STDOUT: [], STDERR: []}
    emits: list[Emit] = []
    for number, (stream, piece) in enumerate(pieces):
        so_far = b"".join(written[stream])
        if piece.startswith(b"::") and so_far and not so_far.endswith(b"\n"):
            continue  # not at a line's start: no command for the CI either
        if piece.startswith(b"::"):
            piece = b"::error::c%d\n" % number
        written[stream].append(piece)
        emits += shown.write(stream, piece)
    emits += shown.finish()
    for stream in (STDOUT, STDERR):
        lines = _shown(emits, stream).split(b"\n")
        expected = [p[:-1] for p in written[stream] if p.startswith(b"::")]
        assert [line for line in lines if line.startswith(b"::error::c")] == expected
    commands = sum(len(data) for _, data in emits if data.startswith(b"::"))
    note = len(shown.finish()[0][1]) if shown.skipped else 0
    assert sum(len(data) for _, data in emits) - commands - note <= room


def test_one_long_line_first_still_shows_its_start() -> None:
    """A first line longer than the whole head: its start is shown (ended), not nothing."""
    shown = HeadTail(100)
    emits = shown.write(STDOUT, b"z" * 500) + shown.write(STDOUT, b"\n::error::e\n")
    assert _shown(emits) == b"z" * 48 + b"\n::error::e\n"


@pytest.mark.parametrize("fault", ["7000", "20000"])
def test_no_line_vanishes_without_a_marker_when_the_engine_breaks(
    run_logtrim: RunLogtrim, fault: str
) -> None:
    """Lines the engine had left out before it broke (held for the whole-run check, or
    filtered past the verbatim allowance) are counted by a marker before the fallback's
    lines: reading the console, every jump in the child's numbered lines has one."""
    code = (
        "import sys, time\n"
        "for i in range(1, 3001):\n"
        "    print(f'line {i} ' + 'x' * 68)\n"
        "    if i == 1500:\n"
        "        print('ERROR: something broke at 1500')\n"
        # The fault fires at a chunk's start: the output must come in more than one read
        # (all of it at once, on a busy machine, was one chunk and no fault).
        "    if i % 500 == 0:\n"
        "        time.sleep(0.1)\n"
    )
    result = run_logtrim(
        "--budget", "100kB", "--ci", "plain", "--", *py(code), env={"LOGTRIM_FAULT_AFTER": fault}
    )  # fmt: skip
    assert result.code == 0
    assert b"internal error" in result.stderr
    last, marked = 0, False
    for line in result.stdout.splitlines():
        if b"not shown" in line:
            marked = True
        elif line.startswith(b"line "):
            number = int(line.split()[1])
            assert number > last, line  # in order
            assert number == last + 1 or marked, f"lines {last + 1}..{number - 1} vanished"
            last, marked = number, False
    assert last == 3000  # the tail ends with the last line


# What each CI reads as a command: its own pass whatever the budget, another system's are text.
CI_LINES = {
    "github": b"::set-output name=a::1\n",
    "azure": b"##vso[task.setvariable variable=a]1\n",
    "teamcity": b"##teamcity[setParameter name='a' value='1']\n",
    "octopus": b"##octopus[setVariable name='YQ==' value='MQ==']\n",
}


@pytest.mark.parametrize("ci", [*CI_LINES, "plain"])
def test_the_fallback_passes_the_commands_of_the_ci_in_use_and_octopus(ci: str) -> None:
    shown = HeadTail(0, ci)
    emits = [e for line in CI_LINES.values() for e in shown.write(STDOUT, line)]
    passed = {name for name, line in CI_LINES.items() if line in _shown(emits)}
    assert passed == {ci, "octopus"} - {"plain"}


def test_the_fallback_passes_every_ci_command_when_the_ci_is_unknown() -> None:
    """logtrim failed before it knew the CI in use: every system's commands pass."""
    shown = HeadTail(0)
    emits = [e for line in CI_LINES.values() for e in shown.write(STDOUT, line)]
    assert _shown(emits) == b"".join(CI_LINES.values())


@pytest.mark.parametrize(
    ("ci", "lines", "commands"),
    [
        (
            "github",
            [b"progress 10%\r::warning::after a redraw\n", b"##[error]older syntax\n"],
            b"\r::warning::after a redraw\n##[error]older syntax\n",
        ),
        (
            "azure",
            [b"##VSO[task.setvariable variable=u]1\n", b"##[error]formatting\n"],
            b"##VSO[task.setvariable variable=u]1\n##[error]formatting\n",
        ),
        (
            "octopus",
            [b"text " * 1000 + b"##octopus[stdout-default] and more text " * 3 + b"\n"],
            b"##octopus[stdout-default]\n" * 3,  # the text between them is text
        ),
    ],
)
def test_the_fallback_passes_what_the_engine_reads_as_a_command(
    ci: str, lines: list[bytes], commands: bytes
) -> None:
    """The commands, whatever the budget (none here); the text before, between and after
    them on their line is text (a flood riding on commands stays out)."""
    shown = HeadTail(0, ci)
    emits = [e for line in lines for e in shown.write(STDOUT, line)]
    assert _shown(emits).rstrip(b"\n") == commands.rstrip(b"\n")
