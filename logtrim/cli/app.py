"""The ``logtrim`` command line (typer). Errors become exit codes here, and only here.

Command functions are synchronous and call ``anyio.run`` themselves (typer does not await
``async def`` commands). Heavy modules are imported inside the commands: start-up counts.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .._errors import LogtrimError, UsageError
from .._version import __version__
from .options import DropOption, KeepOption

CI_NAMES = "auto, octopus, github, azure, teamcity, gitlab, buildkite, jenkins, plain"

app = typer.Typer(
    name="logtrim",
    help="Keep deployment task logs small and useful without losing a byte.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts say "[default: 20MB]": plain text, not markup
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"logtrim {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Keep deployment task logs small and useful without losing a byte."""


@app.command(context_settings={"allow_interspersed_args": False})
def run(
    command: Annotated[
        list[str],
        typer.Argument(metavar="COMMAND...", help="The command to run, and its arguments."),
    ],
    artifact: Annotated[
        Path | None,
        typer.Option(help="Archive path (default: <command>-<timestamp>.log.zst here)."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Artifact name shown by the CI (default: its file name).")
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option(help="Console byte budget: 20MB, 512kB, 1MiB, bytes. [default: 20MB]"),
    ] = None,
    level: Annotated[
        int | None, typer.Option(help="zstd level, 1-22 (window at least 8 MiB). [default: 2]")
    ] = None,
    ci: Annotated[str | None, typer.Option(help=f"CI dialect: {CI_NAMES}. [default: auto]")] = None,
    head: Annotated[
        int | None, typer.Option(help="First lines of the run to show. [default: 10]")
    ] = None,
    tail: Annotated[
        int | None, typer.Option(help="Last lines shown on failure. [default: 200]")
    ] = None,
    context: Annotated[
        int | None, typer.Option(help="Lines shown before each error. [default: 5]")
    ] = None,
    after: Annotated[
        int | None, typer.Option(help="Lines shown after each error. [default: 3]")
    ] = None,
    keep: KeepOption = None,
    drop: DropOption = None,
    mask: Annotated[
        list[str] | None, typer.Option(help="Mask this secret value (repeatable).")
    ] = None,
    mask_env: Annotated[
        list[str] | None,
        typer.Option(help="Mask the value of this environment variable (repeatable)."),
    ] = None,
    heartbeat: Annotated[
        float | None,
        typer.Option(help="Seconds of console silence before a heartbeat line. [default: 60]"),
    ] = None,
    progress_interval: Annotated[
        float | None,
        typer.Option(help="Seconds between progress lines per stream. [default: 5]"),
    ] = None,
    grace: Annotated[
        float | None,
        typer.Option(help="Seconds between forwarding a signal and SIGKILL. [default: 10]"),
    ] = None,
    drain_timeout: Annotated[
        float | None,
        typer.Option(help="Seconds to keep reading after the child exits. [default: 3]"),
    ] = None,
    pty: Annotated[
        bool, typer.Option("--pty", help="Give the child a pseudo-terminal (POSIX).")
    ] = False,
    config: Annotated[
        Path | None, typer.Option(help="Config file (default: logtrim.toml, then pyproject.toml).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug diagnostics.")] = False,
) -> None:
    """Run COMMAND, archive all its output, show what matters, publish the archive.

    Put logtrim's options before COMMAND; everything from COMMAND on goes to the child
    untouched (use -- to be explicit).
    """
    from .. import _log
    from ..archive import forked as _writer

    _log.configure(verbose)
    try:
        options = _prepare(locals())
        archive = None
        if _writer.available():
            # Forked now, while this process is small: the writer shares its memory.
            archive = _writer.ForkedArchive(options.artifact, options.level)
            archive.start()
    except LogtrimError:
        raise
    except Exception:  # a bug in logtrim must not fail the deployment: run the step as is
        _log.logger().warning("internal error; running the command unfiltered", exc_info=True)
        raise typer.Exit(_run_unfiltered(command)) from None
    import anyio

    from ..run.pipeline import run as run_pipeline

    code = anyio.run(run_pipeline, options, archive, backend="asyncio")
    raise typer.Exit(code)


def _prepare(given: dict[str, Any]) -> Any:
    """Check every setting and build the run's options (before the child starts)."""
    import os

    from .. import _log
    from ..dialects import choose
    from . import config as _config
    from .options import RunOptions, default_artifact

    command = given["command"]
    artifact, name, mask, pty = given["artifact"], given["name"], given["mask"], given["pty"]
    env = dict(os.environ)
    cwd = Path.cwd()
    cli = {key: given[key] for key in _config.KEYS}
    settings = _config.resolve(cli, env, cwd, given["config"])
    masks, missing = _config.masks_from(settings["mask_env"], list(mask or []), env)
    for variable in missing:
        _log.logger().warning("--mask-env names a variable that is unset or empty", name=variable)
    dialect = choose(settings["ci"], env)
    if pty and os.name == "nt":
        raise UsageError("--pty needs a POSIX system")
    path = artifact if artifact is not None else default_artifact(command, cwd)
    options = RunOptions(
        argv=command,
        policy=_config.policy_from(settings, masks),
        dialect=dialect,
        artifact=path,
        name=name or path.name,
        level=settings["level"],
        grace=settings["grace"],
        drain_timeout=settings["drain_timeout"],
        pty=pty,
    )
    return options


def _run_unfiltered(command: list[str]) -> int:
    """Run the command with logtrim out of the way; its exit code, as a shell gives it."""
    import subprocess

    try:
        code = subprocess.call(command)
    except FileNotFoundError:
        return 127
    except PermissionError:
        return 126
    return 128 - code if code < 0 else code


def _register_posthoc() -> None:
    try:
        from .posthoc import register
    except ImportError:  # pragma: no cover - during development only
        return
    register(app)


_register_posthoc()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, map errors to exit codes in one place.

    typer reports its own usage errors (exit 2); a :class:`LogtrimError` becomes one line on
    stderr and the exit code its class documents (see docs/exit-codes.md).
    """
    try:
        app(args=argv, prog_name="logtrim")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except LogtrimError as exc:
        sys.stderr.write(f"logtrim: error: {exc}\n")
        return exc.exit_code
    return 0


def entry() -> None:
    sys.exit(main())
