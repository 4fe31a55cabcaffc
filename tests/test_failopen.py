"""logtrim never causes a failure: when its engine breaks or its archive is lost, the step
goes on, its exit code stays, and the console budget still holds."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TAKEN, break_prepare, clean_env, zstd_dc
from octopus_decoder import messages as decode_messages

CHILD = """
import sys, time
for i in range(200):
    print(f"line {i}")
sys.stdout.flush()
time.sleep(0.3)
for i in range(200, 400):
    print(f"line {i}")
print("ERROR: boom", file=sys.stderr)
sys.stdout.write("no newline at the end")
sys.exit(5)
"""


def _run(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "octopus", "--budget", "4kB",
         "--artifact", str(tmp_path / "a.zst"), "--", sys.executable, "-c", CHILD],
        env=clean_env(env), capture_output=True, timeout=60,
    )  # fmt: skip


def _faulty(
    tmp_path: Path, ci: str, budget: str, code: str, fault: int
) -> subprocess.CompletedProcess[bytes]:
    """``run`` of ``python -c code`` whose engine fails after ``fault`` bytes."""
    return subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", ci, "--budget", budget,
         "--artifact", str(tmp_path / "a.zst"), "--", sys.executable, "-c", code],
        env=clean_env({"LOGTRIM_FAULT_AFTER": str(fault)}), capture_output=True, timeout=120,
    )  # fmt: skip


def test_engine_failure_falls_back_to_head_and_tail_and_keeps_the_exit_code(
    tmp_path: Path,
) -> None:
    """An internal error mid-run: one warning, then a plain head and tail under the budget
    (issue 17.12: unfiltered never means unlimited), and the child's code."""
    result = _run(tmp_path, {"LOGTRIM_FAULT_AFTER": "100"})
    assert result.returncode == 5
    assert result.stderr.count(b"internal error") == 1
    assert b"ERROR: boom" in result.stderr
    assert b"no newline at the end\n" in result.stdout


def test_engine_failure_flood_stays_within_the_budget(tmp_path: Path) -> None:
    """A flood after the engine broke: the first and last lines, a note, nothing more."""
    flood = "import sys\nfor i in range(200000): print(f'flood line {i}')\nsys.exit(3)\n"
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "octopus", "--budget", "20kB",
         "--artifact", str(tmp_path / "a.zst"), "--", sys.executable, "-c", flood],
        env=clean_env({"LOGTRIM_FAULT_AFTER": "100"}), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 3
    assert len(result.stdout) + len(result.stderr) <= 20_000 + 1_000  # + the artifact message
    assert b"flood line 199999\n" in result.stdout
    assert b"not shown after an internal error" in result.stdout
    archive = zstd_dc(tmp_path / "a.zst")
    assert archive == b"".join(f"flood line {i}\n".encode() for i in range(200000))


@pytest.mark.parametrize(
    ("ci", "command"),
    [("octopus", "##octopus[stdout-default]"), ("azure", "##vso[task.setprogress value=5;]")],
)
def test_engine_failure_lets_no_flood_ride_on_command_lines(
    tmp_path: Path, ci: str, command: str
) -> None:
    """Text on a command's line (before its marker, after an Octopus message's ``]``) is
    text: under the budget, as the engine keeps it; the commands pass, each of them. Before,
    20 lines of 500 kB text and a command each reached the console whole (7.5 MB)."""
    flood = (
        "import sys\n"
        f"for i in range(20): sys.stdout.write('x' * 500_000 + ' {command}' + '\\n')\n"
        f"for i in range(20): sys.stdout.write('{command} ' + 'y' * 500_000 + '\\n')\n"
    )
    result = _faulty(tmp_path, ci, "3kB", flood, 100)
    assert result.returncode == 0
    console = result.stdout + result.stderr
    assert console.count(command.encode()) >= 20  # the first twenty pass whatever the budget
    if ci == "octopus":  # after its ``]``: text; Azure's data runs to the line's end
        assert console.count(command.encode()) == 40
        assert len(console) <= 3_000 + 40 * len(command) + 1_000
    else:
        assert len(console.replace(b"y" * 500_000, b"")) <= 3_000 + 40 * len(command) + 1_000


