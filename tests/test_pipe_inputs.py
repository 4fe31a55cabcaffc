"""Inputs that are pipes (``trim <(...)``, ``/dev/stdin``, a FIFO) are read once: every byte
reaches the archive and the console, and nothing waits for a writer that has left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env, decode_zstd

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")

LOG = b"".join(b"copied file %d of the release\n" % i for i in range(100_000)) + b"ERROR: boom\n"


def _logtrim(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable, "-m", "logtrim", *args]
    return subprocess.run(
        argv, input=stdin, env=clean_env(), capture_output=True, timeout=60, check=False
    )


def _fifo(tmp_path: Path, data: bytes) -> tuple[Path, subprocess.Popen[bytes]]:
    """A FIFO and the process writing ``data`` into it (then leaving)."""
    source, fifo = tmp_path / "source.log", tmp_path / "in.fifo"
    source.write_bytes(data)
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", 'cat "$0" > "$1"', str(source), str(fifo)])
    return fifo, writer


def test_trim_of_a_fifo_archives_every_byte(tmp_path: Path) -> None:
    fifo, writer = _fifo(tmp_path, LOG)
    art = tmp_path / "a.log.zst"
    result = _logtrim("trim", str(fifo), "--artifact", str(art), "-o", str(tmp_path / "out"))
    writer.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert decode_zstd(art.read_bytes()) == LOG
    assert b"ERROR: boom" in (tmp_path / "out").read_bytes()


def test_trim_of_dev_stdin_archives_every_byte(tmp_path: Path) -> None:
    art = tmp_path / "a.log.zst"
    result = _logtrim("trim", "/dev/stdin", "--artifact", str(art), "-o", os.devnull, stdin=LOG)
    assert result.returncode == 0, result.stderr
    assert decode_zstd(art.read_bytes()) == LOG


def test_a_small_fifo_is_read_once_and_does_not_wait(tmp_path: Path) -> None:
    """Its writer has left by the time the input is read: nothing waits for another."""
    fifo, writer = _fifo(tmp_path, b"ERROR x\nhello\n")
    result = _logtrim("trim", str(fifo))
    writer.wait(timeout=30)
    assert result.stdout.startswith(b"ERROR x\nhello\n")


def test_cat_of_a_fifo_gives_every_byte(tmp_path: Path) -> None:
    fifo, writer = _fifo(tmp_path, LOG)
    result = _logtrim("cat", str(fifo))
    writer.wait(timeout=30)
    assert result.returncode == 0
    assert result.stdout == LOG
