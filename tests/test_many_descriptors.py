"""A step that inherits many open files (a build agent's long-lived process, a test harness):
logtrim's own pipes are then numbered past 1023, where ``select.select`` cannot go."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, zstd_dc

# Opens 1,100 inheritable descriptors, then becomes the command in its arguments.
_MANY = (
    "import os, sys\n"
    "for _ in range(1100):\n"
    "    os.set_inheritable(os.open(os.devnull, os.O_RDONLY), True)\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


@pytest.mark.skipif(sys.platform == "win32", reason="descriptors inherited as POSIX does")
def test_the_archive_is_written_with_descriptors_past_1023(tmp_path: Path) -> None:
    import resource

    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 1300:
        pytest.skip("ulimit -n below 1,300")
    archive = tmp_path / "step.log.zst"
    child = "seq 1 3000; echo 'ERROR: upload failed' >&2"
    result = subprocess.run(
        [sys.executable, "-c", _MANY, sys.executable, "-m", "logtrim", "run", "--ci", "plain",
         "--artifact", str(archive), "--", "sh", "-c", child],
        env=clean_env(), capture_output=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert b"warning" not in result.stderr, result.stderr
    expected = "".join(f"{n}\n" for n in range(1, 3001)).encode() + b"ERROR: upload failed\n"
    assert zstd_dc(archive) == expected
    assert f"archive: {archive}".encode() in result.stdout
