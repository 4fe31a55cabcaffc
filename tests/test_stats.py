"""``logtrim stats``: where the bytes go, and which --drop rule would save the most."""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import clean_env, examples
from hypothesis import given, settings
from hypothesis import strategies as st
from tasklog_gen import noisy_log, tasklog

from logtrim.logs.inputs import Input, open_input
from logtrim.logs.report import drop_regex, suggest_drop, to_json
from logtrim.logs.stats import compute
from logtrim.logs.taskgroup import Grouper
from logtrim.logs.tasklog import Record

# Lines of a plain log (``%d`` twice): repeated shapes, a long one.
_SHAPES = [
    b"2024-05-01T12:00:%02d.000Z [INFO] Processed batch %d in 5 ms\n",
    b"deploy web id 9f86d0ab%d took %d ms\n",
    b"ERROR cannot reach 'db-%d' (attempt %d)\n",
    b"x" * 5000 + b" %d %d\n",
    b"  at Module.run (/srv/app/%d/index.js:%d)\n",
]


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", *args],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip


def test_json_names_the_dominant_template_with_its_share(tmp_path: Path) -> None:
    """On a noisy log, the top template is the batch line with its share of the bytes."""
    path = tmp_path / "noisy.log"
    path.write_bytes(noisy_log(2_000_000))
    proc = _cli("stats", "--json", "--top", "3", str(path))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    top = report["templates"][0]
    assert top["template"] == "<ts> [INFO] Processed batch <n> of <n> in <n> ms"
    assert 0.5 < top["share"] < 0.7
    assert len(report["templates"]) == 3
    assert [t["bytes"] for t in report["templates"]] == sorted(
        (t["bytes"] for t in report["templates"]), reverse=True
    )
    assert report["total_bytes"] == path.stat().st_size
    assert report["levels"]["warning"] > 0 and report["levels"]["error"] > 0
    assert report["suggestion"]["template"] == top["template"]
    assert "steps" not in report


