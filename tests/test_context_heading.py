"""The context before an error reaches up to its section's heading when that is just above:
pytest's ``____ test_refund ____`` says which test the traceback under it belongs to. It was
left out by one line (``... 1 line (81 B) not shown ...``) when the traceback was longer than
the context."""

from __future__ import annotations

import sys
from pathlib import Path

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


_PARAMETRIZED = (
    "print('=' * 35 + ' FAILURES ' + '=' * 35)\n"
    "print('_' * 19 + ' test_price_discount[3-19.99-0.15-50.98] ' + '_' * 20)\n"
    "print()\n"
    "print('qty = 3, unit = 19.99, discount = 0.15, expected = 50.98')\n"
    "print()\n"
    "print('    @pytest.mark.parametrize(\"qty,unit,discount,expected\", [')\n"
    "print('        (1, 10.0, 0.1, 9.0),')\n"
    "print('        (3, 19.99, 0.15, 50.98),')\n"
    "print('        (2, 5.0, 0.5, 5.0),')\n"
    "print('    ])')\n"
    "print('    def test_price_discount(qty, unit, discount, expected):')\n"
    "print('>       assert price(qty, unit, discount) == expected')\n"
    "print('E       assert 50.97 == 50.98')\n"
    "print()\n"
    "print('test_pricing.py:16: AssertionError')\n"
)


def test_a_heading_above_a_parametrize_list_is_shown_when_it_costs_little(
    run_logtrim: RunLogtrim,
) -> None:
    """``pytest -v``'s failing parametrized test: its heading and its arguments' values are
    six lines above the context's window (the parametrize list takes it). With 2.5 kB of a
    20 kB budget used, they were one ``... 6 lines (230 B) not shown ...``."""
    code = "import sys\n"
    code += "for i in range(600): print(f'test_pricing.py::test_ok[{i}] PASSED')\n"
    code += _PARAMETRIZED + "sys.exit(1)\n"
    r = run_logtrim("--ci", "plain", "--budget", "20kB", "--", *py(code))
    assert r.code == 1
    lines = r.stdout.decode().splitlines()
    heading = lines.index("_" * 19 + " test_price_discount[3-19.99-0.15-50.98] " + "_" * 20)
    assert lines[heading + 2] == "qty = 3, unit = 19.99, discount = 0.15, expected = 50.98"
    assert lines.index("E       assert 50.97 == 50.98") == heading + 11


def test_a_failing_test_s_own_frame_is_shown_under_its_heading_in_a_real_pytest_run(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """A real ``pytest -v``: the error is raised in a helper, so pytest prints the test's own
    frame (the line of the test that failed) and the helper's. The heading, a line pytest's
    rules show, was shown; the test's frame under it was ``... 8 lines (247 B) not shown ...``
    while the helper's frame was the error's context."""
    (tmp_path / "test_ship.py").write_text(
        "import pytest\n\n"
        "def shipping_cost(weight_kg, country):\n"
        '    rates = {"DE": 4.9, "FR": 5.9, "US": 12.0}\n'
        "    base = rates[country]\n"
        "    return base * weight_kg\n\n"
        '@pytest.mark.parametrize("i", range(1000))\n'
        "def test_ok(i):\n"
        "    assert i >= 0\n\n"
        "def test_unknown_country():\n"
        '    assert shipping_cost(1, "JP") == 15.0\n'
    )
    r = run_logtrim(
        "--ci", "plain", "--budget", "64kB", "--",
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly",
        "-p", "no:xdist", "-v", "test_ship.py",
        cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert r.code == 1
    lines = r.stdout.decode().splitlines()
    heading = next(i for i, line in enumerate(lines) if " test_unknown_country " in line)
    error = lines.index("E       KeyError: 'JP'")
    section = lines[heading:error]
    assert '>       assert shipping_cost(1, "JP") == 15.0' in section
    assert "weight_kg = 1, country = 'JP'" in section
    assert not any(line.startswith("[logtrim] ...") for line in section)
