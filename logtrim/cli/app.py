"""The ``logtrim`` command line (typer). Errors become exit codes here, and only here.

Command functions are synchronous and call ``anyio.run`` themselves (typer does not await
``async def`` commands). Heavy modules are imported inside the commands: start-up counts.
"""

# No ``from __future__ import annotations``: typer reads the options from the annotations,
# evaluated here once rather than from strings on every parse (start-up counts).
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer

from .. import _log
from .._errors import INTERNAL_ERROR, LogtrimError, UsageError
from .._version import __version__
from .guard import USAGE_ERRORS, ensure_std_fds, silence_stdout, usage_line
from .options import (
    DropOption,
    KeepOption,
    RunOptions,
    check_closing_room,
    default_artifact,
    option,
)
from .posthoc import register as register_posthoc
from .settings import Settings

if TYPE_CHECKING:
    from ..archive.target import Target
    from ..archive.writer import ArchiveWriter


def _new_app() -> typer.Typer:
    return typer.Typer(
        name="logtrim",
        help="Keep deployment task logs small and useful without losing a byte.",
        no_args_is_help=True,
        add_completion=False,
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
# body is short and builds the typed Settings from them.
@_run_app.command(context_settings={"allow_interspersed_args": False})
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
    mask: Annotated[
        list[str] | None, typer.Option(help="Mask this secret value (repeatable).")
    ] = None,
    mask_env: Annotated[list[str] | None, option(Settings.mask_env)] = None,
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
        Path | None, typer.Option(help="Config file (default: logtrim.toml, then pyproject.toml).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug diagnostics.")] = False,
) -> None:
    """Run COMMAND, archive all its output, show what matters, publish the archive.

    Put logtrim's options before COMMAND; everything from COMMAND on goes to the child
    untouched (use -- to be explicit).
    """
    _writer, Target, run_unfiltered = _import_run_modules()
    _log.configure(verbose)
    # The options that settings may also come from (see Settings); None: not given here.
    given: dict[str, object] = {
        "budget": budget,
        "level": level,
        "ci": ci,
        "head": head,
        "tail": tail,
        "success_tail": success_tail,
        "verbatim": verbatim,
        "context": context,
        "after": after,
        "keep": keep,
        "drop": drop,
        "mask_env": mask_env,
        "heartbeat": heartbeat,
        "progress_interval": progress_interval,
        "native_progress": native_progress,
        "grace": grace,
        "drain_timeout": drain_timeout,
        "baseline": baseline,
        "history": history,
    }
    target = None
    try:
        options = _prepare(command, given, artifact, name, mask or [], pty, config)
        # Checked and created before the child starts: a bad path is a usage error (exit 2).
        target = Target.create(options.artifact, force=force)
        archive = None
        if _writer.available():
            # Forked now, while this process is small: the writer shares its memory.
            archive = _writer.ForkedArchive(target, options.level)
            archive.start()
    except LogtrimError:
        raise
    except Exception:  # a bug in logtrim must not fail the deployment: run the step as is
        _log.logger().warning("internal error; running the command unfiltered", exc_info=True)
        if target is not None:
            target.discard()
        raise typer.Exit(run_unfiltered(command)) from None
    import anyio

    from ..run.step import run as run_pipeline

    writer = archive or _in_process(target, options.level)
    code = anyio.run(run_pipeline, options, writer, backend="asyncio")
    raise typer.Exit(code)


def _import_run_modules() -> tuple[ModuleType, type["Target"], Callable[[list[str]], int]]:
    """Import what ``run`` needs with the garbage collector off, then freeze what they made.

    Importing allocates some 100,000 objects that live until exit: each collection during
    the imports (dozens), every full one during the run and the one at exit would scan them
    again for nothing. Frozen, they are never scanned; the forked writer also shares them
    copy-on-write.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        import asyncio  # noqa: F401  (imported here, with the collector off)

        import anyio  # noqa: F401

        # What ``anyio.run(..., backend="asyncio")`` imports; best effort (internal name).
        with contextlib.suppress(ImportError):
            importlib.import_module("anyio._backends._asyncio")
        from ..archive import forked
        from ..archive.target import Target
        from ..run import step  # noqa: F401
        from ..run.process import run_unfiltered
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    return forked, Target, run_unfiltered


def _prepare(
    command: list[str],
    given: dict[str, object],
    artifact: Path | None,
    name: str | None,
    mask: list[str],
    pty: bool,
    config: Path | None,
) -> RunOptions:
    """Check every setting and build the run's options (before the child starts)."""

    from ..dialects import choose
    from .config import masks_from, resolve

    env = dict(os.environ)
    cwd = Path.cwd()
    settings = resolve(given, env, cwd, config)
    masks, missing = masks_from(settings.mask_env, mask, env)
    for variable in missing:
        _log.logger().warning("--mask-env names a variable that is unset or empty", name=variable)
    if pty and os.name == "nt":
        raise UsageError("--pty needs a POSIX system")
    path = artifact if artifact is not None else default_artifact(command, cwd)
    dialect = choose(settings.ci, env)
    check_closing_room(settings.budget, dialect, path, name or path.name)
    return RunOptions(
        argv=command,
        policy=settings.policy(masks),
        dialect=dialect,
        artifact=path,
        name=name or path.name,
        level=settings.level,
        grace=settings.grace,
        drain_timeout=settings.drain_timeout,
        baseline=settings.baseline,
        history=settings.history,
        pty=pty,
    )


def _in_process(target: "Target", level: int) -> "ArchiveWriter":
    from ..archive.inprocess import InProcessArchive

    return InProcessArchive(target, level)


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
    try:
        chosen = _run_app if args[:1] == ["run"] else app
        code = chosen(args=args, prog_name="logtrim", standalone_mode=False)
        return code if isinstance(code, int) else 0
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except USAGE_ERRORS as exc:
        _log.say(usage_line(exc), "error")
        return int(getattr(exc, "exit_code", 2))
    except typer.Abort:
        return 130
    except LogtrimError as exc:
        _log.say(str(exc), "error")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # ``logtrim cat x | head``: the reader left, as SIGPIPE would say
        silence_stdout()
        return 141
    except Exception as exc:
        _log.say(f"internal error: {type(exc).__name__}: {exc} (please report it)", "error")
        return INTERNAL_ERROR
    return 0


def entry() -> None:
    sys.exit(main())
