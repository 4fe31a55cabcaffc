"""Service messages in every form Calamari's parser reads, not only the canonical one.

Calamari (``ServiceMessageParser``) finds ``##octopus`` anywhere in a line, takes the text
up to the next ``]``, trims it and strips the ``[`` before the name, then parses ``<TEXT/>``
as XML and each value as .NET base64. So ``##octopus [mask ...]``, ``##octopus[[mask ...]``,
XML entities in a value and spaces inside base64 all declare a secret to the server: logtrim
must learn each one, or the secret reaches the archive and the console. Real child processes.
"""

from __future__ import annotations

import base64

import pytest
from conftest import RunLogtrim, py

from logtrim.dialects.octopus import Octopus
from logtrim.dialects.servicemsg import parse_messages

SECRET = "hunter2-Zq81"
HIDDEN = b"********"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


ENCODED = b64(SECRET)
# The one place each form of a declaration is written out: what Calamari reads as declaring
# SECRET, and what the Bash helper would write.
DECLARATIONS = {
    "space before the bracket": f"##octopus [mask value='{ENCODED}']",
    "tab before the bracket": f"##octopus\t[mask value='{ENCODED}']",
    "two brackets": f"##octopus[[mask value='{ENCODED}']",
    "no bracket": f"##octopusmask value='{ENCODED}']",
    "upper case": f"##OCTOPUS[mask value='{ENCODED}']",
    "second on its line": f"##octopus[stdout-default] ##octopus[mask value='{ENCODED}']",
    "an entity in the value": f"##octopus[mask value='&#{ord(ENCODED[0])};{ENCODED[1:]}']",
    "spaces in the base64": f"##octopus[mask value='{ENCODED[:4]} {ENCODED[4:8]}\t{ENCODED[8:]}']",
    "sensitive variable, spaced": (
        f"##octopus [setVariable name='{b64('pw')}' value='{ENCODED}' sensitive='{b64('True')}']"
    ),
}


@pytest.mark.parametrize("form", sorted(DECLARATIONS))
def test_every_form_calamari_reads_declares_the_secret(run_logtrim: RunLogtrim, form: str) -> None:
    declaration = DECLARATIONS[form]
    child = py(f"print({declaration!r}); print('login with {SECRET} now')")
    result = run_logtrim("--ci", "octopus", "--", *child)
    assert result.code == 0
    assert SECRET.encode() not in result.console
    assert SECRET.encode() not in result.archive
    assert b"login with ******** now" in result.stdout
    assert b"login with ******** now" in result.archive


@pytest.mark.parametrize("opener", ["##octopus [", "##octopus[[", "##octopus\t ["])
def test_spaced_messages_reach_the_server_in_order_under_a_flood(
    run_logtrim: RunLogtrim, opener: str
) -> None:
    """Calamari acts on these: every one passes verbatim and in order, whatever the budget."""
    child = py(
        "import base64\n"
        "b = lambda t: base64.b64encode(t.encode()).decode()\n"
        "for n in range(200):\n"
        f"    print({opener!r} + f\"setVariable name='{{b(str(n))}}' value='{{b('v')}}']\")\n"
        "    for i in range(200): print(f'noise {n} {i} ' + 'x' * 80)\n"
    )
    result = run_logtrim("--ci", "octopus", "--budget", "20kB", "--", *child)
    assert result.code == 0
    sent = [f"{opener}setVariable name='{b64(str(n))}' value='{b64('v')}']" for n in range(200)]
    got = [line.decode() for line in result.stdout.splitlines() if "setVariable" in line.decode()]
    assert got == sent


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("##octopus[a]", ["a"]),
        ("##octopus [a]", ["a"]),
        ("##octopus[[[a]", ["a"]),
        ("text ##octopus[a] more ##octopus[b] end", ["a", "b"]),
        ("##octopus[ a]", []),  # '< a/>' is no XML
        ("##OCTOPUS[a]", []),  # Calamari compares the marker as written
        ("##octopus[a b='eA==' B='eA==']", []),  # attribute names are case-insensitive
        ("##octopus[a b='not base64!']", []),
        ("##octopus[a b='eA=='c='eA==']", []),  # XML wants a space between attributes
        ("##octopus[a", []),
    ],
)
def test_messages_are_read_as_calamari_reads_them(text: str, names: list[str]) -> None:
    assert [m.name for m in parse_messages(text)] == names


