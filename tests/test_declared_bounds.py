"""A flood of secret declarations (hostile output) cannot grow logtrim's memory without end:
it learns at most ``MAX_LEARNED`` distinct declared values (``MAX_LEARNED_BYTES`` in all),
says once that it stops, and masks each later value in its own declaration, in the archive
and on the console; the values learned before stay masked wherever they appear."""

from __future__ import annotations

from conftest import RunLogtrim, py

from logtrim.engine.masking.toolong import MAX_LEARNED

COUNT = MAX_LEARNED + 1500


def _value(i: int) -> str:
    return f"tok{i:06d}-Zq"


def test_declarations_past_the_bound_are_masked_where_declared(run_logtrim: RunLogtrim) -> None:
    code = (
        f"for i in range({COUNT}):\n"
        "    print(f'::add-mask::tok{i:06d}-Zq')\n"
        "print('using tok000007-Zq and tok004000-Zq')\n"
    )
    result = run_logtrim("--ci", "plain", "--budget", "100kB", "--", *py(code))
    assert result.code == 0
    lines = result.archive.splitlines()
    assert len(lines) == COUNT + 1  # nothing lost
    assert all(line == b"::add-mask::********" for line in lines[:COUNT])
    assert lines[-1] == b"using ******** and ********"  # learned before the bound
    for i in (0, MAX_LEARNED - 1, MAX_LEARNED, COUNT - 1):
        assert _value(i).encode() not in result.console
    notes = [line for line in result.stderr.splitlines() if b"not masking more declared" in line]
    assert len(notes) == 1
