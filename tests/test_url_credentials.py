"""A URL's password (``postgres://deploy:s3cr3t@db-01/shop``) never reaches the console or the
archive, declared or not: through ``run``, the handler and ``trim``/``stats``/``diff``, on both
matchers, whatever the chunking."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import RunLogtrim, break_prepare, examples, py, split, zstd_dc
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_fuzz_secrets import URL_PASSWORDS, assert_no_url_password, url_carriers

from logtrim import LogtrimHandler
from logtrim._matchers import compiler
from logtrim.dialects.octopus import Octopus
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.masking import urlcreds
from logtrim.engine.masking.mask import Masker, apply
from logtrim.engine.policy import Policy
from logtrim.engine.shapes.templates import DIGITS_TO_ZERO, templates_of, templates_of_keys
from logtrim.logs.declared import Declared
from logtrim.logs.linechunks import line_chunks
from logtrim.logs.stats import ASIDE_MIN

URL = "postgres://deploy:s3cr3t@db-01:5432/shop"
MASKED = b"postgres://deploy:********@db-01:5432/shop"
# No credential: no ``@`` after the port, no ``://``, a bare address.
NOT_URLS = ("http://host:8080/", "git@github.com:org/repo", "user@host", "mailto:a:b@c")
# A raw ``@`` in the password (RFC 3986 wants ``%40``): clients read it to the last ``@``.
AT_URL = "postgres://deploy:p@ss@w0rd@db-01:5432/shop"
AT_MASKED = b"postgres://deploy:********@db-01:5432/shop"


def _logtrim(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", *args],
        capture_output=True,
        timeout=120,
        env=env,
        check=False,
    )


def _run(tmp_path: Path, script: str, engine: str) -> tuple[bytes, bytes]:
    art = tmp_path / f"a-{engine}.zst"
    env = {**os.environ, "LOGTRIM_ENGINE": engine}
    out = _logtrim(
        "run", "--ci", "plain", "--artifact", str(art), "--", "sh", "-c", script, env=env
    )
    assert out.returncode == 0, out.stderr
    return out.stdout, zstd_dc(art)


def test_run_masks_a_url_password_on_both_matchers(tmp_path: Path) -> None:
    # Written in pieces, with a pause inside the password: still masked.
    script = (
        f"echo 'connect {URL}'; printf 'again postgres://dep'; sleep 0.3; "
        "printf 'loy:s3c'; sleep 0.3; printf 'r3t@db-01:5432/shop\\n'; "
        f"echo '{' '.join(NOT_URLS)}'"
    )
    results = [_run(tmp_path, script, engine) for engine in ("hyperscan", "re")]
    own = b"[logtrim]"  # the summary names each run's archive and time
    lines = [[x for x in text.split(b"\n") if not x.startswith(own)] for text, _ in results]
    assert lines[0] == lines[1] and results[0][1] == results[1][1]
    for shown in results[0]:
        assert b"s3cr3t" not in shown and b"s3c" not in shown
        assert shown.count(b"deploy:********@db-01") == 2
        assert " ".join(NOT_URLS).encode() in shown


def test_handler_masks_a_url_password(tmp_path: Path) -> None:
    path = tmp_path / "a.zst"
    out = io.StringIO()
    handler = LogtrimHandler(path, ci="plain", stream=out)
    handler.write(f"connecting to {URL}", 40)
    handler.close(exit_code=0)
    assert "s3cr3t" not in out.getvalue() and MASKED in out.getvalue().encode()
    assert b"s3cr3t" not in zstd_dc(path) and MASKED in zstd_dc(path)


def test_trim_stats_and_diff_mask_a_url_password(tmp_path: Path) -> None:
    log = tmp_path / "task.log"
    log.write_text(f"ERROR: cannot reach {URL}\n" * 3)
    good = tmp_path / "good.log"
    good.write_text("all fine\n")
    trimmed = tmp_path / "out.log"
    art = tmp_path / "out.zst"
    done = _logtrim("trim", str(log), "-o", str(trimmed), "--artifact", str(art))
    assert done.returncode == 0, done.stderr
    for shown in (trimmed.read_bytes(), zstd_dc(art)):
        assert b"s3cr3t" not in shown and MASKED in shown
    for args in (("stats", str(log)), ("diff", str(good), str(log))):
        out = _logtrim(*args)
        assert out.returncode in (0, 1), out.stderr
        # Nor its start in a template's shape (``s<n>c...``).
        assert b"deploy:s" not in out.stdout + out.stderr
    assert MASKED in out.stdout  # diff prints the line, masked


def _in_commands(url: str) -> bytes:
    """``url`` in values a CI decodes: an Octopus variable's base64 (a message on one line
    and one over two), a GitHub property."""
    b64 = base64.b64encode(url.encode())
    prop = url.replace("%", "%25").replace(":", "%3A").encode()
    return (
        b"##octopus[setVariable name='Q29ublN0cg==' value='" + b64 + b"']\n"
        b"::warning title=" + prop + b"::connecting\n"
        b"::warning title=" + prop.replace(b"%3A", b"%3a") + b"::connecting\n"
        # A message over lines: Calamari reads it to its first ']'.
        b"##octopus[setVariable name='eA=='\nvalue='" + b64 + b"']\n"
    )


def _holds(text: bytes, url: str, *, lower: bool = True) -> bool:
    """Whether ``text`` holds ``url`` as a CI would decode it from :func:`_in_commands`
    (``lower``: also with ``%3a``, which GitHub's runner leaves as written)."""
    b64 = base64.b64encode(url.encode())
    prop = url.replace("%", "%25").replace(":", "%3A").encode()
    return b64 in text or prop in text or (lower and prop.replace(b"%3A", b"%3a") in text)


def test_a_url_password_in_a_command_value_is_masked_in_the_archive(tmp_path: Path) -> None:
    """A URL in an Octopus variable's base64 value, or in a GitHub property (its ``:``
    escaped as ``%3A``): masked in the archive of ``run`` and ``trim``, as on the console."""
    child = tmp_path / "child.sh"
    child.write_bytes(b"cat <<'EOF'\n" + _in_commands(URL) + b"EOF\n")
    for ci in ("octopus", "github"):
        art = tmp_path / f"{ci}.zst"
        out = _logtrim("run", "--ci", ci, "--artifact", str(art), "--", "sh", str(child))
        assert out.returncode == 0, out.stderr
        assert not _holds(zstd_dc(art), URL)
        # The runner reads its own commands with upper-case escapes only: a ``%3a`` command
        # passes to it as written (docs/masking.md).
        assert not _holds(out.stdout, URL, lower=ci != "github")
        assert b"s3cr3t" not in zstd_dc(art)
    log, art = tmp_path / "task.log", tmp_path / "trim.zst"
    log.write_bytes(_in_commands(URL))
    out = _logtrim("trim", str(log), "--artifact", str(art))
    assert out.returncode == 0, out.stderr
    assert not _holds(zstd_dc(art), URL) and not _holds(out.stdout, URL)


@settings(max_examples=examples(200), deadline=None)
@given(
    URL_PASSWORDS.filter(lambda pw: "%" not in pw),
    st.binary(max_size=30),
    st.lists(st.integers(min_value=0), max_size=8),
)
def test_a_url_password_in_a_command_value_is_masked_whatever_the_chunks(
    password: str, noise: bytes, cuts: list[int]
) -> None:
    url = f"postgres://deploy:{password}@db-01:5432/shop"
    data = noise.replace(b"#", b"") + b"\n" + _in_commands(url) + noise.replace(b"#", b"")
    for fast in (True, False):
        archive, console = _engine(data, cuts, fast)
        assert not _holds(archive, url), archive
        assert not _holds(console, url), console


def test_stats_of_a_large_file_masks_the_password_and_counts_every_line(tmp_path: Path) -> None:
    # Large enough to be counted on two cores, split by the file's offsets.
    line = b"2025-01-01 12:00:00 INFO fetching https://cdn.example.com/pkg/1.tgz\n"
    cred = b"2025-01-01 12:00:00 ERROR connect postgres://deploy:s3cr3t0@db-01:5432/shop\n"
    block = line * 999 + cred
    count = ASIDE_MIN // len(block) + 2
    log = tmp_path / "big.log"
    log.write_bytes(block * count)
    out = _logtrim("stats", "--json", str(log))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["total_lines"] == 1000 * count
    assert report["total_bytes"] == len(block) * count
    assert b"s3cr" not in out.stdout and b"s<n>cr" not in out.stdout
    assert b"deploy:********" in out.stdout


def _engine(data: bytes, cuts: list[int], fast: bool) -> tuple[bytes, bytes]:
    core = Core(
        Policy(budget=4096, head=3, tail=20),
        Octopus(),
        max_pending=128,
        compiler=compiler() if fast else None,
    )
    archive, console = [], []
    for i, chunk in enumerate(split(data, cuts)):
        arch, emits = core.feed(STDOUT, chunk, i * 0.3)
        archive.append(arch)
        console += emits
        console += core.tick(i * 0.3 + 0.1)
    arch, emits = core.finish_input(99.0)
    archive.append(arch)
    console += emits
    emits, _ = core.close(0, 99.0, archive="/tmp/a.zst", archive_name="a.zst", archive_size=5)
    console += emits
    return b"".join(archive), b"".join(d for _, d in console)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(
        st.one_of(
            URL_PASSWORDS.flatmap(url_carriers),
            st.sampled_from([n.encode() + b"\n" for n in NOT_URLS] + [b"x" * 150, b"post", b"\n"]),
            st.binary(max_size=20),
        ),
        max_size=20,
    ).map(b"".join),
    st.lists(st.integers(min_value=0), max_size=10),
)
@example(  # a line Octopus's loose reading takes for a long ``mask``: masked from its value on
    data=b"##octopusmask\x00postgres://deploy:7@db-01:5432/shop\n" + b"x" * 150, cuts=[]
)
def test_url_passwords_masked_alike_on_both_matchers_whatever_the_chunks(
    data: bytes, cuts: list[int]
) -> None:
    fast = _engine(data, cuts, fast=True)
    assert fast == _engine(data, cuts, fast=False)
    assert_no_url_password(*fast)
    # The archive is the input masked whole: the cuts (into reads, a long line's pieces)
    # change nothing (unless the bytes declare a secret: it is masked from there on).
    declared = Declared()
    declared.feed(data + b"\n")
    # (A line read as a long ``mask`` or ``setVariable`` of Octopus's, ``[`` or not, is masked
    # from where its value may start, to its end: a value too long to learn, fail closed.)
    octopus = Octopus()
    loose = (octopus.long_value_at(x.decode("utf-8", "replace")) >= 0 for x in data.split(b"\n"))
    if not declared.masker.max_len and not any(loose):
        assert fast[0] == apply(data, Core(Policy()).masker.spans(data))


