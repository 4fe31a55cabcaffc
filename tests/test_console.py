"""The console a person sees on everyday runs (issue 14): real child processes, real tools.

Each test runs ``logtrim run`` around a real child and asserts what the console shows: small
runs whole, every run ending with its last lines, each stream in order with every line at
most once, collapse markers in place, logtrim's own lines at the default level, service
messages in order, archive-only lines kept off the console, interrupted runs reported.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TAKEN, RunLogtrim, clean_env, py
from octopus_decoder import child_message_lines, encode, messages

OWN = b"[logtrim] "


def child_lines(console: bytes) -> list[bytes]:
    """The console's lines that are not logtrim's own."""
    return [line for line in console.splitlines() if not line.startswith(OWN)]


def in_order(shown: list[bytes], written: list[bytes]) -> bool:
    """Whether ``shown`` is a subsequence of ``written``: each line once, in order."""
    it = iter(written)
    return all(any(line == w for w in it) for line in shown)


# -- small runs whole ------------------------------------------------------------------------

SMALL = (
    'echo start; for i in $(seq 1 50); do echo "copy file $i"; done; echo "Deployment finished OK"'
)


def test_small_run_is_shown_whole(run_logtrim: RunLogtrim) -> None:
    """A run under the verbatim allowance: the console is its output plus the closing lines."""
    result = run_logtrim("--", "bash", "-c", SMALL)
    assert result.code == 0
    assert child_lines(result.stdout) == result.archive.splitlines()
    assert result.stdout.startswith(result.archive)  # nothing of ours in between
    assert b"Deployment finished OK\n[logtrim] 52 lines" in result.stdout


@pytest.mark.skipif(not shutil.which("make") or not shutil.which("cc"), reason="no make/cc")
def test_small_failing_make_is_shown_whole(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """``make`` on a broken C file: every line of both streams, in order, nothing twice."""
    (tmp_path / "main.c").write_text("int main(void) { return undefined_symbol + 1 }\n")
    (tmp_path / "Makefile").write_text(
        "main.o: main.c\n"
        '\t@for i in $$(seq 1 40); do echo "checking header $$i.h"; done\n'
        "\tcc -Wall -c main.c\n"
    )
    result = run_logtrim("--", "make", cwd=tmp_path)
    assert result.code == 2
    assert sorted(child_lines(result.console)) == sorted(result.archive.splitlines())
    assert b"make: *** [Makefile:3: main.o] Error 1\n" in result.stderr


def test_past_the_allowance_one_line_says_filtering_starts(run_logtrim: RunLogtrim) -> None:
    """Past the allowance, filtering starts and one line says so; before it, all is shown."""
    code = "for i in range(400): print(f'copying file {i:05d}.dat')"
    result = run_logtrim("--verbatim", "2kB", "--", *py(code))
    lines = result.stdout.splitlines()
    passed = [line for line in lines if b"from here on only what matters" in line]
    assert len(passed) == 1
    before = lines[: lines.index(passed[0])]
    assert before == [f"copying file {i:05d}.dat".encode() for i in range(len(before))]
    assert len(b"\n".join(before)) > 1900
    assert b"copying file 00200.dat" not in result.stdout


def test_filtering_note_never_splits_a_stack_trace(run_logtrim: RunLogtrim) -> None:
    """The allowance runs out inside a traceback: the note comes after its last line."""
    code = (
        "import sys\n"
        "for i in range(45): print(f'step {i:03d} done ok')\n"
        "print('Traceback (most recent call last):')\n"
        "for i in range(12): print(f'  File /app/mod{i}.py, line {i}, in f{i}')\n"
        "print('ValueError: the price is negative')\n"
        "for i in range(300): print(f'cleanup {i:03d}')\n"
        "sys.exit(1)\n"
    )
    result = run_logtrim("--verbatim", "1kB", "--", *py(code))
    lines = result.stdout.splitlines()
    note = next(i for i, line in enumerate(lines) if b"from here on only what matters" in line)
    trace = lines.index(b"Traceback (most recent call last):")
    error = lines.index(b"ValueError: the price is negative")
    assert trace < error < note  # the whole trace, as written, before the note
    assert all(b"File" in line for line in lines[trace + 1 : error])
    assert len(lines[trace + 1 : error]) == 12


@pytest.mark.parametrize("ci", ["plain", "octopus"])
def test_summary_counts_the_childs_bytes_not_logtrims(run_logtrim: RunLogtrim, ci: str) -> None:
    """``shown N lines (X B printed)``: X is what the child wrote that reached the console, not
    logtrim's own notes, gap markers and level switches around them."""
    code = (
        "import sys\n"
        "for i in range(300): print(f'copying file {i:05d}.dat')\n"
        "print('WARNING: disk 91% full')\n"
        "for i in range(300): print(f'copying more {i:05d}.dat')\n"
        "print('ERROR: copy failed')\n"
        "sys.exit(4)\n"
    )
    result = run_logtrim("--ci", ci, "--verbatim", "0", "--tail", "3", "--", *py(code))
    lines = result.stdout.splitlines(keepends=True)
    end = next(i for i, line in enumerate(lines) if b"; shown " in line)
    child = [line for line in lines[:end] if child_lines(line)]
    assert any(line.startswith(b"[logtrim]") for line in lines[:end])  # our notes were there
    summary = lines[end].rstrip()
    shown = sum(len(line) for line in child)
    assert f"shown {len(child)} lines ({shown} B printed, ".encode() in summary, (summary, child)


def test_archive_only_lines_stay_off_a_small_run(run_logtrim: RunLogtrim) -> None:
    """Within the allowance too, lines under ``stdout-verbose`` go to the archive only."""
    code = (
        "print('visible one')\nprint('##octopus[stdout-verbose]')\n"
        "print('VERBOSE detail')\nprint('##octopus[stdout-default]')\nprint('visible two')"
    )
    result = run_logtrim("--ci", "octopus", "--", *py(code))
    assert b"VERBOSE detail" not in result.console
    assert b"VERBOSE detail\n" in result.archive
    assert child_message_lines(result.stdout)[:2] == [
        b"##octopus[stdout-verbose]",
        b"##octopus[stdout-default]",
    ]
    lines = result.stdout.splitlines()
    gap = next(i for i, line in enumerate(lines) if line.endswith(b"not shown ..."))
    # logtrim's marker is not itself verbose: it comes once the child's own switch is back to
    # the default, which makes switches of logtrim's around it needless.
    assert lines[: gap + 2] == [
        b"visible one",
        b"##octopus[stdout-verbose]",
        b"##octopus[stdout-default]",
        b"[logtrim] ... 1 line (15 B) not shown ...",
        b"visible two",
    ]


