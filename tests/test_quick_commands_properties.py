"""Inert command lines (``Dialect.quick``) pass on a short path: the same answers as reading
each one through every dialect.

A test reporter prints a command or two per test (``##teamcity[testStarted ...]``,
``::group::``, ``##[group]``): the engine forwards such a line without decoding it, asking
each dialect, or masking its values one by one, when its bytes show that none of that can
change it. The property drives two engines over the same command-heavy output in the same
chunks, one with the short path and one without (``quick`` off on every dialect): the
console, the archive, the closing lines and the notes must be the same bytes, whatever the
chunks, with secrets declared among the commands that print them, pauses, level switches,
messages open over lines and near misses of the quick shapes interleaved.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.dialects import DIALECTS
from logtrim.dialects.base import Dialect
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.policy import Policy

PROPERTY = settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SECRET = "S3cr3t-9f8e7d"
B64 = base64.b64encode(SECRET.encode()).decode()
SENSITIVE = "sensitive='VHJ1ZQ=='"  # base64 of True
# A secret with bytes the servers' escapes stand for, and its spellings in them.
ESCAPED = "p4ss;w0rd]"
SPELLED = ["p4ss%3Bw0rd%5D", "p4ss|0x003Bw0rd|]", "p4ss;w0rd|]", "p4ss%AZP3Bw0rd"]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# Values of a command: plain words, the secret (whole, in part, encoded), near misses of the
# quick shapes' bytes (an escape, a URL's password, a quote).
SECRETS = [SECRET, f"x{SECRET}y", SECRET[:6], B64, *SPELLED]
VALUES = st.sampled_from(
    [
        "pkg.test_1",
        "a b",
        "",
        "group",
        "endgroup",
        "ServiceMessages",
        "stop-commands",
        "tok",
        "http://u:pw@host/x",
        "p|]q",
        "a%3Ab",
        "it's",
        "##octopus[stdout-verbose]",
        "::add-mask::abcdef",
        "S3cr3t",
        "9f8e7d",
    ]
) | st.sampled_from(SECRETS)
QUICK = {
    "teamcity": [
        "##teamcity[testStarted name='{v}' flowId='1']", "##teamcity[testFailed message='{v}']",
        "##teamcity[progressMessage '{v}']",
    ],
    "github": ["::group::{v}", "::notice file=a.py,line=1::{v}", "::debug::{v}"],
    "azure": [
        "##[group]{v}", "##vso[task.logissue type=warning]{v}", "##[error]{v}",
        "##vso[task.setprogress value=40;]{v}", "##vso[task.setprogress value=7]{v}",
    ],
    # Level switches (``Write-Verbose`` writes two a line); near misses: text after one,
    # another case (Calamari reads it: the dialect's path), another name.
    "octopus": [
        "##octopus[stdout-verbose]", "##octopus[stdout-default]", "##octopus[stderr-progress]",
        "##octopus[stdout-warning]", "##octopus[stdout-verbose]{v}", "##octopus[STDOUT-VERBOSE]",
        "##octopus[stdout-verbos]", "##octopus[stderr-ignore]\r",
    ],
}  # fmt: skip


@st.composite
def quick_lines(draw: st.DrawFn, ci: str) -> str:
    """A line of the quick shapes of ``ci``, or near one, with any value."""
    return draw(st.sampled_from(QUICK[ci])).format(v=draw(VALUES))


@st.composite
def lines(draw: st.DrawFn) -> str:
    """One line of a command-heavy log, of any system (the one in use or not)."""
    v = draw(VALUES)
    n = draw(st.integers(0, 999))
    return draw(
        st.sampled_from(
            [
                # The quick shapes, with any value.
                f"##teamcity[testStarted name='{v}' flowId='{n}']",
                f"##teamcity[testFinished name='pkg.test_{n}' duration='{n}']",
                f"::group::{v}",
                "::endgroup::",
                f"::debug::{v}",
                f"::notice file=a.py,line={n}::{v}",
                f"##[group]{v}",
                "##[endgroup]",
                f"##vso[task.logissue type=warning]{v}",
                f"##vso[task.logissue type=error;sourcepath=a.py;]{v}",
                # Near misses: a space before, another case, \r\n, text around.
                f" ::group::{v}",
                f"::GROUP::{v}",
                f"::group::{v}\r",
                f"say ##teamcity[testStarted name='{v}']",
                f"##teamcity[testStarted name='{v}'] after",
                f"##teamcity[TestStarted name='{v}']",
                # Declarations, in every system's syntax.
                f"::add-mask::{v}",
                f"::add-mask::{SECRET}",
                f"##vso[task.setsecret]{SECRET}",
                f"##vso[task.setvariable variable=T;issecret=true]{v}",
                f"##octopus[setVariable name='{_b64('T')}' value='{B64}' {SENSITIVE}]",
                f"##octopus[setVariable name='{_b64('T')}' value='{B64}'",
                f"{SENSITIVE}]",
                # State: pauses, switches, progress, results.
                "::stop-commands::tok",
                "::tok::",
                "##teamcity[disableServiceMessages]",
                "##teamcity[enableServiceMessages]",
                "##octopus[stdout-verbose]",
                "##octopus[stdout-default]",
                "##octopus[stderr-progress]",
                f"##teamcity[progressMessage '{v}']",
                f"##vso[task.setprogress value={n % 101};]{v}",
                f"##octopus[progress percentage='{_b64(str(n % 101))}' message='{_b64(v)}']",
                # Text.
                f"using token {v}",
                f"ERROR: test {n} failed with {v}",
                f"Uploading {n % 101}%",
                f"output line {n}",
            ]
        )
    )


DECLARATIONS = [
    f"::add-mask::{SECRET}",
    f"::add-mask::{ESCAPED}",
    f"##vso[task.setsecret]{SECRET}",
    f"##octopus[setVariable name='{_b64('T')}' value='{B64}' {SENSITIVE}]",
    "output line",
]


@contextmanager
def no_quick() -> Iterator[None]:
    """Every dialect without its quick shape, while an engine is built (it reads them then)."""
    names = ("quick", "quick_progress")
    classes = {*DIALECTS.values(), Dialect}
    saved = {(cls, name): dict(cls.__dict__) for cls in classes for name in names}
    for cls, name in saved:
        setattr(cls, name, None)
    try:
        yield
    finally:
        for (cls, name), own in saved.items():
            if name in own:
                setattr(cls, name, own[name])
            else:
                delattr(cls, name)  # inherited again


def drive(core: Core, writes: list[tuple[int, bytes]]) -> list[object]:
    """Everything a run shows and keeps, in order: each feed's archive and console bytes,
    the end's, the closing lines and actions, the notes."""
    out: list[object] = []
    now = 0.0
    for stream, data in writes:
        out.append(core.feed(stream, data, now))
        now += 0.25
    out.append(core.finish_input(now))
    out.append(core.close(1, now, timed=False))
    out.append(list(core.notes))
    return out