@pytest.mark.parametrize(
    "line", ["see ##octopus[ docs for more", "##octopus[", "##octopus[a ", "##octopus[ a b c"]
)
def test_engine_failure_lets_no_flood_ride_on_a_marker_in_text(tmp_path: Path, line: str) -> None:
    """A line that only mentions ``##octopus[`` (or opens a message and leaves it, over and
    over) is text to the engine, under the budget; failed open, each passed as a command:
    8.5 MB of ``see ##octopus[ docs for more`` at ``--budget 1MB``. Now text there too, but
    for the first few openers left open (as the engine's forwarder passes them)."""
    flood = f"import sys\nsys.stdout.write({line + chr(10)!r} * 300_000)\n"
    result = _faulty(tmp_path, "octopus", "100kB", flood, 0)
    assert result.returncode == 0
    assert len(result.stdout) <= 100_000 + 100 * len(line)


def test_engine_failure_still_masks_known_secrets(tmp_path: Path) -> None:
    """Unfiltered is not unmasked: a secret printed after the failure stays off the console."""
    secret = "s3cr3t-T0KEN-after-the-fault"
    child = (
        "import sys, time\n"
        "for i in range(200): print(f'line {i}')\n"
        "sys.stdout.flush(); time.sleep(0.3)\n"
        f"print('token {secret}'); print('{secret}', file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--mask", secret, "--artifact",
         str(tmp_path / "a.zst"), "--", sys.executable, "-c", child],
        env=clean_env({"LOGTRIM_FAULT_AFTER": "100"}), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0
    assert result.stderr.count(b"internal error") == 1
    assert b"token ********" in result.stdout
    assert secret.encode() not in result.stdout + result.stderr
    assert secret.encode() not in zstd_dc(tmp_path / "a.zst")


@pytest.mark.parametrize("ci", ["github", "octopus"])
def test_engine_failure_still_learns_what_the_script_declares_later(
    tmp_path: Path, ci: str
) -> None:
    """A secret the script declares after the engine failed (``::add-mask::``, an Octopus
    sensitive variable, the declaration split across writes) is still masked in the console
    and the archive; the declaration keeps its value on the console, for the CI server."""
    import base64

    b64 = base64.b64encode
    octo = "OctoAfterFault-55"
    declared = (
        f"##octopus[setVariable name='{b64(b'Pw').decode()}' value='{b64(octo.encode()).decode()}'"
        f" sensitive='{b64(b'True').decode()}']"
    )
    child = (
        "import os, time\n"
        "for i in range(300): os.write(1, b'line %d noise\\n' % i)\n"
        "time.sleep(0.3)\n"
        "os.write(1, b'::add-ma'); time.sleep(0.2)\n"
        "os.write(1, b'sk::LearnedAfterFault77\\nlearned LearnedAfterFault77 x\\n')\n"
        f"os.write(1, {declared!r}.encode() + b'\\n')\n"
        f"os.write(2, b'octo {octo} y\\n')\n"
        "raise SystemExit(6)\n"
    )
    art = tmp_path / "a.zst"
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", ci, "--artifact", str(art), "--",
         sys.executable, "-c", child],
        env=clean_env({"LOGTRIM_FAULT_AFTER": "2000"}), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 6
    assert b"internal error" in result.stderr
    archive = zstd_dc(art)
    shown = result.stdout + result.stderr
    for secret in (b"LearnedAfterFault77", octo.encode()):
        assert secret not in archive
        assert secret not in shown.replace(b"::add-mask::LearnedAfterFault77\n", b"")
    assert b"learned ******** x\n" in archive and b"learned ******** x\n" in result.stdout
    assert b"octo ******** y\n" in result.stderr
    # The declaration of the CI in use reaches its server whole, on a line of its own
    # (another system's is masked: nobody there takes the value, as without the failure).
    if ci == "github":
        assert b"\n::add-mask::LearnedAfterFault77\n" in result.stdout
    else:
        assert f"\n{declared}\n".encode() in result.stdout
        assert b"\n::add-mask::********\n" in result.stdout


