"""What a failure looks like: error blocks, and what the end of a failed run shows.

An error line opens an *incident*: the stack trace or message block that continues it, then
a few lines after it. When the end of a failed run has less room than it has lines, the
incidents come first, one of each shape, newest first: a run's last errors say why it failed
far more often than its last lines do. Plain functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..._regex import lazy
from ..._text import COLOUR
from ..match.kinds import Kind
from ..shapes.templates import coarse, hexless
from .incident import continues
from .pointers import leaning, says
from .traces import CHAINED

# The same message logged at two levels, or with other numbers, is the same failure.
#: A log level's name (upper case: ``Error:`` is a message's word, not a logger's level).
LEVEL = lazy(rb"\b(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL)\b")
# After ``coarse`` and ``hexless``: 9 and 10 are the same number, two addresses the same id.
_NUMBER = lazy(rb"0{2,}|#{2,}")


def _same(text: bytes) -> bytes:
    """What two reports of the same failure share: all but numbers, hex ids (``0x7ffe...``,
    a hash) and the level's name."""
    return LEVEL.sub(b"L", _NUMBER.sub(b"0", hexless(coarse(text))))


_EXCEPTION_LINE = lazy(rb"^(?:" + COLOUR.encode() + rb")*[\w.$]*(?:Error|Exception|Interrupt)\b")


#: A CI's command that reports a failure beyond the errors the dialects read as reasons
#: (:meth:`.Dialect.reported_error`): TeamCity's failed build status, Octopus's switch of a
#: stream to the error level.
_FAILS = lazy(
    rb"##teamcity\[buildStatus\b(?:\|.|[^\]|])*status='FAILURE'|##octopus\[std(?:out|err)-error\]"
)
#: A CI's warning command: it counts when its words say something failed.
_WARNS = lazy(rb"(?i)^[ \t]*::warning\b|##\[warning\]|##vso\[task\.logissue[^\]]*type=warning")
#: A warning's words that say something failed (not after a zero: ``0 errors``).
_FAILED = lazy(
    rb"(?i)(?<!\b0 )(?<!\bno )\b(?:fail(?:ed|s|ures?|ing)?|errors?|fatal|abort(?:ed|ing)?)\b"
)


def says_failed(
    raw: bytes,
    classify: Callable[[bytes], Kind],
    command: Callable[[bytes], bool],
    reported: Callable[[bytes], bool],
) -> bool:
    """Whether a line says something failed: a rule puts it in the error tier, or in the
    warning tier with a failure's word (``WARNING: publish step failed``), or it is a CI's
    command (``command``) that reports an error (``reported``: ``::error::``,
    ``##vso[task.logissue type=error]``, ``##teamcity[buildProblem``): not any command with
    such a word."""
    if command(raw):
        if reported(raw) or _FAILS.search(raw) is not None:
            return True
        return _WARNS.search(raw) is not None and _FAILED.search(raw) is not None
    kind = classify(raw)
    if kind == Kind.WARNING:
        return _FAILED.search(raw) is not None
    return Kind.ERROR <= kind < Kind.SERVICE


@dataclass(frozen=True, slots=True)
class TailLine:
    """A line the end of a failed run may show."""

    lineno: int  # -1: a note of logtrim's own
    stream: int
    text: bytes  # console form, masked
    marked: bool = False  # a rule gives it a tier
    incident: int = -1  # the line number of the error that opened its incident
    cont: bool = False  # it continues that error (a stack frame), not just follows it
    earlier: bool = False  # written before a line its stream already showed: out of order
    new: bool = False  # its shape is not in the baseline (good runs never printed it)
    end: bool = False  # its stream's last line


def incidents(
    lines: Sequence[tuple[int, bytes]],
    classify: Callable[[bytes], Kind],
    *,
    after: int,
    block: int,
) -> dict[int, tuple[int, bool, bool]]:
    """For consecutive raw lines ``(lineno, raw)``: lineno -> (incident, rule-marked, cont).

    Only lines in an incident or marked by a rule are in the result; a blank line is in no
    incident (it is shown only when everything fits).
    """
    out: dict[int, tuple[int, bool, bool]] = {}
    head_raw = b""
    head = -1
    left_after = left_block = 0
    for lineno, raw in lines:
        kind = classify(raw)
        if Kind.ERROR <= kind < Kind.SERVICE:
            head, head_raw = lineno, raw
            left_after, left_block = after, block
            out[lineno] = (head, True, True)
            continue
        blank = not raw.strip()
        cont = False
        if left_block and (blank or continues(head_raw, raw)):
            left_block -= 1
            cont = True
        elif left_after:
            left_block = 0
            left_after -= 1
        else:
            head = -1
            left_after = left_block = 0
        if blank:
            continue
        if head >= 0 or kind > Kind.NOISE:
            out[lineno] = (head, kind > Kind.NOISE, cont)
    return out


