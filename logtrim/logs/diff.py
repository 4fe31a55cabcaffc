"""``logtrim diff GOOD BAD``: the lines of a failing log whose shape no good run has.

One pass over BAD in line chunks (:class:`~logtrim.engine.shapes.baseline.Baseline` finds the new
lines of each chunk with set operations in C). Of each new shape the first line is kept,
with ``context`` lines before and after it; later lines of that shape are only counted.
Memory: the shape set, and one line and its context per new shape: at most ``FOUND_CAP``
new shapes, ``FOUND_BYTES`` of their lines (a log of distinct lines has a shape per line;
the lines of further new shapes are only counted, and the summary says how many).

Under the budget the new lines go in by tier (errors first), then in order; they print in
order, ``grep -n`` style (``12:`` a new line, ``11-`` its context, ``--`` between groups),
and the markers say what was held back. No context by default: a line around a new one is
one the good runs also print, so it rarely says more than the new line's number does (the
log is at hand to look it up); new lines written together still print together.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .._matchers import compiler
from ..engine.console.display import display
from ..engine.match.kinds import Kind
from ..engine.match.matcher import Matcher
from ..engine.shapes.baseline import Baseline
from ..engine.shapes.hashset import Hashes
from ..engine.shapes.shapes import shape_of
from .declared import Declared
from .diffsift import sift, unlabel
from .inputs import Input, open_detected
from .similar import Neighbours, tokens

MAX_LINE = 4096  # a longer line is cut in the output (as run's console cuts it)
_SEPARATOR = b"--\n"
# New shapes kept with their first line (~300 bytes each and the lines): what a budget of
# short lines shows, and far more than a failing run's new shapes (tens to thousands).
FOUND_CAP = 1 << 14
FOUND_BYTES = 16 << 20
#: GOOD's shapes kept, at most: every one of any log a run writes (a shape per line of a log
#: of 8 million distinct lines; 8 bytes each in a :class:`~logtrim.engine.shapes.hashset.HashSet`,
#: 64 MB when full). Past it the summary says so.
GOOD_SHAPES = 1 << 23


@dataclass
class Found:
    """The first line of a new shape, its neighbours, and how often the shape came back."""

    number: int  # 1-based
    text: bytes  # without its newline
    before: list[tuple[int, bytes]]  # (number, text), oldest first
    after: list[tuple[int, bytes]] = field(default_factory=list)
    tier: Kind = Kind.NOISE
    repeats: int = 0  # later lines of this shape, or of its tokens (:func:`.diffsift.sift`)
    context: bool = True  # shown with its neighbours (False: they did not fit the budget)


@dataclass
class Diff:
    lines: int = 0  # lines of BAD
    new_lines: int = 0  # lines of BAD whose shape GOOD lacks
    unkept: int = 0  # of those, the lines of new shapes past FOUND_CAP / FOUND_BYTES
    near_shapes: int = 0  # of those shapes, the ones near a line of GOOD (not shown)
    near_lines: int = 0  # and their lines
    labels: int = 0  # new lines that are only a label (:func:`.diffsift.unlabel`), not shown
    found: list[Found] = field(default_factory=list)  # one per new shape, in line order
    shown: list[Found] = field(default_factory=list)  # those that fit the budget, in order
    good_full: bool = False  # GOOD had more than GOOD_SHAPES shapes: some were not kept
    near_bounded: bool = False  # the similarity stage reached a cap (:class:`.Neighbours`)

    @property
    def held_back(self) -> int:
        return len(self.found) - len(self.shown)


@functools.lru_cache(maxsize=1)
def _matcher() -> Matcher:
    return Matcher(compiler=compiler())


def compute(
    known: Hashes,
    bad: Input,
    budget: int,
    context: int,
    near: Neighbours | None = None,
    secrets: Sequence[str] = (),
) -> Diff:
    """What BAD has that GOOD (its shapes: ``known``) does not, chosen under ``budget``,
    each new line with ``context`` lines before and after it. With ``near`` (GOOD's shapes
    by their tokens), a new shape near one of GOOD's is left out (:mod:`.similar`).
    ``secrets``: values masked besides what BAD declares."""
    is_task, chunks = open_detected(bad)
    # What BAD declares to its CI is masked before anything is looked at, as trim does.
    declared = Declared(secrets)
    bad.on_utf16(declared.masker.read_as_utf16, declared.feed_stored)
    chunks = declared.lines(chunks, learn=not declared.scan(bad))
    baseline = Baseline(known, tasklog=is_task, learn=False)  # BAD's own shapes: not needed
    out = Diff()
    first: dict[bytes, Found] = {}  # shape -> its first line
    held = 0  # the bytes of the lines kept in ``first``
    waiting: list[Found] = []  # new lines whose next lines are in the next chunk
    previous: deque[tuple[int, bytes]] = deque(maxlen=context)  # the last lines of a chunk
    last_no, last_shape = 0, b""  # the number and shape of the last new line kept
    # 1 when the last chunk ended inside a line (one longer than a chunk: cut in pieces, each
    # looked at alone): this chunk's first "line" is that line's next piece, numbered as it.
    own_first = 0
    for chunk in chunks:
        lines = chunk.split(b"\n")
        if lines[-1] == b"":
            lines.pop()
        base = out.lines - own_first  # line number of the chunk's first line, minus one
        more, at = lines[own_first:], base + own_first
        waiting = [f for f in waiting if not _more_after(f, more, at, context)]
        for i in baseline.new_lines(chunk):
            if i < own_first:
                continue  # a piece of a line looked at already: no line of its own
            out.new_lines += 1
            key = shape = shape_of(lines[i])
            seen = first.get(key)
            if seen is not None and last_no == base + i and last_shape != shape:
                key = _inblock(key, seen, lines[i])
                seen = first.get(key)
            if seen is not None:
                seen.repeats += 1
                continue
            if len(first) >= FOUND_CAP or held > FOUND_BYTES:
                out.unkept += 1
                continue
            own = [(base + k + 1, lines[k]) for k in range(max(i - context, own_first), i)]
            before = list(previous)[len(previous) - (context - len(own)) :] if context else []
            found = first[key] = Found(base + i + 1, lines[i], before + own)
            end = min(i + 1 + context, len(lines))
            found.after = [(base + k + 1, lines[k]) for k in range(i + 1, end)]
            held += sum(len(text) for _, text in block(found))
            last_no, last_shape = found.number, shape
            if len(found.after) < context:
                waiting.append(found)
        tail = range(max(len(lines) - context, own_first), len(lines))
        previous.extend((base + k + 1, lines[k]) for k in tail)
        out.lines += len(lines) - own_first
        own_first = 0 if chunk.endswith(b"\n") else 1
    out.found = list(first.values())
    del first
    matcher = _matcher()
    if near is not None:
        sift(out, near, matcher.line_kind)
        out.near_bounded = bool(out.found) and near.bounded
    unlabel(out)
    for found in out.found:
        found.tier = matcher.line_kind(found.text)
    out.shown = _choose(out.found, budget)
    return out


def _inblock(key: bytes, seen: Found, line: bytes) -> bytes:
    """The key of a line of a known new shape that right follows a kept new line of another
    shape: its shape and words when it has words ``seen`` lacks. A block of new lines of
    several shapes (a stack trace, whose frames share a shape once file names are masked)
    then shows whole; the same line again (the same words), or a list of lines of one shape
    (a file each), still only counts."""
    words = tokens(line)
    if words <= tokens(seen.text):
        return key
    return key + b"\x00" + b" ".join(sorted(words))


def _more_after(found: Found, lines: list[bytes], base: int, context: int) -> bool:
    """Add the next chunk's first lines to the lines after ``found``; True once it has all."""
    want = context - len(found.after)
    found.after += [(base + k + 1, lines[k]) for k in range(min(want, len(lines)))]
    return len(found.after) >= context


