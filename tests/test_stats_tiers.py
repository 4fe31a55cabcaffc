"""``stats`` counts each tier as ``run`` does: the same lines, the same tiers.

``stats``'s "By tier" table says how ``run`` would classify the lines; it takes each line's
tier from the engine's own rules and head (engine/stats/tiertally.py), so on any log its counts are
the run's "shown/seen" counts. A property on generated logs (in-process: the engine and
``stats`` on a real file), and the real commands on an archive.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import RunLogtrim, clean_env, examples, split
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim.engine.core import STDOUT, Core
from logtrim.engine.match.kinds import TIERS, Kind
from logtrim.engine.policy import Policy
from logtrim.logs.inputs import open_input
from logtrim.logs.stats import compute

_STAMPS = ["", "2026-01-01T00:00:{s:02d} ", "2026-01-01 00:00:{s:02d},120 ", "[00:00:{s:02d}] "]
_LEVELS = [
    "",
    "INFO  ",
    "INFO ",
    "WARN ",
    "WARNING: ",
    "ERROR ",
    "DEBUG ",
    "[info] ",
    "level=info ",
]
_TEXTS = [
    "processing item {n}",
    "Uploading package {n}%",
    "[{n}/40] Applying migration",
    "could not connect to db-{n}: connection refused",
    "Build finished: {n} errors",
    "ok={n} changed=1 failed={n}",
    "retrying in {n}s",
    "Traceback (most recent call last):",
    "  deployed {n} files",
    "\rDownloading {n}%\rDownloading 100%",
    "E   assert {n} == 12",
    "x" * 17_000 + " error",  # cut on run's console, but classified whole: an error
    "",
]

_line = st.builds(
    lambda stamp, level, text, n: (stamp + level + text).format(s=n % 60, n=n),
    st.sampled_from(_STAMPS),
    st.sampled_from(_LEVELS),
    st.sampled_from(_TEXTS),
    st.integers(0, 120),
)


def _run_counts(data: bytes, cuts: list[int]) -> dict[str, int]:
    """The run's "seen" count of each tier, ``data`` fed in the chunks ``cuts`` make."""
    core = Core(Policy())
    for chunk in split(data, cuts):
        core.feed(STDOUT, chunk, 0.0)
    core.finish_input(0.0)
    core.close(0, 1.0)
    seen = core.tally.seen_lines
    return {TIERS[k].name: n for k, n in seen.items() if n}


def _stats_counts(data: bytes) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.log"
        path.write_bytes(data)
        stats = compute([open_input(str(path))])
    return {k: n for k, n in stats.tier_lines.items() if n}


@settings(max_examples=examples(150))
@given(
    lines=st.lists(_line, min_size=1, max_size=60),
    repeat=st.integers(1, 30),
    newline_at_end=st.booleans(),
    cuts=st.lists(st.integers(0, 1 << 16), max_size=6),
)
def test_stats_tiers_are_the_runs_seen_counts(
    lines: list[str], repeat: int, newline_at_end: bool, cuts: list[int]
) -> None:
    # A line repeated (a flood, a retry loop) takes the run's bulk paths.
    lines = lines[:-1] + [lines[-1]] * repeat
    data = "\n".join(lines).encode() + (b"\n" if newline_at_end else b"")
    assert _stats_counts(data) == _run_counts(data, cuts)


def test_a_timestamped_info_log_is_info_in_both(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    log = tmp_path / "items.log"
    log.write_text("".join(f"2026-01-01T00:00:0{i} INFO  processing item {i}\n" for i in range(3)))
    r = run_logtrim("--ci", "plain", "--", "cat", str(log))
    assert r.artifact is not None
    assert "info 3/3" in r.console.decode()
    out = subprocess.run(
        [sys.executable, "-m", "logtrim", "stats", "--json", str(r.artifact)],
        env=clean_env(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    report = json.loads(out.stdout)
    assert report["tier_lines"] == {TIERS[Kind.INFO].name: 3}
    text = subprocess.run(
        [sys.executable, "-m", "logtrim", "stats", str(r.artifact)],
        env=clean_env(),
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    tier_rows = text.split("By tier")[1].split("\n\n")[0]
    assert "info" in tier_rows
    assert "detail" not in tier_rows


@settings(max_examples=examples(200), deadline=None)
@given(
    lines=st.lists(_line, min_size=1, max_size=30),
    cuts=st.lists(st.integers(0, 1 << 16), max_size=12),
    newline_at_end=st.booleans(),
)
def test_a_tally_in_any_chunks_is_the_tally_whole_and_keeps_only_a_long_lines_start(
    lines: list[str], cuts: list[int], newline_at_end: bool
) -> None:
    """Fed in pieces or at once, the counts are the same; of a line longer than ``whole``
    (17 kB here, against 8 kB) no more than its start is ever kept."""
    from logtrim.engine.stats.tiertally import TierTally
    from logtrim.logs.tiers import matcher

    data = "\n".join(lines).encode() + (b"\n" if newline_at_end else b"")
    whole = TierTally(matcher(), head=Policy.head, max_line=4096, whole=8192)
    whole.feed(data)
    whole.finish()
    pieces = TierTally(matcher(), head=Policy.head, max_line=4096, whole=8192)
    for chunk in split(data, cuts):
        pieces.feed(chunk)
        assert len(pieces._rest) <= 8192  # bounded memory, whatever the line
    pieces.finish()
    assert (pieces.lines, pieces.bytes) == (whole.lines, whole.bytes)
    assert sum(whole.bytes.values()) == len(data)
    # Told how many newlines each piece holds (stats knows it from its templates' split).
    told = TierTally(matcher(), head=Policy.head, max_line=4096, whole=8192)
    for chunk in split(data, cuts):
        told.feed(chunk, chunk.count(b"\n"))
    told.finish()
    assert (told.lines, told.bytes) == (whole.lines, whole.bytes)


def test_an_empty_plain_log_has_its_tier_lines_too(tmp_path: Path) -> None:
    """``stats --json`` of an empty log has ``tier_lines`` (no tiers): a reader of
    ``d["tier_lines"]`` got a KeyError."""
    (tmp_path / "empty.log").write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "stats", "--json", "empty.log"],
        cwd=tmp_path, capture_output=True, env=clean_env(), check=True,
    )  # fmt: skip
    assert json.loads(result.stdout)["tier_lines"] == {}