@pytest.mark.parametrize(
    ("ci", "command"),
    [
        ("github", "::warning::token {secret} refused"),
        ("azure", "##vso[task.logissue type=error]token {secret} refused"),
        ("teamcity", "##teamcity[message text='token {secret} refused' status='ERROR']"),
        ("octopus", "##octopus[stdout-warning] token {secret} refused"),
    ],
)
def test_engine_failure_masks_a_secret_in_a_command_of_the_ci_in_use(
    tmp_path: Path, ci: str, command: str
) -> None:
    """After the failure no selector masks a command line as its CI reads it: the secret in
    it is masked as text (the command still reaches the console), as in any other line."""
    secret = "s3cr3t-T0KEN-in-a-command"
    line = command.format(secret=secret)
    child = (
        "import sys, time\n"
        "for i in range(200): print(f'line {i}')\n"
        "sys.stdout.flush(); time.sleep(0.3)\n"
        f"print({line!r}); print('done')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", ci, "--mask", secret, "--artifact",
         str(tmp_path / "a.zst"), "--", sys.executable, "-c", child],
        env=clean_env({"LOGTRIM_FAULT_AFTER": "100"}), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0
    assert b"internal error" in result.stderr
    assert command.format(secret="********").encode() + b"\n" in result.stdout
    assert secret.encode() not in result.stdout + result.stderr
    assert secret.encode() not in zstd_dc(tmp_path / "a.zst")


def test_engine_failure_still_archives_and_publishes_every_byte(tmp_path: Path) -> None:
    """The archive is complete even across the failure, and it is still published."""
    result = _run(tmp_path, {"LOGTRIM_FAULT_AFTER": "100"})
    archive = zstd_dc(tmp_path / "a.zst")
    expected_out = b"".join(f"line {i}\n".encode() for i in range(400))
    assert archive.replace(b"ERROR: boom\n", b"") == expected_out + b"no newline at the end"
    messages = [m for m in decode_messages(result.stdout) if m.name == "createArtifact"]
    assert len(messages) == 1
    assert messages[0].attrs["path"] == str((tmp_path / "a.zst").resolve())
    assert int(messages[0].attrs["length"]) == (tmp_path / "a.zst").stat().st_size
    # The message starts at column 0 although the child's last line had no newline.
    assert b"\n##octopus[createArtifact" in result.stdout


def test_internal_error_before_the_start_still_runs_the_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A bug while preparing the run: one warning, the step runs as is, its exit code stays."""
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    marker = tmp_path / "ran"
    step = f"open({str(marker)!r}, 'w').close(); print('step output'); raise SystemExit(6)"
    code = _cli.main(["run", "--", sys.executable, "-c", step])
    out, err = capfd.readouterr()
    assert code == 6
    assert marker.exists()
    assert "step output" in out
    assert "internal error (RuntimeError: a bug in logtrim); running the command unfiltered" in err
    assert "Traceback" not in err  # one line; -v adds it


def test_internal_error_before_the_start_still_masks_a_url_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Unfiltered, without the engine: a URL's password is masked still, also written in
    pieces (the scheme in one write, the password in the next)."""
    import logtrim.cli.app as _cli

    break_prepare(monkeypatch)
    step = (
        "import sys, time; w = sys.stdout.write; f = sys.stdout.flush\n"
        "w('db postgres'); f(); time.sleep(0.2)\n"
        "w('://deploy:s3cr'); f(); time.sleep(0.2)\n"
        "w('3t@db-01/shop\\n'); f()\n"
    )
    code = _cli.main(["run", "--", sys.executable, "-c", step])
    out, err = capfd.readouterr()
    assert code == 0, err
    assert "db postgres://deploy:********@db-01/shop" in out
    assert "s3cr" not in out + err


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="POSIX")
@pytest.mark.parametrize("fork", ["forked", "in-process"])
def test_lost_archive_keeps_filtering_with_true_counts(tmp_path: Path, fork: str) -> None:
    """The disk fills up mid-run (a file size limit here): one warning naming the reason,
    the console still filtered under the budget, a summary with the true counts and a line
    saying the archive is incomplete, the child's code, no artifact published."""
    child = (
        "import random\n"
        "for i in range(60000): print('copying file %05d.dat %x' % (i, random.getrandbits(64)))\n"
        "print('ERROR: final failure')\n"
        "raise SystemExit(7)\n"
    )

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    env = {"LOGTRIM_NO_FORK": "1"} if fork == "in-process" else {}
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "octopus", "--budget", "20kB",
         "--artifact", str(tmp_path / "a.zst"), "--", sys.executable, "-c", child],
        env=clean_env(env), capture_output=True, timeout=60, preexec_fn=limit,
    )  # fmt: skip
    assert result.returncode == 7
    assert result.stderr.count(b"archive cannot be written") == 1
    assert b"File too large" in result.stderr
    assert len(result.stdout) + len(result.stderr) <= 20_000
    assert b"ERROR: final failure" in result.stdout
    assert b"60,001 lines" in result.stdout
    assert b"createArtifact" not in result.stdout
    # The end of the console says the archive lacks what it does not show.
    assert b"a.zst is incomplete: writing it failed" in result.stdout


