"""logtrim in a Python app: ``LogtrimHandler`` and ``capture()``. Internal (see ``logtrim``)."""
