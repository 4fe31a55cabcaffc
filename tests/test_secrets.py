"""Secrets never reach the console or the archive, whatever line carries them (issue 17).

Real child processes, real archives; each test names the item of the issue it holds to.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env, logtrim_argv, py, zstd_dc
from octopus_decoder import messages as decode_messages

import logtrim
from logtrim.engine.masking.forms import base64_forms

SECRET = "s3cr3t-Pa55w0rd"
HIDDEN = b"********"


def _no_secret(data: bytes, secret: str = SECRET) -> None:
    raw = secret.encode()
    assert raw not in data
    for form in base64_forms(raw):
        assert form not in data, form


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# -- 1. a service message is one line ---------------------------------------------------------
@pytest.mark.parametrize("ci", ["github", "azure", "octopus"])
def test_unterminated_octopus_marker_is_one_line(run_logtrim: RunLogtrim, ci: str) -> None:
    child = py(
        "print('see ##octopus[ docs')\n"
        f"for i in range(1000): print(f'line {{i}} {SECRET} ' + 'x' * 200)\n"
    )
    result = run_logtrim("--ci", ci, "--budget", "3kB", "--mask", SECRET, "--", *child)
    assert result.code == 0
    assert len(result.stdout) < 3000 + 1000  # the budget, and the closing messages
    _no_secret(result.console)
    _no_secret(result.archive)


def test_unterminated_octopus_marker_is_one_line_in_trim(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    lines = [b"see ##octopus[ docs\n", b"::add-mask::" + SECRET.encode() + b"\n"]
    lines += [f"line {i} {SECRET} {'x' * 200}\n".encode() for i in range(1000)]
    log.write_bytes(b"".join(lines))
    art = tmp_path / "a.zst"
    result = subprocess.run(
        [*logtrim_argv("trim", str(log), "--budget", "3kB", "--artifact", str(art))],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0
    assert len(result.stdout) < 4000
    _no_secret(result.stdout.replace(b"::add-mask::" + SECRET.encode(), b""))
    _no_secret(zstd_dc(art))


def test_unterminated_octopus_marker_is_one_line_in_the_handler(tmp_path: Path) -> None:
    out = io.StringIO()
    handler = logtrim.LogtrimHandler(tmp_path / "a.zst", budget="3kB", ci="github", stream=out,
                                     masks=(SECRET,))  # fmt: skip
    log = logging.getLogger("t17-1")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.info("see ##octopus[ docs")
    for i in range(1000):
        log.info("line %d %s %s", i, SECRET, "x" * 200)
    handler.close()
    log.removeHandler(handler)
    assert len(out.getvalue()) < 4000
    _no_secret(out.getvalue().encode())
    _no_secret(zstd_dc(tmp_path / "a.zst"))


def test_octopus_message_over_lines_is_masked_like_one_line(run_logtrim: RunLogtrim) -> None:
    """A message whose ']' comes later goes on over attribute lines: each is masked, its
    values as base64 of the masked text, and counted as a command line."""
    value = b64(f"password={SECRET};")
    child = py(
        "print(\"##octopus[setVariable name='" + b64("conn") + "'\")\n"
        f"print(\"  value='{value}']\")\n"
        "print('after')\n"
    )
    result = run_logtrim("--ci", "octopus", "--mask", SECRET, "--", *child)
    _no_secret(result.console)
    _no_secret(result.archive)
    lines = result.stdout.splitlines()
    assert lines[0] == b"##octopus[setVariable name='" + b64("conn").encode() + b"'"
    assert lines[1] == b"  value='" + b64("password=********;").encode() + b"']"
    assert b"after" in lines[2]


# -- 2. only the declaring line may carry a secret --------------------------------------------
@pytest.mark.parametrize(
    ("ci", "line", "want"),
    [
        ("github", f"::error::login failed {SECRET}", b"::error::login failed ********"),
        ("azure", f"##vso[task.logissue type=error]deploy failed {SECRET}",
         b"##vso[task.logissue type=error]deploy failed ********"),
        ("teamcity", f"##teamcity[message text='pw {SECRET}']",
         b"##teamcity[message text='pw ********']"),
        ("octopus", f"copying {SECRET} ##octopus[progress percentage='{b64('50')}']",
         f"copying ******** ##octopus[progress percentage='{b64('50')}']".encode()),
        ("octopus", f"##octopus[stdout-warning] {SECRET}", b"##octopus[stdout-warning] ********"),
    ],
)  # fmt: skip
def test_command_lines_are_masked(run_logtrim: RunLogtrim, ci: str, line: str, want: bytes) -> None:
    result = run_logtrim("--ci", ci, "--mask", SECRET, "--", *py(f"print({line!r})"))
    assert result.stdout.splitlines()[0] == want
    _no_secret(result.console)
    _no_secret(result.archive)


def test_github_escaped_form_is_masked(run_logtrim: RunLogtrim) -> None:
    """GitHub reads '%' in a command's data escaped as '%25': that form is masked too."""
    secret = "pa%ss-w0rd"
    line = "::warning title=x::login " + secret.replace("%", "%25")
    result = run_logtrim("--ci", "github", "--mask", secret, "--", *py(f"print({line!r})"))
    assert result.stdout.splitlines()[0] == b"::warning title=x::login ********"


