"""A secret over and over (hostile output, or a value such as ``0000`` that a log repeats):
each occurrence was a span of its own, found one by one (a Python call each), so a line of
a few megabytes of ``A`` with ``AAAA`` masked took hundreds of megabytes and tens of
seconds. Runs of occurrences are one span; the answer is the same as masking each."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from conftest import clean_env
from hypothesis import given
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.engine.masking.mask import MASK, Masker, apply, merged
from logtrim.engine.masking.words import every, period, run_end


def _each(data: bytes, secret: bytes) -> bytes:
    """``data`` masked the slow way: every occurrence found one by one, then merged."""
    spans = []
    at = data.find(secret)
    while at >= 0:
        spans.append((at, at + len(secret)))
        at = data.find(secret, at + 1)
    return apply(data, merged(spans)) if spans else data


@given(
    secret=st.text("ab", min_size=4, max_size=9),
    pieces=st.lists(st.sampled_from(["", "_", "a", "b", "ab", "\n"]), max_size=40),
    matcher=st.sampled_from(["re", "auto"]),
)
def test_a_secret_repeated_is_masked_as_each_occurrence_would_be(
    secret: str, pieces: list[str], matcher: str
) -> None:
    data = "".join(secret + piece for piece in pieces).encode() * 5
    masker = Masker([secret], compiler=compiler(matcher))
    assert masker.mask(data) == _each(data, secret.encode())


@given(form=st.binary(min_size=1, max_size=12), data=st.binary(max_size=300))
def test_every_finds_what_a_find_at_each_byte_finds(form: bytes, data: bytes) -> None:
    """The spans of a form's runs cover exactly its occurrences' bytes."""
    found: list[tuple[int, int]] = []
    every(data + form * 3 + data, form, found)
    text = data + form * 3 + data
    assert apply(text, merged(found)) == _each(text, form)


def test_a_period_and_the_end_of_a_run() -> None:
    assert [period(f) for f in (b"AAAA", b"abab", b"abcd", b"abcab")] == [1, 2, 4, 3]
    assert run_end(b"ab" * 100 + b"x", 2, 2) == 200
    assert run_end(b"A" * 1000, 1, 1) == 1000


@pytest.mark.parametrize(
    ("secret", "unit", "count"),
    [("AAAA", "A", 4 << 20), ("abcd", "abcd_", 200 << 10)],
)
def test_a_secret_over_and_over_keeps_the_exit_code_under_a_memory_cap(
    tmp_path: Path, secret: str, unit: str, count: int
) -> None:
    """Under ``ulimit -v`` 600 MB (about ten times what ``run`` needs), a line of 4 MB of
    ``A`` with ``AAAA`` masked took logtrim past it: ``internal error``, exit 1, or a hang."""

    def capped() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (600 << 20, 600 << 20))

    archive = tmp_path / "a.zst"
    code = f"import sys; print('start'); print({unit!r} * {count}); sys.exit(7)"
    done = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--budget", "50kB", "--mask", secret,
         "--artifact", str(archive), "--", sys.executable, "-c", code],
        capture_output=True, env=clean_env(), timeout=120, check=False, preexec_fn=capped,
    )  # fmt: skip
    assert done.returncode == 7, done.stderr[-2000:]
    assert b"internal error" not in done.stderr
    stored = zstandard.ZstdDecompressor().stream_reader(archive.read_bytes()).read()
    assert stored.startswith(b"start\n") and secret.encode() not in stored
    assert stored.count(MASK) == (1 if secret == "AAAA" else count)


HORSE = b"correct-horse-battery-staple"


@given(
    size=st.integers(1, 3000),
    times=st.integers(0, 300),
    pad=st.integers(0, 40),
    matcher=st.sampled_from(["re", "auto"]),
)
def test_a_long_line_s_head_shows_no_part_of_a_secret(
    size: int, times: int, pad: int, matcher: str
) -> None:
    """The head of a line too long to show was cut where the masked text reached ``size``:
    shorter than the text as written, it reached the end of what was looked at, where a
    secret cut off by it was shown in part (``correct-horse-battery-stapl``)."""
    masker = Masker([HORSE.decode()], compiler=compiler(matcher))
    head = masker.head(b"y" * pad + (HORSE + b" ") * times + b"x" * 5000, size)
    assert len(head) <= size
    assert not any(HORSE[i : i + 6] in head for i in range(len(HORSE) - 5))


def test_the_console_s_cut_of_a_long_line_shows_no_part_of_a_secret(tmp_path: Path) -> None:
    line = b"y" * 12 + (HORSE + b" ") * 700 + b"x" * 2_000_000 + b"\n"
    (tmp_path / "long.txt").write_bytes(line)
    done = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--mask", HORSE.decode(), "--artifact",
         str(tmp_path / "a.zst"), "--", "cat", str(tmp_path / "long.txt")],
        capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    assert b"line cut" in done.stdout
    assert not any(HORSE[i : i + 6] in done.stdout for i in range(len(HORSE) - 5))
