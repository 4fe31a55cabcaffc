"""logtrim's own lines in the right place and counting the right things: a repeat count never
spans hidden lines, the summary's shown figure, the verbatim allowance's end between blocks.

Real child processes; the console as a user reads it.
"""

from __future__ import annotations

import re

from conftest import RunLogtrim, py

OWN = b"[logtrim] "

APP = """
import logging
logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("etl")
for i in range(1, 20001):
    log.debug("row %d loaded", i)
    if i % 5000 == 0:
        log.info("progress %d/20000", i)
log.info("Deployment finished OK")
"""


def test_a_repeat_count_ends_at_hidden_lines(run_logtrim: RunLogtrim) -> None:
    """INFO progress lines with thousands of hidden DEBUG lines between them: each is shown,
    none is folded into a ``(repeated N more times)`` that would span the hidden lines."""
    r = run_logtrim("--verbatim", "0", "--", *py(APP))
    assert r.code == 0
    lines = r.stderr.splitlines()  # logging writes to stderr; logtrim keeps the stream
    shown = [line for line in lines if b" INFO etl: progress " in line]
    assert [line.split(b"progress ")[1] for line in shown] == [
        f"{i}/20000".encode() for i in (5000, 10000, 15000, 20000)
    ]
    # logtrim's own lines are on stdout: the gaps between the progress lines are counted
    # there, and no count but the head's (its DEBUG rows before any gap: similar, as they
    # differ in their numbers, never "repeated")
    own = r.stdout.splitlines()
    gaps = [line for line in own if re.match(rb"\[logtrim\] \.\.\. 5,000 lines .* not shown", line)]
    assert len(gaps) == 3
    assert [line for line in own if b"similar" in line] == [b"[logtrim] ... 8 similar lines ..."]
    assert not [line for line in own if b"(repeated" in line]
