"""logtrim in a Python app: ``LogtrimHandler`` and ``capture()``. Internal; public via ``logtrim``."""
