"""A ``--keep``, ``--drop`` or ``--grep`` pattern that holds a byte past UTF-8 (a Latin-1
``é`` typed in a shell that speaks it): Python gives it as a surrogate, which ``encode()``
refused. ``run`` warned of an internal error and ran the step with no filter and no archive;
``trim`` and ``cat`` exited 1 with "internal error". The byte is matched as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import clean_env

LOG = b"deploy started\nr\xe9sum\xe9 written\ndone\n"


def _logtrim(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    given = [a if isinstance(a, bytes) else a.encode() for a in args]
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"logtrim", *given],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip


def test_a_byte_past_utf8_in_a_pattern_is_matched(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_bytes(LOG)
    dropped = _logtrim("trim", str(log), "--drop", b"r\xe9sum")
    assert dropped.returncode == 0, dropped.stderr
    assert dropped.stdout.startswith(b"deploy started\ndone\n")
    grepped = _logtrim("cat", str(log), "--grep", b"\xe9 w")
    assert (grepped.returncode, grepped.stdout) == (0, b"r\xe9sum\xe9 written\n")
    archive = tmp_path / "a.zst"
    run = _logtrim(
        "run", "--keep", b"\xe9sum", "--artifact", str(archive), "--",
        sys.executable, "-c", f"import sys; sys.stdout.buffer.write({LOG!r}); sys.exit(9)",
    )  # fmt: skip
    assert run.returncode == 9
    assert b"internal error" not in run.stderr and archive.exists()
    assert b"r\xe9sum\xe9 written\n" in run.stdout
