"""The failure reason as said: the chosen line (:mod:`.reason`) masked, with its root cause,
at most :data:`REASON_LIMIT` long, and what stands instead of it."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..._regex import lazy
from ...dialects import ghcommands
from ...dialects.escape import REASON_LIMIT
from ..console.display import read_form
from ..masking.mask import Masker
from .ranks import Candidate, Rank
from .traces import EXCEPTION

# Lines after an error the program said it retries, or an exception it logged, that show it
# went on from it ("retrying", then "connected", then the rest of the step): past these, the
# error is not why it failed (a fatal line after a handled exception is).
WENT_ON = 10


def named(
    best: Candidate | None, masker: Masker, fallback: str | None = None, lines: int | None = None
) -> str | None:
    """The chosen line (with its root cause), masked, at most :data:`REASON_LIMIT` long;
    ``fallback`` (a signal that ended the run) when no error line was chosen. ``lines``:
    the lines the run wrote; an error the program retried and then went on from for more
    than :data:`WENT_ON` of them is no reason (a ``set -e`` script's silent command failed
    long after it): the exit code is."""
    if (
        best is not None
        and best.rank == Rank.RETRIED
        and (best.past or (lines is not None and lines - 1 - best.lineno > WENT_ON))
    ):
        best = None
    if fallback is not None and (best is None or best.rank <= Rank.TRACED):
        return fallback
    if best is None:
        return None
    # Masked whole first: a secret is never split at a ``\r``.
    text = read_form(as_said(masker.mask(best.text)))
    if best.root and best.root != best.text:
        said = (
            b" (the first of them: "
            if best.member
            else b" (while handling "
            if best.handling
            else b" (caused by "
        )
        text += said + read_form(masker.mask(best.root)) + b")"
    line = text.decode("utf-8", "replace").strip()
    return line if len(line) <= REASON_LIMIT else shortened(line, REASON_LIMIT)


# An error word, and the words around it that say what failed: a cut keeps out of these.
_ERROR_WORD = lazy(r"(?i)(?<![a-z])(?:error|fatal|fail(?:ed|ure|s)?|exception|denied)(?![a-z])")
_AROUND = (40, 60)  # characters kept before and after an error word
_ENDS = 60  # characters kept at each end: what the line is, and how it ends
_GAP = " ... "


def shortened(line: str, limit: int) -> str:
    """``line`` cut to ``limit`` characters, ``...`` for what is cut out. In the middle, as
    the console cuts a long line (what failed is often said at the end, what it is at the
    start); when that would cut through an error word, the words around the one nearest the
    middle are kept and the cut goes to both sides of them (a tool's JSON result says its
    failure in its middle: ``"stderr": "Error: migration 0042 failed: ..."``)."""
    cut = len(line) - limit + len(_GAP)
    middle = (len(line) - cut) // 2
    words = [m.span() for m in _ERROR_WORD.finditer(line)]
    hit = [(a, b) for a, b in words if a - _AROUND[0] < middle + cut and middle < b + _AROUND[1]]
    if not hit:
        return _cut_at(line, middle, cut)
    centre = len(line) // 2
    word = min(hit, key=lambda span: abs((span[0] + span[1]) // 2 - centre))
    first, last = max(word[0] - _AROUND[0], 0), min(word[1] + _AROUND[1], len(line))
    left, right = max(first - _ENDS, 0), max(len(line) - _ENDS - last, 0)
    need = cut + len(_GAP)  # two cuts: two gaps
    take = min(left, max(need - right, round(need * left / (left + right or 1))))
    if left + right < need or min(take, need - take) <= len(_GAP):
        # One cut, beside the words kept, if one side has room for it; else the middle.
        at = last if right >= cut else first - cut if left >= cut else middle
        return _cut_at(line, at, cut)
    kept = line[first:last].strip()
    return f"{line[: first - take].rstrip()}{_GAP}{kept}{_GAP}{line[last + need - take :].lstrip()}"


def _cut_at(line: str, at: int, size: int) -> str:
    return f"{line[:at].rstrip()}{_GAP}{line[at + size :].lstrip()}"


# A structured logger's fields: its message, and the error it carries (structlog, python-json-
# logger, pino, bunyan, zap, logrus, Serilog's compact form, logstash).
_MESSAGE = ("msg", "message", "@m", "Message", "event")
_ERROR = ("exception", "exc_info", "exc", "stack_trace", "stacktrace", "stack", "@x", "err",
          "error", "Exception")  # fmt: skip


def as_said(text: bytes) -> bytes:
    """A JSON record (a structured logger's line) said by its message and the last line of
    the error it carries (``migration failed: ConnectionError: db refused login``), not as
    the whole object; any other line without the time stamp it starts with (a logger's
    ``2026-12-05 01:54:58,587 ERROR    deploy: ...`` is ``ERROR deploy: ...``)."""
    record = json_record(text)
    if record is not None:
        return said(text, record)
    if (message := _annotation(text)) is not None:
        # GitHub's annotation read as text (another ``--ci``): said by its message, as the
        # runner shows it (``::error file=app.js,line=3::Lint failed`` is ``Lint failed``).
        return message.replace(b"\n", b" ")
    stamp = _STAMP.match(text)
    if stamp is not None and stamp.end() < len(text):
        # (the logging cookbook's `` - name - ERROR - ``, loguru's `` | ERROR    | ``: the
        # separator after the time goes with it)
        text = _AFTER_STAMP.sub(b"", text[stamp.end() :], count=1) or text
    # Blanks that pad a column are one: a level's (``ERROR    deploy``, ``| ERROR    |``);
    # structlog's console's level and event (``[error    ] rollout failed         image=...``).
    structlog = _BRACKETED.match(text)
    if structlog is not None:
        return b"[%s] %s" % (structlog[1], _BLANKS.sub(b" ", text[structlog.end() :]))
    text = _PADDED_BAR.sub(rb"\1 |", _PADDED.sub(rb"\1 ", text, count=1), count=1)
    # A table's row (``kubectl get pods``: ``shop-api-7f9c   0/1   CrashLoopBackOff   5``):
    # its columns two blanks apart, not padded to the table's widths.
    return _COLUMNS.sub(b"  ", text) if len(_COLUMNS.findall(text, 1)) >= 2 else text


_ANNOTATIONS = frozenset(("ERROR", "WARNING", "NOTICE"))


def _annotation(text: bytes) -> bytes | None:
    """The message of a GitHub annotation in its ``::`` form, as the runner reads the line
    (None: no such command, or no message; the older ``##[error]`` is Azure's too)."""
    if not text.startswith(b"::"):
        return None
    found = ghcommands.parse(text.decode("utf-8", "surrogateescape"))
    if found is None or ghcommands.fold(found[0]) not in _ANNOTATIONS or not found[1].strip():
        return None
    return found[1].encode("utf-8", "surrogateescape")


# A line's leading time stamp (ISO 8601, a logger's ``2026-12-05 01:54:58,587``, Go's log
# package's ``2026/12/05 01:54:58``, a time of day alone: ``17:06:27``), in brackets or not,
# and the blanks (or the bar) after it; or the seconds since a step began before a level
# (Docker BuildKit's recap of a failed step: ``3.400 ERROR: Could not find a version ...``).
_STAMP = lazy(
    rb"\[?(?:[0-9]{4}(?:-[0-9]{2}-|/[0-9]{2}/)[0-9]{2}[T ])?[0-9]{2}:[0-9]{2}:[0-9]{2}"
    rb"(?:[.,][0-9]+)?"
    rb"(?:Z|[+-][0-9]{2}:?[0-9]{2})?\]?(?:[ \t]+|(?=\|))"
    rb"|[0-9]{1,6}\.[0-9]{3}[ \t]+(?=[A-Z]{3,}\b)"
)
_PADDED = lazy(rb"^([A-Za-z]+)[ \t]{2,}")
# A level padded to its column between bars (``deploy | ERROR    | ...``).
_PADDED_BAR = lazy(rb"(?<=\| )([A-Za-z]+)[ \t]{2,}\|")
_BRACKETED = lazy(rb"^\[([a-z]+)[ \t]+\][ \t]+")
_BLANKS = lazy(rb"[ \t]{2,}")
_COLUMNS = lazy(rb"(?<=\S)[ \t]{3,}(?=\S)")
_AFTER_STAMP = lazy(rb"^[-|][ \t]*")


def said(text: bytes, record: dict[str, object] | None) -> bytes:
    """:func:`as_said` of ``text`` whose JSON ``record`` (:func:`json_record`) is read already."""
    message = None if record is None else _field(record, _MESSAGE)
    if not isinstance(message, str) or record is None:
        return text
    error = _field(record, _ERROR) or _stacks(record)
    if isinstance(error, dict):  # pino's and bunyan's ``err``: its stack, else its message
        error = _field(error, ("stack", "message"))
    # Only a record that carries an error is said anew (the other fields may hold what went
    # wrong: a status, a URL): by the exception its text ends in, or the text when it is one
    # line (zap's ``"error": "dial tcp ...: refused"``); a stack that names no exception (Go's)
    # leaves the record as it is.
    last = _summary(error) if isinstance(error, str) else ""
    if not last and isinstance(error, str) and len(lines := error.strip().splitlines()) == 1:
        last = lines[0].strip()
    if error is None:
        return _with_fields(message, record).encode("utf-8", "replace")
    if not last:
        return text
    said = message if last in message else f"{message}: {last}"
    # "replace": a lone surrogate JSON escapes (``\ud83d``, a string cut mid-emoji) has no
    # bytes; the record is said, never a reason to fail.
    return said.encode("utf-8", "replace")


def _with_fields(message: str, record: dict[str, object]) -> str:
    """A record without an error: its message, then its other fields but the logger's own
    (time, level, logger, process), which may say what went wrong (``request failed
    (status=503, url=/pay)``); ``_FIELDS`` characters of them at most."""
    said = message
    fields = [
        f"{key}={value if isinstance(value, str) else json.dumps(value)}"
        for key, value in record.items()
        if key not in _MESSAGE and key.lower() not in _OWN_FIELDS and value not in ("", None)
    ]
    if fields:
        listed = ", ".join(fields)
        said += f" ({listed if len(listed) <= _FIELDS else listed[: _FIELDS - 3] + '...'})"
    return said


#: A logger's own fields of a record (pino's, bunyan's, zap's, structlog's, Serilog's,
#: logstash's, winston's, Go's slog): what a person reading the reason needs not.
_OWN_FIELDS = frozenset(
    ("time", "timestamp", "@timestamp", "ts", "@t", "datetime", "date", "level", "severity",
     "lvl", "@l", "log.level", "loglevel", "levelname", "logger", "logger_name", "name",
     "service", "hostname", "host", "pid", "v", "@version", "thread", "thread_name",
     "process", "@mt", "@i")
)  # fmt: skip
_FIELDS = 200

_LEVEL = ("level", "severity", "lvl", "@l", "log.level", "loglevel")
_FATAL_LEVELS = frozenset(
    ("fatal", "critical", "crit", "emergency", "emerg", "alert", "panic", "dpanic")
)

_FATAL_NUMBER = 60  # pino's and bunyan's fatal


def fatal(record: dict[str, object] | None) -> bool:
    """Whether a JSON record's level says it is fatal (``"level": "critical"``, zap's
    ``"panic"``, pino's ``60``): what stopped the program, as a ``FATAL`` line."""
    level = None if record is None else next((record[k] for k in _LEVEL if k in record), None)
    if isinstance(level, int) and not isinstance(level, bool):
        return level == _FATAL_NUMBER
    return isinstance(level, str) and level.strip().lower() in _FATAL_LEVELS


def json_record(text: bytes) -> dict[str, object] | None:
    """The JSON object ``text`` is (a structured logger's line), else None."""
    if not (text.startswith(b"{") and text.endswith(b"}")):
        return None
    try:
        record = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _field(record: dict[str, object], names: tuple[str, ...]) -> str | dict[str, object] | None:
    """The first of ``names`` that ``record`` holds as a non-empty string or an object."""
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, dict):
            return value
    return None


def _stacks(record: dict[str, object]) -> str | None:
    """structlog's ``dict_tracebacks``: ``exception`` is a list of the chain's exceptions,
    the one raised first (its causes after it); said as a traceback's last line says it."""
    stacks = record.get("exception")
    if not (isinstance(stacks, list) and stacks and isinstance(stacks[0], dict)):
        return None
    name, value = stacks[0].get("exc_type"), stacks[0].get("exc_value")
    if not isinstance(name, str) or not name:
        return None
    return f"{name}: {value}" if isinstance(value, str) and value else name


def _summary(error: str) -> str:
    """The exception an error's text ends in: the last line that names one (a Python
    traceback's last, past its notes; a Java trace's last ``Caused by:``, its root cause; a
    JavaScript stack's first); "" when no line does (a Go stack, a plain message)."""
    for raw in reversed(error.strip().splitlines()):
        line = raw.strip()
        line = line[len("Caused by: ") :] if line.startswith("Caused by: ") else line
        # An exception's ``Name: message``; the ``X`` lets JavaScript's bare ``Error: ...``
        # take the class name's place (``EXCEPTION`` wants a name before ``Error``).
        if EXCEPTION.match(b"X" + line.encode("utf-8", "replace")):
            return line
    return ""


def completed(text: bytes, explained: Iterable[bytes]) -> bytes:
    """pytest's short summary cuts a failure's message to the terminal's width (``FAILED
    t.py::test_x - AssertionError: assert 'orders_v2' i...``): the message whole, from the
    explanation line it starts (``E   AssertionError: assert 'orders_v2' in {...}``);
    ``text`` as it is when none does, or more than one."""
    head, sep, cut = text.rpartition(b" - ")
    start = cut[:-3]
    if not sep or not cut.endswith(b"...") or not start:
        return text
    # Only one message may be the whole: two tests' alike would pair a test's name with the
    # other's message (a cut line names the right test with less).
    wholes = {e for e in explained if e.startswith(start) and len(e) > len(start)}
    return head + sep + wholes.pop() if len(wholes) == 1 else text