_PIECES = [
    b"://",
    b":\\/\\/",
    b"\\",
    b"@",
    b":",
    b"/",
    b" ",
    b"\n",
    b"a",
    b"1",
    b"+",
    b"?",
    b":\\//",
]


@given(
    st.lists(
        st.sampled_from([*_PIECES, b"x" * 40, b"postgres"]),
        max_size=60,
    ).map(b"".join)
)
def test_both_ways_to_find_credentials_agree(data: bytes) -> None:
    """From each ``@`` (sparse text) or by one pattern (an ``@`` on every line): the same."""
    assert urlcreds.by_at(data) == urlcreds.by_pattern(data)


def test_run_masks_a_password_with_a_raw_at_up_to_its_last_at(tmp_path: Path) -> None:
    """``p@ss@w0rd`` is masked whole, also written in pieces that end after an ``@`` (the
    start waits on the console until the host ends it); ``trim`` and the handler alike."""
    script = (
        f"echo 'connect {AT_URL}'; printf 'again postgres://deploy:p@'; sleep 0.3; "
        "printf 'ss@w0'; sleep 0.3; printf 'rd@db-01:5432/shop\\n'"
    )
    shown = [text for engine in ("hyperscan", "re") for text in _run(tmp_path, script, engine)]
    log = tmp_path / "task.log"
    log.write_text(f"ERROR: cannot reach {AT_URL}\n")
    done = _logtrim(
        "trim", str(log), "-o", str(tmp_path / "o.log"), "--artifact", str(tmp_path / "o.zst")
    )
    assert done.returncode == 0, done.stderr
    out = io.StringIO()
    handler = LogtrimHandler(tmp_path / "h.zst", ci="plain", stream=out)
    handler.write(f"connecting to {AT_URL}", 40)
    handler.close(exit_code=0)
    shown += [(tmp_path / "o.log").read_bytes(), zstd_dc(tmp_path / "o.zst")]
    shown += [out.getvalue().encode(), zstd_dc(tmp_path / "h.zst")]
    for text in shown:
        assert b"@ss" not in text and b"w0rd" not in text, text
        assert AT_MASKED in text, text
    assert [text.count(AT_MASKED) for text in shown[:4]] == [2] * 4


