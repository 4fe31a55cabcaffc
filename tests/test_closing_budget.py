"""The closing lines fit the budget whatever the archive's path and name (real runs)."""

from __future__ import annotations

import base64
import os
import re
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, py

DIALECTS = ["octopus", "github", "azure", "teamcity", "buildkite", "plain"]

# A failing child whose error lines (the reason's candidates) are long and not ASCII.
FAILING = py(
    "import sys\n"
    "for i in range(100): print('step %d ok' % i)\n"
    "print('error: failed badly ' + '\\u00e9' * 480)\n"
    "print('Error: failed again ' + 'w' * 480)\n"
    "sys.exit(1)\n"
)


def long_path(root: Path, length: int) -> Path:
    """A file path of about ``length`` characters under ``root``, its folders created."""
    folder = root
    while len(str(folder)) < length - 120:
        folder = folder / ("d" * 99)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "deploy.log.zst"


def published(stdout: bytes, dialect: str) -> str:
    """The text of the console's closing messages, base64 attributes decoded (Octopus)."""
    text = stdout.decode()
    if dialect != "octopus":
        return text
    values = re.findall(r"##octopus\[createArtifact .*?\]", text)
    return " ".join(base64.b64decode(v).decode() for v in re.findall(r"'([^']*)'", values[-1]))


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("budget", [4000, 6000])
def test_long_archive_path_and_name_stay_within_budget(
    run_logtrim: RunLogtrim, tmp_path: Path, dialect: str, budget: int
) -> None:
    path, name = long_path(tmp_path, 500), "n" * 500
    r = run_logtrim(
        "--ci", dialect, "--budget", f"{budget}B", "--name", name, "--", *FAILING,
        artifact=path,
    )  # fmt: skip
    assert r.code == 1, r.stderr
    assert len(r.console) <= budget
    closing = published(r.stdout, dialect)
    assert str(path) in closing  # the archive is published whole, never shortened
    if dialect in ("octopus", "azure"):
        assert name in closing


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("declared", [False, True])
def test_a_secret_in_the_archive_path_keeps_the_closing_within_budget(
    run_logtrim: RunLogtrim, tmp_path: Path, dialect: str, declared: bool
) -> None:
    """A secret in the path is masked where the path is printed (``abcd``: ``********``),
    which lengthens it past the room the budget kept for it: given with ``--mask`` or
    declared during the run, the closing lines still fit (the path, which names no file the
    CI could publish, is elided)."""
    folder = tmp_path
    while len(str(folder)) < 3000:
        folder = folder / ("abcdX" * 50)
    folder.mkdir(parents=True)
    path = folder / "a.zst"
    refused = run_logtrim("--ci", dialect, "--budget", "2048B", "--", "true", artifact=path)
    found = re.search(r"use at least ([0-9.]+) kB", refused.stderr.decode())
    assert found is not None, refused.stderr
    budget = round(float(found.group(1)) * 1000)
    declare = "echo '::add-mask::abcd'; echo \"##octopus[mask value='YWJjZA==']\"; "
    options: tuple[str, ...] = ("--ci", dialect, "--budget", f"{budget}B")
    options += () if declared else ("--mask", "abcd")
    child = ("sh", "-c", (declare if declared else "") + "echo 'ERROR: deploy failed'; exit 1")
    r = run_logtrim(*options, "--", *child, artifact=path)
    assert r.code == 1, r.stderr
    assert len(r.console) <= budget
    # (GitHub's runner is told the secret by the line that declares it: it passes as written.)
    shown = [line for line in r.console.splitlines() if not line.startswith(b"::add-mask::")]
    assert not [line for line in shown if b"abcd" in line]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_long_reason_fits_the_smallest_budget(run_logtrim: RunLogtrim, dialect: str) -> None:
    # The failure reason is text of several bytes a character: counted in bytes.
    r = run_logtrim("--ci", dialect, "--budget", "2048B", "--", *FAILING)
    assert r.code == 1, r.stderr
    assert len(r.console) <= 2048


@pytest.mark.parametrize("dialect", DIALECTS)
def test_budget_too_small_for_the_names_is_refused_before_the_child(
    run_logtrim: RunLogtrim, tmp_path: Path, dialect: str
) -> None:
    path, ran = long_path(tmp_path, 900), tmp_path / "ran"
    child = py(f"open({str(ran)!r}, 'w').close()")
    r = run_logtrim(
        "--ci", dialect, "--budget", "2100B", "--name", "n" * 900, "--", *child, artifact=path
    )
    assert r.code == 2
    assert r.stdout == b""
    message = r.stderr.decode()
    assert message.count("\n") == 1 and "--budget" in message and "at least" in message
    assert not ran.exists() and not path.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a file name of any bytes")
