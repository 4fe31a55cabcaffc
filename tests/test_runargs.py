"""``run``'s command lines parsed without typer (cli/runargs.py) give ``run`` what typer gives.

The console script takes that path for plain command lines; the tests that call
``app.main`` take typer's. Here the two meet on the same command lines.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import typer.main
from conftest import examples
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from logtrim.cli import app, runargs, runcmd

OPTIONS = [*runargs.VALUES, *runargs.LISTS, *runargs.FLAGS]
NUMBERS = ["0", "1", " 2", "+3", "1_0", "٣", "1.5", "nan", "inf", "1e3"]
VALUES = [*NUMBERS, "-1", "0x10", "", "x", " y ", "a=b", "plain", "1MB"]
ODD = ["--", "-", "--help", "-h", "-vv", "--bogus", "--pty=1", "--Budget", "-x"]


def typer_gives(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any] | None:
    """What typer hands ``run`` for ``logtrim run ARGV``; None: typer refused the line."""
    seen: list[dict[str, Any]] = []

    def record(**kwargs: Any) -> int:
        seen.append(kwargs)
        return 0

    with monkeypatch.context() as patch:
        patch.setattr(runcmd, "execute", record)
        app.main(["run", *argv])
    return seen[0] if seen else None


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def norm(v: Any) -> Any:  # the type counts too (1 == 1.0); NaN equals itself here
        return (type(v), "nan" if isinstance(v, float) and math.isnan(v) else v)

    return {k: norm(v) for k, v in a.items()} == {k: norm(v) for k, v in b.items()}


def test_the_table_is_typers() -> None:
    """Every option of typer's ``run`` is in the table, under its parameter, its kind the
    same (a value, a repeatable value, a flag), and nothing else is."""
    command = typer.main.get_command(app._run_app).commands["run"]  # type: ignore[attr-defined]
    found: dict[str, tuple[str, str]] = {}
    for param in command.params:
        for opt in [*param.opts, *param.secondary_opts]:
            kind = "flag" if getattr(param, "is_flag", False) else "value"
            kind = "list" if param.multiple else kind
            found[opt] = (str(param.name), kind)
    table = {opt: (name, "value") for opt, (name, _) in runargs.VALUES.items()}
    table |= {opt: (name, "list") for opt, name in runargs.LISTS.items()}
    table |= {opt: (name, "flag") for opt, (name, _) in runargs.FLAGS.items()}
    table["command"] = ("command", "value")
    assert table == found


@pytest.mark.parametrize(
    "argv",
    [
        ["--ci", "plain", "--", "true"],
        ["--budget=1MB", "-v", "--keep", "a", "--keep=b", "make", "-j", "4"],
        ["--artifact", "out.zst", "--level", "5", "--no-native-progress", "sh", "-c", "x"],
    ],
)
def test_plain_command_lines_skip_typer(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fast = runargs.parse(argv)
    assert fast is not None
    typer_kwargs = typer_gives(argv, monkeypatch)
    assert typer_kwargs is not None and same(fast, typer_kwargs)


value = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(VALUES))
# Mostly well-formed options (so that many lines take the fast path), some odd tokens.
item = st.one_of(
    st.tuples(st.sampled_from(OPTIONS), value),
    st.builds(lambda o, v: (f"{o}={v}",), st.sampled_from(OPTIONS), value),
    st.tuples(st.sampled_from(list(runargs.FLAGS))),
    st.tuples(st.sampled_from(VALUES + ODD)),
)
argvs = st.lists(item, max_size=8).map(lambda items: [t for i in items for t in i])


@settings(max_examples=examples(300))
@given(argv=argvs, command=st.lists(st.sampled_from([*VALUES, *ODD])))
@example(argv=["--name="], command=["true"])
@example(argv=["--name", " y ", "--head", " 2", "--grace=nan"], command=["x"])
@example(argv=["--artifact", ""], command=["x"])
def test_what_is_parsed_without_typer_is_what_typer_gives(
    argv: list[str], command: list[str]
) -> None:
    """On any command line, the fast parse either gives way (None) or gives exactly what
    typer passes to ``run``."""
    line = argv + command
    fast = runargs.parse(line)
    event("fast" if fast is not None else "typer")
    if fast is None:
        return
    with pytest.MonkeyPatch.context() as monkeypatch:
        typer_kwargs = typer_gives(line, monkeypatch)
    assert typer_kwargs is not None, line
    assert same(fast, typer_kwargs), line
