"""The fail-open paths' tail (:class:`logtrim.run.lastbytes.LastBytes`): the last bytes of
both streams within the room, in the order written, stderr's last lines kept over an older
stdout flood (where a program says why it stops)."""

from __future__ import annotations

import sys

import pytest
from conftest import break_prepare, examples
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.run.lastbytes import LastBytes

WRITES = st.lists(st.tuples(st.sampled_from([1, 2]), st.binary(min_size=1, max_size=300)))


@settings(max_examples=examples(300))
@given(writes=WRITES, room=st.integers(0, 1000))
def test_the_tail_keeps_to_its_room_in_order_and_counts_what_it_drops(
    writes: list[tuple[int, bytes]], room: int
) -> None:
    tail = LastBytes(room)
    dropped = sum(tail.keep(stream, data) for stream, data in writes)
    kept = tail.emits()
    size = sum(len(data) for _, data in kept)
    assert size <= room
    assert size + dropped == sum(len(data) for _, data in writes)
    for stream in (1, 2):  # each stream's bytes kept are the end of what it wrote
        written = b"".join(data for s, data in writes if s == stream)
        mine = b"".join(data for s, data in kept if s == stream)
        assert written.endswith(mine)


@settings(max_examples=examples(300))
@given(
    sizes=st.lists(st.tuples(st.sampled_from([1, 2]), st.integers(1, 300)), max_size=200),
    room=st.integers(0, 1000),
)
def test_the_pieces_kept_come_in_the_order_written(sizes: list[tuple[int, int]], room: int) -> None:
    tail = LastBytes(room)
    for i, (stream, size) in enumerate(sizes):
        tail.keep(stream, bytes([i + 1]) * size)  # (a byte of its own per piece)
    kept = [data[0] for _, data in tail.emits()]
    assert kept == sorted(kept) and len(set(kept)) == len(kept)
    assert all(len(set(data)) == 1 for _, data in tail.emits())


@settings(max_examples=examples(300))
@given(writes=WRITES, room=st.integers(8, 1000))
def test_stderr_s_last_quarter_outlasts_older_stdout(
    writes: list[tuple[int, bytes]], room: int
) -> None:
    """However much stdout comes after it, stderr keeps its last bytes up to a quarter of
    the room (all of them when fewer)."""
    tail = LastBytes(room)
    for stream, data in writes:
        tail.keep(stream, data)
    err = b"".join(data for s, data in writes if s == 2)
    kept = b"".join(data for s, data in tail.emits() if s == 2)
    assert len(kept) >= min(len(err), room // 4) - 300  # (a piece cut at a line start)


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX pipe pair")
def test_the_last_resort_shows_stderr_s_error_under_a_later_stdout_flood(
    monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    """logtrim broke before the step: the step's error on stderr, then 30,000 more stdout
    lines; at 3 kB the error was pushed out of the tail, and nothing on the console said
    why the step failed."""
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    step = (
        "import sys\n"
        "for i in range(30000): print(i)\n"
        "sys.stdout.flush()\n"
        "print('ERROR: the real reason', file=sys.stderr, flush=True)\n"
        "for i in range(30000): print(i)\n"
        "raise SystemExit(3)\n"
    )
    code = _cli.main(["run", "--budget", "3kB", "--", sys.executable, "-c", step])
    out, err = capfdbinary.readouterr()
    assert code == 3
    assert b"running the command unfiltered" in err
    assert b"ERROR: the real reason\n" in err
    assert len(out + err) <= 3000 + 400  # (logtrim's two warnings besides)


def test_a_stderr_write_larger_than_its_quarter_keeps_its_end() -> None:
    """A 13 kB stack trace on stderr, then a stdout flood, in a 64 kB tail: the trace was
    dropped whole once older than the stdout around it. Its last quarter of the room stays."""
    tail = LastBytes(64_000)
    trace = b"".join(b"\tat com.shop.Step%d.run(Step.java:%d)\n" % (i, i) for i in range(350))
    trace += b"Caused by: the real cause\n"
    tail.keep(1, b"x" * 40_000)
    tail.keep(2, trace)
    for _ in range(200):
        tail.keep(1, b"stdout line\n" * 100)
    kept = b"".join(data for s, data in tail.emits() if s == 2)
    assert kept == trace  # (within its quarter: whole)
    small = LastBytes(32_000)  # its quarter, 8 kB: the trace's last 8 kB stay
    small.keep(1, b"x" * 20_000)
    small.keep(2, trace)
    for _ in range(20):  # (in reads of 36 kB: more than the room at once)
        small.keep(1, b"stdout line\n" * 3000)
    kept = b"".join(data for s, data in small.emits() if s == 2)
    assert kept.endswith(b"Caused by: the real cause\n")
    assert 8_000 - 100 <= len(kept) <= 8_000
