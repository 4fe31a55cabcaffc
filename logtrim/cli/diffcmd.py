"""``logtrim diff GOOD BAD``: BAD's new lines against good runs (see :mod:`.posthoc`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .._errors import InputError
from .._writes import write_all
from ..logs.declaring import declared_across
from .params import MaskEnvOption, MaskOption, option
from .reading import (
    BinaryOption,
    refuse_stdout,
    secrets_given,
    stdin_open,
    stdout_reader,
    warn,
)
from .settings import Settings

# No context by default: the lines around a new one are lines the good runs print too (see
# logs/diff.py); ``--context N`` shows them, ``grep -C N`` style.
_DIFF_CONTEXT = 0


def diff(
    good: Annotated[
        str,
        typer.Argument(
            metavar="GOOD",
            help="Good run(s): a log, archive, --history index, or a directory of them.",
        ),
    ],
    bad: Annotated[
        str,
        typer.Argument(metavar="BAD", help="The failing log: plain, .gz or .zst; - for stdin."),
    ],
    budget: Annotated[str | None, option(Settings.budget, "Output byte budget.")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    context: Annotated[
        str,
        typer.Option(
            "--context",
            metavar="N",
            help="Lines shown before and after each new line (grep -C N).",
        ),
    ] = str(_DIFF_CONTEXT),
    binary: BinaryOption = False,
    mask: MaskOption = None,
    mask_env: MaskEnvOption = None,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code",
            help="Exit with 1 when BAD has new lines (as git diff --exit-code), else 0.",
        ),
    ] = False,
) -> None:
    """Show BAD's new lines: those whose shape (template) no line of GOOD has, and that no
    line of GOOD is near (most words alike)."""
    import json

    from ..baseline.load import load
    from ..logs import diff as differ
    from ..logs import diffsay
    from ..logs.declared import Declared
    from ..logs.inputs import open_input
    from ..logs.similar import Neighbours
    from .config import from_command_line
    from .values import baseline_file, whole_option

    around = whole_option("--context", context)
    baseline_file(good)
    limit = Settings([from_command_line({"budget": budget})]).budget
    stdin_open([good, bad])
    refuse_stdout([good, bad])
    secrets = declared_across([good, bad], secrets_given(mask, mask_env))
    inp = open_input(bad, binary=binary)
    near = Neighbours()
    # Every shape of GOOD (no cap: a line GOOD has is never new), 8 bytes each; only the
    # similarity stage is bounded, and the summary says when it was. GOOD's lines are
    # masked as BAD's are (logs/diff.py): the same log on both sides has the same shapes.
    masked = Declared(secrets)
    shapes = load(good, cap=differ.GOOD_SHAPES, text=near.feed, compact=True, mask=masked)
    room = limit - _SUMMARY_ROOM
    result = differ.compute(shapes.hashes, inp, room, around, near, secrets)
    result.good_full = shapes.full
    if inp.fatal and not inp.decoded:
        inp.check()  # nothing of BAD read: no result to print ("0 new line shapes" is untrue)
    with stdout_reader():
        out = sys.stdout.buffer
        if json_:
            write_all(out, (json.dumps(diffsay.to_json(result), indent=2) + "\n").encode())
        else:
            write_all(out, b"".join(differ.render(result)))
            write_all(out, f"-- [logtrim: {diffsay.summary(result)}] --\n".encode())
        out.flush()
    if exit_code and inp.lost_end:
        # The lines cut off may be the new ones: a gate must not pass on what it never read.
        raise InputError(f"{inp.name}: {inp.damage}: its end, unread, may hold new lines")
    warn(inp.name, inp.damage, inp.fatal)  # a damaged BAD: exit 3 first, as diff(1)'s 2
    if exit_code and (result.found or result.unkept):
        raise typer.Exit(1)  # new lines, for a CI gate: what the listing and summary count


_SUMMARY_ROOM = 256  # the closing summary line's share of diff's budget
