"""Smoke tests for the benchmark suite's own pieces (no timing, no ../shared)."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

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


def test_inf_yaml_parser_reads_block_plain_and_optional_lines() -> None:
    """The inf.yaml subset: skip flag, ``|`` blocks, plain and quoted scalars, optional marks."""
    run = _load("run")
    inf = run.parse_inf_yaml(INF)
    assert inf.skip is True
    assert [(a.line, a.optional) for a in inf.anomalies] == [
        ("fatal: [localhost]: FAILED!\n", False),
        ("Traceback (most recent call last):\n", False),
        ("+ break", True),
        ("quoted: value", False),
    ]
    assert run.parse_inf_yaml("anomalies:\n  - line: |\n      boom\n").skip is False


def test_console_text_drops_ansi_and_buildkite_timestamps() -> None:
    """Recall compares text: colour codes and ``ESC _bk;t=...BEL`` sequences are removed."""
    run = _load("run")
    raw = b"\x1b_bk;t=1729032370297\x07\x1b[31mError: boom\x1b[0m\r\nnext"
    assert run.plain_text(raw) == "Error: boom\n\nnext"
