"""The ``logtrim`` command line (typer): settings, commands, exit codes. Internal."""


def entry() -> None:
    """The console script. typer and the command modules are imported with the garbage
    collector off, then frozen: their objects live until exit, and the dozens of collections
    that importing them would trigger, and every full one later, would scan them for
    nothing (start-up counts)."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        from .app import entry as run_app
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    run_app()
