"""The memo of level skeletons (engine/match/levelmemo.py): a flood's rule hits without running the
level rules on each line. Its hits are the scan's, line for line, and so is the console."""

from __future__ import annotations

import pytest
from conftest import examples, failed_console, split
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.engine.core import Core
from logtrim.engine.match import hitscan, levelmemo
from logtrim.engine.match.hitscan import HitScanner
from logtrim.engine.match.levelmemo import LevelMemo, digits_alike
from logtrim.engine.match.matcher import Matcher
from logtrim.engine.match.rules import RULES, extra_rules
from logtrim.engine.policy import Policy

SETTINGS = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

if compiler() is None:
    pytest.skip("the memo is part of the compiled matcher", allow_module_level=True)

_NUM = st.integers(0, 99999)
# Levelled lines whose digits change their rules' answers only where a rule says so (a
# compiler's ``collect2``, a ``--keep`` rule with a digit), and lines with no level.
LINES = st.one_of(
    _NUM.map(lambda i: b"2024-05-01T12:41:%02dZ ERROR worker %d timeout\n" % (i % 60, i)),
    _NUM.map(lambda i: b"2024-05-01 12:00:00,%03d WARN slow reply %d ms\n" % (i % 1000, i)),
    _NUM.map(lambda i: b"E%04d 12:00:00.000000 %d sync failed\n" % (i % 10000, i)),
    _NUM.map(lambda i: b'level=error msg="job %d failed" code=%d\n' % (i, i % 3)),
    _NUM.map(lambda i: b"[12:00:%02d INF] copied %d of 10\n" % (i % 60, i % 11)),
    _NUM.map(lambda i: b"ERROR: %d%% of the checks failed\n" % (i % 101)),
    _NUM.map(lambda i: b"ERROR collect%d: error: ld returned 1 exit status\n" % (i % 4)),
    _NUM.map(lambda i: b"ERROR node %d: Traceback (most recent call last)\n" % i),
    _NUM.map(lambda i: b"WARNING: build %d: code 4%d\r\n" % (i, i % 10)),
    st.just(b"copying file 0001.dat\n"),
    st.just(b"\x1b[31mERROR\x1b[0m 3 tests failed\n"),
)


def flood() -> st.SearchStrategy[bytes]:
    return st.lists(LINES, min_size=1, max_size=80).map(b"".join)


def _rules() -> list:  # type: ignore[type-arg]
    return [*RULES, *extra_rules([r"job 7[0-9]* failed"], [b"##octopus2["])]


@SETTINGS
@given(flood(), st.lists(st.integers(min_value=0), max_size=12))
def test_memo_hits_are_the_scans(data: bytes, cuts: list[int]) -> None:
    """Wherever the memo answers, it answers what the two databases do, in any chunks."""
    comp = compiler()
    assert comp is not None
    rules = _rules()
    scanner = HitScanner.build(rules, comp)
    assert scanner is not None
    first = [i for i in range(len(rules)) if i in _first_ids(scanner, rules)]
    memo = LevelMemo.build(rules, first, comp)
    assert memo is not None
    memo.hits(data * 9)  # learns the skeletons (few are new), whatever it answers
    for chunk in split(data * 3, cuts):
        found = memo.hits(chunk)
        if found is not None:
            scanner._flooding = False  # the two databases, not the memo
            assert found == scanner.hits(chunk)


def _first_ids(scanner: HitScanner, rules: list) -> set[int]:  # type: ignore[type-arg]
    return {bits.bit_length() - 1 for bits in scanner._bits1}


def console(chunks: list[bytes], memo: bool) -> bytes:
    core = Core(Policy(budget=2048, head=3, tail=20), max_pending=4096, compiler=compiler())
    scanner = core.matcher._scan_hs
    assert scanner is not None
    if not memo:
        scanner._make_memo = None
    return failed_console(core, chunks)


