"""What Python prints itself while a handler is in use, masked: a thread's exception that is
false, an exception it can only ignore (``sys.unraisablehook``), ``sys.exit("message")`` in
``capture``; and the limit on the handlers whose secrets mask them, said. Real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import clean_env, zstd_dc

SECRET = "Hook-Secret-77"


def run_app(tmp_path: Path, app: str) -> subprocess.CompletedProcess[bytes]:
    (tmp_path / "app.py").write_text(app)
    return subprocess.run(
        [sys.executable, "app.py"], cwd=tmp_path, env=clean_env(),
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip


_FALSY = f"""
import logging, threading, logtrim

class Refused(Exception):
    def __len__(self):  # false, as a sized exception with nothing in it
        return 0

def work():
    raise Refused("token {SECRET} refused")

def run(name):
    t = threading.Thread(target=work, name=name)
    t.start()
    t.join()

with logtrim.capture("c.log.zst", masks=["{SECRET}"], ci="plain"):
    run("inside")
handler = logtrim.LogtrimHandler("h.log.zst", masks=["{SECRET}"], ci="plain")
run("outside")
handler.close()
"""


def test_a_false_exception_in_a_thread_is_printed_whole_and_masked(tmp_path: Path) -> None:
    """``args.exc_value or args.exc_type()``: an exception that is false was replaced by a
    new one, empty and without its traceback (or the hook failed, its class needing
    arguments): its message and frames were lost, in the archive too."""
    proc = run_app(tmp_path, _FALSY)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert SECRET not in proc.stderr.decode() + out
    for name in ("inside", "outside"):  # (on the console of the handler open then, once)
        at = out.index(f"uncaught Refused in thread {name}")
        assert "in work\n" in out[at:]
        assert "Refused: token ******** refused\n" in out[at:]
    assert out.count("Refused: token ******** refused\n") == 2
    assert "Traceback" not in proc.stderr.decode()
    archive = zstd_dc(tmp_path / "c.log.zst").decode()
    assert "uncaught Refused in thread inside" in archive
    assert "Refused: token ******** refused" in archive and SECRET not in archive


_UNRAISABLE = f"""
import gc, logging, logtrim

class Session:
    def __del__(self):
        raise RuntimeError("closing session for {SECRET}")

handler = logtrim.LogtrimHandler("u.log.zst", masks=["{SECRET}"], ci="plain")
Session()
gc.collect()
handler.close()
"""


def test_an_exception_python_can_only_ignore_is_logged_masked(tmp_path: Path) -> None:
    """An exception raised in ``__del__`` (or a finalizer, a callback) is logged to the open
    handler as a warning, object and message as Python writes them: its archive has it (it
    was printed on stderr only, masked); after the handler closed, printed as Python does."""
    proc = run_app(tmp_path, _UNRAISABLE + "Session()\ngc.collect()\n")
    assert proc.returncode == 0, proc.stderr
    out, err = proc.stdout.decode(), proc.stderr.decode()
    archive = zstd_dc(tmp_path / "u.log.zst").decode()
    for text in (out, archive):
        assert "Exception ignored in: <function Session.__del__ at " in text
        assert "Traceback (most recent call last):\n" in text and "in __del__\n" in text
        assert "RuntimeError: closing session for ********\n" in text
    assert "warnings 5/5" in out  # its tier: the program went on
    # Once the handler closed, Python's report is printed on stderr, masked, as before.
    assert err.startswith("Exception ignored in: <function Session.__del__ at ")
    assert err.count("RuntimeError: closing session for ********\n") == 1
    assert SECRET not in out + err + archive


_ATEXIT = f"""
import atexit, logging, logtrim

def flush():
    raise OSError("could not flush the queue for {SECRET}")

