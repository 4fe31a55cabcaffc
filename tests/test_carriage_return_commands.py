"""Commands after a carriage return, and declared values as the CI decodes them.

GitHub's runner and Azure's agent read the child's output with .NET's ``ReadLine``, which ends
a line at a lone ``\\r`` too: a progress bar's last state followed by a command
(``Downloading 100%\\r::add-mask::TOKEN``) is two lines to them, the second a command. A value
declared with bytes that are not UTF-8 is the bytes the child prints elsewhere. Real children,
real archives.
"""

from __future__ import annotations

import pytest
from conftest import RunLogtrim, py

TOKEN = "ghp_Realistic7oken123"


def _leaks(console: bytes, archive: bytes, secret: bytes, declaration: bytes) -> list[str]:
    """Where ``secret`` shows, but in the declaration line the CI in use must read."""
    found = []
    if secret in archive:
        found.append("archive")
    if any(secret in line for line in console.split(b"\n") if declaration not in line):
        found.append("console")
    return found


@pytest.mark.parametrize("ci", ["github", "plain"])
def test_a_mask_declared_after_a_progress_bar_is_learned(run_logtrim: RunLogtrim, ci: str) -> None:
    """The runner reads ``::add-mask::`` after a ``\\r`` (its own line to it): the token is
    masked wherever the script uses it, on either stream."""
    code = (
        "import sys, time\n"
        "for i in (10, 50, 100):\n"
        "    sys.stdout.write(f'Downloading tool... {i}%\\r')\n"
        "    sys.stdout.flush(); time.sleep(0.05)\n"
        f"print('::add-mask::{TOKEN}', flush=True)\n"
        f"print('Logging in with token {TOKEN}', flush=True)\n"
        f"print('Authorization: Bearer {TOKEN}', file=sys.stderr)\n"
    )
    r = run_logtrim("--ci", ci, "--", *py(code))
    assert r.code == 0
    assert _leaks(r.console, r.archive, TOKEN.encode(), b"::add-mask::") == []
    assert b"Logging in with token ********" in r.stdout
    if ci == "github":  # the declaration reaches the runner as written, for it to mask too
        assert f"100%\r::add-mask::{TOKEN}\n".encode() in r.stdout


@pytest.mark.parametrize(
    ("ci", "declaration"),
    [
        ("github", "::add-mask::{s}\rprogress 10%"),
        ("github", "progress 10%\r##[add-mask]{s}"),
        ("azure", "##vso[task.setsecret]{s}\rprogress 10%"),
        ("azure", "progress 10%\r##vso[task.setsecret]{s}"),
        ("azure", "##vso[task.setvariable variable=x;issecret= true]{s}"),
        ("azure", "##vso[task.setvariable variable=x;issecret=True ]{s}"),
        ("azure", "##vso[task.setvariable variable=x;issecret=1]{s}"),
        ("azure", "##vso[task.setvariable variable=x;issecret=$true]{s}"),
    ],
)
def test_a_value_is_learned_as_the_ci_reads_it(
    run_logtrim: RunLogtrim, ci: str, declaration: str
) -> None:
    """The value ends at a ``\\r`` (the agent's line ends there), and ``issecret`` is true
    as the agent reads it (``ConvertToBoolean``: ``1``, ``$true``; spaces, as older agents'
    ``TryParse``)."""
    secret = "Secr3tValue_q7Zk"
    code = f"print({declaration.format(s=secret)!r})\nprint('use {secret}')\n"
    r = run_logtrim("--ci", ci, "--", *py(code))
    assert r.code == 0
    marker = b"##vso[" if ci == "azure" else (b"::add-mask::" if "::" in declaration else b"##[")
    assert _leaks(r.console, r.archive, secret.encode(), marker) == []
    assert b"use ********\n" in r.stdout


@pytest.mark.parametrize("ci", ["github", "plain"])
def test_a_secret_that_is_not_utf8_is_masked_as_its_bytes(run_logtrim: RunLogtrim, ci: str) -> None:
    """A Latin-1 password a legacy tool prints: learned as the bytes declared, not as the
    text they would decode to."""
    code = (
        "import sys\nw = sys.stdout.buffer.write\n"
        "w(b'::add-mask::Lat\\xe9nS3cretValue\\n'); w(b'use Lat\\xe9nS3cretValue\\n')\n"
        "w(b'::add-mask::\\xffBinS3cretValueXYZ\\n'); w(b'use \\xffBinS3cretValueXYZ\\n')\n"
    )
    r = run_logtrim("--ci", ci, "--", *py(code))
    assert r.code == 0
    for secret in (b"Lat\xe9nS3cretValue", b"\xffBinS3cretValueXYZ"):
        assert _leaks(r.console, r.archive, secret, b"::add-mask::") == []
    assert r.stdout.count(b"use ********\n") == 2


