"""GitHub's ``::stop-commands::TOKEN`` ... ``::TOKEN::``: a declaration after the resume line.

The runner reads an ``::add-mask::VALUE`` after the resume as a command again: it must reach
it as written (the value is masked everywhere else). Whether the pause and the resume came
in one read or two once decided it (the console masked the declaration when they came apart).
A property over every chunking of the engine's input, and a real child writing in pieces.
"""

from __future__ import annotations

import pytest
from conftest import RunLogtrim, examples, py, split
from decoders import github_executed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim.dialects.github import GitHub
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.policy import Policy

SECRET = b"hunter2xyz"
PAUSED = b"Earlier1Sec"  # declared while paused: text to the runner, masked everywhere
OUTPUT = (
    b"step one\n"
    b"::stop-commands::pause123\n"
    b"::warning::not a command while paused\n"
    b"::add-mask::" + PAUSED + b"\n"
    b"::pause123::\n"
    b"::add-mask::" + SECRET + b"\n"
    b"logging in with " + SECRET + b" and " + PAUSED + b"\n"
    b"done\n"
)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cuts=st.lists(st.integers(0, len(OUTPUT)), max_size=6),
    before=st.integers(0, 3),
    stream=st.sampled_from([STDOUT, STDERR]),
)
def test_a_declaration_after_a_resume_reaches_the_runner_whatever_the_reads(
    cuts: list[int], before: int, stream: int
) -> None:
    core = Core(Policy(), GitHub())
    out = []
    for i in range(before):  # lines on the other stream first
        out += core.feed(STDOUT + STDERR - stream, b"other line %d\n" % i, 0.0)[1]
    archive = b""
    for chunk in split(OUTPUT, cuts):
        got, emits = core.feed(stream, chunk, 0.0)
        archive += got
        out += emits
    got, emits = core.finish_input(0.0)
    archive += got
    console = b"".join(data for _, data in out + emits).splitlines()
    assert b"::add-mask::" + SECRET in console  # the runner needs it as written
    assert b"::add-mask::********" in console  # the one declared while paused: text
    assert b"logging in with ******** and ********" in console
    assert SECRET not in archive and PAUSED not in archive


# Writes OUTPUT in the pieces its arguments cut, each flushed and read apart.
_WRITER = f"""
import sys, time
data, cuts = {OUTPUT!r}, [int(c) for c in sys.argv[1:]] + [{len(OUTPUT)}]
prev = 0
for cut in cuts:
    sys.stdout.buffer.write(data[prev:cut])
    sys.stdout.buffer.flush()
    prev = cut
    time.sleep(0.1)
"""


@pytest.mark.parametrize(
    "cut",
    [
        OUTPUT.index(b"::warning::"),  # the pause in one read, the resume in the next
        OUTPUT.index(b"::pause123::\n") + 5,  # inside the resume line
        OUTPUT.index(b"::add-mask::" + SECRET),  # resume, then the declaration
    ],
)
def test_a_declaration_after_a_resume_written_in_pieces(run_logtrim: RunLogtrim, cut: int) -> None:
    result = run_logtrim("--ci", "github", "--", *py(_WRITER), str(cut))
    assert result.code == 0
    lines = result.stdout.splitlines()
    assert b"::add-mask::" + SECRET in lines
    assert b"::add-mask::********" in lines
    assert b"logging in with ******** and ********" in lines
    assert SECRET not in result.archive and PAUSED not in result.archive
    assert SECRET not in result.stderr


