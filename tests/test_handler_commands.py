"""A CI command on a later line of a multi-line record reaches the CI as ``logtrim run`` sends it.

The server reads the handler's output line by line: ``log.info("two lines\\n::add-mask::X")``
declares ``X`` to GitHub's runner as the same line printed by a child of ``logtrim run`` does.
That line must pass verbatim (masked, the runner would learn ``********`` and show ``X``
wherever the log is read without logtrim); later uses of the value are masked. A real app in
a child process, a real archive.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import clean_env, zstd_dc

APP = """
import logging, logtrim
h = logtrim.LogtrimHandler("app.log.zst", budget="5MB", ci="github", force=True)
h.setFormatter(logging.Formatter("%(message)s"))
logging.basicConfig(level=logging.DEBUG, handlers=[h])
log = logging.getLogger("app")
log.info("::add-mask::GhDeclared11")
log.info("two lines\\n::add-mask::GhDeclared22")
log.warning("three\\nlines\\n  ::add-mask::Indented44")
log.info("use GhDeclared11 GhDeclared22 Indented44")
logging.shutdown()
"""


def test_a_declaration_on_a_later_line_of_a_record_passes_as_written(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    proc = subprocess.run(
        [sys.executable, "app.py"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert b"::add-mask::GhDeclared11" in lines
    assert b"::add-mask::GhDeclared22" in lines
    assert b"  ::add-mask::Indented44" in lines  # the runner trims the spaces before it
    assert b"use ******** ******** ********" in lines
    archive = zstd_dc(tmp_path / "app.log.zst")
    for secret in (b"GhDeclared11", b"GhDeclared22", b"Indented44"):
        assert secret not in archive


PREFIXED = """
import logging, logtrim
h = logtrim.LogtrimHandler("app.log.zst", budget="5MB", ci="github", force=True)
logging.basicConfig(level=logging.DEBUG, handlers=[h])  # its format: LEVEL:name:message
log = logging.getLogger("app")
log.info("::add-mask::%s", "ghp_Prefixed1234567890")
log.info("token now %s", "ghp_Prefixed1234567890")
log.error("deploy failed with ghp_Prefixed1234567890")
logging.shutdown()
"""


def test_a_declaration_a_formatter_prefixed_is_still_learned(tmp_path: Path) -> None:
    """``INFO:app:::add-mask::ghp_...``: no command to the runner (not at its line's start),
    but the app declared the value: it was shown in clear in every later record, the archive
    and the failure annotation."""
    (tmp_path / "app.py").write_text(PREFIXED)
    proc = subprocess.run(
        [sys.executable, "app.py"], cwd=tmp_path, env=clean_env(), capture_output=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert b"ghp_Prefixed" not in proc.stdout + proc.stderr
    assert b"INFO:app:token now ********" in proc.stdout.splitlines()
    assert b"ghp_Prefixed" not in zstd_dc(tmp_path / "app.log.zst")
