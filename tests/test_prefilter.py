"""The pure-Python matcher (a literal prefilter, then ``re``) gives exactly the answers of the
exact path, ``Matcher.line_kind`` on each line, and of hyperscan where it is installed.

Chunks are built from rule examples, keywords and their near misses, level fields, digits,
colour codes, CRs, tabs, mixed case, non-ASCII bytes and long lines; the rule sets are the
built-in ones and those the engine builds with ``--keep`` rules and every dialect's markers.
"""

from __future__ import annotations

import functools
import random

import pytest
from conftest import examples
from exact_path import reference
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.dialects import azure, buildkite, github, gitlab, octopus, teamcity
from logtrim.engine.match import passes, prefilter
from logtrim.engine.match.literals import pieces
from logtrim.engine.match.matcher import Matcher
from logtrim.engine.match.rules import RULES, extra_rules

MARKERS = [
    m
    for d in (azure, buildkite, github, gitlab, octopus, teamcity)
    for cls in vars(d).values()
    if isinstance(cls, type) and isinstance(getattr(cls, "markers", None), tuple)
    for m in getattr(cls, "markers", ())
]
KEEP = [
    r"Deploy(ed)? to prod",
    r"^KEEP\b",
    r"\d+ items?",
    r"[A-Z]{3}-\d+",
    r"(?i)release (notes|candidate)",  # a global flag: fine in a rule of its own
    r"(?<=id=)[0-9a-f]{4}",  # looks behind: judged on each line alone
    r"\Aheader$",
    r"x\s+y",  # \s also matches a newline: still judged line by line
    r"(?i)(?:ab|cd)+ done",  # a global flag, tried from its suffix: keeps its re.I
]
RULE_SETS = {"built-in": RULES, "with extras": (*RULES, *extra_rules(KEEP, sorted(set(MARKERS))))}
MATCHERS = {name: Matcher(rules) for name, rules in RULE_SETS.items()}
HS = compiler("hyperscan")
COMPILED = {name: Matcher(rules, compiler=HS) for name, rules in RULE_SETS.items()} if HS else {}

FRAGMENTS = [r.example.encode() for r in RULES] + [
    *(m for m in MARKERS),
    *b"""error errors Errors 0 errors 1 error 10 Errors errors: 0 error=0 failed=0 failures: 0
    no errors without error ERROR Error: ValueError: xerror: terror errorless error_count
    npm ERR! npm warn npm err fatal fatalism FAILED fail failure failures failing --fail-fast
    exception Exceptions panic: panic killed skilled critical uncritical -Werror
    exit code 3 exit code 0 exited with status -1 returned code 2 non-zero exit cannot can't
    could not couldn't unable to not found timed out timeout timeout=30 timestamp warn
    WARNING WARN WRN deprecated Deprecation 45% 100 % % 12/40 [12/40] ( 3 / 10 ) 12 of 40
    === +++ --- *** ## >>> step stage starting started finished completed deploying
    deployed success successfully INFO DEBUG TRACE VERBOSE INF DBG NOTICE CRIT FTL EROR
    level=error lvl=warn "severity":"ERROR" "level":"debug" levelname=INFO [WARNING] <ERROR>
    |INFO| E: W: I: E1201 W0102 I0304 12:00:00.000000 2026-12-01 2026-12-01T12:00:00Z
    12:00:00,123 [main] [12:00:00 INF] fail: warn: info: dbug: note: ok: [web-01]
    changed: [x] fatal: [web-01] skipping: + cp ++ >    assert Error Warning Info Verbose
    Traceback (most recent call last) Caused by: make: *** make[2]: *** BUILD FAILURE
    FAILED tests/t.py::test_x ::test_y PASSED --- FAIL: not ok 3 FAIL: test_x
    main.c:3:5: error: collect2: error undefined reference to segmentation fault
    core dumped out of memory -- Looking for checking for ----- Captured -----
    KeyboardInterrupt DeprecationWarning Deploy to prod KEEP 12 items ABC-12 id=beef
    header x y release notes At char:1 CategoryInfo FullyQualifiedErrorId #8 3.205""".split(),
    b"abcd DONE",
    # Python's loggers: the cookbook's `` - name - LEVEL - ``, loguru's ``| LEVEL    |``, a
    # thread's name before the level
    b"2026-12-01 12:00:00,123 - sync - ",
    b" - ",
    b"| DEBUG    |",
    b" | ",
    b"2026-12-01 12:00:00.123 ",
    b"MainThread ",
    b"worker-2 ",
    b"\x1b[31m",
    b"\x1b[0m",
    b"\x1b[1;33m",
    b"\x1b[01;35m\x1b[K",
    b"\r",
    b"\t",
    b"  ",
    b"\xc3\xa9",
    b"\xff",
    b"\x00",
]
SEPARATORS = [b"", b" ", b" ", b" ", b"\t", b":", b"-", b"/", b"\x1b[32m", b"\x1b[K", b"\r", b"0"]
SEPARATORS += [b"x", b"|"]


