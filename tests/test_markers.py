"""logtrim's own lines in the right place and counting the right things: a repeat count never
spans hidden lines, the summary's shown figure, the verbatim allowance's end between blocks.

Real child processes; the console as a user reads it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

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
    markers = [line for line in own if line.startswith(b"[logtrim] ...") and b"similar" in line]
    assert markers == [b"[logtrim] ... 8 similar lines ..."]
    assert not [line for line in own if b"(repeated" in line]


STEPS = """
import sys
for i in range(3000):
    level = "INFO" if i % 10 == 0 else "DEBUG"
    print(f"2026-12-03 10:57:48,854 {level} app: step {i} of 3000")
print("2026-12-03 10:57:48,947 ERROR app: deploy failed: health check timed out")
sys.exit(1)
"""


def test_a_marker_before_an_errors_context_counts_the_bytes_it_counts(
    run_logtrim: RunLogtrim,
) -> None:
    """The error at the end comes with its context, the lines just before it: the marker
    above that context counts the lines before it, and their bytes, not the context's too
    (it said ``4 lines (549 B)``: four lines' count, nine lines' bytes)."""
    r = run_logtrim("--ci", "plain", "--budget", "8KB", "--", *py(STEPS))
    assert r.code == 1
    written = r.archive.splitlines(keepends=True)
    console = r.stdout.splitlines(keepends=True)
    error = console.index(written[-1])
    marker = re.compile(rb"\[logtrim\] \.\.\. (\d+) lines? \((\d+) B\) not shown \.\.\.\n")
    # The marker right above the error's context, and the lines it stands for in the archive.
    at = max(i for i, line in enumerate(console[:error]) if marker.fullmatch(line))
    match = marker.fullmatch(console[at])
    assert match is not None
    before, after = written.index(console[at - 1]), written.index(console[at + 1])
    assert at + 1 < error  # the error came with context
    hidden = written[before + 1 : after]
    assert (int(match[1]), int(match[2])) == (len(hidden), sum(map(len, hidden)))


def test_earlier_lines_a_marker_counted_are_said_to_be_counted(run_logtrim: RunLogtrim) -> None:
    """The bundled failing deploy at a 10 kB budget: the lines just before the failing
    error, left out live, come back in the section of earlier lines; the marker above the
    error counted them, and that section's header now says so. Its lines aside, every line
    is in a count once: shown, or in a marker's count."""
    sample = Path(__file__).resolve().parent.parent / "samples" / "deploy.py"
    r = run_logtrim(
        "--budget", "10kB", "--tail", "50", "--", sys.executable, str(sample),
        "--lines", "50000", "--fail",
    )  # fmt: skip
    assert r.code == 3
    lines = r.console.decode().splitlines()
    header = "[logtrim] --- held back, written earlier, counted above as not shown ---"
    assert header in lines
    start = lines.index(header)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("[logtrim] ---"))
    rest = lines[:start] + lines[end:]
    counted = re.compile(r"\[logtrim\] \.\.\. ([\d,]+) (?:similar )?lines?\b")
    hidden = sum(int(m[1].replace(",", "")) for x in rest if (m := counted.match(x)))
    shown = sum(1 for x in rest if not x.startswith(("[logtrim]", "##")))
    summary = re.compile(r"\[logtrim\] ([\d,]+) lines \(")
    (total,) = [int(m[1].replace(",", "")) for x in rest if (m := summary.match(x))]
    assert shown + hidden == total


def test_the_note_that_errors_are_held_comes_after_the_lines_before_them(
    run_logtrim: RunLogtrim,
) -> None:
    """A build's warning, 3,000 lines of progress, then a compiler error the budget holds
    back for the tail: the note that error lines are held "from here on" comes after the
    marker of the lines written before it, not under the warning as if the error followed."""
    code = """import sys
print("-- The C compiler identification is GNU 12.2.0", flush=True)
print("-- Looking for pthread_create in pthreads - not found")
print("-- Configuring done")
print("-- Build files have been written to: /src/build")
mods = ["core", "net", "db", "ui", "api"]
n = 0
for m in mods:
    for i in range(1, 1001):
        n += 1
        pct = n * 100 // 5000
        print(f"[{pct:3d}%] Building CXX object src/{m}/CMakeFiles/{m}.dir/file{i:04d}.cpp.o")
        if m == "net" and i == 412:
            print(f"/src/{m}/file{i:04d}.cpp:88:12: warning: comparison of integer "
                  "expressions of different signedness: 'int' and 'size_t' [-Wsign-compare]")
            print(f"   88 |     if (n < buf.size()) {{")
            print(f"      |         ~~^~~~~~~~~~~~")
    print(f"[{pct:3d}%] Linking CXX static library lib{m}.a")
    print(f"[{pct:3d}%] Built target {m}")
print("[100%] Building CXX object src/app/CMakeFiles/app.dir/main.cpp.o")
print("/src/app/main.cpp: In function 'int main(int, char**)':", flush=True)
sys.stdout.flush()
print("/src/app/main.cpp:42:5: error: 'Server' was not declared in this scope; "
      "did you mean 'server'?", file=sys.stderr)
print("   42 |     Server s(cfg);", file=sys.stderr)
print("      |     ^~~~~~", file=sys.stderr)
print("      |     server", file=sys.stderr)
print("gmake[2]: *** [src/app/CMakeFiles/app.dir/build.make:76: "
      "src/app/CMakeFiles/app.dir/main.cpp.o] Error 1", file=sys.stderr)
print("gmake[1]: *** [CMakeFiles/Makefile2:412: src/app/CMakeFiles/app.dir/all] Error 2",
      file=sys.stderr)
print("gmake: *** [Makefile:136: all] Error 2", file=sys.stderr)
sys.exit(2)
"""
    r = run_logtrim("--ci", "plain", "--budget", "2kB", "--", *py(code))
    assert r.code == 2
    lines = r.stdout.decode().splitlines()
    note = next(i for i, line in enumerate(lines) if "are held for the end" in line)
    assert re.fullmatch(r"\[logtrim\] \.\.\. [\d,]+ lines \(.*\) not shown \.\.\.", lines[note - 1])
    assert "warning" not in lines[note - 1]


def test_a_folded_tail_with_earlier_lines_says_where_the_last_lines_start(
    run_logtrim: RunLogtrim,
) -> None:
    """Under GitHub the tail is a group titled as its header. With a section of earlier
    lines held back first, the header was left out inside too: the last lines ran on under
    "held back, written earlier". The header stays there, after that section."""
    sample = Path(__file__).resolve().parent.parent / "samples" / "deploy.py"
    r = run_logtrim(
        "--ci", "github", "--budget", "10kB", "--tail", "50", "--", sys.executable,
        str(sample), "--lines", "50000", "--fail",
    )  # fmt: skip
    assert r.code == 3
    lines = r.console.decode().splitlines()
    group = next(i for i, x in enumerate(lines) if x.startswith("::group::last"))
    title = lines[group][len("::group::") :]
    assert lines[group + 1].startswith("[logtrim] --- held back, written earlier")
    end = lines.index("::endgroup::", group)
    inside = lines[group + 2 : end]
    assert f"[logtrim] --- {title} ---" in inside
