"""A secret as Python's ``repr`` spells it: a ``KeyError``, ``%r``, a dict's ``str()`` and
structlog's renderers print ``it\\'s"Pw9x`` for ``it's"Pw9x`` and ``\\x1b`` for an escape.
That spelling reached the console, stderr and the archive in clear."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import RunLogtrim, clean_env, decode_zstd, py
from hypothesis import example, given
from hypothesis import strategies as st
from octopus_decoder import messages

from logtrim.engine.masking.mask import Masker

SECRETS = ("it's\"Pw9x", "tok\x1b[0mEN42", "p\u00e9ss\\w0rd")

#: An app logging through the handler: an uncaught ``KeyError`` of the secret (its traceback
#: on stderr by Python's hook, and in the archive), ``%r`` and a dict.
APP = """
import logging, sys
import logtrim
secrets = sys.argv[2:]
handler = logtrim.LogtrimHandler(sys.argv[1], masks=secrets, budget="4kB")
logging.basicConfig(level=logging.INFO, handlers=[handler])
log = logging.getLogger("app")
for secret in secrets:
    log.info("token %r", secret)
    log.warning("config %s", {"password": secret, "list": [secret]})
    try:
        {}[secret]
    except KeyError:
        log.exception("lookup failed")
raise KeyError(secrets[0])
"""


def test_a_secret_in_reprs_never_reaches_the_console_or_the_archive(tmp_path: Path) -> None:
    archive = tmp_path / "app.log.zst"
    result = subprocess.run(
        [*py(APP), str(archive), *SECRETS], capture_output=True, env=clean_env(), timeout=60
    )
    assert result.returncode == 1
    stored = decode_zstd(archive.read_bytes())
    assert stored.count(b"lookup failed") == len(SECRETS)
    for secret in SECRETS:
        for spelled in (repr(secret)[1:-1], ascii(secret)[1:-1], secret):
            for where in (result.stdout, result.stderr, stored):
                assert spelled.encode() not in where
        assert b"Pw9x" not in result.stdout + result.stderr + stored
    assert b"KeyError: '********'" in stored


def test_run_masks_a_secret_a_child_prints_as_its_repr(run_logtrim: RunLogtrim) -> None:
    child = "import sys; print('args:', sys.argv[1:]); print({'k': sys.argv[1]}); sys.exit(2)"
    result = run_logtrim("--ci", "plain", "--mask", SECRETS[0], "--", *py(child), SECRETS[0])
    assert result.code == 2
    for where in (result.stdout, result.stderr, result.archive):
        assert b"Pw9x" not in where
    assert b"args: ['********']" in result.archive


_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
#: A secret logtrim learns: 8 characters or more, not blanks only, no line end around it.
_SECRET = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"), min_size=8, max_size=20
).filter(lambda s: not s.isspace() and s.strip("\r\n") == s)


@given(
    secret=_SECRET,
    before=_TEXT,
    after=_TEXT,
)
def test_no_repr_of_a_secret_survives_whatever_is_around_it(
    secret: str, before: str, after: str
) -> None:
    masker = Masker([secret])
    for spelled in {repr(secret)[1:-1], ascii(secret)[1:-1]}:
        line = (before + spelled + after).encode("utf-8", "surrogateescape")
        assert spelled.encode() not in masker.mask(line)


@given(
    secret=_SECRET,
    before=_TEXT,
    after=_TEXT,
)
@example(secret="it'sPw9x", before="", after=' "q"')
def test_no_secret_survives_in_the_repr_of_a_text_around_it(
    secret: str, before: str, after: str
) -> None:
    """``repr`` of a text that holds the secret: its quotes are escaped as the whole text's
    delimiter says (a ``'`` in ``'it\\'sPw9x "q"'``), not as the secret's own repr would."""
    masker = Masker([secret])
    masked = masker.mask(repr(before + secret + after).encode("utf-8", "surrogateescape"))
    for spelled in (repr(secret + "'\"")[1:-4], repr(secret)[1:-1]):
        assert spelled.encode("utf-8", "surrogateescape") not in masked


def test_a_json_spelled_secret_in_a_long_octopus_value_is_masked(run_logtrim: RunLogtrim) -> None:
    """A message over 1 MiB is masked in its base64: the secret's JSON spelling there
    (``tab\\there99`` for a tab) passed, where a short message's decoded text is masked."""
    child = (
        "import base64, json\n"
        "value = b'x' * 1_200_000 + json.dumps({'pw': 'tab\\there99'}).encode()\n"
        'print("##octopus[progress message=\'" + base64.b64encode(value).decode() + "\']")\n'
    )
    result = run_logtrim("--ci", "octopus", "--mask", "tab\there99", "--", *py(child))
    assert result.code == 0
    (message,) = [m for m in messages(result.stdout) if m.name == "progress"]
    assert "there99" not in message.attrs["message"]
    assert message.attrs["message"].endswith('"}')


#: A structured logger's JSON record of an exception about the secret (structlog's
#: ``JSONRenderer`` with ``format_exc_info``): the secret's repr, its backslashes doubled.
JSON_APP = """
import json, sys
secret = sys.argv[1]
try:
    {}[secret]
except KeyError as e:
    print(json.dumps({"level": "error", "event": "lookup failed", "exception": f"KeyError: {e}"}))
print(json.dumps({"event": "bytes", "pw": repr(secret.encode())}))
print(json.dumps({"event": "ascii", "pw": ascii(secret)}))
print(repr(json.dumps({"pw": secret})))
sys.exit(3)
"""


def test_a_secrets_repr_in_a_json_string_is_masked(run_logtrim: RunLogtrim) -> None:
    """A ``KeyError`` on a secret logged as JSON writes its repr in a JSON string (``'it\\\\'s
    \\"Pw9x'``, ``p\\\\xc3\\\\xa4ss``): each form was masked alone, not the two together."""
    for secret in ("it's\"Pw9x", "p\u00e4ssw0rd1"):
        result = run_logtrim("--ci", "plain", "--mask", secret, "--", *py(JSON_APP), secret)
        assert result.code == 3
        for where in (result.stdout, result.stderr, result.archive):
            assert b"Pw9x" not in where and b"ssw0rd" not in where, where
        assert b'"exception": "KeyError: \'********\'"' in result.archive


@given(secret=_SECRET, before=_TEXT, after=_TEXT)
def test_no_repr_of_a_secret_in_json_survives_whatever_is_around_it(
    secret: str, before: str, after: str
) -> None:
    masker = Masker([secret])
    for spelled in {repr(secret)[1:-1], ascii(secret)[1:-1], repr(secret.encode())[2:-1]}:
        for line in (
            json.dumps(before + spelled + after).encode(),
            json.dumps(before + spelled + after, ensure_ascii=False).encode(),
        ):
            assert json.dumps(spelled)[1:-1].encode() not in masker.mask(line)
        # and that JSON in JSON again (a record whose payload is one)
        twice = json.dumps(json.dumps(before + spelled + after)).encode()
        assert json.dumps(json.dumps(spelled)[1:-1])[1:-1].encode() not in masker.mask(twice)