def test_no_level_of_the_childs_is_restored_after_it_left_it(run_logtrim: RunLogtrim) -> None:
    """A switch back to the default inside a line too long to hold (after ``\\r``), the
    line's own text hidden: the marker of what is hidden comes after that switch, and the
    level the child left is not switched on again around logtrim's lines."""
    code = (
        "import os\n"
        "os.write(1, b'##octopus[stdout-warning]\\n')\n"
        "os.write(1, b'z' * 1_500_000 + b'\\n')\n"
        "os.write(1, b'r' * 3_000_000 + b'\\r##octopus[stdout-default]\\rtext\\n')\n"
        "os.write(1, b'plain line after default\\n')\n"
    )
    result = run_logtrim("--ci", "octopus", "--budget", "2kB", "--", *py(code))
    switches = [line for line in result.stdout.splitlines() if line.startswith(b"##octopus[std")]
    assert switches == [b"##octopus[stdout-warning]", b"##octopus[stdout-default]"]


# -- every run ends with its last lines ------------------------------------------------------


def test_success_ends_with_its_last_lines(run_logtrim: RunLogtrim) -> None:
    """A successful run's last lines are shown after a marker counting what was held back."""
    code = (
        "for i in range(1, 41): print(f'[{i}/40] Applying migration {i:03d}')\n"
        "for i in range(424): print(f'copying asset {i:05d}.js')\n"
        "print('shop-api 4.12 is live on web-01')"
    )
    result = run_logtrim("--verbatim", "0", "--", *py(code))
    assert result.code == 0
    lines = result.stdout.splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith(b"[logtrim] 465 lines"))
    assert lines[end - 1] == b"shop-api 4.12 is live on web-01"
    header = lines.index(b"[logtrim] --- last 20 lines ---")
    assert b"not shown ..." in lines[header - 1]
    assert header < end - 1
    assert child_lines(result.stdout) == [
        line for line in result.archive.splitlines() if line in child_lines(result.stdout)
    ]


_TITLES = [(0, b"last 8 lines"), (2, b"last 8 lines (exit code 2)")]


@pytest.mark.parametrize(("exit_code", "title"), _TITLES)
def test_the_last_lines_header_names_as_many_lines_as_follow_it(
    run_logtrim: RunLogtrim, exit_code: int, title: bytes
) -> None:
    """When the lines left to tell are fewer than the tail's count (the lines before them were
    shown), the header names that many: ``last 20 lines`` over 8 reads as 12 lost. A CI's
    group around a failure's last lines has the same title."""
    code = (
        "for i in range(3000): print(f'copying file {i} of 3000 to /srv/app/asset_{i}.js')\n"
        "print('WARNING: cache directory missing, recreating')\n"
        "for i in range(1, 9): print(f'finishing step {i}')\n"
        f"raise SystemExit({exit_code})"
    )
    result = run_logtrim("--ci", "github", "--budget", "20kB", "--", *py(code))
    assert result.code == exit_code
    lines = result.stdout.splitlines()
    # A failure's tail is folded: the group's title is its header (said once).
    header = lines.index(
        (b"::group::" if exit_code else b"[logtrim] --- ") + title + (b"" if exit_code else b" ---")
    )
    assert lines[header + 1 : header + 9] == [b"finishing step %d" % i for i in range(1, 9)]
    assert lines[header - 1] == b"WARNING: cache directory missing, recreating"
    assert b"last 20 lines" not in result.stdout and b"last 200 lines" not in result.stdout


def test_no_console_ends_mid_stream_without_a_marker(run_logtrim: RunLogtrim) -> None:
    """With no success tail, the hidden end is still counted by a marker."""
    code = "print('ERROR: first')\nfor i in range(300): print(f'copying {i:05d}.dat')"
    result = run_logtrim("--verbatim", "0", "--success-tail", "0", "--", *py(code))
    before_summary = result.stdout.split(b"[logtrim] 301 lines")[0].splitlines()
    assert before_summary[-1].endswith(b"not shown ...")


# -- order and markers -----------------------------------------------------------------------

PYTEST_FILE = """
import pytest

@pytest.mark.parametrize("i", range(300))
def test_ok(i):
    assert i >= 0

@pytest.mark.parametrize("i", range(200))
def test_more(i):
    assert i >= 0

def test_invoice_total():
    assert 1 + 1 == 3, "invoice total mismatch"
"""


@pytest.mark.parametrize("verbatim", ["0", "auto"])
def test_pytest_run_each_line_once_in_order(
    run_logtrim: RunLogtrim, tmp_path: Path, verbatim: str
) -> None:
    """A 501-test pytest run: no line twice, none out of order; the summary comes last."""
    (tmp_path / "test_many.py").write_text(PYTEST_FILE)
    argv = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "test_many.py"]
    result = run_logtrim("--ci", "octopus", "--verbatim", verbatim, "--", *argv, cwd=tmp_path)
    assert result.code == 1
    shown = [line for line in child_lines(result.stdout) if not line.startswith(b"##octopus[")]
    assert in_order(shown, result.archive.splitlines())
    for test in (b"test_ok[299]", b"test_more[199]", b"test_more[195]", b"test_ok[0]"):
        assert sum(test + b" " in line for line in shown) <= 1
    assert shown[-1].startswith(b"=") and b"1 failed, 500 passed" in shown[-1]


def run_merged(tmp_path: Path, *args: str) -> bytes:
    """``logtrim run ARGS`` with its stdout and stderr in one pipe, as a CI log has them."""
    argv = [sys.executable, "-m", "logtrim", "run", "--artifact", str(tmp_path / "m.log.zst")]
    return subprocess.run(
        [*argv, *args], env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=60, check=False, cwd=tmp_path,
    ).stdout  # fmt: skip


def test_collapse_marker_right_after_its_repeats(tmp_path: Path) -> None:
    """The marker counting similar lines, and the last of them, come before any later line,
    the other stream's too."""
    code = TAKEN + (
        "import sys\n"
        "for i in range(9): print(f'checking header {i}.h', flush=True)\n"
        "taken(1)\n"
        "print('make: *** [Makefile:7: main.o] Error 1', file=sys.stderr, flush=True)\n"
        "taken(2)\n"
        "for i in range(200): print(f'copy {i:05d}.dat', flush=True)\n"
        "sys.exit(2)"
    )
    lines = run_merged(tmp_path, "--verbatim", "0", "--head", "12", "--", *py(code)).splitlines()
    assert lines[:4] == [
        b"checking header 0.h",
        b"[logtrim] ... 7 similar lines ...",
        b"checking header 8.h",
        b"make: *** [Makefile:7: main.o] Error 1",
    ]


def test_own_lines_at_the_default_level(run_logtrim: RunLogtrim) -> None:
    """Under a child's ``stdout-highlight``, logtrim switches to the default level for its own
    lines and back to the child's after them: Octopus never highlights our marker."""
    code = (
        "print('##octopus[stdout-highlight]')\n"
        "for i in range(300): print(f'Deployed web-{i:03d}')\n"
        "print('##octopus[stdout-default]')"
    )
    result = run_logtrim("--ci", "octopus", "--verbatim", "0", "--", *py(code))
    lines = result.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(OWN))
    assert lines[first - 1] == b"##octopus[stdout-default]"
    after = next(i for i in range(first, len(lines)) if not lines[i].startswith(OWN))
    assert lines[after] == b"##octopus[stdout-highlight]"
    assert lines[after + 1 :].count(b"##octopus[stdout-default]") == 1  # the child's own


