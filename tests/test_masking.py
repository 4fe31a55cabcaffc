"""Masking secrets: the ``Masker`` and the engine's use of it (issue 4)."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.dialects.octopus import Octopus
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.masking.mask import MASK, Masker
from logtrim.engine.match.matcher import Database
from logtrim.engine.policy import Policy


def test_masks_plain_and_base64_forms() -> None:
    """A secret is masked as text and as the base64 a service message carries."""
    m = Masker(["s3cr3t-value"])
    b64 = base64.b64encode(b"s3cr3t-value")
    assert m.mask(b"a s3cr3t-value b " + b64) == b"a " + MASK + b" b " + MASK


def test_a_secret_over_several_lines_is_masked_with_either_line_ending() -> None:
    """A terminal or a Windows tool prints ``\\n`` as ``\\r\\n`` (and a value read with
    ``\\r\\n`` may be printed with ``\\n``): the secret is the same."""
    for secret, printed in (("first-line\nsecond-line", "first-line\r\nsecond-line"),
                            ("first-line\r\nsecond-line", "first-line\nsecond-line")):  # fmt: skip
        masker = Masker([secret])
        masked = masker.mask(b"before " + printed.encode() + b" after")
        assert b"first-line" not in masked and b"second-line" not in masked
        assert masked.startswith(b"before ") and masked.endswith(b" after")


def test_short_values_refused() -> None:
    """Values under 4 characters are not masked and are reported back."""
    m = Masker()
    assert m.add("abc", "") == ["abc"]
    assert m.mask(b"abc") == b"abc"
    assert not m


def test_overlapping_secrets_masked_as_union() -> None:
    """Overlapping secrets leave no fragment of either."""
    m = Masker(["abcdef", "defghi"])
    assert m.mask(b"xxabcdefghixx") == b"xx" + MASK + b"xx"


def test_secret_inside_longer_secret() -> None:
    """A secret that is part of a longer one is covered by the longer."""
    m = Masker(["pass", "password123"])
    assert m.mask(b"password123 pass") == MASK + b" " + MASK


def test_no_secrets_is_identity() -> None:
    """With no secrets the data passes unchanged."""
    assert Masker().mask(b"anything \x00\xff") == b"anything \x00\xff"


def test_safe_cut_never_splits_a_secret() -> None:
    """A cut point inside a secret moves to its start."""
    m = Masker(["0123456789"])
    data = b"abc0123456789xyz"
    assert m.safe_cut(data, 6) == 3
    assert m.safe_cut(data, 2) == 2


def test_many_secrets_same_answer_on_both_engines() -> None:
    """With 100 secrets, every one is masked, and both matcher engines agree byte for byte."""
    secrets = [f"zz-secret-{i:03d}" for i in range(100)]
    data = b"".join(f"copying {s} and {s[::-1]} to /var/www\n".encode() for s in secrets) * 3
    fast = Masker(secrets, compiler=compiler())
    plain = Masker(secrets)
    masked = plain.mask(data)
    assert fast.mask(data) == masked
    assert not any(s.encode() in masked for s in secrets)
    assert masked.count(b"********") == 300


def feed_all(core: Core, chunks: list[bytes]) -> tuple[bytes, bytes]:
    archive, console = b"", b""
    for i, chunk in enumerate(chunks):
        arch, emits = core.feed(STDOUT, chunk, float(i))
        archive += arch
        console += b"".join(d for _, d in emits)
    arch, emits = core.finish_input(99.0)
    archive += arch
    console += b"".join(d for _, d in emits)
    emits, _ = core.close(1, 99.0, archive="/tmp/a", archive_name="a", archive_size=1)
    console += b"".join(d for _, d in emits)
    return archive, console


def test_secret_split_across_chunks_masked() -> None:
    """A secret arriving in two reads is still masked in archive and console."""
    core = Core(Policy(head=0, masks=("hunter2-long-secret",)))
    archive, console = feed_all(core, [b"ERROR: pw hunter2-lo", b"ng-secret end\n"])
    assert archive == b"ERROR: pw ******** end\n"
    assert b"ERROR: pw ******** end\n" in console


def test_secret_split_inside_very_long_line() -> None:
    """A secret straddling the cut of a line too long to hold is masked."""
    core = Core(Policy(head=0, masks=("straddling-secret",)), max_pending=64)
    line = b"x" * 60 + b"straddling-secret" + b"y" * 200 + b"\n"
    chunks = [line[i : i + 7] for i in range(0, len(line), 7)]
    archive, console = feed_all(core, chunks)
    assert b"straddling" not in archive
    assert archive.replace(MASK, b"S") == b"x" * 60 + b"S" + b"y" * 200 + b"\n"
    assert b"straddling" not in console


def test_learned_secret_redacted_in_declaring_line_of_archive() -> None:
    """The archive copy of a sensitive setVariable holds neither value nor base64."""
    value = "learned-secret-1"
    b64 = base64.b64encode(value.encode()).decode()
    declare = f"##octopus[setVariable name='WA==' value='{b64}' sensitive='VHJ1ZQ==']\n".encode()
    core = Core(Policy(head=0), Octopus())
    archive, console = feed_all(core, [declare, f"ERROR: {value}\n".encode()])
    assert declare in console  # Octopus needs the line verbatim
    assert b64.encode() not in archive
    assert value.encode() not in archive
    assert b"ERROR: ********\n" in console


def test_masked_lines_stay_shown() -> None:
    """A line with a secret is shown masked, not dropped."""
    core = Core(Policy(head=0, masks=("visible-secret",)))
    _, console = feed_all(core, [b"copy\n" * 50 + b"ERROR: visible-secret failed\n"])
    assert b"ERROR: ******** failed\n" in console


class _Counting:
    """The real compiler, counting the databases it builds."""

    def __init__(self) -> None:
        self.real = compiler()
        self.built = 0

    def rules(
        self, patterns: Sequence[bytes], caseless: Sequence[bool], *, optional: bool = False
    ) -> Database | None:
        return None

    def literals(self, values: Sequence[bytes], *, caseless: bool = False) -> Database | None:
        self.built += 1
        return None if self.real is None else self.real.literals(values, caseless=caseless)


def test_secrets_learned_one_by_one_compile_once() -> None:
    """A log declaring its secrets one by one (a report learns a whole file's before reading
    it) builds the matcher once, not once per secret: quadratic in their number (issue 17);
    and a secret declared later is masked at once, before the matcher is built again with
    it (once its forms were looked for through as many bytes as a build costs)."""
    counting = _Counting()
    m = Masker(compiler=counting)
    secrets = [f"ManySecret-{i:05d}-xyz" for i in range(200)]
    for secret in secrets:
        m.add(secret)
    assert m.max_len == max(len(f) for f in m.forms)
    text = " ".join(secrets).encode()
    masked = b" ".join([MASK] * len(secrets))
    for _ in range(2000):  # about 10 MB looked through: the build is paid for, once
        assert m.mask(text) == masked
    assert counting.built == 1
    m.add("one-more-secret")
    assert m.mask(b"x one-more-secret ManySecret-00000-xyz") == b"x " + MASK + b" " + MASK
    assert counting.built == 1  # found by the tables that take forms as they come
    for _ in range(2000):
        assert m.mask(text + b" one-more-secret") == masked + b" " + MASK
    assert counting.built == 2


@given(
    st.lists(
        st.tuples(
            st.text("ab\n", min_size=1, max_size=6),
            st.binary(max_size=20).map(lambda b: b.replace(b"c", b"ab")),
        ),
        max_size=8,
    )
)
def test_learning_then_masking_as_learning_all_at_once(steps: list[tuple[str, bytes]]) -> None:
    """Masks interleaved with adds give what a masker holding the secrets so far gives."""
    m = Masker(compiler=compiler())
    known: list[str] = []
    for secret, data in steps:
        m.add(secret)
        known.append(secret)
        fresh = Masker(known, compiler=compiler())
        assert (m.mask(data), m.max_len, m.multiline) == (
            fresh.mask(data),
            fresh.max_len,
            fresh.multiline,
        )


@pytest.mark.parametrize(
    "flag", [" True", "tRUE", "True\n", " true ", "True\x00", "\x00True", "\x00\x00 TRUE \x00"]
)
def test_a_sensitive_flag_bool_parse_accepts_is_learned(flag: str) -> None:
    """`sensitive` is read as .NET's bool.Parse reads it (any case, blanks and NULs around:
    ``Boolean.TryParse`` trims both): a value the server would take as sensitive is masked by
    logtrim too (``True\0`` was not, and the secret was printed and archived)."""
    value = "learned-secret-2"
    b64 = base64.b64encode(value.encode()).decode()
    sensitive = base64.b64encode(flag.encode()).decode()
    declare = f"##octopus[setVariable name='WA==' value='{b64}' sensitive='{sensitive}']\n"
    core = Core(Policy(head=0), Octopus())
    archive, console = feed_all(core, [declare.encode(), f"ERROR: {value}\n".encode()])
    assert value.encode() not in archive + console


def test_the_summary_says_its_shown_bytes_are_what_was_printed() -> None:
    """A mask longer than the secret it replaces: the summary's shown bytes are the bytes the
    console got for the script's lines (more than were written), and it says so."""
    core = Core(Policy(masks=("abcd",)))
    written = b"login abcd\nlogin ok\n"
    emits = core.feed(STDOUT, written, 0.0)[1] + core.finish_input(0.0)[1]
    printed = b"".join(data for _, data in emits)
    assert printed == b"login ********\nlogin ok\n"
    closing = core.close(0, 1.0)[0]
    head = next(data for _, data in closing if b"; shown " in data).decode()
    assert f"{len(written)} B) in " in head
    assert head.endswith(f"; shown 2 lines ({len(printed)} B printed)\n")