@pytest.mark.parametrize(
    ("lines", "shown"),
    [
        # The pause is read first: the add-mask after it is text to the runner, masked.
        (
            ["::stop-commands::TOK42\r::add-mask::{s}", "::TOK42::"],
            "::stop-commands::TOK42\r::add-mask::********",
        ),
        # The pause ends first: the add-mask after it reaches the runner as written.
        (["::stop-commands::TOK42", "::TOK42::\r::add-mask::{s}"], "::TOK42::\r::add-mask::{s}"),
    ],
    ids=["pause-then-declare", "resume-then-declare"],
)
def test_a_pause_on_the_line_of_a_declaration_counts_in_its_order(
    run_logtrim: RunLogtrim, lines: list[str], shown: str
) -> None:
    """The runner reads each ``\\r``-separated part of a line in turn: a pause or its end
    before the ``add-mask`` on the same line decides whether the runner takes it."""
    secret = "DECLSECRET99"
    code = "".join(f"print({line.format(s=secret)!r})\n" for line in lines)
    code += f"print('use {secret}')\n"
    r = run_logtrim("--ci", "github", "--", *py(code))
    assert r.code == 0
    assert shown.format(s=secret).encode() + b"\n" in r.stdout
    assert b"use ********\n" in r.stdout
    assert secret.encode() not in r.archive


def test_a_separator_byte_before_a_declaration_makes_it_text(run_logtrim: RunLogtrim) -> None:
    """The runner trims blanks before ``::`` as .NET does, not the separators U+001C-U+001F
    that Python's ``strip`` also takes: ``\\x1c::add-mask::X`` is text to it, so X is masked
    there too (and learned all the same)."""
    secret = "DECLWS0001xyz"
    r = run_logtrim(
        "--ci", "github", "--", *py(f"print('\\x1c::add-mask::{secret}')\nprint('use {secret}')\n")
    )
    assert r.code == 0
    assert b"\x1c::add-mask::********\nuse ********\n" in r.stdout


@pytest.mark.parametrize(
    ("resumed", "code", "budget"), [(True, 1, "20kB"), (False, 1, "20kB"), (False, 0, "2kB")]
)
def test_a_line_written_while_paused_is_no_command_when_printed_again(
    run_logtrim: RunLogtrim, resumed: bool, code: int, budget: str
) -> None:
    """The failure tail (the success tail) prints the child's last lines again, after the
    child's resume (or logtrim's own before its closing lines): a line the runner read as
    text while paused was then a command (an injection). Such lines are printed inside a
    pause of logtrim's, begun after the child's ends."""
    child = (
        "import sys\n"
        "for i in range(3000): print(f'build line {i}')\n"
        "print('::stop-commands::p4use')\n"
        "print('::notice title=injected::untrusted text')\n"
        + ("print('::p4use::')\n" if resumed else "")
        + f"print('done'); sys.exit({code})\n"
    )
    result = run_logtrim("--ci", "github", "--budget", budget, "--", *py(child))
    assert result.code == code
    assert b"::notice title=injected::untrusted text\n" in result.stdout  # shown, as text
    executed = github_executed(result.stdout)
    assert not [c for c in executed if "injected" in c], executed
    assert any(c.startswith("::notice title=logtrim::") for c in executed), executed
    assert len(result.console) <= int(budget[:-2]) * 1000


def test_a_resume_the_runner_does_not_read_as_one_leaves_the_pause(run_logtrim: RunLogtrim) -> None:
    """The runner compares a pause's token as .NET's ``OrdinalIgnoreCase`` does: the Kelvin
    sign (U+212A) is no ``k`` there, as it is to Python's ``lower``. logtrim took
    ``::\u212a::`` for the resume: the paused runner then printed the declaration logtrim
    passed as written, its value in clear, and ignored logtrim's own closing commands."""
    code = (
        "import sys\n"
        "print('::stop-commands::k'); print('::\\u212a::')\n"
        f"print('::add-mask::{SECRET.decode()}'); print('using {SECRET.decode()}')\n"
        "sys.exit(1)\n"
    )
    result = run_logtrim("--ci", "github", "--", *py(code))
    assert SECRET not in result.stdout and SECRET not in result.archive
    executed = github_executed(result.stdout)
    assert any(c.startswith("::error title=logtrim") for c in executed), result.stdout


def _flood_between(token: str, resume: str) -> str:
    """A pause, a resume, then 3,000 lines with six commands among them (4 kB budget)."""
    return (
        f"print('::stop-commands::{token}')\n"
        f"print('::{resume}::')\n"
        "for i in range(3000):\n"
        "    print(f'compiling module {i} ok padding padding padding padding')\n"
        "    if i % 500 == 250:\n"
        "        print(f'::notice::checkpoint {i}')\n"
    )