def test_values_are_read_as_dotnet_reads_them() -> None:
    (message,) = parse_messages(DECLARATIONS["an entity in the value"])
    assert message.attrs == {"value": SECRET}
    (message,) = parse_messages(DECLARATIONS["spaces in the base64"])
    assert message.attrs == {"value": SECRET}
    (upper,) = parse_messages(DECLARATIONS["upper case"], any_case=True)
    assert upper.attrs == {"value": SECRET}


# -- a message over lines, or in pieces, as Calamari reads it -----------------------------
SPLITS = {
    "closing bracket on the next line": [f"##octopus[mask value='{ENCODED}'", "]"],
    "value on the next line": ["##octopus[mask value=", f"'{ENCODED}']"],
    "base64 cut in two": [f"##octopus[mask value='{ENCODED[:6]}", f"{ENCODED[6:]}']"],
    "name on the next line": ["##octopus[mask", f"value='{ENCODED}']"],
}


@pytest.mark.parametrize("form", sorted(SPLITS))
@pytest.mark.parametrize("pause", [0.0, 0.4])
def test_a_message_over_lines_declares_the_secret(
    run_logtrim: RunLogtrim, form: str, pause: float
) -> None:
    """Calamari drops the line breaks of a message and reads on to its ']': the lines may
    even come in separate reads."""
    first, rest = SPLITS[form]
    child = py(
        "import time\n"
        f"print({first!r}, flush=True); time.sleep({pause})\n"
        f"print({rest!r}, flush=True)\n"
        f"print('login with {SECRET} now')\n"
    )
    result = run_logtrim("--ci", "octopus", "--", *child)
    assert SECRET.encode() not in result.console
    assert SECRET.encode() not in result.archive
    assert b"login with ******** now" in result.stdout


@pytest.mark.parametrize(
    ("ci", "line"),
    [
        ("octopus", DECLARATIONS["sensitive variable, spaced"].replace(" [", "[", 1)),
        ("github", f"::add-mask::{SECRET}"),
        ("github", f"  ::ADD-MASK::{SECRET}"),
        ("github", f"##[add-mask]{SECRET}"),
    ],
)  # fmt: skip
def test_a_command_that_pauses_early_reaches_the_ci_as_written(
    run_logtrim: RunLogtrim, ci: str, line: str
) -> None:
    """A line whose first bytes wait (``printf '##'; sleep``) is not printed early as text:
    the CI gets the command whole, its value as written."""
    child = py(
        "import sys, time\n"
        f"line = {line!r}\n"
        "for cut in (1, 2):\n"
        "    sys.stdout.write(line[:cut]); sys.stdout.flush(); time.sleep(0.3)\n"
        "    print(line[cut:], flush=True)\n"
    )
    result = run_logtrim("--ci", ci, "--", *child)
    assert result.stdout.splitlines()[:2] == [line.encode(), line.encode()]


def test_the_declaring_message_passes_as_written_whatever_its_place(
    run_logtrim: RunLogtrim,
) -> None:
    """The second message on a line declares: it, not the first, passes as written."""
    line = f"a ##octopus[stdout-default] b ##octopus[mask value='{ENCODED}'] c {SECRET}"
    child = py(f"print({line!r})")
    result = run_logtrim("--ci", "octopus", "--", *child)
    (shown,) = [x for x in result.stdout.splitlines() if b"mask" in x]
    assert (
        shown
        == f"a ##octopus[stdout-default] b ##octopus[mask value='{ENCODED}'] c ********".encode()
    )


def test_a_declaring_message_cut_from_its_text_passes_as_written(run_logtrim: RunLogtrim) -> None:
    """Under a small budget a message goes without the text around it: still as written."""
    child = py(
        "for i in range(3000): print(f'step {i} ' + 'w' * 60)\n"
        f"print('prefix ' + 'p' * 3000 + \" ##octopus[mask value='{ENCODED}'] suffix\")\n"
        f"print('login with {SECRET} now')\n"
    )
    result = run_logtrim("--ci", "octopus", "--budget", "5kB", "--", *child)
    assert f"##octopus[mask value='{ENCODED}']".encode() in result.stdout
    assert SECRET.encode() not in result.console


