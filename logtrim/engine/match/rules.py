"""The built-in line rules: level fields first, then strong failure forms, then weak words.

Each rule is one line-local regular expression (no ``\\s``, no ``.`` across lines) with a tier
and a *role*, which says how it combines with the other rules a line hits (:func:`kind_of`):

- ``level``: the line carries a level field in a common form (``2026-12-01 12:00:00 INFO x``,
  ``[WARNING]``, ``level=error``, ``"severity":"ERROR"``, ``E1201 12:00:00.000000``,
  ``npm WARN``, ``fatal: [web-01]``); its tier decides.
- ``strong``: an unmistakable failure form (a traceback's start, a failing test, a compiler
  error, a build tool's failure summary); it may raise a line above its level.
- ``word``: a keyword (``error``, ``failed``, ``timed out``) or a progress or milestone form;
  it counts only where the line has no level field. Words stand alone: not inside a name
  (``error_count``, ``ErrorHandler``, ``-Werror``), an option (``--fail-fast``) or a setting
  (``timeout=30``, ``timeout-2.4.0``).
- ``zero``: not an event (``0 failed``, a configure probe's ``- not found``, a section
  heading); it cancels the error words on its line.

Detail levels (DEBUG, TRACE, VERBOSE, ...) need no rule of their own: such a line is archive
only anyway. :data:`DETAIL_START` and :data:`DETAIL_FIELD` are checked only on lines whose
tier would come from words. Examples of every form are in docs/policy.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .kinds import Kind
from .levels import BOL as _BOL
from .levels import COLOUR_B as _C
from .levels import DETAIL_FIELD, DETAIL_START
from .levels import NUMBER_LEVELS as _NUMBER_LEVELS
from .levels import RUST_PANIC as _RUST_PANIC
from .levels import STAMP as _STAMP
from .levels import TOOL_LEVELS as _TOOL_LEVELS
from .levels import level_forms as _level_forms
from .levels import number_form as _number_form
from .roles import Role, Rule, kind_of, needs_detail
from .words import WORDS, ZERO

__all__ = [
    "DETAIL_FIELD",
    "DETAIL_START",
    "RULES",
    "Kind",
    "Role",
    "Rule",
    "extra_rules",
    "kind_of",
    "needs_detail",
]


# A line's start, colour codes before its text allowed (``pytest --color=yes`` colours its
# ``E   assert`` and ``FAILED`` lines): where a strong form must start its line.
_AT = rb"^" + _STAMP + rb"(?:" + _C + rb")*"
# A line's start, BuildKit's step and seconds before its text allowed (``#8 3.205 ``).
_SOL = rb"^" + _STAMP


def _level(name: str, kind: Kind, forms: Sequence[bytes], example: str) -> Rule:
    return Rule(name, kind, rb"|".join(forms), example, caseless=False, role=Role.LEVEL)


def _strong(name: str, pattern: bytes, example: str, *, caseless: bool = False) -> Rule:
    return Rule(name, Kind.ERROR, pattern, example, caseless=caseless, role=Role.STRONG)


_STRONG: tuple[Rule, ...] = (
    _strong(
        "traceback",
        rb"traceback \(most recent call last\)",
        "Traceback (most recent call last):",
        caseless=True,
    ),
    _strong(
        "java-exception",
        _AT + rb"Exception in thread \"|" + _AT + rb"Caused by: ",
        'Exception in thread "main" java.lang.IllegalStateException: boom',
    ),
    _strong(
        "exception-line",
        # A traceback's last line, or an exception class with its message anywhere (a logger
        # that relays a tool's output: "INFO:build:DEBUG: IOError: [Errno 2] ...").
        # Bounded: a search tries every start, and an unbounded run would be read to its end
        # from each (a line of 32k capitals: seconds); no class name is that long.
        _BOL + rb"[\w.$]*(?:Error|Exception|Interrupt)(?:: |$)|"
        # Node's ``TypeError [ERR_INVALID_ARG_TYPE]: ...`` names its code too. At a word's
        # start: from every capital of a run of them, ``re`` read on 256 characters (a line
        # of a megabyte of ``E``: seconds).
        rb"\b[A-Z][A-Za-z0-9]{0,255}(?:Error|Exception)(?: \[[A-Z][A-Z0-9_]{0,63}\])?: ",
        "ValueError: invalid literal for int() with base 10: 'x'",
    ),
    _strong(
        "build-failed",
        rb"BUILD FAILURE|BUILD FAILED|" + _SOL + rb"FAILURE: |" + _SOL + rb"> Task :[\w:-]+ FAILED",
        "[INFO] BUILD FAILURE",
    ),
    _strong(
        "test-failed",
        # ``::`` in a test id, matched from the id's start up to its first ``::``: a search
        # from every ``::`` would read the rest of the id from each (``:`` * 32k: seconds).
        _AT + rb"(?:FAILED |ERROR [^ \n]+::|--- FAIL: |not ok [0-9]|FAIL: \w|"
        rb"[ \t]*Failure/Error: )|"
        rb"(?:^| )[^ \n:]*(?::[^ \n:]+)*::[^ \n]+ (?:FAILED|ERROR)\b",
        "FAILED tests/test_invoice.py::test_total - AssertionError: 9 != 10",
    ),
    # Jest's heading over a failing test's report (``● suite › test``; ``  ● test`` for a test
    # outside any suite: two spaces in, not ``  ● Console``, the heading of its console's
    # block, spelled out letter by letter for want of a lookahead, nor a heading's ``:``).
    _strong(
        "jest-failure",
        _AT
        + rb"[ \t]*\xe2\x97\x8f [^\n]*? \xe2\x80\xba |"
        + _AT
        + rb"  \xe2\x97\x8f (?:[^C\s]|C(?:[^o\n]|o(?:[^n\n]|n(?:[^s\n]|s(?:[^o\n]|"
        rb"o(?:[^l\n]|l(?:[^e\n]|e[^\n])))))))[^\n]*[^:\s]$",
        "  ● cart › applies discount",
    ),
    # A failing test's mark, name and time: node --test's spec reporter (``✖``), Jest's list
    # (``✕``).
    _strong(
        "test-mark-failure",
        _AT + rb"[ \t]*\xe2\x9c[\x95\x96] [^\n]* \([0-9.]+ ?m?s\)",
        "  ✖ total sums price*qty (1.234ms)",
    ),
    _strong(
        "make-error",
        _AT + rb"make(?:\[[0-9]+\])?: \*\*\* ",
        "make: *** [Makefile:7: main.o] Error 1",
    ),
    # pytest's explanation of a failure: the assertion or the exception, not the "where" lines.
    _strong(
        "pytest-explanation",
        _AT + rb"E {2,}(?:assert |[\w.]*(?:Error|Exception|Exit)\b)",
        "E       assert 14.4 == 12.0",
    ),
    _strong(
        "panic",
        _BOL + rb"panic: |" + _SOL + rb"fatal error: ",
        "panic: runtime error: index out of range",
    ),
    _strong("rust-panic", _RUST_PANIC, "thread 'main' panicked at src/main.rs:4:5:"),
    _strong(
        "compiler-error",
        rb":[0-9]+(?::[0-9]+)?: (?:fatal )?error[:\[]|" + _SOL + rb"error(?:\[E[0-9]+\])?: |"
        rb": undefined reference to |" + _SOL + rb"collect2: error",
        "main.c:3:5: error: expected ';' before 'return'",
    ),
    # Kotlin's compiler (under Gradle: ``e: file:///.../App.kt:23:17 Unresolved reference``)
    # and git's merge conflict and refused push (`` ! [rejected] main -> main (fetch
    # first)``): no error word either.
    _strong(
        "kotlin-error",
        rb"^e: (?:file://)?[^ \n]+\.kts?(?::[0-9]+:[0-9]+|: \([0-9]+, [0-9]+\):) |"
        rb"^CONFLICT \([\w/ -]+\): |^ ! \[(?:remote )?rejected\] ",
        "e: file:///srv/app/src/App.kt:23:17 Unresolved reference: configureRouting",
        caseless=False,
    ),
    # Go's compiler and vet: a source position, then the message, no error word
    # (``./main.go:12:2: undefined: foo``).
    _strong(
        "go-error",
        _SOL + rb"(?:\./)?[\w./-]+\.go:[0-9]+:[0-9]+: ",
        "./main.go:12:2: undefined: foo",
        caseless=False,
    ),
    # A message that opens with "error:" after a prefix: a compiler's "file:3: error: x", a
    # relayed tool's "INFO:build:DEBUG: error: Bad exit status".
    _strong(
        "error-message",
        rb"(?:: ?|\] )(?:error|Error|ERROR|fatal|Fatal|FATAL)(?:\[[A-Z0-9]+\])?: ",
        "INFO:build:DEBUG: error: Bad exit status from /var/tmp/rpm-tmp (%install)",
    ),
    # Windows PowerShell's error record: its position line (``At C:\\deploy.ps1:30 char:1``,
    # right below the message, which has no error word of its own: ``New-Item : Access to
    # the path 'D:\\x' is denied.``) and its metadata (``+ CategoryInfo : ...``).
    _strong(
        "powershell-error",
        _AT
        + rb"At [^\n]*:[0-9]+ char:[0-9]+|"
        + _AT
        + rb"[ \t]*\+ (?:CategoryInfo|FullyQualifiedErrorId) +: ",
        r"At C:\Octopus\Work\Deploy.ps1:30 char:1",
        caseless=False,
    ),
    _strong(
        "crash",
        rb"segmentation fault|core dumped|out of memory|outofmemoryerror|" + _SOL + rb"killed$|"
        # C++'s uncaught exception (libstdc++): its type, then its message behind ``what():``.
        rb"terminate called after throwing|" + _SOL + rb"[ \t]*what\(\): ",
        "Segmentation fault (core dumped)",
        caseless=True,
    ),
)


# A command line the program refused (getopt's and coreutils' words, after the program's
# name): ``cp: missing destination file operand``, ``ls: unrecognized option``. The ``Try 'ls
# --help'`` line after it is a pointer, not the reason. A word, not a strong form: a level
# before it decides (``WARNING: unrecognized option 'x' in config`` is a warning).
_USAGE = Rule(
    "usage-error",
    Kind.ERROR,
    _SOL + rb"[\w.+-]{1,64}: (?:invalid option|unrecognized option|option requires an "
    rb"argument|option '[^'\n]{1,64}' (?:requires|doesn't allow) an argument|"
    rb"option '[^'\n]{1,64}' is ambiguous|(?:missing|extra) (?:[a-z]+ ){0,2}operand|"
    rb"option [^ :\n]{1,64}: is unknown)|"  # curl's
    # Python's, Go's flag and cobra's (docker, kubectl) words, with no name before them.
     + _SOL + rb"(?:[\w.+-]{1,64}: )?(?:[Uu]nknown (?:option|flag|shorthand flag): )",
    "cp: missing destination file operand after 'release.tar'",
    caseless=False,
    role=Role.COUNT,
)


RULES: tuple[Rule, ...] = (
    _level(
        "level-error",
        Kind.ERROR,
        _level_forms(Kind.ERROR) + _TOOL_LEVELS[Kind.ERROR],
        "2026-12-01 12:00:00,123 ERROR deploy: upload rejected",
    ),
    _level(
        "level-warning",
        Kind.WARNING,
        _level_forms(Kind.WARNING) + _TOOL_LEVELS[Kind.WARNING],
        "WARNING:root:certificate expires in 21 days",
    ),
    _level(
        "level-info",
        Kind.INFO,
        _level_forms(Kind.INFO) + _TOOL_LEVELS[Kind.INFO],
        "2026-12-01 12:00:00,123 INFO deploy: Deployment finished OK",
    ),
    *(
        _level(f"json-level-{kind.name.lower()}", kind, [_number_form(number)], example)
        for kind, number, example in (
            (Kind.ERROR, _NUMBER_LEVELS[Kind.ERROR], '{"level":50,"msg":"payment declined"}'),
            (Kind.WARNING, _NUMBER_LEVELS[Kind.WARNING], '{"level":40,"msg":"retrying"}'),
            (Kind.INFO, _NUMBER_LEVELS[Kind.INFO], '{"level":30,"msg":"server listening"}'),
        )
    ),
    # A test runner's line per test started, paused, resumed or passed (``go test -v``): no
    # section heading, however it starts; a level below info, as its failures' are above.
    _level(
        "test-chatter",
        Kind.NOISE,
        [rb"^=== (?:RUN|PAUSE|CONT|NAME) ", rb"^--- (?:PASS|SKIP): "],
        "=== RUN   TestOrdersHandler/EUR_basket",
    ),
    *_STRONG,
    _USAGE,
    *WORDS,
    *ZERO,
)


def extra_rules(keep: Sequence[str], markers: Sequence[bytes]) -> list[Rule]:
    """The user's ``--keep`` rules, and a rule for each CI command marker."""
    rules = [
        Rule(
            f"keep-{i}",
            Kind.KEEP,
            p.encode("utf-8", "surrogateescape"),
            caseless=False,
            role=Role.STRONG,
        )  # (a byte past UTF-8 given: that byte)
        for i, p in enumerate(keep)
    ]
    return rules + [
        # Any case: a dialect's parser decides (``##OCTOPUS[`` declares secrets to some).
        Rule("cmd", Kind.SERVICE, _marker(m), caseless=True, role=Role.STRONG)
        for m in markers
    ]


def _marker(marker: bytes) -> bytes:
    """A pattern for the lines that hold ``marker``. One byte repeated (GitHub's ``::``)
    matches at the start of a run of that byte only: hyperscan reports every match, and a
    bare ``::`` matches at each byte of a line of colons (a callback into Python each)."""
    if len(marker) < 2 or marker.count(marker[:1]) < len(marker):
        return re.escape(marker)
    byte = re.escape(marker[:1])
    return rb"(?:^|[^" + byte + rb"\n])" + re.escape(marker)
