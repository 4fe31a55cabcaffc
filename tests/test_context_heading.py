"""The context before an error reaches up to its section's heading when that is just above:
pytest's ``____ test_refund ____`` says which test the traceback under it belongs to. It was
left out by one line (``... 1 line (81 B) not shown ...``) when the traceback was longer than
the context."""

from __future__ import annotations

from conftest import RunLogtrim, py

from logtrim.engine.console.show import HEADING

_BLOCK = (
    "print()\n"
    "print('    def {name}():')\n"
    "print('        d = {{\"a\": 1}}')\n"
    "print('>       assert d[\"b\"] == 1')\n"
    "print('               ^^^^^^')\n"
    "print(\"E       KeyError: 'b'\")\n"
    "print()\n"
    "print('test_shop.py:17: KeyError')\n"
)


def _child(passed: int) -> list[str]:
    code = "import sys\n"
    code += f"for i in range({passed}): print(f'test_shop.py::test_ok[{{i}}] PASSED')\n"
    code += "print('=' * 35 + ' FAILURES ' + '=' * 35)\n"
    for name in ("test_order_total", "test_refund"):
        code += f"print('_' * 30 + ' {name} ' + '_' * 30)\n" + _BLOCK.format(name=name)
    code += "print('=' * 20 + ' 2 failed, 600 passed in 0.97s ' + '=' * 20)\nsys.exit(1)\n"
    return py(code)


def test_each_failures_heading_is_shown_above_its_traceback(run_logtrim: RunLogtrim) -> None:
    r = run_logtrim("--ci", "plain", "--budget", "16kB", "--", *_child(600))
    assert r.code == 1
    assert len(r.console) <= 16_000
    lines = r.stdout.decode().splitlines()
    for name in ("test_order_total", "test_refund"):
        heading = lines.index("_" * 30 + f" {name} " + "_" * 30)
        assert lines[heading + 1 : heading + 3] == ["", f"    def {name}():"]
    assert not any(line.startswith("[logtrim] ... 1 line") for line in lines)


def test_with_no_context_no_heading_is_added(run_logtrim: RunLogtrim) -> None:
    """``--context 0``: the error alone, as asked."""
    r = run_logtrim("--ci", "plain", "--budget", "16kB", "--context", "0", "--", *_child(600))
    assert r.code == 1
    assert ("_" * 30 + " test_order_total " + "_" * 30).encode() not in r.stdout


def test_what_a_heading_is() -> None:
    for line in (b"____ test_refund ____\n", b"=== FAILURES ===\n", b"--- Captured log ---\n",
                 b"\x1b[31m\x1b[1m____ test_x ____\x1b[0m\n"):  # fmt: skip
        assert HEADING.match(line), line
    for line in (
        b"===\n",
        b"__init__ done __\n",
        b"-- a --\n",
        b"_____ x ====\n",
        b"a ___ b ___\n",
    ):
        assert not HEADING.match(line), line
