"""``stats`` and ``diff`` print a log's lines: the secrets it declares to its CI are masked
there, as ``trim`` masks them (a report is shared as readily as a log)."""

from __future__ import annotations

import base64
import gzip
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env

from logtrim.engine.masking.forms import base64_forms

OCTOPUS = "Octopus-Secret-42"
GITHUB = "gh-Secret-123"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _log(lines: int = 50) -> bytes:
    head = (
        f"##octopus[setVariable name='{_b64('DbPassword')}' value='{_b64(OCTOPUS)}' "
        f"sensitive='{_b64('True')}']\n::add-mask::{GITHUB}\n"
    )
    body = "".join(f"login with {OCTOPUS} attempt {i} token {GITHUB}\n" for i in range(lines))
    return (head + body).encode()


def _logtrim(*args: str, stdin: bytes = b"") -> bytes:
    proc = subprocess.run(
        [sys.executable, "-m", "logtrim", *args],
        input=stdin, capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout + proc.stderr


def _no_secret(text: bytes) -> None:
    for secret in (OCTOPUS, GITHUB):
        raw = secret.encode()
        # Nor the part a template leaves of it (digits become <n>).
        assert raw.rstrip(b"0123456789") not in text, secret
        for form in base64_forms(raw):
            assert form not in text, form


@pytest.mark.parametrize("how", ["plain", "gz", "stdin"])
def test_stats_masks_what_the_log_declares(tmp_path: Path, how: str) -> None:
    data = _log()
    path = tmp_path / "task.log"
    path.write_bytes(data)
    if how == "gz":
        path = tmp_path / "task.log.gz"
        path.write_bytes(gzip.compress(data))
    args = ["-"] if how == "stdin" else [str(path)]
    for extra in ([], ["--json"]):
        out = _logtrim("stats", *extra, *args, stdin=data if how == "stdin" else b"")
        _no_secret(out)
    assert b'"login with ******** attempt <n> token ********"' in out


def test_stats_of_a_large_file_masks_lines_before_the_declaration(tmp_path: Path) -> None:
    """A file large enough to be counted on two cores, the secret used in its first half and
    declared at its end: a report reads all of it, so the secret is masked everywhere."""
    filler = b"".join(
        b"copying shard %d of the archive to the mirror\n" % i for i in range(300_000)
    )
    use = f"connect with password {OCTOPUS}\n".encode() * 200_000
    declare = f"##octopus[mask value='{_b64(OCTOPUS)}']\n".encode()
    path = tmp_path / "big.log"
    path.write_bytes(use + filler + declare)
    assert path.stat().st_size > 16 << 20
    out = _logtrim("stats", "--json", str(path))
    _no_secret(out)
    assert b'"connect with password ********"' in out


def test_diff_masks_what_the_bad_log_declares(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.log", tmp_path / "bad.log"
    good.write_bytes(b"deploying the web tier\n" * 3)
    bad.write_bytes(b"deploying the web tier\n" + _log(3))
    for extra in ([], ["--json"]):
        out = _logtrim("diff", *extra, str(good), str(bad))
        _no_secret(out)
        assert b"********" in out
