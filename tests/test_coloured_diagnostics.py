"""A compiler's coloured diagnostics keep their tier: gcc and clang (``-fdiagnostics-color``,
or a terminal under ``--pty``) write an erase-to-line-end after each colour code
(``\\x1b[01;35m\\x1b[Kwarning:``), which is no text."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import RunLogtrim

# As gcc 12 writes them, colours on.
WARNING = (
    b"\x1b[01m\x1b[Ksrc/pricing.cpp:41:9:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning: \x1b[m\x1b[K"
    b"unused variable '\x1b[01m\x1b[Krounded\x1b[m\x1b[K' [\x1b[01;35m\x1b[K-Wunused-variable"
    b"\x1b[m\x1b[K]\n"
)
ERROR = (
    b"\x1b[01m\x1b[Ksrc/cart.cpp:7:10:\x1b[m\x1b[K \x1b[01;31m\x1b[Kfatal error: \x1b[m\x1b[K"
    b"cart.h: No such file or directory\n"
)


def _build(tmp_path: Path, last: bytes, code: int) -> Path:
    """A build that prints 2,000 progress-free lines around one diagnostic, then exits."""
    out = tmp_path / "build.out"
    lines = [b"[%d/2500] Building CXX object src/obj%d.cpp.o\n" % (i, i) for i in range(2000)]
    out.write_bytes(b"".join(lines[:1000]) + last + b"".join(lines[1000:]))
    script = tmp_path / "build.py"
    script.write_text(
        f"import sys\nsys.stdout.buffer.write(open({str(out)!r}, 'rb').read())\nsys.exit({code})\n"
    )
    return script


def test_a_coloured_gcc_warning_is_a_warning(tmp_path: Path, run_logtrim: RunLogtrim) -> None:
    script = _build(tmp_path, WARNING, 0)
    result = run_logtrim("--ci", "plain", "--budget", "8kB", "--", sys.executable, str(script))
    assert result.code == 0
    assert b"[\x1b[01;35m\x1b[K-Wunused-variable" in result.stdout  # whole, as written


def test_a_coloured_gcc_error_is_the_reason(tmp_path: Path, run_logtrim: RunLogtrim) -> None:
    script = _build(tmp_path, ERROR, 1)
    result = run_logtrim("--ci", "plain", "--budget", "8kB", "--", sys.executable, str(script))
    assert result.code == 1
    assert b"failed (exit 1): src/cart.cpp:7:10: fatal error: cart.h: No such file" in (
        result.console
    )
