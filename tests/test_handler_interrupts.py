"""Two Ctrl-Cs in a row in an app with the handler (a terminal's, then a wrapper's that
forwards it): the first ends the app, the second comes while the handler closes. It is taken
once the handler has closed, so the summary is printed and no traceback of logtrim's own
frames is (it was: ``Exception ignored in atexit callback`` through the handler's close)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import clean_env

APP = """
import logging, sys, time
import logtrim
handler = logtrim.LogtrimHandler(sys.argv[1], budget="20kB", ci="plain")
logging.basicConfig(level=logging.DEBUG, handlers=[handler])
log = logging.getLogger("job")
log.info("start")
i = 0
while True:
    log.debug("tick %d", i)
    i += 1
    if i == 20:
        print("ready", file=sys.stderr, flush=True)
    time.sleep(0.01)
"""


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # (a test runner's worker may ignore it)


@pytest.mark.parametrize("gap", [0.003, 0.02])
def test_a_second_ctrl_c_while_the_handler_closes_still_gives_the_summary(
    tmp_path: Path, gap: float
) -> None:
    script = tmp_path / "app.py"
    script.write_text(APP)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "app.log.zst")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(), cwd=tmp_path,
        preexec_fn=_default_sigint,
    )  # fmt: skip
    assert proc.stderr is not None
    assert proc.stderr.readline() == b"ready\n"
    proc.send_signal(signal.SIGINT)
    time.sleep(gap)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    printed = out + err
    assert b"[logtrim] failed (exit 130): KeyboardInterrupt" in out, printed[-2000:]
    assert b"/logtrim/" not in printed, printed[-3000:]  # no frame of logtrim's own
