"""GitHub workflow commands in every form the runner reads (``ActionCommandManager``).

The runner tries ``::name::data`` at the start of a line (after spaces), then the older
``##[name]data`` anywhere in the line, its data escaped with ``%3B``, ``%5D`` and the rest;
command names and the ``stop-commands`` token compare in any case. A secret declared in any
of these forms must be masked by logtrim too. Real child processes.
"""

from __future__ import annotations

import pytest
from conftest import RunLogtrim, examples, py
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.dialects import ghcommands

SECRET = "tiger7;Kx]q"


@pytest.mark.parametrize(
    "declaration",
    [
        "##[add-mask]tiger7%3BKx%5Dq",
        "step output ##[add-mask]tiger7%3BKx%5Dq",
        "  ::add-mask::tiger7;Kx]q",
        "::ADD-MASK::tiger7;Kx]q",
        "::stop-commands::pause1\n::PAUSE1::\n::add-mask::tiger7;Kx]q",
    ],
)
@pytest.mark.parametrize("ci", ["github", "plain"])
def test_every_form_the_runner_reads_declares_the_secret(
    run_logtrim: RunLogtrim, declaration: str, ci: str
) -> None:
    child = py(f"print({declaration!r}); print('token is {SECRET} ok')")
    result = run_logtrim("--ci", ci, "--", *child)
    assert result.code == 0
    # Under --ci github the declaring command alone reaches the runner as written.
    lines = result.console.splitlines()
    assert SECRET.encode() not in b"\n".join(x for x in lines if b"add-mask" not in x.lower())
    assert SECRET.encode() not in result.archive
    assert b"token is ******** ok" in result.stdout


def test_older_form_commands_pass_in_order_under_a_flood(run_logtrim: RunLogtrim) -> None:
    child = py(
        "for n in range(100):\n"
        "    print(f'##[group]part {n}')\n"
        "    for i in range(300): print(f'noise {n} {i} ' + 'x' * 80)\n"
        "    print('##[endgroup]')\n"
    )
    result = run_logtrim("--ci", "github", "--budget", "20kB", "--", *child)
    got = [line for line in result.stdout.splitlines() if line.startswith(b"##[")]
    want = []
    for n in range(100):
        want += [f"##[group]part {n}".encode(), b"##[endgroup]"]
    assert got == want


# .NET's ordinal casing, which the runner compares names and tokens with, keeps the dotless
# i and the long s (``str.upper`` makes them I and S): where the two read a line apart, the
# runner reads text, and the secret in it must be masked.
@pytest.mark.parametrize(
    "lines",
    [
        ["::add-ma\u017fk::TopSecret91", "use TopSecret91"],  # text to the runner
        ["##[add-ma\u017fk]TopSecret91", "use TopSecret91"],
        # The runner stays paused (``TOKI`` is no ``tok\u0131``): the add-mask is text to it.
        ["::stop-commands::tok\u0131", "::TOKI::", "::add-mask::TopSecret91", "use TopSecret91"],
        # A token the runner takes (no command's name to it): the add-mask after it is text.
        ["::stop-commands::add-ma\u017fk", "::add-mask::TopSecret91", "use TopSecret91"],
    ],
)
@pytest.mark.parametrize("ci", ["github", "plain"])
def test_a_name_the_runners_casing_reads_apart_never_shows_the_secret(
    run_logtrim: RunLogtrim, lines: list[str], ci: str
) -> None:
    code = "".join(f"print({line!r})\n" for line in lines)
    r = run_logtrim("--ci", ci, "--", *py(code))
    assert r.code == 0
    assert b"TopSecret91" not in r.console
    assert b"TopSecret91" not in r.archive


#: The bytes a command's place in a line turns on: colons, blanks, both line ends, names.
_PIECES = [b"::", b":", b" ", b"\t", b"\v", b"\r", b"\n", b"a", b"x=1", b",", b"std::"]


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=24).map(b"".join))
def test_commands_in_text_are_found_from_their_colons_as_from_their_line_start(
    data: bytes,
) -> None:
    """The masking finds a command's values in a region from each ``::`` (a literal search)
    rather than trying a line start at every byte: the same commands, the same values."""
    whole = [(m.span(1), m.span(2)) for m in ghcommands.V2_IN_TEXT.finditer(data)]
    assert [(m.span(1), m.span(2)) for m in ghcommands.v2_in_text(data)] == whole


