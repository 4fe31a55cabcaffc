"""A secret over several lines, printed line by line with a prefix (YAML, kubectl, an
indenting `sed`): no line of it reaches the console or the archive."""

from __future__ import annotations

import sys

import pytest
from conftest import RunLogtrim

KEY = (
    "-----BEGIN KEY-----\n"
    "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
    "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n"
    "-----END KEY-----"
)


@pytest.mark.parametrize("engine", ["hyperscan", "re"])
@pytest.mark.parametrize("prefix", ["    ", "key: |\\n  ", "> "])
def test_each_line_of_a_multiline_secret_is_masked_whatever_the_prefix(
    run_logtrim: RunLogtrim, engine: str, prefix: str
) -> None:
    script = f'printf "%s\\n" "$KEY" | sed "s/^/{prefix}/"; echo "ERROR: deploy failed"; exit 3'
    result = run_logtrim(
        "--ci", "plain", "--mask-env", "KEY", "--", "sh", "-c", script,
        env={"KEY": KEY, "LOGTRIM_ENGINE": engine},
    )  # fmt: skip
    assert result.code == 3
    for line in KEY.splitlines()[1:3]:
        assert line.encode() not in result.console
        assert line.encode() not in result.archive
        assert line[:20].encode() not in result.archive  # not even a part of it
    assert result.archive.count(b"********") >= 4
    assert b"ERROR: deploy failed" in result.console


def test_a_short_line_of_a_multiline_secret_is_left_alone(run_logtrim: RunLogtrim) -> None:
    """Lines under four characters (a brace, an empty line) are not secrets of their own."""
    script = 'echo "{"; echo "$JSON" | sed "s/^/ /"'
    result = run_logtrim(
        "--ci", "plain", "--mask-env", "JSON", "--", "sh", "-c", script,
        env={"JSON": '{\n  "private_key": "s3cr3t-value-123"\n}'},
    )  # fmt: skip
    assert result.archive.startswith(b"{\n")
    assert b"s3cr3t-value-123" not in result.archive + result.console


@pytest.mark.parametrize("engine", ["hyperscan", "re"])
def test_the_base64_of_a_line_of_a_multiline_secret_is_masked(
    run_logtrim: RunLogtrim, engine: str
) -> None:
    """Each line of such a secret is a secret of its own: in its base64 forms too."""
    script = 'echo "raw: line-two-BBB"; echo "b64: $(printf line-two-BBB | base64)"'
    result = run_logtrim(
        "--ci", "plain", "--mask", "line-one-AAA\nline-two-BBB", "--", "sh", "-c", script,
        env={"LOGTRIM_ENGINE": engine},
    )  # fmt: skip
    assert result.code == 0
    for shown in (result.console, result.archive):
        assert b"line-two-BBB" not in shown
        assert b"bGluZS10d28tQkJC" not in shown  # its base64
        assert shown.count(b"********") >= 2


_BRACKETS = [
    # A ']' in the text before a message was read as the end of one opened on an earlier
    # line, and the text up to it as attributes: the secret across a quote was "inside
    # syntax", kept on the console (the archive had it masked).
    ("Connecting user='admin' password='P@ss'w0rd!' [attempt 1] ##octopus[stdout-default]",
     "P@ss'w0rd!"),
    ("connecting with MyLongPassw0rd]1 ##octopus[stdout-default]", "MyLongPassw0rd]1"),
    ("tail ##teamcity[message text='AAy|'jfI'] ##octopus[stdout-default]", "AAy'jfI"),
]  # fmt: skip


@pytest.mark.parametrize("engine", ["", "re"])
@pytest.mark.parametrize("ci", ["octopus", "plain", "github"])
def test_a_secret_before_a_bracket_and_a_message_is_masked_on_the_console(
    run_logtrim: RunLogtrim, ci: str, engine: str
) -> None:
    lines = [line for line, _ in _BRACKETS]
    child = [sys.executable, "-c", f"print({chr(10).join(lines)!r})"]
    masks = [arg for _, secret in _BRACKETS for arg in ("--mask", secret)]
    r = run_logtrim("--ci", ci, *masks, "--", *child, env={"LOGTRIM_ENGINE": engine})
    assert r.code == 0
    out = r.stdout.decode()
    for _, secret in _BRACKETS:
        assert secret not in out and secret not in r.archive.decode()
        # nor a part of it: the text around the message is masked whole, the message kept
        assert secret[:6] not in out, out
    assert out.count("##octopus[stdout-default]") == 3  # the messages still parse
    assert "password='********' [attempt 1] ##octopus[stdout-default]" in out
