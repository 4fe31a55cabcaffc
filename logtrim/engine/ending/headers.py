"""The headers of a run's end (:mod:`.tail`): the earlier lines held back, the last lines."""

from __future__ import annotations

#: Over the lines written before some already on the console: the one section out of order.
EARLIER_HEADER = b"[logtrim] --- earlier lines held back (written before some lines above) ---\n"
#: Its short form, below a 32 kB budget (``Budget.compact``): there the bytes are the failure's.
EARLIER_SHORT = b"[logtrim] --- held back, written earlier ---\n"


def earlier_header(compact: bool, every: bool, some: bool) -> bytes:
    """The header of the earlier lines held back; ``every``/``some``: whether all or some
    of them were in a marker's count above (the lines shown then came after them), so
    that the counts are not read as more lines than the run wrote."""
    header = EARLIER_SHORT if compact else EARLIER_HEADER
    if not some:
        return header
    end = b" ---\n" if compact else b") ---\n"
    said = b", counted above" if every else b", some counted above"
    return header.replace(end, said + end)


def tail_header(title: str, *, again: bool, compact: bool) -> bytes:
    """The tail's header; ``again``: it shows lines a marker above counted."""
    title = title or "last lines"
    if again:
        title += ", counted above" if compact else ", some counted above (written before it)"
    return f"[logtrim] --- {title} ---\n".encode()


__all__ = ["EARLIER_HEADER", "EARLIER_SHORT", "earlier_header", "tail_header"]
