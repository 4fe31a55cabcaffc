"""The headers of a run's end (:mod:`.tail`): the earlier lines held back, the last lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..console.output import OWN, Emit
from ..console.tally import GAP_LINE
from .fold import written_after
from .marked import SHORT

if TYPE_CHECKING:
    from ..console.output import Output
    from .failure import TailLine

#: What the headers say of lines a marker above counted already (``... 12 lines (2 kB) not
#: shown ...``): shown now, they are not more lines than the run wrote.
COUNTED = b'already in a "not shown" count above'
#: Its short form (``Budget.compact``).
COUNTED_SHORT = b"counted above as not shown"
#: Over the lines written before some already on the console: the one section out of order.
EARLIER_HEADER = b"[logtrim] --- earlier lines held back (written before some lines above) ---\n"
#: Its short form, below a 32 kB budget (``Budget.compact``): there the bytes are the failure's.
EARLIER_SHORT = b"[logtrim] --- held back, written earlier ---\n"

#: How the header of the earlier lines held back starts, in each form (:func:`in_fold`).
EARLIER_START = (EARLIER_SHORT[: -len(b" ---\n")], EARLIER_HEADER[: -len(b") ---\n")])


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


_HEADER_START = b"[logtrim] --- "
_HEADER_END = b" ---\n"


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


def head_counted(
    out: Output,
    lines: tuple[int, int],
    choice: tuple[list[TailLine], list[TailLine], dict[int, int]],
    left: list[tuple[int, bytes]],
    slack: int,
    said: tuple[bytes, str, Callable[[int], str] | None],
) -> tuple[bytes, bool]:
    """When only the window's last lines fit, the lines before them go into the gap
    marker's count and the header names the lines shown (``last 41 lines``, not ``last 200
    lines`` over 41): the header, and whether the note that only part fits is still needed.
    ``choice``: the tail's picked lines, its candidates, the counts of what they leave out;
    ``left``: the window's lines (number, text); ``lines``: the run's, and the last one shown
    in order (what markers above counted ends there); ``said``: the header,
    the note, the title's maker. As it was where the console would not read better (a part
    left out with no marker of its own) or the room lacks (``slack``: what the tail leaves)."""
    picked, candidates, skipped = choice
    header, note, title = said
    count, since = lines
    newer = [line for line in picked if not line.earlier and line.lineno >= 0]
    chosen = {id(line) for line in picked}
    if (
        not newer
        or any(SHORT < n < 0 for n in skipped.values())  # stretches left out uncounted
        or not _marked_after(candidates, chosen, skipped, newer[0].lineno)
    ):
        return header, True
    first = newer[0].lineno
    head = sum(1 for n, _ in left if n < first)
    if not head:
        return header, True
    # The earlier lines held back that did not fit and no marker above counted (written
    # after the last line shown in order, ``since``) are counted with them.
    earlier = [line for line in candidates if line.earlier]
    head += written_after(earlier, since) - written_after(
        [line for line in earlier if id(line) in chosen], since
    )
    noted = False
    gap = out.gap_text(0, sized=False)
    out.gap_lines += head
    again = b"not shown" in header  # a marker above counted some: said as before
    new = tail_header(title(count - first) if title else "", again=again,
                      compact=out.budget.compact)  # fmt: skip
    extra = len(out.gap_text(0, sized=False)) - len(gap) + len(new) - len(header)
    if extra > slack + (0 if noted else len(OWN) + len(note) + 1):  # the note's room, if free
        out.gap_lines -= head
        return header, True
    return new, noted


def _marked_after(
    candidates: list[TailLine], chosen: set[int], skipped: dict[int, int], first: int
) -> bool:
    """Whether each stretch of the window left out after line ``first`` has its marker (the
    picked line after it has a count, or the short one): each is then said where it was."""
    gap = False
    for line in candidates:
        if line.earlier or line.lineno < first:
            continue
        if id(line) not in chosen:
            gap = True
        elif gap:
            if id(line) not in skipped:
                return False
            gap = False
    return not gap


def in_fold(
    lines: list[Emit], header: bytes | tuple[bytes, ...]
) -> tuple[list[Emit], list[Emit], str | None]:
    """The tail's lines for a fold titled as its header (``header``: how it starts): the gap
    marker that leads them, which counts lines before the tail, goes before the fold; the
    header is left out, the fold's title says it (a folded tail said its title twice), but
    after a section of earlier lines, where it says where the last lines start. Also the
    header's title, with what it adds (``..., counted above as not shown``), None if none."""
    lead = 0
    while lead < len(lines) and GAP_LINE.match(lines[lead][1]):
        lead += 1
    title: str | None = None
    kept: list[Emit] = []
    for emit in lines[lead:]:
        text = emit[1]
        if title is None and text.startswith(header) and text.endswith(_HEADER_END):
            title = text[len(_HEADER_START) : -len(_HEADER_END)].decode("utf-8", "replace")
            if not kept:
                continue
        kept.append(emit)
    return lines[:lead], kept, title


__all__ = [
    "COUNTED",
    "COUNTED_SHORT",
    "EARLIER_HEADER",
    "EARLIER_SHORT",
    "earlier_header",
    "head_counted",
    "in_fold",
    "last_lines",
    "named_count",
    "tail_header",
]
