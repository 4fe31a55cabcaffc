"""``python -m logtrim``."""

from .cli import entry

entry()