# -- service messages in order ---------------------------------------------------------------


def test_throttled_progress_never_after_a_later_message(run_logtrim: RunLogtrim) -> None:
    """A throttled progress message is dropped or printed before the next shown line."""
    code = (
        f"print({encode('progress', percentage='10', message='a')!r})\n"
        f"print({encode('progress', percentage='20', message='b')!r})\n"
        "print('##octopus[stdout-warning]')\n"
        "print('WARNING: disk 91% full')\n"
        "print('##octopus[stdout-default]')\n"
        "import time; time.sleep(0.6)"
    )
    result = run_logtrim("--ci", "octopus", "--", *py(code))
    lines = [line for line in result.stdout.splitlines() if not line.startswith(OWN)]
    warning = lines.index(b"##octopus[stdout-warning]")
    second = encode("progress", percentage="20", message="b").encode()
    assert second not in lines[warning:]
    assert lines[:warning] in ([encode("progress", percentage="10", message="a").encode()],
                               [encode("progress", percentage="10", message="a").encode(),
                                second])  # fmt: skip


# -- archive only ----------------------------------------------------------------------------


@pytest.mark.parametrize("verbatim", ["0", "auto"])
def test_verbose_lines_never_reach_the_failure_tail(run_logtrim: RunLogtrim, verbatim: str) -> None:
    """Lines written in ``stdout-verbose`` mode stay archive only, failure tail included."""
    code = (
        "print('##octopus[stdout-verbose]')\n"
        "for i in range(30): print(f'VERBOSE resolving package {i}')\n"
        "print('##octopus[stdout-default]')\n"
        "print('Step failed')\nraise SystemExit(3)"
    )
    result = run_logtrim("--ci", "octopus", "--verbatim", verbatim, "--", *py(code))
    assert result.code == 3
    assert b"VERBOSE resolving" not in result.console
    assert b"VERBOSE resolving package 29\n" in result.archive
    assert b"Step failed\n" in result.stdout


# -- interrupted runs ------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_reports_duration_and_signal(tmp_path: Path, sig: signal.Signals) -> None:
    """Interrupted after 2 s: the summary says so, with the real duration."""
    argv = [sys.executable, "-m", "logtrim", "run", "--artifact", str(tmp_path / "a.log.zst")]
    code = "import time\nprint('waiting', flush=True)\ntime.sleep(30)"
    proc = subprocess.Popen(
        [*argv, "--", *py(code)], env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the command runs: from here, 2 s (start-up not counted)
    assert first == b"waiting\n"
    time.sleep(2)
    proc.send_signal(sig)
    rest, _ = proc.communicate(timeout=30)
    lines = rest.splitlines()
    summary = next(line for line in lines if re.match(rb"\[logtrim\] \d+ lines? ", line))
    seconds = float(summary.split(b" in ")[1].split(b"s")[0])
    assert 1.9 <= seconds < 15
    assert f"interrupted by {sig.name}".encode() in summary


# -- stats: one line shape, one template -----------------------------------------------------


def _stats(path: Path, columns: int = 100) -> str:
    env = clean_env({"COLUMNS": str(columns)})
    argv = [sys.executable, "-m", "logtrim", "stats", str(path)]
    done = subprocess.run(argv, env=env, capture_output=True, check=True, timeout=60)
    return done.stdout.decode()


def test_stats_merges_templates_differing_in_one_token(tmp_path: Path) -> None:
    """Lines of one shape over five components are one template, the component ``<*>``;
    the suggested ``--drop`` matches every one of them (info lines: detail is archive only
    already, and gets no suggestion)."""
    import hashlib

    components = ["Octopus.Core", "Serilog.Sinks", "Newtonsoft.Json", "Azure.Storage", "Polly"]
    lines = []
    for i in range(5000):
        digest = hashlib.sha256(str(i).encode()).hexdigest()
        lines.append(
            f"INFO {i} extracting {components[i % 5]}/lib/net8.0/{digest[:8]}/"
            f"{digest[8:20]}.dll ({1000 + i * 7} bytes) sha256={digest} in {i % 900} ms"
        )
    lines += [f"{i} INFO step {i} of the deployment started" for i in range(300)]
    log = tmp_path / "extract.log"
    log.write_text("\n".join(lines) + "\n")
    report = _stats(log, columns=200)
    row = next(r for r in report.splitlines() if "extracting <*>" in r)
    assert "<*>" in row
    assert float(row.split("%")[0].split()[-1]) > 90  # one row: nearly all the bytes
    assert "... in <n> ms" not in row and row.endswith("in <n> ms")  # the whole template
    regex = re.search(r"--drop '(.*)'", report)
    assert regex is not None
    dropped = [line for line in lines if re.search(regex.group(1), line)]
    assert len(dropped) == 5000


def test_stats_pytest_padding_is_one_template(tmp_path: Path) -> None:
    """pytest -v pads its progress column: the PASSED lines are still one template."""
    (tmp_path / "test_many.py").write_text(PYTEST_FILE)
    argv = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "test_many.py"]
    out = subprocess.run(argv, cwd=tmp_path, capture_output=True, check=False, timeout=120).stdout
    log = tmp_path / "pytest.log"
    log.write_bytes(out)
    rows = [r for r in _stats(log).splitlines() if "PASSED" in r and "█" in r]
    assert len(rows) == 1
    assert " 500 " in rows[0]


def test_stats_template_column_uses_the_terminal_width(tmp_path: Path) -> None:
    """Two long templates that differ at their end are told apart on a wide terminal."""
    head = "npm http fetch GET 200 https://registry.npmjs.org/@scope/some-long-package-name"
    log = tmp_path / "npm.log"
    tails = ("(cache hit)", "(cache revalidated from the network)")
    log.write_text("".join(f"{head} {i}ms {tail}\n" for i in range(50) for tail in tails))
    narrow = [r for r in _stats(log, 80).splitlines() if "npm http" in r and "█" in r]
    wide = [r for r in _stats(log, 200).splitlines() if "npm http" in r and "█" in r]
    assert len({r.split("  ")[-1] for r in wide}) == len(wide) == 2
    assert max(len(r) for r in narrow) <= 80 < max(len(r) for r in wide)


def test_trim_of_a_small_log_is_the_log_whole(tmp_path: Path) -> None:
    """``trim`` reads the same way: a log under the allowance comes out whole."""
    log = tmp_path / "small.log"
    log.write_bytes(b"".join(f"copy file {i}\n".encode() for i in range(30)))
    argv = [sys.executable, "-m", "logtrim", "trim", str(log)]
    out = subprocess.run(argv, env=clean_env(), capture_output=True, check=True).stdout
    assert out.startswith(log.read_bytes() + b"[logtrim] 30 lines")
    cut = subprocess.run([*argv, "--verbatim", "0"], env=clean_env(), capture_output=True).stdout
    assert b"copy file 29\n" in cut  # its last lines
    assert cut.count(b"\n") < 30


