"""Baselines: corpus recall with each logjuicer dataset's ``.good`` file as the baseline, what
``logtrim diff`` shows per anomaly, ``run`` throughput with and without ``--baseline`` (same log,
interleaved), and how fast and small loading a baseline is."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from figures.corpus import Inf, missed, plain_text
from harness import (
    CORPUS,
    MB,
    OUT,
    Suite,
    failure,
    limit,
    mb,
    measure,
    medians,
    run_to,
    secs,
    speed,
)
from inputs import deploy_log

MIN_BUDGET = 2048


def bench(suite: Suite) -> None:
    datasets = sorted(p.parent for p in CORPUS.glob("logjuicer-tests/datasets/*/inf.yaml"))
    if datasets:
        _recall(suite, datasets)
        _diff(suite, datasets)
    else:
        suite.notes.append(f"baseline: no datasets under {CORPUS}; recall skipped.")
    _throughput(suite)
    _loading(suite)


def _console(suite: Suite, path: Path, budget: int, baseline: Path | None) -> bytes:
    extra = ("--budget", str(budget)) + (("--baseline", str(baseline)) if baseline else ())
    cmd = suite.lt_run(OUT / "bl.zst", "sh", "-c", 'cat "$0"; exit 1', path, extra=extra,
                       record=False)  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 1:
        raise failure(cmd, proc.returncode, proc.stderr)
    if len(proc.stdout) + len(proc.stderr) > budget:
        raise failure(cmd, 1, f"console over the budget {budget:,} B")
    return proc.stdout + proc.stderr


# logtrim's closing lines: what every failing run prints whatever it shows of the log.
_CLOSING = re.compile(rb"^\[logtrim\] (?:\d[\d,]* lines? \(|archive: |failed |full log: )", re.M)


def ceiling(fail: Path, expected: tuple[str, ...], budget: int, console: bytes) -> int:
    """The most anomaly lines any console of ``budget`` bytes could hold: the budget less
    logtrim's closing lines (as this run printed them), filled with whole lines of the log
    (a line longer than that room: only the anomaly's own text), each anomaly served by the
    shortest line holding it, with no marker between them: a 0/1 knapsack of lines, weighed
    in bytes, worth the anomalies they hold."""
    closing = sum(len(m.group(0)) + len(console[m.end():].split(b"\n", 1)[0]) + 1
                  for m in _CLOSING.finditer(console))  # fmt: skip
    room = budget - closing
    lines = plain_text(fail.read_bytes()).splitlines()
    worth: dict[str, int] = {}  # a line, as far as it is needed -> the anomalies it holds
    for want in expected:
        shown = [ln if len(ln.encode()) < room else want for ln in lines if want in ln]
        if shown:
            best = min(shown, key=lambda ln: len(ln.encode()))
            worth[best] = worth.get(best, 0) + 1
    most = [0] * (max(room, 0) + 1)  # most[c]: the most anomalies in c bytes
    for line, value in worth.items():
        cost = len(line.encode()) + 1
        for c in range(len(most) - 1, cost - 1, -1):
            most[c] = max(most[c], most[c - cost] + value)
    return most[-1]


def _recall(suite: Suite, datasets: list[Path]) -> None:
    """Recall at 10% (>= 4 kB) and 2% (>= 2 kB) of the log, without and with the baseline."""
    budgets: dict[str, Callable[[int], int]] = {
        "10%": lambda n: max(n // 10, 4000),
        "2%": lambda n: max(n // 50, MIN_BUDGET),
    }
    hits = {(b, with_base): 0 for b in budgets for with_base in (False, True)}
    most = dict.fromkeys(budgets, 0)  # the ceiling of any console (see ceiling())
    total = 0
    rows = ["| dataset | anomaly lines | 10% | 10% + baseline | 2% | 2% + baseline "
            "| most that fit, 10% / 2% |", "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for ds in datasets:
        inf = Inf.parse((ds / "inf.yaml").read_text())
        (fail,), (good,) = sorted(ds.glob("*.fail")), sorted(ds.glob("*.good"))
        n = len(inf.expected)
        total += n
        cells, fits = [], []
        for label, share in budgets.items():
            budget = share(fail.stat().st_size)
            for with_base in (False, True):
                console = _console(suite, fail, budget, good if with_base else None)
                got = n - len(missed(inf.expected, plain_text(console)))
                hits[label, with_base] += got
                cells.append(f"{got}/{n}")
            fit = ceiling(fail, inf.expected, budget, console)
            most[label] += fit
            fits.append(f"{fit}/{n}")
        rows.append(f"| {ds.name} | {n} | " + " | ".join(cells) + f" | {' / '.join(fits)} |")
    ratio = {k: v / total for k, v in hits.items()}
    rows.append(f"| **all** | {total} | " + " | ".join(f"**{ratio[k]:.0%}**" for k in hits)
                + " | " + " / ".join(f"{v / total:.0%}" for v in most.values()) + " |")  # fmt: skip
    suite.corpus_rows += ["", "With each dataset's `.good` file as `--baseline`:", "", *rows]
    suite.show("logtrim run --budget B --baseline D/*.good -- sh -c 'cat \"$0\"; exit 1' D/*.fail")
    for label, target in (("10%", 0.97), ("2%", 0.90)):
        suite.add(
            f"corpus recall with the `.good` baseline, budget {label}",
            f"{ratio[label, True]:.0%} ({hits[label, True]}/{total})",
            f"{ratio[label, False]:.0%} without baseline; at most {most[label] / total:.0%}"
            " fit in any console",
            f"{ratio[label, True] - ratio[label, False]:+.0%}",
            f"≥ {target:.0%}",
            ok=ratio[label, True] >= target,
        )


def _diff(suite: Suite, datasets: list[Path]) -> None:
    """``logtrim diff GOOD BAD``: lines shown per anomaly found, against logjuicer's list."""
    rows = ["| dataset | anomalies found | lines shown | logjuicer's list |",
            "|---|---:|---:|---:|"]  # fmt: skip
    found_all = shown_all = listed_all = 0
    for ds in datasets:
        inf = Inf.parse((ds / "inf.yaml").read_text())
        (fail,), (good,) = sorted(ds.glob("*.fail")), sorted(ds.glob("*.good"))
        budget = max(fail.stat().st_size // 10, 4000)
        cmd = suite.cmd(*suite.logtrim, "diff", "--budget", str(budget), good, fail, record=False)
        proc = subprocess.run(cmd, capture_output=True, check=False)
        if proc.returncode != 0:
            raise failure(cmd, proc.returncode, proc.stderr)
        text = plain_text(proc.stdout)
        lines = [ln for ln in text.splitlines() if ln[:1].isdigit()]
        found = len(inf.expected) - len(missed(inf.expected, text))
        listed = _listed(ds / "inf.yaml")
        found_all, shown_all, listed_all = (
            found_all + found,
            shown_all + len(lines),
            listed_all + listed,
        )
        rows.append(f"| {ds.name} | {found}/{len(inf.expected)} | {len(lines)} | {listed} |")
    suite.corpus_rows += ["", "`logtrim diff GOOD BAD --budget B` (B as above, 10%):", "", *rows]
    suite.show("logtrim diff --budget B D/*.good D/*.fail")
    per = shown_all / max(found_all, 1)
    suite.add(
        "`diff`: lines shown per anomaly found (logjuicer datasets)",
        f"{per:.1f} ({shown_all} lines, {found_all} found)",
        f"{listed_all / max(found_all, 1):.1f} logjuicer's list ({listed_all} lines)",
        "—",
        "fewer than logjuicer's",
        ok=shown_all < listed_all,
    )


def _listed(inf: Path) -> int:
    import yaml

    doc = yaml.safe_load(inf.read_text()) or {}
    return len(doc.get("anomalies") or ())


def _throughput(suite: Suite) -> None:
    """``run -- cat LOG`` with and without ``--baseline``: another log of the same kind, and
    the archive of a run over that log."""
    size = suite.size(256 * MB, 8 * MB)
    log = deploy_log(suite, size)
    # The same generator and seed at a quarter size: the run's own first quarter.
    good = deploy_log(suite, size // 4)
    art, kept = OUT / "bl-run.zst", OUT / "bl-run.console"
    # The archive of a plain run over the good log (no --baseline, no --history): it has no
    # index frame, so the run decodes it and takes its shapes at its start (the slow case; an
    # archive that has one loads in milliseconds, see the load rows).
    good_archive = OUT / "bl-good-run.zst"
    run_to(suite.lt_run(good_archive, "cat", good, record=False), kept, budget=limit(size))
    plain = suite.lt_run(art, "cat", log)
    based = suite.lt_run(art, "cat", log, extra=("--baseline", str(good)))
    archived = suite.lt_run(art, "cat", log, extra=("--baseline", str(good_archive)))
    t_plain, t_based, t_archived = medians(
        suite.runs,
        lambda: run_to(plain, kept, budget=limit(size)).wall,
        lambda: run_to(based, kept, budget=limit(size)).wall,
        lambda: run_to(archived, kept, budget=limit(size)).wall,
    )
    for what, took in ((f"{mb(size // 4)} log", t_based), ("its run's archive", t_archived)):
        ratio = t_plain / took
        suite.add(
            f"throughput with `--baseline` ({what}), {mb(size)} run",
            speed(size, took),
            speed(size, t_plain) + " without",
            f"{ratio:.2f}x",
            "≥ 0.6x",
            ok=ratio >= 0.6,
        )
    art.unlink(missing_ok=True)
    good_archive.unlink(missing_ok=True)


_LOAD = (
    "import sys, time; from logtrim.baseline.load import load; from logtrim.baseline import store;"
    "t = time.perf_counter(); s = load(sys.argv[1]); t1 = time.perf_counter() - t;"
    "p = store.record(sys.argv[2], 'bench', s.hashes); t = time.perf_counter();"
    "n = len(load(p)); t2 = time.perf_counter() - t; print(t1, t2, len(s), n, p.stat().st_size)"
)
_LOAD_ONE = (
    "import sys, time; from logtrim.baseline.load import load;"
    "t = time.perf_counter(); s = load(sys.argv[1]); print(time.perf_counter() - t, len(s))"
)


def _loading(suite: Suite) -> None:
    """Loading a large baseline: a plain log, the --history index made from it, and the
    archive of a run over it (which ends with its index frame): time, and the RSS of a run."""
    size = suite.size(1000 * MB, 16 * MB)
    log = deploy_log(suite, size)
    folder = OUT / "bl-history"
    cmd = [sys.executable, "-c", _LOAD, str(log), str(folder)]
    out = OUT / "bl-load.out"
    proc = run_to(cmd, out)
    t_log, t_index, shapes, _, index_size = out.read_text().split()
    suite.show(f"python -c 'load(LOG); store.record(...); load(INDEX)'  # LOG: {mb(size)}")
    # The target is the index's load (what --history keeps, what an archive ends
    # with); a plain log has none and is read whole: its time is shown beside it, no target.
    suite.add(
        f"baseline index load: the --history index of a {mb(size)} log ({shapes} shapes)",
        f"{secs(float(t_index))} index ({int(index_size) / 1024:.0f} kB)",
        f"{secs(float(t_log))} the plain log itself, read whole (no index)",
        "—",
        "< 1 s (index)",
        ok=float(t_index) < 1.0,
    )
    # The archive of a run with a baseline (here --history) over the same log: how runs are
    # meant to get theirs. Loading it reads its index frame only.
    archive = OUT / "bl-good.zst"
    good = suite.lt_run(archive, "cat", log, extra=("--history", str(OUT / "bl-history-run")))
    run_to(good, OUT / "bl-good.console")
    loaded = OUT / "bl-load-archive.out"
    run_to([sys.executable, "-c", _LOAD_ONE, str(archive)], loaded)
    t_archive, archive_shapes = loaded.read_text().split()
    suite.show("python -c 'load(ARCHIVE)'  # ARCHIVE: the run's, with its index frame")
    suite.add(
        f"baseline load: the archive of a run over the {mb(size)} log ({archive_shapes} shapes)",
        f"{secs(float(t_archive))} archive",
        f"{secs(float(t_log))} log",
        "—",
        "< 1 s",
        ok=float(t_archive) < 1.0,
    )
    # The whole run with that baseline: loading it is part of its start and of its memory.
    for what, base in (("log", log), ("archive", archive)):
        run = suite.lt_run(OUT / "bl-rss.zst", "true", extra=("--baseline", str(base)))
        rss = measure(run).maxrss
        suite.add(
            f"`run --baseline` {mb(size)} {what}: peak RSS",
            mb(rss),
            f"{mb(proc.maxrss)} loading the log alone",
            "—",
            "≤ 96 MB",
            ok=rss <= 96 * MB,
        )
    # The worst case for the caches: long lines, all distinct (no digits to fold them).
    long_log = _long_lines(suite.size(200 * MB, 16 * MB))
    run = suite.lt_run(OUT / "bl-rss.zst", "true", extra=("--baseline", str(long_log)))
    rss = measure(run).maxrss
    suite.add(
        f"`run --baseline` {mb(long_log.stat().st_size)} of distinct 2 kB lines: peak RSS",
        mb(rss),
        "—",
        "—",
        "≤ 96 MB",
        ok=rss <= 96 * MB,
    )
    for p in [*folder.glob("*"), *(OUT / "bl-history-run").glob("*"), OUT / "bl-rss.zst", archive]:
        p.unlink(missing_ok=True)


def _long_lines(size: int) -> Path:
    """``size`` bytes of 2 kB lines of random letters (g-z: no hex ids, no digits), cached."""
    path = OUT / f"distinct-{size // MB}MB.log"
    if path.exists() and path.stat().st_size == size:
        return path
    letters = bytes(range(ord("g"), ord("z") + 1))
    table = bytes(letters[i % len(letters)] for i in range(256))
    with path.open("wb") as out:
        for _ in range(size // 2048):
            out.write(os.urandom(2047).translate(table) + b"\n")
        out.write(b"x" * (size % 2048))
    return path
