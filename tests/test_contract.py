"""The CI contract and secrets with real children (issue 4)."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env, py, zstd_dc
from octopus_decoder import child_message_lines, encode, message_lines, messages

NOISE = "for i in range({n}): print(f'copying file {{i:06d}}.dat to /var/www/shop-api/releases')\n"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def child(*statements: str) -> list[str]:
    """A Python child that runs ``statements`` in order, flushing as it goes."""
    return py("import sys, time\n" + "\n".join(statements) + "\nsys.stdout.flush()\n")


def out(text: str) -> str:
    return f"print({text!r}, flush=True)"


def err(text: str) -> str:
    return f"print({text!r}, file=sys.stderr, flush=True)"


def noise(n: int) -> str:
    return NOISE.format(n=n)


def test_service_messages_verbatim_and_in_order(run_logtrim: RunLogtrim) -> None:
    """Every service message, known or not, reaches the console verbatim and in order."""
    msgs = [
        encode("setVariable", name="Web.Url", value="https://shop.example"),
        encode("create-tokenaccount", name="acct", token="dGhpcyBpcyBub3Q="),
        "##octopus[some-future-message foo='YmFy']",
        "##octopus[stdout-highlight]",
        "Deployed to 3 of 3 servers",
        "##octopus[stdout-default]",
        "prefix text ##octopus[setVariable name='QQ==' value='Qg==']",
        "##octopus[broken value='not base64!']",
    ]
    stmts = []
    for m in msgs:
        stmts += [noise(200), out(m)]
    result = run_logtrim("--ci", "octopus", "--head", "0", "--", *child(*stmts))
    assert result.code == 0
    lines = message_lines(result.stdout)
    expected = [m.encode() for m in msgs if "##octopus[" in m]
    assert lines[: len(expected)] == expected
    assert b"Deployed to 3 of 3 servers\n" in result.stdout


def test_unterminated_service_message_is_one_line(run_logtrim: RunLogtrim) -> None:
    """A '##octopus[' without ']' is one line: the lines after it keep the budget and masks."""
    secret = "hunter2-very-secret"
    lines = f"for i in range(2000): print(f'line {{i}}: login with {secret} to db-{{i:04d}}')"
    result = run_logtrim(
        "--ci", "octopus", "--budget", "3kB", "--mask", secret, "--",
        *child(out("see ##octopus[ docs"), lines),
    )  # fmt: skip
    assert result.code == 0
    assert b"see ##octopus[ docs\n" in result.stdout
    assert len(result.console) <= 3000
    assert secret.encode() not in result.console
    assert result.archive.count(b"********") == 2000


def test_service_message_on_stderr_stays_on_stderr(run_logtrim: RunLogtrim) -> None:
    """A service message the child writes on stderr is forwarded on stderr."""
    msg = encode("mask", value="abcd-efgh")
    result = run_logtrim("--ci", "octopus", "--", *child(err(msg)))
    assert msg.encode() + b"\n" in result.stderr
    assert b"##octopus[mask" not in result.stdout


def test_multiline_service_message_forwarded_whole(run_logtrim: RunLogtrim) -> None:
    """A message whose ']' comes on a later line is forwarded whole."""
    text = (
        "##octopus[create-kubernetestarget name='azhz'\n  namespace='ZGVmYXVsdA=='\n  roles='d2Vi']"
    )
    result = run_logtrim(
        "--ci", "octopus", "--head", "0", "--", *child(noise(300), out(text), noise(300))
    )
    assert text.encode() + b"\n" in result.stdout


def test_messages_never_dropped_for_budget(run_logtrim: RunLogtrim) -> None:
    """Hundreds of setVariable messages all arrive even with a tiny budget."""
    stmts = [
        "for i in range(600):\n"
        "    print('ERROR: noisy failure number', i, 'on', 'abcdefghij'[i % 10] * 20)\n"
        "    n = __import__('base64').b64encode(f'v{i}'.encode()).decode()\n"
        "    print(\"##octopus[setVariable name='\" + n + \"' value='eA==']\")"
    ]
    result = run_logtrim("--ci", "octopus", "--budget", "4kB", "--", *child(*stmts))
    names = [m.attrs["name"] for m in messages(result.stdout) if m.name == "setVariable"]
    assert names == [f"v{i}" for i in range(600)]
    service = sum(len(line) + 1 for line in message_lines(result.stdout))
    assert len(result.console) - service <= 4000


def test_progress_messages_throttled_but_last_arrives(run_logtrim: RunLogtrim) -> None:
    """A flood of progress messages is thinned, but the final one is shown."""
    stmts = [
        "import base64\n"
        "for p in range(101):\n"
        '    print("##octopus[progress percentage=\'" + base64.b64encode(str(p).encode()).decode()'
        " + \"' message='VXBsb2Fk']\", flush=True)\n"
        "    time.sleep(0.01)"
    ]
    result = run_logtrim("--ci", "octopus", "--", *child(*stmts))
    progress = [m for m in messages(result.stdout) if m.name == "progress"]
    assert 1 <= len(progress) < 20
    assert progress[-1].attrs["percentage"] == "100"
    assert result.archive.count(b"##octopus[progress") == 101


def test_verbose_block_is_archive_only(run_logtrim: RunLogtrim) -> None:
    """Lines under stdout-verbose are not shown, even errors; they are in the archive."""
    result = run_logtrim(
        "--ci", "octopus", "--head", "0", "--",
        *child(
            out("##octopus[stdout-verbose]"),
            out("ERROR: verbose-only detail"),
            out("WARNING: verbose-only warning"),
            out("##octopus[stdout-default]"),
            out("ERROR: visible error"),
        ),
    )  # fmt: skip
    assert b"verbose-only" not in result.console
    assert b"ERROR: visible error\n" in result.stdout
    assert b"ERROR: verbose-only detail\n" in result.archive
    assert b"##octopus[stdout-verbose]\n" in result.stdout


def test_stdout_warning_lines_count_as_warnings(run_logtrim: RunLogtrim) -> None:
    """Plain lines under stdout-warning are shown and counted as warnings."""
    result = run_logtrim(
        "--ci", "octopus", "--head", "0", "--",
        *child(noise(100), out("##octopus[stdout-warning]"), out("disk usage is high on web-01"),
               out("##octopus[stdout-default]"), noise(100)),
    )  # fmt: skip
    assert b"disk usage is high on web-01\n" in result.stdout
    assert b"warnings 1/1" in result.stdout


def test_stdout_error_lines_count_as_errors(run_logtrim: RunLogtrim) -> None:
    """Plain lines under stdout-error are shown and counted as errors."""
    result = run_logtrim(
        "--ci", "octopus", "--head", "0", "--context", "0", "--after", "0", "--",
        *child(noise(100), out("##octopus[stdout-error]"), out("the payment gateway said no"),
               out("##octopus[stdout-default]"), noise(100)),
    )  # fmt: skip
    assert b"the payment gateway said no\n" in result.stdout
    assert b"errors 1/1" in result.stdout


def test_stderr_progress_makes_stderr_lines_progress(run_logtrim: RunLogtrim) -> None:
    """Under stderr-progress, stderr chatter is throttled progress, not errors."""
    stmts = [
        out("##octopus[stderr-progress]"),
        "for i in range(50):\n"
        "    print(f'ERROR-looking progress chatter {i}', file=sys.stderr, flush=True)\n"
        "    time.sleep(0.01)",
        out("##octopus[stderr-default]"),
    ]
    result = run_logtrim("--ci", "octopus", "--head", "0", "--", *child(*stmts))
    assert result.stderr.count(b"progress chatter") < 5
    assert b"chatter 49\n" in result.stderr  # the latest state is shown
    assert b"errors 0/0" in result.stdout


def test_own_messages_after_stdout_default(run_logtrim: RunLogtrim) -> None:
    """If the child leaves stdout-verbose on, logtrim switches back before its own lines."""
    result = run_logtrim(
        "--ci", "octopus", "--",
        *child(out("##octopus[stdout-verbose]"), out("detail"), "sys.exit(1)"),
    )  # fmt: skip
    lines = result.stdout.splitlines()
    verbose = lines.index(b"##octopus[stdout-verbose]")
    default = lines.index(b"##octopus[stdout-default]")
    assert verbose < default
    for line in lines[default + 1 :]:
        assert not line.startswith(b"##octopus[stdout-verbose]")
    created = [i for i, line in enumerate(lines) if line.startswith(b"##octopus[createArtifact")]
    assert created and created[0] > default
    # logtrim's own lines (tail, summary) all come after the switch back
    own = [i for i, line in enumerate(lines) if line.startswith(b"[logtrim]")]
    assert own and min(own) > default


def test_own_result_message_on_failure(run_logtrim: RunLogtrim) -> None:
    """On failure logtrim sends one resultMessage with the failure reason, decodable."""
    result = run_logtrim(
        "--ci", "octopus", "--", *child(out("ERROR: migration 42 failed on db-02"), "sys.exit(5)")
    )
    results = [m for m in messages(result.stdout) if m.name == "resultMessage"]
    assert [m.attrs["message"] for m in results] == ["ERROR: migration 42 failed on db-02"]


def test_result_message_has_no_control_characters(run_logtrim: RunLogtrim) -> None:
    """The reason Octopus shows is one line without raw control bytes, as other systems get."""
    line = "sys.stdout.buffer.write(b'ERROR: bad \\x00 byte \\x1b[31mred\\x07\\n')"
    result = run_logtrim("--ci", "octopus", "--", *child(line, "sys.exit(5)"))
    (reason,) = [m.attrs["message"] for m in messages(result.stdout) if m.name == "resultMessage"]
    assert reason.startswith("ERROR: bad ") and "red" in reason
    assert not any(ord(c) < 0x20 or c == "\x7f" for c in reason), repr(reason)


def test_child_result_message_not_doubled(run_logtrim: RunLogtrim) -> None:
    """When the child sends its own resultMessage, logtrim does not add another."""
    msg = encode("resultMessage", message="Custom reason")
    result = run_logtrim(
        "--ci", "octopus", "--", *child(out("ERROR: x failed"), out(msg), "sys.exit(5)")
    )
    results = [m for m in messages(result.stdout) if m.name == "resultMessage"]
    assert [m.attrs["message"] for m in results] == ["Custom reason"]


def test_own_messages_decode_strictly(run_logtrim: RunLogtrim) -> None:
    """Each message logtrim writes is alone on its line and valid for Calamari."""
    result = run_logtrim(
        "--ci", "octopus", "--name", "log 'quoted' <&>", "--",
        *child(out("ERROR: 'quotes' & <brackets> ]"), "sys.exit(2)"),
    )  # fmt: skip
    own = [line for line in result.stdout.splitlines() if line.startswith(b"##octopus[")]
    decoded = messages(b"\n".join(own))
    assert {m.name for m in decoded} >= {"createArtifact", "resultMessage"}
    created = next(m for m in decoded if m.name == "createArtifact")
    assert created.attrs["name"] == "log 'quoted' <&>"


@pytest.mark.slow
def test_acceptance_messages_among_20mb_of_noise(run_logtrim: RunLogtrim) -> None:
    """All messages among 20 MB of noise appear in order; the verbose block does not."""
    own_artifact = encode("createArtifact", path="/tmp/child.txt", name="child.txt", length="12")
    sequence = [
        encode("setVariable", name="Deploy.Slot", value="blue"),
        own_artifact,
        encode("progress", percentage="50", message="Halfway"),
        "##octopus[stdout-verbose]",
        "VERBOSE-BLOCK line one",
        "VERBOSE-BLOCK ERROR: also verbose",
        "##octopus[stdout-default]",
        "##octopus[stdout-highlight]",
        "Highlighted: release 4.12 is live",
        "##octopus[stdout-default]",
        encode("create-tokenaccount", name="k8s", token="c2VjcmV0LXRva2Vu"),
        "##octopus[stdout-warning]",
    ]
    chunk = (
        "print(''.join(f'copying file {i:07d}.dat to /var/www/releases/x\\n'"
        " for i in range(90000)), end='')"
    )
    stmts = []
    for line in sequence:
        stmts += [chunk, out(line)]
    result = run_logtrim("--ci", "octopus", "--budget", "1MB", "--", *child(*stmts), timeout=120)
    assert result.code == 0
    assert len(result.archive) > 20_000_000
    # logtrim's own lines in between are wrapped in level switches of their own.
    shown = child_message_lines(result.stdout)
    expected = [line.encode() for line in sequence if line.startswith("##octopus[")]
    assert shown[: len(expected)] == expected
    assert b"VERBOSE-BLOCK" not in result.console
    assert b"Highlighted: release 4.12 is live\n" in result.stdout
    tail = shown[len(expected) :]
    assert tail[0] == b"##octopus[stdout-default]"
    assert [m.name for m in messages(b"\n".join(tail))] == ["stdout-default", "createArtifact"]
    assert len(result.console) <= 1_000_000 + sum(len(s) + 1 for s in shown)


# -- secrets --------------------------------------------------------------------------------

PASSWORD = "hunter2-Pa55w0rd!"
SENSITIVE = "sensitive-value-123"
MASKED = "masked-value-456"


def test_acceptance_no_secret_in_console_or_archive(run_logtrim: RunLogtrim) -> None:
    """Secrets from --mask-env, setVariable sensitive and mask never reach console or archive."""
    half = len(PASSWORD) // 2
    stmts = [
        out(f"ERROR: login with {PASSWORD} rejected"),
        noise(50),
        out(f"connecting as deploy:{PASSWORD}@db-01"),
        out(encode("setVariable", name="Db.Pw", value=SENSITIVE, sensitive="True")),
        out(encode("mask", value=MASKED)),
        noise(50),
        out(f"ERROR: token {SENSITIVE} expired"),
        out(f"ERROR: key {MASKED} revoked"),
        out(f"debug: {SENSITIVE} / {MASKED}"),
        f"sys.stdout.write('ERROR: split secret {PASSWORD[:half]}'); sys.stdout.flush()",
        "time.sleep(0.5)",
        f"sys.stdout.write('{PASSWORD[half:]} end\\n'); sys.stdout.flush()",
        f"sys.stdout.write('ERROR: split sensitive {SENSITIVE[:5]}'); sys.stdout.flush()",
        "time.sleep(0.5)",
        f"sys.stdout.write('{SENSITIVE[5:]} end\\n'); sys.stdout.flush()",
        "sys.exit(1)",
    ]
    result = run_logtrim(
        "--ci", "octopus", "--mask-env", "DB_PASSWORD", "--head", "0", "--",
        *child(*stmts), env={"DB_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert result.code == 1
    assert result.artifact is not None
    archive = zstd_dc(result.artifact)
    for secret in (PASSWORD, SENSITIVE, MASKED):
        for form in (secret, b64(secret)):
            assert form.encode() not in archive, (form, "archive")
    console_without_declarations = b"\n".join(
        line
        for line in result.console.splitlines()
        if not line.startswith((b"##octopus[setVariable", b"##octopus[mask"))
    )
    for secret in (PASSWORD, SENSITIVE, MASKED):
        assert secret.encode() not in console_without_declarations
        assert b64(secret).encode() not in console_without_declarations
    out_text = result.stdout
    assert b"ERROR: login with ******** rejected\n" in out_text
    assert b"ERROR: token ******** expired\n" in out_text
    assert b"ERROR: key ******** revoked\n" in out_text
    assert b"ERROR: split secret ******** end\n" in out_text
    assert b"ERROR: split sensitive ******** end\n" in out_text
    assert b"ERROR: login with ******** rejected\n" in archive
    assert b"ERROR: split secret ******** end\n" in archive


def test_declaring_lines_verbatim_on_console_redacted_in_archive(run_logtrim: RunLogtrim) -> None:
    """The setVariable line reaches Octopus verbatim, but the archive has no base64 secret."""
    declare = encode("setVariable", name="Api.Key", value=SENSITIVE, sensitive="True")
    result = run_logtrim("--ci", "octopus", "--", *child(out(declare), out(f"key={SENSITIVE}")))
    assert declare.encode() + b"\n" in result.stdout
    assert b"key=********\n" in result.archive
    assert b64(SENSITIVE).encode() not in result.archive
    assert SENSITIVE.encode() not in result.archive
    assert b"##octopus[setVariable" in result.archive


def test_secret_learned_only_from_then_on(run_logtrim: RunLogtrim) -> None:
    """A value is masked from its declaration on (earlier output was never a secret)."""
    declare = encode("setVariable", name="X", value=SENSITIVE, sensitive="True")
    result = run_logtrim(
        "--ci", "octopus", "--",
        *child(out(f"before {SENSITIVE}"), "time.sleep(0.3)", out(declare),
               out(f"after {SENSITIVE}")),
    )  # fmt: skip
    assert b"after ********\n" in result.archive


def test_not_sensitive_setvariable_not_masked(run_logtrim: RunLogtrim) -> None:
    """A setVariable without sensitive='True' does not mask its value."""
    declare = encode("setVariable", name="X", value="plain-value-789")
    result = run_logtrim("--ci", "octopus", "--", *child(out(declare), out("v=plain-value-789")))
    assert b"v=plain-value-789\n" in result.archive


@pytest.mark.parametrize(
    "declare",
    [
        f"::add-mask::{MASKED}",
        f"##vso[task.setsecret]{MASKED}",
        encode("mask", value=MASKED),
    ],
)
def test_other_dialects_declare_secrets(run_logtrim: RunLogtrim, declare: str) -> None:
    """GitHub ::add-mask:: and Azure task.setsecret are learned too."""
    result = run_logtrim(
        "--ci", "octopus", "--", *child(out(declare), out(f"ERROR: saw {MASKED} in output"))
    )
    assert b"ERROR: saw ******** in output\n" in result.stdout
    assert MASKED.encode() not in result.archive


def test_mask_option_and_env_list(run_logtrim: RunLogtrim) -> None:
    """--mask VALUE and LOGTRIM_MASK_ENV names both mask."""
    result = run_logtrim(
        "--mask", "first-secret", "--",
        *child(out("ERROR: first-secret and second-secret")),
        env={"LOGTRIM_MASK_ENV": "MY_SECOND", "MY_SECOND": "second-secret"},
    )  # fmt: skip
    assert b"ERROR: ******** and ********\n" in result.stdout
    assert b"secret" not in result.archive.replace(b"********", b"")


def test_short_secret_not_masked_with_warning(run_logtrim: RunLogtrim) -> None:
    """A value under 4 characters is not masked (as Octopus), and logtrim says so."""
    result = run_logtrim("--mask", "abc", "--", *child(out("ERROR: abc is short")))
    assert b"ERROR: abc is short\n" in result.stdout
    assert b"shorter than 4" in result.stderr


def test_a_short_value_declared_again_and_again_is_told_once(run_logtrim: RunLogtrim) -> None:
    """A script that declares the same short value in a loop gets one warning, not one per
    declaration; so does another value of that length (the note names no value: a second
    one would say the same), and a value of another length gets its own."""
    lines = ["echo '::add-mask::ab1'"] * 20 + ["echo '::add-mask::cd2'", "echo '::add-mask::e3'"]
    result = run_logtrim("--ci", "github", "--", "sh", "-c", "; ".join([*lines, "echo done"]))
    assert result.code == 0
    console = result.stderr + result.stdout
    assert console.count(b"not masking a value of 3 characters: shorter than 4") == 1
    assert console.count(b"not masking a value of 2 characters: shorter than 4") == 1


@pytest.mark.parametrize("command", [["true"], ["false"], ["sleep", "0.3"]])
def test_short_secret_warning_without_output(run_logtrim: RunLogtrim, command: list[str]) -> None:
    """The warning does not wait for the child's first line: a silent step gets it too."""
    result = run_logtrim("--mask", "abc", "--", *command)
    assert result.stderr.count(b"shorter than 4") == 1
    # Paid from the budget, but not the child's: the summary shows none of its bytes.
    assert b"shown 0 lines (0 B printed)" in result.stdout


