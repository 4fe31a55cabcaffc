"""A bug or an odd place before the step starts: the step still runs, its exit code stays,
and still no secret and no flood reaches the console."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import terminal
from conftest import break_prepare, clean_env, zstd_dc

from logtrim._text import ANSI_BYTES
from logtrim.engine.masking.forms import base64_forms

SECRET = "TopSecretValue42"
ENV_SECRET = "Env-Secret-9876"

# A secret split across two writes, one from the environment, then a flood, then an exit code.
STEP = f"""
import sys, time
sys.stdout.write("password is {SECRET[:7]}"); sys.stdout.flush(); time.sleep(0.2)
sys.stdout.write("{SECRET[7:]} (printed in two writes)\\n"); sys.stdout.flush()
print("token {ENV_SECRET} on stderr", file=sys.stderr)
for i in range(100000):
    print(f"flood line {{i}}")
print("ERROR: last words with {SECRET}", file=sys.stderr)
sys.exit(6)
"""


def test_a_bug_before_the_start_still_masks_and_keeps_to_the_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    """No engine to trust: the known secrets (--mask, LOGTRIM_MASK_ENV) are masked, even
    split across writes, the flood is cut to a head and a tail, the exit code is the step's."""
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    monkeypatch.setenv("DEPLOY_TOKEN", ENV_SECRET)
    monkeypatch.setenv("LOGTRIM_MASK_ENV", "DEPLOY_TOKEN")
    argv = ["run", "--mask", SECRET, "--budget", "20kB", "--", sys.executable, "-c", STEP]
    code = _cli.main(argv)
    out, err = capfdbinary.readouterr()
    console = out + err
    assert code == 6
    assert SECRET.encode() not in console and ENV_SECRET.encode() not in console
    assert b"password is ******** (printed in two writes)" in out
    assert b"ERROR: last words with ********" in err
    assert b"flood line 99999\n" in out
    assert b"flood line 50000\n" not in out
    assert len(console) <= 20_000 + 600  # the budget, with the two warnings logtrim prints
    assert b"no archive was written" in err
    # What is left out is said to be nowhere else, not to be in an archive.
    assert b"not shown after an internal error (the console budget holds; no archive)" in out
    assert b"archive has everything" not in console


def test_a_bug_before_the_start_of_a_missing_command_is_127(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    code = _cli.main(["run", "--", "no-such-command-for-logtrim"])
    assert code == 127
    assert "command not found: no-such-command-for-logtrim" in capfd.readouterr().err


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "plain", *args],
        cwd=cwd, env=clean_env(), capture_output=True, timeout=60,
    )  # fmt: skip


@pytest.mark.skipif(os.name == "nt", reason="a working directory cannot be removed there")
def test_a_removed_working_directory_runs_normally_with_an_absolute_artifact(
    tmp_path: Path,
) -> None:
    """An earlier clean-up removed the directory the step starts in: with an absolute
    --artifact the run is a normal one (masked, archived); without one, a usage error."""
    gone = tmp_path / "gone"
    gone.mkdir()
    art = tmp_path / "a.zst"
    child = [sys.executable, "-c", f"print('ERROR: password is {SECRET}'); raise SystemExit(9)"]
    script = (
        "import os, subprocess, sys; os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]);"
        "sys.exit(subprocess.call(sys.argv[2:]))"
    )
    base = [sys.executable, "-c", script, str(gone), sys.executable, "-m", "logtrim", "run"]
    absolute = subprocess.run(
        [*base, "--mask", SECRET, "--artifact", str(art), "--", *child],
        env=clean_env(), capture_output=True, timeout=60,
    )  # fmt: skip
    assert absolute.returncode == 9
    assert SECRET.encode() not in absolute.stdout + absolute.stderr
    assert b"internal error" not in absolute.stderr
    assert zstd_dc(art) == b"ERROR: password is ********\n"
    gone.mkdir()
    relative = subprocess.run(
        [*base, "--mask", SECRET, "--", *child], env=clean_env(), capture_output=True, timeout=60
    )
    assert relative.returncode == 2
    assert relative.stderr.count(b"\n") == 1
    assert b"working directory no longer exists" in relative.stderr


