"""Hypothesis properties of each stream's last lines (engine/ending/ends.py): whatever the reads,
a failed run's console (tail, reason, summary) is the same, and each stream's last line is on
it however many lines the other stream wrote after it (while the budget has room)."""

from __future__ import annotations

from conftest import examples, split
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.policy import Policy

SETTINGS = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

LINES = st.one_of(
    st.integers(0, 999).map(lambda i: b"teardown: unmounting vol-%d\n" % i),
    st.just(b"release 7 is locked by another deploy\n"),
    st.just(b"\n"),
    st.just(b"   \n"),
    st.just(b"Rollback complete\n"),
    st.just(b"##octopus[setVariable name='YQ==' value='Yg==']\n"),
    st.just(b"ERROR upload failed, retrying (1/3)\n"),
    st.just(b"open /srv/app.toml: no such file or directory\n"),
)


def _console(parts: list[tuple[int, list[bytes]]], code: int) -> bytes:
    core = Core(Policy(budget=60_000, verbatim=0))
    out = []
    for stream, chunks in parts:
        for chunk in chunks:
            out += core.feed(stream, chunk, 0.0)[1]
    out += core.finish_input(0.0)[1]
    out += core.close(code, 0.0, timed=False)[0]
    return b"".join(data for _, data in out)


@SETTINGS
@given(
    work=st.integers(0, 400),
    err=st.lists(LINES, max_size=5).map(b"".join),
    trap=st.lists(LINES, max_size=400).map(b"".join),
    cuts=st.lists(st.integers(0, 1 << 20), max_size=12),
    code=st.sampled_from([0, 1]),
)
def test_the_console_is_the_same_whatever_the_reads(
    work: int, err: bytes, trap: bytes, cuts: list[int], code: int
) -> None:
    body = b"".join(b"copy file %d to /var/www/app/f%d.dll\n" % (i, i) for i in range(work))
    whole = [(STDOUT, [body]), (STDERR, [err]), (STDOUT, [trap])]
    pieces = [(STDOUT, split(body, cuts)), (STDERR, split(err, cuts)), (STDOUT, split(trap, cuts))]
    assert _console(whole, code) == _console(pieces, code)


@SETTINGS
@given(
    last=st.sampled_from(
        [b"release 7 is locked by another deploy", b"open /srv/app.toml: no such file or directory"]
    ),
    trap=st.integers(0, 900),
)
def test_stderr_last_line_is_on_a_failed_console_and_the_reason(last: bytes, trap: int) -> None:
    body = b"".join(b"copy file %d to /var/www/app/f%d.dll\n" % (i, i) for i in range(3000))
    tail = b"".join(b"teardown: unmounting vol-%d\n" % i for i in range(trap))
    console = _console([(STDOUT, [body]), (STDERR, [last + b"\n"]), (STDOUT, [tail])], 1)
    assert console.count(last) == 2  # the line, and the reason's
    assert b"failed (exit 1): " + last in console
