"""``logtrim diff GOOD BAD`` and ``logtrim stats --baseline``, run as the user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from conftest import clean_env


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", *args],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip


def _step(n: int, extra: bytes = b"") -> bytes:
    """A deployment step's output: the same lines each run, with other numbers."""
    lines = [
        b"[%03d] Uploading package web-%d.%d.nupkg (%d kB)\n" % (i, n, i, i * 7 + n)
        for i in range(300)
    ]
    lines.insert(150, extra)
    return b"".join(lines) + b"Deployment of release %d finished in %d s\n" % (n, n * 3)


SILENT = b"Using cached credentials from /home/deploy/.aws/config (profile staging)\n"


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    good = tmp_path / "good.log.zst"
    good.write_bytes(zstandard.ZstdCompressor().compress(_step(1)))
    bad = tmp_path / "bad.log"
    bad.write_bytes(_step(2, SILENT + b"ERROR: upload failed: 403 Forbidden\n"))
    return good, bad


def test_diff_shows_the_new_lines_and_nothing_the_good_run_also_has(
    runs: tuple[Path, Path],
) -> None:
    proc = _cli("diff", *map(str, runs))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode().splitlines()
    # The line with no error word is found too; lines written together print together.
    assert out[:2] == ["151:" + SILENT.decode().rstrip(), "152:ERROR: upload failed: 403 Forbidden"]
    assert "2 new line shapes" in out[-1]
    assert len(out) == 3


def test_diff_exit_code_gates_on_new_lines(runs: tuple[Path, Path], tmp_path: Path) -> None:
    """``--exit-code``: 1 when BAD has new lines, 0 when it has none (another run of the
    same step, other numbers), as ``git diff --exit-code``; the listing is the same."""
    good, bad = runs
    gated = _cli("diff", "--exit-code", str(good), str(bad))
    assert gated.returncode == 1, gated.stderr
    assert gated.stdout == _cli("diff", str(good), str(bad)).stdout
    same = tmp_path / "same.log"
    same.write_bytes(_step(3))
    proc = _cli("diff", "--exit-code", str(good), str(same))
    assert proc.returncode == 0, proc.stderr
    assert b"0 new line shapes" in proc.stdout
    # A damaged BAD is an input error first, whatever it held.
    cut = tmp_path / "cut.log.zst"
    cut.write_bytes(zstandard.ZstdCompressor().compress(_step(2, SILENT))[:-20])
    assert _cli("diff", "--exit-code", str(good), str(cut)).returncode == 3


