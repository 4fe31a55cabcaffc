"""typer options made from the settings (the typer app's side of :mod:`.settings`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .settings import Setting, Settings


def option(setting: Setting[Any], help: str | None = None) -> Any:
    """The typer option of a setting: its help, and its default as ``--help`` shows it.

    The option's own default stays None: "not given" lets lower sources speak.
    """
    return typer.Option(metavar=setting.metavar, help=setting.help_text(help))


KeepOption = Annotated[list[str] | None, option(Settings.keep)]
MaskOption = Annotated[
    list[str] | None,
    typer.Option(metavar="SECRET", help="Mask this secret value (repeatable)."),
]
MaskEnvOption = Annotated[list[str] | None, option(Settings.mask_env)]
DropOption = Annotated[list[str] | None, option(Settings.drop)]
