"""Unit tests of the sans-IO engine ``Core`` (issues 2 and 3), with an injected clock."""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Iterable
from typing import Any

import pytest
from conftest import split

from logtrim.dialects.octopus import Octopus
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.match.rules import Kind
from logtrim.engine.policy import Policy

Step = tuple[int, bytes, float]


def drive(
    core: Core, steps: Iterable[Step], *, exit_code: int | None = 0, end: float = 100.0
) -> tuple[bytes, dict[int, bytes]]:
    """Feed ``steps``; return (archive, {stream: console bytes}); close unless exit_code None."""
    archive = []
    console = {STDOUT: b"", STDERR: b""}

    def take(emits: list[tuple[int, bytes]]) -> None:
        for stream, data in emits:
            console[stream] += data

    for stream, data, now in steps:
        arch, emits = core.feed(stream, data, now)
        archive.append(arch)
        take(emits)
    arch, emits = core.finish_input(end)
    archive.append(arch)
    take(emits)
    if exit_code is not None:
        emits, _ = core.close(exit_code, end, archive="/tmp/a.zst", archive_name="a.zst",
                              archive_size=10)  # fmt: skip
        take(emits)
    return b"".join(archive), console


def noise(n: int, start: int = 0, word: str = "copying file") -> bytes:
    return b"".join(f"{word} {i:06d}.dat\n".encode() for i in range(start, start + n))


def core(**kwargs: Any) -> Core:
    """A core that filters from the first line: these tests are about what filtering shows
    (a small run is shown whole by default: tests/test_console.py)."""
    kwargs.setdefault("head", 0)
    kwargs.setdefault("verbatim", 0)
    return Core(Policy(**kwargs))


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (b"ERROR: could not connect to db-01", Kind.ERROR),
        (b"fatal: [web-01]: FAILED!", Kind.ERROR),
        (b"System.InvalidOperationException: boom", Kind.ERROR),
        (b"ValueError: invalid literal", Kind.ERROR),
        (b"npm ERR! code ELIFECYCLE", Kind.ERROR),
        (b"main.c:12: error: expected ';'", Kind.ERROR),
        (b"Traceback (most recent call last):", Kind.ERROR),
        (b"panic: runtime error: index out of range", Kind.ERROR),
        (b"WARNING: disk 91% full", Kind.WARNING),
        (b"Uploading package 45%", Kind.PROGRESS),
        (b"[12/40] Deploying web-03", Kind.PROGRESS),
        (b"=== Deploying release 1.4.2 ===", Kind.INFO),
        (b"Tests: 120 passed, 0 failed", Kind.INFO),
        (b"copying file 000001.dat", Kind.NOISE),
        (b"\x1b[31mERROR\x1b[0m: coloured", Kind.ERROR),
    ],
)
def test_classification(line: bytes, kind: Kind) -> None:
    """Each common line form lands in the tier a release engineer expects."""
    assert Core().classify(line) == kind


def test_noise_not_shown_errors_shown() -> None:
    """Noise goes to the archive only; an error is shown."""
    data = noise(50) + b"ERROR: boom\n" + noise(50, 50)
    archive, out = drive(core(context=0, after=0), [(STDOUT, data, 0.0)])
    assert archive == data
    assert b"ERROR: boom\n" in out[STDOUT]
    assert b"copying file 000010.dat" not in out[STDOUT]


def test_context_before_and_after_error() -> None:
    """An error comes with N lines before and a few after."""
    data = noise(50) + b"ERROR: boom\n" + noise(50, 50)
    _, out = drive(core(context=3, after=2), [(STDOUT, data, 0.0)], exit_code=0)
    text = out[STDOUT]
    for i in (47, 48, 49, 50, 51):
        assert f"copying file {i:06d}.dat\n".encode() in text
    assert b"copying file 000046.dat" not in text
    assert b"copying file 000052.dat" not in text
    assert text.index(b"000049") < text.index(b"ERROR: boom") < text.index(b"000050")


def test_gap_marker_counts_hidden_lines() -> None:
    """Between windows a marker says how many lines were hidden."""
    data = b"ERROR: one\n" + noise(1234) + b"ERROR: two\n"
    _, out = drive(core(context=0, after=0), [(STDOUT, data, 0.0)])
    assert b"1,234 lines" in out[STDOUT]
    assert b"not shown" in out[STDOUT]