# -- a value whose bytes are not UTF-8 --------------------------------------------------------
LATIN1 = "pässwörd-Zq9".encode("latin-1")  # not UTF-8: Calamari reads U+FFFD for two bytes
LATIN1_CHILD = f"""
import base64, sys
secret = {LATIN1!r}
out = sys.stdout.buffer
out.write(b"##octopus[setVariable name='{b64("DbPassword")}' value='"
          + base64.b64encode(secret) + b"' sensitive='{b64("True")}']\\n")
out.write(b"connecting with " + secret + b" now\\n")
out.write(b"ERROR: login failed for " + secret + b"\\n")
out.flush()
sys.exit(1)
"""


def test_a_sensitive_value_that_is_not_utf8_is_masked_as_the_child_prints_it(
    run_logtrim: RunLogtrim,
) -> None:
    """The child declares a Latin-1 password, then prints its bytes: masked on the console
    and in the archive (it was learned only as Calamari reads it, with U+FFFD, which the
    child's bytes never match)."""
    result = run_logtrim("--ci", "octopus", "--", *py(LATIN1_CHILD))
    assert result.code == 1
    assert LATIN1 not in result.console
    assert LATIN1 not in result.archive
    assert b"connecting with ******** now" in result.stdout
    assert b"connecting with ******** now" in result.archive


def test_a_value_that_is_not_utf8_is_read_with_its_bytes() -> None:
    """Both forms of the value: the bytes (surrogates for those that are not UTF-8) and
    what Calamari reads (U+FFFD for them)."""
    value = base64.b64encode(LATIN1).decode()
    line = f"##octopus[setVariable name='{b64('pw')}' value='{value}' sensitive='{b64('True')}']"
    (message,) = parse_messages(line)
    assert message.attrs["value"].encode("utf-8", "surrogateescape") == LATIN1
    assert Octopus().declared_secrets(line) == [
        LATIN1.decode("utf-8", "surrogateescape"),
        LATIN1.decode("utf-8", "replace"),
    ]


def test_text_after_a_message_over_lines_is_held_to_the_budget(run_logtrim: RunLogtrim) -> None:
    """Calamari prints the text after a message's ``]`` as plain output: on the message's
    last line of several it passed whole, whatever the budget (600 kB at 4 kB); it goes under
    the budget now, as on a message's own line, and the message still passes whole."""
    code = (
        "for j in range(20):\n"
        "    print(\"##octopus[setVariable name='eA=='\")\n"
        "    print(\"value='eQ=='] riding text \" + 'A' * 30000)\n"
    )
    r = run_logtrim("--ci", "octopus", "--budget", "4kB", "--", *py(code))
    assert r.code == 0
    assert len(r.stdout) < 4_000 + 20 * 60
    assert r.stdout.count(b"##octopus[setVariable name='eA=='\nvalue='eQ==']") == 20
    assert r.archive.count(b"A" * 30000) == 20


@pytest.mark.parametrize(
    "declaration",
    [
        f"##octopus[setVariable name='{b64('pw')}' value='{ENCODED}' sensitive='{b64('True')}' "
        "bad='!!']",
        f"##octopus[mask value='{ENCODED}' value='{b64('other')}']",
        f"##octopus[mask value='{ENCODED}' note='not base64']",
    ],
)
def test_a_declaration_calamari_drops_still_masks_its_secret(
    run_logtrim: RunLogtrim, declaration: str
) -> None:
    """Calamari drops a message with an attribute that is not base64 (or a repeated one), and
    prints it back: Octopus never learns the secret. logtrim learns it (more masking is
    safe): its later uses, and the value in the dropped message itself, are masked."""
    child = py(f"print({declaration!r}); print('login with {SECRET} now')")
    result = run_logtrim("--ci", "octopus", "--", *child)
    assert result.code == 0
    for where in (result.console, result.archive):
        assert SECRET.encode() not in where
        assert ENCODED.encode() not in where
    assert b"login with ******** now" in result.stdout
