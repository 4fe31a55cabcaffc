"""A secret given with blanks around it (pasted into a variable with a stray space or tab) is
also masked without them: a step prints the bare value (``pw=hunter2pass``), and the blanks
are no part of the secret to anyone reading it. A bare value shorter than a secret may be is
left out, as any short value: it would mask ordinary words."""

from __future__ import annotations

import sys

from conftest import RunLogtrim
from hypothesis import given
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.engine.masking.mask import MASK, Masker

BARE = "hunter2pass"


def test_a_run_masks_a_variables_secret_without_its_blanks(run_logtrim: RunLogtrim) -> None:
    """``--mask-env`` of a variable holding `` hunter2pass\\t``: the step prints the value
    bare on both streams; neither the archive nor the console holds it."""
    code = (
        "import sys\n"
        f"print('pw={BARE}')\n"
        f"sys.stderr.write('error: login {BARE} refused\\n')\n"
        "sys.exit(3)\n"
    )
    result = run_logtrim(
        "--ci", "plain", "--mask-env", "SP", "--", sys.executable, "-c", code,
        env={"SP": f" {BARE}\t"},
    )  # fmt: skip
    assert result.code == 3
    assert b"pw=" + MASK in result.archive
    assert BARE.encode() not in result.archive
    assert BARE.encode() not in result.console


@given(
    before=st.binary(max_size=20),
    after=st.binary(max_size=20),
    blanks=st.tuples(st.sampled_from(["", " ", "\t", "  "]), st.sampled_from(["", " ", "\t"])),
)
def test_no_bare_secret_survives_whatever_the_bytes_around_it(
    before: bytes, after: bytes, blanks: tuple[str, str]
) -> None:
    masker = Masker([blanks[0] + BARE + blanks[1]], compiler=compiler())
    assert BARE.encode() not in masker.mask(before + BARE.encode() + after)


def test_a_bare_value_shorter_than_a_secret_is_not_masked() -> None:
    """`` abcd `` is a secret of six characters; ``abcd`` alone would be too, but `` ab ``
    bare is two: ordinary text keeps it."""
    masker = Masker([" ab ", " abcd "], compiler=compiler())
    assert masker.mask(b"grab a cab: abcd\n") == b"grab a cab: " + MASK + b"\n"


def test_a_bare_value_too_short_to_mask_is_said(run_logtrim: RunLogtrim) -> None:
    """`` abc ``: masked with its blanks; ``abc`` alone is too short to mask, and a warning
    says so, as for any short value (it was silent)."""
    result = run_logtrim("--mask", " abc ", "--", "sh", "-c", "echo token=abc")
    assert result.code == 0
    assert b"not masking a value without the blanks around it: 3 characters" in result.stderr
