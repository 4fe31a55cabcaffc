"""The ``logtrim`` command line (typer): settings, commands, exit codes. Internal."""

import sys
from collections.abc import Callable


def entry() -> None:
    """The console script. ``logtrim run``'s plain command lines skip typer (see
    :mod:`.runargs`); the rest go to the typer app.

    What they need is imported with the garbage collector off, then frozen: their objects
    live until exit, and the dozens of collections that importing them would trigger, and
    every full one later, would scan them for nothing (start-up counts). The process ends
    when the command does: what is alive then is frozen too (``run`` unfreezes what it froze
    when the step ends), so the collection at exit does not walk it (about 8% of the
    instructions of ``run -- true``)."""
    import gc

    if "run" in sys.argv[1:3]:  # (``logtrim -v run`` too)
        from ..run import inherited

        inherited.note()  # before logtrim opens a file of its own: the child's descriptors
    # A whole number of any length is the user's own (``--head 999...``: "all", as the docs
    # say); Python's limit on parsing long ones is for text from elsewhere.
    if hasattr(sys, "set_int_max_str_digits"):  # Python 3.10.7+
        sys.set_int_max_str_digits(0)
    sys.argv[1:] = _verbose_after_run(sys.argv[1:])
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = _plain_run(sys.argv[1:]) or _typer_app()
    except KeyboardInterrupt:  # Ctrl-C while importing: no command started, no traceback
        sys.exit(130)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    try:
        start()
    finally:
        gc.freeze()


def _verbose_after_run(args: list[str]) -> list[str]:
    """``logtrim -v run ...`` as ``logtrim run -v ...``: ``-v`` is ``run``'s option, and
    a user may well put it first."""
    if len(args) >= 2 and args[0] in ("-v", "--verbose") and args[1] == "run":
        return ["run", args[0], *args[2:]]
    return args


def _plain_run(args: list[str]) -> Callable[[], None] | None:
    if args[:1] != ["run"]:
        return None
    from .runargs import parse

    given = parse(args[1:])
    if given is None:
        return None
    from .runcmd import main

    return lambda: sys.exit(main(given))


def _typer_app() -> Callable[[], None]:
    from .app import entry as run_app

    return run_app
