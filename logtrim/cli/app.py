"""The ``logtrim`` command line (typer). Errors become exit codes here, and only here.

Command functions are synchronous and call ``anyio.run`` themselves (typer does not await
``async def`` commands). Heavy modules are imported inside the commands: start-up counts.
"""

# No ``from __future__ import annotations``: typer reads the options from the annotations,
# evaluated here once rather than from strings on every parse (start-up counts).
import functools
import sys
from pathlib import Path
from typing import Annotated

import typer

from .. import _log
from .._text import hide_secrets
from .._version import __version__
from . import runcmd
from .guard import (
    argv_secrets,
    detached_unit,
    ensure_std_fds,
    finish,
    masked_usage,
    usage_errors,
    usage_line,
)
from .params import DropOption, KeepOption, MaskEnvOption, MaskOption, option
from .posthoc import register as register_posthoc
from .settings import Settings

USAGE_ERRORS = usage_errors()


def _new_app() -> typer.Typer:
    return typer.Typer(
        name="logtrim",
        help="Keep deployment task logs small and useful without losing a byte.",
        no_args_is_help=True,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # help texts say "[default: 20MB]": plain text, not markup
    )


app = _new_app()
# ``logtrim run ...`` is parsed by an app with ``run`` alone: typer reads the signature of
# every command it has, and the post-hoc ones are not needed (start-up counts).
_run_app = _new_app()


def _version(value: bool) -> None:
    if value:
        from .._matchers import compiler, describe

        engine = "re" if compiler() is None else "hyperscan"
        typer.echo(f"logtrim {__version__} (matcher: {describe(engine)})")
        raise typer.Exit()


@_run_app.callback()
@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Keep deployment task logs small and useful without losing a byte."""


# Long: typer takes each option as a parameter of the command (one line per option); the
# body hands them to runcmd.execute. cli/runargs.py parses the plain command lines without
# typer (tests/test_runargs.py holds the two to the same options and values).
@_run_app.command(context_settings={"allow_interspersed_args": False})
@app.command(context_settings={"allow_interspersed_args": False})
def run(
    command: Annotated[
        list[str],
        typer.Argument(metavar="COMMAND...", help="The command to run, and its arguments."),
    ],
    artifact: Annotated[
        Path | None,
        typer.Option(
            metavar="PATH", help="Archive path (default: <command>-<timestamp>.log.zst here)."
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help="Artifact name shown by the CI (default: its file name)."
        ),
    ] = None,
    budget: Annotated[str | None, option(Settings.budget)] = None,
    level: Annotated[int | None, option(Settings.level)] = None,
    ci: Annotated[str | None, option(Settings.ci)] = None,
    head: Annotated[int | None, option(Settings.head)] = None,
    tail: Annotated[int | None, option(Settings.tail)] = None,
    success_tail: Annotated[int | None, option(Settings.success_tail)] = None,
    verbatim: Annotated[str | None, option(Settings.verbatim)] = None,
    context: Annotated[int | None, option(Settings.context)] = None,
    after: Annotated[int | None, option(Settings.after)] = None,
    keep: KeepOption = None,
    drop: DropOption = None,
    mask: MaskOption = None,
    mask_env: MaskEnvOption = None,
    heartbeat: Annotated[float | None, option(Settings.heartbeat)] = None,
    progress_interval: Annotated[float | None, option(Settings.progress_interval)] = None,
    native_progress: Annotated[bool | None, option(Settings.native_progress)] = None,
    grace: Annotated[float | None, option(Settings.grace)] = None,
    drain_timeout: Annotated[float | None, option(Settings.drain_timeout)] = None,
    baseline: Annotated[str | None, option(Settings.baseline)] = None,
    history: Annotated[str | None, option(Settings.history)] = None,
    pty: Annotated[
        bool, typer.Option("--pty", help="Give the child a pseudo-terminal (POSIX).")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace an --artifact that exists but is not a zstd archive."
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            metavar="PATH", help="Config file (default: logtrim.toml, then pyproject.toml)."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug diagnostics.")] = False,
) -> None:
    """Run COMMAND, archive all its output, show what matters, publish the archive.

    Put logtrim's options before COMMAND; everything from COMMAND on goes to the child
    untouched (use -- to be explicit).
    """
    # The parameters, by name, are exactly what execute() takes (and what runargs gives).
    raise typer.Exit(runcmd.execute(**locals()))


register_posthoc(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, map errors to exit codes in one place.

    A usage error typer finds (a missing argument, an unknown option) and a
    :class:`LogtrimError` each become one line on stderr and the exit code their class
    documents (see docs/exit-codes.md). Anything else is a bug: one line too, exit 1
    (``run`` never gets here: it fails open).
    """
    ensure_std_fds()
    args = sys.argv[1:] if argv is None else argv
    if not args:  # ``logtrim`` alone: its help, as ``--help`` prints it (not an error line)
        args = ["--help"]
    if args[:1] != ["run"]:  # (``run`` masks its own, with its masker)
        # An error may quote a path or a value that holds a secret the command line names;
        # they are read (a config file's mask-env too) only if logtrim has something to say.
        secrets = functools.cache(lambda: argv_secrets(args))
        _log.mask_with(lambda text: hide_secrets(text, secrets()))
    try:
        # (``run`` says it of the command, once its command line is read: cli/runcmd.py)
        if args[:1] != ["run"]:
            detached_unit(args, "GOOD" if args[:1] == ["diff"] else "an input")
        chosen = _run_app if args[:1] == ["run"] else app
        code = chosen(args=args, prog_name="logtrim", standalone_mode=False)
        return code if isinstance(code, int) else 0
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except USAGE_ERRORS as exc:
        _log.say(masked_usage(usage_line(exc, args), args), "error")
        return int(getattr(exc, "exit_code", 2))
    except typer.Abort:
        return 130
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return finish(exc)


def entry() -> None:
    sys.exit(main())