def test_getting_started_deploy_ends_with_its_success(run_logtrim: RunLogtrim) -> None:
    """The getting-started step, run without ``--fail``: its end is on the console."""
    sample = Path(__file__).resolve().parent.parent / "samples" / "deploy.py"
    result = run_logtrim("--", sys.executable, str(sample))
    assert result.code == 0
    lines = result.stdout.splitlines()
    summary = next(
        i for i, line in enumerate(lines) if re.match(rb"\[logtrim\] [\d,]+ lines ", line)
    )
    assert re.search(rb"INFO  Deployment of shop-api .* succeeded$", lines[summary - 1])
    # The lines held back before it are counted: nothing disappears silently.
    marked = [i for i, line in enumerate(lines[:summary]) if line.endswith(b"not shown ...")]
    assert marked and marked[-1] < summary - 1


def test_a_trailing_command_keeps_the_tail_and_is_never_the_reason(
    run_logtrim: RunLogtrim,
) -> None:
    """A service message at the end of a failed run (a setVariable, GitHub's ::endgroup::)
    neither hides the last lines nor becomes the failure reason."""
    code = (
        "for i in range(500): print(f'unpacking chunk {i}')\n"
        "print('giving up: the release directory is locked by pid 4242')\n"
        "print(\"##octopus[setVariable name='U3RhdHVz' value='ZmFpbGVk']\")\n"
        "raise SystemExit(1)\n"
    )
    result = run_logtrim("--ci", "octopus", "--verbatim", "0", "--", *py(code))
    assert result.code == 1
    assert b"giving up: the release directory is locked by pid 4242" in result.stdout
    reasons = [m.attrs["message"] for m in messages(result.stdout) if m.name == "resultMessage"]
    assert reasons == ["giving up: the release directory is locked by pid 4242"]


def test_a_command_ended_by_a_signal_says_so(run_logtrim: RunLogtrim) -> None:
    """A command killed by a signal: the reason names the signal, not its last line."""
    result = run_logtrim("--", "bash", "-c", "echo hi; kill -SEGV $$")
    assert result.code == 139
    assert b"[logtrim] failed (exit 139): terminated by SIGSEGV" in result.stdout


@pytest.mark.parametrize(
    ("written", "signal", "reason"),
    [
        # A program that aborts itself says why on stderr first: C++'s uncaught exception
        # (libstdc++'s two lines), a failed assertion, a message of its own.
        (
            "terminate called after throwing an instance of 'std::runtime_error'\n"
            "  what():  config /etc/shop/app.yaml: missing key 'db.host'\n",
            "SIGABRT",
            "what():  config /etc/shop/app.yaml: missing key 'db.host'",
        ),
        ("release 7 is locked by deploy 4411\n", "SIGABRT", "release 7 is locked by deploy 4411"),
        ("", "SIGABRT", "terminated by SIGABRT"),
        # A signal from outside: the program's last line says nothing of it.
        ("release 7 is locked by deploy 4411\n", "SIGTERM", "terminated by SIGTERM"),
    ],
)
def test_a_program_that_aborts_itself_is_named_by_what_it_wrote_last(
    run_logtrim: RunLogtrim, written: str, signal: str, reason: str
) -> None:
    code = (
        "import os, signal, sys\nprint('loading config', flush=True)\n"
        f"sys.stderr.write({written!r}); sys.stderr.flush()\n"
        f"signal.signal(signal.{signal}, signal.SIG_DFL); os.kill(os.getpid(), signal.{signal})\n"
    )
    result = run_logtrim("--", *py(code))
    assert result.code == 128 + {"SIGABRT": 6, "SIGTERM": 15}[signal]
    assert f"[logtrim] failed (exit {result.code}): {reason}\n".encode() in result.stdout


def test_default_archive_names_never_collide(tmp_path: Path) -> None:
    """Two runs in the same second get two archives: the first is never overwritten."""
    from logtrim.cli.options import default_artifact

    for _ in range(3):  # a new second may begin between the two calls: try again
        first = default_artifact(["deploy.sh"], tmp_path)
        first.write_bytes(b"the first run's archive")
        second = default_artifact(["deploy.sh"], tmp_path)
        if first.name[:-8] == second.name[: len(first.name) - 8]:
            assert second != first
            assert second.read_bytes() == b""  # reserved: created empty, exclusively
            assert first.read_bytes() == b"the first run's archive"
            assert second.name.endswith("-2.log.zst")
            return
    pytest.fail("the clock moved on every time")


@pytest.mark.parametrize("verbatim", ["0", "auto"])
def test_error_lines_inside_a_traceback_count_as_errors_shown(
    run_logtrim: RunLogtrim, tmp_path: Path, verbatim: str
) -> None:
    """Every error line of a traceback is on the console, so the summary says the errors were
    all shown, whether the trace came past the allowance (shown as its error's context) or
    within it (as written)."""
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, format='%(asctime)s %(levelname)s %(message)s')\n"
        "for i in range(2000): logging.debug('invoice %d charged', i)\n"
        "def charge(): raise ConnectionError('gateway refused')\n"
        "try:\n"
        "    charge()\n"
        "except Exception:\n"
        "    logging.error('invoice could not be charged', exc_info=True)\n"
        "    sys.exit(4)\n"
    )
    script = tmp_path / "charge.py"  # a file: its traceback quotes the line that raised
    script.write_text(code)
    result = run_logtrim("--verbatim", verbatim, "--", sys.executable, str(script))
    assert result.code == 4
    console = result.console.decode()
    assert "raise ConnectionError('gateway refused')" in console
    assert "ConnectionError: gateway refused" in console
    counts = re.search(r"shown/seen: errors ([\d,]+)/([\d,]+)", console)
    assert counts is not None, console
    assert counts.group(1) == counts.group(2), counts.group(0)


def test_error_lines_in_the_failure_tail_count_as_errors_shown(run_logtrim: RunLogtrim) -> None:
    """The summary's "errors N/M" counts every error line on the console, also those the
    failure tail shows (held back live by the budget), and "tail" only the other lines."""
    code = (
        "import sys\n"
        "w = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima'.split()\n"
        "for i in range(3000): print(f'copy file {i} to the place where it goes')\n"
        "for i in range(300):\n"
        "    print(f'ERROR: cannot copy {w[i % 12]} {w[i // 12 % 12]} {w[i // 144]}: disk full')\n"
        "for i in range(30): print(f'cleanup step {w[i % 12]}')\n"
        "sys.exit(2)\n"
    )
    result = run_logtrim("--ci", "plain", "--budget", "40kB", "--", *py(code))
    assert result.code == 2
    console = result.stdout.decode()
    shown = [ln for ln in console.splitlines() if ln.startswith("ERROR: cannot copy")]
    counts = re.search(r"shown/seen: errors ([\d,]+)/([\d,]+).* · tail ([\d,]+)", console)
    assert counts is not None, console
    assert int(counts.group(1).replace(",", "")) == len(shown) > 0
    assert int(counts.group(2).replace(",", "")) == 300
    cleanup = sum(1 for ln in console.splitlines() if ln.startswith("cleanup step"))
    assert int(counts.group(3).replace(",", "")) == cleanup