def test_octopus_value_of_a_plain_variable_is_masked_as_base64(run_logtrim: RunLogtrim) -> None:
    """A non-sensitive ``setVariable`` whose value holds a secret: decoded, masked, encoded."""
    line = f"##octopus[setVariable name='{b64('url')}' value='{b64('https://u:' + SECRET + '@h')}']"
    result = run_logtrim("--ci", "octopus", "--mask", SECRET, "--", *py(f"print({line!r})"))
    _no_secret(result.console)
    (message,) = [m for m in decode_messages(result.stdout) if m.name == "setVariable"]
    assert message.attrs == {"name": "url", "value": "https://u:********@h"}


def test_the_declaring_line_alone_carries_the_secret(run_logtrim: RunLogtrim) -> None:
    child = py(f"print('::add-mask::{SECRET}'); print('::error::no {SECRET}')")
    result = run_logtrim("--ci", "github", "--", *child)
    assert result.stdout.splitlines()[:2] == [
        f"::add-mask::{SECRET}".encode(),
        b"::error::no ********",
    ]
    _no_secret(result.archive)


def test_an_azure_endpoint_auth_parameter_is_a_secret(run_logtrim: RunLogtrim) -> None:
    """The agent masks the value ``task.setendpoint ... field=authParameter`` sets (a service
    principal's key): logtrim left it in clear after the command, in the console and the
    archive."""
    endpoint = "##vso[task.setendpoint id=00000000-0000-0000-0000-000000000001;"
    declare = f"{endpoint}field=authParameter;key=password]{SECRET}"
    child = py(f"print({declare!r}); print('using {SECRET}')")
    result = run_logtrim("--ci", "azure", "--", *child)
    assert result.stdout.splitlines()[:2] == [declare.encode(), b"using ********"]
    _no_secret(result.archive)


@pytest.mark.parametrize(
    ("ci", "secret", "line", "shown"),
    [
        ("teamcity", "pa'ss-w0rd", "##teamcity[message text='login pa'ss-w0rd failed']",
         "##teamcity[message text='login ******** failed']"),
        ("github", "user,pa55word", "::error title=user,pa55word::x", "::error title=********::x"),
        ("github", "pa::ss-w0rd", "::error title=pa::ss-w0rd::x", "::error title=********::x"),
        ("azure", "p4ss]w0rd", "##vso[task.logissue type=error;sourcepath=p4ss]w0rd failed",
         "##vso[task.logissue type=error;sourcepath=******** failed"),
    ],
)  # fmt: skip
def test_a_secret_that_a_command_s_syntax_cuts_is_masked(
    run_logtrim: RunLogtrim, ci: str, secret: str, line: str, shown: str
) -> None:
    """A secret holding a delimiter of the CI's syntax (a quote, a comma, ``::``, ``]``) is
    cut by it: no value held it whole, and it passed in clear inside the command (which the
    CI cannot read as one, and shows as written). Masked whole: a secret never passes."""
    result = run_logtrim("--ci", ci, "--mask", secret, "--", *py(f"print({line!r})"))
    assert result.stdout.splitlines()[0] == shown.encode()
    assert secret.encode() not in result.console + result.archive


