"""Level fields: where common log formats put a line's level, and the words they use.

The level rules in :mod:`.rules` are built from these forms, one tier at a time; detail
levels (DEBUG, TRACE, ...) have no rule of their own (:data:`DETAIL_START`, :data:`DETAIL_FIELD`).
"""

from __future__ import annotations

from ..._text import COLOUR
from .kinds import Kind

COLOUR_B = COLOUR.encode()
# Where a rule needs the start of a line, it allows colour codes and blanks before the text,
# and BuildKit's step and seconds (``docker build --progress=plain``: ``#8 3.205 npm ERR! x``).
# (A Compose service's ``api-1  | `` here too made the ``re`` engine's scan a quarter slower,
# and ``kubectl logs --prefix``'s pod beside it the compiled one 70% slower: the reason reads
# through them instead, engine/ending/traces.py.)
STAMP = rb"(?:#[0-9]{1,9} [0-9]{1,9}\.[0-9]{3} )?"
BOL = rb"^" + STAMP + rb"(?:" + COLOUR_B + rb")*[ \t]*"
# A time stamp before a level: 2026-12-01 12:00:00,123 / 12:00:00.000 / 2026-12-01T12:00:00Z
TS = rb"[0-9]{2,4}[-/:.][0-9:.,/TZ+ -]{3,40}"
# A level word ends at a blank, a colon, a bracket or a bar.
END = rb"(?:[ \t:|\]>)]|$)"

LEVEL_WORDS = {
    Kind.ERROR: rb"(?:ERROR|ERR|FATAL|CRITICAL|CRIT|SEVERE|PANIC|ALERT|EMERG|EMERGENCY|FTL|EROR)",
    Kind.WARNING: rb"(?:WARNING|WARN|WRN)",
    Kind.INFO: rb"(?:INFO|INF|NOTICE)",
    Kind.NOISE: rb"(?:DEBUG|DBG|TRACE|TRC|VERBOSE|VRB|FINE|FINER|FINEST|DBUG|TRCE)",
}
# A raw CI task log's level column ("16:05:51   Error    |   text").
TASK_LOG_WORDS = {
    Kind.ERROR: rb"(?:Error|Fatal)",
    Kind.WARNING: rb"Warning",
    Kind.INFO: rb"(?:Info|Highlight|Wait)",
    Kind.NOISE: rb"Verbose",
}


# The names Python gives its threads: ``MainThread``, ``Thread-3 (worker)`` (3.10 on),
# ``ThreadPoolExecutor-0_1``, ``Dummy-2``.
_THREADS = (
    rb"(?:MainThread|Thread-[0-9]{1,9}(?: \([\w.<>]{1,60}\))?|ThreadPoolExecutor-[0-9]{1,9}"
    rb"_[0-9]{1,9}|Dummy-[0-9]{1,9})"
)


def after_stamp(words: bytes) -> list[bytes]:
    """Where Python's loggers put a level after a time stamp and a field of their own:
    the logging cookbook's ``%(asctime)s - %(name)s - %(levelname)s - %(message)s``,
    loguru's ``2026-12-01 12:00:00.123 | DEBUG    | mod:fn:12 - x``, a logger's name between
    bars before it (``%(asctime)s | %(name)s | %(levelname)-8s | %(message)s``), a thread's
    name before the level (``%(threadName)s``: ``2026-12-01 12:00:00,123 MainThread WARNING x``)."""
    # One form, the stamp read once (the ``re`` engine tries each form of a rule in turn).
    return [
        BOL
        + TS
        + rb"(?:[ \t]+-[ \t]+[\w.-]{1,80}[ \t]+-[ \t]+"
        + words
        + rb"[ \t]+-[ \t]|[ \t]*\|[ \t]*"
        # (the name unbounded: with ``{1,80}`` the compiled scan of a log of short stamped
        # lines took half as long again; unbounded, a sixth)
        + rb"(?:[\w.:<>-]+[ \t]*\|[ \t]*)?"
        + words
        # (Python's names of threads: a name of any word here made the compiled scan of a
        # log whose lines start with a time stamp up to twice as slow)
        + rb"[ \t]*\||[ \t]+"
        + _THREADS
        + rb"[ \t]+"
        + words
        + END
        + rb")"
    ]


