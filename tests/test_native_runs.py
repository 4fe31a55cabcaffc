"""Real runs: the CI's own progress indicator follows a child's progress lines.

A child prints ``Uploading package N%`` from 0 to 100 over a few seconds, among noise. Under
Octopus, Azure and TeamCity logtrim sends the CI's progress message; the independent decoders
(tests/decoders.py, tests/octopus_decoder.py) read each one back. The messages are timed as
they arrive on logtrim's stdout: at most one per ``--progress-interval``.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import clean_env
from decoders import parse_azure, parse_teamcity
from octopus_decoder import decode, encode

INTERVAL = 0.5
# 0..100% over about three seconds, noise between; then quiet for longer than the interval.
UPLOAD = (
    "import sys, time\n"
    "print('Starting upload of package web-1.4.2.zip')\n"
    "for n in range(0, 101, 2):\n"
    "    print(f'Uploading package {n}%')\n"
    "    print(f'chunk {n} sent to feed')\n"
    "    time.sleep(0.06)\n"
    "time.sleep(1.0)\n"
    "print('Upload complete')\n"
)


def _octopus(line: str) -> tuple[int, str] | None:
    if not line.startswith("##octopus[progress"):
        return None
    message = decode(line)
    return int(message.attrs["percentage"]), message.attrs["message"]


def _azure(line: str) -> tuple[int, str] | None:
    if not line.startswith("##vso[task.setprogress"):
        return None
    command = parse_azure(line)
    assert command.data is not None
    return int(command.props["value"]), command.data


def _teamcity(line: str) -> tuple[int, str] | None:
    if not line.startswith("##teamcity[progressMessage"):
        return None
    command = parse_teamcity(line)
    assert command.data is not None
    # TeamCity shows a message only: the line it summarises states the percentage.
    found = re.search(r"(\d+)%", command.data)
    assert found, command.data
    return int(found.group(1)), command.data


CIS: dict[str, tuple[dict[str, str], Callable[[str], tuple[int, str] | None]]] = {
    "octopus": ({"OctopusCalamariWorkingDirectory": "."}, _octopus),
    "azure": ({"TF_BUILD": "True"}, _azure),
    "teamcity": ({"TEAMCITY_VERSION": "2024.1"}, _teamcity),
}


def _run_timed(
    tmp_path: Path, env: dict[str, str], child: str, *options: str
) -> tuple[int, list[tuple[float, str]]]:
    """Run logtrim; every stdout line with the time it arrived."""
    run = ["run", "--artifact", str(tmp_path / "a.log.zst"), "--progress-interval", str(INTERVAL)]
    argv = [sys.executable, "-m", "logtrim", *run, *options, "--", sys.executable, "-c", child]
    with subprocess.Popen(
        argv, env=clean_env(env), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=tmp_path
    ) as proc:
        assert proc.stdout is not None
        lines = [(time.monotonic(), raw.decode("utf-8").rstrip("\n")) for raw in proc.stdout]
        return proc.wait(timeout=60), lines


@pytest.mark.parametrize("ci", sorted(CIS))
def test_upload_drives_the_native_indicator(tmp_path: Path, ci: str) -> None:
    """Monotonic percentages, each after the line it summarises, one per interval, ending at
    100; every message decodes as the CI would read it."""
    env, read = CIS[ci]
    code, lines = _run_timed(tmp_path, env, UPLOAD)
    assert code == 0
    sent = [(at, i, got) for i, (at, line) in enumerate(lines) if (got := read(line))]
    percents = [p for _, _, (p, _) in sent]
    assert len(percents) >= 3, lines
    assert percents == sorted(set(percents)), percents  # only forward
    assert percents[-1] == 100
    texts = [line for _, line in lines]
    for _, index, (percent, message) in sent:
        assert message == f"Uploading package {percent}%"
        assert message in texts[:index]  # the line it summarises came first
    times = [at for at, _, _ in sent]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # Arrival times jitter on a busy machine; messages sent as the lines come (every 0.06 s)
    # would not be this far apart, nor this few.
    assert min(gaps) > INTERVAL / 2, gaps
    assert len(times) - 1 <= (times[-1] - times[0]) / INTERVAL + 1, gaps


@pytest.mark.parametrize("ci", sorted(CIS))
def test_off_switch_and_plain_runs_send_none(tmp_path: Path, ci: str) -> None:
    """``--no-native-progress`` (or a plain run) leaves the console as before: no message."""
    env, read = CIS[ci]
    child = "for n in range(0, 101, 25): print(f'Uploading package {n}%')"
    code, lines = _run_timed(tmp_path, env, child, "--no-native-progress")
    assert code == 0
    assert not [line for _, line in lines if read(line)]
    assert "Uploading package 0%" in [line for _, line in lines]


def test_plain_console_has_no_commands(tmp_path: Path) -> None:
    code, lines = _run_timed(tmp_path, {}, UPLOAD.replace("time.sleep(0.06)", "pass"))
    assert code == 0
    assert not [line for _, line in lines if line.startswith("##") or line.startswith("::")]


def test_child_that_drives_the_octopus_bar_gets_no_extra_messages(tmp_path: Path) -> None:
    """The child's own ``##octopus[progress]`` wins: logtrim forwards it verbatim, adds none."""
    own = [encode("progress", percentage=str(n), message=f"Deploying {n}") for n in (10, 60, 90)]
    child = (
        "import time\n"
        "for n in range(0, 101, 5):\n"
        "    print(f'Uploading package {n}%')\n"
        "    time.sleep(0.03)\n"
        f"print({own[0]!r})\n"
        "for n in range(0, 101, 5):\n"
        "    print(f'Copying files {n}%')\n"
        "    time.sleep(0.03)\n"
        f"print({own[1]!r}); time.sleep(0.6); print({own[2]!r})\n"
    )
    code, lines = _run_timed(tmp_path, CIS["octopus"][0], child)
    assert code == 0
    progress = [line for _, line in lines if line.startswith("##octopus[progress")]
    theirs = [line for line in progress if line in own]
    ours = [_octopus(line) for line in progress if line not in own]
    assert own[2] in theirs  # verbatim; throttled like progress, the last state arrives
    # Before the child took over, logtrim drove the bar from the upload lines; never after.
    assert ours and all(got and got[1].startswith("Uploading package") for got in ours), ours


