"""``trim`` of a large plain log reads and scans it ahead in a forked process
(logtrim/logs/ahead.py): the same output and artifact as a trim in one process, whatever the
log, the chunk size, the matcher, and wherever the other process ends early.

Real files, real forks and real zstd; the sizes that pick the path are made small so that
small logs take it in many chunks.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import decode_zstd, examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim.engine.policy import Policy
from logtrim.logs import ahead, linechunks
from logtrim.logs.trim import TrimJob, trim_one

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no fork")

SECRET = b"s3cr3t-Pa55w0rd-ahead"
LINES = st.sampled_from(
    [
        b"2024-05-01 12:00:00 copying file %d.dat to /srv/app\n",
        b"ERROR: unit %d failed\n",
        b"WARNING: slow disk on node %d\n",
        b"Downloading %d%%\n",
        b"  at frame.py line %d\n",
        b"Traceback (most recent call last):\n",
        b"##octopus[stdout-verbose]\n",
        b"##octopus[stdout-default]\n",
        b"DEBUG value %d with " + SECRET + b"\n",
        b"x" * 3000 + b" error in a long line %d\n",
        b"no newline %d",
    ]
)


DECLARE = b"::add-mask::" + SECRET + b"\n"


def _log(lines: list[bytes], declare_at: int | None = None) -> bytes:
    """The lines numbered; the secret declared before line ``declare_at`` (None: never)."""
    if declare_at is not None:
        lines = [*lines[:declare_at], DECLARE, *lines[declare_at:]]
    return b"".join(line.replace(b"%d", b"%d" % i) for i, line in enumerate(lines))


def _trim(tmp: Path, src: Path, name: str, engine: str) -> tuple[bytes, bytes]:
    """The output and the artifact's bytes. ``name``: a directory of the same length each
    time (the artifact's path is printed, and the budget keeps room for it)."""
    (tmp / name).mkdir()
    out, art = tmp / name / "in.out", tmp / name / "in.zst"
    # Progress throttled every 2 kB read (the clock of trim: a second per MB): the chunks
    # fed, and where they end, count.
    policy = Policy(budget=4096, engine=engine, progress_interval=0.002)
    trim_one(TrimJob(str(src), str(out), str(art), policy))
    text = out.read_bytes().replace(str(tmp / name).encode(), b"DIR")
    return text, decode_zstd(art.read_bytes())


@settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    lines=st.lists(LINES, min_size=1, max_size=60),
    repeat=st.integers(20, 80),  # larger than the 8 kB peek at the start: read ahead
    declare_at=st.none() | st.integers(0, 3000),
    chunk=st.integers(64, 8192),
    ends_after=st.integers(0, 12),
    engine=st.sampled_from(["hyperscan", "re"]),
)
def test_a_trim_read_ahead_is_the_trim_in_one_process(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    lines: list[bytes],
    repeat: int,
    declare_at: int | None,
    chunk: int,
    ends_after: int,
    engine: str,
) -> None:
    tmp = tmp_path_factory.mktemp("ahead")
    src = tmp / "in.log"
    src.write_bytes(_log(lines * repeat, declare_at))
    monkeypatch.setattr(linechunks, "CHUNK", chunk)
    monkeypatch.setattr(linechunks, "MAX_LINE", 2 * chunk)
    monkeypatch.setattr(ahead, "spare_core", lambda: True)  # however busy the machine is
    monkeypatch.setattr(ahead, "MIN_SIZE", 1 << 60)
    monkeypatch.delenv("LOGTRIM_FAULT_SCANNER", raising=False)  # set by the example before
    one = _trim(tmp, src, "in-one", engine)
    monkeypatch.setattr(ahead, "MIN_SIZE", 0)
    assert _trim(tmp, src, "ahead1", engine) == one
    # The other process ends after some chunks: this one reads on, to the same output.
    monkeypatch.setenv("LOGTRIM_FAULT_SCANNER", str(ends_after))
    assert _trim(tmp, src, "failed", engine) == one


def test_the_other_process_scans_what_this_one_feeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunks come back with hits the engine takes (else the check above proves little)."""
    src = tmp_path / "in.log"
    errors = [b"ERROR: unit %d failed\n", b"fatal: host %d down\n", b"Exception in %d\n"]
    src.write_bytes(_log([b"copying %d\n"] * 5000 + errors))
    monkeypatch.setattr(linechunks, "CHUNK", 4096)
    monkeypatch.setattr(ahead, "MIN_SIZE", 0)
    monkeypatch.setattr(ahead, "spare_core", lambda: True)
    offered = []
    real = ahead._frame

    def frame(pipe: object) -> object:
        got = real(pipe)  # type: ignore[arg-type]
        if got is not None and got[0]:
            offered.append(got[1])
        return got

    monkeypatch.setattr(ahead, "_frame", frame)
    out, _ = _trim(tmp_path, src, "ahead", "auto")
    assert len(offered) > 10
    assert [hit for hits in offered for hit in hits], "the error lines' hits came back"
    assert b"ERROR: unit 5000 failed" in out and b"fatal: host 5001 down" in out