def test_engine_failure_keeps_each_archived_line_one_streams(tmp_path: Path) -> None:
    """Fail-open, the archive got each stream's bytes as they came: stdout's unfinished last
    line and stderr's line were glued (``no newline at the enERROR: boom``, then ``d``). Each
    line of the archive is one stream's, as when the engine works; at the end an unfinished
    line is ended by a newline of the archive's own before the other stream's bytes."""
    for _ in range(3):  # the two pipes' order varies: each run must keep the lines whole
        _run(tmp_path, {"LOGTRIM_FAULT_AFTER": "100"})
        lines = zstd_dc(tmp_path / "a.zst").split(b"\n")
        out = [f"line {i}".encode() for i in range(400)] + [b"no newline at the end"]
        assert sorted(lines) == sorted([*out, b"ERROR: boom"])
        assert [x for x in lines if x != b"ERROR: boom"] == out


@pytest.mark.parametrize("ci", ["octopus", "teamcity"])
def test_engine_failure_keeps_a_progress_flood_in_the_budget(tmp_path: Path, ci: str) -> None:
    """Progress commands after the engine broke: each passed, 100,000 of them (6 MB at a
    2 kB budget). A few pass, then each stream's newest waits; the last state still reaches
    the CI, after the others, and every other command passes in its place."""
    if ci == "octopus":
        state = "##octopus[progress percentage='NTA=' message='cHJvZ3Jlc3M=']"
        last = "##octopus[progress percentage='MTAw' message='ZG9uZQ==']"
        other = "##octopus[stdout-default]"
    else:
        state = "##teamcity[progressMessage 'copying']"
        last = "##teamcity[progressMessage 'done']"
        other = "##teamcity[message text='checkpoint']"
    flood = (
        "import sys\n"
        "sys.stdout.write('x' * 199_999 + '\\n')\n"
        f"for i in range(50_000): print({state!r})\n"
        f"print({other!r})\n"
        f"for i in range(50_000): print({state!r})\n"
        f"print({last!r})\n"
    )
    result = _faulty(tmp_path, ci, "2kB", flood, 1000)
    assert result.returncode == 0
    console = result.stdout + result.stderr
    assert len(console) <= 2_000 + 1_000, len(console)
    lines = result.stdout.decode().splitlines()
    assert other in lines and last in lines
    assert lines.index(state) < lines.index(other) < lines.index(last)
    assert zstd_dc(tmp_path / "a.zst").count(state.encode()) == 100_000


def test_engine_failure_never_steps_the_progress_bar_back(tmp_path: Path) -> None:
    """After the engine broke, each stream's newest progress state waited for its own
    stream's next command or the end: stdout's 95 (written last) then stderr's older 90 were
    printed, and the bar ended on 90. The newest state of either stream wins."""
    code = TAKEN + (
        "import sys, time, base64\n"
        "b = lambda s: base64.b64encode(s.encode()).decode()\n"
        "def prog(f, p):\n"
        "    f.write(f\"##octopus[progress percentage='{b(str(p))}' message='{b(str(p))}']\\n\")\n"
        "    f.flush()\n"
        "for i in range(400): prog(sys.stdout, i % 50)\n"
        "taken(1); prog(sys.stderr, 90); taken(2)\n"
        "prog(sys.stdout, 95); taken(1)\n"
        "print('end', flush=True)\n"
    )
    result = _faulty(tmp_path, "octopus", "2kB", code, 0)
    assert result.returncode == 0
    states = re.findall(rb"##octopus\[progress percentage='([^']*)'", result.stdout + result.stderr)
    assert states[-1] == b"OTU=", states[-5:]  # 95


@pytest.mark.parametrize("ci", ["octopus", "plain"])
def test_engine_failure_passes_a_message_over_several_lines_whole(tmp_path: Path, ci: str) -> None:
    """Octopus's server reads a message on to its ``]`` over lines of attributes. After an
    internal error the first line passed and its ``value='eQ==']`` line went to the tail or
    was left out: the variable was never set. A ``##octopus[`` in a sentence opens none."""
    code = (
        "for i in range(3000): print('noise line %d' % i)\n"
        "print(\"##octopus[setVariable name='eA=='\")\n"
        "print(\"  value='eQ==']\")\n"
        "print('see ##octopus[ in the docs')\n"
        "for i in range(3000): print('more noise %d ' % i + 'z' * 200)\n"
    )
    result = _faulty(tmp_path, ci, "4kB", code, 0)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    at = lines.index(b"##octopus[setVariable name='eA=='")
    assert lines[at + 1] == b"  value='eQ==']"
    assert lines.count(b"  value='eQ==']") == 1
    assert len(result.stdout.replace(b"\n", b"")) < 4_000 + 200  # the prose's next lines: text