def test_failing_open_before_the_start_masks_a_password_with_a_raw_at(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Without the engine (logtrim broke before the step), a write that ends after an ``@``
    is held until the host ends the password."""
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    step = (
        "import sys, time; w = sys.stdout.write; f = sys.stdout.flush\n"
        "w('db postgres://deploy:p@'); f(); time.sleep(0.2)\n"
        "w('ss@w0rd@db-01:5432/shop\\n'); f()\n"
    )
    code = _cli.main(["run", "--", sys.executable, "-c", step])
    out, err = capfd.readouterr()
    assert code == 0, err
    assert f"db {AT_MASKED.decode()}" in out
    assert "@ss" not in out + err and "w0rd" not in out + err


def _clients_passwords(url: str) -> list[tuple[int, int]]:
    """Where in ``url`` clients read a password: Python's ``urllib.parse`` (the netloc up to
    ``/``, ``?`` or ``#``, its userinfo up to the last ``@``) and libpq (up to the first
    ``@`` before a ``/``); the user up to the first ``:``."""
    base = url.index("://") + 3
    userinfo = urlsplit(url).netloc.rpartition("@")[0]
    found = [(base + userinfo.find(":") + 1, base + len(userinfo))] if ":" in userinfo else []
    rest = url[base:]
    stop = min((i for i in (rest.find("@"), rest.find("/")) if i >= 0), default=-1)
    if stop >= 0 and rest[stop] == "@" and ":" in rest[:stop]:
        found.append((base + rest.index(":") + 1, base + stop))
    return [(start, end) for start, end in found if end > start]


@given(
    st.sampled_from(["postgres", "postgresql", "https", "redis", "amqp", "svn+ssh"]),
    st.text(alphabet="ab0:@?#/%!.-", max_size=24),
)
def test_what_clients_read_as_a_password_is_masked(scheme: str, rest: str) -> None:
    url = f"{scheme}://{rest}"
    before = "connecting to "
    spans = Masker().spans(f"{before}{url} now\n".encode())
    for start, end in _clients_passwords(url):
        at, to = start + len(before), end + len(before)
        assert any(a <= at and to <= b for a, b in spans), (url, url[start:end])


@given(
    st.lists(
        st.one_of(
            URL_PASSWORDS.flatmap(url_carriers),
            st.sampled_from([n.encode() + b" " for n in NOT_URLS] + [b"postgres", b"://", b"@"]),
            st.binary(max_size=20),
        ),
        max_size=20,
    ).map(b"".join),
    st.lists(st.integers(min_value=0), max_size=10),
)
def test_the_last_resort_masks_alike_whatever_the_reads(data: bytes, cuts: list[int]) -> None:
    """Without the engine, each read masked as it comes (the end that could begin a URL
    carried to the next): the bytes of the whole output masked at once."""
    from logtrim.run.unfiltered import CrudeMask

    mask = CrudeMask([])
    pieces = [mask.feed(1, chunk) for chunk in split(data, cuts)]
    shown = b"".join(pieces) + mask.feed(1, b"", final=True)
    assert shown == apply(data, urlcreds.spans(data))
    assert_no_url_password(shown)


def test_a_line_begun_on_the_console_with_a_password_masked_in_it_ends_as_written() -> None:
    """The start of a line is shown (a password masked in it), the rest comes later: the
    rest follows what was shown, not the raw offset (``https://deployeploy:``)."""
    line = b"postgres://deploy:777@https://deploy:7@db-01:5432/shop\n"
    for fast in (True, False):
        console = _engine(line, [36], fast=fast)[1]
        assert console.startswith(apply(line, urlcreds.spans(line))), console


def _console_of(chunks: list[bytes]) -> tuple[bytes, bytes]:
    from logtrim.engine.core import STDOUT, Core
    from logtrim.engine.policy import Policy

    core = Core(Policy(budget=4000))
    archive: list[bytes] = []
    shown: list[bytes] = []
    for chunk in chunks:
        data, emits = core.feed(STDOUT, chunk, 0.0)
        archive.append(data)
        shown.extend(text for _, text in emits)
    data, emits = core.finish_input(1.0)
    return b"".join([*archive, data]), b"".join([*shown, *(text for _, text in emits)])


def test_a_password_on_most_lines_gives_the_console_of_lines_fed_one_by_one() -> None:
    """A region with a URL password on most lines is scanned again whole, not line by line:
    the tiers, and so the console, are those of the lines looked at one at a time."""
    lines = [
        b"%d ERROR connect postgres://deploy:pw%d@db-%d/shop refused\n" % (i, i, i)
        if i % 7 == 3
        else b"%d INFO connect postgres://deploy:pw%d@db-%d/shop ok\n" % (i, i, i)
        for i in range(60)
    ]
    whole = _console_of([b"".join(lines)])
    assert whole == _console_of(lines)
    assert b"pw3@" not in whole[1] and b"ERROR connect" in whole[1]


@pytest.mark.parametrize("addresses", [0, 10, 200])
def test_an_escaped_url_password_is_found_behind_many_addresses(addresses: int) -> None:
    """The look for a GitHub property's ``%3A`` goes from each ``@`` back over its line, and
    over the whole chunk once past the first few: a chunk of mail addresses before it hides
    nothing."""
    mail = b"".join(b"notify ops%d@example.org\n" % i for i in range(addresses))
    line = b"::notice title=https%3A//deploy%3AEsc-Pw-771@db-01/shop::migrating\n"
    masked = Masker().mask(mail + line)
    assert b"Esc-Pw-771" not in masked
    assert masked.startswith(mail)


@pytest.mark.parametrize("cut", ["postgres://deploy:", "postgres://dep"])
def test_a_password_after_a_shown_start_is_masked_when_a_command_follows(
    run_logtrim: RunLogtrim, cut: str
) -> None:
    """A line whose start is shown before the rest arrives (a pause), the rest holding a
    URL's password and a CI command: the rest is masked with the line's start read too
    (the password is a URL's only after ``scheme://user:``)."""
    line = "connecting postgres://deploy:hunter2pass@db-01/shop ##[warning]retry"
    start = line.index(cut) + len(cut)
    code = (
        "import sys, time\n"
        f"sys.stdout.write({line[:start]!r}); sys.stdout.flush(); time.sleep(0.4)\n"
        f"print({line[start:]!r}, flush=True)\n"
    )
    r = run_logtrim("--ci", "github", "--", *py(code))
    assert r.code == 0
    assert b"postgres://deploy:********@db-01/shop" in r.stdout
    assert b"hunter2pass" not in r.console + r.archive


def test_a_url_password_after_a_json_escaped_separator_is_masked(tmp_path: Path) -> None:
    """``postgres:\\/\\/deploy:pw@db\\/x``: JSON may escape ``/`` (PHP's ``json_encode`` does by
    default), JSON in JSON escapes it again, a repr doubles the backslash. The password
    passed to the console and the archive; it is masked as in ``postgres://``, on both
    matchers."""
    script = (
        r"""echo '{"dsn":"postgres:\/\/deploy:UrlPw-S3cret@db\/shop"}';"""
        r"""echo '"{\"dsn\":\"postgres:\\\/\\\/deploy:UrlPw-S3cret@db\"}"';"""
        r"""echo "{'dsn': 'postgres:\\/\\/deploy:UrlPw-S3cret@db\\/x'}";"""
        r"""echo 'postgres:\//deploy:UrlPw-S3cret@db'"""
    )
    for engine in ("hyperscan", "re"):
        console, archive = _run(tmp_path, script, engine)
        for text in (console, archive):
            assert b"UrlPw-S3cret" not in text
            assert b'{"dsn":"postgres:\\/\\/deploy:********@db\\/shop"}' in text
            assert text.count(b"deploy:********@db") == 4


@settings(max_examples=examples(200), deadline=None)
@given(
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=40),
    st.sampled_from([b"", b"x" * 100 + b" ", b"ERROR: "]),
    st.data(),
)
def test_a_cut_anywhere_in_an_escaped_url_holds_its_credential_back(
    first: int, second: int, before: bytes, data: st.DataObject
) -> None:
    """A line too long to hold is masked in pieces: a cut inside a URL must hold back its
    whole credential (from its scheme), however many backslashes escape its slashes (JSON
    nested five deep writes 31 before each). With 31, a cut in the separator left the
    password whole on the next piece, unmasked."""
    url = b"postgres:" + b"\\" * first + b"/" + b"\\" * second + b"/u:SECRETPW@h"
    text = before + url + b" tail"
    start = len(before)
    cut = data.draw(st.integers(min_value=start + 1, max_value=start + len(url) - 1))
    held = urlcreds.open_context(text[:cut])  # the bytes from here go with the next piece
    pieces = [text[:held], text[held:]]
    masked = b"".join(apply(p, urlcreds.spans(p)) for p in pieces)
    assert b"SECRETPW" not in masked


