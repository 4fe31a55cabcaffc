"""The ``logtrim`` command line (typer): settings, commands, exit codes. Internal."""
