"""logtrim's own messages on stderr are masked too: a path or a name the user gives may hold
a declared secret (``--artifact "$DIR/$TOKEN.log.zst"``), and so may an error's text."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env

SECRET = "Sup3rSecretValue42"

# Output that does not compress: the archive outgrows a small file size limit early.
NOISE = "import os\nfor _ in range(3000): print(os.urandom(40).hex())\nprint('done')"


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE and SIGXFSZ as Linux has them")
def test_the_warning_that_the_archive_cannot_be_written_masks_its_path(tmp_path: Path) -> None:
    folder = tmp_path / SECRET
    folder.mkdir()

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "plain", "--mask", SECRET,
         "--artifact", str(folder / "x.log.zst"), "--", sys.executable, "-c", NOISE],
        env=clean_env(), capture_output=True, timeout=120, preexec_fn=small_files, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert b"archive cannot be written" in result.stderr
    assert f"{os.sep}********{os.sep}x.log.zst".encode() in result.stderr
    assert SECRET.encode() not in result.stdout + result.stderr


def test_an_error_in_a_setting_masks_the_path_it_names(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """A --baseline that does not exist is a usage error, said before the settings (and so
    the secrets) are all read: masked with the --mask values as given."""
    missing = tmp_path / SECRET / "good.log.zst"
    result = run_logtrim("--ci", "plain", "--mask", SECRET, "--baseline", str(missing),
                         "--", sys.executable, "-c", "print('ok')")  # fmt: skip
    assert result.code == 2, result.stderr
    assert f"{os.sep}********{os.sep}good.log.zst".encode() in result.stderr
    assert SECRET.encode() not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--mask", "Hunter2Secret", "--tail", "Hunter2Secret"],
        ["--mask=Hunter2Secret", "--Hunter2Secret"],
        ["--mask-env", "DEPLOY_TOKEN", "--level", "Hunter2Secret"],
        ["--mask", "Hunter2Secret", "--context", "Hunter2Secret"],
    ],
)
def test_a_mistake_on_the_command_line_is_told_with_its_secrets_masked(
    tmp_path: Path, args: list[str]
) -> None:
    """An option's value (or a mistyped option) that is a secret named on the same
    command line: the one-line error masks it (typer's own errors quoted it)."""
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", *args, "--", "true"],
        cwd=tmp_path, capture_output=True, check=False,
        env=clean_env({"DEPLOY_TOKEN": "Hunter2Secret"}),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count(b"\n") == 1
    assert b"Hunter2Secret" not in result.stderr
    assert b"********" in result.stderr