handler = logtrim.LogtrimHandler("a.log.zst", masks=["{SECRET}"], ci="plain")
logging.basicConfig(level=logging.INFO, handlers=[handler])
atexit.register(flush)
logging.info("main done")
"""


def test_an_exception_in_an_atexit_callback_is_archived(tmp_path: Path) -> None:
    """An ``atexit`` callback runs before logging's exit hook closes the handler: its
    exception went to stderr only, and the archive, which is to hold everything, lacked it."""
    proc = run_app(tmp_path, _ATEXIT)
    assert proc.returncode == 0, proc.stderr
    archive = zstd_dc(tmp_path / "a.log.zst").decode()
    assert "Exception ignored in atexit callback: <function flush at " in archive
    assert archive.index("main done") < archive.index("OSError: could not flush the queue for")
    assert "OSError: could not flush the queue for ********\n" in proc.stdout.decode()
    assert "OSError" not in proc.stderr.decode()  # (said once, on the handler's console)
    assert SECRET not in archive + proc.stdout.decode() + proc.stderr.decode()


def test_an_apps_own_unraisable_hook_is_left_alone(tmp_path: Path) -> None:
    own = _UNRAISABLE.replace(
        "handler = ",
        "import sys\nsys.unraisablehook = lambda u: print('own:', u.exc_value, file=sys.stderr)\n"
        "handler = ",
    )
    proc = run_app(tmp_path, own)
    assert f"own: closing session for {SECRET}\n" in proc.stderr.decode()


def test_sys_exit_with_a_message_in_capture_is_masked(tmp_path: Path) -> None:
    """``sys.exit("message")``: Python prints the message itself, no hook in the way."""
    app = (
        "import sys, logtrim\n"
        f"with logtrim.capture('x.log.zst', masks=['{SECRET}'], ci='plain'):\n"
        f"    sys.exit('deploy failed: token {SECRET} refused')\n"
    )
    proc = run_app(tmp_path, app)
    assert proc.returncode == 1
    assert SECRET not in proc.stderr.decode() + proc.stdout.decode()
    assert proc.stderr.decode().endswith("deploy failed: token ******** refused\n")


def test_sys_exit_with_a_message_in_capture_is_archived_and_the_reason(tmp_path: Path) -> None:
    """The message of ``sys.exit("message")`` says why the app stopped: it was in no archive
    and the reason was "exited with code 1"."""
    app = (
        "import logging, sys, logtrim\n"
        f"with logtrim.capture('x.log.zst', masks=['{SECRET}'], ci='plain'):\n"
        "    logging.info('start')\n"
        f"    sys.exit('deploy failed: token {SECRET} refused')\n"
    )
    proc = run_app(tmp_path, app)
    assert proc.returncode == 1
    said = "deploy failed: token ******** refused"
    reason = [x for x in proc.stdout.decode().splitlines() if x.startswith("[logtrim] failed")]
    assert len(reason) == 1 and reason[0].endswith(f"ERROR root: {said}"), proc.stdout
    assert zstd_dc(tmp_path / "x.log.zst").decode().endswith(f"ERROR    root: {said}\n")
    assert SECRET not in proc.stdout.decode()


def test_more_handlers_than_the_hooks_keep_is_said_once(tmp_path: Path) -> None:
    """The hooks mask with the newest 64 handlers' secrets (each keeps its engine alive);
    an older handler's secret was then printed as written, and nothing said so."""
    app = (
        "import logtrim\n"
        "for i in range(66):\n"
        "    logtrim.LogtrimHandler(f'h{i % 2}.log.zst', masks=[f'Secret-{i:04}'],\n"
        "                           ci='plain', force=True).close()\n"
    )
    proc = run_app(tmp_path, app)
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.decode()
    assert err.count("more than 64 handlers made in this process") == 1, err
    assert len(err.splitlines()) == 1


_THREAD = f"""
import logging, threading, logtrim

def work():
    raise ConnectionError("lost db-01 while holding {SECRET}")

handler = logtrim.LogtrimHandler("t.log.zst", masks=["{SECRET}"], ci="plain")
above = logtrim.LogtrimHandler("c.log.zst", ci="plain", level=logging.CRITICAL)
logging.basicConfig(level=logging.INFO, handlers=[handler, above])
logging.info("starting worker")
t = threading.Thread(target=work, name="worker-1")
t.start()
t.join()
logging.info("main done")
"""


def test_a_threads_uncaught_exception_is_archived_by_a_plain_handler(tmp_path: Path) -> None:
    """Without ``capture``, a thread's uncaught exception went to stderr only (masked): the
    archive, which is to hold everything, had no trace of it, and the console's error tier
    never saw it. It is logged to the handler now, as ``capture`` logs it."""
    proc = run_app(tmp_path, _THREAD)
    assert proc.returncode == 0, proc.stderr
    archive = zstd_dc(tmp_path / "t.log.zst").decode()
    assert "uncaught ConnectionError in thread worker-1" in archive
    assert "ConnectionError: lost db-01 while holding ********" in archive
    assert archive.index("starting worker") < archive.index("worker-1") < archive.index("main")
    out = proc.stdout.decode()
    assert "ConnectionError: lost db-01 while holding ********" in out
    assert out.count("errors 0/0") == 1  # the handler above ERROR's summary alone
    assert out.count("ConnectionError: lost db-01 while holding ********") == 1
    assert "Exception in thread worker-1:\n" not in proc.stderr.decode()  # (said once)
    assert SECRET not in archive + out + proc.stderr.decode()
    # A handler above ERROR takes none (its level, as a logger applies it).
    assert "worker-1" not in zstd_dc(tmp_path / "c.log.zst").decode()


_WARNS = f"""
import logging, warnings, logtrim

with logtrim.capture("c.log.zst", masks=["{SECRET}"], ci="plain"):
    logging.getLogger("app").info("start")
    warnings.warn("token {SECRET} expires soon")
    with open("w.txt", "w") as out:
        warnings.showwarning("again {SECRET}", UserWarning, "app.py", 6, file=out)
warnings.warn("after the block: {SECRET} still in use")
"""


def test_python_s_warnings_are_masked_while_a_handler_is_in_use(tmp_path: Path) -> None:
    """``warnings.warn`` prints on stderr itself (unless ``logging.captureWarnings`` logs
    it): its text, and the source line Python quotes under it, are masked as its report of
    an uncaught exception is, also to a file it is given and after the handler closed."""
    result = run_app(tmp_path, _WARNS)
    assert result.returncode == 0, result.stderr
    assert SECRET.encode() not in result.stdout + result.stderr, result.stderr
    assert b"UserWarning: token ******** expires soon" in result.stderr
    assert b"after the block: ******** still in use" in result.stderr
    written = (tmp_path / "w.txt").read_bytes()
    assert b"again ********" in written and SECRET.encode() not in written