def test_engine_failure_does_not_show_a_line_s_start_twice(tmp_path: Path) -> None:
    """The engine showed ``Deploying... `` while the line waited for its end; it broke on the
    next write, and the fallback printed the held line whole: ``Deploying... Deploying...
    done``. The archive still has the line once, whole."""
    code = (
        "import sys, time\n"
        "print('first line here', flush=True)\n"
        "sys.stdout.write('Deploying... '); sys.stdout.flush(); time.sleep(1.5)\n"
        "print('done'); print('second line')\n"
    )
    result = _faulty(tmp_path, "plain", "4kB", code, 16)
    assert result.returncode == 0
    assert b"Deploying... done\n" in result.stdout
    assert result.stdout.count(b"Deploying...") == 1
    assert zstd_dc(tmp_path / "a.zst") == b"first line here\nDeploying... done\nsecond line\n"


def test_engine_failure_keeps_text_before_a_command_on_a_line_of_its_own(tmp_path: Path) -> None:
    """Text then a command on each line: the commands pass, the text waits for the tail,
    where its lines were glued into one (``6 done step 1957 done step 1958 done ...``)."""
    code = "for i in range(2000): print('step %d done ##octopus[stdout-default]' % i)\n"
    result = _faulty(tmp_path, "octopus", "2kB", code, 0)
    assert result.returncode == 0
    text = [ln for ln in result.stdout.splitlines() if not ln.startswith(b"##octopus[")]
    assert text[-1] == b"step 1999 done "
    assert all(ln.count(b"step ") <= 1 for ln in text)


@pytest.mark.parametrize("ci", ["octopus", "plain"])
def test_engine_failure_lets_no_flood_ride_on_a_message_over_several_lines(
    tmp_path: Path, ci: str
) -> None:
    """A ``##octopus[`` in prose opens no message (the server reads one at a line's start
    only): the 60 ``key = "value"`` lines after each passed whatever the budget (618 kB at
    4 kB). Text after a message's ``]`` on its last line is text, under the budget."""
    prose = (
        "v = 'x' * 500\n"
        "for j in range(20):\n"
        "    print(f'hint: set outputs with ##octopus[setVariable in step {j}')\n"
        "    for i in range(60): print(f'  tag_{i} = \"{v}\"')\n"
    )
    result = _faulty(tmp_path, ci, "4kB", prose, 0)
    assert result.returncode == 0
    assert len(result.stdout) < 4_000 + 20 * 70
    ride = (
        "for j in range(20):\n"
        "    print(\"##octopus[setVariable name='eA=='\")\n"
        "    print(\"value='eQ=='] riding text \" + 'A' * 30000)\n"
    )
    result = _faulty(tmp_path, ci, "4kB", ride, 0)
    assert result.returncode == 0
    assert len(result.stdout) < 4_000 + 20 * 60
    assert result.stdout.count(b"##octopus[setVariable name='eA=='\nvalue='eQ==']") >= 19


# What a child leaves switched, and what its CI then needs before logtrim's closing messages.
SWITCHED = [
    ("github", "::stop-commands::tok123", "::tok123::", "::error "),
    ("github", "::group::Deploy", "::endgroup::", "::error "),
    ("teamcity", "##teamcity[disableServiceMessages]", "##teamcity[enableServiceMessages]",
     "##teamcity[publishArtifacts "),
    ("octopus", "##octopus[stdout-verbose]", "##octopus[stdout-default]",
     "##octopus[createArtifact "),
    # The runner trims .NET's whitespace before ``::`` (a vertical tab, a no-break space).
    ("github", "\v::stop-commands::tok123", "::tok123::", "::error "),
    ("github", "\u3000::group::Deploy", "::endgroup::", "::error "),
    # Text after a message on its line: the message ends at its ``]``.
    ("teamcity", "##teamcity[disableServiceMessages] quiet from here",
     "##teamcity[enableServiceMessages]", "##teamcity[publishArtifacts "),
    ("octopus", "##octopus[stdout-verbose] verbose from here", "##octopus[stdout-default]",
     "##octopus[createArtifact "),
]  # fmt: skip


