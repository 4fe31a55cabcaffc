"""A secret with accented letters is masked in either Unicode spelling: composed (``é``, one
code point) or decomposed (``e`` and U+0301), which a terminal shows alike. A tool may print
the other spelling than the one given (macOS file names are decomposed; most input methods
compose), so the archive and the console must not hold it in either."""

from __future__ import annotations

import sys
import unicodedata
from typing import Literal

from conftest import RunLogtrim, examples, feed_chunks, split
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.engine.core import Core
from logtrim.engine.masking.mask import MASK, Masker
from logtrim.engine.policy import Policy

Form = Literal["NFC", "NFD"]
SECRET = "Pässwörd-Café-ñ"  # composed, as typed
SPELLINGS = {form: unicodedata.normalize(form, SECRET).encode() for form in ("NFC", "NFD")}

# Letters with a canonical decomposition, and plain ones: secrets whose two spellings differ.
_ACCENTED = st.sampled_from("éèêëàâäöüñçåøÉÖÜÑ")
_PLAIN = st.sampled_from("abcdefgXYZ0123-_")
_SECRETS = st.lists(st.one_of(_ACCENTED, _PLAIN), min_size=6, max_size=24).filter(
    lambda chars: any(not c.isascii() for c in chars)
)


def test_both_spellings_of_a_given_secret_are_masked_by_the_masker() -> None:
    assert SPELLINGS["NFC"] != SPELLINGS["NFD"]
    masker = Masker([SECRET], compiler=compiler())
    for spelled in SPELLINGS.values():
        assert masker.mask(b"login with " + spelled + b" ok\n") == b"login with " + MASK + b" ok\n"


def test_a_secret_given_decomposed_is_masked_where_it_is_printed_composed() -> None:
    masker = Masker([SPELLINGS["NFD"].decode()], compiler=compiler())
    assert masker.mask(b"pw=" + SPELLINGS["NFC"] + b"\n") == b"pw=" + MASK + b"\n"


@settings(max_examples=examples(200), deadline=None)
@given(
    chars=_SECRETS,
    form=st.sampled_from(["NFC", "NFD"]),
    given_form=st.sampled_from(["NFC", "NFD"]),
    before=st.binary(max_size=40),
    after=st.binary(max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=6),
)
def test_no_spelling_of_a_secret_survives_whatever_the_bytes_around_it(
    chars: list[str], form: Form, given_form: Form, before: bytes, after: bytes, cuts: list[int]
) -> None:
    secret = unicodedata.normalize(given_form, "".join(chars))
    printed = unicodedata.normalize(form, secret).encode()
    data = before + printed + after + b"\n"
    core = Core(Policy(masks=(secret,)))
    archive, emits, _ = feed_chunks(core, split(data, cuts), [], 0.0)
    console = b"".join(text for _, text in emits)
    whole = b"".join(archive) + core.finish_input(0.0)[0]
    for spelled in {unicodedata.normalize(f, secret).encode() for f in ("NFC", "NFD")}:
        assert spelled not in whole
        assert spelled not in console


def test_a_run_masks_the_other_spelling_in_archive_and_console(run_logtrim: RunLogtrim) -> None:
    """A real step prints the decomposed spelling of a secret given composed (``--mask``),
    on both streams; neither reaches the archive or the console."""
    code = (
        "import sys, unicodedata\n"
        f"s = unicodedata.normalize('NFD', {SECRET!r}).encode()\n"
        "sys.stdout.buffer.write(b'connecting with ' + s + b'\\n')\n"
        "sys.stderr.buffer.write(b'error: login ' + s + b' refused\\n')\n"
        "sys.exit(4)\n"
    )
    result = run_logtrim("--ci", "plain", "--mask", SECRET, "--", sys.executable, "-c", code)
    assert result.code == 4
    assert b"connecting with " + MASK in result.archive
    for spelled in SPELLINGS.values():
        assert spelled not in result.archive
        assert spelled not in result.console


def test_a_spelling_shorter_than_a_secret_is_not_masked() -> None:
    """``e`` + U+0301 twice is 4 code points, but composed it is ``éé``: 2 characters, as
    short as ordinary words. That spelling is left out; the given one is masked."""
    masker = Masker(["e\u0301e\u0301"], compiler=compiler())
    text = "ordinary text: éé and e\u0301e\u0301\n".encode()
    assert masker.mask(text) == "ordinary text: éé and ".encode() + MASK + b"\n"
