"""The descriptors above 2 a step was started with reach the child, as without logtrim
(``cmd 3>file``, an old make's jobserver pipes); logtrim's own never do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, zstd_dc

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX descriptors")


def _run(tmp_path: Path, script: str, *extra: str) -> subprocess.CompletedProcess[bytes]:
    """``logtrim run -- sh -c SCRIPT`` started by a shell with ``3>`` ``three.txt``."""
    inner = " ".join(
        [sys.executable, "-m", "logtrim", "run", "--ci", "plain", *extra,
         "--artifact", str(tmp_path / "a.zst"), "--", "sh", "-c", repr(script)]
    )  # fmt: skip
    return subprocess.run(
        ["sh", "-c", f"{inner} 3>{tmp_path / 'three.txt'}"], env=clean_env(),
        capture_output=True, timeout=60, check=False, cwd=tmp_path,
    )  # fmt: skip


def test_a_descriptor_the_step_was_given_reaches_the_child(tmp_path: Path) -> None:
    r = _run(tmp_path, "echo to-three >&3; echo on-stdout; exit 3")
    assert r.returncode == 3, r.stderr
    assert (tmp_path / "three.txt").read_bytes() == b"to-three\n"
    assert b"Bad file descriptor" not in r.stdout + r.stderr
    assert zstd_dc(tmp_path / "a.zst") == b"on-stdout\n"


def test_the_child_gets_no_descriptor_of_logtrim_s_own(tmp_path: Path) -> None:
    """Only 0-2 and the step's ``3``: not the archive's, the pipes', the event loop's."""
    r = _run(tmp_path, "ls /proc/self/fd || ls /dev/fd")
    assert r.returncode == 0, r.stderr
    fds = sorted(int(x) for x in zstd_dc(tmp_path / "a.zst").split())
    # (the listing's own descriptor is the one past 3)
    assert fds[:4] == [0, 1, 2, 3] and len(fds) == 5, fds
