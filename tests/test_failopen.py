"""logtrim never causes a failure: when its engine breaks, output goes through unfiltered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, zstd_dc
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


def test_engine_failure_forwards_everything_and_keeps_the_exit_code(tmp_path: Path) -> None:
    """An internal error mid-run: one warning, every later byte on the console, child's code."""
    result = _run(tmp_path, {"LOGTRIM_FAULT_AFTER": "100"})
    assert result.returncode == 5
    assert result.stderr.count(b"internal error") == 1
    # Everything from the failure on is on the console, unfiltered and whole.
    for i in range(200, 400):
        assert f"line {i}\n".encode() in result.stdout
    assert b"ERROR: boom" in result.stderr
    assert b"no newline at the end\n" in result.stdout


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


def test_unwritable_archive_forwards_everything(tmp_path: Path) -> None:
    """An archive path that cannot be created: a warning, the whole output, the child's code."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--artifact", str(blocker / "a.zst"), "--",
         sys.executable, "-c", CHILD],
        env=clean_env(), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 5
    assert b"archive cannot be written" in result.stderr
    for i in range(400):
        assert f"line {i}\n".encode() in result.stdout
    assert b"createArtifact" not in result.stdout


def test_internal_error_before_the_start_still_runs_the_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A bug while preparing the run: one warning, the step runs as is, its exit code stays."""
    import logtrim.cli.app as _cli

    def broken(_given: object) -> None:
        raise RuntimeError("a bug in logtrim")

    monkeypatch.setattr(_cli, "_prepare", broken)
    marker = tmp_path / "ran"
    step = f"open({str(marker)!r}, 'w').close(); print('step output'); raise SystemExit(6)"
    code = _cli.main(["run", "--", sys.executable, "-c", step])
    out, err = capfd.readouterr()
    assert code == 6
    assert marker.exists()
    assert "step output" in out
    assert "internal error; running the command unfiltered" in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_disk_full_fails_open_with_the_reason() -> None:
    """A full disk (/dev/full): one warning naming it, every later line on the console."""
    child = (
        "import time\n"
        "for i in range(3): print('early', i, flush=True); time.sleep(0.2)\n"
        "print('x' * 200000, flush=True); time.sleep(0.2)\n"
        "for i in range(50): print('late', i)\n"
        "raise SystemExit(7)\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--artifact", "/dev/full", "--",
         sys.executable, "-c", child],
        env=clean_env(), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 7
    assert b"No space left on device" in result.stderr
    assert result.stderr.count(b"archive cannot be written") == 1
    for i in range(50):
        assert f"late {i}\n".encode() in result.stdout