def test_a_command_name_too_long_for_the_archive_name_is_shortened(tmp_path: Path) -> None:
    """A legal command name (up to 255 bytes) with the time added would be too long for a
    file name: the default archive's name is shortened, the run is a normal one."""
    name = "deploy_" + "a" * 235
    script = tmp_path / name
    script.write_text(f"#!/bin/sh\necho 'ERROR: login with {SECRET}'\nexit 5\n")
    script.chmod(0o755)
    result = _run(tmp_path, "--mask", SECRET, "--", f"./{name}")
    assert result.returncode == 5
    assert b"internal error" not in result.stderr
    (archive,) = tmp_path.glob("deploy_*.log.zst")
    assert len(archive.name) < 255
    assert zstd_dc(archive) == b"ERROR: login with ********\n"


def test_a_broken_pyproject_without_logtrim_settings_does_not_block_the_step(
    tmp_path: Path,
) -> None:
    """The project's own pyproject.toml, broken: a warning, the step runs. One that names
    logtrim may hold its settings (masks among them): a usage error, the step does not run."""
    (tmp_path / "pyproject.toml").write_bytes(b"[project\nname = 'app'\n\x00\x01")
    ran = _run(tmp_path, "--artifact", "a.zst", "--", "sh", "-c", "echo step ran; exit 3")
    assert ran.returncode == 3
    assert b"step ran" in ran.stdout
    assert b"pyproject.toml: not valid TOML" in ran.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.logtrim\nmask-env = ['DB_PASSWORD']\n")
    refused = _run(tmp_path, "--artifact", "b.zst", "--", "sh", "-c", "echo step ran")
    assert refused.returncode == 2
    assert b"step ran" not in refused.stdout
    assert refused.stderr.count(b"\n") == 1


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_NOFILE as Linux counts it")
def test_too_few_file_descriptors_run_the_step_masked_or_say_why_not(tmp_path: Path) -> None:
    """``ulimit -n`` so low that logtrim runs out of descriptors before the child starts:
    at each limit the step either runs (masked, exit code its own) or, when not even its
    pipes can be made, is refused in one line with 126; never exit 1, never a traceback."""
    import resource

    child = [sys.executable, "-c", f"print('ERROR: password is {SECRET}'); raise SystemExit(9)"]
    outcomes = set()
    for limit in range(8, 40, 2):

        def low(limit: int = limit) -> None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

        result = subprocess.run(
            [sys.executable, "-m", "logtrim", "run", "--mask", SECRET,
             "--artifact", str(tmp_path / f"a{limit}.zst"), "--", *child],
            env=clean_env(), capture_output=True, timeout=60, preexec_fn=low, cwd=tmp_path,
        )  # fmt: skip
        shown = result.stdout + result.stderr
        assert SECRET.encode() not in shown, limit
        assert b"Traceback" not in shown, limit
        if result.returncode == 9:
            assert b"ERROR: password is ********" in result.stdout, limit
            outcomes.add("unfiltered" if b"internal error" in result.stderr else "normal")
        else:
            assert result.returncode == 126, (limit, result.stderr)
            assert result.stderr.endswith(b"(no file descriptor or memory left: see ulimit)\n")
            outcomes.add("refused")
    # Python itself needs a few: the lowest limits fail to start at all, the highest run.
    assert "normal" in outcomes
    assert "unfiltered" in outcomes
    # No limit leaves the archive's temporary file behind (at 8 it was, refused with 126).
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


@pytest.mark.parametrize("broken", [False, True])
def test_a_command_not_found_names_it_with_its_secret_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], broken: bool
) -> None:
    """A path that holds a declared secret (`./deploy-$PW.sh`): the one-line error shows it
    masked, on the normal path and on the last resort's."""
    import logtrim.cli.app as _cli

    if broken:
        break_prepare(monkeypatch)
    monkeypatch.setenv("DEPLOY_PW", ENV_SECRET)
    argv = ["run", "--mask-env", "DEPLOY_PW", "--mask", SECRET, "--artifact",
            str(tmp_path / "a.log.zst"), "--", f"./deploy-{ENV_SECRET}/{SECRET}.sh"]  # fmt: skip
    assert _cli.main(argv) == 127
    err = capfd.readouterr().err
    assert "command not found: ./deploy-********/********.sh" in err
    assert ENV_SECRET not in err and SECRET not in err


