"""What ``logtrim run`` does once its options are parsed, by typer (:mod:`.app`) or by
:mod:`.runargs` (the plain command lines, without importing typer: start-up counts).

Typer-free on purpose. :func:`main` gives the fast path the exit codes that typer's
``main`` and :func:`.app.main` give the same command line.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import importlib
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .. import _log
from .._errors import LogtrimError, UsageError
from .._text import hide_secrets
from ..archive.target import remove_placeholder
from .guard import default_sigchld, ensure_std_fds, finish, named_secrets, refuse_detached_unit
from .options import RunOptions, check_closing_room, default_artifact

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..archive.target import Target
    from ..archive.writer import ArchiveWriter
    from ..dialects import Dialect
    from .settings import Settings


def execute(
    command: list[str],
    artifact: Path | None,
    name: str | None,
    mask: list[str] | None,
    pty: bool,
    force: bool,
    config: Path | None,
    verbose: bool,
    **given: object,
) -> int:
    """Run COMMAND as ``logtrim run`` does; the exit code. ``given``: the options that
    settings may also come from (see Settings); None: not given on the command line."""
    _writer, Target = _import_run_modules()
    _log.configure(verbose)
    target = options = None
    try:
        options = _prepare(command, given, artifact, name, mask or [], pty, config)
        # Checked and created before the child starts: a bad path is a usage error (exit 2).
        target = Target.create(options.artifact, force=force, reserved=options.reserved)
        archive = None
        if _writer.available():
            # Forked now, while this process is small: the writer shares its memory.
            archive = _writer.ForkedArchive(target, options.level)
            archive.start()
    except LogtrimError:
        if options is not None and options.reserved and target is None:
            remove_placeholder(options.artifact)
        raise
    except Exception:  # a bug in logtrim must not fail the deployment: run the step as is
        if target is not None:  # first: what follows may fail too (no file descriptor left)
            with contextlib.suppress(Exception):
                target.discard()
        from ..run.unfiltered import known_secrets, run_masked, say_internal_error
        from .given import given_budget, given_times

        if options is not None:
            secrets, budget = list(options.policy.masks), options.policy.budget
            ci, times = options.dialect.name, (options.drain_timeout, options.grace)
        else:
            secrets, budget = known_secrets(given, mask or []), given_budget(given)
            ci = str(given.get("ci") or os.environ.get("LOGTRIM_CI") or "auto")
            times = given_times(given)
        say_internal_error(secrets)
        return run_masked(command, secrets, budget, ci, times)
    import anyio

    from ..run.step import run as run_pipeline

    writer = archive or _in_process(target, options.level)
    codes: list[int] = []

    async def step() -> None:
        codes.append(await run_pipeline(options, writer))

    try:
        anyio.run(step, backend="asyncio")
    except RuntimeError:
        # The loop's end joins its worker threads on a thread of its own: where none can
        # start (a pid limit) that fails after the step ran; its exit code stands.
        if not codes:
            raise
    return codes[0]


def _named_secrets(kwargs: dict[str, Any]) -> list[str]:
    """The ``--mask`` values and the ``--mask-env`` variables' values, read directly."""
    return named_secrets(kwargs.get("mask") or (), kwargs.get("mask_env") or ())


def main(kwargs: dict[str, Any]) -> int:
    """:func:`execute` with the exit codes typer's ``main`` (standalone mode off) and
    :func:`.app.main` give ``run``: end of input is an abort (130, after a newline on
    stderr), an interrupt 130, a reader that left 1; the rest as :func:`.guard.finish`."""
    ensure_std_fds()
    default_sigchld()
    try:
        try:
            return execute(**kwargs)
        except EOFError:
            sys.stderr.write("\n")
            sys.stderr.flush()
            return 130
        except KeyboardInterrupt:
            return 130
        except OSError as exc:
            if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOMEM):
                # Too few even for the last resort (its module could not be read): as
                # process.start_error says it, without importing anything more.
                why = f"{exc.strerror} (no file descriptor or memory left: see ulimit)"
                command = hide_secrets(kwargs["command"][0], _named_secrets(kwargs))
                sys.stderr.write(f"logtrim: error: cannot start {command}: {why}\n")
                return 126
            if exc.errno != errno.EPIPE:
                raise
            # Rare: typer's own handling (its exit-time flush must not fail again).
            from typer._click.utils import PacifyFlushWrapper

            sys.stdout = PacifyFlushWrapper(sys.stdout)
            sys.stderr = PacifyFlushWrapper(sys.stderr)
            return 1
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception as exc:
        return finish(exc)