def _choose(found: list[Found], budget: int) -> list[Found]:
    """The new lines that fit ``budget``: highest tier first, then earliest; a line whose
    context does not fit is shown alone. Each group is paid with a ``--`` first; then, while
    the markers that say how many new shapes were held back make the output longer than the
    budget, the last lines chosen go (their room pays the markers)."""
    chosen = _pick(found, budget)
    marker = len(_marker(len(found)))  # what a group left out may leave: its marker
    while chosen and (over := _size(found, chosen) - budget) > 0:
        freed = 0
        while chosen and freed < over:
            dropped = chosen.pop()
            freed += marker + sum(len(text) + 8 for _, text in block(dropped))
    return sorted(chosen, key=lambda f: f.number)


def _size(found: list[Found], chosen: list[Found]) -> int:
    """The bytes :func:`render` prints with ``chosen`` shown."""
    shown = Diff(found=found, shown=sorted(chosen, key=lambda f: f.number))
    return sum(map(len, render(shown)))


def _pick(found: list[Found], budget: int) -> list[Found]:
    """The new lines that fit ``budget``, each group paid with a ``--``, best first."""
    ranked = sorted(found, key=lambda f: (-f.tier, f.number))
    shown_lines: set[int] = set()
    chosen: list[Found] = []
    used = 0
    for candidate in ranked:
        for context in (True, False):
            candidate.context = context
            cost = len(_SEPARATOR) + sum(
                len(str(number)) + 1 + len(display(text, MAX_LINE))
                for number, text in block(candidate)
                if number not in shown_lines
            )
            if used + cost <= budget:
                used += cost
                chosen.append(candidate)
                shown_lines.update(number for number, _ in block(candidate))
                break
        # else: held back; a shorter line of a lower tier may still fit
    return chosen


def block(found: Found) -> Iterator[tuple[int, bytes]]:
    """The lines ``found`` shows: itself, with its context if it has room."""
    if found.context:
        yield from found.before
    yield found.number, found.text
    if found.context:
        yield from found.after


def render(diff: Diff) -> Iterator[bytes]:
    """The text output: the chosen lines with their context, in order, and the markers."""
    new = {f.number for f in diff.found}
    printed = 0  # the last line number printed
    pending = 0  # new shapes between the last group printed and the next, held back
    shown = set(id(f) for f in diff.shown)
    for found in diff.found:
        if id(found) not in shown:
            pending += 1
            continue
        for number, text in block(found):
            if number <= printed:
                continue
            if printed and number > printed + 1:
                yield _marker(pending)
                pending = 0
            mark = b":" if number in new else b"-"
            yield str(number).encode() + mark + display(text, MAX_LINE)
            printed = number
    if pending:
        yield _marker(pending)


def _marker(held: int) -> bytes:
    if not held:
        return _SEPARATOR
    return b"-- [logtrim: %d new line shape%s held back by the budget] --\n" % (
        held,
        b"" if held == 1 else b"s",
    )