def test_secret_masked_in_tail_and_reason(run_logtrim: RunLogtrim) -> None:
    """The failure tail and the resultMessage reason are masked too."""
    result = run_logtrim(
        "--ci", "octopus", "--mask", PASSWORD, "--head", "0", "--",
        *child(noise(20), out(f"ERROR: bad password {PASSWORD}"), out(f"trailing {PASSWORD}"),
               "sys.exit(1)"),
    )  # fmt: skip
    assert PASSWORD.encode() not in result.console
    reason = [m for m in messages(result.stdout) if m.name == "resultMessage"]
    assert reason and PASSWORD not in reason[0].attrs["message"]
    assert b"trailing ********\n" in result.stdout


def test_secret_in_sample_deploy_masked(run_logtrim: RunLogtrim) -> None:
    """The sample step's database password is masked with --mask-env."""
    from conftest import SAMPLES

    result = run_logtrim(
        "--mask-env", "DEPLOY_DB_PASSWORD", "--",
        "python3", str(SAMPLES / "deploy.py"), "--lines", "2000", "--fail",
        env={"DEPLOY_DB_PASSWORD": "Tr1cky-Secret-99"},
    )  # fmt: skip
    assert result.code == 3
    assert b"Tr1cky-Secret-99" not in result.console
    assert b"Tr1cky-Secret-99" not in result.archive
    assert b"postgres://deploy:********@db-02" in result.archive