def _import_run_modules() -> tuple[ModuleType, type[Target]]:
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
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    return forked, Target


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
    from ..engine.masking.mask import masker_of
    from .config import file_mask_env, files_read, masks_from, resolve
    from .outputs import refuse_artifact

    # Our messages may name a path that holds a secret: masked from the first one (a bad
    # setting's), with the secrets as read directly (a config file's mask-env too, however
    # broken the file), then as the settings give them.
    try:
        cwd: Path | None = Path.cwd()
    except FileNotFoundError:  # removed under the step (an earlier clean-up): no config there
        cwd = None
    names = [*(given.get("mask_env") or ()), *file_mask_env(cwd, config)]  # type: ignore[misc]
    _log.mask_with(masker_of(_named_secrets({"mask_env": names, "mask": mask})).mask_text)
    refuse_artifact(artifact, name, published=True)
    if command:
        refuse_detached_unit(given.get("budget"), command[0], "the command to run")
    env = dict(os.environ)
    if cwd is None and (artifact is None or not artifact.is_absolute()):
        raise UsageError("the working directory no longer exists: give --artifact an absolute path")
    settings = resolve(given, env, cwd, config)
    _log.limit(settings.budget)  # the warnings before the run: in its budget
    if _log.verbose():
        read = [str(path) for path in files_read(cwd, config)]
        _log.logger().debug("config files", read=read or "none")
    masks, missing = masks_from(settings.mask_env, mask, env)
    _warn_settings(missing, settings.mask_env, env)
    if settings.baseline:  # what a good run's log declares is masked here too
        from ..logs.declaring import declared_across

        masks = declared_across([settings.baseline], masks, alone=True, decode=False)
    _log.mask_with(masker_of(masks).mask_text)
    if pty and os.name == "nt":
        raise UsageError("--pty needs a POSIX system")
    dialect = choose(settings.ci, env)
    policy = settings.policy(masks)
    path = _archive_path(artifact, command, cwd, policy.masks, settings, dialect, name)
    return RunOptions(
        argv=command,
        policy=policy,
        dialect=dialect,
        artifact=path,
        name=name or path.name,
        level=settings.level,
        grace=settings.grace,
        drain_timeout=settings.drain_timeout,
        baseline=settings.baseline,
        history=settings.history,
        pty=pty,
        reserved=artifact is None,
    )


def _archive_path(
    artifact: Path | None,
    command: list[str],
    cwd: Path | None,
    masks: Sequence[str],
    settings: Settings,
    dialect: Dialect,
    name: str | None,
) -> Path:
    """The archive's path, checked: ``--artifact``, else a name made up in the working
    directory (its placeholder removed again if a check refuses the run)."""
    from .outputs import refuse_same

    path = artifact if artifact is not None else default_artifact(command, cwd, masks)
    try:
        # Also a name made up (in the working directory): not one in a directory of good runs.
        role = "--artifact" if artifact is not None else "the archive (no --artifact)"
        refuse_same(str(path), role, settings.baseline, settings.origin("baseline"))
        check_closing_room(settings.budget, dialect, path, name or path.name)
        if settings.history:
            _history_folder(settings.history)
    except UsageError:
        if artifact is None:
            remove_placeholder(path)
        raise
    return path


def _warn_settings(missing: list[str], mask_env: tuple[str, ...], env: dict[str, str]) -> None:
    """The warnings about settings before the run: a ``--mask-env`` variable unset first (a
    secret it does not mask is the warning that counts), then ``LOGTRIM_*`` variables that
    are no setting (but a secret's variable the run was told to mask: the step template's)."""
    from .config import unknown_variables

    for variable in missing:
        _log.logger().warning(f"mask-env names {variable}, which is unset or empty")
    for variable, close in unknown_variables(env):
        if variable in mask_env:
            continue
        meant = "" if close is None else f" (did you mean {close}?)"
        _log.logger().warning(f"{variable} is not a logtrim setting: ignored{meant}")


def _history_folder(history: str) -> None:
    """Create the ``--history`` directory now if it is missing: one that cannot be made
    (``/proc/x``, a read-only disk) is said before the step starts, not after it ends."""
    try:
        os.mkdir(history)  # never its parents (settings checked that they exist)
    except FileExistsError:
        pass
    except OSError as exc:
        raise UsageError(f"--history: cannot create {history}: {exc.strerror or exc}") from None


def _in_process(target: Target, level: int) -> ArchiveWriter:
    from ..archive.inprocess import InProcessArchive

    return InProcessArchive(target, level)