def test_child_that_drives_the_azure_bar_gets_no_extra_messages(tmp_path: Path) -> None:
    own = "##vso[task.setprogress value=30;]Copying"
    child = (
        f"print({own!r})\n"
        "import time\n"
        "for n in range(0, 101, 10):\n"
        "    print(f'Uploading package {n}%'); time.sleep(0.05)\n"
    )
    code, lines = _run_timed(tmp_path, CIS["azure"][0], child)
    assert code == 0
    assert [line for _, line in lines if "task.setprogress" in line] == [own]


def test_the_final_state_comes_before_a_later_line_once_progress_lines_are_held(
    tmp_path: Path,
) -> None:
    """Once the budget shows no more progress lines, the indicator still follows them: its
    100% is sent before the warning the child wrote after it, not on a later tick."""
    child = (
        "import time\n"
        "for n in range(10, 101, 10):\n"
        "    print(f'Uploading {n}%')\n"
        "    for j in range(30): print(f'  chunk {n}-{j} sent')\n"
        "print('WARNING: service took 12s to stop', flush=True)\n"
        "time.sleep(1.0)\n"
    )
    argv = [sys.executable, "-m", "logtrim", "run", "--ci", "octopus", "--budget", "8kB"]
    argv += ["--verbatim", "0", "--progress-interval", "0", "--artifact", str(tmp_path / "a.zst")]
    proc = subprocess.run(
        [*argv, "--", sys.executable, "-c", child],
        env=clean_env(), capture_output=True, timeout=60, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0
    lines = proc.stdout.decode().splitlines()
    assert "[logtrim] progress lines are no longer shown as they come: their share is used" in lines
    states = [(i, got) for i, line in enumerate(lines) if (got := _octopus(line))]
    warning = lines.index("WARNING: service took 12s to stop")
    final = next(i for i, got in states if got[0] == 100)
    assert final < warning
    assert [got[0] for _, got in states] == sorted(got[0] for _, got in states)


def _run_unthrottled(
    tmp_path: Path, ci: str, env: dict[str, str], child: str
) -> subprocess.CompletedProcess[bytes]:
    """``logtrim run --ci CI --progress-interval 0 -- python -c CHILD``: every state sent."""
    return subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", ci, "--progress-interval", "0",
         "--artifact", str(tmp_path / "a.zst"), "--", sys.executable, "-c", child],
        env=clean_env(env), capture_output=True, timeout=60, cwd=tmp_path, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("ci", sorted(CIS))
def test_a_url_s_escapes_are_no_progress(tmp_path: Path, ci: str) -> None:
    """``%2030%25`` is a URL's escape, not 30%: an access log moves no CI's progress bar and
    counts as no progress line (before, it sent ``task.setprogress value=25``)."""
    env, parse = CIS[ci]
    child = (
        "print('GET /files/report%2030%25%20final.pdf 200')\n"
        "print('curl -o out https://example.com/a%2Fb%3Fc%3D1%26d%3D50%25')\n"
        "print('Uploading package 45%')\n"
    )
    result = _run_unthrottled(tmp_path, ci, env, child)
    assert result.returncode == 0
    found = [p for line in result.stdout.decode().splitlines() if (p := parse(line))]
    assert [percent for percent, _ in found] == [45]
    assert b"progress 1/1" in result.stdout + result.stderr


@pytest.mark.parametrize("ci", sorted(CIS))
def test_the_indicator_says_the_line_without_the_bar_it_draws(tmp_path: Path, ci: str) -> None:
    """pytest's rows of result marks padded to the terminal's width, a bar drawn between
    brackets, a structured logger's JSON record: the CI's indicator is a bar already, its
    message is the words and the count (before, Octopus showed 72 dots and 60 blanks)."""
    env, parse = CIS[ci]
    child = (
        "print('tests/test_api.py ' + '.' * 40 + 'F' + '.' * 20 + ' ' * 9 + '[ 50%]')\n"
        "print('.' * 30 + 's' + '.' * 40 + ' ' * 7 + '[100%]')\n"
        "print('[=====>      ] 45% Uploading web-1.4.2.zip')\n"
        'print(\'{"level": "info", "logger": "deploy", "msg": "Copying files 80%"}\')\n'
    )
    result = _run_unthrottled(tmp_path, ci, env, child)
    assert result.returncode == 0
    messages = [
        m for line in result.stdout.decode().splitlines() if (p := parse(line)) for m in p[1:]
    ]
    assert messages == [
        "tests/test_api.py [50%]",
        "[100%]",
        "45% Uploading web-1.4.2.zip",
        "Copying files 80%",  # a JSON record's message
    ]