STATES = [
    "::group::a b", "::endgroup::", "::stop-commands::tok", "::tok::", "##[group]x",
    "##teamcity[disableServiceMessages]", "##teamcity[enableServiceMessages]",
    "##octopus[stdout-verbose]", "##octopus[stdout-default]",
    f"##octopus[setVariable name='{_b64('T')}' value='{B64}'",
]  # fmt: skip


@st.composite
def runs(draw: st.DrawFn, ci: str) -> tuple[list[tuple[int, bytes]], Policy]:
    # A few lines, each printed often, in any order: a test reporter's log, where a secret
    # declared once is printed again later (a declaration is always among them, and a
    # line that changes what the lines after it are).
    declare = draw(st.sampled_from(DECLARATIONS))
    state = draw(st.sampled_from(STATES))
    base = [declare, state, *draw(st.lists(quick_lines(ci), min_size=1, max_size=4))]
    base += draw(st.lists(lines(), max_size=5))
    order = draw(st.lists(st.integers(0, len(base) - 1), min_size=20, max_size=150))
    text = "".join(f"{base[k]}\n" for k in order)
    data = text.encode()
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=8)))
    writes = []
    for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True):
        if b > a:
            writes.append((draw(st.sampled_from([STDOUT, STDOUT, STDERR])), data[a:b]))
    budget = draw(st.sampled_from([2048, 6000, 20 << 20]))
    masks = draw(st.sampled_from([(), ("9f8e7d-unused",), ("pkg.test_1",)]))
    return writes, Policy(budget=budget, masks=masks, context=1, head=0)


@pytest.mark.parametrize("ci", ["teamcity", "github", "azure", "octopus"])
@PROPERTY
@given(data=st.data(), hyperscan=st.booleans())
def test_inert_commands_take_the_short_path_with_the_same_answers(
    ci: str, data: st.DataObject, hyperscan: bool
) -> None:
    writes, policy = data.draw(runs(ci))
    compile_with = compiler() if hyperscan else None
    quick = Core(policy, DIALECTS[ci](), compiler=compile_with, max_pending=4096)
    with no_quick():
        slow = Core(policy, DIALECTS[ci](), compiler=compile_with, max_pending=4096)
    assert quick.commands._quick is not None and slow.commands._quick is None
    assert drive(quick, writes) == drive(slow, writes)


def test_a_secret_declared_before_an_inert_command_is_masked_in_it() -> None:
    """The short path leaves a line with a secret's form to its dialect: masked there."""
    for ci, declare, use in [
        ("teamcity", f"::add-mask::{SECRET}", f"##teamcity[testStarted name='{SECRET}']"),
        ("github", f"::add-mask::{SECRET}", f"::notice file=a.py,line=1::{SECRET}"),
        ("azure", f"##vso[task.setsecret]{SECRET}", f"##[group]{SECRET}"),
    ]:
        core = Core(Policy(), DIALECTS[ci]())
        archive, emits = core.feed(STDOUT, f"{declare}\n{use}\n".encode(), 0.0)
        console = b"".join(d for _, d in emits)
        assert use.replace(SECRET, "********").encode() in console, (ci, console)
        assert SECRET.encode() not in archive