def test_a_waiting_progress_line_shown_late_is_not_counted_as_not_shown() -> None:
    """A progress line that waited (throttled) and is shown before the next line leaves
    the gap: the marker before it counts only the lines really not on the console, those
    written before it (the console reads in the order written)."""
    progress = [b"%s [%3d%%]\n" % (b"." * 72, p) for p in (23, 47, 71, 95)]
    data = b"".join(
        [*progress, b"...F [100%]\n", b"=== FAILURES ===\n", b"___ test_vat ___\n", b"\n",
         b">   assert vat(100) == 120\n", b"E   AssertionError: VAT applied twice\n"]
    )  # fmt: skip
    _, out = drive(Core(Policy(budget=5000, head=0, verbatim=0)), [(STDOUT, data, 1.0)],
                   exit_code=1)  # fmt: skip
    console = out[STDOUT]
    for line in data.splitlines()[4:]:
        assert line in console
    # The three states the last one replaced, not the last one, counted above it.
    assert b"[logtrim] ... 3 lines (240 B) not shown ...\n...F [100%]\n=== FAILURES" in console


def test_overlapping_context_windows_merge() -> None:
    """Two errors close together share one window: no line is printed twice."""
    data = noise(20) + b"ERROR: a\n" + noise(2, 20) + b"ERROR: b\n" + noise(20, 22)
    _, out = drive(core(context=3, after=3), [(STDOUT, data, 0.0)])
    for i in range(17, 25):
        assert out[STDOUT].count(f"{i:06d}.dat".encode()) == 1, i


def test_context_from_other_stream_stays_on_its_stream() -> None:
    """Context lines keep the stream they came on."""
    steps = [(STDERR, b"stderr context line\n", 0.0), (STDOUT, b"ERROR: boom\n", 0.1)]
    _, out = drive(core(context=3), steps)
    assert b"stderr context line\n" in out[STDERR]
    assert b"stderr context line" not in out[STDOUT]


def test_stack_trace_block_kept() -> None:
    """Indented frames after an exception line stay with it."""
    trace = (
        b"Exception in thread main java.lang.IllegalStateException: x\n"
        + b"".join(f"\tat com.example.C{i}.m(C{i}.java:{i})\n".encode() for i in range(30))
        + b"Caused by: java.io.IOException: y\n\t... 12 more\n"
    )
    _, out = drive(core(context=0, after=0), [(STDOUT, noise(10) + trace + noise(10, 10), 0.0)])
    assert trace in out[STDOUT]


def test_head_lines_shown() -> None:
    """The first --head lines are shown even if they are noise."""
    data = b"alpha start\nbravo config\ncharlie ready\n" + noise(100)
    _, out = drive(core(head=3), [(STDOUT, data, 0.0)])
    assert out[STDOUT].startswith(b"alpha start\nbravo config\ncharlie ready\n")


def test_tail_on_failure_and_success() -> None:
    """A run ends with its last lines: ``tail`` of them on failure, ``success_tail`` on
    success (none when it is 0)."""
    _, ok = drive(core(tail=5, success_tail=2), [(STDOUT, noise(100), 0.0)], exit_code=0)
    _, off = drive(core(tail=5, success_tail=0), [(STDOUT, noise(100), 0.0)], exit_code=0)
    _, bad = drive(core(tail=5), [(STDOUT, noise(100), 0.0)], exit_code=1)
    assert b"copying file 000099.dat" not in off[STDOUT]
    assert b"copying file 000098.dat\ncopying file 000099.dat\n" in ok[STDOUT]
    assert b"copying file 000097.dat" not in ok[STDOUT]
    for i in range(95, 100):
        assert f"copying file {i:06d}.dat\n".encode() in bad[STDOUT]
    assert b"copying file 000094.dat" not in bad[STDOUT]


def test_repeat_collapse_with_count() -> None:
    """Runs of lines identical but for numbers collapse with a count of similar lines, the
    last of them shown; only the very same line is "repeated"."""
    data = b"".join(f"WARNING: retry {i} of host 10.0.0.{i % 9}\n".encode() for i in range(5000))
    _, out = drive(core(), [(STDOUT, data, 0.0)])
    assert out[STDOUT].count(b"WARNING: retry") == 2
    first = b"WARNING: retry 0 of host 10.0.0.0\n"
    assert first + b"[logtrim] ... 4,998 similar lines ...\n" in out[STDOUT]
    assert b"WARNING: retry 4999 of host 10.0.0.4\n" in out[STDOUT]
    assert b"repeated" not in out[STDOUT].split(b"[logtrim] 5,000 lines")[0]
    _, same = drive(core(), [(STDOUT, b"WARNING: retry\n" * 5000, 0.0)])
    assert same[STDOUT].count(b"WARNING: retry") == 1
    assert b"(repeated 4,999 more times)" in same[STDOUT]


