"""A progress bar redrawn with ``\\r`` shows while it runs, not only when its line ends.

curl, pip and docker pull redraw one line for minutes before its newline. The console gets
the bar's latest whole state at most once per ``--progress-interval`` while it runs; the line
is counted once, when it ends, and the archive keeps every byte. Real children that wait for
the test to have seen a state, so no timing decides the outcome.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import clean_env, decode_zstd

# Redraws the bar until the test creates GO (then ends the line). ``{end}`` is where the
# carriage return goes: before each state (tqdm, curl) or after it (pip, docker pull).
_BAR = """
import os, sys, time
go, i = sys.argv[1], 0
while not os.path.exists(go) and i < 600:
    sys.{stream}.write({state})
    sys.{stream}.flush()
    i += 1
    time.sleep(0.05)
sys.{stream}.write("\\n"); print("done", flush=True)
sys.exit(0 if os.path.exists(go) else 3)  # gave up: no state was seen while it ran
"""
_FORMS = {
    "before": '"\\rDownloading %4d kB" % i',
    "after": '"Downloading %4d kB\\r" % i',
}


def _watch(proc: subprocess.Popen[bytes], seen: list[bytes], saw_state: threading.Event) -> None:
    stream = proc.stdout if proc.stdout is not None else None
    assert stream is not None
    for line in stream:
        seen.append(line)
        if line.startswith(b"Downloading"):
            saw_state.set()


@pytest.mark.slow
@pytest.mark.parametrize("form", sorted(_FORMS))
@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_a_redrawn_bar_shows_its_state_before_its_newline(
    tmp_path: Path, form: str, stream: str
) -> None:
    go = tmp_path / "go"
    artifact = tmp_path / "run.log.zst"
    code = _BAR.format(stream=stream, state=_FORMS[form])
    argv = [sys.executable, "-m", "logtrim", "run", "--ci", "plain", "--artifact", str(artifact)]
    argv += ["--progress-interval", "1", "--", sys.executable, "-c", code, str(go)]
    seen: list[bytes] = []
    saw_state = threading.Event()
    with subprocess.Popen(
        argv, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path
    ) as proc:
        reader = threading.Thread(target=_watch, args=(proc, seen, saw_state))
        reader.start()
        try:
            # The bar's line has no newline until GO exists: a state on the console now
            # came from the redraws (the child gives up after ~30 s and exits 3).
            assert saw_state.wait(60), b"".join(seen).decode()
            go.touch()
            assert proc.wait(60) == 0, b"".join(seen).decode()
        finally:
            go.touch()
            reader.join(60)
    console = b"".join(seen)
    states = [line for line in seen if line.startswith(b"Downloading")]
    assert all(b"\r" not in s for s in states)  # whole states, one per console line
    sizes = [int(s.split()[1]) for s in states]
    assert sizes == sorted(sizes)  # the latest state each time, never an older one
    assert console.index(b"done\n") > console.index(states[0])
    assert b"[logtrim] 2 lines" in console  # the bar's line counts once, as cat counts it
    archive = decode_zstd(artifact.read_bytes())
    assert archive.count(b"\n") == 2
    redraws = archive.split(b"\n")[0].strip(b"\r").split(b"\r")
    assert len(redraws) > len(states)  # the archive has every redraw, not just those shown
    assert [int(r.split()[1]) for r in redraws] == list(range(len(redraws)))


_SECRET_BAR = """
import sys, time
for i in range(30):
    sys.stdout.write("\\rpushing with token=hunter2secret %d" % i)
    sys.stdout.flush()
    time.sleep(0.05)
print(); print("done")
"""


@pytest.mark.slow
def test_a_redrawn_state_is_masked(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "logtrim", "run", "--ci", "plain", "--mask", "hunter2secret"]
    argv += ["--progress-interval", "0.2", "--artifact", str(tmp_path / "a.zst")]
    argv += ["--", sys.executable, "-c", _SECRET_BAR]
    r = subprocess.run(argv, env=clean_env(), capture_output=True, timeout=60, check=True)
    assert b"hunter2secret" not in r.stdout + r.stderr
    assert b"pushing with token=********" in r.stdout
