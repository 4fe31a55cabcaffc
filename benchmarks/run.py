"""logtrim's benchmark suite: one command, a markdown table, each figure against a baseline.

    python benchmarks/run.py                        # full suite, 5 runs, prints the table
    python benchmarks/run.py --runs 3 --write-docs  # ... and rewrites the results block
    python benchmarks/run.py --quick                # small inputs, 1 run, no targets judged
    python benchmarks/run.py --only latency,startup
    python benchmarks/run.py --only throughput --no-default-install  # this venv's logtrim only

Every figure is the median over ``--runs`` runs; its baseline is measured in the same session,
interleaved (A B A B). Only public tools: python, bash, zstd, grep, tail. Inputs are generated
into ``bench-out/`` (git-ignored) and reused while their generators are unchanged. The pieces:
harness.py (measuring), inputs.py (generated inputs, the default-install venv), report.py (the
results block), figures/ (one module per figure), children/ (the programs the figures run).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from figures import FIGURES
from harness import OUT, ROOT, Suite
from report import DOCS, commands, results, write_docs


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, 1 run, no targets")
    parser.add_argument("--runs", type=int, help="runs per figure (default 5, quick 1)")
    parser.add_argument("--only", help=f"comma-separated subset of: {','.join(FIGURES)}")
    parser.add_argument(
        "--write-docs", action="store_true", help="rewrite the results block of docs/benchmarks.md"
    )
    parser.add_argument("--logtrim", help="command that runs logtrim (default: the venv's script)")
    parser.add_argument(
        "--default-install",
        action=argparse.BooleanOptionalAction,
        help="throughput, trim and stats run logtrim from a venv made with the README's "
        "`pip install .` (what users get; default: on, off with --quick)",
    )
    args = parser.parse_args(argv)
    args.names = args.only.split(",") if args.only else list(FIGURES)
    if unknown := [n for n in args.names if n not in FIGURES]:
        parser.error(f"unknown figure(s): {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    runs = args.runs or (1 if args.quick else 5)
    script = Path(sys.executable).with_name("logtrim")
    default = [str(script)] if script.exists() else [sys.executable, "-m", "logtrim"]
    suite = Suite(
        quick=args.quick,
        runs=min(runs, 2) if args.quick else runs,
        logtrim=shlex.split(args.logtrim) if args.logtrim else default,
        default_install=not args.quick if args.default_install is None else args.default_install,
    )
    OUT.mkdir(exist_ok=True)
    for name in args.names:
        suite.figure = name
        start = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            FIGURES[name](suite)
        except Exception as exc:  # keep going: one broken figure must not hide the others
            suite.add(name, "error", "—", "—", "—", ok=False)
            suite.notes.append(f"{name}: {type(exc).__name__}: {' '.join(str(exc).split())}")
        print(f"[bench] {name} done in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    table = results(suite, argv)
    print(table)
    if args.write_docs:
        write_docs(f"{table}\n\n{commands(suite)}")
        print(f"\nwrote the results block of {DOCS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
