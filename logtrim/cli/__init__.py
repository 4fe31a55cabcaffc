"""The ``logtrim`` command line (typer): settings, commands, errors mapped to exit codes. Internal."""