def check(chunk: bytes) -> None:
    for name, matcher in MATCHERS.items():
        expected = reference(matcher, chunk)
        assert matcher.scan(chunk) == expected, name
        if name in COMPILED:
            assert COMPILED[name].scan(chunk) == expected, f"{name}, hyperscan"
            # A line looked at alone (the failure tail's) by the compiled databases too.
            for line in chunk.splitlines(keepends=True):
                got = COMPILED[name].line_kind(line)
                assert got == matcher.line_kind(line), f"{name}, hyperscan, {line!r}"


def mutate_case(rng: random.Random, b: bytes) -> bytes:
    mode = rng.random()
    if mode < 0.5:
        return b
    if mode < 0.65:
        return b.upper()
    if mode < 0.75:
        return b.title()
    return bytes(c ^ 0x20 if 97 <= (c | 0x20) <= 122 and rng.random() < 0.5 else c for c in b)


def random_chunk(rng: random.Random, lines: int) -> bytes:
    out = []
    for _ in range(lines):
        n = rng.choice([0, 1, 1, 2, 3, 4, 6, 10])
        parts = [
            p
            for _ in range(n)
            for p in (mutate_case(rng, rng.choice(FRAGMENTS)), rng.choice(SEPARATORS))
        ]
        line = b"".join(parts)
        if rng.random() < 0.01:
            line *= rng.randrange(20, 200)  # a long line
        if rng.random() < 0.1:
            line = rng.choice([b" ", b"\t", b"\x1b[1m", b"  \x1b[31m\x1b[1m "]) + line
        out.append(line.replace(b"\n", b" "))
    eol = b"\r\n" if rng.random() < 0.2 else b"\n"
    chunk = eol.join(out)
    return chunk + eol if rng.random() < 0.7 else chunk


def test_every_piece_of_every_rule_finds_its_own_example() -> None:
    """A rule's required literals are in its example (else the analysis lost a literal)."""
    matcher = MATCHERS["built-in"]
    for i, rule in enumerate(RULES):
        example = rule.example.encode()
        assert matcher.scan(example) == reference(matcher, example), rule.name
        for piece in pieces(rule, i):
            if piece.test(example) and piece.literals is not None:
                hay = example if piece.cased else example.lower()
                assert any(lit in hay for lit in piece.literals), (rule.name, piece.literals)


def test_each_fragment_alone_and_cased() -> None:
    for frag in FRAGMENTS:
        for variant in (frag, frag.upper(), frag.title(), b"\x1b[31m" + frag + b"\x1b[0m"):
            check(variant + b"\nx\n  " + variant + b"\r\n" + variant)


def test_random_chunks() -> None:
    rng = random.Random(18)
    for _ in range(30):
        check(random_chunk(rng, rng.choice([1, 10, 100, 400])))


def test_the_last_resort_gives_the_same_answers() -> None:
    """Should re's parser ever change under the prefilter, one regex of all rules scans."""
    rng, matcher = random.Random(81), MATCHERS["built-in"]
    for _ in range(10):
        chunk = random_chunk(rng, 200)
        assert matcher._scan_re(chunk) == reference(matcher, chunk)


