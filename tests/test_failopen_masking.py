"""The fail-open paths mask what the engine masks, whatever the reads: a secret with colour
codes between its characters (a terminal shows it whole), one cut across reads, one after a
code begun at a read's end that never ends (``\\x1b]0``: text, so its ``0`` is the secret's).

The last resort (:class:`~logtrim.run.unfiltered.EngineMask`, the engine's masker alone, and
:class:`~logtrim.run.unfiltered.CrudeMask`, when not even that can be built) and the engine
broken mid-run (:meth:`~logtrim.engine.masking.secrets.Secrets.passthrough_forms`), there also in a
command of the CI in use (no selector masks it as its CI reads it any more)."""

from __future__ import annotations

import terminal
from conftest import examples, insert_codes, split
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim.dialects import DIALECTS
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.policy import Policy
from logtrim.run.unfiltered import CrudeMask, EngineMask

SETTINGS = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SECRETS = st.lists(
    st.text(alphabet="abcXY012_ \n", min_size=4, max_size=12).filter(
        lambda s: len(s.replace("\n", "").strip()) >= 4 and not s.startswith("\n")
    ),
    min_size=1,
    max_size=2,
)
# Commands of each system, a line's start: a secret in one is masked too.
COMMANDS = [b"\n::warning::", b"\n##vso[task.logissue type=error]", b"\n##teamcity[message text='",
            b"\n##octopus[stdout-warning] "]  # fmt: skip
# Whole codes of every class, then codes begun that never end (text, so their bytes count).
WHOLE = terminal.CODES
CODES = [*WHOLE, b"\x1b[3", b"\x1b]0", b"\x1b[", b"\x1b(", b"\x1b]0;t\x1b", b"\x1b"]


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[str], bytes]:
    secrets = draw(SECRETS)

    def coloured(secret: bytes) -> st.SearchStrategy[bytes]:
        cuts = st.lists(st.tuples(st.integers(1, len(secret) - 1), st.sampled_from(WHOLE)))
        return cuts.map(lambda cs: insert_codes(secret, sorted(cs)))

    raw = st.sampled_from([s.strip("\r\n").encode() for s in secrets])
    item = st.one_of(
        st.sampled_from([b"x", b" ", b"\n", b"0", b"ERROR ", *CODES, *COMMANDS]),
        raw,
        raw.flatmap(coloured),
    )
    return secrets, b"".join(draw(st.lists(item, max_size=30)))


def _assert_masked(secrets: list[str], shown: bytes) -> None:
    for secret in secrets:
        raw = secret.strip("\r\n").encode()
        for text in (shown, terminal.shown(shown)):
            assert raw not in text, (raw, shown)


@SETTINGS
@given(streams(), st.lists(st.integers(min_value=0), max_size=8), st.booleans())
def test_the_last_resort_masks_coloured_secrets_whatever_the_reads(
    stream: tuple[list[str], bytes], cuts: list[int], crude: bool
) -> None:
    secrets, data = stream
    mask = CrudeMask(secrets) if crude else EngineMask(secrets)
    shown = b"".join(mask.feed(1, chunk) for chunk in split(data, cuts))
    _assert_masked(secrets, shown + mask.feed(1, b"", final=True))


@SETTINGS
@given(streams(), st.lists(st.integers(min_value=0), max_size=8), st.sampled_from(sorted(DIALECTS)))
def test_the_engine_broken_mid_run_masks_coloured_secrets_whatever_the_reads(
    stream: tuple[list[str], bytes], cuts: list[int], ci: str
) -> None:
    secrets, data = stream
    core = Core(Policy(masks=tuple(secrets)), DIALECTS[ci]())
    passthrough = core.secrets.failing.passthrough_forms
    forms = [passthrough(STDOUT, chunk, learn=True) for chunk in split(data, cuts)]
    forms.append(core.secrets.failing.passthrough_forms(STDOUT, b"", final=True, learn=True))
    for i in (0, 1):  # the archive, the console
        _assert_masked(secrets, b"".join(form[i] for form in forms))
