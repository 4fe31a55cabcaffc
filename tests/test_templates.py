"""Line templates: what ``logtrim stats`` groups lines by."""

from __future__ import annotations

import pickle
from typing import Any

from conftest import examples, split
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logtrim.engine.shapes.templates import (
    coarse,
    template,
    template_uncached,
    templates_of,
    templates_of_keys,
)
from logtrim.engine.stats.counting import TemplateCounter

# Bytes that make up log lines, weighted towards the characters the regex cares about.
_ALPHABET = st.sampled_from(list(b"0123456789abcdefxgz-._:/\\~'\" TZ\t<>n"))
_LINES = st.lists(_ALPHABET, max_size=60).map(bytes)


def test_placeholders_for_each_kind_of_variable() -> None:
    """Numbers, hex ids, uuids, paths, timestamps and quoted strings become placeholders."""
    line = (
        b"2024-05-01T12:41:39.272Z job 550e8400-e29b-41d4-a716-446655440000 sha 9f86d081884c "
        b"wrote /srv/app/releases/42/a.js in 3.5s at 16:05:22 for 'web shop' \"x\" 0x1F"
    )
    assert template(line) == (
        b"<ts> job <uuid> sha <hex> wrote <path> in <n>s at <ts> for '<str>' \"<str>\" <hex>"
    )


def test_words_stay_words() -> None:
    """Ordinary words, also those made of hex letters, and apostrophes are not placeholders."""
    assert template(b"can't add bead to cafe; it's faded") == b"can't add bead to cafe; it's faded"
    assert template(b"deployed web-01 v1.2.3") == b"deployed web-<n> v<n>"


def test_lines_differing_in_numbers_share_a_template() -> None:
    """Two lines that differ only in their numbers land in one template."""
    assert template(b"Processed batch 1 in 5 ms") == template(b"Processed batch 88924 in 638 ms")


@settings(max_examples=examples(500))
@given(_LINES)
def test_template_is_idempotent(line: bytes) -> None:
    """Templating a template changes nothing."""
    once = template_uncached(line)
    assert template_uncached(once) == once


@settings(max_examples=examples(500))
@given(_LINES)
def test_digits_do_not_matter(line: bytes) -> None:
    """Mapping every digit to 0 gives the same template (what the fast counter relies on)."""
    assert template_uncached(coarse(line)) == template_uncached(line)
    assert template(line) == template_uncached(line)


# Lines for the bulk path: whole tokens that span a space (date-times, quoted strings,
# Windows paths) among the random bytes.
_TOKENS = st.sampled_from(
    [
        *(b"2024-05-01 12:41:39.272Z", b"2024-05-01T12:41", b"1 2 3", b"'a b'", b'"c d"'),
        *(b"C:\\Program Files\\x 1", b"9f86d081884c", b"/srv/a b/c", b" ", b""),
    ]
)
_BULK_LINES = st.lists(st.one_of(_LINES, _TOKENS), max_size=8).map(b" ".join)
# One line for each kind of match that spans a space.
_SPANNING = [b"at 2024-05-01 12:41:39Z 1 2", b"say 'a b'", b'say "c d"', b"C:\\a b\\c d"]


@settings(max_examples=examples(60))
@given(
    st.lists(_BULK_LINES, max_size=120),
    st.sampled_from([b"", b"\x00", b"\x01"]),
    st.sampled_from([None, True, False]),
)
def test_bulk_templates_equal_line_by_line(
    lines: list[bytes], odd: bytes, by_field: bool | None
) -> None:
    """Templating many lines at once (field by field) gives each line's own template, also
    with the bytes that the bulk path uses for itself in the input."""
    lines = [*lines, *_SPANNING, b"a " + odd + b" 1"]
    expected = [template_uncached(line) for line in lines]
    assert templates_of(lines, by_field=by_field) == expected


@settings(max_examples=examples(60))
@given(st.lists(_BULK_LINES, max_size=60), st.lists(_BULK_LINES, max_size=60))
def test_bulk_templates_with_fields_cached_from_earlier_batches(
    first: list[bytes], second: list[bytes]
) -> None:
    """The fields' templates kept from one batch of lines for the next give each line its
    own template still."""
    cache: dict[bytes, bytes] = {}
    for lines in ([*first, *_SPANNING], [*second, *_SPANNING, *first]):
        expected = [template_uncached(line) for line in lines]
        assert templates_of(lines, by_field=True, cache=cache) == expected


