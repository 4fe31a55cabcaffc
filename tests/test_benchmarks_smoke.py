"""Smoke tests for the benchmark suite's own pieces (no timing, no ../shared)."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _generate(tmp: Path, name: str, size: str) -> bytes:
    out = tmp / name
    subprocess.run(
        [sys.executable, str(BENCH / "gen_log.py"), "--size", size, "--out", str(out)], check=True
    )
    return out.read_bytes()


def test_gen_log_writes_the_asked_size_deterministically(tmp_path: Path) -> None:
    """Two runs give the same bytes, exactly the asked size, ending with a newline."""
    first = _generate(tmp_path, "a.log", "300kB")
    second = _generate(tmp_path, "b.log", "300kB")
    assert len(first) == 300_000
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    assert first.endswith(b"\n")
    text = first.decode()
    assert "VERBOSE" in text
    assert "%" in text


def test_gen_log_streams_to_stdout_and_mixes_line_kinds() -> None:
    """``--out -`` streams; a few MB hold progress, warnings and a stack trace, mostly noise."""
    out = subprocess.run(
        [sys.executable, str(BENCH / "gen_log.py"), "--size", "3MB", "--out", "-"],
        capture_output=True,
        check=True,
    ).stdout
    assert len(out) == 3_000_000
    lines = out.decode().splitlines()
    verbose = sum(1 for ln in lines if " VERBOSE " in ln or " DEBUG " in ln)
    assert verbose / len(lines) > 0.8
    assert any(" WARN" in ln or "warning:" in ln for ln in lines)
    assert any(ln.startswith(("\tat ", "   at ", "  File ")) for ln in lines)


def test_gen_log_parses_sizes() -> None:
    """Decimal and binary units, and plain byte counts."""
    gen = _load("gen_log")
    assert gen.parse_size("256MB") == 256_000_000
    assert gen.parse_size("64MiB") == 64 * 2**20
    assert gen.parse_size("4096") == 4096


def test_gen_short_log_has_the_second_shape() -> None:
    """Short lines (about 140 bytes), about 3% progress, 1% warnings, 0.1% errors."""
    cmd = [sys.executable, str(BENCH / "gen_short_log.py"), "--size", "4MB", "--out", "-"]
    out = subprocess.run(cmd, capture_output=True, check=True).stdout
    again = subprocess.run(cmd, capture_output=True, check=True).stdout
    assert len(out) == 4_000_000
    assert out == again
    lines = out.decode().splitlines()
    assert 125 < len(out) / len(lines) < 155
    progress = sum(1 for ln in lines if "% done" in ln or " Step " in ln) / len(lines)
    warnings = sum(1 for ln in lines if " W " in ln) / len(lines)
    errors = sum(1 for ln in lines if " E " in ln) / len(lines)
    assert 0.02 < progress < 0.04
    assert 0.006 < warnings < 0.014
    assert 0.0003 < errors < 0.002


def test_run_py_starts_as_a_script() -> None:
    """``python benchmarks/run.py`` finds its sibling modules; unknown figures are refused."""
    run = [sys.executable, str(BENCH / "run.py")]
    helped = subprocess.run([*run, "--help"], capture_output=True, text=True, check=True)
    assert "--default-install" in helped.stdout
    refused = subprocess.run([*run, "--only", "nope"], capture_output=True, text=True)
    assert refused.returncode == 2
    assert "throughput" in refused.stderr


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], ModuleType]:
    """Import a benchmark module the way run.py does (its directory on sys.path)."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module


INF = """\
skip: true
anomalies:
    - line: |
        fatal: [localhost]: FAILED!
    - line: |
        Traceback (most recent call last):

    - optional: True
      line: + break
    - line: "quoted: value"
"""


def test_inf_yaml_gives_the_lines_a_tool_must_show(bench: Callable[[str], ModuleType]) -> None:
    """``inf.yaml``: the skip flag and the non-optional anomaly lines, stripped."""
    pytest.importorskip("yaml")
    inf = bench("figures.corpus").Inf.parse(INF)
    assert inf.skip is True
    assert inf.expected == (
        "fatal: [localhost]: FAILED!",
        "Traceback (most recent call last):",
        "quoted: value",
    )
    assert bench("figures.corpus").Inf.parse("anomalies:\n  - line: |\n      boom\n").skip is False


def test_console_text_drops_ansi_and_buildkite_timestamps(
    bench: Callable[[str], ModuleType],
) -> None:
    """Recall compares text: colour codes and ``ESC _bk;t=...BEL`` sequences are removed."""
    raw = b"\x1b_bk;t=1729032370297\x07\x1b[31mError: boom\x1b[0m\r\nnext"
    assert bench("figures.corpus").plain_text(raw) == "Error: boom\n\nnext"


def test_results_block_is_all_that_is_rewritten(bench: Callable[[str], ModuleType]) -> None:
    """Only the text between the markers changes; a page without them is refused."""
    report = bench("report")
    page = f"# Benchmarks\n\nprose\n\n{report.START}\nold\n{report.END}\n\nmore prose\n"
    assert report.replace_block(page, "new") == page.replace("\nold\n", "\nnew\n")
    with pytest.raises(ValueError, match="expected one"):
        report.replace_block("# Benchmarks\n\nno markers\n", "new")
    with pytest.raises(ValueError, match="expected one"):
        report.replace_block(f"{report.END}\n{report.START}\n", "new")


def test_the_docs_page_has_one_results_block(bench: Callable[[str], ModuleType]) -> None:
    """``--write-docs`` can rewrite docs/benchmarks.md without touching its prose."""
    report = bench("report")
    page = report.DOCS.read_text(encoding="utf-8")
    assert report.replace_block(page, "x").count("x\n" + report.END) == 1
