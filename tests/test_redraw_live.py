"""A progress bar redrawn with ``\\r`` shows while it runs, not only when its line ends.

curl, pip and docker pull redraw one line for minutes before its newline. The console gets
the bar's latest whole state at most once per ``--progress-interval`` while it runs; the line
is counted once, when it ends, and the archive keeps every byte. Real children that wait for
the test to have seen a state, so no timing decides the outcome.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env, decode_zstd

from logtrim.dialects import DIALECTS
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.policy import Policy

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


# 300 quiet lines, a bar redrawn for a while with no newline, then the error.
_COPY_THEN_BAR = (
    'for i in $(seq 1 300); do echo "copying file $i/300"; done; '
    "for p in $(seq 0 10 100); do printf '\\rUploading package %3d%%' $p; sleep 0.1; done; echo; "
    "echo \"cp: cannot stat 'x': No such file or directory\"; exit 1"
)


def _in_order(console: bytes, written: bytes) -> bool:
    """The child's lines and bar states on ``console`` come in the order written, each once."""
    states = [s for s in re.split(rb"[\r\n]", written) if s]
    it = iter(states)
    shown = [s for s in console.splitlines() if s and not s.startswith(b"[logtrim]")]
    return all(any(line == s for s in it) for line in shown)


def test_a_bars_state_is_never_followed_by_older_lines() -> None:
    """Once a bar's state is on the console (after the marker of the lines before it), the
    context of a later error does not reach back before it: those lines would print after
    what came later, and the marker would count them twice. A state that did not change is
    not printed again."""
    core = Core(Policy(budget=4096), DIALECTS["plain"]())
    lines = b"".join(b"copying file %d/300\n" % i for i in range(1, 301))
    console = core.feed(STDOUT, lines, 0.0)[1]
    console += core.feed(STDOUT, b"\rUploading package   0%\rUploading package  10%", 0.1)[1]
    for now in (0.5, 5.0, 10.0):  # the bar does not move after its first state shows
        console += core.tick(now)
    tail = b"\rUploading package 100%\ncp: cannot stat 'x': No such file or directory\n"
    console += core.feed(STDOUT, tail, 10.1)[1]
    console += core.finish_input(10.1)[1]
    console += core.close(1, 10.2)[0]
    shown = b"".join(data for _, data in console)
    # The bar's last whole state was shown while it ran, once: it did not move after.
    assert shown.count(b"Uploading package   0%\n") == 1
    assert _in_order(shown, lines + b"\rUploading package   0%\rUploading package  10%" + tail)
    assert b"... 290 lines" in shown and b"copying file 297/300" not in shown


def test_a_bars_state_and_a_later_error_from_a_real_child(run_logtrim: RunLogtrim) -> None:
    """The same from a real child: a 4 kB budget, the bar redrawn for a second."""
    result = run_logtrim("--budget", "4kB", "--", "bash", "-c", _COPY_THEN_BAR)
    assert result.code == 1
    written = b"".join(b"copying file %d/300\n" % i for i in range(1, 301))
    written += b"".join(b"\rUploading package %3d%%" % p for p in range(0, 101, 10))
    written += b"\ncp: cannot stat 'x': No such file or directory\n"
    assert _in_order(result.stdout, written), result.stdout.decode()
    assert b"cp: cannot stat 'x'" in result.stdout