def test_a_waiting_stderr_state_comes_before_the_switch_back(tmp_path: Path) -> None:
    """stderr lines under ``stderr-progress`` are throttled progress; the latest, waiting,
    is printed before the script's ``stderr-default`` (read by Octopus at the level it was
    written at), not after it, where Octopus reads a stderr line as an error. One pipe for
    both streams: the order is the order the lines reached the CI."""
    script = (
        'echo "out A"; echo "##octopus[stderr-progress]"; sleep 0.3\n'
        'echo "err 1" >&2; echo "err 2" >&2; echo "err 3" >&2; sleep 0.3\n'
        'echo "##octopus[stderr-default]"; echo "out B"; sleep 0.3; echo "err 4" >&2\n'
    )
    argv = [sys.executable, "-m", "logtrim", "run", "--ci", "octopus",
            "--artifact", str(tmp_path / "a.zst"), "--", "sh", "-c", script]  # fmt: skip
    proc = subprocess.run(
        argv, env=clean_env({}), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=60, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert proc.returncode == 0
    lines = proc.stdout.decode().splitlines()
    switch = lines.index("##octopus[stderr-default]")
    assert "err 3" in lines[lines.index("##octopus[stderr-progress]") : switch]
    assert lines[switch + 1 :].count("out B") == 1
    assert not {"err 1", "err 2", "err 3"} & set(lines[switch:])


@pytest.mark.parametrize(
    "prefix",
    ["#", "##octo", "##octopus x ", "##OCTOPUS[", "##octopus docs ##"],
    ids=["three-hashes", "broken-marker", "after-a-marker", "upper-case", "open-marker"],
)
def test_a_declaration_calamari_never_reads_is_masked_on_the_console(
    run_logtrim: RunLogtrim, prefix: str
) -> None:
    """Calamari's parser is a state machine: ``###octopus[``, ``##octo##octopus[``, a message
    after an earlier ``##octopus`` on the line (read up to the first ``]``, no valid one) and
    ``##OCTOPUS[`` are text to it. Octopus never learns that secret, so its base64 must not
    reach the console; the declaration it does read passes verbatim."""
    declare = encode("setVariable", name="Api.Key", value=SENSITIVE, sensitive="True")
    hidden = (prefix + declare) if prefix != "##OCTOPUS[" else declare.replace("##octopus[", prefix)
    taken = encode("setVariable", name="Db.Pw", value="G00dSecretPw", sensitive="True")
    result = run_logtrim(
        "--ci", "octopus", "--", *child(out(hidden), out(taken), out(f"key={SENSITIVE}"))
    )
    assert result.code == 0
    assert b64(SENSITIVE).encode() not in result.console
    assert SENSITIVE.encode() not in result.console + result.archive
    assert taken.encode() + b"\n" in result.stdout  # Octopus reads it: as written
    assert b"key=********\n" in result.stdout