def test_repeat_count_reemitted_periodically() -> None:
    """A long run of repeats re-emits its count, so the console never goes quiet."""
    steps = [(STDOUT, f"WARNING: retry {i}\n".encode(), float(i)) for i in range(200)]
    _, out = drive(core(), steps, exit_code=None)
    assert out[STDOUT].count(b"so far") >= 3


def test_progress_throttled_with_injected_clock() -> None:
    """Progress lines show about one per interval; the final state is always shown."""
    pol = core(progress_interval=5.0)
    shown = b""
    for p in range(101):
        _, emits = pol.feed(STDOUT, f"Uploading {p}%\n".encode(), p * 0.1)
        shown += b"".join(d for _, d in emits)
    assert shown.startswith(b"Uploading 0%\n")
    assert shown.count(b"Uploading") <= 3
    shown += b"".join(d for _, d in pol.tick(20.0))
    closing, _ = pol.close(0, 21.0)
    shown += b"".join(d for _, d in closing)
    assert b"Uploading 100%\n" in shown


def test_progress_throttle_per_stream() -> None:
    """Each stream has its own progress throttle."""
    c = core(progress_interval=5.0)
    _, a = c.feed(STDOUT, b"Uploading 1%\n", 0.0)
    _, b = c.feed(STDERR, b"Downloading 1%\n", 0.1)
    assert a and b


def test_heartbeat_when_quiet() -> None:
    """After --heartbeat seconds of silence one 'still running' line appears."""
    c = core(heartbeat=60.0)
    c.feed(STDOUT, noise(10), 0.0)
    assert b"still running" not in b"".join(d for _, d in c.tick(30.0))
    assert b"still running" in b"".join(d for _, d in c.tick(61.0))