@pytest.mark.skipif(os.name == "nt", reason="a POSIX shell script")
def test_a_command_name_holding_a_secret_is_not_the_default_archive_name(tmp_path: Path) -> None:
    """The default archive's name comes from the command's and is published (createArtifact):
    a name that holds a declared secret gives `run-<time>.log.zst` instead."""
    name = f"deploy-{SECRET}.sh"
    script = tmp_path / name
    script.write_text("#!/bin/sh\necho deployed\n")
    script.chmod(0o755)
    result = _run(tmp_path, "--mask", SECRET, "--", f"./{name}")
    assert result.returncode == 0
    assert SECRET.encode() not in result.stdout + result.stderr
    (archive,) = tmp_path.glob("*.log.zst")
    assert archive.name.startswith("run-") and SECRET not in archive.name
    assert zstd_dc(archive) == b"deployed\n"


@pytest.mark.parametrize("declared", ["--mask", "by the step"])
def test_an_archive_path_holding_a_secret_is_said_to_be_unpublishable(
    tmp_path: Path, declared: str
) -> None:
    """A path the user chose that holds a secret is masked wherever it is printed, so the
    publish message names no real file: the summary says so (the step declaring the secret
    itself, too); the archive is written where asked."""
    archive = tmp_path / f"deploy-{SECRET}.log.zst"
    encoded = base64.b64encode(SECRET.encode()).decode()
    step = f"echo \"##octopus[mask value='{encoded}']\"; echo deployed"
    options = ["--mask", SECRET] if declared == "--mask" else []
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "octopus", *options,
         "--artifact", str(archive), "--", "sh", "-c", step],
        cwd=tmp_path, env=clean_env(), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0
    out = result.stdout.decode() + result.stderr.decode()
    assert SECRET not in out
    assert "the archive's path holds a secret, masked where printed: it is not published" in out
    assert "createArtifact" not in out
    assert b"deployed\n" in zstd_dc(archive)


def test_an_archive_path_holding_a_secret_is_published_by_no_pattern(tmp_path: Path) -> None:
    """TeamCity reads its publish message as a path pattern: the masked path, each special
    character a ``?``, matched the file itself when the secret had eight characters (and
    any other file of such a name): the archive went out under its real name."""
    secret = "Secret88"
    archive = tmp_path / f"deploy-{secret}.log.zst"
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "teamcity", "--mask", secret,
         "--artifact", str(archive), "--", "echo", "deployed"],
        cwd=tmp_path, env=clean_env(), capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0
    out = result.stdout.decode() + result.stderr.decode()
    assert secret not in out
    assert "publishArtifacts" not in out
    assert "holds a secret" in out


def test_an_archive_path_without_a_secret_gets_no_such_warning(tmp_path: Path) -> None:
    result = _run(tmp_path, "--mask", SECRET, "--artifact", str(tmp_path / "a.log.zst"), "--",
                  "echo", "deployed")  # fmt: skip
    assert result.returncode == 0
    assert b"holds a secret" not in result.stdout + result.stderr


# A secret with colour codes between its characters: a terminal shows it whole.
COLOURED = """
import sys, time
sys.stdout.write("token Top\\x1b[0mSecret\\x1b[1;31mValue42 here\\n"); sys.stdout.flush()
time.sleep(0.2)
sys.stdout.write("split TopSecret\\x1b[3"); sys.stdout.flush(); time.sleep(0.2)
sys.stdout.write("2mValue42 done\\n"); sys.stdout.flush()
"""