def test_the_summary_counts_add_up_to_the_lines_shown(run_logtrim: RunLogtrim) -> None:
    """``shown N lines`` is the sum of the parts the next line names: kept lines and the
    child's service messages included."""
    code = (
        "import sys\n"
        "print('##octopus[stdout-default]')\n"
        "print('RELEASE 2024.5 starts')\n"
        "for i in range(3000): print(f'copy file {i} to the place where it goes')\n"
        "print('WARNING: disk almost full')\n"
        "print(\"##octopus[setVariable name='eA==' value='eQ==']\")\n"
        "print('error: the copy failed')\n"
        "sys.exit(1)\n"
    )
    result = run_logtrim(
        "--ci", "octopus", "--keep", "^RELEASE", "--budget", "40kB", "--", *py(code)
    )
    console = result.stdout.decode()
    total = re.search(r"shown ([\d,]+) lines", console)
    parts = re.search(r"shown/seen: (.*)", console)
    assert total is not None and parts is not None, console
    counts = re.findall(r"(?:^| · )[a-z ]+ ([\d,]+)", parts.group(1))
    assert sum(int(c.replace(",", "")) for c in counts) == int(total.group(1).replace(",", ""))
    assert "kept 1/1" in parts.group(1)
    assert "service messages 2/2" in parts.group(1)


def test_keep_rule_holds_for_another_systems_command(run_logtrim: RunLogtrim) -> None:
    """A line with another CI's marker is text under ``--ci octopus``: its tier comes from
    every rule but the markers, ``--keep`` rules included (it was dropped under budget)."""
    script = (
        'for i in $(seq 1 2000); do echo "copy $i"; done; '
        'echo "note ##vso[task.complete] MUSTSEE-42"; '
        'for i in $(seq 1 2000); do echo "copy $i"; done'
    )
    result = run_logtrim(
        "--ci", "octopus", "--budget", "3kB", "--keep", "MUSTSEE-[0-9]+", "--", "bash", "-c", script
    )
    assert result.code == 0
    assert b"note ##vso[task.complete] MUSTSEE-42\n" in result.stdout


# (child, the marker it would print, what is shown in its place)
_INSTEAD_OF_MARKERS = [
    # java.util.logging writes a header line above each record: each was left out behind a
    # marker longer than the line (``... 1 line (35 B) not shown ...``, 41 bytes).
    (
        "for i in range(300):\n"
        "    print(f'Dec 04, 2026 4:57:{i % 60:02d} AM Chain main')\n"
        "    print(f'INFO: Bean{i} initialised in {i * 3} ms with 12 properties')\n",
        "1 line (35 B) not shown",
        "Dec 04, 2026 4:57:12 AM Chain main\nINFO: Bean12 initialised",
    ),
    # Two short lines under each warning (``  ok``) behind a marker four times their size:
    # the console was half markers.
    (
        "for i in range(400):\n"
        "    print(f'2026-12-04 10:00:{i % 60:02d} WARNING disk usage {50 + i % 40}% on "
        "node-{i}')\n"
        "    print('  ok')\n"
        "    print('  ok')\n",
        "2 lines (10 B) not shown",
        "on node-40\n  ok\n  ok\n2026-12-04 10:00:41 WARNING disk usage 51% on node-41",
    ),
    # Mocha's expected and actual values, between a failed assertion's message and the
    # stack frames shown under it: the very values that failed, behind a marker.
    (
        "for i in range(600): print(f'    ok computes price for quantity {i}')\n"
        "print('  1 failing\\n\\n  1) pricing\\n       applies VAT correctly:\\n\\n'\n"
        "      '      AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:'\n"
        "      '\\n\\n12 !== 12.5\\n\\n      + expected - actual\\n\\n      -12\\n      +12.5\\n'\n"
        "      '      \\n      at Context.<anonymous> (test/app.test.js:11:12)\\n'\n"
        "      '      at process.processImmediate (node:internal/timers:483:21)\\n\\n'\n"
        "      '  2) pricing\\n       loads catalog:\\n'\n"
        "      '     SyntaxError: Unexpected end of JSON input\\n'\n"
        "      '      at JSON.parse (<anonymous>)')\n"
        "for i in range(300): print(f'    ok applies discount {i}')\n",
        "4 lines (30 B) not shown",
        "      + expected - actual\n\n      -12\n      +12.5\n      \n      at Context.",
    ),
]


@pytest.mark.parametrize(("code", "marker", "shown"), _INSTEAD_OF_MARKERS)
def test_lines_shorter_than_their_marker_are_shown_instead(
    run_logtrim: RunLogtrim, code: str, marker: str, shown: str
) -> None:
    """Up to four lines left out that cost no more than the marker that would say so are
    shown instead of it."""
    r = run_logtrim("--ci", "plain", "--budget", "20kB", "--", *py(code))
    assert r.code == 0 and len(r.console) <= 20_000
    out = r.stdout.decode()
    assert marker not in out
    after = out.split("output passed", 1)[1]
    assert shown in after


def test_a_python_warning_is_shown_among_noise(run_logtrim: RunLogtrim) -> None:
    """``warnings.warn(..., FutureWarning)`` in a long run: Python prints the warning's line
    (``file:line: FutureWarning: message``) and its source line; the warning is shown, not
    only its source line (``  warnings.warn(``)."""
    code = (
        "import sys, warnings\n"
        "for i in range(3000): print(f'copy asset {i:05d} -> /srv/www/static/app.{i}.js',\n"
        "                            file=sys.stderr)\n"
        "warnings.warn('Please update to setuptools v70.1 or later', FutureWarning)\n"
        "sys.stderr.flush()\n"
        "for i in range(3000): print(f'copy asset {i:05d} -> /srv/www/media/img.{i}.png',\n"
        "                            file=sys.stderr)\n"
    )
    r = run_logtrim("--budget", "20kB", "--", *py(code))
    assert r.code == 0
    assert b"FutureWarning: Please update to setuptools v70.1 or later\n" in r.stderr


GO_PANIC = (
    "panic: runtime error: invalid memory address or nil pointer dereference\n"
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6b1a2f]\n"
    "\n"
    "goroutine 47 gp=0xc000002380 m=0 mp=0x5c4f40 [running]:\n"
    "testing.tRunner.func1()\n"
    "\t/usr/local/go/src/testing/testing.go:1634 +0x377\n"
    "panic({0x8a3e40?, 0xd0c5a0?})\n"
    "\t/usr/local/go/src/runtime/panic.go:770 +0x132\n"
    "example.com/op/controller.(*Reconciler).sync(0x0, {0xc0001a4000, 0x7})\n"
    "\t/src/controller/reconcile.go:212 +0x4f\n"
    "example.com/op/controller.(*Reconciler).Run.func1()\n"
    "\t/src/controller/reconcile.go:98 +0x85\n"
    "created by example.com/op/controller.(*Reconciler).Run in goroutine 1\n"
    "\t/src/controller/reconcile.go:95 +0x1c5\n"
)


