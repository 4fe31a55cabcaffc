"""The headers of a run's end (:mod:`.tail`): the earlier lines held back, the last lines."""

from __future__ import annotations

#: What the headers say of lines a marker above counted already (``... 12 lines (2 kB) not
#: shown ...``): shown now, they are not more lines than the run wrote.
COUNTED = b'already in a "not shown" count above'
#: Its short form (``Budget.compact``).
COUNTED_SHORT = b'in "not shown" above'
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
    said = b", " + COUNTED_SHORT if compact else b"; " + COUNTED
    if not every:
        said = said.replace(b" ", b" some ", 1)
    return header.replace(end, said + end)


def last_lines(count: int, exit_code: int | None = None) -> str:
    """The tail's title: ``last 20 lines``, ``last line``; after a failure with its exit code."""
    title = "last line" if count == 1 else f"last {count} lines"
    return title if exit_code is None else f"{title} (exit code {exit_code})"


def named_count(count: int, told: list[int], shown: list[int]) -> int:
    """How many last lines the tail's header names: ``count``, or fewer when only that many
    (``told``, their numbers) are left to tell, all written after every line shown of the
    window (``shown``): ``last 20 lines`` over 8 reads as 12 lost."""
    if not told or len(told) >= count or any(n > told[0] for n in shown):
        return count
    return len(told)


def tail_header(title: str, *, again: bool, compact: bool) -> bytes:
    """The tail's header; ``again``: it shows lines a marker above counted."""
    title = title or "last lines"
    if again:
        title += f", {COUNTED_SHORT.decode()}" if compact else f" (some {COUNTED.decode()})"
    return f"[logtrim] --- {title} ---\n".encode()


__all__ = [
    "COUNTED",
    "COUNTED_SHORT",
    "EARLIER_HEADER",
    "EARLIER_SHORT",
    "earlier_header",
    "last_lines",
    "named_count",
    "tail_header",
]
