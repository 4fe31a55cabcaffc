"""Fuzzing the secrets promise through all three doors: ``run``'s engine, the handler, ``trim``.

Random byte streams with secrets embedded (plain, over several lines, in base64 at every
alignment, inside every dialect's commands), service-message fragments of every system, CRs,
NULs and long lines, cut into random chunks with ticks in between. Each example asserts: the
console stays within the budget (commands aside), no secret in any form reaches the console or
the archive, and the archive is the input with the secrets masked. URLs with a password in
their userinfo, never declared, are among the items: no byte of the password may show.

At least 500 examples each by default; ``HYPOTHESIS_PROFILE=nightly`` runs 3,000 (conftest).
"""

from __future__ import annotations

import base64
import io
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import terminal
from conftest import examples, feed_chunks, insert_codes, split, zstd_dc
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from logtrim import LogtrimHandler
from logtrim.archive.zstd import ZSTD_MAGIC
from logtrim.dialects import DIALECTS
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.masking.forms import base64_forms
from logtrim.engine.masking.mask import apply
from logtrim.engine.policy import Policy
from logtrim.logs.declared import Declared
from logtrim.logs.inputs import GZIP_MAGIC
from logtrim.logs.trim import TrimJob, trim_one

FUZZ = settings(
    max_examples=examples(500),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BUDGET = 4096
MAX_PENDING = 256

SECRETS = st.lists(
    st.text(alphabet="abcdefXYZ0123-_ \n", min_size=4, max_size=20).filter(
        lambda s: len(s.strip("\n")) >= 4 and len(s.replace("\n", "").strip()) >= 4
    ),
    min_size=1,
    max_size=3,
)


def b64(data: bytes) -> bytes:
    return base64.b64encode(data)


def carriers(secret: bytes) -> st.SearchStrategy[bytes]:
    """The ways a stream carries a secret: plain, in base64, inside commands."""
    no_nl = b"\n" not in secret
    plain = [
        st.just(secret),
        st.sampled_from([b"", b"a", b"ab"]).map(lambda p: b64(p + secret + b"z")),
        st.just(b"ERROR: login " + secret + b" refused\n"),
    ]
    commands = [
        b"::error::login failed " + secret + b"\n",
        b"##vso[task.logissue type=error]bad " + secret + b"\n",
        b"##teamcity[message text='pw " + secret + b"']\n",
        b"copy " + secret + b" ##octopus[progress percentage='NTA=']\n",
        b"##octopus[stdout-warning] " + secret + b"\n",
        b"##octopus[setVariable name='eA==' value='" + b64(b"u:" + secret) + b"']\n",
        b"##octopus[setVariable name='eA=='\n  value='" + b64(secret + b"!") + b"']\n",
        # Forms Calamari reads too: spaces or more '[' before the name, several on a line.
        b"##octopus [setVariable name='eA==' value='" + b64(secret) + b"']\n",
        b"##OCTOPUS[[setVariable name='eA==' value='" + b64(b"u:" + secret) + b"']\n",
        # (Not a declaration: a command that declares passes as written, by design.)
        b"##octopus[stdout-default] ##octopus[setVariable name='eA==' value='"
        + b64(secret + b"!")
        + b"'] x\n",
    ]
    spelled = [spelled_value(b"u:" + secret), spelled_value(secret)] if no_nl else []
    return st.one_of(
        *plain, st.sampled_from(commands if no_nl else commands[:2]), coloured(secret), *spelled
    )


def spelled_value(text: bytes) -> st.SearchStrategy[bytes]:
    """An Octopus value carrying ``text`` as Calamari also reads it: whitespace anywhere in
    its base64 (.NET skips space, tab, CR, LF), a character as an XML reference. Drawn from
    one integer: a strategy built per example would cost more than the example."""
    return st.integers(0, 2**32 - 1).map(lambda seed: _spelled(text, seed))


def _spelled(text: bytes, seed: int) -> bytes:
    rng = random.Random(seed)
    chars = list(b64(text).decode())
    if rng.random() < 0.5:
        at = rng.randrange(len(chars))
        chars[at] = f"&#{ord(chars[at])};"
    for _ in range(rng.randint(1, 4)):
        chars.insert(rng.randint(0, len(chars)), rng.choice([" ", "\t", "  ", " \t"]))
    return f"##octopus[setVariable name='eA==' value='{''.join(chars)}']\n".encode()


def coloured(secret: bytes) -> st.SearchStrategy[bytes]:
    """The secret with escape codes of every class between its characters (colours, titles
    ended by ST, ``tput sgr0``'s ``ESC ( B``, ``ESC 7``...): a terminal shows it whole."""
    codes = st.sampled_from(terminal.CODES)
    cuts = st.lists(st.tuples(st.integers(1, max(len(secret) - 1, 1)), codes), max_size=4)
    return cuts.map(lambda cs: insert_codes(secret, sorted(cs)))


FRAGMENTS = st.sampled_from(
    [
        b"##octopus[", b"see ##octopus[ docs\n", b"##octopus[stdout-verbose]\n",
        b"##octopus[stdout-default]\n", b"##octopus[progress percentage='MTA=']\n",
        b"  name='eA=='\n", b"::error::", b"::warning::careful\n", b"::group::g\n",
        b"::endgroup::\n", b"::stop-commands::tok\n", b"::tok::\n", b"##vso[task.setprogress",
        b"##[group]x\n", b"##teamcity[progressMessage 'x']\n", b"--- group\n",
        b"\x1b[0Ksection_start:1:s\r\x1b[0K\n", b"\r", b"\x00", b"\n", b"Traceback (most",
        b"ERROR: boom\n", b"x" * 300 + b"\n", b"y" * 700,
    ]
)  # fmt: skip


# Undeclared URL credentials: the user ``deploy`` and a password of characters the fixed
# fragments do not use, with a raw ``@``, ``?`` or ``#`` at times (in the password as the
# clients read it). The rule: after a scheme (a letter among its last 32 characters) and
# ``://deploy:``, the password runs to the last ``@`` before a ``/`` or whitespace. So an
# unmasked character of one before such an ``@`` is a leak, after the mask that starts the
# password too (``deploy:********@ss@db``: its tail); another mask in between (a declared
# secret's) is not read through: masked, a secret with a space inside would join text that
# was no URL to it. Random bytes may hold ``deploy:7`` or ``://deploy:7``: no URL, no leak.
URL_PASSWORDS = st.text(alphabet="QRSTqrst789!%:@?#", min_size=1, max_size=12).filter(
    lambda s: s.strip(":?#") != ""
)
_LEAK = re.compile(
    rb"[A-Za-z][A-Za-z0-9+.\-]{0,31}:(?:\\*/){2}deploy:(?:\*{8})?[^/\s*]*[QRSTqrst789!%@][^/\s*]*@"
)


def url_carriers(password: str) -> st.SearchStrategy[bytes]:
    pw = password.encode()
    schemes = [b"postgres", b"ERROR: svn+ssh", b"x=a1", b"https", b"::error::amqp"]
    ends = [b"@db-01:5432/shop\n", b"@h ", b"@", b"@db?ssl=1#x\n", b'@db\\/shop"}\n']
    # ``:\/\/``: as JSON may write ``://`` (PHP's ``json_encode``).
    seps = [b"://", b":\\/\\/", b":\\\\\\/\\\\\\/", b":\\\\/\\\\/", b":\\//"]
    return st.tuples(st.sampled_from(schemes), st.sampled_from(seps), st.sampled_from(ends)).map(
        lambda parts: parts[0] + parts[1] + b"deploy:" + pw + parts[2]
    )


def assert_no_url_password(*texts: bytes) -> None:
    for text in (*texts, *(terminal.shown(t) for t in texts)):
        assert _LEAK.search(text) is None, text


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[str], bytes]:
    secrets = draw(SECRETS)
    raw = [s.encode() for s in secrets]
    item = st.one_of(
        st.binary(max_size=40),
        FRAGMENTS,
        st.sampled_from(raw).flatmap(carriers),
        URL_PASSWORDS.flatmap(url_carriers),
    )
    return secrets, b"".join(draw(st.lists(item, max_size=40)))