@pytest.mark.parametrize("offset", [10, 14, 20, 25])
def test_cat_masks_a_url_password_across_the_cut_of_a_long_line(
    tmp_path: Path, offset: int
) -> None:
    """A line over 1 MiB is read in pieces: a URL across the cut between two pieces printed
    its password whole on the second piece."""
    path = tmp_path / "long.txt"
    path.write_bytes(b"x" * ((1 << 20) - offset) + b" postgres://u:SECRETPW@h tail\n")
    out = _logtrim("cat", str(path))
    assert out.returncode == 0, out.stderr
    assert b"SECRETPW" not in out.stdout + out.stderr
    assert out.stdout.endswith(b" postgres://u:********@h tail\n")


@pytest.mark.parametrize("offset", [14, 20, 33])
def test_stats_and_diff_mask_a_url_password_across_the_cut_of_a_long_line(
    tmp_path: Path, offset: int
) -> None:
    """A line over 2 MiB is counted in pieces: ``stats`` showed the second piece's template,
    which began inside the URL (``ploy:PASSWORD@h``, no scheme to mask it by), and ``diff``
    its new line."""
    path = tmp_path / "long.txt"
    path.write_bytes(
        b"a\n" + b"x" * ((2 << 20) - 2 - offset) + b"postgres://deploy:SECRETPW@h tail\n"
    )
    good = tmp_path / "good.txt"
    good.write_bytes(b"a\n")
    for args in (
        ["stats", str(path)],
        ["stats", "--json", str(path)],
        ["diff", str(good), str(path)],
    ):
        out = _logtrim(*args)
        assert out.returncode == 0, out.stderr
        assert b"SECRETPW" not in out.stdout + out.stderr, args


