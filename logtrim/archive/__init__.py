"""The archive: every byte the child wrote (secrets masked), as zstd frames on disk.

Internal: the encoder and the tolerant reader (``zstd``), one writer Protocol (``writer``) with
its in-process, forked and synchronous implementations.
"""

#: The zstd level of every front end's archive (``--level``, the handler's ``compression=``).
DEFAULT_LEVEL = 1