def assert_no_secret(secrets: list[str], *written: bytes) -> None:
    # What a terminal shows: escape codes between a secret's characters do not hide it.
    texts = [*written, *(terminal.shown(t) for t in written)]
    for secret in secrets:
        raw = secret.strip("\r\n").encode()  # as the masker takes it
        for form in (raw, *base64_forms(raw)):
            for text in texts:
                assert form not in text, (form, text)
        for text in written:  # what the Octopus server would decode from a message's values
            for value in octopus_values(text):
                assert raw not in value, (raw, text)


def octopus_values(text: bytes) -> list[bytes]:
    """Each Octopus attribute value in ``text`` as .NET decodes it (an XML attribute, then
    base64 with space, tab, CR and LF skipped); those it rejects left out."""
    found = []
    for match in re.finditer(rb"##octopus[^\]]*", text, re.IGNORECASE):
        for value in re.finditer(rb"""=\s*'([^']*)'""", match.group()):
            try:
                attr = ET.fromstring(b"<x v='" + value.group(1) + b"'/>").attrib["v"]
                found.append(base64.b64decode(re.sub(r"[ \t\r\n]", "", attr), validate=True))
            except (ET.ParseError, ValueError):
                continue
    return found


def undeclaring(console: bytes, ci: str) -> bytes:
    """The console without the commands that declare a secret to the CI in use (the text
    around them stays): such a command passes as written, by design (the CI needs the value
    to mask it in its own logs)."""
    dialect = DIALECTS[ci]()
    kept = []
    for line in console.split(b"\n"):
        text = line.decode("utf-8", "surrogateescape")
        if not dialect.declared_secrets(text):
            kept.append(line)
            continue
        spans = dialect.declaring_spans(text)
        if spans is None:
            continue  # the whole line is the command
        pos, parts = 0, []
        for start, end in spans:
            parts.append(text[pos:start])
            pos = end
        kept.append(("\x00".join([*parts, text[pos:]])).encode("utf-8", "surrogateescape"))
    return b"\n".join(kept)