@given(st.integers(0, 300), st.integers(64, 256), st.lists(st.integers(0, 600), max_size=6))
def test_a_long_line_is_cut_into_pieces_that_each_mask_their_url(
    before: int, grid: int, reads: list[int]
) -> None:
    """However a line longer than the grid is read, the pieces ``line_chunks`` cuts it into
    each hold a URL's credential whole, so each masked alone hides the password."""
    data = b"x" * before + b"postgres://deploy:SECRETPW@db/x " + b"y" * 300
    points = sorted({min(r, len(data)) for r in reads})
    reads_ = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    pieces = list(line_chunks(reads_, grid=grid))
    assert b"".join(pieces) == data
    assert b"SECRETPW" not in b"".join(apply(p, urlcreds.spans(p)) for p in pieces)


def test_stats_masks_a_url_password_where_its_template_put_digits(tmp_path: Path) -> None:
    """``stats`` templates a line first (its digits as ``<n>``), then masks what it prints: a
    scheme with a digit (``mysql2``, ``s3``, ``psycopg2``) was no longer a scheme, and the
    password (with its digits as ``<n>``) was printed, in the table, ``--json`` and the
    ``--drop`` suggestion."""
    path = tmp_path / "urls.log"
    lines = [
        "DATABASE_URL=mysql2://app:Sup3rSecretPw@db/prod",
        "S3=s3://AKIA:wJal9rXUtnFEMI@bucket/x",
        "X=postgresql+psycopg2://u:pw1Quiet@h/db",
    ]
    path.write_text("\n".join(lines) + "\n" + "".join(
        f"Started worker {i} with mysql2://app:Sup3rSecretPw@db/prod\n" for i in range(500)
    ))  # fmt: skip
    for args in (["stats", str(path)], ["stats", "--json", str(path)]):
        out = _logtrim(*args)
        assert out.returncode == 0, out.stderr
        for secret in (b"rSecretPw", b"wJal", b"Quiet"):
            assert secret not in out.stdout, (args, secret)
    table = _logtrim("stats", str(path)).stdout
    assert b"://AKIA:****" in table, table.decode()
    assert b"--drop" in table  # the suggestion is there, its password left out