def test_a_bug_before_the_start_masks_a_secret_split_by_colour_codes(
    monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    """The last resort masks what the engine masks: colour codes inside a secret, even
    one cut across two writes, hide nothing."""
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    code = _cli.main(["run", "--mask", SECRET, "--", sys.executable, "-c", COLOURED])
    out, err = capfdbinary.readouterr()
    assert code == 0
    assert b"token ******** here\n" in out
    assert b"split ******** done\n" in out
    shown = ANSI_BYTES.sub(b"", out + err)
    assert SECRET.encode() not in shown


# The forms the normal path masks besides the plain bytes (docs/masking.md): the base64 of a
# secret whole and inside longer base64, an Octopus value as Calamari reads it (whitespace in
# its base64), a secret in a CI's escapes, one split by ``tput sgr0`` (``ESC ( B ESC [ m``).
ODD = "p%ss]w0rd:x|y"
FORMS = f"""
import base64, sys
b64 = lambda s: base64.b64encode(s.encode()).decode()
print("##octopus[setVariable name='ZGI=' value='" + b64({SECRET!r}) + "']")
print("blob " + b64("xy" + {SECRET!r} + "z"))
print("##octopus[setVariable name='ZGI=' value=' " + " ".join(b64("u:" + {SECRET!r})) + "']")
print("::error::login failed p%25ss]w0rd%3Ax|y")
print("##teamcity[message text='p%ss|]w0rd:x||y']")
print("tput: TopSecret\\x1b(B\\x1b[mValue42 end")
print("title: TopSecret\\x1b]0;t\\x1b\\\\Value42 end")
"""


def test_a_bug_before_the_start_masks_every_form_the_normal_path_masks(
    monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    """The last resort is the engine's masker alone: no form of a secret that a normal run
    masks passes there (plain bytes alone once let an Octopus value carry its base64)."""
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    argv = ["run", "--mask", SECRET, "--mask", ODD, "--", sys.executable, "-c", FORMS]
    assert _cli.main(argv) == 0
    out, _err = capfdbinary.readouterr()
    raw = SECRET.encode()
    assert out.count(b"********") == 7, out
    assert raw not in terminal.shown(out)
    for encoded in base64_forms(raw):
        assert encoded not in out, (encoded, out)
    for value in re.findall(rb"value='([^']*)'", out):  # as Calamari reads it
        assert raw not in base64.b64decode(re.sub(rb"\s", b"", value) + b"==="), value


DECLARING = """
import base64, sys, time
b = lambda s: base64.b64encode(s.encode()).decode()
print("::add-mask::Declared-Later-Secret", flush=True)
sys.stdout.write("token=Declared-Later"); sys.stdout.flush(); time.sleep(0.2)
print("-Secret in two writes", flush=True)
print(f"##octopus[setVariable name='{b('Pw')}' value='{b('Octo-Sensitive-9')}' "
      f"sensitive='{b('True')}']", flush=True)
for i in range(20000):
    print(f"noise line {i}")
    if i % 400 == 0:
        print(f"##octopus[setVariable name='{b('n')}' value='{b(str(i))}']")
print("ERROR: login failed with Octo-Sensitive-9", file=sys.stderr)
sys.exit(4)
"""


def test_a_bug_before_the_start_learns_what_the_step_declares_and_passes_its_commands(
    monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    """No engine to trust, but what the step declares to its CI (``::add-mask::``, an
    Octopus sensitive variable) is masked from then on, split across writes too (it reached
    the console in clear); and every command reaches the CI, in order, whatever the budget
    (the head and tail cut most of them)."""
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    argv = ["run", "--budget", "8kB", "--", sys.executable, "-c", DECLARING]
    code = _cli.main(argv)
    out, err = capfdbinary.readouterr()
    assert code == 4
    console = out + err
    # The declarations reach the CI as written (it masks the values too); the rest is masked.
    declarations = (b"::add-mask::", b"##octopus[setVariable name='UHc='")
    lines = console.splitlines(keepends=True)
    rest = b"".join(line for line in lines if not line.startswith(declarations))
    assert b"Declared-Later-Secret" not in rest and b"Octo-Sensitive-9" not in rest
    assert b"token=******** in two writes" in out
    assert b"ERROR: login failed with ********" in err
    values = re.findall(rb"##octopus\[setVariable name='bg==' value='([^']*)'\]", out)
    assert [int(base64.b64decode(v)) for v in values] == list(range(0, 20000, 400))


@pytest.mark.skipif(os.name == "nt", reason="a POSIX shell")
@pytest.mark.parametrize(
    ("ci", "declaration"),
    [
        ("azure", "##vso[task.setvariable variable=DBPW;issecret=true]{s}"),
        ("github", "::add-mask::{s}"),
    ],
)
def test_the_last_resort_passes_a_declaration_to_the_ci_named_as_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    ci: str,
    declaration: str,
) -> None:
    """``--ci azure`` on the last resort (no CI detected from the environment): the
    declaration reaches the CI as written (masked, it would set ``********``), and the value
    is masked everywhere else."""
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    secret = "Decl4redValue77"
    line = declaration.format(s=secret)
    argv = ["run", "--ci", ci, "--artifact", str(tmp_path / "a.log.zst"), "--",
            "sh", "-c", f"printf '%s\\nuse %s\\n' '{line}' '{secret}'"]  # fmt: skip
    assert _cli.main(argv) == 0
    out = capfd.readouterr().out
    assert f"{line}\nuse ********\n" in out


@pytest.mark.skipif(os.name == "nt", reason="a POSIX shell")
def test_the_last_resort_passes_a_declaration_whose_line_began_in_an_earlier_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """``printf 'Setting token '``, a pause, then the declaring command on the same line: the
    start went out alone, and the rest, read as the line goes on, still declares to the CI
    as written (masked, Azure would set the variable to ``********``)."""
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    secret = "hunter2-real-pass"
    command = f"##vso[task.setvariable variable=DB_PASS;issecret=true]{secret}"
    script = f"printf 'Setting token '; sleep 0.4; printf '%s\\n' '{command}'; echo use {secret}"
    argv = ["run", "--ci", "azure", "--artifact", str(tmp_path / "a.log.zst"), "--",
            "sh", "-c", script]  # fmt: skip
    assert _cli.main(argv) == 0
    out = capfd.readouterr().out
    assert f"Setting token {command}\nuse ********\n" in out


def test_ctrl_c_while_logtrim_imports_is_exit_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Ctrl-C in the first tenth of a second (while the commands' modules load, before
    any command started) printed Python's ``Traceback ... KeyboardInterrupt``."""
    from logtrim import cli

    def interrupted(_args: list[str]) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_plain_run", interrupted)
    monkeypatch.setattr(sys, "argv", ["logtrim", "run", "--", "true"])
    with pytest.raises(SystemExit) as exited:
        cli.entry()
    assert exited.value.code == 130
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("declared_on", [1, 2], ids=["declared-on-stdout", "declared-on-stderr"])
def test_a_bug_before_the_start_masks_a_use_right_after_its_declaration_on_the_other_stream(
    monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes], declared_on: int
) -> None:
    """The last resort reads the two pipes in turn, as a normal run does: a secret declared
    on one stream and used on the other at once was read second and leaked (every run)."""
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    step = (
        "import os\n"
        "os.write(1, b'hello\\n'); os.write(2, b'hello\\n')\n"
        "for i in range(200):\n"
        f"    os.write({declared_on}, b'::add-mask::Dec1ared-%03d-value\\n' % i)\n"
        f"    os.write({3 - declared_on}, b'use %d: Dec1ared-%03d-value\\n' % (i, i))\n"
        "raise SystemExit(4)\n"
    )
    code = _cli.main(["run", "--ci", "github", "--", sys.executable, "-c", step])
    out, err = capfdbinary.readouterr()
    assert code == 4
    assert b"running the command unfiltered" in err
    told = [ln for ln in (out + err).splitlines() if not ln.startswith(b"::add-mask::")]
    assert not any(b"Dec1ared-" in ln for ln in told)
    assert any(ln.startswith(b"use ") for ln in told)


def test_the_last_resort_does_not_wait_for_a_process_that_holds_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    """A daemon the step started keeps the pipes open: the last resort reads on for
    --drain-timeout, as a normal run does, says so, and ends the step's open line before
    its own notes."""
    import time

    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    pid_file = tmp_path / "daemon.pid"
    step = f"sleep 30 & echo $! > {pid_file}; echo started; printf 'no line end'"
    began = time.monotonic()
    try:
        code = _cli.main(["run", "--drain-timeout", "0.5", "--", "sh", "-c", step])
        took = time.monotonic() - began
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), 9)
    out, err = capfdbinary.readouterr()
    assert code == 0
    assert took < 20, took  # not the daemon's 30 s
    assert out == b"started\nno line end\n"
    assert b"still held its output 0.5s later (--drain-timeout)" in err


