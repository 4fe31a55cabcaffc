"""Properties of the similarity stage of ``diff`` (:mod:`logtrim.logs.similar`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim.baseline.load import load
from logtrim.logs import diff
from logtrim.logs.declared import Declared
from logtrim.logs.inputs import open_input
from logtrim.logs.similar import THRESHOLD, Neighbours, tokens

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A small vocabulary, so that lines share words often; error words among them.
WORDS = st.sampled_from(
    [b"Started", b"unit", b"deploy", b"mirror", b"package", b"Error", b"failed", b"cache",
     b"upload", b"server", b"web-01", b"db.example.com", b"/srv/app", b"12", b"0x1f", b"at"]
)  # fmt: skip
LINES = st.lists(WORDS, min_size=1, max_size=8).map(b" ".join)


@SETTINGS
@given(st.lists(LINES, min_size=1, max_size=40), st.lists(LINES, min_size=1, max_size=10))
def test_the_indexed_search_finds_what_comparing_with_every_line_finds(
    good: list[bytes], queries: list[bytes]
) -> None:
    """Prefix filtering only skips lines that cannot be near: the answer is the brute
    force's (cosine >= the threshold with some line holding the query's error words)."""
    index = Neighbours()
    index.feed(b"\n".join(good))
    for query in queries:
        toks = tokens(query)
        errors = {t for t in toks if t in {b"error", b"failed"}}
        brute = any(
            errors.issubset(other) and index.cosine(toks, other) >= THRESHOLD - 1e-9
            for other in index.sets
        )
        # A line with no token is near any other such line (the good run's blank lines).
        want = brute if toks else any(not tokens(line) for line in b"\n".join(good).split(b"\n"))
        assert (index.nearest(toks) is not None) == want


@SETTINGS
@given(LINES, st.integers(0, 10**6))
def test_numbers_do_not_change_a_lines_tokens(line: bytes, number: int) -> None:
    assert tokens(line + b" %d" % number) == tokens(line + b" 7")
    index = Neighbours()
    index.feed(line)
    toks = tokens(line.replace(b"12", b"%d" % number))
    assert not toks or index.nearest(toks) is not None


@SETTINGS
@given(LINES, st.integers(2, 10**6), st.floats(0, 1e4), st.sampled_from(["s", "ms", "kB", "MB"]))
def test_a_count_its_plural_and_a_measure_do_not_change_a_lines_tokens(
    line: bytes, count: int, amount: float, unit: str
) -> None:
    """``Ran 1 test in 0.01s`` and ``Ran 2 tests in 6.68s``: the same line."""
    many = line + b" %d files in %.3f%s" % (count, amount, unit.encode())
    assert tokens(many) == tokens(line + b" 1 file in 0.5s")


LOG_LINES = st.lists(LINES, min_size=1, max_size=30)


@SETTINGS
@given(LOG_LINES, LOG_LINES)
def test_diff_with_the_similarity_stage_shows_a_subset_of_the_new_lines(
    good: list[bytes], bad: list[bytes]
) -> None:
    """What the similarity stage shows is among what the exact stage calls new, and never a
    line GOOD printed as it is."""
    with tempfile.TemporaryDirectory() as tmp:
        good_path, bad_path = Path(tmp, "good.log"), Path(tmp, "bad.log")
        good_path.write_bytes(b"\n".join(good) + b"\n")
        bad_path.write_bytes(b"\n".join(bad) + b"\n")
        near = Neighbours()
        known = load(good_path, text=near.feed).hashes
        exact = diff.compute(known, open_input(str(bad_path)), 1 << 20, 0)
        both = diff.compute(known, open_input(str(bad_path)), 1 << 20, 0, near)
    assert {f.number for f in both.shown} <= {f.number for f in exact.shown}
    assert not {f.text for f in both.shown} & set(good)
    assert both.new_lines + both.near_lines == exact.new_lines


# Lines that declare a secret (GitHub's and Octopus's forms) and lines that print one.
_SECRETS = [b"hunter2xyz", b"Pa55-w0rd-9"]
_DECLARING = st.sampled_from(
    [b"::add-mask::" + s for s in _SECRETS]
    + [b"##octopus[setVariable name='VG9rZW4=' value='aHVudGVyMnh5eg==' sensitive='VHJ1ZQ==']"]
)
_PRINTING = st.tuples(LINES, st.sampled_from(_SECRETS), LINES).map(b" ".join)


@SETTINGS
@given(st.lists(st.one_of(LINES, _DECLARING, _PRINTING), min_size=1, max_size=30))
def test_a_log_with_secrets_against_itself_has_nothing_new(lines: list[bytes]) -> None:
    """Whatever a log declares and prints, ``diff`` of it against itself finds no new line
    and no near one: both sides are masked alike."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "run.log")
        path.write_bytes(b"\n".join(lines) + b"\n")
        near = Neighbours()
        known = load(path, cap=diff.GOOD_SHAPES, text=near.feed, compact=True,
                     mask=Declared()).hashes  # fmt: skip
        found = diff.compute(known, open_input(str(path)), 1 << 20, 0, near)
    assert (found.new_lines, found.near_shapes, found.found) == (0, 0, [])
