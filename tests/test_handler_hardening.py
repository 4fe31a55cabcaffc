"""The handler's edges: arguments ``run`` refuses, CI commands in DEBUG records, the budget
after ``close()``, and secrets read from a non-UTF-8 environment. Real archives, real zstd."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import clean_env, zstd_dc
from octopus_decoder import encode, messages

import logtrim


def attach(
    log: logging.Logger, path: Path, fmt: str = "%(message)s", **kw: Any
) -> tuple[logtrim.LogtrimHandler, io.StringIO]:
    console = io.StringIO()
    handler = logtrim.LogtrimHandler(path, stream=console, **kw)
    handler.setFormatter(logging.Formatter(fmt))
    log.addHandler(handler)
    return handler, console


def unformattable(handler: logtrim.LogtrimHandler, message: str, *args: object) -> None:
    """A record with an argument missing, straight to ``handler`` (pytest's own handlers
    would raise on it): ``handleError`` tells it on stderr, arguments and all."""
    handler.handle(logging.makeLogRecord({"msg": message, "args": args, "levelno": 30}))


# -- arguments ----------------------------------------------------------------------------

_REFUSE_HISTORY = """
import sys, logtrim
try:
    logtrim.LogtrimHandler("x.log.zst", history=sys.argv[1])
except logtrim.LogtrimError as exc:
    print(type(exc).__name__, isinstance(exc, ValueError))
    print(exc)
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
@pytest.mark.parametrize("what", ["fifo", "file"])
def test_a_history_that_is_no_directory_is_refused_at_once(tmp_path: Path, what: str) -> None:
    """``run --history`` refuses a path that is no directory; the handler took it, and
    ``close()`` (at exit) hung on a FIFO, opening it to lock it: now a one-line error at
    construction, nothing made, nothing left to hang at exit."""
    history = tmp_path / "shapes"
    if what == "fifo":
        os.mkfifo(history)
    else:
        history.write_text("not a directory\n")
    proc = subprocess.run(
        [sys.executable, "-c", _REFUSE_HISTORY, str(history)],
        cwd=tmp_path, env=clean_env(), capture_output=True, timeout=30, check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stderr == b""
    kind, message = proc.stdout.decode().splitlines()
    assert kind == "ArgumentError True"  # a logtrim UsageError, and a ValueError as documented
    assert message.startswith("LogtrimHandler: bad value for history:")
    assert "not a directory" in message
    assert not (tmp_path / "x.log.zst").exists()


@pytest.mark.parametrize("masks", ["hunter2-Secret", '["hunter2-Secret"]', "[hunter2-Secret"])
def test_masks_as_one_string_is_refused_without_the_value(tmp_path: Path, masks: str) -> None:
    """``masks="..."`` (a str, not a list) was taken by the command line's rule, under which
    a string that starts with ``[`` is a JSON list: a secret of that shape was read as
    another value, or refused with a JSON error. Refused, the value not repeated."""
    with pytest.raises(logtrim.UsageError) as raised:
        logtrim.LogtrimHandler(tmp_path / "x.zst", stream=io.StringIO(), masks=masks)
    message = str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert "masks" in message and "list" in message and "\n" not in message
    assert "hunter2" not in message
    assert not list(tmp_path.iterdir())


def test_a_list_or_tuple_of_masks_is_taken(tmp_path: Path) -> None:
    for masks in (["hunter2-Secret"], ("hunter2-Secret",)):
        handler = logtrim.LogtrimHandler(tmp_path / "x.zst", stream=io.StringIO(), masks=masks)
        handler.close()
        assert tuple(handler.core.policy.masks) == ("hunter2-Secret",)


@pytest.mark.parametrize("rule", ["[Ee]rror code 7", ["[Ee]rror code 7"]])
def test_a_lone_keep_or_drop_rule_is_a_regular_expression(tmp_path: Path, rule: object) -> None:
    """``keep="[Ee]rror"`` was read as a JSON list (the command line's rule for a value that
    starts with ``[``) and refused: a lone str is one regular expression."""
    console = io.StringIO()
    handler = logtrim.LogtrimHandler(tmp_path / "k.zst", stream=console, keep=rule, drop=rule)
    assert handler.core.policy.keep == handler.core.policy.drop == ("[Ee]rror code 7",)
    handler.close()


# -- CI commands in DEBUG records -----------------------------------------------------------


def test_a_ci_command_in_a_debug_record_passes_and_declares_at_once(
    log: logging.Logger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """DEBUG records wait in a batch for the engine, unread: a command among them never
    reached the CI (an Octopus output variable never set, a mask never registered with the
    runner), and what it declared was learned only when the batch was taken, after a report
    of a record that could not be formatted had printed the secret as written."""
    path = tmp_path / "d.log.zst"
    handler, console = attach(log, path, ci="octopus")
    declared = encode("setVariable", name="DbPassword", value="Dbg-Secret-41", sensitive="True")
    log.debug("copy file 1")
    log.debug(declared)
    log.debug("calling deploy::run now")  # "::" in text: no command, detail as ever
    unformattable(handler, "connecting with %s to %s", "Dbg-Secret-41")
    log.debug("two lines\n%s", encode("setVariable", name="Region", value="eu-west-1"))
    log.info("connected with Dbg-Secret-41")
    handler.close()
    shown = console.getvalue()
    lines = shown.splitlines()
    assert declared in lines  # verbatim: Octopus sets the variable to the real value
    assert [m.attrs["value"] for m in messages(shown) if m.name == "setVariable"] == [
        "Dbg-Secret-41",
        "eu-west-1",
    ]
    assert "connected with ********" in lines
    # (a DEBUG record is detail: one alone before a command is shown as a gap of one line
    # is, where its marker would be longer; more are counted)
    assert "deploy::run" not in shown
    err = capsys.readouterr().err
    assert "--- Logging error ---" in err and "Dbg-Secret-41" not in err
    archive = zstd_dc(path).decode()
    assert "copy file 1\n" in archive and "calling deploy::run now\n" in archive
    assert "Dbg-Secret-41" not in archive


@pytest.mark.parametrize(
    ("ci", "command"),
    [
        ("github", "::add-mask::Dbg-Secret-42"),
        ("azure", "##vso[task.setvariable variable=Token;issecret=true]Dbg-Secret-42"),
        ("plain", "::add-mask::Dbg-Secret-42"),  # another system's syntax: learned all the same
    ],
)
def test_a_secret_declared_at_debug_is_learned_at_once(
    log: logging.Logger,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    ci: str,
    command: str,
) -> None:
    handler, console = attach(log, tmp_path / "g.log.zst", ci=ci)
    log.debug(command)
    unformattable(handler, "token %s expires in %d days", "Dbg-Secret-42")
    log.info("using Dbg-Secret-42")
    handler.close()
    err = capsys.readouterr().err
    assert "--- Logging error ---" in err and "Dbg-Secret-42" not in err
    shown = console.getvalue().splitlines()
    assert "using ********" in shown
    assert (command in shown) == (ci != "plain")  # a command of the CI in use passes as is


def test_a_teamcity_command_in_a_debug_record_reaches_the_ci(
    log: logging.Logger, tmp_path: Path
) -> None:
    handler, console = attach(log, tmp_path / "t.log.zst", fmt="%(levelname)s %(message)s",
                              ci="teamcity")  # fmt: skip
    command = "##teamcity[setParameter name='env.DEPLOYED' value='4.12.0']"
    for i in range(50):
        log.debug("copy file %d", i)
    log.debug(command)
    log.info("done")
    handler.close()
    assert f"DEBUG {command}" in console.getvalue().splitlines()
    assert "copy file" not in console.getvalue()


# -- the budget after close() ---------------------------------------------------------------


@pytest.mark.parametrize("ci", ["plain", "octopus"])
def test_records_after_close_stay_within_the_budget(
    log: logging.Logger, tmp_path: Path, capsys: pytest.CaptureFixture[str], ci: str
) -> None:
    """A teardown that logs after ``close()`` got half the closing reserve whatever the
    summary had used of it: a console filled to its budget went past it (8,274 bytes of
    8,000)."""
    handler, console = attach(log, tmp_path / "c.log.zst", fmt="%(levelname)s %(message)s",
                              budget="8kB", ci=ci)  # fmt: skip
    for i in range(20_000):
        level = logging.ERROR if i % 3 == 0 else logging.INFO
        # Words of their own (no run of lines alike: the end would fold them, and the
        # console would not fill).
        log.log(level, "copy file %s to /srv/app with some more text", _word(i))
    handler.close(1)
    closed = len(console.getvalue().encode())
    assert closed > handler.core.budget.total - handler.core.budget.closing
    for i in range(5_000):
        log.error("teardown %d", i)
    err = capsys.readouterr().err
    # (the warning counts too: the budget caps what logtrim prints, its own lines included;
    # here the summary left no room for it)
    assert len(console.getvalue().encode()) + len(err.encode()) <= handler.core.budget.total
    assert err.count("records logged after the handler closed") <= 1


def test_records_after_close_are_shown_when_the_budget_has_room(
    log: logging.Logger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A teardown's one record after ``close()``: shown, and the warning that it is not in
    the archive comes with it, not only once a flood of them fills the reserve."""
    handler, console = attach(log, tmp_path / "r.log.zst", budget="8kB", ci="plain")
    log.info("deploying")
    handler.close()
    before = len(console.getvalue())
    log.error("teardown: connection reset")
    assert console.getvalue()[before:] == "teardown: connection reset\n"
    assert "records logged after the handler closed are not archived" in capsys.readouterr().err
    assert b"teardown" not in zstd_dc(tmp_path / "r.log.zst")


# -- secrets from a non-UTF-8 environment ---------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [
        os.fsdecode(b"pa\xffss-Env-Secret"),  # os.environ of a value that is no UTF-8
        "lone\ud800surrogate-Secret",  # no bytes spell it: only as a record shows it
    ],
    ids=["escaped-byte", "lone-surrogate"],  # (xdist sends test ids as UTF-8)
)
def test_a_secret_with_surrogates_is_masked_as_records_show_it(tmp_path: Path, secret: str) -> None:
    """Records are encoded with ``backslashreplace``: ``pa\\udcffss`` on the console and in
    the archive, where the mask looked for the secret's raw bytes only (and a lone surrogate
    stopped the constructor). The records go to the handler itself: pytest's capture
    handlers, on every logger, would send them to xdist's controller, which takes UTF-8."""
    path = tmp_path / "s.log.zst"
    console = io.StringIO()
    handler = logtrim.LogtrimHandler(path, stream=console, ci="plain", masks=[secret])
    for message in ("login with %s failed", "login with %r failed"):
        handler.handle(logging.makeLogRecord({"msg": message, "args": (secret,), "levelno": 40}))
    handler.close(1)
    escaped = secret.encode("utf-8", "backslashreplace").decode()
    shown = console.getvalue()
    assert escaped not in shown and "login with ******** failed" in shown
    assert "login with '********' failed" in shown
    archive = zstd_dc(path).decode()
    assert escaped not in archive and archive.count("********") == 2


SPAWNED = """
import logging, multiprocessing, sys
import logtrim

handler = logtrim.LogtrimHandler("app.log.zst", ci="plain")  # at import: spawn runs it again
log = logging.getLogger("app")
log.addHandler(handler)
log.setLevel(logging.DEBUG)


def work(n):
    log.info("child %d", n)


if __name__ == "__main__":
    for i in range(2000):
        log.debug("parent record %d %s", i, "x" * 40)
    child = multiprocessing.get_context("spawn").Process(target=work, args=(1,))
    child.start()
    child.join()
    log.info("child exit code %s", child.exitcode)
    handler.close()
"""


def test_a_second_handler_on_an_archive_in_use_is_refused(tmp_path: Path) -> None:
    """Two handlers writing one archive interleaved their frames: an archive every summary
    called written did not decode. A spawned process that makes the handler again at
    import is the common way there; the second is refused, the first archive stays whole."""
    (tmp_path / "app.py").write_text(SPAWNED, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "app.py"], cwd=tmp_path, capture_output=True, env=clean_env(), timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.decode()
    assert err.count("is being written by another handler") == 1, err
    assert "Exception ignored" not in err  # the refused handler, closed at exit, quietly
    lines = zstd_dc(tmp_path / "app.log.zst").decode().splitlines()
    assert len(lines) == 2001 and lines[-1].endswith("child exit code 1")


def test_one_process_may_not_open_an_archive_twice_but_may_after_close(tmp_path: Path) -> None:
    path = tmp_path / "a.log.zst"
    first = logtrim.LogtrimHandler(path, ci="plain", stream=io.StringIO())
    with pytest.raises(logtrim.UsageError, match="being written by another handler"):
        logtrim.LogtrimHandler(path, ci="plain", stream=io.StringIO())
    first.handle(logging.makeLogRecord({"msg": "kept", "levelno": logging.INFO}))
    first.close()
    assert zstd_dc(path) == b"kept\n"
    again = logtrim.LogtrimHandler(path, ci="plain", stream=io.StringIO())
    again.close()


def _word(i: int) -> str:
    """A word of letters for ``i``, another for each ``i``."""
    letters = []
    while True:
        i, k = divmod(i, 26)
        letters.append(chr(97 + k))
        if not i:
            return "".join(letters)


@pytest.mark.parametrize("level", ["ERROR", "40", None, 3.5])
def test_a_record_whose_levelno_is_no_number_keeps_the_filter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], level: object
) -> None:
    """An app that sets ``levelno`` to a name (``"ERROR"``) or nothing: the record is read as
    logging reads a level's name (else as INFO), and the filtering goes on; before, the
    comparison raised, logtrim said ``internal error``, and forwarded every later record
    unfiltered."""
    path = tmp_path / "l.log.zst"
    handler, console = attach(
        logging.getLogger("odd-levels"), path, masks=["Odd-Secret-77"], budget="2kB"
    )
    record = logging.makeLogRecord({"msg": "odd record Odd-Secret-77", "levelno": level})
    handler.handle(record)
    for i in range(300):
        handler.handle(logging.makeLogRecord({"msg": f"synced row {i}", "levelno": 20}))
    handler.close()
    shown = console.getvalue()
    assert "odd record ********" in shown
    assert "similar lines" in shown and len(shown.encode()) <= 2000  # still filtering
    assert "internal error" not in capsys.readouterr().err
    archive = zstd_dc(path).decode()
    assert "odd record ********" in archive and "synced row 299" in archive