@SETTINGS
@given(flood(), st.lists(st.integers(min_value=0), max_size=12))
def test_console_is_the_same_with_and_without_the_memo(data: bytes, cuts: list[int]) -> None:
    chunks = split(data * 6, cuts)
    with pytest.MonkeyPatch.context() as patch:
        # The memo tried on every chunk after one with a level on each line, and never
        # given up for new shapes: its answers in as many places as can be.
        patch.setattr(levelmemo, "_NEW_SHARE", 0)
        patch.setattr(hitscan, "_BACKOFF_MAX", 0)
        patch.setattr(levelmemo, "_MEMO_MAX", 5)  # full, and cleared, again and again
        patch.setattr(levelmemo, "_MEMO_BYTES", 200)
        eager = console(chunks, memo=True)
    assert eager == console(chunks, memo=False)


def test_a_flood_of_a_few_shapes_takes_the_memo() -> None:
    """Not a property of the answers but of the cost: a flood is answered from the memo."""
    matcher = Matcher(compiler=compiler())
    scanner = matcher._scan_hs
    assert scanner is not None
    lines = b"".join(b"2024-05-01T12:41:25Z ERROR request %d failed\n" % i for i in range(2000))
    matcher.scan(lines)  # every line has a level: the next chunk tries the memo
    assert scanner._flooding
    assert scanner._from_memo(lines) is not None


@pytest.mark.parametrize(
    ("pattern", "alike"),
    [
        (rb"[0-9]{2,4}[-/:.][0-9:.,/TZ+ -]{3,40}", True),
        (rb"\d+ of \w+", True),
        (rb"^E[^\n]*", True),
        (rb"collect2: error", False),
        (rb"[0-5]", False),
        (rb"(a)\1", False),
        (rb"[^0-9x]", True),
    ],
)
def test_digits_alike(pattern: bytes, alike: bool) -> None:
    assert digits_alike(pattern, caseless=True) is alike


# Sparse levelled lines among lines of words (the one-pass scan) or dense ones (two passes).
MIXED = st.one_of(
    LINES,
    st.just(b"error: cannot open file\n"),
    st.just(b"Build FAILED.\n"),
    st.just(b"0 failed, 3 passed\n"),
    st.just(b"-- Looking for pthread.h - not found\n"),
    st.just(b"Downloading 45% of 2.1 GB\n"),
    st.just(b"INFO all 3 jobs failed over\n"),
    st.just(b"DEBUG retry failed\n"),
)


@SETTINGS
@given(st.lists(MIXED, min_size=1, max_size=120).map(b"".join))
def test_one_pass_hits_are_the_two_passes(data: bytes) -> None:
    """The database of both rule sets gives what the two do: a levelled line's words are
    dropped either way."""
    comp = compiler()
    assert comp is not None
    rules = _rules()
    one, two = HitScanner.build(rules, comp), HitScanner.build(rules, comp)
    assert one is not None and two is not None
    two._sparse = False  # the two-pass scan, forced
    one._sparse = True
    assert one._scan(data) == two._scan(data)


DETAIL_PARTS = st.sampled_from(
    [b"DEBUG", b"debug", b"TRACE", b"VERBOSE", b"VRB", b"dbug: ", b"npm verb ", b"+ ", b">    ",
     b"2024-05-01 12:00:00.123 ", b"[worker] ", b"[", b"]", b"<", b"|", b":", b" ", b"\t",
     b"level=debug", b"lvl: TRACE", b'"severity":"debug"', b"\x1b[32m", b"12:00:00 Verbose |",
     b"skipping: ", b"error", b"failed", b"45%", b"3/10", b"x", b"\r"]
)  # fmt: skip


@SETTINGS
@given(st.lists(st.lists(DETAIL_PARTS, max_size=8).map(b"".join), min_size=1, max_size=40))
def test_detail_levels_looked_at_together_are_each_lines(lines: list[bytes]) -> None:
    """The compiled scan of many lines' detail levels answers what each line alone does."""
    matcher = Matcher(compiler=compiler())
    chunk = b"\n".join(lines) + b"\n"
    starts = [0, *(i + 1 for i, byte in enumerate(chunk[:-1]) if byte == 10)]
    alone = [matcher._is_detail(line) for line in lines]
    assert matcher._details(chunk, starts) == alone
