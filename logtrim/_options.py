"""Command-line options that ``run`` and ``trim`` share, defined once."""

from __future__ import annotations

from typing import Annotated

import typer

KeepOption = Annotated[
    list[str] | None, typer.Option(help="Always show lines matching REGEX (repeatable).")
]
DropOption = Annotated[
    list[str] | None, typer.Option(help="Never show lines matching REGEX (repeatable).")
]