def pick(
    lines: Sequence[TailLine], room: int, *, last: int = 2, named: tuple[int, int] = (-1, -1)
) -> list[TailLine]:
    """The lines that fit ``room`` bytes, in their order; all of them when they fit.

    Else, in turn, as they fit: the ``last`` lines; each stream's last line; the block of
    the line the failure reason names (``named``: its first and last line numbers); the
    error lines that open each incident,
    newest first, one per shape (its error and stack frames); their stack frames, then the
    lines after them, line by line across the incidents; other rule-marked lines; the newest
    of the rest but blank lines. Within each, lines new against a baseline go first. A line
    that is an older copy of a newer line (the same text but for numbers and the level's name:
    a wrapper logging the error again, a retry) comes after all of that: under a tight
    budget, distinct lines say more than repeats.
    """
    if sum(len(line.text) for line in lines) <= room:
        return list(lines)
    chosen: set[int] = set()
    used = 0
    repeats = _older_copies(lines)
    deferred: list[int] = []

    def take(indexes: Sequence[int], *, all_: bool = False) -> None:
        nonlocal used
        for i in indexes:
            if i in repeats and not all_:
                deferred.append(i)
                continue
            # A caret or a quoted source line comes with the lines it points at, or not at
            # all (``^^^^^^`` alone under a marker points at nothing).
            group = [k for k in leaning(lines, i) if k not in chosen]
            cost = sum(len(lines[k].text) for k in group)
            if group and used + cost <= room:
                chosen.update(group)
                used += cost

    newest = [i for i in range(len(lines) - 1, -1, -1) if lines[i].lineno >= 0]
    take([i for i in newest if says(lines[i].text)][:last], all_=True)
    take([i for i in newest if lines[i].end], all_=True)
    # The block that names the failure (a traceback from its header to its exception); the
    # rest of its incident takes its turn with the other incidents' (first among them).
    block = _named_block(lines, named)
    own = [i for i in block if named[0] <= lines[i].lineno <= named[1]]
    # The line the reason names first (a traceback's exception, its block's last line): a
    # long trace's oldest frames must not take its room.
    take([i for i in own if lines[i].lineno == named[1]], all_=True)
    take(_said_first(lines, own), all_=True)
    first = {lines[i].incident for i in block}
    # With a baseline, the passes below take the lines no good run printed first.
    preferred = sorted(newest, key=lambda i: not lines[i].new)
    groups: dict[int, list[int]] = {}
    for i in reversed(newest):
        if lines[i].incident >= 0:
            groups.setdefault(lines[i].incident, []).append(i)
    shapes: set[tuple[bytes, ...]] = set()
    distinct: list[list[int]] = []
    for head in sorted(groups, key=lambda h: (h not in first, not lines[groups[h][0]].new, -h)):
        shape = tuple(_same(lines[i].text) for i in groups[head] if lines[i].cont)
        # The same failure again: its newest instance is enough. An incident whose error was
        # shown already has no shape here: nothing says it repeats another.
        if not shape or shape not in shapes:
            shapes.add(shape)
            distinct.append(groups[head])
    # Stack frames, then the lines after: line by line across the incidents, so the newest
    # does not take all the room.
    # A repeat takes no turn: the lines after it move up (it comes at the very end).
    distinct = [sorted(members, key=lambda i: i in repeats) for members in distinct]
    for turn in _turns(lines, distinct):
        # Not a blank line: cheap, it would fit where its neighbours do not, and say
        # nothing between two markers (one that separates shown lines is shown instead of
        # its marker: marked.py).
        take([i for i in turn if says(lines[i].text)])
    take([i for i in preferred if lines[i].marked])
    take([i for i in preferred if says(lines[i].text)])
    take(deferred, all_=True)
    return [lines[i] for i in sorted(chosen)]


