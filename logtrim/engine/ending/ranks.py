"""What kind of line a failure reason candidate is (:mod:`.reason`): the ranks and the forms
that decide them.

Ranks, best first (examples)::

    exception   ValueError: invalid literal for int() with base 10: 'x'   (ends a traceback)
    test        FAILED tests/test_invoice.py::test_total - AssertionError: 9 != 10
    compiler    main.c:3:5: error: expected ';' before 'return'
    summary     [ERROR] Failed to execute goal ...: Compilation failure
    fatal       FATAL: deployment aborted: health check failed for web-07
    error       ERROR: Could not find a version that satisfies the requirement foo
    traced      + grep -q ready /srv/app/state   (a shell's xtrace of its last command)
    new         unexpected: connection reset by peer   (with a baseline: the last line of a
                shape no good run printed, printed once; engine/shapes/novelty.py)
    stream end  deploy aborted: target busy   (stderr's last line, no error word; then
                stdout's if it says something failed, stderr's progress or warning line.
                When no line says what failed, the exit code is the reason)
    retried     ERROR upload chunk 3 failed, retrying (1/3)   (the program went on; not
                when more than a few lines show it went on: the exit code is the reason)
    status      make: *** [Makefile:7: main.o] Error 1   (only says that something failed;
                "aborted: <cause>", "exit code 1: <cause>" say why: errors; also a tally,
                "Tests: 1 failed, 20 passed", a heading, "Failures:", a pointer, "failed,
                see above", and npm's report that a package script failed)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from ..._regex import lazy
from ..match.alternation import AnySearch
from ..match.kinds import Kind
from ..match.levels import ERROR_LEVELS, FATAL_START, level_forms
from .causes import cause_after, cause_first
from .wenton import went_on


class Rank(IntEnum):
    """What kind of line a reason candidate is; a higher rank wins."""

    STATUS = 1  # a wrapper's or a runner's word that something failed, a tally, a heading
    RETRIED = 2  # an error the program says it retries: it went on, so something later ended it
    # stdout's last line that says something failed ("giving up: ..."); stderr's last line
    # when a progress or warning line
    OUT_END = 3
    STREAM_END = 4  # stderr's last line: where a program writes why it stops
    NEW = 5  # with a baseline: the last new line of a shape printed once (engine/shapes/novelty.py)
    TRACED = 6  # under ``set -ex`` the last traced command is the one that failed
    # a line its level calls a warning, though it names an error: the program went on, but it
    # may say why ("WARNING:deploy:health check failed: ConnectionError"); a phase said to
    # have failed after it is the program's own word that it stopped
    WARNED = 7
    PHASE = 8  # a phase said to have failed, and no more ("ERROR: deploy failed")
    ERROR = 9
    FATAL = 10  # a fatal level (FATAL, CRITICAL, panic): the error that stopped the program
    SUMMARY = 11
    COMPILER = 12
    TEST = 13  # a failing test named without its assertion
    EXCEPTION = 14
    TEST_ASSERTION = 15  # a failing test with its assertion


# Within these ranks the first line wins (later ones often follow from it).
_FIRST_WINS = frozenset((Rank.COMPILER, Rank.SUMMARY, Rank.TEST, Rank.TEST_ASSERTION))
# A line that only says that something failed, not why.
_STATUS = AnySearch(
    rb"^make(?:\[[0-9]+\])?: \*\*\*|exit(?:ed)? (?:with )?(?:code|status)|non-zero exit|"
    rb"returned non-zero|exit code [0-9]|^npm (?:ERR!|error) +(?:code|errno|A complete log|"
    rb"in workspace|at location|"
    # npm 7 on: where the script ran and what it ran (``workspace``, ``location``, ``command
    # sh -c webpack``) say which script failed, not why.
    rb"workspace |location |command (?:sh -c|[A-Za-z]:\\|/)|"
    rb"Log files were not written|[ \t]*$|(?:Error: )?command failed|path |syscall |"
    rb"Lifecycle script)|"
    rb"^Error: Process completed|^BUILD FAILURE|^\[ERROR\] (?:BUILD FAILURE|-> \[Help|"
    rb"Re-run Maven|To see the full|For more information|$)|^FAILED \((?:failures|errors)=|"
    rb"^=+ .*\b(?:failed|error)s?\b.* in [0-9.]+s|^[0-9]+ (?:failed|errors?)\b|"
    rb"^ERROR: Job failed|Command failed with exit|^Error: Command failed|"
    rb"^\[ERROR\] *$|^Ran [0-9]+ tests?|^collected [0-9]+|due to (?:[0-9]+ )?previous errors?|"
    rb"exiting with failure|^[=!*#_-]{3,} .*[0-9].* [=!*#_-]{3,}$|"
    # git's summaries after a conflict or a refused push, a pointer to a page
    # ("ResolutionImpossible: for help visit ...")
    rb"^Automatic merge failed|^error: failed to push some refs|"
    rb"\bfor (?:help|more (?:information|details)),? (?:visit|see)\b|"
    rb"\b(?:aborted|aborting|rolling back|shutting down|giving up)\b|"
    # that the retries are over (``all retries failed``, ``attempt 3/3 failed``)
    rb"^(?:all |max(?:imum)? )?(?:[0-9]+ )?(?:attempts|retries|tries) (?:failed|exhausted)[.!]*$|"
    rb"^(?:attempt|try|retry) #?[0-9]+ ?(?:/|of) ?[0-9]+ failed[.!]*$|"
    # A run's end said to have had errors, and no more ("==> Done (with errors)", "Build
    # finished with errors."): the lines before it say which.
    rb"\b(?:done|finished|completed?|ended|exited|terminated|stopped)[ (]+(?:with|but) "
    rb"(?:some |[0-9]+ )?(?:errors?|failures?|problems?)\)?[.!]*$|"
    # A TAP runner's summary (tape's, ``node --test``'s): ``# tests 2``, ``# fail 1``, or on
    # one line ``# tests 2, pass 1, fail 1``.
    rb"^# (?:tests|pass|fail|skip|todo|cancelled)\b[ \t]+[0-9]+(?:,? \w+ [0-9]+)*$|"
    # A heading over the lines that say it ("Failures:", "Failed examples:", "Error Message:").
    rb"^\w[\w /-]{0,40}:$|"
    # A line that points at the lines before it ("Deployment failed, see above").
    rb"\bsee (?:above|below)\b|\b(?:see|check) (?:the )?(?:errors?|output|messages?|logs?) "
    rb"(?:above|below)\b|\bsee (?:the )?previous (?:errors?|output|messages?)\b|"
    # npm's report that a package script failed, whose own output said why.
    rb"^npm (?:ERR!|error) (?:[^ ]+@[^ ]+ [\w:.-]+: |Failed at the |Exit status |"
    rb"This is probably not a problem)|^npm (?:ERR!|error)(?:\s+(?:[A-Za-z]:)?[/\\~]\S*)?$",
    re.I,
)
# A phase said to have failed, and no more ("ERROR: deploy failed", "Build failed.",
# "2 of 5 steps failed", "upgrade failed, rolling back"): the line that says why is another;
# but it says more than a wrapper's status or a warning.
_PHASE = lazy(
    rb"^(?:\[?(?:error|fatal|err)\]?:? +)?(?:[0-9]+ (?:of [0-9]+ )?)?(?:[\w'-]+ ){0,2}?"
    rb"(?:build|deploy(?:ment)?|release|steps?|stages?|jobs?|tasks?|pipeline|tests?|"
    rb"scripts?|install(?:ation)?|upgrade|rollout|checks?)(?: has| have)? failed"
    rb"(?:[.!]|, (?:aborting|giving up|rolling back|exiting))?$",
    re.I,
)
# ... or a thing named by its number, at the end of a logger's line whatever its format
# (``ERROR: migration 3 failed``, ``... ERROR c.e.Job - Batch 17 failed``, ``msg="job 12
# failed"``); not an address (``Connection to 10.0.0.5:5432 failed`` says which).
_NUMBERED = lazy(rb"""(?:^|[\s:="'\]-])[A-Za-z][\w'-]* #?[0-9]+ (?i:failed)[.!"']?$""")
# ... but an exception's message (``Error: migration 3 failed``, Node's, whose source line
# it echoes above must not outrank it) is the error line it is.
_EXCEPTION_HEAD = lazy(rb"^[\w.$]*(?:Error|Exception)\b:")
# A tally: a test runner's, a linter's or a compiler's count of what failed ("Tests: 1 failed,
# 20 passed", "4 examples, 1 failure", "Found 2 errors", "Failed:  1,"); in lower case, or
# capitalised before its count: a level after a time's digits is none (``,917 ERROR deploy``).
_TALLY = lazy(
    # A count, not a thing's number: after a word only after a verb that counts ("Found 2
    # errors", "compiled with 3 errors", "3 passed and 1 failed"); ``job 12 failed``,
    # ``migration 3 failed`` name what failed.
    rb"(?:(?<![\w.:/-])(?<![A-Za-z] )|\b(?:[Ff]ound|with|had|ha[sv]e|generated|produced|"
    rb"encountered|detected|reported|returned|total|of|were|was|are|and|but|"
    # a runner's label (vitest's ``Tests  1 failed | 10 passed``, ``Test Files 1 failed``)
    rb"Tests|Files|Suites|Specs|Examples) +)"
    rb"[0-9]+ (?:failed|failing|failures?|errors?|problems?)\b(?!:)|"
    # A count after the label ends its field ("Failed:     1, Passed:    20"); one that goes
    # on is a message's cause ("request failed: 502 Bad Gateway", "failed: 3 of 8 pods").
    rb"\b(?:[Ff]ailed|[Ff]ailures|[Ee]rrors): +[0-9]+(?=\s*(?:[,;|)]|$)|"
    rb"\s+(?:passed|skipped|total|warnings?|tests?)\b)"
)
FATAL = lazy(FATAL_START)
# A warning's level field (``warning: could not read ~/.netrc: No such file``): the program
# went on; the line that says why it stopped is another, even one that only says it failed.
# An error a wrapper relays at its warning level (``WARNING: fatal: could not read
# Username``): the tool's own level says it failed.
_RELAYED = lazy(rb"[ \t]*(?i:fatal|error|err|panic|critical)[:!]")
_WARNED = lazy(rb"|".join([rb"^(?i:warn(?:ing)?)[:\]]", *level_forms(Kind.WARNING)[:2]]))
_LEVELLED = lazy(ERROR_LEVELS)
_COMMAND_ECHO = lazy(rb"Command failed with exit|^Error: Command failed", re.I)
# A row of a tool's table, its columns two blanks apart or more (``kubectl get pods``'s
# ``web-7f9c-2xkqp   0/1   CrashLoopBackOff   5 (31s ago)   4m``): a listing, no sentence.
_TABLE_ROW = lazy(rb"\S {2,}\S+ {2,}\S")
_TEST = AnySearch(
    # A test id from its start to its first ``::`` (not from every ``::``: linear time).
    # (not unittest's tally, ``FAILED (failures=1)``: a status)
    rb"^FAILED (?!\((?:failures|errors|skipped|expected)\b)[^ ]+|^ERROR [^ ]+::|"
    rb"(?:^| )[^ :]*(?::[^ :]+)*::[^ ]+ FAILED\b|"
    rb"^--- FAIL: |^not ok [0-9]|^FAIL: [\w]|^Failure/Error: |"
    rb"^ERROR: test\w*|"
    rb"^\s*[0-9]+\) [\w.]+|Tests? (?:failed|FAILED):|"
    rb"^fail(?:ure)?: [\w.]+(?: \[|$)|"  # subunit's outcome line (testr, stestr)
    rb"^\xe2\x97\x8f .*? \xe2\x80\xba |"  # Jest's (``● cart › applies discount``)
    # node --test's spec reporter's (not Jest's ``✕`` list: its ``●`` heading says more)
    rb"^\xe2\x9c\x96 .* \([0-9.]+m?s\)$|"
    rb"^[\w.$]+ > .+ FAILED$|"  # Gradle's (``InvoiceTest > total(String) > [2] DE FAILED``)
    # Maven Surefire's (``[ERROR] com.shop.OrdersTest.vat -- Time elapsed: 0.009 s <<<
    # FAILURE!``; before 3.0 ``vat(com.shop.OrdersTest)  Time elapsed: 0.009 sec  <<< ERROR!``)
    rb"[^ ] +(?:-- )?Time elapsed: [^<]*<<< (?:FAILURE|ERROR)!$",
)
_COMPILER = AnySearch(
    rb":[0-9]+(?::[0-9]+)?: (?:fatal )?error[:\[]|^error\[E[0-9]+\]: |"
    # MSBuild's form (tsc, csc, MSVC): ``src/app.ts(3,7): error TS2322: ...``
    rb"\([0-9]+(?:,[0-9]+)?\): (?:fatal )?error [A-Z]*[0-9]+: |"
    rb"^\[ERROR\] [^ ]+\.(?:java|kt|scala):\[?[0-9]+|: undefined reference to |"
    rb"^(?:\./)?[\w./-]+\.go:[0-9]+:[0-9]+: |"  # Go's (``./main.go:12:2: undefined: foo``)
    rb"^e: (?:file://)?[^ ]+\.kts?(?::[0-9]+:[0-9]+|: \([0-9]+, [0-9]+\):) |"  # Kotlin's
    rb"^ld(?:\.[\w]+)?: |collect2: error",
)
_SUMMARY = AnySearch(
    rb"^\[ERROR\] Failed to execute goal|^FAILURE: Build failed|^BUILD FAILED|"
    rb"^\* What went wrong|^npm (?:ERR!|error) |^ERROR! |^fatal: \[|^CMake Error|^E: ",
)
# An error's code alone, pip's (``error: subprocess-exited-with-error``): the report and the
# subprocess's own output follow it, where a compiler's error says more; an error line, not
# rustc's ``error: <message>`` (a compiler's), so that one wins. Alone it is the reason
# (``error: externally-managed-environment``).
_CODE_ALONE = lazy(rb"^error: [a-z]+(?:-[a-z]+)+$")
# Ansible's task that is retried (``FAILED - RETRYING: [web-07]: Wait for it (5 retries
# left).``): no failing test (``FAILED ``), an error the play goes on from.
_RETRYING = b"FAILED - RETRYING"
# pytest's explanation of a failure: "E   ModuleNotFoundError: No module named 'x'"
_PYTEST_E = lazy(rb"^E {2,}(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Exit)\b")
# A JVM exception as ``printStackTrace`` and the loggers write it, its frames and ``Caused
# by:`` lines below (``java.lang.IllegalStateException: pool closed``): the uncaught one's
# ``Exception in thread "main"`` aside, the same exception with its root cause.
_JAVA_EXCEPTION = lazy(rb"^(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)(?::\s|$)")


def java_exception(body: bytes) -> bool:
    """Whether an error line is a JVM exception as a logger or ``printStackTrace`` writes it
    (:data:`_JAVA_EXCEPTION`): ranked as the error line it is, it takes the ``Caused by:``
    lines below it as its root cause."""
    return _JAVA_EXCEPTION.match(body) is not None


def line_rank(body: bytes) -> Rank:
    """The rank of an error line by its words (a traceback's lines are judged apart)."""
    if body.startswith(_RETRYING):
        return Rank.RETRIED
    if _TEST(body):
        return Rank.TEST_ASSERTION if b" - " in body else Rank.TEST
    if _PYTEST_E.match(body):
        return Rank.EXCEPTION
    if _CODE_ALONE.match(body):
        return Rank.ERROR
    if _PHASE.match(body) or (_NUMBERED.search(body) and not _EXCEPTION_HEAD.match(body)):
        return Rank.PHASE  # (before a compiler's form: ``error: build failed`` is a phase)
    if _COMPILER(body):
        return Rank.COMPILER
    if went_on(body):
        return Rank.RETRIED
    if (warned := _WARNED.match(body)) and not (
        _LEVELLED.search(body) or _RELAYED.match(body, warned.end())
    ):
        return Rank.WARNED
    if _PHASE.match(body):
        return Rank.PHASE
    if (_STATUS(body) or _TALLY.search(body)) and not (
        (cause_after(body) and not _COMMAND_ECHO.search(body)) or cause_first(body)
    ):
        return Rank.STATUS
    if _SUMMARY(body):
        return Rank.SUMMARY
    return Rank.FATAL if FATAL.search(body) else Rank.ERROR


# Jest's heading of a failing test outside any ``describe``: two spaces in (its config error's
# ``● Validation Error:`` and systemd's ``● app.service`` are at the margin), one space after
# the bullet (its warnings have two: ``●  Cannot log after tests are done``), no ``:`` at its
# end.
JEST_TOP = lazy(rb"^  \xe2\x97\x8f (?!Console$)\S(?:[^\n]*[^:\s])?$")


@dataclass
class Candidate:
    """The failure reason chosen so far (:class:`.ReasonChooser`)."""

    rank: Rank
    text: bytes
    lineno: int
    root: bytes | None = None  # the root cause of a chained exception
    start: int = -1  # the first line of its block (a traceback's header), if before it
    detailed: bool = False  # the line after it was read for its detail (engine/ending/detail.py)
    member: bool = False  # ``root`` is an exception group's first member, not its cause
    handling: bool = False  # ``root`` is the exception being handled, not the cause
    own: bool = False  # a program's own message (:func:`own_message`)
    reported: bool = False  # an error the child reported to its CI (which shows it already)
    boxed: bool = False  # the title of a boxed diagnostic (Terraform's), its gutter taken off
    wrapped: bool = False  # the exception under rich's traceback panel: wrapped at the width
    # An error it retried, and the line after it says the retry succeeded: no reason at all.
    past: bool = False
    # The exception a thread other than the main one died of: the program may have gone on.
    thread: bool = False


def own_message(text: bytes, body: bytes) -> bool:
    """Whether an error line (``text``: colour codes off; ``body``: stripped too) is a
    program's own message: at the line's margin, with no level field (``cp: cannot stat
    ...``, ``Error from server (Forbidden): ...``), not a library's record (``E1201 ...``,
    ``level=error``, ``ERROR: ...``), an indented line of a report or a quoted source, nor
    a row of a table (:data:`_TABLE_ROW`)."""
    return text[:1] not in b" \t" and _LEVELLED.search(body) is None and not table_row(body)


def table_row(body: bytes) -> bool:
    """Whether a line is a row of a tool's table (:data:`_TABLE_ROW`): data, no message."""
    return b"  " in body and _TABLE_ROW.search(body) is not None


def beats(rank: Rank, best: Rank) -> bool:
    """Whether a candidate of ``rank`` replaces the chosen one of ``best``: a higher rank
    does; within one, the first line of :data:`_FIRST_WINS` (later ones often follow from
    it), otherwise the newest (it is closest to the exit)."""
    return rank > best or (rank == best and rank not in _FIRST_WINS)
