"""The CI's own progress indicator (engine/service/native.py): readings, sequences, throttle.

Engine tests pass the time in; what logtrim writes is read back with the independent decoders.
"""

from __future__ import annotations

import io
import itertools
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import clean_env
from decoders import parse_azure, parse_teamcity
from hypothesis import given
from hypothesis import strategies as st
from octopus_decoder import decode, encode

import logtrim
from logtrim._errors import UsageError
from logtrim.cli.config import resolve
from logtrim.dialects import Dialect
from logtrim.dialects.azure import Azure
from logtrim.dialects.octopus import Octopus
from logtrim.dialects.teamcity import TeamCity
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.policy import Policy
from logtrim.engine.service.native import RESTART_BELOW, Reading, Sequence, read

# -- what a line says ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "percent", "end"),
    [
        (b"Uploading package 45%\n", 45, False),
        (b"Uploading package 100 %\n", 100, True),
        (b"Downloading 99.9% (12 MB/s)\n", 99, False),
        (b"[12/40] Deploying web-03\n", 30, False),
        (b"( 40 / 40 ) done\n", 100, True),
        (b"Copied 12 of 48 files\n", 25, False),
        # counts with thousands separators, read whole (2,000 of 9,400 had read as 0 of 9)
        (b"INFO  Copied 2,000 of 9,400 files\n", 21, False),
        (b"Copied 9,400 of 9,400 files\n", 100, True),
        (b"[1,500/3,000] migrating\n", 50, False),
        (b"\x1b[32mUploading 50%\x1b[0m\n", 50, False),
        (b"Uploading 1%\rUploading 2%\rUploading 77%\r\n", 77, False),  # what a terminal shows
    ],
)
def test_read_finds_the_progress_a_line_states(line: bytes, percent: int, end: bool) -> None:
    reading = read(line)
    assert reading is not None
    assert (reading.percent, reading.end) == (percent, end)


@pytest.mark.parametrize(
    "line",
    [
        b"disk usage grew 150%\n",
        b"[0/0] nothing to do\n",
        b"[5/3] odd\n",
        b"deploying web\n",
        b"Uploading -5%\n",  # a change, not how far: no progress of 5%
        b"cpu load +12% since the last release\n",
        b"3,5 of 9 are not counts\n",
        b"GET /files/report%2030%25%20final.pdf 200\n",  # a URL's escapes: bytes, no share
    ],
)
def test_read_ignores_what_is_not_progress(line: bytes) -> None:
    assert read(line) is None


def test_sequence_keys_keep_templates_and_totals_apart() -> None:
    def key(line: bytes) -> bytes:
        reading = read(line)
        assert reading is not None
        return reading.key

    assert key(b"Uploading package 10%") == key(b"Uploading package 90%")
    assert key(b"[1/40] web-01") == key(b"[2/40] web-02")
    assert key(b"[1/40] web-01") != key(b"[1/50] web-01")  # another total: another sequence
    assert key(b"Uploading package 10%") != key(b"Copying files 10%")
    # one count with a separator, the next without: one sequence
    assert key(b"Copied 500 of 9,400 files") == key(b"Copied 2,000 of 9,400 files")


# -- the sequence rules -----------------------------------------------------------------------


def _moves(values: list[tuple[bytes, int]]) -> list[int]:
    """The percentages of ``values`` (key, percent) that move the indicator."""
    sequence = Sequence()
    return [p for k, p in values if sequence.advance(Reading(p, k, p == 100))]


def test_within_a_sequence_only_forward() -> None:
    up = b"Uploading <n>%"
    assert _moves([(up, 10), (up, 40), (up, 30), (up, 40), (up, 55)]) == [10, 40, 55]


def test_a_fall_back_to_the_start_restarts() -> None:
    up = b"Uploading <n>%"
    assert _moves([(up, 60), (up, 20), (up, 3), (up, 15)]) == [60, 3, 15]


def test_an_end_then_anything_restarts_and_100_is_not_repeated() -> None:
    up = b"Uploading <n>%"
    assert _moves([(up, 90), (up, 100), (up, 100), (up, 40), (up, 70)]) == [90, 100, 40, 70]


def test_another_template_restarts() -> None:
    moves = _moves(
        [(b"Uploading a <n>%", 80), (b"Uploading b <n>%", 20), (b"Uploading a <n>%", 30)]
    )
    assert moves == [80, 20, 30]


