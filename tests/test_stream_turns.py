"""The order of two pipes when a helper on the second core holds the chunks read
(run/aside.py's scans on the fallback engine, run/checker.py's baseline look-ups).

Two pipes carry no order between them; logtrim's reader keeps the one it can keep: the stream
being read goes on being read while it holds bytes, and the other stream's lines come after
them. With a helper, the engine took a chunk after the reader's turn had ended: a child's
burst of stdout lines and its last stderr line written meanwhile were read in either order,
and the error came out ahead of the forty lines written before it (3 runs in 8 on the fallback
engine, never on the compiled one).
"""

from __future__ import annotations

import sys

import pytest
from conftest import RunLogtrim

# kubectl's rollout as a script prints it: a first line, then (once ``seq`` ran) forty waits
# and the error on stderr at once.
_ROLLOUT = (
    "echo 'deployment.apps/shop-api image updated'\n"
    'for i in $(seq 1 40); do echo "Waiting for deployment rollout to finish: $i"; done\n'
    "echo 'error: deployment \"shop-api\" exceeded its progress deadline' >&2\n"
    "exit 1\n"
)


@pytest.mark.skipif(sys.platform != "linux", reason="the helper is forked (Linux)")
def test_a_burst_on_stdout_comes_before_the_stderr_line_written_after_it(
    run_logtrim: RunLogtrim,
) -> None:
    order = []
    for _ in range(6):
        r = run_logtrim("--ci", "plain", "--", "bash", "-c", _ROLLOUT, env={"LOGTRIM_ENGINE": "re"})
        assert r.code == 1
        lines = r.archive.decode().splitlines()
        order.append(next(i for i, line in enumerate(lines) if line.startswith("error:")))
    assert order == [41] * 6