def test_a_declaration_after_a_byte_order_mark_is_learned(run_logtrim: RunLogtrim) -> None:
    """The runner reads its output through .NET, which drops a byte-order mark at the start:
    ``\\ufeff::add-mask::X`` declares X to it. logtrim read a text line: X stayed in clear
    there and after it, on the console and in the archive."""
    code = (
        "import sys\n"
        f"sys.stdout.buffer.write(b'\\xef\\xbb\\xbf::add-mask::{SECRET}\\ntoken={SECRET}\\n')\n"
    )
    result = run_logtrim("--ci", "github", "--", *py(code))
    assert result.stdout.splitlines()[1] == b"token=********"
    _no_secret(result.stdout)
    _no_secret(result.archive)


# -- 3. fail-open masks a secret split across writes -------------------------------------------
SPLIT = (
    "import sys, time\n"
    "print('x' * 300, flush=True); time.sleep(0.3)\n"
    f"sys.stdout.write('token {SECRET[:6]}'); sys.stdout.flush(); time.sleep(0.3)\n"
    f"print('{SECRET[6:]} end', flush=True)\n"
    f"sys.stderr.write('{SECRET[:3]}'); sys.stderr.flush(); time.sleep(0.3)\n"
    f"sys.stderr.write('{SECRET[3:]}\\n')\n"
)


def test_failopen_masks_a_secret_split_across_writes(run_logtrim: RunLogtrim) -> None:
    result = run_logtrim("--mask", SECRET, "--", *py(SPLIT), env={"LOGTRIM_FAULT_AFTER": "10"})
    assert b"internal error" in result.stderr
    assert b"token ******** end" in result.stdout
    _no_secret(result.console)
    _no_secret(result.archive)
    assert b"token ******** end" in result.archive


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="POSIX")
def test_disk_full_masks_a_secret_split_across_writes(tmp_path: Path) -> None:
    """The disk fills up mid-run (a file size limit here): the secret split across writes
    is masked on the console all the same."""
    child = SPLIT.replace("'x' * 300", "__import__('os').urandom(100_000).hex()")  # no squeeze

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = subprocess.run(
        [*logtrim_argv("run", "--mask", SECRET, "--artifact", str(tmp_path / "a.zst"), "--"),
         *py(child)],
        env=clean_env(), capture_output=True, timeout=60, preexec_fn=limit,
    )  # fmt: skip
    assert b"archive cannot be written" in result.stderr
    assert b"token ******** end" in result.stdout
    _no_secret(result.stdout + result.stderr)


