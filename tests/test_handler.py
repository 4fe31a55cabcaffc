"""``logtrim.LogtrimHandler`` and ``logtrim.capture``: logtrim inside a Python app."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, clean_env, decode_zstd, zstd_dc
from octopus_decoder import encode, messages

import logtrim
from logtrim.archive.zstd import ReadResult, read_archive

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def attach(
    log: logging.Logger, path: Path, **kw: object
) -> tuple[logtrim.LogtrimHandler, io.StringIO]:
    console = io.StringIO()
    kw.setdefault("ci", "octopus")
    handler = logtrim.LogtrimHandler(path, stream=console, **kw)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter(FORMAT))
    log.addHandler(handler)
    return handler, console


def boom() -> None:
    raise RuntimeError("database migration 42 failed: relation 'users' is locked")


@pytest.mark.slow
def test_acceptance_200k_debug_records(log: logging.Logger, tmp_path: Path) -> None:
    """A noisy app shows a console under budget with the warning and the whole traceback,
    while the archive keeps every debug line and Octopus is told about it at shutdown."""
    path = tmp_path / "deploy.log.zst"
    handler, console = attach(log, path, budget=300_000)
    for i in range(200_000):
        if i % 50_000 == 0:
            log.info("Deploying package [%d/4]", i // 50_000 + 1)
        log.debug("copied /srv/app/lib/module_%d.py (%d bytes)", i, i * 7)
    log.warning("disk /var is 91%s full", "%")
    try:
        boom()
    except RuntimeError:
        log.exception("migration step aborted")
    log.debug("cleanup done")
    handler.close()

    shown = console.getvalue()
    assert len(shown.encode()) < 300_000
    assert "disk /var is 91% full" in shown
    assert "migration step aborted" in shown
    assert "Traceback (most recent call last):" in shown
    assert 'raise RuntimeError("database migration 42 failed' in shown
    assert "RuntimeError: database migration 42 failed: relation 'users' is locked" in shown
    assert "Deploying package [1/4]" in shown

    archive = zstd_dc(path).decode()
    assert sum(" DEBUG " in line for line in archive.splitlines()) == 200_001
    assert "module_0.py" in archive and "module_199999.py (1399993 bytes)" in archive
    assert 'in boom\n    raise RuntimeError("database migration 42' in archive

    artifacts = [m for m in messages(shown) if m.name == "createArtifact"]
    assert len(artifacts) == 1
    assert artifacts[0].attrs["path"] == str(path.resolve())
    assert artifacts[0].attrs["name"] == "deploy.log.zst"
    assert int(artifacts[0].attrs["length"]) == path.stat().st_size
    assert shown.rstrip("\n").splitlines()[-1].startswith("##octopus[createArtifact")


def test_level_outranks_keywords(log: logging.Logger, tmp_path: Path) -> None:
    """A debug line that says 'error' stays hidden; an error record is shown whatever it says."""
    handler, console = attach(log, tmp_path / "a.log.zst", head=0)
    log.debug("retrying: error 503 from upstream, failed attempt 1")
    for i in range(10):
        log.debug("waiting %d", i)  # more than the context shown before an error
    log.error("all replicas are healthy")
    log.info("upload 45% done")
    handler.close()
    shown = console.getvalue()
    assert "error 503" not in shown
    assert "all replicas are healthy" in shown
    assert "upload 45% done" in shown
    assert "error 503" in decode_zstd((tmp_path / "a.log.zst").read_bytes()).decode()


def test_debug_records_at_the_start_stay_in_the_archive(
    log: logging.Logger, tmp_path: Path
) -> None:
    """DEBUG goes to the archive only, also among an app's first records (the head a run
    shows for orientation is what the child printed, not what its logger calls detail)."""
    handler, console = attach(log, tmp_path / "a.log.zst")
    log.info("Deploying shop-api 4.12.0 to Production")
    for i in range(5):
        log.debug("copy file %d", i)
    log.warning("certificate expires in 21 days")
    handler.close()
    shown = console.getvalue()
    assert "copy file" not in shown
    assert "repeated" not in shown
    assert "Deploying shop-api" in shown and "certificate expires" in shown
    assert "detail 0/5" in shown
    assert "copy file 4" in decode_zstd((tmp_path / "a.log.zst").read_bytes()).decode()


def test_octopus_secret_declared_in_a_record_is_masked(log: logging.Logger, tmp_path: Path) -> None:
    """A sensitive variable the app declares is masked in later records, archive included."""
    path = tmp_path / "s.log.zst"
    handler, console = attach(log, path)
    secret = "hunter2-db-password"
    log.info(encode("setVariable", name="DbPassword", value=secret, sensitive="True"))
    log.debug("connecting with password %s", secret)
    log.info("calling deploy::run now")  # "::" is not a GitHub command here
    log.error("login failed for %s", secret)
    handler.close()
    assert secret not in zstd_dc(path).decode().split("setVariable", 1)[1].split("\n", 1)[1]
    assert "login failed for ********" in console.getvalue()
    assert handler.core.tally.seen_lines[logtrim.Kind.ERROR] == 1


def test_close_twice_publishes_once(log: logging.Logger, tmp_path: Path) -> None:
    """Closing the handler again (e.g. by logging.shutdown) does not publish twice."""
    handler, console = attach(log, tmp_path / "a.log.zst")
    log.info("hello")
    handler.close()
    handler.close()
    log.info("after close")  # must not raise
    assert [m.name for m in messages(console.getvalue())] == ["createArtifact"]


def test_eight_threads(log: logging.Logger, tmp_path: Path) -> None:
    """Records from 8 threads all reach the archive once each, whole lines, none mixed."""
    path = tmp_path / "threads.log.zst"
    handler, _ = attach(log, path)
    handler.setFormatter(logging.Formatter("%(message)s"))

    def work(n: int) -> None:
        for i in range(5_000):
            log.log(
                logging.DEBUG if i % 100 else logging.INFO, "t%d r%d %s end", n, i, "x" * (i % 37)
            )

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    handler.close()
    lines = zstd_dc(path).decode().splitlines()
    expected = {f"t{n} r{i} {'x' * (i % 37)} end" for n in range(8) for i in range(5_000)}
    assert len(lines) == len(expected) == 40_000
    assert set(lines) == expected


def test_engine_error_fails_open(
    log: logging.Logger,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """If logtrim itself breaks, the app keeps running and its records reach the console."""
    handler, console = attach(log, tmp_path / "a.log.zst")

    def broken(*args: object) -> object:
        raise ValueError("engine bug")

    monkeypatch.setattr(handler.core, "feed_line", broken)
    log.warning("first record")
    log.debug("second record")
    handler.close()
    assert "first record" in console.getvalue()
    assert "second record" in console.getvalue()
    err = capsys.readouterr().err
    assert err.count("forwarding all records unfiltered") == 1
    # One line naming the exception, as ``run`` says it; the traceback only with -v.
    assert "internal error (ValueError: engine bug); forwarding all records unfiltered" in err
    assert "Traceback" not in err
    archive = decode_zstd((tmp_path / "a.log.zst").read_bytes()).decode()
    assert "first record" in archive and "second record" in archive


def test_an_archive_that_cannot_be_created_is_refused_at_once(
    log: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    """An archive that cannot be created (a directory that cannot take files, even root's:
    /proc): refused when the handler is made, as ``logging.FileHandler`` and ``run
    --artifact`` refuse it, before it takes a record; not an app that runs without one."""
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc")
    with pytest.raises(FileNotFoundError, match=r"cannot create /proc/logtrim-test\.log\.zst"):
        attach(log, Path("/proc/logtrim-test.log.zst"), budget="8kB")
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_an_archive_there_that_cannot_be_written_is_refused_at_once(
    log: logging.Logger,
) -> None:
    """An earlier run's archive this process may not write (another account's): refused
    when the handler is made, as ``run --artifact`` refuses it; not a run that ends with no
    archive of its own and the earlier one's file where a person looks for it."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)  # (others may look in it: the account below too)
        path = Path(folder, "earlier.log.zst")
        handler, _ = attach(log, path, ci="plain")
        log.warning("the earlier run")
        handler.close()
        log.removeHandler(handler)
        before = path.read_bytes()
        path.chmod(0o444)
        as_root = os.geteuid() == 0
        if as_root:
            os.seteuid(65534)  # another account, to whom the file is read-only
        try:
            with pytest.raises(PermissionError, match=r"cannot write .*earlier\.log\.zst"):
                attach(log, path, ci="plain")
        finally:
            if as_root:
                os.seteuid(0)
        assert path.read_bytes() == before


