"""logtrim inside a Python app: ``LogtrimHandler`` and ``capture()`` (public through ``logtrim``). Internal."""