def level_forms(kind: Kind) -> list[bytes]:
    """The places a level word of ``kind`` stands in common log formats."""
    words = LEVEL_WORDS[kind]
    return [
        # After an optional time stamp and one optional bracketed field:
        # "2026-12-01 12:00:00,123 [main] ERROR x", "WARNING:root:msg", "[INFO] x", "\tINFO\t"
        BOL + rb"(?:" + TS + rb"[ \t]+)?(?:\[[^\]\n]{1,60}\][ \t]*)?[\[<(|]?" + words + END,
        *after_stamp(words),
        # In a bracket after the time: "[12:00:00 INF] x", "[2026-12-01T12:00:00Z INFO  app]"
        BOL + rb"\[" + TS + rb"[ \t]+" + words + END,
        # In brackets in any case, after the source file and line a logger may print first
        # (Go's ``log.Lshortfile``: helm's "upgrade.go:436: [debug] ...", "[warn] x").
        BOL + rb"(?:" + TS + rb"[ \t]+)?(?:[\w.-]+:[0-9]+:[ \t]+)?\[(?i:" + words + rb")\]",
        field_form(words),
        rb"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T)?[0-9]{2}:[0-9]{2}:[0-9]{2}[ \t]+"
        + TASK_LOG_WORDS[kind]
        + rb"[ \t]+\|",
    ]


def field_form(words: bytes) -> bytes:
    """logfmt and JSON, any case: level=info, "severity":"ERROR"."""
    return (
        rb"(?:^|[ \t{,])[\"']?(?i:level|lvl|severity|levelname|loglevel)[\"']?"
        + rb"[ \t]*[=:][ \t]*[\"']?(?i:"
        + words
        + rb")(?:[\"' \t,}]|$)"
    )


def number_form(numbers: bytes) -> bytes:
    """pino's and bunyan's JSON level, a number: ``{"level":50,...}``, a key of the record
    itself (not of an object inside it: ``"stats":{"level":50}``). Their rules, not the
    level forms': a rule with a digit in it is scanned apart from the digit-blind ones."""
    return rb'^\{[^{\n]*"level"[ \t]*:[ \t]*(?:' + numbers + rb")(?:[ \t,}]|$)"


#: pino's and bunyan's numbers of each tier: 60 fatal, 50 error, 40 warn, 30 info (10 trace
#: and 20 debug have no rule, as the detail levels have none: such a line is archive only).
NUMBER_LEVELS = {Kind.ERROR: rb"[56]0", Kind.WARNING: rb"40", Kind.INFO: rb"30"}


def _annotation(name: bytes) -> list[bytes]:
    """A CI's annotation written as text (GitHub's ``::warning file=a.py::x``, Azure's
    ``##[warning]x``): its level, under any CI (where it is a command, the command's wins)."""
    return [BOL + rb"::" + name + rb"(?:[ \t][^:\n]*)?::", BOL + rb"##\[" + name + rb"\]"]


def _letter(letters: bytes) -> bytes:
    """Tornado's and Jupyter's level, its first letter in brackets before the time
    (``[E 231206 17:00:00 web:2239] ...``, ``[C 2026-12-06 17:00:00.123 ServerApp] ...``)."""
    return rb"^\[[" + letters + rb"] (?:[0-9]{6}|[0-9]{4}-[0-9]{2}-[0-9]{2}) [0-9:.]{8,15}[ \]]"