@given(st.lists(st.integers(min_value=RESTART_BELOW, max_value=99), max_size=60))
def test_one_template_never_goes_back_without_a_restart(values: list[int]) -> None:
    """Above the restart threshold and short of the end, the indicator only moves forward."""
    moves = _moves([(b"k", v) for v in values])
    assert moves == sorted(set(moves))
    assert (max(values) in moves) if values else not moves


# -- the engine: throttle, order, budget, the child's own -------------------------------------


def _console(
    dialect: Dialect, lines: list[tuple[float, str]], *, interval: float = 1.0, **policy: object
) -> list[tuple[float, bytes]]:
    """Feed ``(time, line)`` one by one with a tick after each; every emit with its time."""
    core = Core(Policy(progress_interval=interval, head=0, **policy), dialect)  # type: ignore[arg-type]
    out: list[tuple[float, bytes]] = []
    now = 0.0
    for now, line in lines:
        _, emits = core.feed(STDOUT, line.encode() + b"\n", now)
        out += [(now, data) for _, data in emits + core.tick(now)]
    emits, _ = core.close(0, now + 0.01)
    return out + [(now + 0.01, data) for _, data in emits]


def _upload(step: float = 0.1, stop: int = 101) -> list[tuple[float, str]]:
    lines: list[tuple[float, str]] = []
    for i, n in enumerate(range(0, stop)):
        lines += [(i * step, f"Uploading package {n}%"), (i * step, f"chunk {n} sent")]
    return lines


def _octopus_sent(console: list[tuple[float, bytes]]) -> list[tuple[float, int]]:
    found = []
    for at, data in console:
        line = data.decode().rstrip("\n")
        if line.startswith("##octopus[progress"):
            found.append((at, int(decode(line).attrs["percentage"])))
    return found


def test_at_most_one_per_interval_latest_state_wins_ending_at_100() -> None:
    console = _console(Octopus(), _upload())
    sent = _octopus_sent(console)
    times = [at for at, _ in sent]
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(times)), times
    percents = [p for _, p in sent]
    assert percents == sorted(set(percents)) and percents[-1] == 100
    assert 9 <= len(sent) <= 12  # ten seconds of upload, one interval each


def test_each_message_follows_the_line_it_summarises() -> None:
    lines = [data.decode().rstrip("\n") for _, data in _console(Octopus(), _upload())]
    for index, line in enumerate(lines):
        if line.startswith("##octopus[progress"):
            message = decode(line).attrs["message"]
            assert message in lines[:index]


def test_the_last_state_is_sent_at_the_end_of_the_run() -> None:
    """A state still waiting when the child exits is sent before logtrim's closing lines."""
    lines = _upload(step=0.01, stop=60)[:-1]  # well within one interval: the rest waits
    sent = _octopus_sent(_console(Octopus(), lines))
    assert [p for _, p in sent][-1] == 59


@pytest.mark.parametrize("stop", [60, 101])
def test_a_waiting_state_is_never_sent_after_a_later_line(stop: int) -> None:
    """A state that waits is sent before the next line of stdout or dropped, as a progress
    message of the child's: a message after a later line would say an old state; the end of
    a sequence (100) is not dropped."""
    lines = _upload(step=0.01, stop=stop)  # each state followed by a line, within the interval
    console = [data.decode().rstrip("\n") for _, data in _console(Octopus(), lines)]
    written = [line for _, line in lines]
    sent = 0
    for index, line in enumerate(console):
        if line.startswith("##octopus[progress"):
            sent += 1
            source = written.index(decode(line).attrs["message"])
            assert not set(console[:index]) & set(written[source + 1 :]), line
    assert sent and (stop < 101 or _octopus_sent(_console(Octopus(), lines))[-1][1] == 100)


