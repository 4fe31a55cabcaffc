"""Corpus recall: real failing logs through ``logtrim run`` at a small budget, and the share of
the lines that say why they failed that reach the console; ``grep + tail`` as the baseline.

The logjuicer datasets list those lines in ``inf.yaml``, read with PyYAML (the ``bench`` extra):
they are hand-written YAML from another project (block scalars, quoting, flags), which a
subset parser would misread the day one of them uses a form it does not know.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import CORPUS, OUT, Suite, failure

RECALL_KEYWORDS = "error|fail|warn|exception|traceback"


@dataclass(frozen=True)
class Inf:
    """What a dataset's ``inf.yaml`` says: skipped upstream, and the lines a tool must show."""

    skip: bool
    expected: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Inf:
        """The non-optional anomaly lines, stripped (an ``optional: true`` line may be left out).
        Raises ImportError without PyYAML."""
        import yaml

        doc: dict[str, Any] = yaml.safe_load(text) or {}
        lines = (
            str(a.get("line") or "").strip()
            for a in doc.get("anomalies") or ()
            if not a.get("optional")
        )
        return cls(bool(doc.get("skip")), tuple(ln for ln in lines if ln))


_ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|[\]_P^][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def plain_text(data: bytes) -> str:
    """Console bytes without ANSI/APC escapes, carriage returns as line breaks."""
    return _ANSI.sub(b"", data).replace(b"\r", b"\n").decode("utf-8", errors="replace")


def budget_for(path: Path) -> int:
    return max(path.stat().st_size // 10, 4000)


def logtrim_console(suite: Suite, path: Path) -> str:
    """logtrim's console (stdout + stderr) for a failing step that prints ``path``; it must keep
    to the budget (a fail-open run that forwards everything would score 100%)."""
    budget = budget_for(path)
    cmd = suite.lt_run(
        OUT / "corpus.zst",
        "sh",
        "-c",
        'cat "$0"; exit 1',
        path,
        extra=("--budget", str(budget)),
        record=False,
    )
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 1:
        raise failure(cmd, proc.returncode, proc.stderr)
    shown = len(proc.stdout) + len(proc.stderr)
    if shown > budget:
        raise failure(cmd, proc.returncode, f"console {shown:,} B > budget {budget:,} B")
    return plain_text(proc.stdout + proc.stderr)


def grep_tail_console(path: Path) -> str:
    """Baseline: keyword grep, then ``tail -n 200``, cut to the same budget (tail gets half)."""
    budget = budget_for(path)
    grep = subprocess.run(
        ["grep", "-a", "-E", "-i", RECALL_KEYWORDS, str(path)], capture_output=True, check=False
    ).stdout
    tail = subprocess.run(["tail", "-n", "200", str(path)], capture_output=True, check=True)
    kept = tail.stdout[-(budget // 2) :]
    return plain_text(grep[: budget - len(kept)] + kept)


def missed(expected: tuple[str, ...] | list[str], console: str) -> list[str]:
    return [line for line in expected if line not in console]


def note_missed(suite: Suite, label: str, lines: list[str]) -> None:
    if lines:
        shown = "; ".join(f"`{ln[:70]}`" for ln in lines[:3])
        more = f" (+{len(lines) - 3} more)" if len(lines) > 3 else ""
        suite.notes.append(f"corpus, {label}: logtrim did not show {shown}{more}")


def bench(suite: Suite) -> None:
    datasets = sorted(p.parent for p in CORPUS.glob("logjuicer-tests/datasets/*/inf.yaml"))
    if not datasets:
        suite.notes.append(f"corpus: no datasets under {CORPUS}; skipped.")
        return
    try:
        import yaml  # noqa: F401
    except ImportError:
        suite.notes.append("corpus: PyYAML is missing (`pip install -e '.[bench]'`); skipped.")
        return
    _show_commands(suite)
    _recall(suite, datasets)
    _failing_logs(suite)
    (OUT / "corpus.zst").unlink(missing_ok=True)


def _show_commands(suite: Suite) -> None:
    head = suite.lt_run(OUT / "corpus.zst", extra=("--budget", "B"), record=False)
    suite.show(
        f"{shlex.join(head[:-1])} -- sh -c 'cat \"$0\"; exit 1' F  # B = max(size(F) // 10, 4000)"
    )
    suite.show(
        f"{{ grep -a -E -i '{RECALL_KEYWORDS}' F; tail -n 200 F; }}"
        "  # cut to B bytes, the tail gets half"
    )
    suite.show(
        f"# F: {CORPUS}/logjuicer-tests/datasets/*/*.fail,"
        " jenkins-analysis-model/issue7775.txt, buildkite-terminal-to-html/buildah-build.sh.raw"
    )


def _recall(suite: Suite, datasets: list[Path]) -> None:
    """One table row per dataset, then the totals with and without upstream's ``skip: true``."""
    suite.corpus_rows += [
        "| dataset | file | budget | anomaly lines | logtrim | grep + tail |",
        "|---|---|---:|---:|---:|---:|",
    ]
    counts: list[tuple[bool, int, int, int]] = []  # skip, lines, logtrim hits, baseline hits
    for ds in datasets:
        inf = Inf.parse((ds / "inf.yaml").read_text())
        n = len(inf.expected)
        (fail,) = sorted(ds.glob("*.fail"))
        lost = missed(inf.expected, logtrim_console(suite, fail))
        note_missed(suite, ds.name, lost)
        got_base = n - len(missed(inf.expected, grep_tail_console(fail)))
        counts.append((inf.skip, n, n - len(lost), got_base))
        name = ds.name + (" (skip: true)" if inf.skip else "")
        suite.corpus_rows.append(
            f"| {name} | {fail.name} | {budget_for(fail):,} B | {n}"
            f" | {n - len(lost)}/{n} | {got_base}/{n} |"
        )
    total, hit_lt, hit_base = (sum(c[i] for c in counts) for i in (1, 2, 3))
    r_lt, r_base = hit_lt / total, hit_base / total
    suite.corpus_rows.append(f"| **all** | | | {total} | **{r_lt:.0%}** | {r_base:.0%} |")
    kept = [c for c in counts if not c[0]]
    n_kept = sum(c[1] for c in kept)
    suite.corpus_rows.append(
        f"| all without `skip: true` | | | {n_kept} | {sum(c[2] for c in kept) / n_kept:.0%}"
        f" | {sum(c[3] for c in kept) / n_kept:.0%} |"
    )
    suite.add(
        f"corpus recall, {len(datasets)} logjuicer datasets (budget 10%, ≥ 4 kB)",
        f"{r_lt:.0%} ({hit_lt}/{total})",
        f"{r_base:.0%} ({hit_base}/{total}) grep + tail",
        f"{r_lt - r_base:+.0%}",
        "≥ 90%",
        ok=r_lt >= 0.9,
    )


def _failing_logs(suite: Suite) -> None:
    """The failing-log checks: every line that says why the build failed is shown."""
    for label, path, expected in failure_logs():
        if not path.exists():
            suite.notes.append(f"corpus: {path} missing; {label} skipped.")
            continue
        lost = missed(expected, logtrim_console(suite, path))
        note_missed(suite, label, lost)
        got = len(expected) - len(lost)
        base = len(expected) - len(missed(expected, grep_tail_console(path)))
        suite.add(
            f"{label}: why the build failed is shown",
            f"{got}/{len(expected)} lines",
            f"{base}/{len(expected)} grep + tail",
            "—",
            "all lines",
            ok=got == len(expected),
        )


def failure_logs() -> Iterator[tuple[str, Path, list[str]]]:
    """The failing Jenkins and Buildkite logs, with the lines that say why they failed."""
    jenkins = CORPUS / "jenkins-analysis-model" / "issue7775.txt"
    if jenkins.exists():
        msb = {
            ln.strip()
            for ln in jenkins.read_text(errors="replace").splitlines()
            if "error MSB3021" in ln
        }
        # the 11 distinct MSB3021 copy errors, the verdict and the count
        yield (
            "Jenkins MSBuild (issue7775.txt)",
            jenkins,
            [*sorted(msb), "Build FAILED.", "11 Error(s)"],
        )
    yield (
        "Buildkite buildah (buildah-build.sh.raw)",
        CORPUS / "buildkite-terminal-to-html" / "buildah-build.sh.raw",
        [
            "Error: creating build container: copying system image from manifest list",
            "potentially insufficient UIDs or GIDs available in user namespace",
            "Error: The command exited with status 1",
            "user command error: exit status 1",
        ],
    )