def command_bytes(data: bytes) -> int:
    """An allowance for the commands, which pass whatever the budget (masked: at most 2x)."""
    markers = (b"##octopus", b"::", b"##vso[", b"##[", b"##teamcity[", b"--- ", b"section_")
    lines = data.split(b"\n")
    return sum(2 * len(line) + 64 for line in lines if any(m in line.lower() for m in markers))


@FUZZ
@given(
    streams(),
    st.lists(st.integers(min_value=0), max_size=12),
    st.lists(st.booleans(), max_size=12),
    st.sampled_from(sorted(DIALECTS)),
)
# The reason shows a NUL as the text \x00: with "00" after it, that is the secret "0000".
@example((["0000"], b"\x0000"), [], [], "azure")
# A declaration (GitHub's older form) of a value the stream printed before it.
@example((["0000"], b"##oc\n##[add-mask]##oc"), [], [], "azure")
@example((["0000"], b"::add-mask::0000"), [], [], "github")
@example((["0000"], b"##octopus\x80" + b"x" * 300 + b"\n"), [], [], "octopus")
# No URL: nothing to mask (the leak oracle once took ``deploy:7`` for a password).
# A secret over two lines whose second line is too long to hold and comes in one read.
@example((["000\n0"], b"000\n0" + b"x" * 400 + b"\n"), [], [], "azure")
@example((["0000"], b"deploy:7"), [], [], "azure")
# A secret over two lines whose second line opens an Octopus message: the message's lines
# waited for their end, cut from the lines before them inside the secret (each side unmasked).
@example((["000\n0"], b"000\n0##octopus\n"), [], [], "azure")
@example((["0000", "000\n0"], b"0000\n0##octopus\n"), [], [], "octopus")
# The same, the message's next line too long to hold: that line's first piece took the
# message's lines and cut the secret's first line off them (it reached the archive bare).
@example((["0\n0000"], b"0\n0000##octopus\n" + b"x" * 300 + b"\n"), [], [], "azure")
# A declaration of a URL with its password: the runner needs the value as written.
@example((["0000"], b"##[add-mask]a://deploy:7@"), [], [], "github")
@example((["0000"], b"://deploy:7"), [], [], "azure")
# A line too long to hold, cut between a message's opener and its spelled value: the value
# was masked without its message, as text (the secret in clear to Calamari).
@example(
    (["0000"], b"y" * 255 + b"##octopus[setVariable name='eA==' value=' dTowMD\tAw']\n"),
    [],
    [],
    "octopus",
)
# A code begun at a read's end that never ends is text (``\x1b]0``: its ``0`` starts the
# secret); a colour code begun after it (``\x1b[``) may still end on its own. The bytes that
# could start a secret were held only as if the first code ended (the secret's rest unmasked).
@example((["0\n000"], b"\x1b]0\n\x1b[@000"), [5], [], "teamcity")
@example(
    (["0\n000 \n000"], b"\0" * 10 + b"0\n000 \n000" + b"\0" * 47 + b"0\n000 \n000" + b"\0" * 9
     + b"\x1b]0\x1b[  @\n000 \n000" + b"\0" * 25),
    [58], [], "teamcity",
)  # fmt: skip
# A line too long to hold cut inside ``##octopus`` (``##oc|topus``): the message's spelled
# value was read without its opener, so not decoded (the secret in clear to Calamari).
@example(
    (["\n YXYcX1 def0ba_Y1b\n", "3Xfa 21Z0", "eb- f3f"],
     b"\x16\xbbEQ\xa6v'\xc6\x10\x98/ZWItIGYzZno=postgres://deploy:8?Q7@https://deploy:t!TRs9"
     b"@db-01:5432/shop\n" + b"y" * 700 + b"ZWItIGYzZno=ERROR: svn+ssh://deploy:Sr@##octopus"
     b"[setVariable name='eA==' value='dTozW&#71;ZhID  I \txWjA=  \t']\n"),
    [8010], [], "azure",
)  # fmt: skip
def test_fuzz_run_engine(
    stream: tuple[list[str], bytes], cuts: list[int], ticks: list[bool], ci: str
) -> None:
    secrets, data = stream
    core = Core(Policy(budget=BUDGET, head=3, tail=20, masks=tuple(secrets)), DIALECTS[ci](),
                max_pending=MAX_PENDING)  # fmt: skip
    # One stream: a secret cut across stdout and stderr is a secret in neither.
    archive, console, now = feed_chunks(core, split(data, cuts), ticks, 0.3)
    arch, emits = core.finish_input(now)
    archive.append(arch)
    console += emits
    emits, _ = core.close(1, now, archive="/tmp/a.zst", archive_name="a.zst", archive_size=5)
    console += emits
    shown = b"".join(d for _, d in console)
    assert all(stream in (STDOUT, STDERR) for stream, _ in console)
    assert_no_secret(secrets, undeclaring(shown, ci), b"".join(archive))
    # A declaration may declare a URL with its password: it passes as written (see above).
    assert_no_url_password(undeclaring(shown, ci), b"".join(archive))
    assert len(shown) <= BUDGET + command_bytes(data)
    # The archive is the input masked, whatever the chunks and ticks (a secret the stream
    # declares is masked from its declaration on: then the check above holds, not this one).
    declared = Declared()
    declared.feed(data if data.endswith(b"\n") else data + b"\n")
    if not declared.masker.max_len and not long_declaration(data):
        assert b"".join(archive) == apply(data, core.masker.spans(data))


