"""logtrim's own messages on stderr: every one goes out through :func:`say`.

``logtrim: <level>: <message>``, one line (and a traceback for an internal error). In
Octopus every stderr line is an Error line, so logtrim writes to stderr only for real
problems (warnings and errors) by default; ``-v`` adds debug detail. The structured logger
(structlog, imported on the first diagnostic: most runs never log one) renders through
:func:`say` too, so during a run every byte is charged to the console budget, and a broken
stderr never raises into the caller. Once a command knows its secrets, every message is
masked (:func:`mask_with`): a path, a variable's name or an error's text may hold one.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, MutableMapping
from contextlib import suppress
from typing import Any

from . import _text

_verbose = False
_logger: Any = None
_charge: Callable[[int], None] | None = None
# Bytes said before a budget was there to charge (a warning while options are read): the
# budget that comes next pays them.
_uncharged = 0
_mask: Callable[[str], str] | None = None
# Before a run starts (a warning per file of a baseline directory, per unknown variable),
# its messages but errors may take this many bytes (:func:`limit`); those past it are counted.
_cap: int | None = None
_said = 0
_held_back = 0
# After the run's closing lines: every message fits :data:`_cap` (cut if it must be).
_strict = False
_written = 0  # the bytes said (on stderr) by this process


def written() -> int:
    """The bytes logtrim's messages took on stderr so far (:func:`closed` needs them)."""
    return _written


#: What is said instead of a message the masker failed on: a secret must not pass.
WITHHELD = "(a message was left out: it could not be masked)"


def say(message: str, level: str | None = None) -> None:
    """Write ``logtrim: [<level>: ]<message>`` and a newline on stderr: the one way out.
    One line: a path or a value in it cannot start a line of its own (a CI command)."""
    message = _text.inert(masked(message))
    text = f"logtrim: {level}: {message}\n" if level else f"logtrim: {message}\n"
    global _said, _held_back
    if _strict and _cap is not None:
        text = _fitted(text, _cap - _said)
        _said += len(text.encode("utf-8", "replace"))
        if text:
            _write(text)
        return
    if _cap is not None and level != "error":
        # The first one always (up to half the budget: a long path in it), the others while
        # they fit in the cap.
        first = _said == 0 and _held_back == 0 and len(text) <= 4 * (_cap + _NOTE_ROOM) // 2
        if not first and _said + len(text) > _cap:
            _held_back += 1
            return
        _said += len(text)
    elif _cap is not None and _held_back:
        unlimit()  # an error ends the run before it starts: the note comes first
    _write(text)


def _write(text: str) -> None:
    global _uncharged, _written
    size = len(text.encode("utf-8", "replace"))
    _written += size
    if _charge is not None:
        _charge(size)
    else:
        _uncharged += size
    stream = sys.stderr
    if stream is None:  # started with stderr closed
        return
    with suppress(OSError, ValueError):  # a closed console must not stop logtrim
        stream.write(text)
        stream.flush()


def mask_with(mask: Callable[[str], str] | None) -> None:
    """Mask every message from now on with ``mask`` (the run's masker, which also learns)."""
    global _mask
    _mask = mask


def masked(text: str) -> str:
    """``text`` masked with the current masker (as is when none is set yet)."""
    if _mask is None:
        return text
    try:
        return _mask(text)
    except Exception:
        return WITHHELD


def limit(budget: int) -> None:
    """Before a run starts: its messages but errors take at most a quarter of its console
    ``budget`` (of 2 kB: a few lines; the first one always), and one note counts those left
    out (:func:`unlimit`): they are charged to the budget, and a directory of a hundred bad
    baseline files, each warned of, was 9 kB printed at ``--budget 2000``."""
    global _cap, _said, _held_back, _strict
    _cap, _said, _held_back, _strict = max(budget // 4 - _NOTE_ROOM, 0), 0, 0, False


_NOTE_ROOM = 100  # "logtrim: note: 1,234 more messages ..." (kept within the quarter)


def unlimit() -> None:
    """The run starts (the engine charges its messages from now on): the note on the
    messages :func:`limit` left out, if any."""
    global _cap, _held_back, _strict
    held, _cap, _held_back, _strict = _held_back, None, 0, False
    if held:
        what = f"{held:,}{' more' if _said else ''} message{'' if held == 1 else 's'}"
        _write(f"logtrim: note: {what} of logtrim's not shown (no room in the console budget)\n")


def closed(room: int) -> None:
    """The run's closing lines are out: what logtrim says after them (a history it cannot
    write, an upload that failed) takes at most the ``room`` its console budget has left,
    each message cut to fit (none if not even its start fits)."""
    global _cap, _said, _held_back, _strict
    _cap, _said, _held_back, _strict = max(room, 0), 0, 0, True


#: The shortest start of a message worth printing cut (``logtrim: warning: --history: c...``).
_CUT_MIN = 40


def _fitted(text: str, room: int) -> str:
    """``text`` (one line and its newline) in ``room`` bytes: whole, cut with ``...``, or
    nothing."""
    data = text.encode("utf-8", "replace")
    if len(data) <= room:
        return text
    if room < _CUT_MIN:
        return ""
    return data[: room - 4].decode("utf-8", "ignore") + "...\n"


def charge_to(hook: Callable[[int], None] | None) -> None:
    """Count logtrim's own messages against a budget (``hook(nbytes)``), those said before
    it first."""
    global _charge, _uncharged
    _charge = hook
    if hook is not None and _uncharged:
        hook(_uncharged)
        _uncharged = 0


def configure(verbose: bool = False) -> None:
    """A command starts: no masker until it knows its secrets."""
    global _verbose, _logger, _mask, _uncharged, _cap
    _verbose = verbose
    _logger = None
    _mask = None
    _uncharged = 0
    _cap = None


def _say_event(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    """The last processor: ``message (key=value ...)`` through :func:`say`, nothing returned."""
    import structlog

    level = event.pop("level", "info")
    message = event.pop("event", "")
    trace = event.pop("exception", None)
    # Masked before ``repr``, which escapes what it quotes: a secret there would not match.
    values = ((k, masked(v) if isinstance(v, str) else v) for k, v in event.items())
    extra = " ".join(f"{k}={v!r}" for k, v in values)
    if trace and not _verbose:  # the exception's own line; -v: the traceback
        last = [part for part in trace.splitlines() if part.strip()][-1:]
        extra = " ".join([*last, extra]) if extra else " ".join(last)
        trace = None
    line = f"{message}" + (f" ({extra})" if extra else "")
    say(line, level)
    for part in trace.splitlines() if trace else ():  # a line at a time
        say(f"  {part}")
    raise structlog.DropEvent


def verbose() -> bool:
    """Whether debug diagnostics are on (``-v``): ask before building a debug line, so a
    run without ``-v`` never imports structlog for it (start-up counts)."""
    return _verbose


def logger() -> Any:
    """The diagnostics logger (structlog: ``logger().warning("text", key=value)``)."""
    global _logger
    if _logger is None:
        import structlog

        _logger = structlog.wrap_logger(
            structlog.ReturnLogger(),
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.format_exc_info,
                _say_event,
            ],
            wrapper_class=structlog.make_filtering_bound_logger(
                logging.DEBUG if _verbose else logging.WARNING
            ),
        )
    return _logger