def _said_first(lines: Sequence[TailLine], block: list[int]) -> list[int]:
    """The lines of the reason's block in the order they take room: what it says went wrong
    (its lines at the margin: a chain's other exceptions, a header, ``Caused by: ...``),
    newest first, then the rest from the innermost frame (where it failed), the separators
    of a chain last. Never a blank line: cheap, it fits where its neighbours do not, and says
    nothing alone between two markers (one between shown lines is shown instead: marked.py)."""
    said = [i for i in reversed(block) if says(lines[i].text)]
    separator = [i for i in said if CHAINED.match(lines[i].text)]
    margin = [i for i in said if lines[i].text[:1] not in b" \t" and i not in separator]
    rest = [i for i in said if i not in margin and i not in separator]
    return [*margin, *rest, *separator]


def _turns(lines: Sequence[TailLine], distinct: list[list[int]]) -> list[list[int]]:
    """The incidents' lines (``distinct``: indexes per incident, in rank order) in the turns
    they take: stack frames, then the lines after, line by line across the incidents, so
    the newest does not take all the room. A turn's lines after are equals: the shorter go
    first, so that more of them fit (a frame keeps its rank: a trace reads in order).

    With a baseline, first the incidents that hold a new line, then the rest (an error
    block every good run also prints is rarely the cause: it drops below what is new, but
    still comes before lines of no incident); within each, the new lines before the lines
    good runs also print, frames and lines after alike (a good run's frame or line says less
    than a line none printed), and of the new ones those a rule gives a tier first (as
    rule-marked lines come before the rest)."""
    if any(line.new for line in lines):
        fresh = [m for m in distinct if any(lines[i].new for i in m)]
        stale = [m for m in distinct if not any(lines[i].new for i in m)]
        phases, rounds = [fresh, stale], _ROUNDS
    else:
        phases, rounds = [distinct], ((None, None),)
    out = []
    for incidents in phases:
        for new, marked in rounds:
            for cont in (True, False):
                part = [
                    [i for i in members if lines[i].cont == cont and _in(lines[i], new, marked)]
                    for members in incidents
                ]
                for depth in range(max((len(m) for m in part), default=0)):
                    turn = [members[depth] for members in part if depth < len(members)]
                    if not cont:  # the lines after: one turn's are equals, the short first
                        turn.sort(key=lambda i: len(lines[i].text))
                    out.append(turn)
    return out


#: (new, rule-marked) of each round of the incidents' lines with a baseline (None: any).
_ROUNDS: tuple[tuple[bool | None, bool | None], ...] = ((True, True), (True, False), (False, None))


def _in(line: TailLine, new: bool | None, marked: bool | None) -> bool:
    return new in (None, line.new) and marked in (None, line.marked)


def _named_block(lines: Sequence[TailLine], named: tuple[int, int]) -> list[int]:
    """The indexes of the lines of the block ``named`` (first, last line number) and of the
    incidents of its lines, oldest first."""
    low, high = named
    inside = {i for i, ln in enumerate(lines) if low <= ln.lineno <= high}
    incidents = {lines[i].incident for i in inside} - {-1}
    return [
        i
        for i, ln in enumerate(lines)
        if ln.lineno >= 0 and (i in inside or ln.incident in incidents)
    ]


def _older_copies(lines: Sequence[TailLine]) -> set[int]:
    """The indexes of the non-blank lines a later line repeats (see :func:`_same`)."""
    at = [i for i, line in enumerate(lines) if line.lineno >= 0 and line.text.strip()]
    keys = dict(zip(at, _same_each([lines[i].text.strip() for i in at]), strict=True))
    last = {key: i for i, key in keys.items()}  # the later index wins
    return {i for i, key in keys.items() if last[key] != i}


def _same_each(texts: list[bytes]) -> list[bytes]:
    """:func:`_same` of each line, in one pass over them joined (a few regexes a line cost
    20 µs each, and a tail may weigh thousands): none of its patterns reaches over a
    newline, and a boundary is one either side of it."""
    if any(b"\n" in text for text in texts):
        return [_same(text) for text in texts]
    return _same(b"\n".join(texts)).split(b"\n") if texts else []