def long_declaration(data: bytes) -> bool:
    """Whether a line too long to hold may hold a command that declares a secret: its value
    is masked in the archive as it passes, too long to learn (``sensitive`` comes after it)."""
    words = (b"setvariable", b"mask", b"setsecret", b"issecret")
    return any(
        len(x) > MAX_PENDING and any(w in x.lower() for w in words) for x in data.split(b"\n")
    )


@FUZZ
@given(
    stream=streams(),
    levels=st.lists(st.sampled_from([10, 20, 30, 40]), max_size=40),
    ci=st.sampled_from(sorted(DIALECTS)),
)
def test_fuzz_handler(
    tmp_path_factory: pytest.TempPathFactory,
    stream: tuple[list[str], bytes],
    levels: list[int],
    ci: str,
) -> None:
    secrets, data = stream
    path: Path = tmp_path_factory.mktemp("h") / "a.zst"
    out = io.StringIO()
    handler = LogtrimHandler(path, budget=BUDGET, ci=ci, stream=out, masks=tuple(secrets))
    text = data.decode("utf-8", "replace")
    records = text.split("\n")
    for i, record in enumerate(records):
        handler.write(record, levels[i] if i < len(levels) else 20)
    handler.close(exit_code=1)
    console = out.getvalue().encode()
    archive = zstd_dc(path)
    # Records are lines here: a secret over lines spans records.
    assert_no_secret(secrets, undeclaring(console, ci), archive)
    assert_no_url_password(undeclaring(console, ci), archive)
    assert len(console) <= BUDGET + command_bytes(data) + len(records)


@FUZZ
@given(stream=streams())
def test_fuzz_trim(
    tmp_path_factory: pytest.TempPathFactory, stream: tuple[list[str], bytes]
) -> None:
    secrets, data = stream
    # A file that starts like gzip or zstd is read as one (a damaged one is an error).
    assume(not data.startswith((GZIP_MAGIC, ZSTD_MAGIC)))
    base = tmp_path_factory.mktemp("t")
    source, output, artifact = base / "in.log", base / "out.log", base / "a.zst"
    source.write_bytes(data)
    policy = Policy(budget=BUDGET, masks=tuple(secrets))
    trim_one(TrimJob(str(source), str(output), str(artifact), policy, binary=True))
    shown, archive = output.read_bytes(), zstd_dc(artifact)
    assert_no_secret(secrets, shown, archive)
    assert_no_url_password(shown, archive)
    assert len(shown) <= BUDGET + command_bytes(data)