def test_commands_after_a_carriage_return_all_reach_the_runner(run_logtrim: RunLogtrim) -> None:
    """The CI contract at a small budget: 30 ``::warning::`` commands each after a progress
    state on its line are commands to the runner, so each reaches it, in order (they were
    throttled as progress lines: 7 of 30 arrived)."""
    code = (
        "import sys, time\n"
        "for i in range(30):\n"
        "    print(f'Uploading {i * 3}%\\r::warning::msg number {i}', flush=True)\n"
        "    time.sleep(0.01)\n"
        "for i in range(3000): print(f'filler line {i} of the upload log')\n"
    )
    r = run_logtrim("--ci", "github", "--budget", "4kB", "--", *py(code))
    assert r.code == 0
    sent = [line for line in r.stdout.split(b"\n") if b"::warning::msg number" in line]
    # Each one, in order; the progress text before it is text, under the budget (past it,
    # the command passes alone).
    assert [line.rpartition(b"\r")[2] for line in sent] == [
        b"::warning::msg number %d" % i for i in range(30)
    ]
    assert sent[0] == b"Uploading 0%\r::warning::msg number 0"


@pytest.mark.parametrize(
    ("ci", "command"),
    [
        ("github", b"::warning::key Tok%25en%Val here"),
        ("github", b"::warning title=Tok%25en%Val::key here"),
        ("azure", b"##vso[task.logissue type=warning]key Tok%AZP25en%Val here"),
    ],
)
@pytest.mark.parametrize("before", [b"", b"upload 5%\r"])
def test_a_secret_spelled_in_mixed_escapes_after_a_carriage_return_is_masked(
    run_logtrim: RunLogtrim, ci: str, command: bytes, before: bytes
) -> None:
    """The CI undoes its escapes in a command's values, after a ``\\r`` as at a line's start:
    a secret spelled with some of its ``%`` escaped (the runner reads ``Tok%en%Val``) is
    masked there, in the console and the archive."""
    line = before + command + b"\n"
    code = f"import sys\nsys.stdout.buffer.write({line!r})\n"
    r = run_logtrim("--ci", ci, "--mask", "Tok%en%Val", "--", *py(code))
    assert r.code == 0
    for spelled in (b"Tok%25en%Val", b"Tok%AZP25en%Val", b"Tok%en%Val"):
        assert spelled not in r.console + r.archive
    assert b"********" in r.stdout


@pytest.mark.parametrize(
    ("ci", "line", "shown"),
    [
        # The older form anywhere on the line: the text before it is output.
        ("github", "password is {k} ##[add-mask]{s}", "password is ******** ##[add-mask]{s}"),
        # The text after a carriage return is a line of its own to the runner.
        ("github", "::add-mask::{s}\rpassword is {k}", "::add-mask::{s}\rpassword is ********"),
        # Another command on the line, masked as the runner reads it.
        (
            "github",
            "at {k}\r::add-mask::{s}\r::warning::{s}",
            "at ********\r::add-mask::{s}\r::warning::********",
        ),
        ("azure", "with {k} ##vso[task.setsecret]{s}", "with ******** ##vso[task.setsecret]{s}"),
        (
            "azure",
            "{k}\r##vso[task.setvariable variable=PW;issecret=true]{s}",
            "********\r##vso[task.setvariable variable=PW;issecret=true]{s}",
        ),
    ],
)
def test_the_text_around_a_declaration_is_masked(
    run_logtrim: RunLogtrim, ci: str, line: str, shown: str
) -> None:
    """A line that declares a secret to the CI in use passes its declaring command as
    written (the CI needs the value); a ``--mask`` secret or the declared one elsewhere on
    the line is masked, as on any line."""
    known, declared = "KnownMaskSecret9", "Decl4red_Value"
    code = f"print({line.format(k=known, s=declared)!r})\n"
    r = run_logtrim("--ci", ci, "--mask", known, "--", *py(code))
    assert r.code == 0
    assert shown.format(s=declared).encode() + b"\n" in r.stdout
    assert known.encode() not in r.console + r.archive
