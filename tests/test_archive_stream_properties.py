"""Hypothesis property of the archive of two streams: each line of it is one stream's, and
each stream's bytes are all there, in order, whatever the interleaving and chunking."""

from __future__ import annotations

import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.policy import Policy

pytestmark = pytest.mark.slow

SETTINGS = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Each stream its own letters, so an archive line tells whose it is; lines never empty.
OUT_LINES = st.sampled_from([b"copying a\n", b"ok\n", b"x" * 300 + b"\n", b"partial", b"p" * 400])
ERR_LINES = st.sampled_from([b"WARN B\n", b"ERROR: C\n", b"Y" * 300 + b"\n", b"PART", b"Q" * 400])


@st.composite
def writes(draw: st.DrawFn) -> list[tuple[int, bytes]]:
    """Chunks of the two streams in some arrival order (a line may come in several)."""
    out: list[tuple[int, bytes]] = []
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        stream = draw(st.sampled_from([STDOUT, STDERR]))
        line = draw(OUT_LINES if stream == STDOUT else ERR_LINES)
        cut = draw(st.integers(min_value=0, max_value=len(line)))
        out += [(stream, part) for part in (line[:cut], line[cut:]) if part]
    return out


@SETTINGS
@given(writes())
def test_archive_lines_never_mix_the_streams(chunks: list[tuple[int, bytes]]) -> None:
    """Each archive line is a run of one stream's bytes, ended by that stream's newline or
    by one logtrim adds (its line unended when the other stream's bytes came); read back,
    each stream's bytes are exactly what it wrote."""
    core = Core(Policy(budget=4096, head=3), max_pending=256)
    archive = b"".join(core.feed(stream, data, 0.0)[0] for stream, data in chunks)
    archive += core.finish_input(0.0)[0]
    written = {s: b"".join(d for t, d in chunks if t == s) for s in (STDOUT, STDERR)}
    read = {STDOUT: b"", STDERR: b""}
    for line in archive.splitlines(keepends=True):
        body = line.rstrip(b"\n")
        stream = STDOUT if body[:1].islower() else STDERR
        assert body.islower() if stream == STDOUT else body.isupper(), line  # one stream's
        rest = written[stream][len(read[stream]) :]
        # Its own newline, or one added: then the stream goes on with something else.
        taken = line if rest.startswith(line) else body
        assert rest.startswith(taken), line
        read[stream] += taken
    assert read == written
