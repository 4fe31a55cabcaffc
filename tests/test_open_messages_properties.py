"""Octopus messages left open: each is read on over its next 64 lines, but one that closes
nowhere in them is not read at all (it declares nothing, switches nothing), so a log of
2 kB lines that each open one costs its length, not 64 times it.

The property drives the engine over logs of open messages, closing ``]``, declarations over
several lines and GitHub commands that open one, in any chunks, with and without the short
cut: the same console, archive, closing lines and notes.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from conftest import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logtrim.dialects import DIALECTS
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.masking import declarations
from logtrim.engine.policy import Policy

PROPERTY = settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SECRET = "0pen-S3cret-value"
B64 = base64.b64encode(SECRET.encode()).decode()
TRUE = base64.b64encode(b"True").decode()
OPEN = "##octopus[setVariable name='YQ==' value='"

LINES = [
    OPEN + "abc def " * 8,  # opens, never closes
    f"{OPEN}{B64[:8]}\n{B64[8:]}' sensitive='{TRUE}']",  # a declaration over two lines
    f"{OPEN}{B64[:8]}\n{B64[8:]}",  # ... and one that goes on
    f"' sensitive='{TRUE}']",
    f"##octopus[setVariable name='YQ==' value='{B64}' sensitive='{TRUE}']",
    f"::add-mask::x{SECRET[:5]} " + OPEN,  # GitHub's command opens one too
    "  " + OPEN + "x",
    "text with a ] in it",
    "']",
    f"using {SECRET}",
    "##octopus[stdout-verbose]",
    "##octopus[stdout-default]",
    "plain output line",
    "ERROR: step failed",
]


@contextmanager
def read_whole() -> Iterator[None]:
    """Every open message read over its lines, as before the short cut."""
    with mock.patch.object(declarations, "_closes_nowhere", lambda *_args: False):
        yield


def drive(ci: str, writes: list[bytes]) -> list[object]:
    core = Core(Policy(budget=8000, context=1), DIALECTS[ci](), max_pending=8192)
    out: list[object] = []
    for k, data in enumerate(writes):
        out.append(core.feed(STDOUT, data, k * 0.3))
    out.append(core.finish_input(9.0))
    out.append(core.close(1, 9.0, timed=False))
    out.append(list(core.notes))
    return out


# Runs of a line: the short cut needs 64 lines without a ``]`` after an opener.
RUNS = st.lists(
    st.tuples(st.integers(0, len(LINES) - 1), st.sampled_from([1, 1, 2, 30, 62, 63, 64, 65, 70])),
    min_size=1,
    max_size=4,
)


@PROPERTY
# A declaration over two lines near the region's end (held for the next), and one followed by
# more than 64 lines (its ``]`` is in them), each before the secret is printed.
@example(runs=[(1, 1), (8, 1)], cuts=[], ci="octopus")
@example(runs=[(1, 1), (11, 70), (8, 1)], cuts=[], ci="octopus")
@example(runs=[(0, 70), (1, 1), (11, 3), (8, 1)], cuts=[6000], ci="octopus")
@given(
    runs=RUNS,
    cuts=st.lists(st.integers(0, 20_000), max_size=6),
    ci=st.sampled_from(["octopus", "octopus", "github", "plain"]),
)
def test_open_messages_read_or_not_give_the_same_answers(
    runs: list[tuple[int, int]], cuts: list[int], ci: str
) -> None:
    data = "".join(f"{LINES[k]}\n" * count for k, count in runs).encode()
    points = sorted({c for c in cuts if 0 < c < len(data)})
    writes = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    with read_whole():
        before = drive(ci, writes)
    assert drive(ci, writes) == before


def test_a_value_declared_over_lines_after_many_open_messages_is_masked() -> None:
    """A sensitive value over two lines, after 70 lines that each open a message that never
    closes: learned, masked where it is printed, on the console and in the archive."""
    opens = "".join(f"{OPEN}{'x' * 2000}\n" for _ in range(70))
    data = (opens + f"{OPEN}{B64[:8]}\n{B64[8:]}' sensitive='{TRUE}']\nusing {SECRET}\n").encode()
    core = Core(Policy(), DIALECTS["octopus"]())
    archive, emits = core.feed(STDOUT, data, 0.0)
    rest, more = core.finish_input(0.0)
    console = b"".join(d for _, d in [*emits, *more])
    assert b"using ********" in console
    assert SECRET.encode() not in console and SECRET.encode() not in archive + rest
