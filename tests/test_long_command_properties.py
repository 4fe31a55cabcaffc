"""Hypothesis properties of CI commands in lines too long to hold: whatever their size, the
length of the line they end and the chunking, each reaches the console whole, in order."""

from __future__ import annotations

import base64
import re

import pytest
from conftest import examples, split
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logtrim.dialects.octopus import Octopus
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.policy import Policy

pytestmark = pytest.mark.slow

SETTINGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
MAX_PENDING = 256  # what the engine holds of a line here (the default, 1 MiB, is too dear)


def message(name: int, size: int) -> bytes:
    """A ``setVariable`` whose value is ``size`` bytes of base64 (one name per message)."""
    value = base64.b64encode(bytes(range(256)) * 8)[:size]
    return b"##octopus[setVariable name='%s' value='%s']" % (
        base64.b64encode(b"V%d" % name),
        value,
    )


SIZES = st.integers(min_value=0, max_value=1500)  # around the window (64) and MAX_PENDING
BEFORE = st.sampled_from([b"", b"\x1b[32m", b"50%\r", b"note: ", b"x" * 300 + b" ", b"y" * 900])
AFTER = st.sampled_from([b"", b"\x1b[0m", b" done", b" " + b"z" * 400])
TEXT = st.sampled_from(
    [b"copying file 0001.dat\n", b"ERROR: boom\n", b"Deployed api\n", b"w" * 700 + b"\n"]
)


@st.composite
def outputs(draw: st.DrawFn) -> tuple[bytes, list[bytes]]:
    """A child's stdout: text lines and service messages with text around them; and the
    messages in the order written."""
    parts: list[bytes] = []
    sent: list[bytes] = []
    for i in range(draw(st.integers(min_value=1, max_value=6))):
        parts += draw(st.lists(TEXT, max_size=3))
        sent.append(message(i, draw(SIZES)))
        end = draw(st.sampled_from([b"\n", b"\r\n"]))
        parts.append(draw(BEFORE) + sent[-1] + draw(AFTER) + end)
    if draw(st.booleans()):
        parts.append(b"last line, no newline")
    return b"".join(parts), sent


def console(chunks: list[bytes], budget: int) -> bytes:
    core = Core(Policy(budget=budget, head=3, tail=20), Octopus(), max_pending=MAX_PENDING)
    out = []
    for chunk in chunks:
        out += core.feed(STDOUT, chunk, 0.0)[1]
    out += core.finish_input(0.0)[1]
    out += core.close(0, 0.0, archive="/tmp/a.zst", archive_name="a.zst", archive_size=5)[0]
    assert all(stream == STDOUT for stream, _ in out)
    return b"".join(data for _, data in out)


# A message whose ']' comes after the first 64 bytes (the window here) but within 128: it is
# decided on the same bytes whether the line comes whole or in two reads.
_SENT = [message(0, 0), message(1, 0), message(2, 0), message(3, 124), message(4, 85)]
_WRITTEN = b"%s\n%s\n\x1b[32m%s\n\x1b[32m%s %s\r\n%s %s done\r\nlast line, no newline" % (
    *_SENT[:4],
    b"z" * 400,
    b"x" * 300,
    _SENT[4],
)


@SETTINGS
@example((_WRITTEN, _SENT), [1_995_549_960_450_058], 2048)
@given(outputs(), st.lists(st.integers(min_value=0), max_size=20),
       st.integers(min_value=2048, max_value=8000))  # fmt: skip
def test_every_command_reaches_the_console_whole_and_in_order(
    written: tuple[bytes, list[bytes]], cuts: list[int], budget: int
) -> None:
    """Each message is a console line of its own, as written, in the order written, before
    the closing lines; the console is the same whatever the chunking."""
    data, sent = written
    shown = console(split(data, cuts), budget)
    assert shown == console([data], budget)
    lines = shown.splitlines()
    closing = next(i for i, x in enumerate(lines) if re.match(rb"\[logtrim\] \S+ lines? \(", x))
    commands = [x for x in lines[:closing] if b"setVariable" in x]
    # Alone on its line, or with the text around it when that fits (as any command line).
    assert [re.search(rb"##octopus\[[^]]*\]", x)[0] for x in commands] == sent  # type: ignore[index]


