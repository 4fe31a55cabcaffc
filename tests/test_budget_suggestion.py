"""The budget ``run`` suggests for a long ``--artifact`` path is enough, and never shown as
the too small one given (a size shown rounded down was both)."""

from __future__ import annotations

from pathlib import Path

from conftest import RunLogtrim
from hypothesis import given
from hypothesis import strategies as st

from logtrim._sizes import format_size, format_size_up, parse_size
from logtrim.cli.options import check_closing_room
from logtrim.dialects import choose
from logtrim.engine.ending.closing import closing_floor
from logtrim.engine.policy import min_budget


@given(st.integers(min_value=0, max_value=10**13))
def test_a_size_rounded_up_is_enough_and_close(n: int) -> None:
    shown = format_size_up(n)
    assert n <= parse_size(shown.replace(" ", "")) <= n * 1.01 + 1
    assert shown == format_size(parse_size(shown.replace(" ", "")))


def _long_artifact(tmp_path: Path) -> tuple[Path, int]:
    """A path (its directories made) whose closing lines need a budget ending in 1 byte
    over a multiple of 10 (so the size one below shows alike, rounded to 3 figures)."""
    plain = choose("plain", {})
    folder = tmp_path
    for _ in range(8):
        folder = folder / ("d" * 200)
    folder.mkdir(parents=True)
    for extra in range(20):
        path = folder / ("x" * (10 + extra) + ".log.zst")
        need = min_budget(closing_floor(plain, str(path.resolve()), path.name))
        if need % 10 == 1:
            return path, need
    raise AssertionError("no such length")


def test_the_suggested_budget_is_enough_and_differs(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    path, need = _long_artifact(tmp_path)
    result = run_logtrim("--ci", "plain", "--budget", str(need - 1), "--", "true", artifact=path)
    assert result.code == 2
    said = result.stderr.decode()
    suggested = said.rsplit("use at least ", 1)[1].strip()
    assert suggested != format_size(need - 1) and parse_size(suggested.replace(" ", "")) >= need
    again = run_logtrim("--ci", "plain", "--budget", suggested.replace(" ", ""), "--", "true",
                        artifact=path)  # fmt: skip
    assert again.code == 0, again.stderr
    check_closing_room(need, choose("plain", {}), path, path.name)  # (enough: no error)
