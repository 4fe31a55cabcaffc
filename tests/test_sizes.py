"""How the console prints sizes and counts: three significant figures, thousands separators."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from logtrim._sizes import format_count, format_size

UNITS = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}


def test_examples() -> None:
    assert format_size(0) == "0 B"
    assert format_size(999) == "999 B"
    assert format_size(1000) == "1 kB"
    assert format_size(56_300) == "56.3 kB"
    assert format_size(2_812_345) == "2.81 MB"
    assert format_size(312_000_000) == "312 MB"
    assert format_count(999) == "999"
    assert format_count(1234567) == "1,234,567"


@given(st.integers(min_value=0, max_value=10**13))
def test_a_size_reads_back_within_its_last_figure(n: int) -> None:
    number, unit = format_size(n).split()
    assert abs(float(number) * UNITS[unit] - n) <= 0.005 * n  # three figures: half a unit
    if unit in ("kB", "MB"):  # the next unit up takes over at a thousand
        assert 1 <= float(number) <= 1000


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_a_count_has_thousands_separators(n: int) -> None:
    assert format_count(n).replace(",", "") == str(n)
    digits = format_count(abs(n)).split(",")
    assert all(len(group) == 3 for group in digits[1:]) and 1 <= len(digits[0]) <= 3
