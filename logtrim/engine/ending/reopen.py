"""The lines a failed run's tail shows again, out of order: those of a stream left out
before its last lines shown (a ``Build failed`` shown last, the ``checksum mismatch`` forty
lines before it not), and whether an error line says why, not only that something failed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from ..._regex import lazy
from ..._text import ANSI_BYTES
from ..flow.history import History
from ..match.kinds import Kind
from .failure import TailLine
from .fold import similar_key
from .named import as_said
from .ranks import Rank, line_rank


def before_end(
    lines: list[tuple[int, int, bytes]],
    shown: set[int],
    history: History,
    says_why: Callable[[bytes], bool],
    command: Callable[[bytes], bool],
    failed: Callable[[bytes], bool] = lambda _: True,
) -> dict[int, int]:
    """For a failed run's tail: per stream whose last lines in the window (``lines``) were
    shown as they came (a line that only says something failed, and the context before it),
    the newest line it showed before the lines not shown that precede them.

    The tail shows the lines after that one too, as earlier lines: it would otherwise show
    nothing of the end of such a stream (``Build failed`` shown last, the ``checksum
    mismatch`` forty lines before it not). When a line of the window shown already says why
    (a failing test with its assertion, an exception, ``cp: cannot stat``), the lines before
    it stay as they were (the console says it), but those after it not shown come too: what
    the program said after its error (a hint, the box's location, the status) is the
    failure's. A CI's command is no line of the stream here (it always passes: a
    ``::notice::`` between the cause and the end does not end the lines not shown).
    ``failed``: whether a line says something failed; when no line shown in the window
    says so, on either stream or as a CI's command (a script's ``==> Checking the release``,
    then a silent command that failed), the streams keep their order: lines before their
    last ones would end the console, as if they failed."""
    froms: dict[int, int] = {}
    # Whether a line shown says something failed, on either stream or as a CI's command.
    failing = any(failed(raw) for n, _, raw in lines if n in shown)
    raws = {n: raw for n, _, raw in lines}
    # The newest: an earlier error that says why may be one the run went on from.
    why = [n for n, _, raw in lines if n in shown and says_why(raw)][-1:]
    for stream in {line[1] for line in lines}:
        own = [
            n for n, s, raw in lines if s == stream and not history.is_quiet(n) and not command(raw)
        ]
        if why:
            if (after := _after_cause(_hidden_after(own, why[0], shown), raws)) is not None:
                froms[stream] = why[0] if after < 0 else after
            continue
        last = len(own)
        while last and own[last - 1] in shown:
            last -= 1
        if last in (0, len(own)):  # all shown, or its last line is the tail's anyway
            continue
        start = last
        while start and own[start - 1] not in shown:
            start -= 1
        if not failing:
            # Nothing shown says it failed: only the few odd lines that ended the stretch
            # not shown, after a run of like lines (``CDN invalidation still InProgress``
            # after thousands of ``sync file``, then ``=== Rolling back ===`` shown): what
            # the program said last before its end. A stretch of like lines alone stays.
            start = _odd_end(own, start, last, raws)
        else:
            start = _past_loop(own, start, last, raws)
        if start < 0:
            continue
        froms[stream] = own[start - 1] if start else own[0] - 1
    return froms


#: The most lines :func:`_odd_end` takes: a few, or they are no end of a run of like lines.
_ODD = 10


def _odd_end(own: list[int], start: int, last: int, raws: dict[int, bytes]) -> int:
    """Where the few lines unlike the one before each start at the end of ``own[start:last]``
    (lines not shown), when the line before them ends a run of like lines and they are at
    most :data:`_ODD`; else -1."""

    def key(i: int) -> bytes:
        return similar_key(raws[own[i]])

    j = last - 1
    while j > start and key(j) != key(j - 1) and last - j < _ODD:
        j -= 1
    if j == start or key(j) != key(j - 1) or j + 1 == last:
        return -1  # no run of like lines, too many lines after it, or none
    return j + 1


def _past_loop(own: list[int], start: int, last: int, raws: dict[int, bytes]) -> int:
    """Where the lines not shown (``own[start:last]``) start to say something: past the
    runs of like lines they start with that are a loop's output (more than :data:`_ODD`
    lines, or like the first line shown after them: ``record 4802 ok`` before the ``record
    4996 ok`` shown live and the ``FATAL`` under it). Shown again after the failure, a loop
    only pushes it up: it stays in its marker's count. -1 when all of them are."""

    keys = {i: similar_key(raws[own[i]]) for i in range(start, last + 1)}
    while start < last:
        run = start + 1
        while run < last and keys[run] == keys[start]:
            run += 1
        if run - start <= _ODD and keys[start] != keys[last]:
            return start
        start = run
    return -1