# Tool-specific level forms, by tier.
TOOL_LEVELS = {
    Kind.ERROR: [
        *_annotation(b"error"),
        rb"^[EF][0-9]{4} [0-9:.]{8,15} ",  # klog / glog
        _letter(b"EC"),
        BOL + rb"(?:fail|crit): ",  # Microsoft.Extensions.Logging
        BOL + rb"npm (?:ERR!|error) ",
        rb"^E: ",  # apt
        rb"^(?:fatal|failed): \[|^ERROR! ",  # Ansible
    ],
    Kind.WARNING: [
        *_annotation(b"warning"),
        rb"^W[0-9]{4} [0-9:.]{8,15} ",
        _letter(b"W"),
        BOL + rb"warn: ",
        # A message labelled at the line's start (git's ``warning: unable to access ...``,
        # Terraform's boxed ``│ Warning: ...``): the label, not the words after it.
        BOL + rb"(?:\xe2\x94\x82[ \t]+)?(?:Warning|warning): ",
        BOL + rb"npm (?:WARN|warn) ",
        rb"^W: ",
    ],
    Kind.INFO: [
        *_annotation(b"notice"),
        rb"^I[0-9]{4} [0-9:.]{8,15} ",
        _letter(b"I"),
        BOL + rb"info: ",
        rb"^(?:ok|changed): \[",  # Ansible
        BOL + rb"(?i:note): ",  # compiler and installer notes
    ],
    Kind.NOISE: [
        *_annotation(b"debug"),
        BOL + rb"(?:dbug|trce): ",
        _letter(b"D"),
        BOL + rb"npm (?:notice|info|http|verb|verbose|sill|timing) ",
        rb"^(?:skipping|included): ",  # Ansible
        rb"^\+{1,2} [^ +\n]",  # shell traces (set -x): what ran, not what went wrong
        rb"^>[ \t]{3,}[^ \t\n]",  # pytest's source lines in a traceback
        # A passing test's line, whatever its name says (mocha's and Jest's ``✓ handles
        # error responses``, node's ``✔``, TAP's ``ok 3 - retries on failure``, go's
        # ``--- PASS:``).
        rb"^[ \t]*(?:\xe2\x9c\x93|\xe2\x9c\x94|\xe2\x88\x9a) |^[ \t]*ok [0-9]+ |^[ \t]*--- PASS: ",
    ],
}

#: The error tier's level fields, of every form above (the failure reason reads them: a
#: library's record, where a line without one is a program's own message).
ERROR_LEVELS = rb"|".join(
    rb"(?:" + f + rb")"
    for f in [
        *level_forms(Kind.ERROR),
        number_form(NUMBER_LEVELS[Kind.ERROR]),
        *TOOL_LEVELS[Kind.ERROR],
    ]
)

#: Detail levels (DEBUG, TRACE, VERBOSE, ...): no rule of their own, since such a line is
#: archive only anyway. The matcher checks these only on lines a word hit, so a flood of DEBUG
#: lines costs the scan nothing: the forms at the start of a line, and the logfmt/JSON field
#: (looked for only where the line names a level).
_DETAIL_FIELD = field_form(LEVEL_WORDS[Kind.NOISE])
DETAIL_START = rb"|".join(
    rb"(?:" + f + rb")"
    for f in level_forms(Kind.NOISE) + TOOL_LEVELS[Kind.NOISE]
    if f != _DETAIL_FIELD
)
DETAIL_FIELD = _DETAIL_FIELD

#: The fatal levels among the error words: the failure reason ranks such a line above an
#: older plain error (:mod:`.reason`). Where the level forms put a level, plus the tools'
#: own prefixes: git's ``fatal:``, Go's ``panic:``, PHP's ``Fatal error:``, glog's ``F1202``.
FATAL_WORDS = rb"(?:FATAL|CRITICAL|CRIT|PANIC|ALERT|EMERG|EMERGENCY|FTL)"
FATAL_START = rb"|".join(
    [
        BOL + rb"(?:" + TS + rb"[ \t]+)?(?:\[[^\]\n]{1,60}\][ \t]*)?[\[<(|]?" + FATAL_WORDS + END,
        BOL + rb"\[" + TS + rb"[ \t]+" + FATAL_WORDS + END,
        *after_stamp(FATAL_WORDS),
        field_form(FATAL_WORDS),
        BOL + rb"(?:fatal|Fatal|panic|Fatal error|Critical|crit): ",
        rb"^F[0-9]{4} [0-9:.]{8,15} ",
        _letter(b"C"),
    ]
)
#: The start of a Rust panic's line (the thread's name, its id since Rust 1.88).
RUST_PANIC = rb"^thread '[^'\n]*'(?: \([0-9]+\))? panicked at "
