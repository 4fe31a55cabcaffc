"""A flood of secret declarations (hostile output) cannot grow logtrim's memory without end:
it learns at most ``MAX_LEARNED`` distinct declared values (``MAX_LEARNED_BYTES`` in all),
says once that it stops, and masks each later value in its own declaration, in the archive
and on the console; the values learned before stay masked wherever they appear."""

from __future__ import annotations

import base64

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


def test_an_octopus_value_spelled_as_calamari_reads_it_is_masked_past_the_bound(
    run_logtrim: RunLogtrim,
) -> None:
    """Past the bound, a sensitive Octopus value with a space in its base64 (Calamari skips
    it) or an XML entity for its first character is still masked where it is declared."""
    secret = "ZZSECRET-past-bound-1"
    b64 = base64.b64encode(secret.encode()).decode()
    spelled = [b64[:8] + " " + b64[8:], f"&#{ord(b64[0])};" + b64[1:]]
    name, true = base64.b64encode(b"Pw").decode(), base64.b64encode(b"True").decode()
    code = (
        f"for i in range({MAX_LEARNED + 1}):\n"
        "    print(f'::add-mask::tok{i:06d}-Zq')\n"
        f"for v in {spelled!r}:\n"
        f"    print(\"##octopus[setVariable name='{name}' value='\" + v"
        f" + \"' sensitive='{true}']\")\n"
    )
    result = run_logtrim("--ci", "plain", "--", *py(code))
    assert result.code == 0
    declared = [line for line in result.archive.splitlines() if b"setVariable" in line]
    assert declared == [f"##octopus[setVariable name='{name}' value='********' "
                        f"sensitive='{true}']".encode()] * 2  # fmt: skip
    for text in (result.archive, result.console):
        assert b64[8:].encode() not in text
