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

import pytest
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
h = logtrim.LogtrimHandler("app.log.zst", budget="{budget}", ci="github", force=True)
logging.basicConfig(level=logging.DEBUG, handlers=[h])  # its format: LEVEL:name:message
log = logging.getLogger("app")
log.info("::add-mask::%s", "ghp_Prefixed1234567890")
log.info("token now %s", "ghp_Prefixed1234567890")
log.error("deploy failed with ghp_Prefixed1234567890")
logging.shutdown()
"""


def _app(tmp_path: Path, code: str) -> subprocess.CompletedProcess[bytes]:
    """``code`` run as the app ``app.py`` in ``tmp_path`` (its archive: ``app.log.zst``)."""
    (tmp_path / "app.py").write_text(code)
    return subprocess.run(
        [sys.executable, "app.py"], cwd=tmp_path, env=clean_env(), capture_output=True,
        timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("budget", ["5MB", "4kB"])
def test_a_declaration_a_formatter_prefixed_is_still_learned(tmp_path: Path, budget: str) -> None:
    """``INFO:app:::add-mask::ghp_...``: no command to the runner (not at its line's start),
    but the app declared the value: it was shown in clear in every later record, the archive
    and the failure annotation. Under 32 kB too, where a small run is shown whole by a second
    engine, which learned it not."""
    proc = _app(tmp_path, PREFIXED.replace("{budget}", budget))
    assert proc.returncode == 0, proc.stderr
    assert b"ghp_Prefixed" not in proc.stdout + proc.stderr
    assert b"INFO:app:token now ********" in proc.stdout.splitlines()
    assert b"ghp_Prefixed" not in zstd_dc(tmp_path / "app.log.zst")


_STRUCTLOG_NATIVE = """
import structlog, logtrim
h = logtrim.LogtrimHandler("app.log.zst", budget="{budget}", ci="github", force=True)
logtrim.configure_structlog(h)
log = structlog.get_logger()
log.info("::add-mask::StructSecret8842")
log.info("using token", token="StructSecret8842")
h.close(0)
"""
_STRUCTLOG_STDLIB = """
import logging, structlog, logtrim
structlog.configure(
    processors=[structlog.stdlib.add_log_level,
                structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
    logger_factory=structlog.stdlib.LoggerFactory(), wrapper_class=structlog.stdlib.BoundLogger,
)
h = logtrim.LogtrimHandler("app.log.zst", budget="{budget}", ci="github", force=True)
h.setFormatter(structlog.stdlib.ProcessorFormatter(processors=[
    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
    structlog.dev.ConsoleRenderer(colors=False),
]))
logging.basicConfig(level=logging.DEBUG, handlers=[h])
log = structlog.get_logger("deploy")
log.info("::add-mask::StructSecret8842")
log.info("using token", token="StructSecret8842")
logging.shutdown()
"""
# A formatter of the app's own that sets no ``record.message``.
_OWN_FORMATTER = """
import logging, logtrim
class Stamped(logging.Formatter):
    def format(self, record):
        return "12:00:00 " + record.getMessage()
h = logtrim.LogtrimHandler("app.log.zst", budget="{budget}", ci="github", force=True)
h.setFormatter(Stamped())
logging.basicConfig(level=logging.DEBUG, handlers=[h])
logging.info("::add-mask::StructSecret8842")
logging.info("using token StructSecret8842")
logging.shutdown()
"""

# structlog through stdlib with an ``EventRenamer`` or a ``PositionalArgumentsFormatter``.
_STRUCTLOG_RENAMED = _STRUCTLOG_STDLIB.replace(
    "processors=[structlog.stdlib.add_log_level,",
    "processors=[structlog.stdlib.add_log_level, structlog.processors.EventRenamer('message'),",
).replace("structlog.dev.ConsoleRenderer(colors=False)", "structlog.processors.JSONRenderer()")
_STRUCTLOG_POSITIONAL = _STRUCTLOG_STDLIB.replace(
    "structlog.stdlib.ProcessorFormatter.remove_processors_meta,",
    "structlog.stdlib.ProcessorFormatter.remove_processors_meta,\n"
    "    structlog.stdlib.PositionalArgumentsFormatter(),",
).replace(
    'log.info("::add-mask::StructSecret8842")', 'log.info("::add-mask::%s", "StructSecret8842")'
)
# A formatter that writes text after the message.
_SUFFIX = _OWN_FORMATTER.replace(
    '"12:00:00 " + record.getMessage()', 'record.getMessage() + f"  (app.py:{record.lineno})"'
)


@pytest.mark.parametrize("budget", ["5MB", "4kB"])
@pytest.mark.parametrize(
    "app",
    [_STRUCTLOG_NATIVE, _STRUCTLOG_STDLIB, _OWN_FORMATTER, _STRUCTLOG_RENAMED,
     _STRUCTLOG_POSITIONAL, _SUFFIX],
)  # fmt: skip
def test_a_declaration_a_renderer_prefixed_is_learned(
    tmp_path: Path, app: str, budget: str
) -> None:
    """structlog's renderers put a time stamp and a level before the event, and an app's own
    formatter may set no ``record.message``: the value was in clear on the console and in the
    archive."""
    proc = _app(tmp_path, app.replace("{budget}", budget))
    assert proc.returncode == 0, proc.stderr
    assert b"using token" in proc.stdout
    # (a declaration at its line's start passes as written: the runner learns the value)
    said = [x for x in (proc.stdout + proc.stderr).splitlines() if b"StructSecret8842" in x]
    assert all(x.startswith(b"::add-mask::") for x in said), said
    assert b"StructSecret8842" not in zstd_dc(tmp_path / "app.log.zst")
