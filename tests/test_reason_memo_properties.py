"""The failure reason chooser ranks a plain error line once per digits-to-zero form (a
flood's lines differ in their numbers), or its hex ids as ``#``s: it picks the same line,
block and first errors as ranking every line, for any sequence of realistic lines."""

from __future__ import annotations

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.engine.ending import failure
from logtrim.engine.ending.formranks import FormRanks
from logtrim.engine.ending.ranks import Rank
from logtrim.engine.ending.reason import ReasonChooser
from logtrim.engine.masking.mask import Masker

# (template, error tier): {n} is a number drawn per line; the forms the ranks tell apart.
_TEMPLATES = [
    ("2024-05-01T12:41:0{n}.000Z ERROR something x{n} happened", True),
    ("ERROR worker-{n} request {n} to db-{n}.internal refused after {n} ms", True),
    ("ERROR upload chunk {n} failed, retrying ({n}/{n})", True),
    ("ERROR: giving up after {n} attempts", True),
    ("FATAL: node {n} unreachable", True),
    ("make: *** [Makefile:{n}: main.o] Error {n}", True),
    ("Error: Process completed with exit code {n}", True),
    ("Error: Process completed with exit code {n}: certificate expired", True),
    ("main.c:{n}:{n}: error: expected ';' before 'return'", True),
    ("FAILED tests/test_{n}.py::test_total - AssertionError: {n} != {n}", True),
    ("FAILED tests/test_{n}.py::test_total", True),
    ("[ERROR] Failed to execute goal x:{n}", True),
    ("not ok {n} - handles {n}", True),
    ("{n} failed, {n} passed in {n}.{n}s", True),
    ("E   ValueError: bad value {n}", True),
    ("Caused by: java.io.IOException: disk {n} full", True),
    ('Exception in thread "main" java.lang.IllegalStateException: boom {n}', True),
    ("\x1b[31mERROR\x1b[0m job {n} failed", True),
    ("Traceback (most recent call last):", True),
    ('  File "app.py", line {n}, in <module>', False),
    ("RuntimeError: config {n} broken", True),
    ("ValueError: invalid literal {n}", False),
    ("thread 'main' panicked at src/main.rs:{n}:{n}:", True),
    ("config file /etc/app{n}.toml missing", False),
    ("WARNING: disk {n}% full", False),
    ("INFO processed batch {n}", False),
    # ids of hex digits ({h}): a flood of them is ranked once per hex-id form
    ("ERROR request {h} failed: upstream timeout", True),
    ("ERROR: commit {h} failed", True),
    ("Failed {h}:", True),  # a heading while short: the length of an id counts
    ("{h} failed", True),
    ("processed batch {n} in {n} ms", False),
]

_LINE = st.tuples(
    st.integers(0, len(_TEMPLATES) - 1),
    st.lists(st.sampled_from([3, 7, 12, 45]), min_size=6, max_size=6),
)


_HEX = [b"3fa85f64-5717-4562-b3fc-2c963f66afa6", b"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
        b"deadbeef00", b"0123456789abcdef0123456789abcdef01234567"]  # fmt: skip


def _text(index: int, numbers: list[int]) -> tuple[bytes, bool]:
    template, error = _TEMPLATES[index]
    template = template.replace("{h}", _HEX[sum(numbers) % len(_HEX)].decode())
    parts = template.split("{n}")
    out = parts[0] + "".join(str(n) + part for n, part in zip(numbers, parts[1:], strict=False))
    return out.encode() + b"\n", error


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(_LINE, max_size=80), st.booleans())
def test_memoised_ranks_choose_as_ranking_every_line(
    drawn: list[tuple[int, list[int]]], ends: bool
) -> None:
    memo, full = ReasonChooser(), ReasonChooser(memo=False)
    for lineno, (index, numbers) in enumerate(drawn):
        line, error = _text(index, numbers)
        for chooser in (memo, full):
            chooser.offer(line, lineno, error=error)
        # The held store asks for the reason's block while the run goes on.
        assert memo.best == full.best
        assert memo.strong_block() == full.strong_block()
    if ends and drawn:
        for chooser in (memo, full):
            chooser.offer_stream_end(b"deploy target busy", len(drawn))
    masker = Masker()
    assert memo.reason(masker) == full.reason(masker)
    assert memo.block() == full.block()
    assert memo.masked_first_errors(masker) == full.masked_first_errors(masker)


def test_a_hex_id_form_is_one_rank_for_ids_of_its_length_only() -> None:
    """A flood whose lines differ in a UUID or a hash is ranked once (its hex ids as
    ``#``s), but an id of another length is not of that form: a pattern may count it (a
    heading is 40 characters at most)."""
    ranks = FormRanks()
    ranks.remember(b"Failed deadbeef00:\n", Rank.STATUS)
    assert ranks.get(b"Failed 0123abcdef:\n") == Rank.STATUS
    assert ranks.get(b"Failed 3fa85f64-5717-4562-b3fc-2c963f66afa6:\n") is None
    assert ranks.get(b"Failed deadbee0f:\n") is None  # (9 characters: another form)
    assert ranks.get(b"Failed feedfacecafe:\n") is None  # no digit: a word, not an id


_TOKENS = st.sampled_from(
    [b"ERROR", b"error", b"INFO", b"0x7ffe12ab", b"deadbeef-0000-4bad-8bad-00000000beef",
     b"3f2a9c1d", b"a1b2c3d4e5", b"-", b".", b" ", b"\t", b"v1.2.3", b"x", b"#", b"12", b"\xff"]
)  # fmt: skip


@given(st.lists(st.lists(_TOKENS, max_size=8).map(b"".join), max_size=12))
@settings(max_examples=examples(300))
def test_the_failure_tail_tells_copies_by_all_lines_at_once_as_by_each(texts: list[bytes]) -> None:
    """What two reports of one failure share (numbers, hex ids and level names aside) is the
    same read over the tail's lines joined as line by line."""
    assert failure._same_each(texts) == [failure._same(text) for text in texts]