@pytest.mark.parametrize(
    ("ci", "command"),
    [
        ("github", "::notice::step {k}"),
        ("azure", "##vso[task.setvariable variable=step]{k}"),
        ("azure", "##[warning]step {k}"),
    ],
)
def test_text_after_a_lone_cr_is_no_part_of_the_command(
    run_logtrim: RunLogtrim, ci: str, command: str
) -> None:
    """GitHub's runner and Azure's agent end a line at a lone ``\\r``: the text after a
    command there is a plain line to them, and it passed whole with the command, whatever
    the budget (10 MB at ``--budget 8kB``). The commands pass, in order; the text is budgeted."""
    code = (
        "import sys\n"
        "for k in range(20):\n"
        f"    sys.stdout.write({command!r}.format(k=k) + '\\r' + 'ERROR junk text ' * 32000"
        " + '\\n')\n"
    )
    r = run_logtrim("--ci", ci, "--budget", "8kB", "--", *py(code))
    assert r.code == 0
    commands = [command.format(k=k).encode() for k in range(20)]
    assert len(r.console) <= 8000 + sum(map(len, commands)), len(r.console)
    at = [r.stdout.find(c + b"\r") if c + b"\r" in r.stdout else r.stdout.find(c + b"\n")
          for c in commands]  # fmt: skip
    assert -1 not in at and at == sorted(at), at


@pytest.mark.parametrize(
    ("ci", "first", "second"),
    [
        ("github", "::add-mask::s3cr3tV4lue", "::notice::deployed web"),
        ("github", "::group::Deploy", "::endgroup::"),
        ("azure", "##vso[task.setsecret]s3cr3tV4lue", "##vso[task.logissue type=error]failed"),
    ],
)
def test_two_commands_a_hidden_text_parted_stay_two(
    run_logtrim: RunLogtrim, ci: str, first: str, second: str
) -> None:
    """``cmd1\\r<20 kB>\\r cmd2``: with the text left out, the two commands were printed as
    one (``::add-mask::s3cr3tV4lue::notice::deployed web``): the runner registered the
    wrong secret and lost the notice. A ``\\r`` stays between them, as the child wrote."""
    code = (
        "import sys\n"
        f"sys.stdout.write('a line\\n' * 40 + {first!r} + '\\r' + 'x' * 20000 + '\\r'"
        f" + {second!r} + '\\n')\n"
    )
    r = run_logtrim("--ci", ci, "--budget", "8kB", "--", *py(code))
    assert r.code == 0
    assert f"\n{first}\r{second}\n".encode() in r.stdout, r.stdout[-600:]


def test_a_lines_parts_are_read_as_the_ci_in_use_reads_them(run_logtrim: RunLogtrim) -> None:
    """Under ``--ci github``: a line that starts with another system's command was not split
    at its lone ``\\r`` (800 kB of text passed at ``--budget 8kB``); and a paused runner's
    resume token after ``::stop-commands::`` was taken for text and left out, so the runner
    stayed paused: a later ``::add-mask::`` was shown in clear in the CI's log."""
    code = (
        "import sys\n"
        "w, pad = sys.stdout.write, 'x' * 100_000\n"
        "w('a line\\n' * 40)\n"
        "w(\"##teamcity[message text='a']\\r\" + pad + '\\r::add-mask::S3cretTC9\\r' + pad"
        " + '\\r::error::bad\\n')\n"
        "w('::stop-commands::TOK123\\r' + pad + '\\r::TOK123::\\r' + pad"
        " + '\\r::notice::after\\n')\n"
        "w('::add-mask::LaterSecret77\\n')\n"
    )
    r = run_logtrim("--ci", "github", "--budget", "8kB", "--", *py(code))
    assert r.code == 0
    assert len(r.console) < 8000
    assert b"::add-mask::S3cretTC9\r::error::bad\n" in r.stdout
    assert b"::stop-commands::TOK123\r::TOK123::\r::notice::after\n" in r.stdout


def test_a_resume_token_in_a_line_too_long_to_hold_passes(run_logtrim: RunLogtrim) -> None:
    """``::stop-commands::T\\r<600 kB>\\r::T::\\r<600 kB>\\r::notice::after``, a line over
    1.05 MB: the resume token was taken for text and left out, so the runner stayed paused
    and showed a later ``::add-mask::`` line in clear."""
    code = (
        "import sys\n"
        "pad = 'x' * 600_000\n"
        "sys.stdout.write('::stop-commands::TOK123\\r' + pad + '\\r::TOK123::\\r' + pad"
        " + '\\r::notice::after\\n')\n"
        "print('::add-mask::LaterSecret77')\n"
    )
    r = run_logtrim("--ci", "github", "--budget", "8kB", "--", *py(code))
    assert r.code == 0
    out = r.stdout
    assert out.index(b"::stop-commands::TOK123") < out.index(b"::TOK123::\n")
    assert out.index(b"::TOK123::\n") < out.index(b"::notice::after") < out.index(b"::add-mask::")
