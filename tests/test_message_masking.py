"""Secrets in CI messages, as the CI reads them; the messages' syntax never masked.

Calamari decodes an attribute value with .NET's ``Convert.FromBase64String``, which skips
space, tab, CR and LF anywhere, after XML entities are resolved: a secret in any such spelling
must be masked in the console and the archive. A secret that is a word of a message's syntax
(``octopus``, ``setVariable``, ``error``) is masked everywhere but there: logtrim's closing
messages and the child's must still parse. A stray GitHub ``::stop-commands::`` must not turn
off learning. Real child processes, real archives.
"""

from __future__ import annotations

import base64

import pytest
from conftest import RunLogtrim, py
from octopus_decoder import messages

SECRET = "xVarSecretVal88"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def calamari_values(data: bytes) -> list[bytes]:
    """Every value of every ``##octopus`` message in ``data``, as .NET decodes it."""
    found = []
    for line in data.decode("utf-8", "replace").splitlines():
        for _, _, rest in [line.partition("##octopus")]:
            for part in rest.split("'")[1::2]:
                text = part.replace("&#99;", "c")
                try:
                    found.append(base64.b64decode("".join(text.split()), validate=True))
                except ValueError:
                    continue
    return found


ENCODED = b64("x" + SECRET)
SPELLINGS = {
    "a space": f"{ENCODED[:8]} {ENCODED[8:]}",
    "tabs and spaces": f"{ENCODED[:3]}\t{ENCODED[3:9]}  {ENCODED[9:]}",
    "an XML reference": ENCODED.replace("c", "&#99;", 1),
}


@pytest.mark.parametrize("ci", ["octopus", "plain", "github"])
@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_a_secret_in_a_spelled_value_is_masked(
    run_logtrim: RunLogtrim, ci: str, spelling: str
) -> None:
    line = f"##octopus[setVariable name='dTQ=' value='{SPELLINGS[spelling]}']"
    result = run_logtrim("--mask", SECRET, "--ci", ci, "--", *py(f"print({line!r})"))
    assert result.code == 0
    for shown in (result.console, result.archive):
        assert not [v for v in calamari_values(shown) if SECRET.encode() in v], shown
    assert b"setVariable" in result.archive and b"setVariable" in result.stdout
    if ci == "octopus":  # the message still parses, its value masked
        (message,) = [m for m in messages(result.stdout) if m.name == "setVariable"]
        assert message.attrs["value"] == "x********"