def test_records_after_an_engine_error_stay_under_the_budget(
    log: logging.Logger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an internal error the records go out unfiltered, under a head and a tail of the
    budget left (``run``'s fail-open rule), the archive still taking every one; and records
    logged after ``close()`` (a teardown) take at most the closing reserve."""
    path = tmp_path / "a.log.zst"
    handler, console = attach(log, path, budget="8kB")

    def broken(*args: object) -> object:
        raise ValueError("engine bug")

    monkeypatch.setattr(handler.core, "feed_line", broken)
    for i in range(20_000):
        log.info("copy file %d to /srv/app", i)
    handler.close()
    shown = console.getvalue()
    assert len(shown.encode()) <= 8_000
    assert "copy file 0 to" in shown and "copy file 19999 to" in shown
    archive = decode_zstd(path.read_bytes()).decode()
    assert archive.count("copy file") == 20_000
    before = len(console.getvalue())
    for i in range(5_000):
        log.error("teardown %d", i)
    assert len(console.getvalue()) - before <= handler.core.budget.closing
    assert "teardown 0\n" in console.getvalue()[before:]


@pytest.mark.parametrize("fmt", ["%(levelname)s:%(name)s:%(message)s", "%(message)s  (%(lineno)d)"])
def test_after_an_engine_error_a_prefixed_declaration_is_still_learned(
    log: logging.Logger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Failed open, the handler learned no declaration from a record's message: one a
    prefix (or a suffix) kept off its line's start, or its own, was in clear in the later
    records on the console and in the archive."""
    path = tmp_path / "a.log.zst"
    handler, console = attach(log, path, budget="8kB", ci="github")
    handler.setFormatter(logging.Formatter(fmt))

    def broken(*args: object) -> object:
        raise ValueError("engine bug")

    monkeypatch.setattr(handler.core, "feed_line", broken)
    log.info("deploying")
    log.info("::add-mask::%s", "HandlerSecret7731")
    log.info("rollback uses %s", "HandlerSecret7731")
    handler.close()
    assert "rollback uses ********" in console.getvalue()
    # (a declaration at its line's start passes as written: the runner learns the value)
    said = [x for x in console.getvalue().splitlines() if "HandlerSecret7731" in x]
    assert all(x.startswith("::add-mask::") for x in said), said
    assert b"HandlerSecret7731" not in decode_zstd(path.read_bytes())


def test_capture_failure_shows_tail(tmp_path: Path) -> None:
    """An exception escaping ``capture`` is re-raised, logged whole and fails the CI step."""
    console = io.StringIO()
    path = tmp_path / "c.log.zst"
    with pytest.raises(KeyError):  # noqa: SIM117 (the block under test is the inner one)
        with logtrim.capture(
            path, logger="capture.test", stream=console, ci="octopus", head=0, context=11
        ):
            child = logging.getLogger("capture.test.child")
            child.debug("loaded inventory of 12 hosts")
            for i in range(10):
                child.debug("host %d reachable", i)
            raise KeyError("web-07")
    assert not logging.getLogger("capture.test").handlers
    shown = console.getvalue()
    # Before the error, in order (the tail shows only lines newer than those shown).
    assert shown.index("loaded inventory of 12 hosts") < shown.index("KeyError")
    assert "KeyError: 'web-07'" in shown
    # The traceback starts at the app's frame: logtrim's own ``yield`` is no part of it.
    assert "capture.py" not in shown and "yield handler" not in shown
    assert 'raise KeyError("web-07")' in shown
    found = {m.name: m.attrs for m in messages(shown)}
    assert found["resultMessage"]["message"] == "KeyError: 'web-07'"
    assert int(found["createArtifact"]["length"]) == path.stat().st_size


def test_capture_success(tmp_path: Path) -> None:
    """A clean ``capture`` block ends with the summary and the artifact, no failure tail."""
    console = io.StringIO()
    with logtrim.capture(tmp_path / "ok.log.zst", logger="capture.ok", stream=console) as h:
        assert isinstance(h, logtrim.LogtrimHandler)
        logging.getLogger("capture.ok").info("deployed")
    assert "deployed" in console.getvalue()
    assert "last " not in console.getvalue()
    assert "deployed" in decode_zstd((tmp_path / "ok.log.zst").read_bytes()).decode()


def test_capture_in_a_generator_closed_early_is_no_failure(tmp_path: Path) -> None:
    """A generator whose rows are made in a ``capture`` block, left with ``break``: Python
    closes it with ``GeneratorExit``, its normal end. It was a failed run (``failed (exit
    1): GeneratorExit``, with a traceback), though the program went on and exited 0."""
    console = io.StringIO()
    path = tmp_path / "export.log.zst"

    def rows() -> Iterator[int]:
        with logtrim.capture(path, logger="capture.rows", stream=console, ci="octopus"):
            for i in range(100):
                logging.getLogger("capture.rows").info("exporting row %d", i)
                yield i

    for row in rows():
        if row == 3:
            break
    shown = console.getvalue()
    assert "exporting row 3" in shown and "exporting row 4" not in shown
    assert "failed" not in shown and "GeneratorExit" not in shown
    assert "resultMessage" not in shown and "##octopus[createArtifact" in shown
    assert "exporting row 3" in decode_zstd(path.read_bytes()).decode()


CHILD = """
import logging, sys, time
import logtrim
handler = logtrim.LogtrimHandler(sys.argv[1], budget="100kB", ci="octopus")
logging.basicConfig(level=logging.DEBUG, handlers=[handler])
log = logging.getLogger("child")
for i in range(int(sys.argv[2])):
    log.debug("record %d", i)
log.warning("records done")
if sys.argv[3] == "wait":
    print("ready", file=sys.stderr, flush=True)
    time.sleep(60)
elif sys.argv[3] == "busy":
    i = 0
    while True:
        log.debug("busy %d", i)
        i += 1
        if i == 1000:
            print("ready", file=sys.stderr, flush=True)
"""


def child(path: Path, count: int, mode: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(count), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
        cwd=REPO,
    )


def test_shutdown_finalizes(tmp_path: Path) -> None:
    """A script that just exits gets its archive finished and published by logging.shutdown."""
    path = tmp_path / "child.log.zst"
    proc = child(path, 20_000, "exit")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    text = zstd_dc(path).decode().splitlines()
    assert sum(line.startswith("DEBUG:child:record ") for line in text) == 20_000
    assert text[-1].endswith("WARNING:child:records done")
    found = [m for m in messages(out) if m.name == "createArtifact"]
    assert len(found) == 1
    assert found[0].attrs["path"] == str(path)
    assert int(found[0].attrs["length"]) == path.stat().st_size
    assert b"records done" in out
    assert len(out) < 100_000


def _busy(path: Path) -> int:
    """The busy child's records stored so far (its archive read as it is written)."""
    data = b"".join(read_archive(str(path), ReadResult())) if path.exists() else b""
    return data.count(b":busy ")


def read_killed(path: Path) -> tuple[list[str], ReadResult]:
    result = ReadResult()
    data = b"".join(read_archive(str(path), result))
    assert result.error is None
    return data.decode().splitlines(), result


@pytest.mark.slow
def test_sigkill_while_idle_leaves_archive(tmp_path: Path) -> None:
    """A process killed a moment after logging leaves an archive with all of it."""
    path = tmp_path / "killed.log.zst"
    proc = child(path, 5_000, "wait")
    assert proc.stderr is not None
    assert proc.stderr.readline() == b"ready\n"
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    lines, _ = read_killed(path)
    assert sum(line.startswith("DEBUG:child:record ") for line in lines) == 5_000
    assert lines[-1].endswith("records done")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
@pytest.mark.slow
def test_sigkill_while_busy_leaves_archive(tmp_path: Path) -> None:
    """A process killed mid-stream leaves a readable archive of all but its last moments."""
    path = tmp_path / "busy.log.zst"
    proc = child(path, 0, "busy")
    assert proc.stderr is not None
    assert proc.stderr.readline() == b"ready\n"
    # Killed once a thousand records are stored (about 2 s; longer on a loaded machine).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _busy(path) < 1000:
        time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    lines, _ = read_killed(path)
    busy = [line.rsplit(" ", 1)[-1] for line in lines if ":busy " in line]
    assert len(busy) >= 1000
    assert busy == [str(i) for i in range(len(busy))]  # a whole prefix, in order


def test_write_shows_what_is_written_without_a_blank_line(tmp_path: Path) -> None:
    """``handler.write`` takes a rendered record: one that ends its line (as a renderer or
    ``print`` would write it) appears once, no blank line after it; one without a newline
    gets one; a CRLF record keeps its CR; a blank line written is a blank line."""
    path = tmp_path / "a.zst"
    out = io.StringIO()
    handler = logtrim.LogtrimHandler(path, ci="plain", stream=out, head=100)
    for text in ("deploying\n", "copying 3 files", "done\r\n", "\n", "last\n"):
        handler.write(text, logging.INFO)
    handler.close(exit_code=0)
    written = b"deploying\ncopying 3 files\ndone\r\n\nlast\n"
    assert zstd_dc(path) == written
    assert out.getvalue().encode().startswith(written.replace(b"\r\n", b"\n"))


def test_capture_masks_a_threads_uncaught_exception(tmp_path: Path) -> None:
    """A thread that dies in the block: Python's default hook printed its traceback with the
    secret as written. It is logged (the archive and the console have it, masked), not
    printed again; the block goes on. After it, a thread's exception is printed masked still
    (as Python prints it), and no longer logged."""
    path = tmp_path / "t.log.zst"
    app = (
        "import logging, threading, logtrim\n"
        f"with logtrim.capture({str(path)!r}, masks=['CaptureS3cret']):\n"
        "    def work():\n"
        "        raise RuntimeError('in thread CaptureS3cret rejected')\n"
        "    t = threading.Thread(target=work, name='uploader'); t.start(); t.join()\n"
        "    logging.getLogger('x').info('after the thread')\n"
        "t = threading.Thread(target=work, name='later'); t.start(); t.join()\n"
    )
    result = _app(app)
    assert result.returncode == 0, result.stderr
    assert b"CaptureS3cret" not in result.stdout + result.stderr
    # In the block: on the console, in its place, once; after it: Python's report, masked.
    assert b"Exception in thread uploader:" not in result.stderr
    assert result.stdout.count(b"RuntimeError: in thread ******** rejected") == 1
    assert b"Exception in thread later:" in result.stderr
    assert result.stderr.count(b"RuntimeError: in thread ******** rejected") == 1
    archive = zstd_dc(path)
    assert b"in thread later" not in archive
    assert b"uncaught RuntimeError in thread uploader" in archive
    assert b"RuntimeError: in thread ******** rejected" in archive
    assert b"CaptureS3cret" not in archive


def test_capture_leaves_the_apps_own_handlers_as_they_were(tmp_path: Path) -> None:
    """``capture`` sets the root logger to DEBUG for the archive: the app's own console
    handler (``basicConfig``, at WARNING before) then printed every DEBUG record, outside the
    budget. It prints what it printed before; a logger the app set to DEBUG itself still
    reaches it; the archive has every record."""
    path = tmp_path / "a.log.zst"
    app = (
        "import logging, sys, logtrim\n"
        "logging.basicConfig(format='APP %(levelname)s %(name)s: %(message)s')\n"
        "logging.getLogger('deploy.sql').setLevel(logging.DEBUG)\n"
        "log = logging.getLogger('deploy')\n"
        f"with logtrim.capture({str(path)!r}, budget='4kB', stream=sys.stdout):\n"
        "    for i in range(200):\n"
        "        log.debug('step %d', i)\n"
        "    log.warning('disk 91 percent full')\n"
        "    logging.getLogger('deploy.sql').debug('SELECT 1')\n"
        "log.debug('after the block')\n"
    )
    result = _app(app)
    assert result.returncode == 0, result.stderr
    printed = b"APP WARNING deploy: disk 91 percent full\nAPP DEBUG deploy.sql: SELECT 1\n"
    assert result.stderr == printed
    archive = zstd_dc(path)
    assert archive.count(b"deploy: step ") == 200
    assert b"after the block" not in archive + result.stdout


def test_capture_reraised_exception_is_said_once_masked(tmp_path: Path) -> None:
    """capture logs the exception and re-raises it: the interpreter then printed the
    traceback again after logtrim's summary (masked: a secret in its message). It is said
    once, on the console, in its place."""
    app = (
        "import logging, logtrim\n"
        f"with logtrim.capture({str(tmp_path / 'a.log.zst')!r}, masks=['ApiTok-98765']):\n"
        "    logging.getLogger('x').info('token ApiTok-98765')\n"
        "    raise RuntimeError('token ApiTok-98765 rejected')\n"
    )
    result = _app(app)
    assert result.returncode == 1
    both = result.stdout + result.stderr
    assert b"ApiTok-98765" not in both
    assert both.count(b"\nRuntimeError: token ******** rejected\n") == 1  # (a line alone)
    assert b"Traceback" not in result.stderr


def test_python_prints_an_uncaught_exception_masked_under_a_plain_handler(
    tmp_path: Path,
) -> None:
    """No ``capture``: the interpreter prints an uncaught exception (the main thread's, a
    thread's) itself, on stderr, before logging's exit hook closes the handler; a secret in
    its message reached the CI log as written. While a handler is open it logs them (the
    thread's at once, the main thread's when it closes): said there, in place, not twice.
    Once it is closed, Python's hooks print them masked; an app's own hook is left alone."""
    archive = tmp_path / "a.log.zst"
    app = (
        "import logging, sys, threading, logtrim\n"
        "if sys.argv[1] == 'own':\n"
        "    sys.excepthook = lambda *a: print('own hook:', a[1], file=sys.stderr)\n"
        f"h = logtrim.LogtrimHandler({str(archive)!r}, budget='50kB', masks=['hunter2'])\n"
        "logging.basicConfig(level=logging.INFO, handlers=[h])\n"
        "logging.info('connecting with password hunter2')\n"
        "if sys.argv[1] == 'closed':\n    h.close()\n"
        "def work():\n    raise KeyError('hunter2-in-thread')\n"
        "t = threading.Thread(target=work, name='uploader'); t.start(); t.join()\n"
        "raise KeyError('hunter2-missing')\n"
    )
    result = _app(app, "open")
    assert result.returncode == 1
    both = result.stdout + result.stderr
    assert b"hunter2" not in both
    assert b"uncaught KeyError in thread uploader" in result.stdout
    assert both.count(b"\nKeyError: '********-in-thread'\n") == 1  # (lines alone)
    assert both.count(b"\nKeyError: '********-missing'\n") == 1
    assert b"Traceback" not in result.stderr
    assert b"hunter2" not in decode_zstd(archive.read_bytes())
    closed = _app(app, "closed")
    assert closed.returncode == 1
    assert b"hunter2" not in closed.stdout + closed.stderr
    assert b"Exception in thread uploader:" in closed.stderr
    assert b"KeyError: '********-in-thread'\n" in closed.stderr
    assert closed.stderr.endswith(b"KeyError: '********-missing'\n")
    own = _app(app, "own")
    assert b"own hook: 'hunter2-missing'" in own.stderr  # the app's: as it prints it


@pytest.mark.parametrize("ending", ["raise", "return"])
def test_a_program_ending_on_an_uncaught_exception_is_reported_failed(
    tmp_path: Path, ending: str
) -> None:
    """Without ``capture`` and without ``exit_code``, a program that dies of an uncaught
    exception was reported as a clean run, its traceback in no archive: the handler, closed
    by logging's exit hook, now logs it and reports exit 1 with it as the reason."""
    archive = tmp_path / "a.log.zst"
    last = "raise RuntimeError('health check failed for web-07')" if ending == "raise" else "pass"
    app = (
        "import logging, logtrim\n"
        f"h = logtrim.LogtrimHandler({str(archive)!r}, budget='50kB', ci='plain')\n"
        "logging.basicConfig(level=logging.INFO, handlers=[h])\n"
        "logging.info('start')\n"
        f"def deploy():\n    {last}\n"
        "deploy()\n"
    )
    result = _app(app)
    kept = decode_zstd(archive.read_bytes())
    if ending == "return":
        assert result.returncode == 0
        assert b"failed" not in result.stdout and b"uncaught" not in kept
        return
    assert result.returncode == 1
    reason = b"[logtrim] failed (exit 1): RuntimeError: health check failed for web-07\n"
    assert reason in result.stdout
    assert kept.startswith(b"INFO:root:start\n")
    assert b"in deploy\n" in kept and kept.endswith(
        b"RuntimeError: health check failed for web-07\n"
    )


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_a_character_the_console_cannot_encode_does_not_silence_it(
    tmp_path: Path, encoding: str
) -> None:
    """A stream that is not UTF-8 (a Windows agent's pipe, ``PYTHONIOENCODING``): one ``✓``
    silenced the handler's console for good: no records, no summary, no artifact message."""
    archive = tmp_path / "a.log.zst"
    app = (
        "import logging, logtrim\n"
        f"h = logtrim.LogtrimHandler({str(archive)!r}, ci='octopus', budget='8kB')\n"
        "logging.basicConfig(level=logging.INFO, handlers=[h])\n"
        "logging.info('step 1 done \\u2713')\n"
        "logging.error('smoke test failed')\n"
        "h.close(3)\n"
    )
    env = clean_env({"PYTHONIOENCODING": encoding})
    result = subprocess.run([sys.executable, "-c", app], capture_output=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode(encoding)
    assert "INFO:root:step 1 done ?\n" in out
    assert "ERROR:root:smoke test failed\n" in out
    assert "##octopus[createArtifact path=" in out
    assert "##octopus[resultMessage message=" in out  # the failure, for the server
    assert "step 1 done \u2713" in decode_zstd(archive.read_bytes()).decode()


def test_a_signal_handler_that_logs_loses_nothing(tmp_path: Path) -> None:
    """A signal handler that logs runs between two bytecodes of the record being taken, on
    the same thread (the lock is re-entrant): it entered the engine and the archive midway,
    and the archive lost records ("cannot call compress() after compressor finished"), the
    console went unfiltered past the budget. Such a record now waits for the one being taken."""
    archive = tmp_path / "a.log.zst"
    app = (
        "import logging, signal, logtrim\n"
        f"h = logtrim.LogtrimHandler({str(archive)!r}, budget='16kB', ci='plain')\n"
        "log = logging.getLogger('t'); log.setLevel(logging.DEBUG); log.addHandler(h)\n"
        "log.propagate = False\n"
        "ticks = [0]\n"
        "def on_alarm(*_):\n"
        "    ticks[0] += 1; log.warning('tick %d', ticks[0])\n"
        "signal.signal(signal.SIGALRM, on_alarm)\n"
        "signal.setitimer(signal.ITIMER_REAL, 0.002, 0.002)\n"
        "for i in range(60000):\n"
        "    log.info('copy file %d to /srv/app', i)\n"
        "signal.setitimer(signal.ITIMER_REAL, 0, 0)\n"
        "h.close()\n"
        "print('ticks', ticks[0])\n"
    )
    result = _app(app, timeout=120)
    assert result.returncode == 0, result.stderr
    assert b"warning" not in result.stderr, result.stderr
    ticks = int(result.stdout.rsplit(b"ticks ", 1)[1])
    assert ticks > 10  # the handler ran during records
    kept = decode_zstd(archive.read_bytes()).splitlines()
    assert [ln for ln in kept if ln.startswith(b"copy file")] == [
        b"copy file %d to /srv/app" % i for i in range(60000)
    ]
    assert sorted(int(ln.split()[1]) for ln in kept if ln.startswith(b"tick")) == list(
        range(1, ticks + 1)
    )
    assert len(result.stdout) - len(b"ticks %d\n" % ticks) <= 16_000


@pytest.mark.parametrize("ending", ["close", "shutdown"])
def test_a_signal_handler_that_logs_and_closes_keeps_its_record(
    tmp_path: Path, ending: str
) -> None:
    """The graceful-shutdown pattern: a SIGTERM handler logs why the step stops, closes the
    handler (``logging.shutdown()``), then ``os._exit``. Its record waited for the one being
    taken, which never ended: neither archived nor shown (4 runs of 6). Closing mid-record
    now sends the records that wait, masked, to the archive and the console first."""
    archive = tmp_path / "a.log.zst"
    stop = "h.close()" if ending == "close" else "logging.shutdown()"
    app = (
        "import logging, os, signal, logtrim\n"
        f"h = logtrim.LogtrimHandler({str(archive)!r}, budget='50kB', ci='plain',"
        " masks=['Sig-Secret-5'])\n"
        "log = logging.getLogger('t'); log.setLevel(logging.DEBUG); log.addHandler(h)\n"
        "def on_alarm(*_):\n"
        "    log.error('got SIGALRM, shutting down (Sig-Secret-5)')\n"
        f"    {stop}\n"
        "    os._exit(143)\n"
        "signal.signal(signal.SIGALRM, on_alarm)\n"
        "signal.setitimer(signal.ITIMER_REAL, 0.3)\n"
        "i = 0\n"
        "while True:\n    log.info('working on item %d', i); i += 1\n"
    )
    result = _app(app)
    assert result.returncode == 143
    said = b"got SIGALRM, shutting down (********)"
    assert said in result.stdout
    assert said in decode_zstd(archive.read_bytes())
    assert b"Sig-Secret-5" not in result.stdout + result.stderr


@pytest.mark.parametrize("engine", ["hyperscan", "re"])
def test_a_record_of_many_lines_is_judged_by_all_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """A record of several lines is one unit: a ``keep`` rule that its third line hits keeps
    the DEBUG record among a flood of others (the rules are read on each of its lines: each
    rule's regex searched over a record of a few megabytes took seconds, in the thread that
    logged it)."""
    if engine == "hyperscan":
        pytest.importorskip("hyperscan")
    monkeypatch.setenv("LOGTRIM_ENGINE", engine)
    console = io.StringIO()
    handler = logtrim.LogtrimHandler(
        tmp_path / "a.log.zst", ci="plain", stream=console, keep=["^Deployed to prod"],
        budget="8kB",
    )  # fmt: skip
    log = logging.getLogger(f"many-lines-{engine}")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    for i in range(3000):
        log.debug("polling job %d", i)
    log.debug("plan:\n  step 1\nDeployed to prod in 12s\n" + "  detail\n" * 200)
    for i in range(3000):
        log.debug("polling job %d", i)
    handler.close()
    assert "Deployed to prod in 12s\n" in console.getvalue()


def test_a_carriage_return_in_a_record_is_its_text(tmp_path: Path) -> None:
    """A record is no terminal redraw: ``Access denied\\rsee above`` showed as ``see above``,
    its time, level and message gone (``run`` shows a child's redrawn line's last state)."""
    console = io.StringIO()
    handler = logtrim.LogtrimHandler(tmp_path / "a.log.zst", ci="plain", stream=console)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("carriage-return")
    log.addHandler(handler)
    log.propagate = False
    log.error("remote command failed: %s", "Access denied\rsee above")
    log.warning("disk almost full on /dev/sda1\r (92%)")
    handler.close(1)
    shown = console.getvalue()
    assert "ERROR remote command failed: Access denied\rsee above\n" in shown
    assert "WARNING disk almost full on /dev/sda1\r (92%)\n" in shown
    assert zstd_dc(tmp_path / "a.log.zst") == (
        b"ERROR remote command failed: Access denied\rsee above\n"
        b"WARNING disk almost full on /dev/sda1\r (92%)\n"
    )


@pytest.mark.parametrize("case", ["filtered", "waiting-thread", "file-console", "replaced"])
def test_python_still_prints_an_uncaught_exception_no_handler_shows_in_time(
    tmp_path: Path, case: str
) -> None:
    """Python's report is left out only when a handler will show the traceback on the
    console when it closes: not when the handler's filter refuses the record (it was shown
    nowhere), nor while a thread Python waits for still runs (shown only once it ended),
    nor when the handler's console is a file or a stand-in (``sys.stdout`` replaced by a
    ``StringIO``: the terminal had none)."""
    archive = tmp_path / "a.log.zst"
    stream = "open('console.txt', 'w')" if case == "file-console" else "None"
    app = (
        "import logging, threading, time, logtrim\n"
        f"h = logtrim.LogtrimHandler({str(archive)!r}, ci='plain', stream={stream})\n"
        + ("h.addFilter(lambda r: r.name.startswith('app'))\n" if case == "filtered" else "")
        + "logging.basicConfig(level=logging.INFO, handlers=[h])\n"
        + ("import io, sys; sys.stdout = io.StringIO()\n" if case == "replaced" else "")
        + "logging.getLogger('app').info('starting')\n"
        + ("threading.Thread(target=time.sleep, args=(1.5,)).start()\n"
           if case == "waiting-thread" else "")
        + "raise RuntimeError('boom in main')\n"
    )  # fmt: skip
    result = _app(app, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(b"Traceback (most recent call last):\n")
    assert b"\nRuntimeError: boom in main\n" in result.stderr


def test_a_filter_that_counts_is_asked_once_for_the_uncaught_exception(tmp_path: Path) -> None:
    """Python's hook asks the handler's filters whether they take the uncaught exception's
    record; ``close`` asked them again, and a filter that lets a record pass once (a dedup,
    a rate limit) refused it: the traceback was shown nowhere, and the reason was the
    exit code."""
    archive = tmp_path / "a.log.zst"
    app = (
        "import logging, logtrim\n"
        f"h = logtrim.LogtrimHandler({str(archive)!r}, ci='plain')\n"
        "seen = set()\n"
        "def once(r):\n"
        "    key = (r.msg, r.args)\n"
        "    if key in seen: return False\n"
        "    seen.add(key); return True\n"
        "h.addFilter(once)\n"
        "logging.basicConfig(level=logging.INFO, handlers=[h])\n"
        "logging.info('starting')\n"
        "raise RuntimeError('boom in main')\n"
    )
    result = _app(app)
    assert result.returncode == 1
    both = result.stdout + result.stderr
    assert both.count(b"\nRuntimeError: boom in main\n") == 1
    assert b"failed (exit 1): RuntimeError: boom in main\n" in result.stdout
    assert b"RuntimeError: boom in main" in decode_zstd(archive.read_bytes())


def _app(
    app: str, *args: str, timeout: float = 60, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``python -c APP ARGS...`` in a clean environment, its output captured."""
    return subprocess.run(
        [sys.executable, "-c", app, *args],
        capture_output=True, timeout=timeout, env=clean_env(), cwd=cwd,
    )  # fmt: skip


@pytest.mark.parametrize("returned", [None, 5, b"raw bytes"])
def test_a_formatter_that_returns_no_text_never_raises_into_the_app(
    log: logging.Logger, tmp_path: Path, returned: object
) -> None:
    """``format()`` of an app's own formatter returned None: ``log.info`` raised
    AttributeError into the app. Bytes are decoded; anything else is said as logging says a
    record it cannot format, and the app goes on."""
    path = tmp_path / "a.log.zst"
    handler, console = attach(log, path, budget="8kB")

    class Odd(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return returned  # type: ignore[return-value]

    handler.setFormatter(Odd())
    log.info("first")
    handler.setFormatter(logging.Formatter(FORMAT))
    log.info("second")
    handler.close()
    assert "second" in console.getvalue()
    assert ("raw bytes" in console.getvalue()) == (returned == b"raw bytes")
