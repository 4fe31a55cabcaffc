"""``logtrim trim``: existing logs cut to the budget, task logs with their structure."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import zstandard
from conftest import clean_env, decode_zstd, examples
from hypothesis import given, settings
from hypothesis import strategies as st
from tasklog_gen import DEPLOYMENT_FAILED, noisy_log, tasklog, write_tasklog

from logtrim._sizes import parse_size
from logtrim.engine.policy import Policy
from logtrim.logs.taskgroup import Grouper
from logtrim.logs.tasklog import Record
from logtrim.logs.tasktrim import NODE_TAIL
from logtrim.logs.trim import TrimJob, trim_one

_NODE = re.compile(rb"^ {20}\| +(?:== \w+: .* ==|(?:Success|Failed|Skipped): .*)$", re.M)


def _cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", *args],
        input=stdin, capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip


def _check_task_log_kept(original: bytes, out: bytes, budget: int) -> None:
    assert len(out) <= budget
    header = original[: original.index(b"\n\n") + 2]
    assert out.startswith(header), "the header block comes first, whole"
    assert _NODE.findall(out) == _NODE.findall(original), "every node header, in order"
    for entry in re.findall(rb"^\d\d:\d\d:\d\d   (?:Error|Fatal) .*\n(?: {20}\|.+\n)*", original,
                            re.M):  # fmt: skip
        assert entry in out, f"missing {entry[:60]!r} with its continuation lines"
    assert DEPLOYMENT_FAILED.encode() in out
    assert out.count(b"   Warning  |") >= 3
    # (a node's note: a count, or the section's sum when markers in it counted some)
    note = (
        rb"\[logtrim\] (?:\.\.\. |not shown in this section: )"
        rb".*[\d,]+ (?:Verbose |other )?lines \([\d.]+ [kM]B\)"
    )
    assert re.search(note, out)


def test_task_log_keeps_its_structure(tmp_path: Path) -> None:
    """Header, every node, every Error/Fatal with its trace, some warnings fit in 60 kB."""
    data = tasklog(3_000_000)
    path = tmp_path / "task.txt"
    path.write_bytes(data)
    proc = _cli("trim", "--budget", "60kB", str(path))
    assert proc.returncode == 0, proc.stderr
    _check_task_log_kept(data, proc.stdout, 60_000)


def test_failed_node_shows_its_last_lines_in_order(tmp_path: Path) -> None:
    """The lines that end a failed node are shown where they happened, after its errors."""
    data = tasklog(1_000_000)
    path = tmp_path / "task.txt"
    path.write_bytes(data)
    out = _cli("trim", "--budget", "40kB", str(path)).stdout
    fatal = out.index(b"The remote script failed with exit code 1")
    trace = out.index(b"ScriptActionHandler.Execute(ActionCommand command, Machine machine)")
    assert fatal < trace < out.index(b"Success: web-03")


def test_gzip_copy_trims_the_same_and_artifact_decodes_to_original(tmp_path: Path) -> None:
    """A .gz input trims to the same lines; --artifact holds the whole input in zstd."""
    data = tasklog(1_000_000)
    plain, packed = tmp_path / "task.txt", tmp_path / "task.txt.gz"
    plain.write_bytes(data)
    packed.write_bytes(gzip.compress(data))
    artifact = tmp_path / "full.zst"
    first = _cli("trim", "--budget", "50kB", str(plain), "-o", str(tmp_path / "a.out"))
    second = _cli("trim", "--budget", "50kB", str(packed), "-o", str(tmp_path / "b.out"))
    third = _cli("trim", "--budget", "50kB", str(packed), "-o", str(tmp_path / "c.out"),
                 "--artifact", str(artifact))  # fmt: skip
    assert first.returncode == second.returncode == third.returncode == 0
    a, b = (tmp_path / "a.out").read_bytes(), (tmp_path / "b.out").read_bytes()
    assert a == b
    assert decode_zstd(artifact.read_bytes()) == data
    assert f"full log: {artifact}".encode() in (tmp_path / "c.out").read_bytes()


def test_plain_log_goes_through_the_run_engine(tmp_path: Path) -> None:
    """A plain log is trimmed under budget; its error line and a summary are shown."""
    data = noisy_log(2_000_000)
    proc = _cli("trim", "--budget", "30kB", "-", stdin=data)
    assert proc.returncode == 0
    assert len(proc.stdout) <= 30_000
    assert b"ERROR: could not connect to db-01:5432" in proc.stdout
    assert re.search(rb"\[logtrim\] [\d,]+ lines \(2\.\d+ MB\)", proc.stdout)


def test_several_inputs_go_to_a_directory_in_parallel(tmp_path: Path) -> None:
    """Each input gets its own trimmed file in -o DIR; --jobs runs them side by side."""
    (tmp_path / "a.log").write_bytes(noisy_log(300_000, seed=1))
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress(tasklog(300_000)))
    out = tmp_path / "out"
    proc = _cli("trim", "--jobs", "2", "--budget", "20kB", "-o", str(out),
                "--artifact", str(tmp_path / "arch"),
                str(tmp_path / "a.log"), str(tmp_path / "b.txt.gz"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.trimmed.log", "b.trimmed.txt"]
    assert (out / "b.trimmed.txt").read_bytes().startswith(b"Task ID:")
    assert decode_zstd((tmp_path / "arch" / "b.txt.zst").read_bytes()) == tasklog(300_000)


def test_one_input_to_a_path_ending_in_a_separator_goes_into_that_directory(
    tmp_path: Path,
) -> None:
    """``-o out/`` and ``--artifact arch/`` name directories (made if missing), as ``cp`` reads
    a trailing slash: never a file called ``out``."""
    (tmp_path / "a.log").write_bytes(b"step 1 ok\nERROR: boom\n")
    proc = _cli("trim", "-o", f"{tmp_path / 'out'}/", "--artifact", f"{tmp_path / 'arch'}/",
                str(tmp_path / "a.log"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "a.trimmed.log").read_bytes().startswith(b"step 1 ok\n")
    assert (
        decode_zstd((tmp_path / "arch" / "a.log.zst").read_bytes()) == b"step 1 ok\nERROR: boom\n"
    )


def test_an_archive_with_no_extension_under_zst_is_trimmed_to_a_log(tmp_path: Path) -> None:
    """``b.zst`` (a run's archive named so) was trimmed to ``out/b.trimmed``, a file with no
    extension; it is ``b.trimmed.log``, as ``a.log`` gives ``a.trimmed.log``."""
    (tmp_path / "a.log").write_bytes(b"step 1 ok\nERROR: boom\n")
    (tmp_path / "b.zst").write_bytes(zstandard.ZstdCompressor().compress(b"ERROR: b failed\n"))
    proc = _cli("trim", "-o", str(tmp_path / "out"), str(tmp_path / "a.log"),
                str(tmp_path / "b.zst"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["a.trimmed.log", "b.trimmed.log"]
    assert b"ERROR: b failed" in (tmp_path / "out" / "b.trimmed.log").read_bytes()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    """Several inputs without -o DIR, or a bad size, are usage errors (exit 2)."""
    (tmp_path / "a.log").write_bytes(b"x\n")
    proc = _cli("trim", str(tmp_path / "a.log"), str(tmp_path / "a.log"))
    assert proc.returncode == 2 and b"-o DIR" in proc.stderr
    assert _cli("trim", "--budget", "lots", str(tmp_path / "a.log")).returncode == 2
    assert _cli("trim", str(tmp_path / "missing.log")).returncode == 3


_LINES = st.sampled_from(
    [b"step %d ok", b"ERROR: boom", b"WARNING: careful", b"Downloading 45%", b"  at a.b(c)"]
)


@settings(max_examples=examples(25), deadline=None)
@given(st.lists(_LINES, min_size=1, max_size=3000), st.integers(2048, 20_000))
def test_output_never_exceeds_the_budget(tmp_path_factory: pytest.TempPathFactory,
                                         lines: list[bytes], budget: int) -> None:  # fmt: skip
    """Whatever the log, the trimmed output fits the budget."""
    tmp = tmp_path_factory.mktemp("prop")
    src = tmp / "in.log"
    src.write_bytes(b"".join(line.replace(b"%d", b"%d" % i) + b"\n" for i, line in
                             enumerate(lines)))  # fmt: skip
    result = trim_one(TrimJob(str(src), str(tmp / "out"), None, Policy(budget=budget)))
    assert result.bytes_out == (tmp / "out").stat().st_size <= budget


@pytest.mark.slow
def test_acceptance_40mb_task_log_to_200kb(tmp_path: Path) -> None:
    """The issue's acceptance: a 40 MB raw task log, plain and gzipped, trimmed to 200 kB."""
    path = tmp_path / "task40.txt"
    write_tasklog(path, 40_000_000)
    data = path.read_bytes()
    gz = tmp_path / "task40.txt.gz"
    gz.write_bytes(gzip.compress(data, compresslevel=1))
    artifact = tmp_path / "task40.zst"
    for source in (path, gz):
        proc = _cli("trim", "--budget", "200kB", str(source), "--artifact", str(artifact))
        assert proc.returncode == 0, proc.stderr
        _check_task_log_kept(data, proc.stdout, 200_000)
    assert decode_zstd(artifact.read_bytes()) == data


def _failed_node_ending_in_verbose() -> bytes:
    """A task log whose failed node ends with many Verbose entries after its error."""
    out = [b"Task ID:        ServerTasks-1\nTask status:    Failed\n\n"]
    out += [b" " * 20 + b"| == Failed: Deploy ==\n", b" " * 20 + b"|   == Failed: Step 1 ==\n"]
    for host in (b"web-01", b"web-02"):
        status = b"Failed: " if host == b"web-01" else b"Success: "
        out.append(b" " * 20 + b"|     " + status + host + b"\n")
        for i in range(3000):
            level = "Error" if i == 900 else "Info" if i % 97 == 0 else "Verbose"
            out.append(f"16:05:{i % 60:02d}   {level:<9}|       step {i} on ".encode() + host)
            out.append(b"\n" if i % 401 else b"\n" + b" " * 20 + b"|       more\n")
        out.append(b" " * 20 + b"|\n")
    return b"".join(out)


@pytest.mark.parametrize(("budget", "node_tail"), [(40_000, NODE_TAIL), (300_000, 7), (8_000, 0)])
@pytest.mark.parametrize("kind", ["generated", "failed-node-tail"])
def test_task_log_runs_trim_as_line_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int, node_tail: int, kind: str
) -> None:
    """Runs of Verbose entries handed out whole give the output of one record per line."""
    src = tmp_path / "task.txt"
    data = tasklog(1_500_000, seed=3) if kind == "generated" else _failed_node_ending_in_verbose()
    src.write_bytes(data)
    job = TrimJob(str(src), str(tmp_path / "fast.out"), None, Policy(budget=budget), node_tail)
    trim_one(job)

    def by_lines(self: Grouper, chunk: bytes) -> Iterator[Record]:
        return self.feed(chunk.splitlines(keepends=True))

    monkeypatch.setattr(Grouper, "feed_chunk", by_lines)
    job.output = str(tmp_path / "slow.out")
    trim_one(job)
    fast = (tmp_path / "fast.out").read_bytes()
    assert fast == (tmp_path / "slow.out").read_bytes()
    assert re.search(rb"\[logtrim\] \.\.\. [\d,]+ (?:Verbose )?lines \(", fast)