@pytest.mark.parametrize(("ci", "switch", "back", "closing"), SWITCHED)
@pytest.mark.parametrize("fault", [0, 40])
def test_failing_open_switches_back_before_its_closing_messages(
    tmp_path: Path, ci: str, switch: str, back: str, closing: str, fault: int
) -> None:
    """After an internal error, a pause the child left on (GitHub's ``stop-commands``,
    TeamCity's ``disableServiceMessages``), a group it left open or a level it switched to
    would take logtrim's failure mark and the archive's publishing with it."""
    code = f"import sys\nprint({switch!r})\nprint('ERROR: deploy failed')\nsys.exit(3)\n"
    result = _faulty(tmp_path, ci, "20MB", code, fault)
    assert result.returncode == 3
    lines = result.stdout.decode().split("\n")  # (a vertical tab ends no line)
    assert (
        lines.index(switch)
        < lines.index(back)
        < min(i for i, line in enumerate(lines) if line.startswith(closing))
    )


def test_failing_open_keeps_a_declaration_before_a_pause(tmp_path: Path) -> None:
    """``\\v::add-mask::`` is a command to the runner (it trims .NET's whitespace) but was
    text to the fail-open path: kept for the tail, printed after a later pause, where the
    runner read it as text, the secret in clear."""
    code = (
        "import sys\n"
        "for i in range(30000): print(f'filler line {i} padding padding padding')\n"
        "print('\\x0b::add-mask::TopSecret91')\n"
        "print('::stop-commands::tok123')\n"
        "sys.exit(3)\n"
    )
    result = _faulty(tmp_path, "github", "8kB", code, 0)
    assert result.returncode == 3
    lines = result.stdout.splitlines()
    declared = lines.index(b"\x0b::add-mask::TopSecret91")
    assert declared < lines.index(b"::stop-commands::tok123") < lines.index(b"::tok123::")


@pytest.mark.parametrize("fork", ["forked", "in-process"])
def test_an_archive_removed_while_written_is_said_to_be_missing(tmp_path: Path, fork: str) -> None:
    """The archive's temporary file removed during the run (a cleanup job): the rename at
    the end failed, and the summary said ``a.zst is incomplete ...; it holds the output up to
    then`` of a path where no file was. It says none is left there now."""
    child = (
        "import glob, os, sys\n"
        "print('deploying', flush=True)\n"
        f"for temp in glob.glob({str(tmp_path / '.a.zst.*')!r}):\n"
        "    os.remove(temp)\n"
        "print('deployed', flush=True)\n"
    )
    env = {"LOGTRIM_NO_FORK": "1"} if fork == "in-process" else {}
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "octopus",
         "--artifact", str(tmp_path / "a.zst"), "--", sys.executable, "-c", child],
        env=clean_env(env), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0
    assert result.stderr.count(b"archive cannot be written") == 1
    assert not (tmp_path / "a.zst").exists()
    assert b"archive: none: writing " in result.stdout
    assert b"no file is left there" in result.stdout
    assert b"createArtifact" not in result.stdout


def test_an_internal_error_mid_run_is_one_line_and_v_adds_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The warning names the exception on its one line; the traceback (54 lines for a
    parser's error) only with ``-v``, as for an error before the start."""
    import logtrim.cli.app as _cli
    from logtrim.engine.core import Core

    real = Core.feed

    def feed(self: Core, stream: int, data: bytes, now: float) -> object:
        if b"boom" in data:
            raise ValueError("a bug in logtrim")
        return real(self, stream, data, now)

    monkeypatch.setattr(Core, "feed", feed)
    step = "print('boom', flush=True); print('after')"
    for verbose in ([], ["-v"]):
        args = ["run", *verbose, "--artifact", str(tmp_path / f"a{len(verbose)}.zst"), "--"]
        assert _cli.main([*args, sys.executable, "-c", step]) == 0
        out, err = capfd.readouterr()
        assert "after" in out
        warning = next(ln for ln in err.splitlines() if "internal error" in ln)
        if verbose:  # the traceback's last line names it
            assert warning.endswith("head and tail only"), err
            assert "Traceback" in err and "ValueError: a bug in logtrim" in err, err
        else:
            assert warning.endswith("head and tail only (ValueError: a bug in logtrim)"), err
            assert "Traceback" not in err, err
