"""A record the handler cannot format is told on stderr as logging tells it, but masked.

``logging.info("with %s to %s", password)`` (an argument missing) or an argument whose
``__str__`` raises: logging's own ``handleError`` prints the record's arguments, a secret
among them, in clear. The handler's says the same (the error, the message, the arguments)
with every secret masked, and nothing while ``logging.raiseExceptions`` is off.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import clean_env, zstd_dc

SECRET = "HandlerSecret-42"
APP = f"""
import logging, sys
import logtrim
logging.raiseExceptions = sys.argv[1] == "raise"
handler = logtrim.LogtrimHandler("app.log.zst", masks=["{SECRET}"], ci="plain")
logging.basicConfig(level=logging.DEBUG, handlers=[handler])
password = "{SECRET}"

class Bad:
    def __str__(self):
        raise ValueError("cannot show " + password)

logging.info("connecting with %s to %s", password)
logging.info("value %s", Bad())
logging.info("still logging")
logging.shutdown()
"""


def run_app(tmp_path: Path, mode: str) -> subprocess.CompletedProcess[bytes]:
    (tmp_path / "app.py").write_text(APP)
    return subprocess.run(
        [sys.executable, "app.py", mode],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_format_error_is_told_masked(tmp_path: Path) -> None:
    proc = run_app(tmp_path, "raise")
    assert proc.returncode == 0
    assert SECRET.encode() not in proc.stdout + proc.stderr
    assert SECRET.encode() not in zstd_dc(tmp_path / "app.log.zst")
    err = proc.stderr.decode()
    assert err.count("--- Logging error ---") == 2
    assert "TypeError: not enough arguments for format string" in err
    assert "Message: 'connecting with %s to %s'" in err
    assert "Arguments: ('********',)" in err
    assert "ValueError: cannot show ********" in err
    assert b"still logging" in proc.stdout  # the handler goes on


def test_format_error_silent_without_raise_exceptions(tmp_path: Path) -> None:
    proc = run_app(tmp_path, "quiet")
    assert proc.returncode == 0
    assert b"Logging error" not in proc.stderr
    assert SECRET.encode() not in proc.stdout + proc.stderr
    assert b"still logging" in proc.stdout