@pytest.mark.parametrize("code", [b"\x1b[1;31m", b"\x1b[  @", b"\x1b]0;title\x07"])
@pytest.mark.parametrize("at", [1, 4, 9])
def test_a_coloured_secret_at_the_end_of_a_read_of_a_long_line_is_masked(
    code: bytes, at: int
) -> None:
    """A line too long to hold is handed out in pieces as it comes: a read that ends inside
    a secret split by a colour code (a terminal shows it whole) holds back its start, codes
    included, however long they make it; every read of the line gives the same archive."""
    secret = "s3cr3t-Pa55w0rd"
    coloured = secret[:at].encode() + code + secret[at:].encode()
    line = b"y" * 300 + coloured + b" ok\n"
    start = line.index(coloured)
    for cut in range(start, start + len(coloured)):
        core = Core(Policy(head=0, masks=(secret,)), max_pending=64)
        archive, console = feed_all(core, [line[:cut], line[cut:]])
        assert archive == b"y" * 300 + MASK + b" ok\n", cut
        assert secret[:at].encode() + code not in console + archive, cut


@pytest.mark.parametrize("code", [b"", b"\x1b[1;31m" * 4])
@pytest.mark.parametrize("max_pending", [64, 256, pytest.param(1 << 20, marks=pytest.mark.slow)])
def test_a_long_lines_shown_start_never_ends_inside_a_secret(code: bytes, max_pending: int) -> None:
    """The console shows a line too long to hold by its start: a secret (with colour codes
    inside at times) that the start's cut would split is left out whole, at any place."""
    secret = "s3cr3t-Pa55w0rd"
    coloured = secret[:4].encode() + code + secret[4:].encode()
    probe = Core(Policy(), max_pending=max_pending)
    size = probe.shaper.max_line  # the start shown: about this many bytes
    step = 1 if max_pending < 4096 else 6  # lines of 2 MiB: every sixth place
    for at in range(size - len(coloured), size + 1, step):
        line = b"ERROR " + b"y" * at + coloured + b"z" * (2 * max_pending) + b"\n"
        archive, console = feed_all(Core(Policy(masks=(secret,)), max_pending=max_pending), [line])
        assert archive == line.replace(coloured, MASK), at
        assert b"s3cr" not in console, at
