"""The rank of an error line away from any traceback, by what it says (:mod:`.reason`):
its words (:mod:`.ranks`), and for a JSON record its message, its exception and its level.
Sans-IO."""

from __future__ import annotations

from ..._text import plain_text
from .named import fatal, json_record, said
from .ranks import JEST_TOP, Rank, line_rank


def error_rank(line: bytes, body: bytes) -> Rank:
    """The rank of an error line (``body``: its text, stripped, without a carrier's prefix)."""
    # A JSON record by what it says (its message and exception): "billing run aborted"
    # carrying ``LedgerError: ...`` says why, where the message alone reads as a status.
    record = json_record(body) if body[:1] == b"{" else None
    rank = line_rank(said(body, record))
    # Its level says so (``"level": "critical"``), unless it only says that something failed
    # or that the program went on, as a ``CRITICAL ... deployment aborted`` line does not
    # outrank an error before it that says why.
    if Rank.RETRIED < rank < Rank.FATAL and fatal(record):
        return Rank.FATAL
    if rank < Rank.TEST and JEST_TOP.match(plain_text(line)):
        return Rank.TEST  # (its indent tells it: ranks see the line stripped)
    return rank


__all__ = ["error_rank", "plain_text"]