@pytest.mark.parametrize(
    ("token", "resume", "passes"),
    [
        ("tok", "TOK", 6),
        # .NET's ordinal casing maps a Greek letter with iota subscript simply (its title
        # case): the runner resumes, and so must logtrim, or the commands after are text.
        ("\u1f80", "\u1f88", 6),
        ("\u1fb3", "\u1fbc", 6),
        # A token the runner refuses (GitHub's docs' own example): no pause at all.
        ("pause-logging", "x", 6),
    ],
)
def test_the_pause_ends_where_the_runners_does(
    run_logtrim: RunLogtrim, token: str, resume: str, passes: int
) -> None:
    r = run_logtrim("--ci", "github", "--budget", "4kB", "--", *py(_flood_between(token, resume)))
    assert r.code == 0
    assert r.stdout.count(b"\n::notice::checkpoint ") == passes


def test_a_token_that_is_no_utf8_ends_where_the_runners_does(run_logtrim: RunLogtrim) -> None:
    """The runner reads each byte that is no UTF-8 as U+FFFD: ``ab\\xffcd`` is resumed by
    ``ab\\xfecd``. The declarations' reading kept the bytes, so an ``add-mask`` after the
    resume was masked (``::add-mask::********``): the runner learned the mask, not the value."""
    code = (
        "import sys\nw = sys.stdout.buffer.write\n"
        "w(b'::stop-commands::ab\\xffcd\\n')\nw(b'::ab\\xfecd::\\n')\n"
        "w(b'::add-mask::TopSecret91\\n')\nw(b'token TopSecret91\\n')\n"
    )
    r = run_logtrim("--ci", "github", "--", *py(code))
    assert r.code == 0
    assert b"\n::add-mask::TopSecret91\n" in r.stdout
    assert b"token ********\n" in r.stdout


@pytest.mark.parametrize("fault", [None, "0", "40"])
def test_a_token_that_holds_a_secret_is_the_masked_one_to_the_runner(
    run_logtrim: RunLogtrim, fault: str | None
) -> None:
    """The console shows ``::stop-commands::********``: that is the runner's token, which
    ``::TOK-SECRET77X::`` does not resume. logtrim kept the token as written and took it for
    a resume, so the ``add-mask`` after it passed as a command the runner read as text."""
    code = (
        "print('::stop-commands::tok-Secret77x')\nprint('::TOK-SECRET77X::')\n"
        "print('::add-mask::TopSecret91')\nprint('token is TopSecret91')\n"
    )
    env = {"LOGTRIM_FAULT_AFTER": fault} if fault else None
    r = run_logtrim("--ci", "github", "--mask", "tok-Secret77x", "--", *py(code), env=env)
    assert r.code == 0
    assert b"TopSecret91" not in r.console and b"TopSecret91" not in r.archive
    lines = r.stdout.splitlines()
    assert lines.index(b"::********::") > lines.index(b"::add-mask::********")