def test_a_file_its_gzip_copies_and_a_pipe_trim_the_same(tmp_path: Path) -> None:
    """``trim``'s clock is the bytes read, so where the input's reads end must not matter:
    progress lines are kept once per 5 MB whether the log comes as a file, as gzip (decoded in
    pieces that depend on the compression) or through a pipe written in odd sizes."""
    lines = []
    for i in range(300_000):
        if i % 5 == 0:
            lines.append(b"Uploading package: %d%% complete (%d of 300000)\n" % (i // 3000, i))
        elif i % 997 == 0:
            lines.append(b"WARN slow response from host-%d after %d ms\n" % (i % 9, i % 977))
        else:
            lines.append(b"INFO step %d processed item %d in %d ms\n" % (i, i * 7919, i % 97))
    data = b"".join(lines)
    plain = tmp_path / "deploy.log"
    plain.write_bytes(data)
    inputs = [plain]
    for level in (1, 9):
        inputs.append(tmp_path / f"deploy-{level}.log.gz")
        inputs[-1].write_bytes(gzip.compress(data, compresslevel=level))
    writer = (
        "import sys, os\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "for i in range(0, len(data), 4099):\n"
        "    os.write(1, data[i:i + 4099])\n"
    )
    pipeline = '"$1" -c "$0" "$2" | "$1" -m logtrim trim - --budget 100kB'
    piped = subprocess.run(
        ["sh", "-c", pipeline, writer, sys.executable, str(plain)],
        capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    outputs = [_cli("trim", "--budget", "100kB", str(p)) for p in inputs]
    assert [o.returncode for o in outputs] == [0] * len(inputs) and piped.returncode == 0
    assert outputs[0].stdout.count(b"Uploading package") >= 3
    for other in [*outputs[1:], piped]:
        assert other.stdout == outputs[0].stdout


def _accounted(out: bytes) -> tuple[int, int]:
    """(lines shown plus those the markers count, the summary's total): lines under a
    header that says a marker above counted them are left out."""
    counts = re.compile(rb"([\d,]+) (?:[A-Z]\w+ )?(?:similar )?lines?\b")
    shown = hidden = 0
    total = -1
    again = False
    for line in out.splitlines():
        if line.startswith(b"[logtrim] ---"):
            again = b"not shown" in line  # (lines a marker above counted)
        elif line.startswith(b"[logtrim] ..."):
            hidden += sum(int(n.replace(b",", b"")) for n in counts.findall(line))
        elif summary := re.match(rb"\[logtrim\] ([\d,]+) lines \(", line):
            total = int(summary[1].replace(b",", b""))
        elif not line.startswith(b"[logtrim]") and not again:
            shown += 1
    return shown + hidden, total


@pytest.mark.parametrize("budget", ["8kB", "16kB", "32kB", "200kB"])
def test_a_node_s_note_does_not_count_lines_a_marker_counted(tmp_path: Path, budget: str) -> None:
    """A node's ``... N Verbose lines (S) not shown`` note counted every line hidden in the
    node, those a ``... N lines not shown ...`` marker inside it had counted too: a 9,543-line
    task log read as 15,798. Each line is now in one count."""
    path = tmp_path / "task.txt"
    write_tasklog(path, 1_000_000)
    result = _cli("trim", str(path), "--budget", budget, "-o", "-")
    assert result.returncode == 0, result.stderr
    assert b"not shown ..." in result.stdout  # markers inside nodes, and notes
    accounted, total = _accounted(result.stdout)
    assert accounted == total


def test_without_an_artifact_the_notes_point_at_the_input(tmp_path: Path) -> None:
    """``trim`` makes no archive unless ``--artifact`` asks: its notes of lines left out said
    "the archive has everything" all the same; they now name the input (the full log)."""
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
    lines = [
        f"2026-01-01 12:00:00 INFO {words[i % 10]} {words[i * 7 % 10]} {i}\n" for i in range(20_000)
    ]
    lines.insert(9_000, "ERROR payload: " + "x" * 40_000 + "\n")
    log = tmp_path / "a.log"
    log.write_text("".join(lines))
    plain = _cli("trim", "--budget", "100kB", str(log))
    assert plain.returncode == 0, plain.stderr
    assert b"(the input has everything)" in plain.stdout
    assert b"archive" not in plain.stdout
    assert b"cut; the full log has all of it] ... " in plain.stdout
    archived = _cli("trim", "--budget", "100kB", "--artifact", str(tmp_path / "a.zst"), str(log))
    assert b"(the archive has everything)" in archived.stdout


@pytest.mark.parametrize("budget", ["4kB", "6kB", "8kB"])
def test_a_failed_task_s_errors_are_shown_at_a_small_budget(tmp_path: Path, budget: str) -> None:
    """A failed task's errors come late, in its failed nodes: at a few kB, the info and
    warnings of the nodes before them spent the budget, and none or one of the three error
    entries of the failed deployment target was shown. In a failed task, info and warnings
    now leave the errors the share a failed ``run`` keeps for its end (up to 8 kB)."""
    path = tmp_path / "task.txt"
    write_tasklog(path, 1_000_000)
    result = _cli("trim", str(path), "--budget", budget, "-o", "-")
    assert result.returncode == 0, result.stderr
    for error in (
        b"System.InvalidOperationException: Connection refused (db-01:5432)",
        b"Health check failed: HTTP 503",
        b"The remote script failed with exit code 1",
    ):
        assert error in result.stdout
    assert b"Failed: web-02" in result.stdout  # the failed target's header above them
    assert len(result.stdout) <= parse_size(budget)


def test_a_secret_used_before_its_declaration_is_masked_by_trim(tmp_path: Path) -> None:
    """A plain file's declarations are read from all of it first, as ``cat`` reads them: a
    use before the declaration was masked in a small file only (its console was held), and
    passed in a larger one, on the console and in the archive."""
    secret = "Trim-Thr-S3cret"
    path = tmp_path / "thr.log"
    lines = [f"ERROR early use {secret}\n"]
    lines += [f"INFO step {i} some text here\n" for i in range(50_000)]  # 1.5 MB
    lines.append(f"::add-mask::{secret}\n")
    path.write_text("".join(lines))
    art = tmp_path / "thr.zst"
    result = _cli("trim", str(path), "--budget", "50kB", "-o", "-", "--artifact", str(art))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"ERROR early use ********\n")
    archived = decode_zstd(art.read_bytes())
    assert secret.encode() not in result.stdout + result.stderr + archived
    assert archived.startswith(b"ERROR early use ********\n")
    assert archived.count(b"\n") == 50_002


def test_trim_says_when_declared_values_are_past_the_cap(tmp_path: Path) -> None:
    """Past 10,000 declared values, ``run`` warns that later ones are masked only in their
    declaration; ``trim`` said nothing."""
    path = tmp_path / "many.txt"
    with path.open("w") as file:
        file.writelines(f"::add-mask::MANYSECRET{i:06d}x\n" for i in range(10_050))
    result = _cli("trim", str(path), "--budget", "1MB", "-o", str(tmp_path / "out.txt"))
    assert result.returncode == 0, result.stderr
    assert b"many.txt: not masking more declared values: 10000 values" in result.stderr


def test_a_declaration_across_a_read_block_of_a_long_line_masks_earlier_uses(
    tmp_path: Path,
) -> None:
    """The look-ahead reads a file in 8 MiB blocks; a line longer than a block was cut at the
    block's end, and a marker across that cut was not found: the use before it passed."""
    path = tmp_path / "blk.txt"
    line = b"z" * ((8 << 20) - 5) + b" ##vso[task.setsecret]BlockSecret42\n"
    path.write_bytes(b"early BlockSecret42\n" + line + b"late BlockSecret42\n")
    result = _cli("trim", str(path), "-o", "-")
    assert result.returncode == 0, result.stderr
    assert b"early ********\n" in result.stdout and b"late ********\n" in result.stdout
    assert b"BlockSecret42" not in result.stdout


def test_a_named_output_beside_an_artifact_directory_is_no_derived_file(tmp_path: Path) -> None:
    """``--artifact DIR/`` names the archive's file for the user; ``-o /dev/null`` is the
    user's own: it was refused as if logtrim had named it (``-o: /dev/null exists``)."""
    log = tmp_path / "bad.log"
    log.write_bytes(b"INFO start\nERROR: boom\n")
    arts = tmp_path / "arts"
    first = _cli("trim", str(log), "--artifact", f"{arts}/", "-o", os.devnull)
    assert first.returncode == 0, first.stderr
    assert decode_zstd((arts / "bad.log.zst").read_bytes()) == log.read_bytes()
    # The archive's file is logtrim's name in the user's directory: kept without --force.
    again = _cli("trim", str(log), "--artifact", f"{arts}/", "-o", os.devnull)
    assert again.returncode == 2
    assert b"--artifact" in again.stderr and b"--force" in again.stderr


@pytest.mark.parametrize("limit", [64, 12])
def test_many_jobs_under_a_low_open_file_limit(tmp_path: Path, limit: int) -> None:
    """``--jobs 40`` with ``ulimit -n 64``: the pool's workers could not all open their
    pipes, ``trim`` said "internal error" and then waited for them for ever. With room for
    one worker alone (``ulimit -n 12``), the inputs are trimmed here, one after another."""
    import resource

    for i in range(120):
        (tmp_path / f"f{i}.log").write_text(f"INFO step {i}\nERROR e{i}\n")
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))

    sources = [str(tmp_path / f"f{i}.log") for i in range(120)]
    proc = subprocess.run(
        [sys.executable, "-m", "logtrim", "trim", "--jobs", "40", *sources,
         "-o", str(tmp_path / "out") + "/"],
        capture_output=True, timeout=120, preexec_fn=low_limit, env=clean_env(), check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    written = sorted((tmp_path / "out").iterdir())
    assert len(written) == 120
    assert (tmp_path / "out" / "f7.trimmed.log").read_text().startswith("INFO step 7\nERROR e7\n")


@pytest.mark.parametrize("budget", ["4kB", "20kB", "2MB"])
def test_a_log_that_fits_the_budget_comes_out_whole(tmp_path: Path, budget: str) -> None:
    """``trim`` of a plain log within the budget prints it as written, in order, then its
    summary (as ``run`` shows a small run whole): no line of it left out, no note that
    filtering started, no held-back section."""
    lines = [
        f"2026-12-01 12:00:{i:02d} copying file {i} to /srv/app/assets/{i}.js" for i in range(24)
    ]
    lines[10] = "ERROR: upload of chunk 3 failed: connection reset by peer"
    lines[11] = "  retrying in 2s"
    log = tmp_path / "small.log"
    log.write_text("".join(line + "\n" for line in lines))
    r = _cli("trim", "--budget", budget, str(log))
    assert r.returncode == 0, r.stderr
    body, _, summary = r.stdout.partition(b"[logtrim] ")
    assert body == log.read_bytes()
    assert b"not shown" not in r.stdout and b"held" not in r.stdout
    assert summary.startswith(b"24 lines")
    assert len(r.stdout) <= parse_size(budget)


def test_a_log_past_the_budget_is_still_filtered(tmp_path: Path) -> None:
    lines = [f"copying file {i} to /srv/app/assets/{i}.js" for i in range(2000)]
    lines[1500] = "ERROR: upload of chunk 3 failed: connection reset by peer"
    log = tmp_path / "big.log"
    log.write_text("".join(line + "\n" for line in lines))
    r = _cli("trim", "--budget", "8kB", str(log))
    assert r.returncode == 0, r.stderr
    assert b"not shown" in r.stdout and len(r.stdout) <= 8000
    assert b"ERROR: upload of chunk 3 failed: connection reset by peer\n" in r.stdout


@pytest.mark.parametrize("option", ["--artifact", "-o"])
def test_an_empty_output_name_is_a_usage_error(tmp_path: Path, option: str) -> None:
    """``trim --artifact ''`` wrote no archive and ``-o ''`` wrote to stdout, both with exit
    0 and no word: the name was left out, as ``run --artifact ''`` says (exit 2)."""
    log = tmp_path / "deploy.log"
    log.write_bytes(b"deploy step 1\n")
    proc = _cli("trim", option, "", str(log))
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert proc.stderr.startswith(f"logtrim: error: {option}: empty".encode())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deploy.log"]


@pytest.mark.parametrize("budget", ["6kB", "8kB", "16kB", "60kB"])
def test_a_node_s_note_calls_no_info_or_warning_line_verbose(budget: str) -> None:
    """Once the budget stops Info or Warning entries, they are hidden as Verbose ones are:
    a node's note named them all ``Verbose lines`` (1,172 in a section of 1,135 Verbose
    entries). A note's Verbose count is at most the section's Verbose entries."""
    from conftest import SAMPLES

    sample = SAMPLES / "octopus-raw-task-log.txt"
    result = _cli("trim", "--budget", budget, str(sample))
    assert result.returncode == 0, result.stderr
    node = re.compile(rb"^ {20}\|\s+(?:== )?(?:Success|Failed|Skipped|Canceled)\b.*$", re.M)

    def sections(text: bytes) -> list[bytes]:
        return node.split(text)

    verbose = [s.count(b"   Verbose  |") for s in sections(sample.read_bytes())]
    notes = [
        [int(n.replace(b",", b"")) for n in re.findall(rb"([\d,]+) Verbose lines? \(", s)]
        for s in sections(result.stdout)
    ]
    assert len(notes) == len(verbose)
    for counted, entries in zip(notes, verbose, strict=True):
        assert all(n <= entries for n in counted), (counted, entries)
