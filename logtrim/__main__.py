"""``python -m logtrim``."""

from .cli.app import entry

entry()