def _hidden_after(own: list[int], cause: int, shown: set[int]) -> list[int]:
    """A stream's lines (``own``) not shown after ``cause`` and before a line it showed (the
    lines after its last one shown are the tail's anyway)."""
    after = [n for n in own if n > cause]
    while after and after[-1] not in shown:
        after.pop()
    return [n for n in after if n not in shown]


def _after_cause(hidden: list[int], raws: dict[int, bytes]) -> int | None:
    """Which of the lines not shown after the cause (``hidden``) the tail shows again: -1
    all of them (what the program said after its error), the number of the line after
    which it does, or None, none. A loop's output (more than :data:`_ODD` like lines: the
    tests that passed after the failing one) is no word on the failure: it stays in its
    marker's count, and only the few odd lines after it come."""
    if not hidden:
        return None
    keys = [similar_key(raws[n]) for n in hidden]
    end = len(keys)
    while end > 1 and keys[end - 1] != keys[end - 2] and len(keys) - end < _ODD:
        end -= 1  # the odd lines at the end
    start = end - 1
    while start and keys[start - 1] == keys[end - 1]:
        start -= 1
    if end - start <= _ODD:
        return -1  # no loop's output at the end: all of them
    return hidden[end - 1] if end < len(keys) else None


# The words of a line that says only that something failed (see :func:`says_why`).
_FAILURE_WORDS = lazy(
    rb"\b(?:errors?|err|fail(?:ed|ures?|s)?|fatal|critical|panic|builds?|deploy(?:ment)?|"
    rb"release|steps?|stages?|jobs?|tasks?|tests?|pipeline|scripts?|install(?:ation)?|"
    rb"upgrade|rollout|checks?|has|have|exit(?:ed)?|code|status|with|the|of)\b",
    re.I,
)
_OWN_WORD = lazy(rb"[A-Za-z]")


def says_why(raw: bytes, classify: Callable[[bytes], Kind]) -> bool:
    """Whether a line is an error line that says why, not only that something failed:
    read as the failure reason reads it (its time stamp aside); a plain error or fatal
    line of failure words alone (``FAILED``, ``step 3/5 failed``, ``error: build
    failed``) says no more than that, one with a word of its own does (``Error:
    ENOSPC``, ``panic: boom``)."""
    if classify(raw) != Kind.ERROR:
        return False
    body = as_said(ANSI_BYTES.sub(b"", raw).strip())
    rank = line_rank(body)
    return rank > Rank.FATAL or (
        rank >= Rank.ERROR and _OWN_WORD.search(_FAILURE_WORDS.sub(b"", body)) is not None
    )


def before_last(
    window: list[TailLine], froms: dict[int, int], last_on: dict[int, int]
) -> list[TailLine]:
    """The window with the lines of the streams in ``froms`` written before their last line
    shown marked earlier; a fold's note (no line number) goes with the line after it, the
    rest of the run it counts (the line before it, at the window's end)."""
    marks = [
        line.lineno >= 0 and line.stream in froms and line.lineno < last_on.get(line.stream, -1)
        for line in window
    ]
    after: bool | None = None
    for k in range(len(window) - 1, -1, -1):
        if window[k].lineno >= 0:
            after = marks[k]
        elif after is not None:
            marks[k] = after
        elif k:  # a note at the window's end: as the line before it
            marks[k] = marks[k - 1]
    return [
        replace(line, earlier=True) if mark else line
        for line, mark in zip(window, marks, strict=True)
    ]