@pytest.mark.parametrize("dialect", ["octopus", "github", "plain", "azure"])
def test_archive_path_that_is_not_utf8(
    run_logtrim: RunLogtrim, tmp_path: Path, dialect: str
) -> None:
    """A folder whose name is not UTF-8: the run keeps the child's exit code, archives, and
    names the archive by its own bytes (Octopus: base64 of them)."""
    folder = os.fsencode(tmp_path) + b"/odd\xff\xfe"
    os.mkdir(folder)
    path = Path(os.fsdecode(folder + b"/run.log.zst"))
    summary = tmp_path / "summary.md"
    r = run_logtrim(
        "--ci", dialect, "--", *py("print('error: it broke'); raise SystemExit(5)"),
        artifact=path, env={"GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    assert r.code == 5, r.stderr
    assert b"Traceback" not in r.stderr and b"internal error" not in r.stderr
    assert b"error: it broke" in r.archive
    raw = os.fsencode(path)
    if dialect == "octopus":
        (value,) = re.findall(rb"createArtifact path='([^']*)'", r.stdout)
        assert base64.b64decode(value) == raw
    else:
        assert raw in r.stdout
    if dialect == "github":
        assert raw in summary.read_bytes()


def test_a_flood_of_the_child_s_commands_leaves_the_closing_its_room(
    run_logtrim: RunLogtrim,
) -> None:
    """Commands pass whatever the budget; when they alone outgrow it, the end of the run is
    still there: a marker counts the lines not shown, then the failure tail, the summary and
    the reason, and every command reached the console, in order."""
    child = py(
        "for i in range(20000):\n"
        "    print(f'copy file {i}')\n"
        "    if i % 400 == 0:\n"
        "        print(f\"##octopus[setVariable name='YQ==' value='{'eA==' * 20}' n='{i}']\")\n"
        "raise SystemExit(3)\n"
    )
    result = run_logtrim("--ci", "octopus", "--budget", "5kB", "--", *child)
    assert result.code == 3
    lines = result.stdout.decode().splitlines()
    commands = [line for line in lines if line.startswith("##octopus[setVariable")]
    assert [c.rsplit("n='", 1)[1] for c in commands] == [f"{i}']" for i in range(0, 20000, 400)]
    rest = [line for line in lines if not line.startswith("##octopus[setVariable")]
    header = next(i for i, line in enumerate(rest) if "--- last" in line)
    assert re.fullmatch(r"\[logtrim\] \.\.\. [0-9,]+ lines not shown \.\.\.", rest[header - 1])
    assert rest[-4].startswith("[logtrim] 20,050 lines")
    # A loop's stdout line says nothing went wrong: no resultMessage, Octopus names the code;
    # the task log says it too.
    assert not any("resultMessage" in line for line in rest)
    assert rest[-2] == "[logtrim] failed (exit 3): exited with code 3"
    assert len("\n".join(rest).encode()) <= 5000
    # Every line is in a marker's count, the head's, the tail's or is a command.
    hidden = sum(
        int(m.replace(",", ""))
        for m in re.findall(r"\.\.\. ([0-9,]+) (?:similar )?lines", "\n".join(rest))
    )
    assert hidden + sum(1 for line in rest if line.startswith("copy file")) == 20000


@pytest.mark.parametrize("ci", ["plain", "azure"])
def test_progress_commands_shown_late_leave_the_closing_its_room(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    """The child's progress commands are throttled, and a waiting one is printed late,
    before the next line shown. Each paid as an ordinary line, not as a command: past the
    budget they took the closing lines' room, and the run ended with no summary and no
    word of the archive."""
    child = py(
        "for i in range(3000):\n"
        "    print(f'copy file {i} of 3000')\n"
        "    print(f'##vso[task.setprogress value={i * 100 // 3000};]copying files')\n"
        "    if i % 50 == 0:\n"
        "        print(f'WARNING: slow disk at file {i}')\n"
    )
    result = run_logtrim("--ci", ci, "--budget", "2KiB", "--", *child)
    assert result.code == 0
    lines = result.stdout.decode().splitlines()
    assert any(line.startswith("[logtrim] 6,060 lines") for line in lines)
    assert any(line.startswith("[logtrim] archive: ") for line in lines)


def test_warnings_before_the_run_keep_to_the_budget(
    tmp_path: Path, run_logtrim: RunLogtrim
) -> None:
    """A warning per unreadable file of a baseline directory, per unknown ``LOGTRIM_*``
    variable: 9 kB printed at ``--budget 2000``, the failure reason cut. Past their share
    they are counted in one note; the run's own lines and its reason still fit."""
    folder = tmp_path / "good-runs"
    folder.mkdir()
    (folder / "a.log").write_text("".join(f"INFO ok step {i}\n" for i in range(50)))
    for i in range(60):
        (folder / f"bad_file_with_a_longish_name_{i}.log").write_bytes(b"\0bin")
    env = {f"LOGTRIM_BOGUS_{i}": "1" for i in range(80)}
    step = ["sh", "-c", "echo 'ERROR: deploy failed: web-03 unreachable'; exit 1"]
    for extra, options in ((None, ("--baseline", str(folder))), (env, ())):
        r = run_logtrim("--ci", "plain", "--budget", "2000", *options, "--", *step, env=extra)
        assert r.code == 1
        assert len(r.console) <= 2000, r.console
        assert b"not shown (no room in the console budget)" in r.stderr
        assert b"failed (exit 1): ERROR: deploy failed: web-03 unreachable\n" in r.stdout


def test_a_secrets_warning_comes_first_and_stays(run_logtrim: RunLogtrim) -> None:
    """``--mask-env`` naming an unset variable (a typo: the token is then printed in clear)
    is said before 80 unknown-variable warnings, and is shown at a 2 kB budget."""
    env = {f"LOGTRIM_BOGUS_{i}": "1" for i in range(80)}
    r = run_logtrim(
        "--ci", "plain", "--budget", "2kB", "--mask-env", "DEPLOY_TOKN", "--",
        "sh", "-c", "echo deploying; exit 1", env=env,
    )  # fmt: skip
    assert r.code == 1 and len(r.console) <= 2000
    assert b"mask-env names DEPLOY_TOKN, which is unset or empty" in r.stderr


@pytest.mark.parametrize("budget", [2000, 3000])
def test_warnings_after_the_closing_lines_keep_to_the_budget(
    run_logtrim: RunLogtrim, tmp_path: Path, budget: int
) -> None:
    """A good run whose history cannot be written (a directory where its index goes), and a
    GitHub step summary that cannot be written: the warnings come after the closing lines,
    which had used the budget; they went past it (2,054 bytes at ``--budget 2000``). They
    are cut to the room left, their start kept."""
    history = tmp_path / "hist"
    (history / "deploy.log.zst.shapes").mkdir(parents=True)
    summary = tmp_path / "no-such-dir" / ("x" * 300)
    code = (
        "for i in range(60):\n"
        "    print('ERROR step %s failed at node %s' % ('abcdefghij'[i % 10] * 3, i * 7))\n"
    )
    r = run_logtrim(
        "--ci", "github", "--budget", str(budget), "--history", str(history), "--", *py(code),
        artifact=tmp_path / "deploy.log.zst",
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    assert r.code == 0
    assert len(r.console) <= budget
    assert b"[logtrim] archive: " in r.stdout
    said = r.stderr.decode().splitlines()
    assert any(line.startswith("logtrim: warning: --history: cannot wr") for line in said)


def test_a_warning_leaves_room_for_the_line_instead_of_a_missing_program(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Buildkite without ``buildkite-agent`` on PATH: the line that says how to upload the
    archive comes after the warnings, and a warning (the history could not be written) took
    its room: 2,243 bytes at ``--budget 2200``."""
    history = tmp_path / "hist"
    history.mkdir()
    code = (
        "import random, shutil\n"
        "random.seed(1)\n"
        "for i in range(400):\n"
        "    what = 'ERROR' if i % 3 == 0 else 'info'\n"
        "    print(f'step {i}: {what} thing {random.random()} happened at module_{i}.py')\n"
        f"shutil.rmtree({str(history)!r}); open({str(history)!r}, 'w').close()\n"
    )
    r = run_logtrim(
        "--ci", "buildkite", "--budget", "2200", "--history", str(history), "--", *py(code),
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert r.code == 0
    assert b"upload it with: buildkite-agent artifact upload" in r.stdout
    assert b"logtrim: warning: --history: cannot" in r.stderr
    assert len(r.console) <= 2200