@pytest.mark.parametrize("fault", [None, "0", "60"])
@pytest.mark.parametrize(
    "declare",
    ["print('::add-mask::ResumeTok-98765')", "print('##vso[task.setsecret]ResumeTok-98765')"],
)
def test_a_token_that_becomes_a_secret_while_paused_still_resumes(
    run_logtrim: RunLogtrim, fault: str | None, declare: str
) -> None:
    """The runner paused on ``ResumeTok-98765``, shown in clear; the child then declared the
    token a secret and resumed with it. The resume was shown ``::********::``: the runner never
    resumed, and the ``set-output``, the child's ``::error::`` and logtrim's own closing
    commands after it were all text to it. The resume is shown as written (the token was on
    the console already); everywhere else the token is masked."""
    code = (
        "import time\nprint('::stop-commands::ResumeTok-98765', flush=True)\ntime.sleep(0.2)\n"
        f"{declare}\nprint('token ResumeTok-98765 in text', flush=True)\ntime.sleep(0.2)\n"
        "print('::ResumeTok-98765::')\nprint('::set-output name=after::resumed')\n"
        "print('::error::real error annotation')\nraise SystemExit(1)\n"
    )
    env = {"LOGTRIM_FAULT_AFTER": fault} if fault else None
    r = run_logtrim("--ci", "github", "--", *py(code), env=env)
    assert r.code == 1
    lines = r.stdout.splitlines()
    # The stop as the console showed it (in clear, unless its read came with the declaration
    # after it: then masked, and so is its resume), resumed with that token, before the rest.
    assert lines[0].startswith(b"::stop-commands::")
    resume = b"::" + lines[0].removeprefix(b"::stop-commands::") + b"::"
    assert resume in lines
    assert lines.index(resume) < lines.index(b"::set-output name=after::resumed")
    assert b"token ******** in text" in lines
    assert b"token ResumeTok-98765" not in r.archive


_STOPPED = "import sys, time\nw = sys.stdout.buffer.write\n"


@pytest.mark.parametrize(
    ("child", "resume"),
    [
        # a secret declared before, in another case than the stop's token: the resume in the
        # secret's case would print it; the stop's token as shown resumes the runner alike
        ("w(b'::add-mask::TOK123\\n::stop-commands::tok123\\n'); sys.stdout.flush()\n"
         "time.sleep(0.3); w(b'::TOK123::\\n')", b"::tok123::"),
        # data after the token, the token after a lone \r, no resume at all (logtrim's own)
        ("w(b'::stop-commands::pausetok1\\n'); sys.stdout.flush(); time.sleep(0.3)\n"
         "w(b'::add-mask::pausetok1\\n::pausetok1::resumed\\n')", b"::pausetok1::resumed"),
        ("w(b'::stop-commands::pausetok1\\n'); sys.stdout.flush(); time.sleep(0.3)\n"
         "w(b'::add-mask::pausetok1\\nstep 10%\\r::pausetok1::\\r\\n')",
         b"step 10%\r::pausetok1::\r"),
        ("w(b'::stop-commands::pausetok1\\n'); sys.stdout.flush(); time.sleep(0.3)\n"
         "w(b'::add-mask::pausetok1\\n')", b"::pausetok1::"),
        # the stop after a \r in a line over 1 MiB: a pause all the same (the declaration
        # after it is text to the runner: masked)
        ("w(b'x' * 1_130_000 + b'\\r::stop-commands::pausetok1\\r' + b'y' * 100 + b'\\n')\n"
         "sys.stdout.flush(); time.sleep(0.3)\n"
         "w(b'::add-mask::RealSecret-7781\\nusing RealSecret-7781\\n::pausetok1::\\n')",
         b"::pausetok1::"),
    ],
)  # fmt: skip
def test_a_pause_shown_in_clear_is_resumed_with_its_token_as_shown(
    run_logtrim: RunLogtrim, child: str, resume: bytes
) -> None:
    """The resume of a pause whose token the console showed in clear, whatever became a
    secret since: with that token as shown (a case of it the runner also takes may be a
    secret never shown), its data masked, after a lone \\r as the runner reads it, logtrim's
    own when the script never resumed, a stop inside a line too long to hold tracked too."""
    code = _STOPPED + child + "\nw(b'::set-output name=after::resumed\\n')\nraise SystemExit(1)\n"
    r = run_logtrim("--ci", "github", "--verbatim", "0", "--", *py(code))
    assert r.code == 1
    lines = r.stdout.split(b"\n")
    assert resume in lines, r.stdout[-600:]
    shown = [x for x in lines if not x.startswith(b"::add-mask::")]  # (the CI needs those)
    for secret in (b"TOK123", b"RealSecret-7781"):
        assert not any(secret in x for x in shown) and secret not in r.archive
    # logtrim's own commands come after a resume the runner takes
    assert lines.index(resume) < next(i for i, x in enumerate(lines) if x.startswith(b"::error"))