def test_a_go_panic_is_shown_with_the_frames_of_its_goroutine(run_logtrim: RunLogtrim) -> None:
    """A Go nil dereference between long stretches of output: the panic, its signal line,
    its goroutine's header and every frame (the function that panicked first) are shown
    together, not the header alone with the frames held back or left out."""
    code = (
        "import sys, time\n"
        "for i in range(1500): print(f'2025/03/14 09:21:07 reconciled object default/cm-{i}')\n"
        "sys.stdout.flush(); time.sleep(0.2)\n"
        f"for line in {GO_PANIC!r}.splitlines(True): sys.stderr.write(line); sys.stderr.flush()\n"
        "time.sleep(0.2)\n"
        "for i in range(400): print(f'2025/03/14 09:21:08 shutdown: closed watcher {i}')\n"
        "sys.exit(2)\n"
    )
    r = run_logtrim("--budget", "20kB", "--", *py(code))
    assert r.code == 2
    assert GO_PANIC.encode() in r.stderr


DOTNET_FAILURE = (
    '  Failed Shop.Tests.OrderTests.Total_IncludesVat(country: "DE") [14 ms]\n'
    "  Error Message:\n"
    "   Assert.Equal() Failure: Values differ\n"
    "Expected: 119.00m\n"
    "Actual:   100.00m\n"
    "  Stack Trace:\n"
    "     at Shop.Domain.Orders.Order.get_Total() in /src/Shop.Domain/Orders/Order.cs:line 57\n"
    "   at Shop.Tests.OrderTests.Total_IncludesVat(String country) in /src/OrderTests.cs:line 42\n"
)


def test_a_test_runner_s_frames_under_its_stack_trace_heading_are_shown(
    run_logtrim: RunLogtrim,
) -> None:
    """``dotnet test`` prints a failure's message, its values and a ``Stack Trace:`` heading
    before the frames: the frames are the trace, shown with it, not counted in a marker of
    the passing tests after them."""
    code = (
        "for i in range(2000): print(f'  Passed Shop.Tests.CartTests.Case_{i} [3 ms]')\n"
        f"print({DOTNET_FAILURE!r}, end='')\n"
        "for i in range(500): print(f'  Passed Shop.Tests.PricingTests.Case_{i} [3 ms]')\n"
        "raise SystemExit(1)\n"
    )
    r = run_logtrim("--budget", "100kB", "--", *py(code))
    assert r.code == 1
    assert DOTNET_FAILURE.encode() in r.stdout


def test_a_suite_of_failures_keeps_their_names_over_their_frames(run_logtrim: RunLogtrim) -> None:
    """30 failing ``dotnet test`` cases, 40 frames each, at 20 kB: every failure's name is on
    the console; only the first ones get their frames (a few each), which would otherwise
    fill the budget and push the later failures out."""
    code = (
        "for t in range(30):\n"
        "    for i in range(50): print(f'  Passed Shop.Tests.Cart.Case_{t}_{i} [3 ms]')\n"
        "    print(f'  Failed Shop.Tests.Orders.Total_{t} [14 ms]')\n"
        "    print('  Error Message:')\n"
        "    print('   Assert.Equal() Failure: Values differ')\n"
        "    print('  Stack Trace:')\n"
        "    for f in range(40):\n"
        "        print(f'     at Shop.Domain.Layer{f}.Call() in /src/L{f}.cs:line {f}')\n"
        "raise SystemExit(1)\n"
    )
    r = run_logtrim("--budget", "20kB", "--", *py(code))
    assert r.code == 1
    shown = r.stdout.decode()
    assert all(f"Failed Shop.Tests.Orders.Total_{t} [14 ms]" in shown for t in range(30))
    assert "at Shop.Domain.Layer0.Call() in /src/L0.cs:line 0" in shown


def test_drop_in_the_part_shown_whole_leaves_no_marker_per_line(run_logtrim: RunLogtrim) -> None:
    """``--drop`` where every line is shown (the verbatim part, the head) is the user's cut,
    as ``grep -v``: no ``... 1 line not shown ...`` per line dropped (40 bytes for each 8-byte
    line), and the summary counts them. The console is smaller than without the rule."""
    code = "for i in range(1, 501):\n    print(f'noise {i}')\n    print(f'other {i}')"
    dropped = run_logtrim("--drop", "^noise", "--", *py(code))
    whole = run_logtrim("--", *py(code))
    assert dropped.code == whole.code == 0
    lines = dropped.stdout.splitlines()
    assert [line for line in lines if not line.startswith(OWN)] == [
        b"other %d" % i for i in range(1, 501)
    ]
    assert b"not shown" not in dropped.stdout
    assert b"; 500 lines dropped (--drop)" in dropped.stdout
    assert len(dropped.stdout) < len(whole.stdout)
    assert dropped.archive == whole.archive  # the archive has every line


def test_a_dropped_line_is_never_the_failure_reason(run_logtrim: RunLogtrim) -> None:
    """``--drop`` never shows a line: not as the failure reason either (a dropped error line
    was named in the closing line)."""
    code = (
        "print('ERROR: cache miss storm (noise)')\n"
        "print('Error: deployment target web-03 unreachable')\n"
        "print('ERROR: boom noise')\n"
        "raise SystemExit(3)"
    )
    result = run_logtrim("--drop", "noise", "--", *py(code))
    assert result.code == 3
    assert b"noise" not in result.stdout
    assert b"[logtrim] failed (exit 3): Error: deployment target web-03 unreachable" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("ci", "command"),
    [
        ("octopus", "##octopus[setVariable name='UmI=' value='VHJ1ZQ==']"),
        ("github", "::notice::done"),
    ],
)
def test_the_last_lines_header_names_what_follows_before_a_closing_command(
    run_logtrim: RunLogtrim, ci: str, command: str
) -> None:
    """A CI's command the step prints after its last lines (a ``setVariable``, a notice) is no
    line of the stream: the header still names the lines that follow it (it named the whole
    window, 200 over 8)."""
    code = (
        "for i in range(50): print(f'sync object {i} ok')\n"
        "print('ERROR: migration 42 failed: duplicate key')\n"
        "for i in range(1, 9): print(f'cleanup {i}')\n"
        f"print({command!r})\n"
        "raise SystemExit(5)"
    )
    result = run_logtrim("--ci", ci, "--verbatim", "0", "--", *py(code))
    assert result.code == 5
    lines = result.stdout.splitlines()
    # (a fold's title is the header: GitHub's group)
    heads = (b"[logtrim] --- last", b"::group::last")
    (header,) = [line for line in lines if line.startswith(heads)]
    follow = lines[lines.index(header) + 1 :]
    cleanups = [line for line in follow if line.startswith(b"cleanup ")]
    title = header.removeprefix(b"[logtrim] --- ").removeprefix(b"::group::")
    assert title.startswith(b"last %d lines (exit code 5)" % len(cleanups))