@SETTINGS
@given(outputs(), st.lists(st.integers(min_value=0), max_size=20))
def test_the_lines_around_a_command_keep_their_order(
    written: tuple[bytes, list[bytes]], cuts: list[int]
) -> None:
    """The child's lines shown live and its messages read in the order written (the lines of
    the end, after their own marker, come last)."""
    data, _ = written
    shown = console(split(data, cuts), 100_000).split(b"\n")
    end = next(i for i, x in enumerate(shown) if re.match(rb"\[logtrim\] (---|\S+ lines? \()", x))
    places = [0]
    for line in shown[:end]:
        if line.startswith(b"[logtrim] "):
            continue
        line = line.partition(b" ... [logtrim: ")[0]  # a long line's start
        at = data.find(line, places[-1])
        assert at >= 0, line  # a line or message the child wrote after the one before it
        places.append(at + len(line))


# Lines that repeat a unit of markers (``##[`` over and over): the candidates of a run that
# repeats are decided once; a message put anywhere in it, or the run's end, is still read.
UNITS = st.lists(
    st.sampled_from(
        [
            b"##[",
            b"##",
            b"[",
            b"]",
            b"x",
            b" ",
            b"##octopus",
            b"##OCTOPUS[[",
            b"=",
            b"##teamcity[",
            b"##vso[",
            b"'",
            b"\xc3\xa9",
        ]
    ),
    min_size=1,
    max_size=4,
).map(b"".join)


@st.composite
def repeating(draw: st.DrawFn) -> tuple[bytes, list[bytes]]:
    unit = draw(UNITS)
    body = unit * draw(st.integers(min_value=1, max_value=3000 // len(unit)))
    places = sorted(draw(st.lists(st.integers(0, len(body)), max_size=3)))
    sent = [message(i, draw(st.integers(0, 200))) for i in range(len(places))]
    parts, prev = [], 0
    for at, sent_one in zip(places, sent, strict=True):
        parts += [body[prev:at], sent_one]
        prev = at
    return b"".join([*parts, body[prev:], b"\nafter\n"]), sent


@SETTINGS
@given(repeating(), st.lists(st.integers(min_value=0), max_size=8))
def test_a_line_of_repeated_markers_passes_its_commands_whatever_the_reads(
    written: tuple[bytes, list[bytes]], cuts: list[int]
) -> None:
    data, sent = written
    shown = console(split(data, cuts), 100_000)
    assert shown == console([data], 100_000)
    found = re.findall(rb"##octopus\[setVariable [^]]*\]", shown)
    assert found[: len(sent)] == sent


@st.composite
def two_line_messages(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """A ``setVariable`` whose value comes on its next line, that line short or longer than
    the engine holds, with lines before and after; and the message as written."""
    value = message(0, draw(SIZES)).partition(b" value=")[2]
    sent = b"##octopus[setVariable name='eA=='\nvalue=" + value
    before = b"".join(draw(st.lists(TEXT, max_size=2)))
    return before + sent + b"\n" + b"".join(draw(st.lists(TEXT, max_size=2))), sent


@SETTINGS
@example((b"##octopus[setVariable name='eA=='\nvalue='" + b"QUFB" * 200 + b"']\n", b""), [])
@given(two_line_messages(), st.lists(st.integers(min_value=0), max_size=20))
def test_a_message_over_two_lines_passes_whole_whatever_the_reads(
    written: tuple[bytes, bytes], cuts: list[int]
) -> None:
    """Its two lines reach the console whole and together, and the console is the same
    whatever the chunking (a value line too long to hold was cut, in one read only)."""
    data, sent = written
    shown = console(split(data, cuts), 100_000)
    assert shown == console([data], 100_000)
    if sent:
        assert sent + b"\n" in shown