@pytest.mark.parametrize("ci", ["octopus", "plain"])
def test_a_spelled_declaration_leaves_no_value_in_the_archive(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    secret = "SpacedMask02"
    value = b64(secret)
    child = py(f"print(\"##octopus[mask value='{value[:4]} {value[4:]}']\"); print('use {secret}')")
    result = run_logtrim("--ci", ci, "--", *child)
    assert b"use ********" in result.stdout and b"use ********" in result.archive
    assert not [v for v in calamari_values(result.archive) if secret.encode() in v]
    if ci == "plain":  # no server there takes the value: masked on the console too
        assert not [v for v in calamari_values(result.console) if secret.encode() in v]
    else:  # the server needs it to mask its own log
        assert f"{value[:4]} {value[4:]}".encode() in result.stdout


@pytest.mark.parametrize("secret", ["octopus", "resultMessage", "createArtifact", "********"])
def test_a_secret_in_the_syntax_leaves_the_messages_whole(
    run_logtrim: RunLogtrim, secret: str
) -> None:
    child = py(
        "print(\"##octopus[setVariable name='dTQ=' value='eA==']\"); "
        f"print('ERROR: deploy failed near {secret}'); raise SystemExit(1)"
    )
    result = run_logtrim("--mask", secret, "--ci", "octopus", "--", *child)
    assert result.code == 1
    names = [m.name for m in messages(result.stdout)]  # strictly decoded, each alone
    assert names == ["setVariable", "resultMessage", "createArtifact"]
    reason = next(m for m in messages(result.stdout) if m.name == "resultMessage")
    # A secret spelled as the mask is: a value whose base64 holds its base64 is masked whole.
    whole = secret == "********"
    expected = "********" if whole else "ERROR: deploy failed near ********"
    assert reason.attrs["message"] == expected
    assert b"near ********" in result.archive
    if secret != "********":  # said once, on stderr
        assert result.stderr.count(b"part of the syntax of CI messages") == 1


@pytest.mark.parametrize("secret", ["]tok3nAb9", "ose]tok3nAb9", "rbose]tok3"])
def test_a_secret_across_a_messages_end_is_masked_and_the_message_kept(
    run_logtrim: RunLogtrim, secret: str
) -> None:
    # The ``]`` that ends a message is the secret's too: masked in the text after it, the
    # message still parses (a masked ``]`` would leave it open over the next lines).
    child = py(
        "print('##octopus[stdout-verbose]tok3nAb9 here'); print('next line'); "
        "print('##octopus[stdout-default]')"
    )
    result = run_logtrim("--mask", secret, "--ci", "octopus", "--", *child)
    assert result.code == 0
    for shown in (result.stdout, result.archive):
        assert secret.encode() not in shown, shown
    lines = result.stdout.splitlines()
    assert lines[0] == b"##octopus[stdout-verbose]********"
    assert b"##octopus[stdout-default]" in lines[1:]  # not read into the first one


@pytest.mark.parametrize(
    ("lines", "shown"),
    [
        (
            "##octopus[progress percentage='NTA='\nmessage='aGk=']tok3nAb9 here",
            b"message='aGk=']********",
        ),
        ("##octopus[stdout-verbose\n]tok3nAb9 here", b"]********"),
    ],
)
def test_a_secret_across_the_end_of_a_message_over_lines_leaves_it_closed(
    run_logtrim: RunLogtrim, lines: str, shown: bytes
) -> None:
    # Calamari reads an open message on to the first ``]``: masked, it would read the next
    # lines into the message, up to the ``]`` in ``[x]``.
    child = py(f"print({lines!r}); print('next line [x] here'); print('##octopus[stdout-default]')")
    result = run_logtrim("--mask", "]tok3nAb9", "--ci", "octopus", "--", *child)
    for out in (result.stdout, result.archive):
        assert b"tok3nAb9" not in out
    console = result.stdout.splitlines()
    assert console[1] == shown, result.stdout
    assert console[2] == b"next line [x] here"


@pytest.mark.parametrize(
    "line", ["##octopus[]p4ss-Wd tail", "##octopus[stdout-verbose x]p4ss-Wd tail"]
)
def test_a_secret_that_begins_with_a_bracket_keeps_it_where_no_message_is_read(
    run_logtrim: RunLogtrim, line: str
) -> None:
    # Calamari closes what ``##octopus[`` opened at that ``]`` however it reads the rest.
    child = py(f"print({line!r}); print('next line')")
    result = run_logtrim("--mask", "]p4ss-Wd", "--ci", "octopus", "--", *child)
    for out in (result.stdout, result.archive):
        assert b"p4ss-Wd" not in out
        assert line.replace("]p4ss-Wd", "]********").encode() in out


def test_a_secret_that_is_a_github_command_name_leaves_commands_whole(
    run_logtrim: RunLogtrim,
) -> None:
    child = py("print('::warning::an error here'); print('ERROR: x'); raise SystemExit(2)")
    result = run_logtrim("--mask", "error", "--mask", "warning", "--ci", "github", "--", *child)
    lines = result.stdout.splitlines()
    assert b"::warning::an ******** here" in lines
    assert any(line.startswith(b"::error title=logtrim%3A exit code 2::") for line in lines)


@pytest.mark.parametrize("ci", ["octopus", "plain", "github"])
def test_a_stray_stop_commands_does_not_stop_learning(run_logtrim: RunLogtrim, ci: str) -> None:
    child = py(
        "print('::stop-commands::pause123'); print('::add-mask::StopSecret1'); "
        "print('using StopSecret1'); print('::pause123::'); print('::add-mask::Later2Secret'); "
        "print('using Later2Secret')"
    )
    result = run_logtrim("--ci", ci, "--", *child)
    for shown in (result.console, result.archive):
        assert b"StopSecret1" not in shown, shown
        assert b"using Later2Secret" not in shown, shown
    if ci == "github":  # paused: text to the runner, masked; resumed: its value as written
        assert b"::add-mask::********" in result.stdout
        assert b"::add-mask::Later2Secret" in result.stdout


@pytest.mark.parametrize("declared", [False, True])
def test_a_pause_token_that_is_a_secret_is_resumed_as_the_runner_read_it(
    run_logtrim: RunLogtrim, declared: bool
) -> None:
    """The step pauses commands with a token that is a secret and never resumes: the runner
    read ``::stop-commands::********``, so logtrim resumes with ``::********::`` before its
    own commands (it printed the token itself, in clear, which resumed nothing)."""
    secret = "PauseTok-Zq81"
    first = f"print('::add-mask::{secret}'); " if declared else ""
    child = py(f"{first}print('::stop-commands::{secret}'); print('ERROR: x'); raise SystemExit(1)")
    masks = () if declared else ("--mask", secret)
    result = run_logtrim(*masks, "--ci", "github", "--", *child)
    assert result.code == 1
    lines = result.stdout.splitlines()
    # (the declaration reaches the runner as written, so that it masks the value too)
    rest = [line for line in lines if line != f"::add-mask::{secret}".encode()]
    assert secret.encode() not in b"\n".join(rest) + result.stderr
    assert b"::stop-commands::********" in lines
    resume = lines.index(b"::********::")
    assert any(line.startswith(b"::error title=logtrim") for line in lines[resume:])


def test_a_secret_of_blanks_only_is_refused_and_never_cuts_a_message(
    run_logtrim: RunLogtrim,
) -> None:
    """``--mask '    '`` is refused (exit 2, the step not run); a declared value of blanks
    only is not learned: masked, blanks cut every message's syntax
    (``##octopus[setVariable********name=...``)."""
    message = "##octopus[setVariable    name='YQ=='    value='Yg==']"
    refused = run_logtrim("--ci", "octopus", "--mask", "    ", "--", "echo", message)
    assert refused.code == 2
    assert b"blanks only" in refused.stderr
    child = py(f"print('::add-mask::' + ' ' * 6); print({message!r})")
    result = run_logtrim("--ci", "octopus", "--", *child)
    assert result.code == 0
    assert message.encode() + b"\n" in result.stdout
    assert message.encode() + b"\n" in result.archive


@pytest.mark.parametrize("ci", ["octopus", "plain", "github"])
@pytest.mark.parametrize("attribute", ["name", "value"])
def test_a_secret_that_is_itself_base64_never_reaches_the_console(
    run_logtrim: RunLogtrim, ci: str, attribute: str
) -> None:
    """A Basic-auth token is base64 of ``user:pass``: published as a variable, the value's
    base64 is the token itself, as written. No decoding of the value finds it; the value as
    written must be masked too, and the message still parses."""
    token = b64("deploy:Pa55word!")
    attrs = {"name": b64("AuthHeader"), "value": b64("plain")} | {attribute: token}
    line = f"##octopus[setVariable name='{attrs['name']}' value='{attrs['value']}']"
    result = run_logtrim("--mask", token, "--ci", ci, "--", *py(f"print({line!r})"))
    assert result.code == 0
    for shown in (result.console, result.archive, result.stderr):
        assert token.encode() not in shown, shown
    if ci == "octopus":
        (message,) = [m for m in messages(result.stdout) if m.name == "setVariable"]
        assert message.attrs[attribute] == "********"


@pytest.mark.parametrize(
    ("ci", "secret", "command"),
    [
        ("github", "::error", "::error::deploy failed"),
        ("github", "title=logtrim", "::error title=logtrim::deploy failed"),
        ("azure", "##vso[task", "##vso[task.logissue type=error]deploy failed"),
        ("teamcity", "message text", "##teamcity[message text='deploy failed' status='ERROR']"),
    ],
)
def test_a_secret_that_spans_a_commands_syntax_is_said_once(
    run_logtrim: RunLogtrim, ci: str, secret: str, command: str
) -> None:
    # Masked whole (a secret never passes), the command is no longer one: the user is told,
    # once and without the value.
    child = py(f"print({command!r}); print({command!r}); raise SystemExit(1)")
    result = run_logtrim("--mask", secret, "--ci", ci, "--", *child)
    assert result.code == 1
    assert result.stderr.count(f"spans the syntax of {ci} commands".encode()) == 1
    assert secret.encode() not in result.console
    assert secret.encode() not in result.archive


def test_a_declared_secret_that_spans_a_commands_syntax_is_said(run_logtrim: RunLogtrim) -> None:
    child = py(
        "print('::add-mask::title=logtrim'); print('::error title=logtrim::deploy failed'); "
        "raise SystemExit(1)"
    )
    result = run_logtrim("--ci", "github", "--", *child)
    assert result.code == 1
    assert result.stderr.count(b"spans the syntax of github commands") == 1
    # The declaration goes to the runner as written (it must learn the secret); nothing else.
    assert result.console.count(b"title=logtrim") == 1
    assert b"title=logtrim" not in result.archive


@pytest.mark.parametrize(
    ("ci", "secret"), [("github", "error"), ("github", "deploy failed"), ("octopus", "##octopus[")]
)
def test_a_secret_that_leaves_the_syntax_whole_is_not_said_to_span_it(
    run_logtrim: RunLogtrim, ci: str, secret: str
) -> None:
    child = py("print('ERROR: deploy failed'); raise SystemExit(1)")
    result = run_logtrim("--mask", secret, "--ci", ci, "--", *child)
    assert result.code == 1
    assert b"spans the syntax" not in result.console