_AROUND = ['url="', "url='", "(", "x ", '{"u": "', "see ~/", "C:\\x\\", "at /srv/"]


@given(
    st.sampled_from(_AROUND),
    st.text(alphabet="abcXYZ019\"'\\~.-_<>()[]{};,", max_size=10),
    st.sampled_from(["", '"', "'", ")", " done"]),
    st.integers(1, 80),
)
def test_no_template_holds_a_piece_of_a_url_password(
    before: str, password: str, after: str, copies: int
) -> None:
    """A template's placeholder could take a URL's start and leave its password's end
    (``url="https://bob:se\\"cr3tTAIL@host"`` -> ``url="<str>"cr<n>tTAIL@host``): the
    passwords are masked before the template regex sees the lines, one by one or in bulk."""
    line = f"{before}https://bob:{password}TAILqq@host.example/x{after}".encode()
    lines = [line + str(i).encode() for i in range(copies)]
    keys = [each.translate(DIGITS_TO_ZERO) + b"\n" for each in lines]
    for found in (templates_of(lines), templates_of_keys(keys), templates_of(lines, by_field=True)):
        assert not any(b"TAILqq" in each for each in found), found


def test_stats_masks_a_url_password_inside_a_quoted_string(tmp_path: Path) -> None:
    """A password with an escaped quote, in a quoted string: ``stats`` printed its end."""
    path = tmp_path / "quoted.log"
    path.write_text('url="https://bob:se\\"cr3tTAIL@host/x"\n' * 3 + "x\n")
    for args in (["stats", str(path)], ["stats", "--json", str(path)]):
        out = _logtrim(*args)
        assert out.returncode == 0, out.stderr
        assert b"TAIL" not in out.stdout, out.stdout.decode()


