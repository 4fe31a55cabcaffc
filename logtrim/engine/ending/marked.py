"""Which of the tail's candidates fit with the markers of what they leave out: counted
markers (``... 3 lines not shown ...``) where the room allows, else the short one."""

from __future__ import annotations

from ..console.output import OWN
from ..console.tally import gap_note
from .failure import TailLine, pick
from .fold import folded_count

#: A stretch left out where a counted marker has no room (a line or two fewer pays for it):
#: the lines around it must not read as one block (a test's header, another test's error).
SHORT_GAP = OWN + b"...\n"
#: In ``skipped``: a stretch marked by :data:`SHORT_GAP`, not counted.
SHORT = -(1 << 62)
_TRIES = 64  # each try keeps room for one more marker at least: a few in practice


def pick_marked(
    candidates: list[TailLine],
    window: list[TailLine],
    room: int,
    named: tuple[int, int],
    *,
    counted: bool = False,
) -> tuple[list[TailLine], dict[int, int]]:
    """:func:`pick`, and the markers of the stretches it leaves out: those lines picked,
    and per line (by ``id``) how many lines right before it are out. When the counted
    markers do not fit, each stretch gets :data:`SHORT_GAP` (value ``SHORT``), its room
    kept by picking a line or two fewer; when even those do not fit, the window's counted
    markers are printed only where the budget has room (negative counts: the ``only part
    fits`` note above them says some are left out). ``counted``: above a compact budget,
    a line or two fewer pays for the counts first (a reader then knows what each stretch
    holds); the short markers come only when that is not enough."""
    picked = pick(candidates, room, named=named)
    skipped = _left_out(window, picked)
    if _size(picked) + _marks(skipped, short=False) <= room:
        return _instead(window, picked, skipped)
    for short in (False, True) if counted else (True,):
        found = _fewer(candidates, window, room, named, picked, short=short)
        if found is not None:
            return found
    return picked, {key: -n for key, n in skipped.items() if n != SHORT}


def _fewer(
    candidates: list[TailLine],
    window: list[TailLine],
    room: int,
    named: tuple[int, int],
    picked: list[TailLine],
    *,
    short: bool,
) -> tuple[list[TailLine], dict[int, int]] | None:
    """Fewer lines than ``picked`` until they fit ``room`` with the markers of the stretches
    they leave out (``short``: :data:`SHORT_GAP` each); None if that takes too many tries."""
    keep = room
    skipped = _left_out(window, picked)
    for _ in range(_TRIES):
        need = _size(picked) + _marks(skipped, short=short)
        if need <= room:
            return _instead(window, picked, dict.fromkeys(skipped, SHORT) if short else skipped)
        keep -= max(need - room, len(SHORT_GAP))  # fewer lines can mean more stretches
        picked = pick(candidates, keep, named=named)
        skipped = _left_out(window, picked)
    return None


def _instead(
    window: list[TailLine], picked: list[TailLine], skipped: dict[int, int]
) -> tuple[list[TailLine], dict[int, int]]:
    """``picked`` with the stretches of the window left out that are no longer than their
    marker (a blank line, a brace) shown instead of it: they cost no more."""
    chosen = {id(line) for line in picked}
    added: set[int] = set()
    stretch: list[TailLine] = []
    started = False
    for line in window:
        if id(line) not in chosen:
            stretch.append(line)
            continue
        n = skipped.get(id(line), 0)
        if started and stretch and (n > 0 or n == SHORT):
            marker = len(SHORT_GAP) if n == SHORT else len(gap_note(n, sized=False))
            if all(x.lineno >= 0 for x in stretch) and _size(stretch) <= marker:
                added.update(id(x) for x in stretch)
                del skipped[id(line)]
        stretch, started = [], True
    if not added:
        return picked, skipped
    older = [line for line in picked if line.earlier]
    return older + [x for x in window if id(x) in chosen or id(x) in added], skipped


def marks_size(skipped: dict[int, int]) -> int:
    """The bytes of the markers of ``skipped`` as :meth:`~.tail.Tail` prints them (a stretch
    left out uncounted, a negative count, has none of its own)."""
    return _marks({key: n for key, n in skipped.items() if n > 0 or n == SHORT}, short=False)


def _marks(skipped: dict[int, int], *, short: bool) -> int:
    """The bytes of the markers of ``skipped``: counted, or all short."""
    if short:
        return len(SHORT_GAP) * len(skipped)
    return sum(
        len(SHORT_GAP) if n == SHORT else len(gap_note(n, sized=False)) for n in skipped.values()
    )


def _size(lines: list[TailLine]) -> int:
    return sum(len(line.text) for line in lines)


def _left_out(window: list[TailLine], picked: list[TailLine]) -> dict[int, int]:
    """Per picked line (by ``id``), how many lines right before it, after an earlier picked
    one, are left out: of the window (a fold's note counts its lines), or of the run between
    two earlier lines held back that were not written one after the other."""
    chosen = {id(line) for line in picked}
    out: dict[int, int] = {}
    before = None
    for line in picked:
        if not line.earlier:
            break
        if line.lineno < 0:  # a fold's note: the lines it counts come right after ``before``
            before = before + folded_count(line.text) if before is not None else None
            continue
        if before is not None and line.lineno > before + 1:
            out[id(line)] = SHORT  # not counted: some between may have been shown live
        before = line.lineno
    count, started = 0, False
    for line in window:
        if id(line) in chosen:
            if started and count:
                out[id(line)] = count
            count, started = 0, True
        elif started:
            count += folded_count(line.text) if line.lineno < 0 else 1
    return out


__all__ = ["SHORT", "SHORT_GAP", "marks_size", "pick_marked"]
