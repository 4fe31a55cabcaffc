"""Logs that already exist: ``trim``, ``stats``, ``cat`` and their input formats. Internal."""