@pytest.mark.parametrize(
    ("last", "percents"),
    [
        # An error next: the bar shows how far the rollout got (66%), not its first state.
        ('error: deployment "shop-api" exceeded its progress deadline', [0, 66]),
        # An info line next: a later state may follow; the one that waits is dropped.
        ("+ kubectl get pods -n prod", [0]),
    ],
)
def test_a_waiting_state_goes_before_an_error(last: str, percents: list[int]) -> None:
    """kubectl's rollout (``0 of 3``, ``1 of 3``, ``2 of 3`` within a second), then its
    error: the bar was left at 0%, the one state sent, though nothing later replaced it."""
    rollout = 'Waiting for deployment "shop-api" rollout to finish: {} of 3 updated replicas...'
    lines = [(0.1 * i, rollout.format(n)) for i, n in enumerate([0, 0, 1, 1, 2])]
    lines += [(0.6, last), (0.7, "+ helm rollback shop-api 41")]
    console = _console(Octopus(), lines)
    assert [p for _, p in _octopus_sent(console)] == percents
    text = [data.decode() for _, data in console]
    if len(percents) > 1:  # sent right before the error, not after it
        assert text.index(last + "\n") == 1 + next(
            i for i, t in enumerate(text) if "percentage='NjY='" in t
        )


def test_budget_pays_for_the_messages() -> None:
    """Counted like logtrim's own lines: a budget that is spent stops them."""
    core = Core(Policy(budget=4096, progress_interval=0.0, head=0), Octopus())
    for n in range(101):
        core.feed(STDOUT, f"Uploading package {n}% {'x' * 40}\n".encode(), float(n))
        core.tick(float(n))
    assert core.native.sent < 100
    assert core.budget.used <= core.budget.total


def test_the_bar_moves_on_after_the_budget_stops_progress_lines() -> None:
    """Progress lines are the first tier the budget stops showing; the bar still moves."""
    core = Core(Policy(budget=20_000, progress_interval=1.0, head=0), Octopus())
    for i in range(200):
        name = chr(97 + i % 26) * (1 + i // 26)  # another template each: no repeats
        core.feed(STDOUT, f"Deployed {name} in 1.2s, all checks green\n".encode(), 0.0)
    emits = []
    for n in range(101):
        _, out = core.feed(STDOUT, f"Uploading package {n}%\n".encode(), n * 0.1)
        emits += out + core.tick(n * 0.1)
    shown = [d for _, d in emits]
    assert b"Uploading package 50%\n" not in shown  # the tier is stopped
    sent = _octopus_sent([(0.0, d) for d in shown])
    assert len(sent) >= 9 and sent[-1][1] == 100


@given(
    st.lists(
        st.tuples(st.floats(min_value=0.0, max_value=2.0), st.integers(RESTART_BELOW, 99)),
        max_size=80,
    )
)
def test_engine_sends_forward_only_and_one_per_interval(steps: list[tuple[float, int]]) -> None:
    """Whatever the pace and the values of one sequence short of its end (no restart):
    forward only, one per interval."""
    lines, now = [], 0.0
    for delay, percent in steps:
        now += delay
        lines.append((now, f"Uploading package {percent}%"))
    sent = _octopus_sent(_console(Octopus(), lines))
    percents = [p for _, p in sent]
    assert percents == sorted(set(percents))
    times = [at for at, _ in sent[:-1]]  # the last may be the state sent as the run ends
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(times))
    if steps and steps[-1][1] == max(p for _, p in steps):
        assert percents[-1] == steps[-1][1]  # the final state arrives (the latest line wins)


def test_the_child_driving_the_indicator_stops_ours() -> None:
    own = encode("progress", percentage="50", message="Deploying")
    lines = _upload(stop=30) + [(3.0, own)] + [(3.0 + t, s) for t, s in _upload(stop=100)[60:]]
    console = _console(Octopus(), lines)
    progress = [d.decode().rstrip("\n") for _, d in console if d.startswith(b"##octopus[progress")]
    mine = progress[: progress.index(own)]
    assert mine and own in progress
    assert progress[progress.index(own) + 1 :] == []  # nothing of ours after the child's


def test_the_child_of_another_ci_does_not_stop_ours() -> None:
    """Under Azure an Octopus progress message drives no Azure bar: logtrim still does."""
    own = encode("progress", percentage="50", message="Deploying")
    lines = [(0.0, own), *_upload(stop=50)]
    console = [d.decode() for _, d in _console(Azure(), lines)]
    assert any(line.startswith("##vso[task.setprogress") for line in console)


@pytest.mark.parametrize("dialect", [Dialect(), Octopus()], ids=["plain", "octopus-off"])
def test_none_where_there_is_no_indicator_or_it_is_off(dialect: Dialect) -> None:
    console = _console(dialect, _upload(), native_progress=not isinstance(dialect, Octopus))
    assert not [d for _, d in console if d.startswith(b"##")]