@pytest.mark.parametrize("sparse", [0.0, 1.0])
def test_single_byte_literals_by_literal_and_by_regex(
    sparse: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'%' and '/' are looked for by literal while rare and by regex when dense: both exact."""
    monkeypatch.setattr(prefilter, "SPARSE", sparse)
    rng = random.Random(1818)
    for _ in range(15):
        check(random_chunk(rng, rng.choice([10, 300])))


@pytest.mark.parametrize("rare", [0.0, 1.0])
def test_passes_by_re_and_by_find(rare: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass skips to its first byte by re's scan, or by bytes.find where that byte is rare
    in the log: every pass one way, then every pass the other, both exact."""
    monkeypatch.setattr(passes, "RARE", rare)
    _exact_with_new_plans(random.Random(4000), warm=False)  # each plan made under this RARE


@pytest.mark.parametrize("look", [0, 10**6])
def test_each_string_in_any_of_its_passes(look: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A string goes to one of the passes chosen for the strings (the cheapest for it): one
    that ends with the pass's byte, looked back from there, or one it continues after that
    byte; with and without the look-back's weight, the answers are exact."""
    monkeypatch.setattr(passes, "_LOOK", look)
    _exact_with_new_plans(random.Random(4242), warm=True)  # each plan made under this weight


def _exact_with_new_plans(rng: random.Random, *, warm: bool) -> None:
    """Random chunks scanned by a new matcher of each rule set, as the exact path scans them;
    ``warm``: planned first on other bytes than those scanned."""
    for _ in range(10):
        chunk = random_chunk(rng, rng.choice([10, 300]))
        for name, rules in RULE_SETS.items():
            matcher = Matcher(rules)
            if warm:
                matcher.scan(random_chunk(rng, 50))
            assert matcher.scan(chunk) == reference(matcher, chunk), name


@st.composite
def chunks(draw: st.DrawFn) -> bytes:
    parts = st.one_of(
        st.sampled_from(FRAGMENTS),
        st.sampled_from([*SEPARATORS, b"\n", b"\r\n"]),
        st.binary(max_size=6),
        st.sampled_from(FRAGMENTS).map(bytes.upper),
    )
    return b"".join(draw(st.lists(parts, max_size=30)))


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks())
def test_same_answers_as_the_exact_path(chunk: bytes) -> None:
    check(chunk)


KEEP_PARTS = st.sampled_from(
    [r"^", r"^(KEEP|Keep)", r"(ed)?", r"[0-9]+", r" ", r"deploy", r"(?:x|yz)", r"\b", r"stage",
     r"(?i:note)", r": ", r"[A-Z]", r"n", r"rr", r"%", r"/", r"\d", r"\s*", r"\w", r"$",
     r"(?i:[a-c]x)", r"[^x]", r"(?:|q)"]
)  # fmt: skip


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(KEEP_PARTS, min_size=1, max_size=5).map("".join), max_size=4),
    chunks(),
    chunks(),
)
def test_any_plan_any_rules_same_answers(keep: list[str], sample: bytes, chunk: bytes) -> None:
    """Whatever the passes are planned on (the first chunk's bytes choose where each string
    is searched from) and whatever ``--keep`` rules join (line-start forms of several rules,
    with groups, share one pass), the answers are the exact path's."""
    matcher = Matcher((*RULES, *extra_rules(keep, sorted(set(MARKERS)))))
    matcher.scan(sample)  # the plan is made from this one's bytes
    assert matcher.scan(chunk) == reference(matcher, chunk)
    assert matcher.scan(sample + chunk) == reference(matcher, sample + chunk)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(KEEP_PARTS, min_size=1, max_size=5).map("".join), max_size=4), chunks())
def test_one_regex_for_the_line_start_forms(keep: list[str], chunk: bytes) -> None:
    """The line-start forms of each pass (their shared leading items taken out, their
    branches and optional items spread, a lookahead for the bytes a line must start with)
    match after a newline exactly where one of them matches the line: the same lines, never
    fewer, never more."""
    matcher = Matcher((*RULES, *extra_rules([f"^{k}" for k in keep], sorted(set(MARKERS)))))
    assert matcher._pre is not None
    pre = matcher._pre
    for rx, ids, lowered in pre._bol:
        for line in chunk.split(b"\n"):
            hay = line.lower() if lowered else line
            alone = any(pre._pieces[k].test(hay) for k in ids)
            assert (rx.match(b"\n" + hay) is not None) == alone, (line, ids)


#: ``--keep`` rules that match many times on a line (hyperscan reports each match).
OFTEN = [r".", r"E+", r"(?i)e", r"[─]+", r"x\s+y", r"(?i)(?:ab|cd)+ done", r"o$", r"\d",
         # ... and match a newline (a match across it was reported on the next line), or
         # a buffer's edge (hyperscan's \A is the chunk's start)
         r"\s", r"\W", r"[^a-z]", r"done\s*", r"\Aheader", r"items?\Z"]  # fmt: skip


@functools.cache
def _often(keep: tuple[str, ...]) -> tuple[Matcher, Matcher]:
    """The exact and the compiled matcher of the rules with ``keep`` (a compile each)."""
    rules = (*RULES, *extra_rules(list(keep), sorted(set(MARKERS))))
    return Matcher(rules), Matcher(rules, compiler=HS)


@pytest.mark.skipif(HS is None, reason="hyperscan is not installed")
@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(OFTEN), min_size=1, max_size=2, unique=True), chunks())
@example([r"\s"], b"alpha beta\nnospace\nother\n")  # the next lines were kept too
@example([r"done\s*"], b"all done\nnospace\n")
@example([r"\Aheader"], b"x\nheader\n")  # kept by the exact path, not by hyperscan
def test_keep_rules_that_match_often_give_the_same_answers(keep: list[str], chunk: bytes) -> None:
    """A ``--keep`` rule is run on to its line's end for hyperscan, so a line's matches end
    at one place (``--keep .`` over a 400 kB line was a callback per byte, each looking back
    to the line's start: seconds a line), and its hits are checked on their line alone. The
    lines it keeps are the exact path's."""
    exact, compiled = _often(tuple(sorted(keep)))
    long_line = b"E" * 5000 + b" error long \xe2\x94\x80\xe2\x94\x80\n"
    for data in (chunk, long_line + chunk + long_line):
        assert compiled.scan(data) == exact.scan(data) == reference(exact, data)
