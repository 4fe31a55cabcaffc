"""A script without ``#!`` runs as POSIX ``execvp`` (``env``, a shell) runs it: through
``/bin/sh``; an empty command name is not found (127), as a shell says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import RunLogtrim

from logtrim.run.unfiltered import run_masked

SCRIPT = b'echo "deploying $# $1"\necho "token=$SECRET_X" >&2\nexit 5\n'


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "bin" / "deploy.sh"
    path.parent.mkdir()
    path.write_bytes(SCRIPT)
    path.chmod(0o755)
    return path


def test_a_script_without_shebang_runs_with_its_arguments_and_exit_code(
    run_logtrim: RunLogtrim, script: Path
) -> None:
    env = {"SECRET_X": "hunter2-value"}
    result = run_logtrim("--mask-env", "SECRET_X", "--", str(script), "prod", "x", env=env)
    assert result.code == 5, result.stderr
    # (two pipes keep no order between them: the script's two writes may come either way)
    assert sorted(result.archive.splitlines()) == [b"deploying 2 prod", b"token=********"]
    assert result.archive.endswith(b"\n")
    assert b"deploying 2 prod" in result.stdout and b"Exec format error" not in result.stderr


def test_a_script_without_shebang_is_found_on_path(run_logtrim: RunLogtrim, script: Path) -> None:
    env = {"PATH": f"{script.parent}{os.pathsep}{os.environ['PATH']}"}
    result = run_logtrim("--", "deploy.sh", "eu", env=env)
    assert result.code == 5, result.stderr
    assert result.archive.startswith(b"deploying 1 eu\n")


def test_the_last_resort_runs_it_too(script: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Run unfiltered (after an internal error before the step): the same start."""
    assert run_masked([str(script), "a"], [], 10_000, "plain", (3.0, 10.0)) == 5
    assert "deploying 1 a" in capfd.readouterr().out


def test_an_empty_command_is_not_found(run_logtrim: RunLogtrim) -> None:
    result = run_logtrim("--", "")
    assert result.code == 127
    assert (
        result.stderr == b"logtrim: error: command not found: '' (the command is an empty string)\n"
    )
    assert not (result.artifact and result.artifact.exists())


def test_a_script_here_named_without_its_path_is_not_found_with_a_hint(
    run_logtrim: RunLogtrim, script: Path
) -> None:
    """As a shell, a name without ``/`` is looked up on PATH only; the error says that the
    file is here and how to run it."""
    result = run_logtrim("--", "deploy.sh", cwd=script.parent)
    assert result.code == 127
    assert result.stderr == (
        b"logtrim: error: command not found: deploy.sh "
        b"(a file of that name is here: ./deploy.sh runs it)\n"
    )


def test_a_command_line_in_one_word_is_not_found_with_a_hint(run_logtrim: RunLogtrim) -> None:
    result = run_logtrim("--", "echo hello world")
    assert result.code == 127
    assert result.stderr == (
        b"logtrim: error: command not found: echo hello world "
        b"(a command and its arguments in one word: give them as separate words)\n"
    )


def test_an_empty_artifact_name_says_so(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    result = run_logtrim("--artifact", "", "--", "true")
    assert result.code == 2
    assert (
        result.stderr
        == b"logtrim: error: --artifact: empty, or a directory: name the archive's file\n"
    )


def test_a_hint_for_a_script_here_says_when_it_is_not_executable_and_quotes_its_name(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    (tmp_path / "plain.sh").write_bytes(SCRIPT)  # no execute bit
    script = tmp_path / "my deploy.sh"
    script.write_bytes(SCRIPT)
    script.chmod(0o755)
    result = run_logtrim("--", "plain.sh", cwd=tmp_path)
    assert result.code == 127
    assert b"(a file of that name is here, not executable: chmod +x ./plain.sh first)" in (
        result.stderr
    )
    result = run_logtrim("--", "my deploy.sh", cwd=tmp_path)
    assert b"(a file of that name is here: './my deploy.sh' runs it)\n" in result.stderr
    result = run_logtrim("--", "plain.sh prod", cwd=tmp_path)
    assert b"(a command and its arguments in one word: give them as separate words)" in (
        result.stderr
    )
    # logtrim's option given after ``--``: the command's first word
    result = run_logtrim("--", "--budget", "8kB", "./plain.sh", cwd=tmp_path)
    assert result.code == 127
    assert b"command not found: --budget (an option after '--' is the command's: logtrim's " in (
        result.stderr
    )


def test_no_hint_names_a_file_here_that_a_shell_could_not_take_as_printed(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    name = "new\nline.sh"
    (tmp_path / name).write_bytes(SCRIPT)
    result = run_logtrim("--", name, cwd=tmp_path)
    assert result.code == 127
    assert b"a file of that name is here" not in result.stderr