def test_secrets_are_masked_in_the_message() -> None:
    lines = [(0.0, "Uploading to https://u:hunter22@feed/ 5%"), (2.0, "Uploading 100%")]
    console = _console(Octopus(), lines, masks=("hunter22",))
    messages = [decode(d.decode().rstrip("\n")).attrs["message"] for _, d in console
                if d.startswith(b"##octopus[progress")]  # fmt: skip
    assert messages and all("hunter22" not in m for m in messages)
    assert "********" in messages[0] or "***" in messages[0]


TRICKY = "Uploading 'pkg|v2' [a]; x%y ]é\t50%"


def _first(console: list[tuple[float, bytes]], prefix: str) -> str:
    return next(d.decode().rstrip("\n") for _, d in console if d.decode().startswith(prefix))


@pytest.mark.parametrize(
    ("dialect", "prefix", "read_back"),
    [
        (Octopus(), "##octopus[", lambda line: (
            decode(line).attrs["percentage"], decode(line).attrs["message"])),
        (Azure(), "##vso[", lambda line: (
            parse_azure(line).props["value"], parse_azure(line).data)),
        (TeamCity(), "##teamcity[", lambda line: ("50", parse_teamcity(line).data)),
    ],
    ids=["octopus", "azure", "teamcity"],
)  # fmt: skip
def test_escaping_reads_back_exactly(
    dialect: Dialect, prefix: str, read_back: Callable[[str], tuple[str, str]]
) -> None:
    line = _first(_console(dialect, [(0.0, TRICKY)]), prefix)
    assert "\n" not in line
    assert read_back(line) == ("50", TRICKY)


def test_stderr_progress_drives_it_too() -> None:
    core = Core(Policy(progress_interval=1.0, head=0), TeamCity())
    _, emits = core.feed(STDERR, b"[3/4] Deploying web-03\n", 0.0)
    assert emits[-1] == (STDOUT, b"##teamcity[progressMessage '|[3/4|] Deploying web-03']\n")


# -- the front ends ---------------------------------------------------------------------------


def test_handler_keyword(tmp_path: Path) -> None:
    for native, expected in ((True, 1), (False, 0)):
        logger = logging.getLogger(f"native.{native}")
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
        console = io.StringIO()
        handler = logtrim.LogtrimHandler(
            tmp_path / f"{native}.log.zst", ci="azure", stream=console, native_progress=native
        )
        logger.addHandler(handler)
        logger.info("Uploading package 100%")
        handler.close()
        logger.removeHandler(handler)
        assert console.getvalue().count("##vso[task.setprogress value=100;]") == expected


def test_trim_sends_none_even_under_a_ci(tmp_path: Path) -> None:
    """``trim`` writes a file, not to a CI: no progress message, whatever the environment."""
    log = tmp_path / "deploy.log"
    log.write_text("".join(f"Uploading package {n}%\n" for n in range(101)))
    for env in ({"TF_BUILD": "True"}, {"OctopusCalamariWorkingDirectory": "."}):
        proc = subprocess.run(
            [sys.executable, "-m", "logtrim", "trim", str(log), "-o", "-"],
            env=clean_env(env), capture_output=True, timeout=60, cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert b"Uploading package" in proc.stdout
        assert b"##" not in proc.stdout


def test_the_switch_from_every_source(tmp_path: Path) -> None:
    """One setting: config key, ``LOGTRIM_NATIVE_PROGRESS`` and the flag, in that order."""
    assert resolve({}, {}, tmp_path).policy([]).native_progress is True
    (tmp_path / "logtrim.toml").write_text("native-progress = false\n")
    assert resolve({}, {}, tmp_path).native_progress is False
    assert resolve({}, {"LOGTRIM_NATIVE_PROGRESS": "on"}, tmp_path).native_progress is True
    settings = resolve({"native_progress": False}, {"LOGTRIM_NATIVE_PROGRESS": "1"}, tmp_path)
    assert settings.policy([]).native_progress is False
    with pytest.raises(UsageError, match="LOGTRIM_NATIVE_PROGRESS: bad value"):
        resolve({}, {"LOGTRIM_NATIVE_PROGRESS": "maybe"}, tmp_path)
    (tmp_path / "logtrim.toml").write_text("native-progress = 1.5\n")
    with pytest.raises(UsageError, match=r"logtrim\.toml: bad value for native-progress"):
        resolve({}, {}, tmp_path)
