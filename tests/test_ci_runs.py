"""A real run under each CI's environment publishes the archive the way that CI expects.

The archive path is as hostile as paths get: spaces, brackets, a semicolon and a quote.
Every service message logtrim writes is read back with an independent decoder.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env, py, zstd_dc
from decoders import ant_matches, parse_azure, parse_github, parse_teamcity
from octopus_decoder import messages

CHILD = "import sys; print('deploying'); print('ERROR: db-02 refused the migration'); sys.exit(4)"


def _run(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[bytes], Path]:
    folder = tmp_path / "logs [x]; it's"
    folder.mkdir()
    archive = folder / "deploy [1]; o'clock.log.zst"
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--artifact", str(archive), "--",
         sys.executable, "-c", CHILD],
        env=clean_env(env), capture_output=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 4
    assert zstd_dc(archive) == b"deploying\nERROR: db-02 refused the migration\n"
    return result, archive.resolve()


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8").splitlines()


def test_octopus(tmp_path: Path) -> None:
    """Octopus: one createArtifact with the absolute path and exact size; a resultMessage."""
    result, archive = _run(tmp_path, {"OctopusCalamariWorkingDirectory": str(tmp_path)})
    found = {m.name: m for m in messages(result.stdout)}
    assert found["createArtifact"].attrs["path"] == str(archive)
    assert found["createArtifact"].attrs["length"] == str(archive.stat().st_size)
    assert found["resultMessage"].attrs["message"] == "ERROR: db-02 refused the migration"


def test_octopus_failure_with_nothing_to_name_still_says_it_failed(tmp_path: Path) -> None:
    """A step that fails without a line to name: no resultMessage (nothing to say but the exit
    code, which Octopus shows), but the task log still says the step failed, and how."""
    archive = tmp_path / "quiet.log.zst"
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "octopus", "--artifact", str(archive),
         "--", sys.executable, "-c", "import sys; print('hello'); sys.exit(3)"],
        env=clean_env(), capture_output=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 3
    assert "resultMessage" not in {m.name for m in messages(result.stdout)}
    assert "[logtrim] failed (exit 3): exited with code 3" in _lines(result.stdout)


def test_github(tmp_path: Path) -> None:
    """GitHub: an error annotation, a notice naming the archive, and the step summary file."""
    summary = tmp_path / "summary.md"
    result, archive = _run(
        tmp_path, {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    )
    commands = [parse_github(line) for line in _lines(result.stdout) if line.startswith("::")]
    names = [c.name for c in commands]
    assert names.count("error") == 1
    notice = next(c for c in commands if c.name == "notice")
    assert notice.data is not None and str(archive) in notice.data
    text = summary.read_text(encoding="utf-8")
    assert "db-02 refused the migration" in text
    assert archive.name in text


def test_the_step_summary_gives_the_failure_reason(tmp_path: Path) -> None:
    """The step summary listed the first errors but not the reason the ``::error``
    annotation gives (a traceback's exception, after a retried error): a reader of the
    summary saw a retried error first and no reason."""
    summary = tmp_path / "summary.md"
    child = (
        "import sys\n"
        "print('ERROR upload of chunk-0333 failed: connection reset; retrying (1/3)')\n"
        "for i in range(20): print(f'uploaded chunk {i}')\n"
        "raise SystemExit('SmokeTestError: POST /api/orders returned 500')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--artifact", str(tmp_path / "a.zst"), "--",
         sys.executable, "-c", child],
        env=clean_env({"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}),
        capture_output=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    error = next(parse_github(x) for x in _lines(result.stdout) if x.startswith("::error"))
    assert error.data == "SmokeTestError: POST /api/orders returned 500"
    text = summary.read_text(encoding="utf-8")
    assert "Reason: `SmokeTestError: POST /api/orders returned 500`" in text
    assert text.index("Reason:") < text.index("First errors")


def test_a_step_summary_in_a_missing_directory_is_a_warning(tmp_path: Path) -> None:
    """A ``$GITHUB_STEP_SUMMARY`` in a directory that does not exist (a mistyped variable)
    is a warning: the directory and the file were created, without a word."""
    summary = tmp_path / "nowhere" / "deeper" / "summary.md"
    result, archive = _run(
        tmp_path, {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert not (tmp_path / "nowhere").exists()
    assert f"could not write the step summary {summary}: No such file or directory".encode() in (
        result.stderr
    )
    assert archive.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_step_summary_that_is_a_fifo_is_a_warning_not_a_hang(tmp_path: Path) -> None:
    """A ``$GITHUB_STEP_SUMMARY`` naming a FIFO no one reads: opening it to append waited for
    ever after the closing lines, and the step's exit code was lost to the CI's timeout."""
    summary = tmp_path / "summary.fifo"
    os.mkfifo(summary)
    result, archive = _run(
        tmp_path, {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert f"could not write the step summary {summary}".encode() in result.stderr
    assert archive.exists()


def test_azure(tmp_path: Path) -> None:
    """Azure: artifact.upload whose data is the archive path, and one logissue error."""
    result, archive = _run(tmp_path, {"TF_BUILD": "True"})
    commands = [parse_azure(line) for line in _lines(result.stdout) if line.startswith("##vso[")]
    upload = next(c for c in commands if c.name == "artifact.upload")
    assert upload.data == str(archive)
    assert [c.props.get("type") for c in commands if c.name == "task.logissue"] == ["error"]


def test_teamcity(tmp_path: Path) -> None:
    """TeamCity: publishArtifacts with a path rule that matches the archive."""
    result, archive = _run(tmp_path, {"TEAMCITY_VERSION": "2024.1"})
    commands = [
        parse_teamcity(line) for line in _lines(result.stdout) if line.startswith("##teamcity[")
    ]
    publish = next(c for c in commands if c.name == "publishArtifacts")
    rule = publish.data
    assert rule is not None and ant_matches(rule, str(archive))
    assert any(c.name == "message" and c.props.get("status") == "ERROR" for c in commands)


@pytest.mark.parametrize("variable", ["GITLAB_CI", "JENKINS_URL"])
def test_gitlab_and_jenkins_name_the_archive(tmp_path: Path, variable: str) -> None:
    """GitLab and Jenkins (artifacts live in the pipeline file): the console names the archive."""
    value = "true" if variable == "GITLAB_CI" else "https://ci.example/"
    result, archive = _run(tmp_path, {variable: value})
    assert str(archive) in result.stdout.decode("utf-8")


@pytest.mark.parametrize("fault", [{}, {"LOGTRIM_FAULT_AFTER": "0"}], ids=["engine", "failed-open"])
def test_buildkite_runs_the_agent(tmp_path: Path, fault: dict[str, str]) -> None:
    """Buildkite: `buildkite-agent artifact upload` runs with a pattern that finds the archive,
    also after the engine failed and the run fell back to a head and tail."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "agent-args"
    agent = bin_dir / "buildkite-agent"
    agent.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    agent.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    result, archive = _run(tmp_path, {"BUILDKITE": "true", "PATH": path, **fault})
    args = record.read_text(encoding="utf-8").splitlines()
    assert args[:2] == ["artifact", "upload"]
    assert fnmatch.fnmatchcase(str(archive), args[2])
    if not fault:
        assert b"^^^ +++" in result.stdout  # the failure expands the last group


def test_the_agent_s_output_is_kept_off_the_console(tmp_path: Path) -> None:
    """``buildkite-agent artifact upload`` printed straight to the console: past the budget,
    and with a secret in the archive's path unmasked. Its output is now kept; a failure is
    one warning with its last line, masked."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    agent = bin_dir / "buildkite-agent"
    agent.write_text(
        '#!/bin/sh\nfor i in $(seq 1 2000); do echo "uploading $3 (Tok-SECRET-77)"; done\n'
        'echo "fatal: upload of $3 failed for Tok-SECRET-77" >&2\nexit 3\n'
    )
    agent.chmod(0o755)
    env = {"BUILDKITE": "true", "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--budget", "4kB", "--mask", "Tok-SECRET-77",
         "--artifact", str(tmp_path / "a.log.zst"), "--", "echo", "deploying"],
        env=clean_env(env), capture_output=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0
    console = result.stdout + result.stderr
    assert b"Tok-SECRET-77" not in console and len(console) <= 4000
    assert b"uploading" not in console
    assert b"buildkite-agent exited with code 3: fatal: upload of " in result.stderr
    assert b"failed for ********" in result.stderr


@pytest.mark.parametrize(
    "said",
    ["x" * 290 + " Tok-SECRET-77 refused", "x" * 1000 + "Tok-SECRET-77" + "y" * 4088],
    ids=["secret-across-the-cut", "window-starts-inside-the-secret"],
)
def test_the_agent_s_last_line_never_shows_part_of_a_secret(tmp_path: Path, said: str) -> None:
    """The warning quoted the agent's last line cut to 300 characters before masking, so a
    secret across the cut showed its first half; a line longer than what is read could
    begin inside a secret. Masked whole, then cut; a line read in part is not quoted."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "said.txt").write_text(said + "\n")
    agent = bin_dir / "buildkite-agent"
    agent.write_text(f'#!/bin/sh\ncat "{bin_dir / "said.txt"}" >&2\nexit 3\n')
    agent.chmod(0o755)
    env = {"BUILDKITE": "true", "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--mask", "Tok-SECRET-77",
         "--artifact", str(tmp_path / "a.log.zst"), "--", "echo", "deploying"],
        env=clean_env(env), capture_output=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0
    assert b"buildkite-agent exited with code 3" in result.stderr
    for part in ("Tok-SEC", "CRET-77"):
        assert part.encode() not in result.stdout + result.stderr


def test_buildkite_group_headers_keep_to_the_budget(tmp_path: Path) -> None:
    """Any line starting ``--- `` or ``+++ `` is a group header to Buildkite, so a diff of
    5,000 files passed 236 kB at a 100 kB budget: headers only lay out the log, and pass
    while the budget has room, as logtrim's own markers do."""
    diff = "".join(
        f"--- a/src/file{i}.c\n+++ b/src/file{i}.c\n@@ -1,3 +1,4 @@\n context line\n"
        for i in range(5000)
    )
    log = tmp_path / "diff.txt"
    log.write_text(diff)
    env = {"BUILDKITE": "true", "PATH": os.defpath}
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--budget", "20kB",
         "--artifact", str(tmp_path / "a.log.zst"), "--", "cat", str(log)],
        env=clean_env(env), capture_output=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0
    assert len(result.stdout) + len(result.stderr) <= 20_000
    assert result.stdout.startswith(b"--- a/src/file0.c\n+++ b/src/file0.c\n")
    assert zstd_dc(tmp_path / "a.log.zst") == diff.encode()


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        # A progress line redrawn until it fails: the failure, not the states run together.
        (
            "extract 10%\\rextract 50%\\rERROR: extract failed: corrupt archive\\n",
            "ERROR: extract failed: corrupt archive",
        ),
        # The error, then a countdown drawn over it: the error is what a person points at.
        ("ERROR: connection lost\\rretrying in 5s\\rretrying in 4s\\n", "ERROR: connection lost"),
        # The failure inside a word, or in a crash's words: that state, not the last one.
        ("download 5%\\rIOError: connection reset\\rdownload 6%\\n", "IOError: connection reset"),
        (
            "Compiling 50%\\rSegmentation fault (core dumped)\\rcleanup\\n",
            "Segmentation fault (core dumped)",
        ),
    ],
)
def test_a_reason_redrawn_with_carriage_returns_is_one_state(
    run_logtrim: RunLogtrim, written: str, reason: str
) -> None:
    """Before, the reason ran every ``\\r`` state of the line together
    (``extract 10% extract 50% ERROR: ...``), on the console and in Octopus' summary."""
    child = py(f"import sys; sys.stdout.write('{written}'); sys.exit(2)")
    result = run_logtrim("--ci", "octopus", "--", *child)
    assert result.code == 2
    found = {m.name: m for m in messages(result.stdout)}
    assert found["resultMessage"].attrs["message"] == reason
    plain = run_logtrim("--ci", "plain", "--", *child)
    assert f"[logtrim] failed (exit 2): {reason}" in _lines(plain.stdout)


def test_an_error_redrawn_over_stays_on_the_console(run_logtrim: RunLogtrim) -> None:
    """``ERROR: checksum mismatch ...\\rcleanup done``: the console showed ``cleanup done``
    alone, and the failure reason then quoted an error no line above it showed. The state
    that tells the failure is kept before the last one; the archive has the line as written."""
    written = "ERROR: checksum mismatch for shop-api.tar.gz\\rcleanup done\\n"
    child = py(f"import sys; sys.stdout.write('{written}'); sys.exit(1)")
    r = run_logtrim("--ci", "plain", "--", *child)
    assert r.code == 1
    lines = _lines(r.stdout)
    assert "ERROR: checksum mismatch for shop-api.tar.gz ... cleanup done" in lines
    assert "[logtrim] failed (exit 1): ERROR: checksum mismatch for shop-api.tar.gz" in lines
    assert r.archive == b"ERROR: checksum mismatch for shop-api.tar.gz\rcleanup done\n"
