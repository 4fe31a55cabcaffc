"""structlog apps: routed through stdlib logging into the handler, or natively."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from conftest import clean_env, zstd_dc
from octopus_decoder import messages

import logtrim


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def fail() -> None:
    raise ConnectionError("agent on web-03 did not answer within 30s")


def app(log: structlog.typing.FilteringBoundLogger) -> None:
    """What a deployment script logs: lots of detail, progress, a warning, an exception."""
    log.info("deploying release", version="1.4.2", hosts=8)
    for i in range(3_000):
        log.debug("copied file", path=f"/srv/app/lib/module_{i}.py", error_count=0)
        if i % 1_000 == 0:
            log.info(f"Deploying host [{i // 1_000 + 1}/3]")
    log.debug("error budget check: error rate 0.1")
    log.warning("certificate expires soon", days=9)
    try:
        fail()
    except ConnectionError:
        log.exception("health check aborted", host="web-03")


def check(path: Path, shown: str) -> list[str]:
    assert len(shown.encode()) < 20_000
    assert "certificate expires soon" in shown
    assert "health check aborted" in shown
    assert "Traceback (most recent call last):" in shown
    assert "in fail\n    raise ConnectionError(" in shown
    assert "ConnectionError: agent on web-03 did not answer within 30s" in shown
    assert "Deploying host [1/3]" in shown
    assert "error budget check" not in shown  # a debug event, whatever it says
    assert "module_1500.py" not in shown
    found = [m for m in messages(shown) if m.name == "createArtifact"]
    assert len(found) == 1
    assert found[0].attrs["path"] == str(path.resolve())
    assert int(found[0].attrs["length"]) == path.stat().st_size
    archive = zstd_dc(path).decode().splitlines()
    assert sum("copied file" in line for line in archive) == 3_000
    assert any("error budget check" in line for line in archive)
    return archive


def test_structlog_through_stdlib_logging(tmp_path: Path) -> None:
    """The documented recipe: structlog renders via ProcessorFormatter on the handler."""
    console = io.StringIO()
    path = tmp_path / "stdlib.log.zst"
    handler = logtrim.LogtrimHandler(path, budget="20kB", ci="octopus", stream=console)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processor=structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            ),
        )
    )
    std = logging.getLogger("structlog.stdlib.app")
    std.setLevel(logging.DEBUG)
    std.propagate = False
    std.addHandler(handler)
    structlog.configure(
        processors=[
            structlog.stdlib.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    try:
        app(structlog.get_logger("structlog.stdlib.app"))
    finally:
        std.removeHandler(handler)
        handler.close()
    check(path, console.getvalue())


def test_structlog_native(tmp_path: Path) -> None:
    """``configure_structlog`` sends structlog events straight into the engine."""
    console = io.StringIO()
    path = tmp_path / "native.log.zst"
    handler = logtrim.LogtrimHandler(path, budget="20kB", ci="octopus", stream=console)
    logtrim.configure_structlog(handler)
    try:
        app(structlog.get_logger())
    finally:
        handler.close()
    archive = check(path, console.getvalue())
    assert any("[debug" in line and "module_2999.py" in line for line in archive)


def test_structlog_native_json_and_level(tmp_path: Path) -> None:
    """Any renderer works (JSON lines here), and events below the level are not archived."""
    console = io.StringIO()
    path = tmp_path / "json.log.zst"
    handler = logtrim.LogtrimHandler(path, ci="plain", stream=console)
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=logtrim.LogtrimLoggerFactory(handler),
    )
    log = structlog.get_logger()
    log.debug("too detailed")
    log.info("started", step=1)
    log.error("rollback", reason="health check")
    handler.close()
    records = [json.loads(line) for line in zstd_dc(path).decode().splitlines()]
    assert records == [
        {"step": 1, "event": "started", "level": "info"},
        {"reason": "health check", "event": "rollback", "level": "error"},
    ]
    assert '"event": "rollback"' in console.getvalue()
    assert f"[logtrim] full log: {path.resolve()}" in console.getvalue()


def test_a_dict_tracebacks_record_is_said_by_its_message_and_exception(tmp_path: Path) -> None:
    """structlog's ``dict_tracebacks`` writes the exception chain as a list of objects: the
    failure reason was the whole JSON line, cut in the middle, frames and locals included."""
    console = io.StringIO()
    path = tmp_path / "json.log.zst"
    handler = logtrim.LogtrimHandler(path, ci="plain", stream=console)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.dict_tracebacks,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=logtrim.LogtrimLoggerFactory(handler),
    )
    log = structlog.get_logger()
    try:
        try:
            env: dict[str, str] = {}
            env["DB_HOST"]
        except KeyError as exc:
            raise RuntimeError("config incomplete") from exc
    except RuntimeError:
        log.exception("migration failed", step=3)
    handler.close(1)
    record = json.loads(zstd_dc(path))
    assert [s["exc_type"] for s in record["exception"]] == ["RuntimeError", "KeyError"]
    reason = "[logtrim] failed (exit 1): migration failed: RuntimeError: config incomplete\n"
    assert reason in console.getvalue()


def test_the_submodule_is_there_after_a_plain_import() -> None:
    """The docs write ``logtrim.structlog.LearnDeclarations(handler)`` after ``import
    logtrim``: in a fresh interpreter that is an attribute, not an ``AttributeError``."""
    code = "import logtrim; print(logtrim.structlog.LearnDeclarations.__name__)"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=clean_env(), capture_output=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert proc.stdout == b"LearnDeclarations\n", proc.stderr
