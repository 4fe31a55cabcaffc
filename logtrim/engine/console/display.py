"""A line's console form: the last state of its redraws, cut around what matters if too long.

Shared by the history (the lines it holds), the selector and ``diff``.
"""

from __future__ import annotations

from ..._regex import lazy
from ..._sizes import format_size
from ..._text import char_after, char_start

CUT = b" ... [logtrim: line cut; the full log has all of it]"


# What says a state of a redrawn line tells a failure: also inside a word (``ValueError``,
# ``IOException``), and the words of a crash (``Segmentation fault``, ``panic``).
_FAILURE = lazy(
    rb"(?i)error|fatal|fail|exception|traceback|denied|fault|panic|abort|refused|cannot"
    rb"|could not|unable to|timed out|not found|killed"
)


def _states(body: bytes) -> list[bytes]:
    """The states of a line redrawn with ``\\r``, blank ones left out."""
    return [state for state in body.split(b"\r") if state.strip()]


def _told(states: list[bytes]) -> bytes | None:
    """Of a redrawn line's states, the last one that tells a failure, if any."""
    return next((state for state in reversed(states) if _FAILURE.search(state)), None)


def redrawn_state(body: bytes) -> bytes:
    """The state of a line redrawn with ``\\r`` that says most: the last one that tells a
    failure (``ERROR: lost\\rretrying in 5s``), else the last one, which the console shows."""
    states = _states(body)
    return _told(states) or (states[-1] if states else b"")


def last_state(line: bytes) -> bytes:
    """Of a line redrawn with ``\r``, its last state (with the line's end), as a terminal
    leaves it: what the program said last (a stream's end); any other line as it is."""
    body = line.rstrip(b"\r\n")
    if b"\r" not in body:
        return line
    states = _states(body)
    return (states[-1] if states else b"") + line[len(body) :]


def read_form(text: bytes) -> bytes:
    """A line as a person reads it, for a failure reason: of ``\\r`` redraws, the state that
    tells the failure (not every state run together: ``extract 10% extract 50% ERROR: ...``)."""
    body = text.rstrip(b"\r\n")
    return redrawn_state(body) if b"\r" in body else body


def display(line: bytes, max_line: int, *, redraws: bool = True) -> bytes:
    """The console form of a raw line: final state of ``\\r`` redraws (``redraws``: a
    logging record's ``\\r`` is its text, shown as written), cut if too long.

    A long line keeps its first third and its last two thirds of ``max_line``: what went
    wrong is as often at the end (a tool's JSON result, a command's last output) as at the
    start. When the part cut out holds an error word (a failed item's message inside a
    tool's JSON result), a third of ``max_line`` around the last one is kept too, between a
    sixth at the start and the last half. The first piece of a line too long to hold
    already ends in :data:`CUT`.
    """
    body = line[:-1] if line.endswith(b"\n") else line
    if body.endswith(b"\r"):
        body = body[:-1]
    if redraws and b"\r" in body:
        states = _states(body)
        body = states[-1] if states else b""
        # A failure redrawn over (``ERROR: checksum mismatch\rcleanup done``): the line's
        # tier and the failure reason come from it, so the console keeps it too.
        if not _FAILURE.search(body) and (told := _told(states[:-1])) is not None:
            body = told + _GAP + body
    if len(body) > max_line:
        if body.endswith(CUT):
            body = body[: char_start(body, max_line)] + CUT
        else:
            body = _cut(body, max_line)
    return body + b"\n"


# Error words, as the similarity stage of ``diff`` knows them (logjuicer's list, its stems).
ERROR_WORD = lazy(
    rb"(?i)(?<![a-z])(?:error|fatal|fail(?:ed|ure)?|exception|traceback|denied)(?![a-z])"
)
_GAP = b" ... "


def _cut(body: bytes, max_line: int) -> bytes:
    """``body`` (longer than ``max_line``) cut to about ``max_line`` bytes and a note."""
    head, tail = max_line // 3, max_line - max_line // 3
    window = _error_window(body, max_line)
    kept = window[1] - window[0] if window else 0
    if window:
        head, tail = max_line // 6, max_line // 2
    # Each piece begins and ends on a whole UTF-8 character (a terminal shows no stray byte).
    head, last = char_start(body, head), char_after(body, len(body) - tail)
    if window:
        window = char_after(body, window[0]), char_start(body, window[1])
        kept = window[1] - window[0]
    cut = last - head - kept
    note = f" ... [logtrim: {format_size(cut)} cut; the full log has all of it] ... ".encode()
    if cut - len(note) - (len(_GAP) if window else 0) < len(note):
        # The cut form would save less than its note takes: the line is whole for about
        # what a note costs (an 816-byte line was cut to save 5 bytes).
        return body
    if window is None:
        return body[:head] + note + body[last:]
    return body[:head] + note + body[window[0] : window[1]] + _GAP + body[last:]


_STEMS = (b"error", b"fatal", b"fail", b"exception", b"traceback", b"denied")
_TRIES = 16  # candidates per stem that are no word (``errors``) before the plain search


def last_error_word(body: bytes, low: int, high: int) -> int:
    """Where the last error word in ``body[low:high]`` starts (-1: none), as a search from
    the left finds it, at the cost of a few finds: the regex over a line of a megabyte
    takes about 80 ms, and the history puts every long line it holds in console form."""
    lowered = body[low:high].lower()
    best = -1
    for stem in _STEMS:
        at, tries = lowered.rfind(stem), _TRIES
        while at >= 0 and low + at > best:
            if ERROR_WORD.match(body, low + at, high):
                best = low + at
                break
            tries -= 1
            if not tries:
                found = [m.start() for m in ERROR_WORD.finditer(body, low, high)]
                return found[-1] if found else -1
            at = lowered.rfind(stem, 0, at + len(stem) - 1)
    return best


def _error_window(body: bytes, max_line: int) -> tuple[int, int] | None:
    """Where the piece around the last error word between a line's first sixth and last
    half of ``max_line`` starts and ends (None: no such word, or too near the last half)."""
    head, tail, size = max_line // 6, max_line // 2, max_line // 3
    last = last_error_word(body, head, len(body) - tail)
    if last < 0:
        return None
    start = max(head, last - size // 4)
    end = min(start + size, len(body) - tail)
    return (start, end) if end - start >= size // 2 else None