def test_diff_exit_code_fails_on_a_bad_run_cut_short(
    runs: tuple[Path, Path], tmp_path: Path
) -> None:
    """A BAD archive cut after some of it decoded (a killed writer, a partial download):
    without ``--exit-code`` a warning and what it holds; with it exit 3, as the lines cut off
    may be the new ones (here they are): a gate never passes on what it did not read."""
    good, _ = runs
    log = b"".join(_step(n) for n in range(2, 60)) + b"ERROR: upload failed: 403 Forbidden\n"
    packed = zstandard.ZstdCompressor(level=1).compress(log)
    cut = tmp_path / "cut.log.zst"
    cut.write_bytes(packed[: len(packed) // 2])
    listed = _cli("diff", str(good), str(cut))
    assert listed.returncode == 0, listed.stderr
    assert b"truncated at the end" in listed.stderr
    gated = _cli("diff", "--exit-code", str(good), str(cut))
    assert gated.returncode == 3, gated.stderr
    assert gated.stderr.count(b"\n") == 1, gated.stderr  # one line, the error
    assert b"truncated at the end" in gated.stderr


def test_a_closed_stdin_is_an_input_error(runs: tuple[Path, Path]) -> None:
    """``-`` with stdin closed (``<&-``) reads as nothing: an error, not an empty log (a
    ``diff --exit-code`` gate passed on it)."""
    good, _ = runs
    for args in (["diff", "--exit-code", str(good), "-"], ["stats", "-"], ["cat", "-"]):
        proc = subprocess.run(
            [sys.executable, "-m", "logtrim", *args], stdin=subprocess.DEVNULL,
            capture_output=True, env=clean_env(), timeout=60, check=False,
            preexec_fn=lambda: os.close(0),
        )  # fmt: skip
        assert proc.returncode == 3, (args, proc.stderr)
        assert proc.stderr == b"logtrim: error: <stdin>: cannot read: stdin is closed\n"


def test_diff_with_context_shows_the_neighbours_grep_style(runs: tuple[Path, Path]) -> None:
    good, bad = runs
    bad.write_bytes(_step(2, b"ERROR: upload failed: 403 Forbidden\n" + SILENT))
    proc = _cli("diff", "--context", "2", str(good), str(bad))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().splitlines()[:6] == [
        "149-[148] Uploading package web-2.148.nupkg (1038 kB)",
        "150-[149] Uploading package web-2.149.nupkg (1045 kB)",
        "151:ERROR: upload failed: 403 Forbidden",
        "152:" + SILENT.decode().rstrip(),
        "153-[150] Uploading package web-2.150.nupkg (1052 kB)",
        "154-[151] Uploading package web-2.151.nupkg (1059 kB)",
    ]


def test_diff_context_reaches_across_chunks(tmp_path: Path) -> None:
    """New lines on both sides of where the reader's 1 MiB chunks meet: each keeps its
    neighbours, numbered as in the file."""
    lines = [b"step %09d ok\n" % i for i in range(100_000)]  # 18 bytes each
    good = tmp_path / "good.log"
    good.write_bytes(b"".join(lines))
    # 40 new lines, of distinct shapes and words, across the first chunk's end
    at = (1 << 20) // 18 - 20
    lines[at:at] = [
        b"Using profile %s\n" % (bytes((97 + k // 26, 97 + k % 26)) * 2) for k in range(40)
    ]
    bad = tmp_path / "bad.log"
    bad.write_bytes(b"".join(lines))
    proc = _cli("diff", "--context", "3", "--json", str(good), str(bad))
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)["shown"]
    assert [entry["line"] for entry in shown] == list(range(at + 1, at + 41))
    for entry in shown:
        n = entry["line"]
        want = [k for k in range(n - 3, n + 4) if k != n]
        assert [c["line"] for c in entry["context"]] == want
        assert [c["text"].encode() + b"\n" for c in entry["context"]] == [
            lines[k - 1] for k in want
        ]


def test_diff_json_gives_line_numbers_shapes_and_tiers(runs: tuple[Path, Path]) -> None:
    proc = _cli("diff", "--json", "--context", "1", *map(str, runs))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    shown = {entry["line"]: entry for entry in report["shown"]}
    assert sorted(shown) == [151, 152]
    assert shown[152]["tier"] == "error"
    assert shown[151]["shape"] == "Using cached credentials from <path> (profile staging)"
    assert [c["line"] for c in shown[151]["context"]] == [150, 152]


def test_diff_under_a_small_budget_shows_the_error_and_says_what_it_held_back(
    runs: tuple[Path, Path],
) -> None:
    good, bad = runs
    long_line = b"Using settings " + b"x" * 3000 + b"\n"  # new, no error word, over the budget
    bad.write_bytes(_step(2, long_line + b"ERROR: upload failed: 403 Forbidden\n"))
    proc = _cli("diff", "--budget", "2100", str(good), str(bad))
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    assert "152:ERROR: upload failed" in text
    assert "151:" not in text
    assert "held back by the budget 1" in text
    assert len(proc.stdout) <= 2100


def test_diff_of_a_missing_file_is_one_line_and_exit_3(tmp_path: Path) -> None:
    (tmp_path / "bad.log").write_bytes(b"x\n")
    proc = _cli("diff", str(tmp_path / "nope.log"), str(tmp_path / "bad.log"))
    assert proc.returncode == 3
    assert proc.stderr.decode().count("\n") == 1 and "no such file" in proc.stderr.decode()
    # Both missing: the first one named is the one said (it was BAD's error, GOOD's unread).
    proc = _cli("diff", str(tmp_path / "nope.log"), str(tmp_path / "nada.log"))
    assert proc.returncode == 3
    assert proc.stderr.decode() == f"logtrim: error: {tmp_path / 'nope.log'}: no such file\n"


def test_a_bad_run_that_is_no_archive_at_all_prints_no_result(
    runs: tuple[Path, Path], tmp_path: Path
) -> None:
    """A BAD that is not zstd from its first byte: nothing was read of it, so no result line
    ("0 new line shapes" would be untrue to a script that reads stdout); one line, exit 3."""
    good, _ = runs
    bad = tmp_path / "bad.log.zst"
    bad.write_bytes(b"\x28\xb5\x2f\xfdgarbagegarbage")
    for extra in ([], ["--json"]):
        proc = _cli("diff", *extra, str(good), str(bad))
        assert proc.returncode == 3
        assert proc.stdout == b""
        assert proc.stderr.decode().splitlines() == [
            f"logtrim: error: {bad}: not zstd after 0 bytes decoded "
            "(zstd decompressor error: Dictionary mismatch)"
        ]


@pytest.mark.parametrize("command", [["diff", "-"], ["stats", "--baseline", "-"]])
def test_a_good_run_from_stdin_is_refused_saying_so(tmp_path: Path, command: list[str]) -> None:
    """GOOD is read twice (its shapes, then BAD against them): stdin cannot be; said as that
    (exit 2), not as a file named ``-`` that does not exist."""
    (tmp_path / "bad.log").write_bytes(b"x\n")
    proc = _cli(*command, str(tmp_path / "bad.log"))
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith("logtrim: error: a good run cannot be stdin (-)")


def test_stats_with_a_baseline_lists_the_new_templates_first(runs: tuple[Path, Path]) -> None:
    good, bad = runs
    proc = _cli("stats", "--json", "--baseline", str(good), str(bad))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["new_templates"] == 2
    first = report["templates"][:2]
    assert all(t["new"] for t in first)
    assert {t["tier"] for t in first} == {"error", "detail"}
    assert not any(t["new"] for t in report["templates"][2:])


def test_stats_and_diff_agree_on_an_id_that_happens_to_be_all_digits(
    tmp_path: Path,
) -> None:
    """A hex etag that happens to have no letter is ``<n>``, not ``<hex>``: the same line shape
    of the good run to ``diff`` and ``run``, and so to ``stats --baseline`` (it said 1 new)."""
    good, bad = tmp_path / "good.log", tmp_path / "bad.log"
    line = b"sync object a.js etag=%s 12ms\n"
    good.write_bytes(b"".join(line % t for t in (b"15ba2bdd177219d3", b"cf1822ffbc688778")))
    bad.write_bytes(b"".join(line % t for t in (b"94c9c9500925e474", b"1206706657373641")))
    stats = _cli("stats", "--json", "--baseline", str(good), str(bad))
    assert json.loads(stats.stdout)["new_templates"] == 0, stats.stderr
    diff = _cli("diff", "--json", str(good), str(bad))
    assert json.loads(diff.stdout)["new_shapes"] == 0, diff.stderr


# A step that declares a secret to its CI (GitHub's and Azure's forms), then prints it: a
# report masks it in BAD; GOOD's lines must be masked alike, or each line that prints it is
# a new shape (or a near one) of the log against itself.
_DECLARES = (
    b"Preparing the deployment of web-7\n"
    b"::add-mask::hunter2xyz\n"
    b"##vso[task.setvariable variable=DB_PASSWORD;issecret=true]Pa55-w0rd-9\n"
    b"logging in to registry.example.com as deploy with hunter2xyz\n"
    b"connecting to postgres://deploy:s3cr3t-url@db-01/shop with Pa55-w0rd-9\n"
    b"ERROR: token hunter2xyz was refused, retrying\n"
    b"Deployment of release 7 finished\n"
)


@pytest.mark.parametrize("form", ["plain", "gz", "zst"])
def test_diff_of_a_log_with_masked_secrets_against_itself_finds_nothing(
    tmp_path: Path, form: str
) -> None:
    log = tmp_path / {"plain": "run.log", "gz": "run.log.gz", "zst": "run.log.zst"}[form]
    if form == "gz":
        import gzip

        log.write_bytes(gzip.compress(_DECLARES))
    elif form == "zst":
        log.write_bytes(zstandard.ZstdCompressor().compress(_DECLARES))
    else:
        log.write_bytes(_DECLARES)
    proc = _cli("diff", "--json", str(log), str(log))
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert (found["new_shapes"], found["near_shapes"], found["shown"]) == (0, 0, []), found


def test_a_line_longer_than_a_chunk_is_one_line_with_grep_s_numbers(tmp_path: Path) -> None:
    """A 3 MB line is read in pieces: before, each piece was a new line of its own, and the
    lines after it were numbered 11 and 12 in a file of 4 lines."""
    good = tmp_path / "good.log"
    good.write_bytes(b"INFO start\nINFO done\n")
    bad = tmp_path / "bad.log"
    bad.write_bytes(
        b"INFO start\nDEBUG payload " + b"x" * 3_000_000 + b" end\nINFO after\nERROR real problem\n"
    )
    proc = _cli("diff", "--json", str(good), str(bad))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["lines"] == 4
    assert [found["line"] for found in report["shown"]] == [2, 3, 4]


def test_context_next_to_a_line_longer_than_a_chunk_is_grep_s(tmp_path: Path) -> None:
    """``--context 2`` around a 3 MB line: before, a later piece of the long line stood for a
    line of context, and ``start`` (before) or ``x`` (after) was left out."""
    long = "progress " + "#" * (3 * 1024 * 1024)
    good = tmp_path / "good.log"
    good.write_text(f"start\n{long}\nx\ny\nend\n")
    before = tmp_path / "before.log"
    before.write_text(f"start\n{long}\nnew thing here\nend\n")
    after = tmp_path / "after.log"
    after.write_text(f"start\nnew thing here\n{long}\nx\ny\nend\n")
    for bad, expected in (
        (before, [b"1-start", b"2-progress #", b"3:new thing here", b"4-end"]),
        (after, [b"1-start", b"2:new thing here", b"3-progress #", b"4-x"]),
    ):
        proc = _cli("diff", "--context", "2", str(good), str(bad))
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()[: len(expected)]
        shown = [line[: len(want)] for line, want in zip(lines, expected, strict=True)]
        assert shown == expected


def test_a_test_that_failed_where_the_good_run_passed_it_is_shown(tmp_path: Path) -> None:
    """TAP's ``not ok 2 - total`` was near the good run's ``ok 2 - total`` and left out: the
    line that says which test failed. A failure's mark (``not ok``, ``✖``) weighs as an error
    word."""
    names = ["empty cart", "total sums price", "discount over 100", "no discount", "bad item"]
    good = "".join(f"ok {i} - {name}\n  ---\n  duration_ms: 0.5\n  ...\n" for i, name in
                   enumerate(names, 1))  # fmt: skip
    bad = good.replace("ok 2 - total", "not ok 2 - total").replace("ok 5 - bad", "not ok 5 - bad")
    spec_good = "".join(f"\u2714 {name} (0.5ms)\n" for name in names)
    spec_bad = spec_good.replace("\u2714 total", "\u2716 total")
    for good_text, bad_text, want in (
        (good, bad, ["not ok 2 - total sums price", "not ok 5 - bad item"]),
        (spec_good, spec_bad, ["\u2716 total sums price (0.5ms)"]),
    ):
        (tmp_path / "good.log").write_text(good_text)
        (tmp_path / "bad.log").write_text(bad_text)
        out = _cli("diff", str(tmp_path / "good.log"), str(tmp_path / "bad.log"))
        assert out.returncode in (0, 1), out.stderr
        for line in want:
            assert line.encode() in out.stdout, out.stdout.decode()


@pytest.mark.parametrize("budget", [2000, 4000, 64000])
def test_diff_stays_within_its_budget_with_its_markers(tmp_path: Path, budget: int) -> None:
    """Every other new line too long or of a lower tier: each shown group after a held one
    has a marker saying how many were held back, and those markers were not paid (2,158
    bytes at a 2 kB budget, 63,700 at 64 kB... of 64,000, 4,179 at 4 kB)."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
    lines = []
    for i in range(400):
        picked = " ".join(words[(i * k + k) % len(words)] for k in range(1, 6))
        lines.append(f"ERROR {picked} {chr(97 + i % 26) * (1 + i % 7)}" + " z" * (i % 2 * 150))
    (tmp_path / "good.log").write_bytes(b"INFO start\nINFO done\n")
    (tmp_path / "bad.log").write_text("\n".join(lines) + "\n")
    proc = _cli(
        "diff", "--budget", str(budget), str(tmp_path / "good.log"), str(tmp_path / "bad.log")
    )
    assert proc.returncode == 0, proc.stderr
    assert b"held back by the budget" in proc.stdout
    assert len(proc.stdout) <= budget