def test_the_drop_suggestion_for_lines_with_a_url_password_is_a_regex_that_drops_them(
    tmp_path: Path,
) -> None:
    """The ``--drop`` suggestion for lines that hold a URL's password was printed masked as
    any text (``redis://app:********@db``): the regex then matched nothing, and ``run``
    refused it (``multiple repeat``). The user and password go as a token now."""
    line = "Started worker {} with redis://app:Sup3rSecretPw@db/prod\n"
    path = tmp_path / "workers.log"
    # (one other line: a template of every line is no saving)
    path.write_text("".join(line.format(i) for i in range(500)) + "worker pool ready\n")
    out = _logtrim("stats", "--json", str(path))
    assert out.returncode == 0, out.stderr
    assert b"Sup3rSecretPw" not in out.stdout
    regex = json.loads(out.stdout)["suggestion"]["regex"]
    assert "****" not in regex
    assert re.search(regex, line.format(7).rstrip("\n"))


def test_stats_masks_a_password_its_cut_of_a_long_line_leaves_open(tmp_path: Path) -> None:
    """``stats`` templates a line past 4 kB on its first 4,096 bytes: a cut inside a URL's
    password left its start with no ``@`` after it, in the table, the JSON and --drop."""
    line = "INFO connecting " + "y" * 4044 + " https://bob:LEAKPART" + "Q" * 40 + "@host/x done\n"
    path = tmp_path / "long.log"
    path.write_text(line * 3 + "other\n")
    for args in (["stats", str(path)], ["stats", "--json", str(path)]):
        out = _logtrim(*args)
        assert out.returncode == 0, out.stderr
        assert b"LEAK" not in out.stdout, out.stdout.decode()


def test_stats_masks_a_password_in_a_task_log_s_step_name(tmp_path: Path) -> None:
    """An Octopus task log's step names are the script's text: its "By step" table and
    JSON printed them as written."""
    path = tmp_path / "task.log"
    path.write_text(
        "Task ID:       ServerTasks-813\nTask status:   Failed\n\n"
        "                    | == Running: Migrate postgres://app:STEPSECRET@db-01/shop ==\n"
        + "".join(f"16:05:0{i}   Info     |   migrating {i}\n" for i in range(1, 6))
        + "16:06:01   Error    |     boom\n"
    )
    for args in (["stats", str(path)], ["stats", "--json", str(path)]):
        out = _logtrim(*args)
        assert out.returncode == 0, out.stderr
        assert b"STEPSECRET" not in out.stdout, out.stdout.decode()
        assert b"Migrate postgres://app:" in out.stdout  # the step is there, masked
