"""Reading as a person: the error tier on real tools' lines, and the failure reason chosen on
real failing runs, both labelled by hand (tests/data/tools); ``grep -i`` as the baseline.

Accuracy, not speed: the engine runs in this process. The baseline for the tier is a line
matching ``grep -E -i 'error|fatal|exception|traceback|fail'``; for the reason, the last such
line of the run (what a ``grep | tail -1`` would point at).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from harness import ROOT, Suite

TOOLS = ROOT / "tests" / "data" / "tools"
GREP_ERROR = re.compile(rb"error|fatal|exception|traceback|fail", re.I)


def _lines() -> list[tuple[bool, bytes]]:
    rows = (TOOLS / "lines.tsv").read_text(encoding="utf-8").split("\n")[1:]
    out = []
    for row in rows:
        if row:
            _, tier, line = row.split("\t", 2)
            out.append((tier == "error", line.encode()))
    return out


def _score(labels: list[bool], got: list[bool]) -> tuple[float, float]:
    tp = sum(g and w for g, w in zip(got, labels, strict=True))
    fp = sum(g and not w for g, w in zip(got, labels, strict=True))
    fn = sum(w and not g for g, w in zip(got, labels, strict=True))
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def _tier(suite: Suite) -> None:
    from logtrim._matchers import compiler
    from logtrim.engine.match.kinds import Kind
    from logtrim.engine.match.matcher import Matcher

    table = _lines()
    labels = [w for w, _ in table]
    matcher = Matcher(compiler=compiler())
    ours = _score(labels, [matcher.line_kind(line) == Kind.ERROR for _, line in table])
    grep = _score(labels, [bool(GREP_ERROR.search(line)) for _, line in table])
    suite.add(
        f"error tier on {len(table)} labelled lines of real tools: precision / recall",
        f"{ours[0]:.1%} / {ours[1]:.1%}",
        f"{grep[0]:.1%} / {grep[1]:.1%}",
        "",
        "≥ 95% / ≥ 95%",
        ok=min(ours) >= 0.95,
    )


def _reasons(suite: Suite) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_reason import (  # type: ignore[import-not-found]  # the tests' own replay
        _core_reason,
        _labels,
        names,
    )

    labels = _labels()
    ours = grep = 0
    for name, code, label in labels:
        # A label past 500 characters: ``names`` reads the reason's cut (a CI gets 500).
        ours += names(_core_reason(name, code).split(" (caused by ")[0], label)
        lines = [x for x in (TOOLS / "failures" / name).read_bytes().splitlines() if x.strip()]
        hits = [x for x in lines if GREP_ERROR.search(x)]
        grep += bool(hits) and hits[-1].decode("utf-8", "replace").strip() == label
    n = len(labels)
    suite.add(
        f"failure reason on {n} real failing runs: the hand-labelled line",
        f"{ours}/{n} ({ours / n:.0%})",
        f"{grep}/{n} ({grep / n:.0%})",
        "",
        "≥ 90%",
        ok=ours >= 0.9 * n,
    )


def bench(suite: Suite) -> None:
    if not (TOOLS / "lines.tsv").is_file():
        suite.notes.append("classify: tests/data/tools is missing; skipped")
        return
    _tier(suite)
    _reasons(suite)
    suite.commands.setdefault("classify", []).append(
        f"python benchmarks/run.py --only classify  # reads {Path('tests/data/tools')}"
    )