def test_task_log_reports_verbose_as_dominant_level_and_step_volumes(tmp_path: Path) -> None:
    """On a raw task log (gzipped here), Verbose dominates and each step has its bytes."""
    data = tasklog(1_000_000)
    path = tmp_path / "task.log.gz"
    path.write_bytes(gzip.compress(data))
    proc = _cli("stats", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    levels = report["levels"]
    assert max(levels, key=levels.get) == "Verbose"
    assert levels["Verbose"] > 0.9 * len(data)
    assert {"Error", "Fatal", "Warning", "Info"} <= set(levels)
    steps = report["steps"]
    assert steps["Step 4: Deploy web app"] > steps["Step 1: Stop load balancer pool"] > 100_000
    assert steps["Step 3: Warm up caches"] < 1000
    assert report["step_status"]["Step 4: Deploy web app"] == "Failed"
    assert sum(steps.values()) == sum(levels.values()) == len(data)
    assert report["inputs"][0]["kind"] == "octopus-task-log"


def test_terminal_report_has_bars_and_the_suggestion(tmp_path: Path) -> None:
    """Without --json a table with bars and a ready-to-paste --drop option is printed."""
    path = tmp_path / "noisy.log"
    path.write_bytes(noisy_log(300_000))
    proc = _cli("stats", str(path))
    assert proc.returncode == 0
    text = proc.stdout.decode()
    assert "By template" in text and "█" in text
    assert "Biggest saving: --drop '\\[INFO\\] Processed batch" in text


def test_suggested_regex_matches_every_line_of_its_template() -> None:
    """The suggested --drop regex matches the lines it claims to drop, and no other."""
    data = noisy_log(200_000)
    stats = compute([_opened(data)])
    suggestion = suggest_drop(stats)
    assert suggestion is not None
    regex = re.compile(suggestion.regex.encode())
    hits = [line for line in data.splitlines(keepends=True) if regex.search(line)]
    assert len(hits) == suggestion.lines
    assert sum(len(h) for h in hits) == suggestion.bytes
    assert drop_regex(b"Copying <path> to '<str>'") == "^Copying \\S+ to '[^']*'$"


def test_suggested_rule_still_drops_the_lines_on_another_day(tmp_path: Path) -> None:
    """A log whose lines carry the date as words (``date``'s own form, an HTTP date): the
    suggested rule matches the same lines written on another weekday, month, time zone and
    day of the month, not only the day the log was written."""
    path = tmp_path / "poll.log"
    path.write_bytes(
        b"".join(
            b"[Mon Dec  7 12:%02d:%02d UTC 2026] INFO poll %d: health ok\n"
            % (i // 60 % 60, i % 60, i)
            for i in range(3000)
        )
        + b"deploy done\n"
    )
    proc = _cli("stats", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    rule = re.compile(json.loads(proc.stdout)["suggestion"]["regex"].encode())
    assert rule.search(b"[Mon Dec  7 12:00:01 UTC 2026] INFO poll 3: health ok")
    assert rule.search(b"[Tue Jan 12 09:30:00 EST 2027] INFO poll 4: health ok")
    assert not rule.search(b"[Tue Jan 12 09:30:00 EST 2027] INFO poll 4: health failed")


def test_missing_input_exits_3_with_one_line() -> None:
    """A missing file is reported in one line with exit code 3."""
    proc = _cli("stats", "/nonexistent/deploy.log")
    assert proc.returncode == 3
    assert proc.stderr.decode().strip().count("\n") == 0
    assert "no such file" in proc.stderr.decode()


def test_an_archive_that_decodes_to_nothing_is_one_error_line(tmp_path: Path) -> None:
    """No empty report before the error: the one line says why (exit 3)."""
    import zstandard

    whole = zstandard.ZstdCompressor().compress(b"deploy step 1\n" * 5000)
    cut = tmp_path / "cut.zst"
    cut.write_bytes(whole[:20])
    proc = _cli("stats", str(cut))
    assert proc.returncode == 3
    assert proc.stdout == b""
    assert proc.stderr.decode().startswith(f"logtrim: error: {cut}: ")
    assert proc.stderr.count(b"\n") == 1


def _opened(data: bytes) -> Input:
    """An input over bytes in memory, as ``open_input`` would make for a file."""
    return Input("mem", io.BytesIO(data[4:]), data[:4], len(data))


_LINE = st.sampled_from(
    [b"job 12 done", b"ERROR x 0xff", b"  at /a/b/c.py:3", b"", b"16:05:22   Info     | hi"]
)


@settings(max_examples=examples(50), deadline=None)
@given(st.lists(_LINE, max_size=40), st.booleans())
def test_totals_equal_input_size(lines: list[bytes], newline_at_end: bool) -> None:
    """Template bytes, level bytes and input totals all add up to the input size."""
    data = b"\n".join(lines) + (b"\n" if newline_at_end and lines else b"")
    stats = compute([_opened(data)])
    assert stats.total_bytes == len(data)
    assert sum(s.size for s in stats.templates.values()) == len(data)
    assert sum(stats.levels.values()) == len(data)


def test_opened_helper_reads_like_a_file(tmp_path: Path) -> None:
    """The in-memory input used above reads the same as a real file."""
    data = noisy_log(50_000)
    path = tmp_path / "a.log"
    path.write_bytes(data)
    assert compute([open_input(str(path))]).templates == compute([_opened(data)]).templates


def test_task_log_runs_count_as_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of Verbose entries handed out whole give the figures of one record per line."""
    data = tasklog(1_500_000, seed=5)
    fast = to_json(compute([_opened(data)]), 50)

    def by_lines(self: Grouper, chunk: bytes) -> Iterator[Record]:
        return self.feed(chunk.splitlines(keepends=True))

    monkeypatch.setattr(Grouper, "feed_chunk", by_lines)
    slow = to_json(compute([_opened(data)]), 50)
    assert json.dumps(fast) == json.dumps(slow)
    assert list(fast["steps"]) == list(slow["steps"]) and fast["levels"]["Verbose"] > 0


def test_templates_counted_on_a_second_core_give_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large raw task log's templates are counted by a forked process: same figures."""
    import logtrim.logs.stats as stats_module

    path = tmp_path / "task.log"
    path.write_bytes(tasklog(400_000))
    serial = to_json(compute([open_input(str(path))]), top=20)
    monkeypatch.setattr(stats_module, "ASIDE_MIN", 0)  # this small file goes aside too
    forked = to_json(compute([open_input(str(path))]), top=20)
    assert forked == serial
    assert forked["inputs"][0]["lines"] == path.read_bytes().count(b"\n")


def _serial_and_cut(
    data: bytes, name: str, first: int | None = None, **patches: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON report of ``data`` read in one pass, and with the file cut for two
    processes (this small file too; ``patches``: more of the module's settings; ``first``:
    the percent of a plain file this process counts)."""
    import logtrim.logs.stats as stats_module
    import logtrim.logs.twocores as twocores_module

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        serial = to_json(compute([open_input(str(path))]), top=0)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(stats_module, "ASIDE_MIN", 0)
            for key, value in patches.items():
                patch.setattr(stats_module, key, value)
            if first is not None:
                patch.setattr(twocores_module, "FIRST_PERCENT", first)
            cut = to_json(compute([open_input(str(path))]), top=0)
    return serial, cut


@settings(max_examples=examples(30))
@given(
    st.lists(st.sampled_from(_SHAPES), max_size=60),
    st.integers(0, 200),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 99)),
)
def test_a_plain_log_counted_in_two_halves_gives_the_same_report(
    shapes: list[bytes], seed: int, newline_at_end: bool, first: int | None
) -> None:
    """A large plain log is cut at a line start near its middle (or anywhere: ``first``
    percent) and the part after it counted by a forked process: the report is the one a
    single pass gives."""
    data = b"".join(shape % (seed + i, (seed * i) % 977) for i, shape in enumerate(shapes))
    data = data if newline_at_end else data.rstrip(b"\n")
    serial, halves = _serial_and_cut(data, "plain.log", first)
    assert halves == serial
    assert halves["total_bytes"] == len(data)


@settings(max_examples=examples(15), deadline=None)
@given(st.integers(0, 50), st.integers(1, 12), st.integers(0, 3), st.booleans())
def test_a_task_log_counted_in_two_parts_gives_the_same_report(
    seed: int, parts: int, tail: int, newline_at_end: bool
) -> None:
    """A large raw task log's templates are counted in two parts, the first here as its
    entries are parsed, the rest by a forked process: the report is a single pass's,
    wherever the cut falls (``parts``: the first ``1 / parts`` of the file here)."""
    data = tasklog(20_000 + 3_000 * seed, seed=seed)
    data += b"".join(_SHAPES[i] % (seed, i) for i in range(tail))  # lines out of format
    data = data if newline_at_end else data.rstrip(b"\n")
    serial, split = _serial_and_cut(data, "task.log", TASK_PARTS=parts)
    assert split == serial
    assert split["inputs"][0]["lines"] == data.count(b"\n") + (not newline_at_end)


def test_a_failed_second_process_leaves_the_report_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the process counting a plain log's second half fails on the way (here: as it
    makes its share of the templates), this one counts that half itself: same report."""
    import logtrim.logs.stats as stats_module
    from logtrim.engine.stats.counting import Shared, TemplateCounter

    path = tmp_path / "plain.log"
    path.write_bytes(noisy_log(300_000))
    serial = to_json(compute([open_input(str(path))]), top=0)
    share = TemplateCounter.share

    def failing(counter: TemplateCounter, parity: int) -> Shared:
        if parity == 1:  # the forked process's share
            raise MemoryError
        return share(counter, parity)

    monkeypatch.setattr(TemplateCounter, "share", failing)
    monkeypatch.setattr(stats_module, "ASIDE_MIN", 0)
    assert to_json(compute([open_input(str(path))]), top=0) == serial


def test_work_aside_returns_its_value_or_none() -> None:
    from logtrim.logs.aside import aside

    assert aside(lambda: {b"tpl": (3, 120)})() == {b"tpl": (3, 120)}
    assert aside(lambda: 1 // 0)() is None  # the caller then does the work itself


@pytest.mark.parametrize(
    "command", [b"::endgroup::", b"##teamcity[blockClosed name='step']", b"##vso[task.complete]"]
)
def test_no_drop_is_suggested_for_a_ci_command(command: bytes) -> None:
    """A CI command is the biggest template below warnings: ``run`` passes it under its CI
    whatever ``--drop`` says, so the suggestion is the next template, never the command."""
    data = b"".join(command + b"\n" + b"INFO built %d\n" % i for i in range(400))
    suggestion = suggest_drop(compute([_opened(data)]))
    assert suggestion is not None
    assert suggestion.template.startswith("INFO built ")


def test_no_drop_is_suggested_for_detail_lines() -> None:
    """DEBUG lines are archive only in ``run`` already: a ``--drop`` for them saves its
    console nothing, yet it was the suggestion; the info lines' template is."""
    data = b"".join(
        b"DEBUG:root:fetched page %d of the catalogue\n" % i + b"INFO:root:saved %d\n" % i
        for i in range(3000)
    )
    suggestion = suggest_drop(compute([_opened(data)]))
    assert suggestion is not None
    assert suggestion.template.startswith("INFO:root:saved ")
    assert suggestion.tier == "info"
    only_debug = b"".join(b"DEBUG:root:fetched page %d\n" % i for i in range(3000))
    assert suggest_drop(compute([_opened(only_debug)])) is None


def test_the_drop_suggestion_never_drops_a_count_above_zero(tmp_path: Path) -> None:
    """A template's tier was read off its example with its digits as 0: Maven's per-class
    summary (``Failures: 0, Errors: 0``) was info, and the --drop suggested for it also
    dropped the one line that counted a failure, an error line for ``run``."""
    lines = [f"Tests run: {i % 9 + 1}, Failures: 0, Errors: 0, Skipped: 0" for i in range(500)]
    lines.insert(250, "Tests run: 10, Failures: 2, Errors: 0, Skipped: 0")
    path = tmp_path / "surefire.log"
    path.write_text("\n".join([*lines, *(f"copy file {i}" for i in range(300))]) + "\n")
    proc = _cli("stats", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    tiers = {t["template"]: t["tier"] for t in report["templates"]}
    assert tiers["Tests run: <n>, Failures: <n>, Errors: <n>, Skipped: <n>"] == "error"
    suggestion = report.get("suggestion")
    if suggestion:
        assert not re.search(suggestion["regex"], lines[250]), suggestion


def _bar(name: str, steps: int) -> bytes:
    """A progress bar redrawn ``steps`` times over one line, then its newline."""
    states = [
        f"{name} [{'#' * (20 * i // steps):<20}] {100 * i // steps:3d}%" for i in range(steps + 1)
    ]
    return ("\r".join(states) + "\n").encode()


def test_a_redrawn_line_is_templated_by_its_last_state(tmp_path: Path) -> None:
    """A progress bar redrawn over one line with ``\\r`` was templated whole: every count of
    redraws a template of its own, printed as one glued run (``extract <n>%extract <n>%…``),
    and the suggested ``--drop`` was kilobytes long. Its last state now, as a terminal shows
    it; and no ``--drop`` for it."""
    bars = [_bar(f"file{i}.tar", 10 + 7 * i) for i in range(30)]
    log = tmp_path / "bars.log"
    log.write_bytes(b"Starting download\n" + b"".join(bars) + b"ERROR: extract failed\n")
    proc = _cli("stats", "--json", str(log))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    top = report["templates"][0]
    assert top["template"] == "\u21bb file<n>.tar [####################] <n>%"
    assert top["lines"] == 30 and top["bytes"] == sum(map(len, bars))
    # No --drop for it: a redrawn line's earlier states may say anything (a line that reads
    # ``FATAL: checksum mismatch\rpkg 100%`` has a bar's last state).
    assert report["suggestion"] is None


def test_a_bar_redrawn_more_often_than_in_the_good_run_is_no_new_line(tmp_path: Path) -> None:
    """A good run's bar redrawn 10 times, this run's 17 times: one shape (its last state), so
    neither ``diff`` nor ``stats --baseline`` calls it new; a line the good run lacks is."""
    good, bad = tmp_path / "good.log", tmp_path / "bad.log"
    good.write_bytes(b"Starting download\n" + _bar("file1.tar", 10) + b"done\n")
    bad.write_bytes(b"Starting download\n" + _bar("file2.tar", 17) + b"disk quota low\ndone\n")
    diff = _cli("diff", "--json", str(good), str(bad))
    assert diff.returncode == 0, diff.stderr
    report = json.loads(diff.stdout)
    assert (report["new_lines"], report["near_lines"]) == (1, 0)
    new = [found["text"] for found in report["shown"]]
    assert new == ["disk quota low"]
    stats = json.loads(_cli("stats", "--json", "--baseline", str(good), str(bad)).stdout)
    fresh = {t["template"] for t in stats["templates"] if t["new"]}
    assert fresh == {"disk quota low"}


def test_no_drop_rule_is_suggested_for_one_line(tmp_path: Path) -> None:
    """The biggest saving of a small log can be one long line (a request's log with its
    UUID): a --drop for it would match that line only, and no other run's."""
    path = tmp_path / "small.log"
    long_line = "INFO Request (main): PUT https://api/v3/projects/c0e1cb19/users/8033fd83 " * 20
    path.write_text("".join(f"checked host web-{i}\n" for i in range(5)) + long_line + "\n")
    proc = _cli("stats", str(path))
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    assert "Biggest saving" not in text
    assert "No single --drop rule" in text


def test_redrawn_lines_merged_into_one_template_keep_their_mark(tmp_path: Path) -> None:
    """Two bars redrawn with ``\\r`` whose templates differ in one word (``downloading
    base.tar``, ``downloading app.tar``) are merged into one, ``<*>`` for the word: the
    merged template lost the ``↻`` that says its lines were redrawn."""
    bars = [_bar(f"downloading {name}", 40) for name in ("base.tar", "app.tar")]
    log = tmp_path / "bars.log"
    log.write_bytes(b"Starting download\n" + b"".join(bars) + b"extracting...\n")
    proc = _cli("stats", "--json", str(log))
    assert proc.returncode == 0, proc.stderr
    top = json.loads(proc.stdout)["templates"][0]
    assert top["template"] == "\u21bb downloading <*> [####################] <n>%"
    assert top["lines"] == 2


def test_no_drop_rule_is_suggested_for_a_template_that_is_every_line(tmp_path: Path) -> None:
    """A log of one template (a download's progress, 500 times): a --drop for it would leave
    the console nothing to show, so it is no saving; with one other line it is."""
    path = tmp_path / "progress.log"
    lines = "".join(f"Downloading chunk {i} of 500 (1.2 MB/s)\n" for i in range(1, 501))
    path.write_text(lines)
    text = _cli("stats", str(path)).stdout.decode()
    assert "Biggest saving" not in text
    assert "not every line" in text
    path.write_text(lines + "Download complete\n")
    text = _cli("stats", str(path)).stdout.decode()
    assert "Biggest saving: --drop '^Downloading chunk" in text