@settings(max_examples=examples(60))
@given(
    st.lists(_BULK_LINES, max_size=120),
    st.lists(_BULK_LINES, max_size=60),
    st.sampled_from([None, True, False]),
)
def test_templates_of_keys_equal_line_by_line(
    first: list[bytes], second: list[bytes], by_field: bool | None
) -> None:
    """Lines as the counter holds them (digits as 0, each with its newline), templated in
    bulk with the fields of an earlier batch kept, give each line's own template."""
    cache: dict[bytes, bytes] = {}
    for lines in ([*first, *_SPANNING], [*second, *first, b"a \x00 1", b"b \x01"]):
        keys = [coarse(line.replace(b"\n", b" ")) + b"\n" for line in lines]
        expected = [template_uncached(key[:-1]) for key in keys]
        assert templates_of_keys(keys, by_field=by_field, cache=cache) == expected


@given(st.lists(_LINES, max_size=30), st.booleans())
def test_counter_totals_equal_input(lines: list[bytes], newline_at_end: bool) -> None:
    """Lines and bytes per template add up to the input's lines and size."""
    lines = [line.replace(b"\n", b"") for line in lines]
    data = b"\n".join(lines) + (b"\n" if newline_at_end and lines else b"")
    counter = TemplateCounter()
    counter.feed(data)
    result = counter.result()
    assert sum(stat.size for stat in result.values()) == len(data)
    expected_lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    assert sum(stat.lines for stat in result.values()) == expected_lines


def test_counter_folds_without_changing_totals() -> None:
    """Counting in small memory (folding often) gives the same figures as counting at once."""
    data = b"".join(b"job %d took %d ms id %x\n" % (i, i * 7, i * 977) for i in range(3000))
    lines = data.splitlines(keepends=True)
    small = TemplateCounter(fold_at=10)
    for i in range(0, len(lines), 7):
        small.feed(b"".join(lines[i : i + 7]))
    big = TemplateCounter()
    big.feed(data)
    as_tuples = {k: (v.lines, v.size) for k, v in big.result().items()}
    assert {k: (v.lines, v.size) for k, v in small.result().items()} == as_tuples
    assert sum(v.size for v in big.result().values()) == len(data)


def _figures(counter: TemplateCounter) -> list[tuple[bytes, int, int, bytes]]:
    return [(k, v.lines, v.size, v.example) for k, v in counter.result().items()]


@given(
    st.lists(_LINES, max_size=40),
    st.lists(st.integers(0, 10_000)),
    st.integers(1, 5),
    st.integers(1, 300),
    st.integers(1, 4),
)
def test_any_chunking_counts_the_same(
    lines: list[bytes], cuts: list[int], fold_at: int, fold_bytes: int, batch: int
) -> None:
    """Chunks cut at any line starts, folded at any point (by count or by the bytes of the
    distinct lines held), templated in batches of any size, or counted in two parts and
    added (as ``stats`` does on two cores), give the figures of one pass, in its order;
    chunks cut inside lines still add up to the input's size."""
    data = b"".join(line.replace(b"\n", b"") + b"\n" for line in lines)
    whole = TemplateCounter()
    whole.feed(data)
    starts = [0, *(i + 1 for i, byte in enumerate(data) if byte == 10)]
    at = sorted({starts[c % len(starts)] for c in cuts})
    parts = [data[a:b] for a, b in zip([0, *at], [*at, len(data)], strict=True)]
    chunked = TemplateCounter(fold_at=fold_at)
    by_size = TemplateCounter(fold_bytes=fold_bytes, batch=batch)
    for part in parts:
        by_size.feed(part)
    assert _figures(by_size) == _figures(whole)
    for part in parts:
        chunked.feed(part)
    assert _figures(chunked) == _figures(whole)
    first, second = TemplateCounter(), TemplateCounter()
    middle = len(parts) // 2
    for part in parts[:middle]:
        first.feed(part)
    for part in parts[middle:]:
        second.feed(part)
    first.result()
    first.add(second.lines, second.result())
    assert _figures(first) == _figures(whole) and first.lines == whole.lines
    # As ``stats`` does: each half templates one parity of the lines it holds and hands the
    # other its templates (pickled: they go to another process), then each folds its own.
    before, after = TemplateCounter(fold_bytes=fold_bytes), TemplateCounter(fold_bytes=fold_bytes)
    for part in parts[:middle]:
        before.feed(part)
    for part in parts[middle:]:
        after.feed(part)
    mine, theirs = before.share(0), after.share(1)
    before.learn(pickle.loads(pickle.dumps(theirs)))
    after.learn(pickle.loads(pickle.dumps(mine)))
    before.result()
    before.add(after.lines, pickle.loads(pickle.dumps(after.result())))
    assert _figures(before) == _figures(whole) and before.lines == whole.lines
    pieces = TemplateCounter(fold_at=fold_at)
    for piece in split(data, cuts):
        pieces.feed(piece)
    assert sum(stat.size for stat in pieces.result().values()) == len(data)


