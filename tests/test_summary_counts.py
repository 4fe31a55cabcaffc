"""The summary's third line says only what happened, in the markers' words: "collapsed N
similar lines" when lines were collapsed, "held back for budget" when some were; never a
"collapsed 0 repeated lines" beside a failure tail's "... 40 similar lines ..."."""

from __future__ import annotations

import pytest
from conftest import RunLogtrim, py

from logtrim.engine.console.tally import Tally
from logtrim.engine.match.kinds import Kind

# 300 lines alike, then 3,000 that differ in a counter (collapsed as similar).
SIMILAR = """
for i in range(300):
    print("WARN connection reset, retrying")
for i in range(3000):
    print(f"INFO step {i} of the copy")
"""


def _third(console: bytes) -> list[str]:
    return [x for x in console.decode().splitlines() if x.startswith("[logtrim]   ")]


def test_collapsed_lines_are_counted_as_similar(run_logtrim: RunLogtrim) -> None:
    r = run_logtrim("--ci", "plain", "--budget", "40kB", "--", *py(SIMILAR))
    assert r.code == 0
    lines = _third(r.console)
    counted = [x for x in lines if "collapsed" in x]
    assert counted and "similar lines" in counted[0] and "repeated" not in counted[0]
    assert b"similar lines" in r.stdout.split(b"[logtrim] 3,300 lines")[0]  # the marker


@pytest.mark.parametrize(("collapsed", "held"), [(0, 5), (3, 0), (1, 1), (0, 0)])
def test_the_third_line_says_only_what_happened(collapsed: int, held: int) -> None:
    tally = Tally(collapsed=collapsed, held_lines=held, held_bytes=held * 100)
    tally.seen_lines[Kind.INFO] = tally.shown_lines[Kind.INFO] = 10
    lines = tally.summary(lines=10, nbytes=1000, console=1000, duration=1.0, archive=None,
                          archive_size=0, archived=1000)  # fmt: skip
    third = [x for x in lines if "collapsed" in x or "held back" in x]
    if not collapsed and not held:
        assert third == []
        return
    assert len(third) == 1
    assert ("collapsed" in third[0]) == bool(collapsed)
    assert ("held back for budget" in third[0]) == bool(held)
    if collapsed:
        similar = "similar line" if collapsed == 1 else "similar lines"
        assert f"collapsed {collapsed} {similar}" in third[0]