# logtrim, with starting the step broken inside the run (as when no descriptor is left):
# the last resort runs it.
_START_BROKEN = """
import sys
import logtrim.run.step as step
import logtrim.cli.app as app

async def broken(*_args):
    raise OSError(24, "Too many open files")

step._process.start = broken
sys.exit(app.main(sys.argv[1:]))
"""


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_the_last_resort_passes_sigterm_on_to_the_step(tmp_path: Path) -> None:
    """A deployment cancelled while the last resort runs the step: the SIGTERM reaches the
    step, which cleans up and decides the exit code (logtrim does not die under it)."""
    import signal

    step = "trap 'echo cleaned up; exit 5' TERM; echo ready; sleep 20 & wait"
    with subprocess.Popen(
        [sys.executable, "-c", _START_BROKEN, "run", "--ci", "plain", "--drain-timeout", "0",
         "--", "sh", "-c", step],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(), cwd=tmp_path,
    ) as logtrim:  # fmt: skip
        assert logtrim.stdout is not None
        assert logtrim.stdout.readline() == b"ready\n"
        logtrim.send_signal(signal.SIGTERM)
        out, err = logtrim.communicate(timeout=30)
    assert b"running the command unfiltered" in err
    assert out == b"cleaned up\n"
    assert logtrim.returncode == 5


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("signals", ["TERM", "INT INT"])
def test_the_last_resort_kills_a_step_that_outlives_the_grace_or_a_second_ctrl_c(
    tmp_path: Path, signals: str
) -> None:
    """A step that goes on after the signal: SIGKILL after --grace, or at a second Ctrl-C,
    as a normal run does. The last resort waited as long as the step lived."""
    import signal
    import time

    step = "trap 'echo got it' INT TERM; echo ready; while :; do sleep 0.1; done"
    with subprocess.Popen(
        [sys.executable, "-c", _START_BROKEN, "run", "--ci", "plain", "--grace", "1",
         "--drain-timeout", "0", "--", "sh", "-c", step],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(), cwd=tmp_path,
    ) as logtrim:  # fmt: skip
        assert logtrim.stdout is not None
        assert logtrim.stdout.readline() == b"ready\n"
        began = time.monotonic()
        for name in signals.split():
            logtrim.send_signal(getattr(signal, f"SIG{name}"))
            time.sleep(0.4)
        try:
            out, err = logtrim.communicate(timeout=30)
        finally:
            if logtrim.poll() is None:  # (it hung: the step and logtrim go)
                logtrim.kill()
        took = time.monotonic() - began
    assert b"running the command unfiltered" in err
    assert out.startswith(b"got it\n")  # the step had the signal first
    assert logtrim.returncode == 137  # the step's: killed
    assert took < 15, took


def test_the_last_resort_marks_a_step_that_cannot_start_failed_for_the_ci(
    tmp_path: Path,
) -> None:
    """A command the last resort cannot start (missing: 127; no descriptor left: 126) fails
    the step with the CI's failure mark, as a normal run does: it printed none."""
    result = subprocess.run(
        [sys.executable, "-c", _START_BROKEN, "run", "--ci", "github", "--", "./no-such-step.sh"],
        capture_output=True, env=clean_env(), cwd=tmp_path, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 127
    assert b"running the command unfiltered" in result.stderr
    assert result.stdout.startswith(b"::error title=logtrim%3A exit code 127::")
    assert b"no-such-step.sh" in result.stdout