def test_a_dropped_last_line_is_never_the_failure_reason(run_logtrim: RunLogtrim) -> None:
    """The step's last line, an error a drop rule keeps off the console, was named as a
    stream's last line: the reason is the exit code then."""
    r = run_logtrim(
        "--drop", "noise", "--", "sh", "-c", "echo hi; echo 'ERROR: boom noise'; exit 1"
    )
    assert r.code == 1
    assert b"noise" not in r.stdout
    assert b"[logtrim] failed (exit 1): exited with code 1" in r.stdout


def test_a_unittest_diff_is_shown_whole_not_behind_a_marker(run_logtrim: RunLogtrim) -> None:
    """unittest's diff of two dicts: its ``+`` half, under the ``-`` half shown as the
    exception's context, was left out behind a marker (43 B) about the size of what it hid
    (45 B), the console using a tenth of its budget."""
    code = (
        "import sys\n"
        "for i in range(300): print(f'checking case {i}: ' + 'x' * 60)\n"
        "sys.stdout.flush()\n"
        "sys.stderr.write('.' * 150 + 'F' + '.' * 149 + '\\n' + '=' * 70 + '\\n'\n"
        "    'FAIL: test_150 (test_many.Many.test_150)\\n' + '-' * 70 + '\\n'\n"
        "    'Traceback (most recent call last):\\n'\n"
        "    '  File \"/srv/t/test_many.py\", line 456, in test_150\\n'\n"
        "    \"    self.assertEqual({'count': 3}, {'count': 4})\\n\"\n"
        "    \"AssertionError: {'status': 'ok', 'count': 3} != {'status': 'ok', 'count': 4}\\n\"\n"
        "    \"- {'count': 3, 'status': 'ok'}\\n?           ^\\n\\n\"\n"
        "    \"+ {'count': 4, 'status': 'ok'}\\n?           ^\\n\\n\\n\" + '-' * 70 + '\\n'\n"
        "    'Ran 300 tests in 0.012s\\n\\nFAILED (failures=1)\\n')\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "20kB", "--", *py(code))
    assert r.code == 1 and len(r.console) <= 20_000
    assert b"not shown" not in r.stdout
    diff = b"- {'count': 3, 'status': 'ok'}\n?           ^\n\n+ {'count': 4, 'status': 'ok'}\n"
    assert diff + b"?           ^\n" in r.stderr


def test_keep_lines_are_each_shown_not_folded_as_similar(run_logtrim: RunLogtrim) -> None:
    """``--keep`` always shows a matching line: ten alike in a row are ten lines, not one,
    ``... 8 similar lines ...`` and the last (fewer than without ``--keep``, where the
    success tail shows them)."""
    code = (
        "for i in range(2000): print(f'noise line {i} with some padding text to fill the budget')\n"
        "for m in range(10): print(f'Applying migration 2024{m}')\n"
        "print('done')\n"
    )
    r = run_logtrim("--budget", "20kB", "--keep", "^Applying migration", "--", *py(code))
    assert r.code == 0
    out = r.stdout.decode()
    assert [f"Applying migration 2024{m}" in out.splitlines() for m in range(10)] == [True] * 10
    assert "similar lines" not in out


@pytest.mark.parametrize(
    ("ci", "before", "after"),
    [
        ("github", "::notice::deploy started", "::notice::deploy step 2"),
        ("teamcity", "##teamcity[testStarted name='t1']", "##teamcity[testFinished name='t1']"),
    ],
)
def test_a_line_between_two_ci_commands_is_shown_not_a_longer_marker(
    run_logtrim: RunLogtrim, ci: str, before: str, after: str
) -> None:
    """Past the lines shown whole, one short line between two of the CI's commands (a test's
    output between its start and end) is shown as it would be between two warnings: its
    marker would cost more than the line."""
    code = (
        "for i in range(900):\n"
        "    print(f'noise line {i}')\n"
        f"print({before!r})\n"
        "print('short line one')\n"
        f"print({after!r})\n"
        "for i in range(3):\n"
        "    print(f'tail {i}')\n"
    )
    r = run_logtrim("--ci", ci, "--budget", "8kB", "--", *py(code))
    assert r.code == 0
    out = r.stdout.decode()
    assert f"{before}\nshort line one\n{after}\n" in out, out[-1500:]


def test_no_marker_longer_than_the_line_it_hides_between_a_tests_commands(
    run_logtrim: RunLogtrim,
) -> None:
    """Past the info tier's share, a test's one line of output between its start and end
    takes the room its marker would: the marker says less, and costs as much."""
    code = (
        "for i in range(120):\n"
        "    print(f'[javac] Compiling com/shop/module{i}/Service.java')\n"
        "for i in range(60):\n"
        "    print(f\"##teamcity[testStarted name='CartTest.test{i}']\")\n"
        "    print(f'running test {i}: basket rule {i}')\n"
        "    print(f\"##teamcity[testFinished name='CartTest.test{i}']\")\n"
    )
    r = run_logtrim("--ci", "teamcity", "--budget", "6kB", "--", *py(code))
    assert r.code == 0
    out = r.stdout.decode()
    assert "]\nrunning test 5: basket rule 5\n##teamcity[testFinished" in out, out[:3000]
    assert not re.search(r"testStarted [^\n]*\n\[logtrim\] \.\.\. 1 line \(", out), out[:3000]


_RACE = (
    "for i in range(3500):\n"
    "    print(f'--- PASS: TestCase{i:04d} (0.0{i % 10}s)')\n"
    "print('==================')\n"
    "print('WARNING: DATA RACE')\n"
    "print('Write at 0x00c0001b4010 by goroutine 41:')\n"
    "print('  github.com/acme/shop/internal/cache.(*LRU).Put()')\n"
    "print('      /builds/shop/internal/cache/lru.go:57 +0x1c4')\n"
    "print()\n"
    "print('Previous read at 0x00c0001b4010 by goroutine 40:')\n"
    "print('  github.com/acme/shop/internal/cache.(*LRU).Get()')\n"
    "print('      /builds/shop/internal/cache/lru.go:41 +0x9a')\n"
    "print('==================')\n"
    "print('--- FAIL: TestLRUConcurrent (0.02s)')\n"
    "print('    testing.go:1465: race detected during execution of test')\n"
    "print('FAIL')\n"
    "raise SystemExit(1)\n"
)


def test_a_few_lines_left_out_before_an_errors_context_are_shown_while_its_tier_has_room(
    run_logtrim: RunLogtrim,
) -> None:
    """Go's race report at a 100 kB budget, 5 kB of it printed: the three lines between its
    ``WARNING: DATA RACE`` and the context of the failure under it (the goroutine that wrote,
    the report's more useful half) were a marker in the last screen of the console. A few
    lines (up to 8) costing at most a 32nd of the tier's room left are shown instead (a 64th
    left the marker there at 20 kB, with 1.3 kB of it printed)."""
    for budget in ("100kB", "20kB"):
        r = run_logtrim("--ci", "plain", "--budget", budget, "--", *py(_RACE))
        assert r.code == 1
        out = r.stdout.decode()
        report = out[out.index("WARNING: DATA RACE") : out.index("--- FAIL: TestLRUConcurrent")]
        assert "not shown" not in report, out[-2000:]
        assert "Write at 0x00c0001b4010 by goroutine 41:" in report
    # At a small budget the marker stays: the room is the failure's.
    small = run_logtrim("--ci", "plain", "--budget", "8kB", "--", *py(_RACE)).stdout.decode()
    assert "... 3 lines (143 B) not shown ..." in small


def test_a_run_whose_lines_were_all_shown_says_no_share(run_logtrim: RunLogtrim) -> None:
    """CRLF lines, all shown: the console prints them with LF, fewer bytes than were written,
    and the summary said ``shown 2 lines (8 B printed, 80%)`` though nothing was left out."""
    r = run_logtrim("--ci", "plain", "--", "printf", "one\\r\\ntwo\\r\\n")
    assert r.code == 0
    assert re.search(rb"; shown 2 lines \(\d+ B printed\)\n", r.stdout), r.stdout


def test_a_tail_of_two_lines_shows_two_of_the_streams_end(run_logtrim: RunLogtrim) -> None:
    """``--tail 2``: a failed run's console shows each stream's last lines however old, three
    of them; the third came back under "held back, written earlier", out of order, though
    nothing was held and the tail was asked for two."""
    code = (
        "for i in range(500):\n    print(f'line {i} of filler text to take some room')\n"
        "print('KEEPME important')\n"
        "for i in range(1, 21):\n    print(f'tail line {i}')\n"
        "raise SystemExit(3)\n"
    )
    result = run_logtrim("--tail", "2", "--budget", "3kB", "--", *py(code))
    assert result.code == 3
    assert b"held back" not in result.console and b"tail line 18" not in result.console
    assert result.stdout.endswith(b"tail line 19\ntail line 20\n") or (
        b"tail line 19\ntail line 20\n[logtrim] " in result.console
    )


@pytest.mark.parametrize(
    ("ci", "opens"),
    [("github", b"::group::"), ("azure", b"##[group]"), ("teamcity", b"##teamcity[blockOpened")],
)
def test_a_folded_tail_says_its_title_once(run_logtrim: RunLogtrim, ci: str, opens: bytes) -> None:
    """The failure tail folded in a group: the group's title and then, inside it, the same
    title as a header line; the marker of the lines before the tail was inside the fold too.
    The marker comes before the fold, the title once."""
    code = (
        "for i in range(600):\n    print(f'copy asset {i} to /var/www/shop/current')\n"
        "print('ERROR: smoke test failed: GET /orders returned 500')\n"
        "for i in range(250):\n    print(f'cleanup step {i}: removed /tmp/stage-{i}')\n"
        "raise SystemExit(5)\n"
    )
    result = run_logtrim("--ci", ci, "--budget", "4kB", "--", *py(code))
    assert result.code == 5
    lines = result.stdout.splitlines()
    fold = next(i for i, ln in enumerate(lines) if ln.startswith(opens) and b"exit code 5" in ln)
    assert not any(b"[logtrim] --- last" in ln for ln in lines)
    assert re.match(rb"\[logtrim\] \.\.\. [\d,]+ lines (\(.*\) )?not shown \.\.\.", lines[fold - 1])
    assert b"cleanup step 249: removed /tmp/stage-249" in lines[fold + 1 :]


@pytest.mark.parametrize(
    ("ci", "opens"),
    [("github", b"::group::"), ("azure", b"##[group]"), ("teamcity", b"##teamcity[blockOpened")],
)
def test_a_folded_tail_whose_lines_a_marker_counted_says_so_once(
    run_logtrim: RunLogtrim, ci: str, opens: bytes
) -> None:
    """A folded failure tail of stdout's last lines, which a marker above counted (the
    traceback on stderr came after them): its header said ``..., counted above as not shown``
    inside the fold, under a title that said it without the note. Now the title says it
    all, once."""
    code = (
        "import sys, time\n"
        "for i in range(300): print(f'GET /api/items/{i} 200 {i % 17}ms')\n"
        "sys.stdout.flush(); time.sleep(0.3)\n"
        "print('(node:1234) DeprecationWarning: Buffer() is deprecated', file=sys.stderr)\n"
        "sys.stderr.flush(); time.sleep(0.1)\n"
        "print('TypeError: Cannot read properties of undefined', file=sys.stderr)\n"
        "print('    at handler (/srv/app.js:8:36)', file=sys.stderr)\n"
        "raise SystemExit(1)\n"
    )
    result = run_logtrim("--ci", ci, "--budget", "4kB", "--", *py(code))
    assert result.code == 1
    lines = result.console.splitlines()
    (title,) = [ln for ln in lines if ln.startswith(opens) and b"exit code 1" in ln]
    assert b"counted above as not shown" in title
    assert not any(ln.startswith(b"[logtrim] --- ") for ln in lines)


@pytest.mark.parametrize("ci", ["plain", "github", "azure", "teamcity", "gitlab", "buildkite"])
def test_printed_counts_the_steps_lines_whatever_the_ci(run_logtrim: RunLogtrim, ci: str) -> None:
    """The summary's ``printed`` is the bytes of the step's own lines: the same run said
    248 B under plain and 297 to 406 B where the failure tail is folded (the fold's lines,
    logtrim's, were counted as the step's)."""
    code = (
        "import sys\n"
        "for i in range(300): print(f'compiling module_{i}.c', file=sys.stderr)\n"
        "print('warning: module_77.c: implicit declaration of frob', file=sys.stderr)\n"
        "sys.stderr.flush()\n"
        "print('linking...', flush=True)\n"
        'print("ld: undefined reference to `frob\'", file=sys.stderr)\n'
        "print('collect2: error: ld returned 1 exit status', file=sys.stderr, flush=True)\n"
        "print('build aborted', end='')\n"
        "raise SystemExit(3)\n"
    )
    result = run_logtrim("--ci", ci, "--budget", "2kB", "--", *py(code))
    assert result.code == 3
    said = re.search(rb"; shown ([\d,]+) lines? \(([\d,.]+ k?B) printed", result.console)
    assert said is not None
    own = (b"[logtrim]", b"::", b"##", b"section_", b"\x1b[0Ksection_", b"--- ", b"^^^ ")
    # (by newlines only: GitLab's section lines hold a \r)
    child = [ln for ln in result.console.split(b"\n")[:-1] if not ln.startswith(own)]
    assert b"build aborted" in result.stdout
    assert said[2] == f"{sum(len(ln) + 1 for ln in child)} B".encode()
