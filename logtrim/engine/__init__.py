"""The policy engine: sans-IO objects that decide what to show, mask and archive.

No files, no environment, no clock (``now`` is passed in). Internal; see docs/design.md.
"""
