"""``python -m logtrim``."""

from ._cli import entry

entry()
