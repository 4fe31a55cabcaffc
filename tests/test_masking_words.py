"""Without hyperscan, secrets' forms are found by the aligned words they hold: the bytes of
every occurrence of every form, at any offset, overlapping ones too, exactly as a plain
search covers them (a run of occurrences as one span); and a text masks the same with either
matcher."""

from __future__ import annotations

import pytest
from conftest import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.engine.masking import words
from logtrim.engine.masking.mask import Masker, merged
from logtrim.engine.masking.words import Words, shortest


def _every(data: bytes, forms: list[bytes]) -> set[tuple[int, int]]:
    """Every ``[start, end)`` of every form in ``data``, by a plain search."""
    spans = set()
    for form in forms:
        at = data.find(form)
        while at >= 0:
            spans.add((at, at + len(form)))
            at = data.find(form, at + 1)
    return spans


#: Few distinct bytes: forms recur, overlap and share words in the text around them.
SMALL = st.binary(min_size=0, max_size=3).map(lambda b: b or b"a")


@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from([4, 8]), st.sampled_from(["as found", "place by place", "form by form"]),
       st.data())  # fmt: skip
def test_the_words_find_every_occurrence(width: int, way: str, data: st.DataObject) -> None:
    """Each way to look: a few places checked one by one; many places of a word many
    forms share (hostile output: one byte over and over) checked one by one, or each of
    those forms looked for whole: the same spans."""
    alphabet = st.sampled_from(b"ab\n\x00\xff")
    byte_text = st.lists(alphabet, max_size=60).map(bytes)
    forms = data.draw(
        st.lists(
            st.lists(alphabet, min_size=shortest(width), max_size=40).map(bytes),
            min_size=1, max_size=6, unique=True,
        )
    )  # fmt: skip
    pieces = data.draw(st.lists(st.one_of(byte_text, st.sampled_from(forms)), max_size=12))
    text = b"".join(pieces)
    table = Words(width)
    for form in forms:
        table.add(form)
    found: list[tuple[int, int]] = []
    with pytest.MonkeyPatch.context() as patch:
        if way != "as found":
            patch.setattr(words, "_FEW", 0)
            patch.setattr(words, "_CHECK", 0 if way == "place by place" else 10**9)
        table.find(text, found)
    # What they cover (a run of occurrences is one span: hostile output made one each).
    assert merged(found) == merged(list(_every(text, forms)))


@pytest.mark.parametrize("way", ["place by place", "form by form"])
def test_a_form_over_itself_is_found_at_every_place(way: str) -> None:
    """A secret of one byte repeated, in a run of that byte: the run, found whole."""
    table = Words(8)
    table.add(b"a" * 15)
    found: list[tuple[int, int]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(words, "_FEW", 0)
        patch.setattr(words, "_CHECK", 0 if way == "place by place" else 10**9)
        table.find(b"x" + b"a" * 40, found)
    assert merged(found) == [(1, 41)]  # one span for the run, not one for each place


#: Secrets a word table finds (8 bytes and more, some longer than a piece) and short ones.
SECRETS = st.lists(
    st.one_of(
        st.text(alphabet="ab9+/=", min_size=4, max_size=12),
        st.text(alphabet="abcdef0123 \n\"\\é", min_size=15, max_size=1500),
    ),
    min_size=1, max_size=4,
)  # fmt: skip


@pytest.mark.skipif(compiler() is None, reason="hyperscan is not installed")
@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SECRETS, st.lists(st.integers(min_value=0, max_value=3), max_size=8), st.binary(max_size=40))
def test_the_text_masks_the_same_with_either_matcher(
    secrets: list[str], picks: list[int], noise: bytes
) -> None:
    """Each secret (and its forms: base64, JSON, lines alone, pieces) shown at any offset in
    any bytes: masked alike by hyperscan and by the words, and none shows."""
    shown = [secrets[i % len(secrets)].encode() for i in picks]
    text = noise + noise.join(shown) + noise
    with_words = Masker(secrets).mask(text)
    assert with_words == Masker(secrets, compiler=compiler()).mask(text)


@pytest.mark.parametrize("width", [4, 8])
def test_many_forms_that_share_their_words_are_each_found(width: int) -> None:
    """Thousands of declared tokens alike but for their last digits (every word of most of
    them is every other's): each found where it is, at any offset, and no other."""
    forms = [b"secretvalue%08d" % n for n in range(3000)]
    table = Words(width)
    for form in forms:
        table.add(form)
    text = b"".join(b"%suse %s;" % (b"x" * (n % 9), forms[n * 7 % 3000]) for n in range(400))
    text += b"secretvalue9999999 secretvalue0000001"  # near misses: a digit short, not declared
    found: list[tuple[int, int]] = []
    table.find(text, found)
    # What they cover (a run of occurrences is one span: hostile output made one each).
    assert merged(found) == merged(list(_every(text, forms)))
    assert len(found) == 400


@settings(max_examples=examples(100), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.binary(min_size=4, max_size=24), max_size=3),  # forms added
            st.binary(max_size=200),  # text looked at next
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([0, 1, 10**9]),
    st.booleans(),
)
@example(  # compiled after the second look, then a form added: found by the tables
    steps=[([b"alpha-secret"], b"x" * 40), ([], b"y" * 40), ([b"bravo-secret"], b"bravo-secret")],
    rent=1,
    compiled=True,
)
def test_forms_added_between_looks_are_each_found(
    steps: list[tuple[list[bytes], bytes]], rent: int, compiled: bool
) -> None:
    """Forms added between looks (a log declaring secrets as it goes): each look finds every
    form added so far, wherever it is (as a plain search does, but where a longer form found
    at the same place covers it), whether the forms since the last compile are found by the
    tables or compiled again at once."""
    from logtrim.engine.masking import shards

    comp = compiler("auto") if compiled else None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shards, "_RENT", rent)
        found = shards.Shards(comp)
        forms: list[bytes] = []
        for added, text in steps:
            for form in added:
                if form not in forms:
                    forms.append(form)
                    found.add(form)
            # (the text holds some of the forms too)
            text = text + b"".join(forms[::2]) + text
            # Every occurrence covered, nothing else (a run of them is one span).
            assert merged(found.find(text)) == merged(list(_every(text, forms)))
