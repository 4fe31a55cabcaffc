"""The results block: the table, the corpus table, the notes and the commands run, written
between the markers in docs/benchmarks.md. Everything around the markers is hand-written."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import shlex
import subprocess
import time
from dataclasses import astuple
from pathlib import Path

from harness import ROOT, Suite

DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    version = re.search(r"['\"](.+?)['\"]", (ROOT / "logtrim" / "_version.py").read_text())
    zstd = subprocess.run(["zstd", "--version"], capture_output=True, text=True, check=False)
    zv = re.search(r"v\d+\.\d+\.\d+", zstd.stdout)
    return (
        f"{os.cpu_count()} cores, {model}; {platform.system()} {platform.release()};"
        f" Python {platform.python_version()}; logtrim {version.group(1) if version else '?'};"
        f" zstd {zv.group(0) if zv else '?'}"
    )


def results(suite: Suite, argv: list[str]) -> str:
    """The block as markdown: what ran where, the figures, the corpus detail, notes, commands."""
    mode = "quick smoke run, targets not judged" if suite.quick else "targets judged"
    out = [
        f"Machine: {machine()}.",
        f"Run: {time.strftime('%Y-%m-%d %H:%M')}, median of {suite.runs} run(s) per figure, "
        f"baseline interleaved in the same session ({mode}).",
        f"Command: `python benchmarks/run.py {shlex.join(argv)}`.",
        "",
        "| figure | logtrim (median) | baseline (median) | ratio | target | met? |",
        "|---|---|---|---|---|---|",
    ]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in astuple(r)) + " |" for r in suite.rows]
    if suite.corpus_rows:
        out += [
            "",
            "Corpus recall per dataset (share of the non-optional `inf.yaml` anomaly lines"
            " present in the console, ANSI stripped, substring match):",
            "",
            *suite.corpus_rows,
        ]
    if suite.notes:
        out += ["", "Notes:", "", *(f"- {n}" for n in suite.notes)]
    return "\n".join(out)


def commands(suite: Suite) -> str:
    out = ["### Commands run", ""]
    for figure, cmds in suite.commands.items():
        out += [f"- {figure}:", "", "  ```sh", *(f"  {c}" for c in cmds), "  ```", ""]
    return "\n".join(out).rstrip("\n")


def replace_block(page: str, block: str) -> str:
    """``page`` with the text between its START and END markers replaced by ``block``.

    Refuses (ValueError) unless each marker occurs exactly once, START first: rewriting
    anything else would overwrite the hand-written prose."""
    if page.count(START) != 1 or page.count(END) != 1 or page.index(START) > page.index(END):
        raise ValueError(f"expected one {START} before one {END}")
    head, rest = page.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{block}\n{END}{tail}"


def write_docs(block: str, docs: Path = DOCS) -> None:
    docs.write_text(replace_block(docs.read_text(encoding="utf-8"), block), encoding="utf-8")