# -- 4. the GitHub step summary ---------------------------------------------------------------
def test_github_step_summary_first_errors_are_masked(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """An error line printed before its secret was declared: masked in the summary file."""
    summary = tmp_path / "summary.md"
    child = py(
        f"print('ERROR: login as {SECRET} refused')\n"
        f"print('::add-mask::{SECRET}')\n"
        "raise SystemExit(3)\n"
    )
    result = run_logtrim("--ci", "github", "--", *child,
                         env={"GITHUB_STEP_SUMMARY": str(summary)})  # fmt: skip
    assert result.code == 3
    text = summary.read_bytes()
    assert b"First errors" in text
    assert b"login as ******** refused" in text
    _no_secret(text)


# -- 5. a secret over two lines ----------------------------------------------------------------
MULTI = "-----BEGIN KEY-----\nMIIEabc123xyz\n-----END KEY-----"


@pytest.mark.parametrize("split", [False, True])
def test_secret_with_newlines_is_masked(run_logtrim: RunLogtrim, split: bool) -> None:
    head, tail = MULTI[:25], MULTI[25:]
    writes = [head, tail] if split else [MULTI]
    child = py(
        "import sys, time\n"
        "sys.stdout.write('key: ')\n"
        + "".join(f"sys.stdout.write({w!r}); sys.stdout.flush(); time.sleep(0.4)\n" for w in writes)
        + "print(' done')\n"
    )  # fmt: skip
    result = run_logtrim("--mask-env", "KEY", "--", *child, env={"KEY": MULTI})
    for part in MULTI.split("\n"):
        assert part.encode() not in result.console, part
        assert part.encode() not in result.archive, part
    assert result.archive == b"key: ********\n********\n******** done\n"
    assert b"key: ********\n********\n******** done\n" in result.stdout


def test_secret_with_newlines_is_masked_by_the_handler(tmp_path: Path) -> None:
    out = io.StringIO()
    handler = logtrim.LogtrimHandler(tmp_path / "a.zst", ci="plain", stream=out, masks=(MULTI,))
    log = logging.getLogger("t17-5")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.error("the key was %s, refused", MULTI)
    handler.close()
    log.removeHandler(handler)
    archive = zstd_dc(tmp_path / "a.zst")
    for part in MULTI.split("\n"):
        assert part not in out.getvalue()
        assert part.encode() not in archive
    assert "the key was ********\n********\n********, refused" in out.getvalue()


def test_secret_with_newlines_split_across_records_is_masked_by_the_handler(
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    handler = logtrim.LogtrimHandler(tmp_path / "a.zst", ci="plain", stream=out, masks=(MULTI,))
    log = logging.getLogger("t17-5b")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    first, second = MULTI.split("\n", 1)
    log.info("key: %s", first)
    log.warning("%s (end)", second)
    log.info("after")
    handler.close()
    log.removeHandler(handler)
    archive = zstd_dc(tmp_path / "a.zst")
    for part in MULTI.split("\n"):
        assert part not in out.getvalue()
        assert part.encode() not in archive
    assert archive == b"key: ********\n********\n******** (end)\nafter\n"
    assert "key: ********\n********\n******** (end)\nafter\n" in out.getvalue()


# -- 6. the handler learns from every dialect ------------------------------------------------
@pytest.mark.parametrize(
    "declare",
    [f"::add-mask::{SECRET}", f"##vso[task.setsecret]{SECRET}",
     f"##octopus[mask value='{b64(SECRET)}']"],
)  # fmt: skip
def test_handler_learns_secrets_of_every_dialect(tmp_path: Path, declare: str) -> None:
    out = io.StringIO()
    handler = logtrim.LogtrimHandler(tmp_path / "a.zst", ci="teamcity", stream=out)
    log = logging.getLogger("t17-6")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.info(declare)
    log.warning("using %s now", SECRET)
    log.debug("debug %s", SECRET)
    handler.close()
    log.removeHandler(handler)
    assert "using ******** now" in out.getvalue()
    # The declaring line is a command here (Octopus's always are): the one line that may
    # carry the secret; the others are plain text here, masked.
    _no_secret(out.getvalue().encode().replace(declare.encode(), b""))
    _no_secret(zstd_dc(tmp_path / "a.zst"))


# -- 7. operator-supplied names and base64 alignments -----------------------------------------
def test_artifact_path_and_name_are_masked(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    artifact = tmp_path / f"deploy-{SECRET}.log.zst"
    result = run_logtrim("--ci", "octopus", "--mask", SECRET, "--name", f"log {SECRET}", "--",
                         *py("raise SystemExit(2)"), artifact=artifact)  # fmt: skip
    _no_secret(result.console)
    # Masked, the path names no file: it is published by no message, and the summary says so.
    assert [m for m in decode_messages(result.stdout) if m.name == "createArtifact"] == []
    assert f"archive: {tmp_path / 'deploy-********.log.zst'}".encode() in result.stdout
    assert b"the archive's path holds a secret" in result.stdout
    assert artifact.is_file()  # the file itself keeps its name
    # A path without it is published, under the name masked.
    plain = tmp_path / "deploy.log.zst"
    result = run_logtrim("--ci", "octopus", "--mask", SECRET, "--name", f"log {SECRET}", "--",
                         *py("raise SystemExit(2)"), artifact=plain)  # fmt: skip
    _no_secret(result.console)
    (message,) = [m for m in decode_messages(result.stdout) if m.name == "createArtifact"]
    assert message.attrs["name"] == "log ********"
    assert message.attrs["path"] == str(plain)


def test_every_base64_alignment_is_masked(run_logtrim: RunLogtrim) -> None:
    texts = [b64(prefix + SECRET + suffix) for prefix in ("", "a", "ab") for suffix in ("", "z")]
    child = py("".join(f"print('blob {t}')\n" for t in texts))
    result = run_logtrim("--mask", SECRET, "--", *child)
    assert result.stdout.count(HIDDEN) == len(texts)
    _no_secret(result.console)
    _no_secret(result.archive)


# -- 21. a partial line is shown before its newline -------------------------------------------
def test_partial_line_is_shown_before_its_newline(tmp_path: Path) -> None:
    argv = logtrim_argv("run", "--artifact", str(tmp_path / "a.zst"), "--", "bash", "-c",
                        "printf 'Deploying... '; sleep 3; echo done")  # fmt: skip
    with subprocess.Popen(argv, stdout=subprocess.PIPE, env=clean_env()) as proc:
        assert proc.stdout is not None
        seen = b""
        started = time.monotonic()
        while b"Deploying... " not in seen and time.monotonic() - started < 2.5:
            seen += os.read(proc.stdout.fileno(), 100)
        before_newline = b"done" not in seen
        rest = proc.stdout.read()
    assert seen.startswith(b"Deploying... ")
    assert before_newline  # shown while the child still slept, not with its newline
    assert (seen + rest).startswith(b"Deploying... done\n")  # shown once, then the rest


def test_partial_line_with_a_possible_secret_start_holds_only_that(tmp_path: Path) -> None:
    argv = logtrim_argv("run", "--mask", SECRET, "--artifact", str(tmp_path / "a.zst"), "--",
                        "bash", "-c", f"printf 'token {SECRET[:5]}'; sleep 2; "
                        f"echo '{SECRET[5:]} ok'")  # fmt: skip
    with subprocess.Popen(argv, stdout=subprocess.PIPE, env=clean_env()) as proc:
        assert proc.stdout is not None
        first = os.read(proc.stdout.fileno(), 100)
        rest = proc.stdout.read()
    assert first == b"token "
    assert (first + rest).startswith(b"token ******** ok\n")


# -- 13. an engine fault that also breaks close() ---------------------------------------------
def test_handler_engine_fault_and_broken_close_still_publish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    handler = logtrim.LogtrimHandler(tmp_path / "a.zst", ci="octopus", stream=out,
                                     masks=(SECRET,), name=f"n {SECRET}")  # fmt: skip
    log = logging.getLogger("t17-13")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.info("before the fault")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("engine fault")

    handler.core.feed_line = broken  # type: ignore[method-assign, assignment]
    handler.core.close = broken  # type: ignore[method-assign, assignment]
    log.info("after the fault %s", SECRET)
    handler.close(exit_code=1)
    log.removeHandler(handler)
    text = out.getvalue()
    assert "after the fault ********" in text
    _no_secret(text.encode())
    (message,) = [m for m in decode_messages(text.encode()) if m.name == "createArtifact"]
    assert message.attrs["name"] == "n ********"
    assert int(message.attrs["length"]) == (tmp_path / "a.zst").stat().st_size
    archive = zstd_dc(tmp_path / "a.zst")
    assert b"after the fault ********" in archive
    _no_secret(archive)
    _ = capsys.readouterr()


def test_run_engine_fault_still_publishes_the_archive(run_logtrim: RunLogtrim) -> None:
    result = run_logtrim("--ci", "octopus", "--mask", SECRET, "--name", f"n {SECRET}", "--",
                         *py(SPLIT), env={"LOGTRIM_FAULT_AFTER": "10"})  # fmt: skip
    (message,) = [m for m in decode_messages(result.stdout) if m.name == "createArtifact"]
    assert message.attrs["name"] == "n ********"
    _no_secret(result.console)


_ = sys


def test_a_secret_declared_over_several_lines_is_learned(run_logtrim: RunLogtrim) -> None:
    """An Octopus message whose attributes come on later lines declares its secret as the
    one-line form does: masked on the console after it and everywhere in the archive."""
    child = (
        "printf \"##octopus[setVariable name='eA=='\\nvalue='c2VjcmV0LXZhbHVlLTk5'\\n"
        "sensitive='VHJ1ZQ==']\\n\"; echo 'leak: secret-value-99'; "
        "printf \"##octopus[mask\\nvalue='YW5vdGhlci1zZWNyZXQ=']\\n\"; echo 'leak2: another-secret'"
    )
    result = run_logtrim("--ci", "octopus", "--", "bash", "-c", child)
    assert b"leak: ********" in result.stdout
    assert b"leak2: ********" in result.stdout
    for secret in (b"secret-value-99", b"c2VjcmV0LXZhbHVlLTk5", b"another-secret"):
        assert secret not in result.archive


def test_a_secret_split_by_colour_codes_is_masked(run_logtrim: RunLogtrim) -> None:
    """A script that colours part of a secret (a terminal still shows it whole): masked on
    the console and in the archive, with the codes inside it; the codes around it stay."""
    split = SECRET[:3] + "\x1b[1;31m" + SECRET[3:7] + "\x1b[0m" + SECRET[7:]
    child = py(f"print('login as ' + {split!r} + ' \\x1b[32mok\\x1b[0m'); print('done')")
    result = run_logtrim("--ci", "plain", "--mask", SECRET, "--", *child)
    assert result.code == 0
    for text in (result.stdout, result.archive):
        assert b"login as ******** \x1b[32mok\x1b[0m\n" in text
        assert SECRET[3:7].encode() not in text


def test_text_around_a_declaring_message_is_masked(run_logtrim: RunLogtrim) -> None:
    """The declaring message passes as it is (the server needs the value); a known secret in
    the text before or after it, or in another message on its line, is masked."""
    other, third = "an0ther-S3cret", "th1rd-S3cret"
    lines = [
        f"##octopus[setVariable name='{b64('A')}' value='{b64(SECRET)}' "
        f"sensitive='{b64('True')}']  (set {SECRET})",
        f"{SECRET} ##octopus[mask value='{b64(other)}']",
        f"##octopus[mask value='{b64(third)}'] ##octopus[message text='{b64('x ' + SECRET)}']",
    ]
    child = py("".join(f"print({line!r});" for line in lines))
    result = run_logtrim("--ci", "octopus", "--", *child)
    assert result.code == 0
    out = result.stdout.decode().splitlines()
    assert out[0].startswith(f"##octopus[setVariable name='{b64('A')}' value='{b64(SECRET)}'")
    assert out[0].endswith("(set ********)")
    assert out[1] == f"******** ##octopus[mask value='{b64(other)}']"
    assert out[2] == (
        f"##octopus[mask value='{b64(third)}'] ##octopus[message text='{b64('x ********')}']"
    )
    _no_secret(result.stdout.replace(b64(SECRET).encode(), b""))
    _no_secret(result.archive)


@pytest.mark.parametrize("ci", ["github", "azure", "plain"])
def test_another_system_s_declaration_does_not_show_the_value(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    """An Octopus declaration under another CI: no server there takes the value, and its
    base64 decodes to the secret; the message keeps its form with the value masked."""
    line = (
        f"##octopus[setVariable name='{b64('A')}' value='{b64(SECRET)}' sensitive='{b64('True')}']"
    )
    result = run_logtrim("--ci", ci, "--", *py(f"print({line!r}); print('use ' + {SECRET!r})"))
    assert result.code == 0
    _no_secret(result.stdout)
    _no_secret(result.archive)
    masked = f"##octopus[setVariable name='{b64('A')}' value='{b64('********')}' sensitive="
    assert masked.encode() in result.stdout
    assert b"use ********" in result.stdout


def test_a_coloured_secret_across_two_writes_of_a_long_line_is_masked(
    run_logtrim: RunLogtrim,
) -> None:
    """A line too long to hold whose first write ends inside a secret that colour codes
    split (a terminal shows it whole): the secret is masked, codes and all, on the console
    and in the archive (the start held back was not taken for a secret's length)."""
    coloured = SECRET[:4] + "\x1b[1;31m\x1b[0m\x1b[1;31m" + SECRET[4:]
    first, rest = coloured[:-3], coloured[-3:]
    # The line passes the 1 MiB logtrim holds within the first write's last bytes, whatever
    # the reads: the piece handed out then ends in the secret.
    size = (1 << 20) - 16
    child = py(
        "import sys, time; out = sys.stdout.buffer; "
        f"out.write(b'ERROR ' + b'y' * {size} + {first.encode()!r}); out.flush(); "
        f"time.sleep(0.5); out.write({rest.encode()!r} + b' ok\\n'); out.flush()"
    )
    result = run_logtrim("--ci", "plain", "--mask", SECRET, "--", *child)
    assert result.code == 0
    assert result.archive == b"ERROR " + b"y" * size + HIDDEN + b" ok\n"
    for text in (result.console, result.archive):
        assert SECRET[:4].encode() not in text
