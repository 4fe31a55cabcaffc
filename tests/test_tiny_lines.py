"""A log of millions of blank lines: ``trim`` and ``run`` stay well under the 128 MiB of
docs/crash-safety.md and take seconds, with the same console and a whole archive.

Within the verbatim allowance (a megabyte at the default budget) each line was decided alone:
a million blank lines were a million emits and marks, 230 MB and 12 s for 4 MiB of newlines
(engine/flow/asis.py shows them a run at a time).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, zstd_dc

LIMIT_KB = 100 * 1024  # well under docs/crash-safety.md's 128 MiB; the per-line path took 230 MB
BUDGET = 20_000_000  # the default budget: its allowance is a megabyte of lines as written

# The child's peak RSS, read in a fresh small interpreter (a fork of pytest would count its pages).
_WRAPPER = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True)
sys.stderr.buffer.write(proc.stderr)
sys.stdout.buffer.write(proc.stdout)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, proc.returncode, file=sys.stderr)
"""


def _peak(*args: str, cwd: Path) -> tuple[bytes, int]:
    """(stdout, peak RSS in kB) of ``python -m logtrim ARGS``, which must succeed."""
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "logtrim", *args],
        capture_output=True, env=clean_env(), timeout=120, cwd=cwd, check=False,
    )  # fmt: skip
    *_, last = proc.stderr.decode().splitlines()
    kb, rc = map(int, last.split())
    assert rc == 0, proc.stderr
    return proc.stdout, kb


@pytest.mark.timeout(120)
@pytest.mark.parametrize("line", [b"\n", b"x\r\n"], ids=["blank", "crlf"])
@pytest.mark.parametrize("command", ["trim", "run"])
def test_millions_of_tiny_lines_stay_small(tmp_path: Path, command: str, line: bytes) -> None:
    count = (4 << 20) // len(line)
    log = tmp_path / "tiny.log"
    log.write_bytes(line * count)
    archive = tmp_path / "tiny.log.zst"
    if command == "trim":
        args = ["trim", "--artifact", str(archive), str(log)]
    else:
        args = ["run", "--artifact", str(archive), "--", "cat", str(log)]
    console, kb = _peak(*args, cwd=tmp_path)
    assert kb < LIMIT_KB, f"peak RSS {kb} kB"
    assert zstd_dc(archive) == line * count
    assert len(console) <= BUDGET
    shown = line.replace(b"\r\n", b"\n")
    # The allowance's lines as written, then the summary that counts them all.
    assert console.startswith(shown * 1000)
    assert console.count(shown) >= 900_000 // len(line)
    assert f"{count:,} lines".encode() in console