def test_budget_tiers_drop_lowest_first() -> None:
    """When the budget runs low, warnings stop before errors, with a marker saying so."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    lines = []
    for i in range(3000):
        w = words[i % 6] + words[i % 5]
        lines.append(f"WARNING: {w} slow\n" if i < 1500 else f"ERROR: {w} broke\n")
    c = Core(Policy(budget=20_000, head=0, context=0, after=0))
    _, out = drive(c, [(STDOUT, "".join(lines).encode(), 0.0)], exit_code=1)
    text = out[STDOUT] + out[STDERR]
    assert len(text) <= 20_000
    assert b"warning lines are no longer shown" in text
    assert b"ERROR:" in text


@pytest.mark.slow
@pytest.mark.parametrize("budget", [2048, 5000, 50_000])
def test_budget_never_exceeded(budget: int) -> None:
    """Whatever the mix, console bytes stay within the budget."""
    data = (noise(2000) + b"ERROR: x failed\n" * 3 + b"WARNING: y\n" + b"Uploading 5%\n") * 20
    c = Core(Policy(budget=budget, head=10))
    _, out = drive(c, [(STDOUT, data, 0.0), (STDERR, data, 1.0)], exit_code=2)
    assert len(out[STDOUT]) + len(out[STDERR]) <= budget


def test_lines_split_across_chunks() -> None:
    """A line in several chunks is classified whole."""
    steps = [(STDOUT, b"ER", 0.0), (STDOUT, b"ROR: spl", 0.1), (STDOUT, b"it\nnext\n", 0.2)]
    archive, out = drive(core(context=0, after=0), steps)
    assert archive == b"ERROR: split\nnext\n"
    assert b"ERROR: split\n" in out[STDOUT]


def test_crlf_and_redraws() -> None:
    """CRLF lines and \\r progress redraws show their final state."""
    data = b"ERROR: crlf\r\nUploading 1%\rUploading 99%\r\n"
    _, out = drive(core(context=0, after=0), [(STDOUT, data, 0.0)])
    assert b"ERROR: crlf\n" in out[STDOUT]


def test_very_long_line_cut_on_console_exact_in_archive() -> None:
    """A line longer than max_line is cut on the console, whole in the archive."""
    line = b"ERROR: " + b"x" * 100_000 + b"\n"
    c = Core(Policy(head=0, max_line=1000), max_pending=4096)
    archive, out = drive(c, [(STDOUT, line[i : i + 3000], 0.0) for i in range(0, len(line), 3000)])
    assert archive == line
    assert len(out[STDOUT]) < 5000
    assert b"ERROR: xxx" in out[STDOUT]


LONG_LINE = base64.b64encode(random.Random(7).randbytes(3 << 20)) + b"\n"  # 4 MiB + 1


@pytest.mark.parametrize(
    "cuts",
    [
        [1 << 20, 2 << 20, 3 << 20, 4 << 20],  # the 1 MiB reads of run: the newline alone
        [1 << 20, 2 << 20, 3 << 20],  # the last read ends at the newline
        [1 << 20, 2 << 20, 3 << 20, (4 << 20) - 1],  # the newline after a byte of the line
    ],
    ids=["newline-alone", "read-ends-at-newline", "newline-with-a-byte"],
)
def test_long_lines_archived_whole_in_reads_of_run(cuts: list[int]) -> None:
    """Three lines of 4 MiB in the chunks ``run`` reads them in (the last piece and the
    newline of each in any way), a tick between reads: the archive is the output."""
    chunks = split(LONG_LINE, cuts)
    c = Core(Policy(head=0))
    archive, now = [], 0.0
    for _ in range(3):
        for chunk in chunks:
            archive.append(c.feed(STDOUT, chunk, now)[0])
            now += 0.3  # past the partial line's wait: the tick may show it
            c.tick(now)
    archive.append(c.finish_input(now)[0])
    assert b"".join(archive) == LONG_LINE * 3


def test_octopus_close_publishes_artifact() -> None:
    """With the Octopus dialect the closing lines end with a createArtifact."""
    c = Core(Policy(head=0), Octopus())
    _, out = drive(c, [(STDOUT, b"##octopus[stdout-verbose]\nx\n", 0.0)], exit_code=0)
    lines = out[STDOUT].splitlines()
    assert lines[-1].startswith(b"##octopus[createArtifact ")
    assert b"##octopus[stdout-default]" in lines


def test_progress_after_a_switch_to_verbose_in_the_same_chunk_stays_archive_only() -> None:
    """A level switch takes effect on the next line, even in the middle of a chunk."""
    chunk = (
        b"Uploading package 5%\n##octopus[stdout-verbose]\nUploading package 45%\n"
        b"Uploading package 90%\n##octopus[stdout-default]\ndone\n"
    )
    archive, out = drive(Core(Policy(head=0), Octopus()), [(STDOUT, chunk, 0.0)], exit_code=0)
    assert archive == chunk
    assert b"5%" in out[STDOUT]
    assert b"45%" not in out[STDOUT] and b"90%" not in out[STDOUT]


def test_context_before_an_error_that_starts_a_large_chunk() -> None:
    """The lines before an error come from the previous chunk even when the error's chunk
    alone holds more lines than the history keeps."""
    first = b"".join(b"step %d\n" % i for i in range(50)) + b"ctx-a\nctx-b\n"
    second = b"ERROR: deploy failed\n" + b"".join(b"after %d\n" % i for i in range(400))
    _, out = drive(core(context=2, after=0), [(STDOUT, first, 0.0), (STDOUT, second, 0.0)])
    assert b"ctx-a\nctx-b\nERROR: deploy failed\n" in out[STDOUT]


def test_the_last_lines_header_never_names_more_lines_than_the_run_wrote() -> None:
    """Node writes stdout to a pipe after its stderr: an error shown in part, then the
    build's stdout lines arrive and the tail takes them. Its window is the whole run, and its
    header says so (``last 200 lines`` over a run of 148 read as lines lost)."""
    frames = b"".join(
        b"    at Module._load%d (node:internal/modules/cjs/loader:1038:%d)\n" % (i, i)
        for i in range(12)
    )
    error = b"Error: Cannot find module './routes.json'\nRequire stack:\n" + frames
    rest = b"  code: 'MODULE_NOT_FOUND',\n}\n\nNode.js v20.20.2\n"
    steps = [
        (STDOUT, b"> shop-web@1.0.0 build\n> node build.js\n\n> bundling 120 modules\n", 1.0),
        (STDERR, error, 1.1),
        (STDOUT, noise(120, word="  bundled src/components/Widget"), 1.2),
        (STDERR, rest, 1.3),
    ]
    _, console = drive(Core(Policy(budget=4000)), steps, exit_code=1)
    text = (console[STDOUT] + console[STDERR]).decode()
    lines = sum(data.count(b"\n") for _, data, _ in steps)
    header = re.search(r"--- last (\d+) lines \(exit code 1\)", text)
    assert header is not None, text
    assert int(header.group(1)) <= lines