class _ShortKeys(TemplateCounter):
    KEY_MAX = 12  # lines past it are common here


def _one_by_one(data: bytes, key_max: int) -> list[tuple[bytes, int, int, bytes]]:
    """What counting means, line by line: each line templated on its first ``key_max``
    bytes (digits as 0), its newline in its size; templates in the order they come."""
    out: dict[bytes, list[Any]] = {}
    for line in data.splitlines(keepends=True):
        key = coarse(line.rstrip(b"\n")[:key_max])
        entry = out.setdefault(template_uncached(key), [0, 0, key])
        entry[0] += 1
        entry[1] += len(line)
    return [(tpl, lines, size, key) for tpl, (lines, size, key) in out.items()]


@given(
    st.lists(st.lists(_ALPHABET, max_size=30).map(bytes), max_size=40),
    st.lists(st.integers(0, 10_000)),
    st.booleans(),
)
def test_long_lines_count_on_their_first_bytes_however_chunked(
    lines: list[bytes], cuts: list[int], newline_at_end: bool
) -> None:
    """Lines past KEY_MAX, among others, in chunks cut at any line starts: each counts under
    the template of its first KEY_MAX bytes, in the order a line-by-line count gives."""
    data = b"\n".join(line.replace(b"\n", b"") for line in lines)
    data += b"\n" if newline_at_end and lines else b""
    starts = [0, *(i + 1 for i, byte in enumerate(data) if byte == 10)]
    at = sorted({starts[c % len(starts)] for c in cuts})
    counter = _ShortKeys(fold_at=7)
    for a, b in zip([0, *at], [*at, len(data)], strict=True):
        counter.feed(data[a:b])
    assert _figures(counter) == _one_by_one(data, _ShortKeys.KEY_MAX)
    assert counter.lines == len(data.splitlines())


#: What may stand around a UUID on a line: separators, numbers, times, dates, paths, quotes.
_AROUND = st.sampled_from(
    [b" ", b"=", b"/", b"-", b">", b"<", b"'", b'"', b"x", b"id", b"_", b"\\", b"~", b".",
     b":", b",", b"0x", b"12", b"1.2", b"ab", b"2024-05-01 ", b"2024-05-01T", b"12:00:00",
     b"12:00:00.5", b"/srv/app/", b"@", b"+", b"#", b"(", b"]"]
)  # fmt: skip
_UUIDS = st.uuids().map(lambda u: str(u).encode()) | st.uuids().map(
    lambda u: str(u).upper().encode()
)


@settings(max_examples=examples(600), deadline=None)
@given(st.lists(_UUIDS | _AROUND, min_size=1, max_size=8).map(b"".join))
# A UUID where a time's fraction, a version or a time could read on into its digits.
@example(b"12:00:00.de4ab2cd-9c01-a427-f6a7-a23eab2697b8 done")
@example(b"build 1.2,ab0c1d2e-0000-4000-8000-00000000000a")
@example(b"2024-05-01 12:b0b5e65e-aaa9-4a15-18bc-f60697e3d6f9")
def test_a_line_with_uuids_has_the_template_of_one_regex_pass(line: bytes) -> None:
    """The cache stands one spelling for each UUID it finds alone (a request id on each line
    missed it): the template is still the regex pass's over the line, whatever is around."""
    assert template(line) == template_uncached(line)
    assert template(line.upper()) == template_uncached(line.upper())
