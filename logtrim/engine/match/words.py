"""The built-in rules of weak words and of lines that are no event (:mod:`.rules` puts them
after the level fields and the strong forms): a keyword (``error``, ``failed``, ``timed
out``), a progress or milestone form, a heading; and what cancels the error words on its
line (``0 failed``, a configure probe's ``not found``), and the counts above zero that keep them
(``1 failed, 0 errors``)."""

from __future__ import annotations

from .kinds import Kind
from .levels import BOL as _BOL
from .levels import COLOUR_B as _C
from .roles import Role, Rule

#: A step's title at the margin, then a rule to the line's end (see the ``heading`` rule).
TITLE = rb"^(?:" + _C + rb")*[A-Za-z][^\n]*? (?:\*{20,}|={20,}|-{20,})[ \t\r]*$"

__all__ = ["TITLE", "WORDS", "ZERO", "L", "R"]

# A weak word stands alone: not after or before a name's, an option's or a setting's
# characters. Neither side takes a newline: a match stays on its line.
L = rb"(?:^|[^\w=./\\\n-]|" + _C + rb")"
R = rb"(?:[^\w=/\\.\n-]|\.(?:[ \t\r]|$)|$)"
# What a count may name before its word (``2 tests failed``, ``0 jobs failed``).
_COUNTED = rb"(?:(?:tests?|specs?|examples?|checks?|jobs?|steps?) )?"
# The end of the C library's text: the line's, punctuation (``, open '/x'``, `` (os error
# 2)``, `` - skipping``, ``...``) or Perl's ``at FILE line N``; not more words (``parser:
# unexpected end of file is allowed here``: a sentence that says it, no failure).
_CLAUSE_END = rb"(?:[ \t\r]*(?:$|[^\w\s=/\\.-])|\.+(?:[ \t\r]|$)| at | - )"
_RC = rb"(?:[^\w=/\\.:\n-]|\.(?:[ \t\r]|$)|$)"  # R, not before a colon (a count's label)
# A count's number after a word (``Passed 12``) and its word before a number (``Failed 0``)
# are two columns of a runner's tally, not twelve that failed: one of the two may hold.
_NOT_AFTER_WORD = rb"(?:^[ \t]*|[^\w\s=./\\-][ \t]*|" + _C + rb"[ \t]*)"
_RC_NO_VALUE = rb"(?:[^\w=/\\.:\n \t-]|[ \t]+(?:[^\s0-9]|$)|\.(?:[ \t\r]|$)|$)"
_COUNT_WORD = _COUNTED + rb"(?:errors?|failed|failures?)"
WORDS: tuple[Rule, ...] = (
    Rule("error-word", Kind.ERROR, L + rb"errors?" + R, "Error: could not connect to db-01"),
    # Counts above zero: words that a zero count on their line does not cancel ("Tests run:
    # 10, Failures: 2, Errors: 0", "1 failed, 0 errors", MSBuild's "3 Error(s)").
    # (Not before a colon: ``Worker 3 errors: 0`` counts none; ``2 tests failed`` does.)
    Rule(
        "error-count",
        Kind.ERROR,
        rb"(?:"
        + (_NOT_AFTER_WORD + rb"[1-9][0-9]* +" + _COUNT_WORD + _RC)
        + rb"|"
        + (L + rb"[1-9][0-9]* +" + _COUNT_WORD + _RC_NO_VALUE)
        + rb"|"
        + (L + rb"[1-9][0-9]* +error\(s\)")
        + rb")",
        "Build finished: 3 errors",
        role=Role.COUNT,
    ),
    # Mocha's and Jasmine's tally, the failing tests' reports under it.
    Rule(
        "failing-count", Kind.ERROR, L + rb"[1-9][0-9]* failing" + R, "  2 failing", role=Role.COUNT
    ),
    Rule(
        "fail-count",
        Kind.ERROR,
        L + rb"(?:failed|failures?|errors?)[=:] *[1-9]",
        "ok=2 failed=1",
        role=Role.COUNT,
    ),
    Rule(
        "warning-count",
        Kind.WARNING,
        L + rb"[1-9][0-9]* +(?:warnings?" + _RC + rb"|warning\(s\))|" + L + rb"warnings?: *[1-9]",
        "Lint: lib 0 warnings, app 12 warnings",
        role=Role.COUNT,
    ),
    Rule("fatal", Kind.ERROR, L + rb"fatal" + R, "fatal: repository 'x' does not exist"),
    # (and what a program says it gave up: ``Rollout aborted: 2 of 3 health checks did not
    # pass``, Jenkins' ``Finished: ABORTED``; not ``aborting``, which may go on, see below)
    Rule("failed", Kind.ERROR, L + rb"(?:fail(?:ed|ure|ures|s)?|aborted)" + R, "07: Tests FAILED"),
    # (the end of a class's name, ``System.InvalidOperationException``; not a path's last
    # segment: ``/usr/share/perl/5.36.0/autodie/exception``, ``legal/ASSEMBLY_EXCEPTION``)
    Rule(
        "exception",
        Kind.ERROR,
        rb"(?:^|[^\w/\\.$\n]|" + _C + rb")[\w.$]*exception" + R,
        "System.InvalidOperationException: boom",
    ),
    Rule("named-error", Kind.ERROR, rb"[a-z]error:", "ValueError: invalid literal"),
    Rule("critical", Kind.ERROR, L + rb"critical" + R, "Critical: disk /var is full"),
    Rule(
        "exit-code",
        Kind.ERROR,
        rb"(?:exit|return)(?:ed)? (?:with )?(?:code|status) -?[1-9]|non-zero (?:exit|return)",
        "The remote script failed with exit code 3",
    ),
    Rule(
        "cannot",
        Kind.ERROR,
        L + rb"(?:cannot|can't|could not|couldn't|unable to)" + R + rb"|"
        # A program's word that it stops for what it just said, at the line's end
        # (``checksum mismatch for app.jar, aborting``, ``quota reached; giving up``); not
        # one that goes on (``Aborting on container exit...``, ``giving up on lock, using
        # the cache``).
        rb"(?:[,;]| -) +(?:aborting|giving up)[.!]?[ \t\r]*$",
        "cp: cannot stat '/tmp/x': No such file or directory",
    ),
    Rule(
        "denied",
        Kind.ERROR,
        # (and a refusal said as one: docker's ``denied: requested access to the resource is
        # denied``)
        rb"permission denied|access denied|\b(?:is|was|were|been) denied\b|no space left|"
        rb"not enough (?:disk |free )?(?:space|memory)|"
        rb"did not (?:run|complete|finish) successfully|"
        + L
        + rb"(?:not found|timed out|timeout|refused|unsuccessful)"
        + R,
        "curl: (28) Operation timed out",
    ),
    # A server's answer that it failed (HTTP 5xx), as a smoke test or a health check says it:
    # its reason phrase, or a 5xx code after ``returned``, ``status`` or ``HTTP/1.1``. (4xx
    # are left out: a 404 is often what a check expects.)
    Rule(
        "server-error",
        Kind.ERROR,
        rb"internal server error|bad gateway|service unavailable|gateway time-?out|"
        rb"(?:returned|responded with|status(?: code)?[:=]?|http/[0-9.]+) 5[0-9][0-9]" + R,
        "smoke test: GET /api/orders returned 502",
    ),
    # The C library's text for an errno after a program's ``name: path: ``: what failed and
    # why, whatever words came before it (Python's ``[Errno 2] ...`` follows an exception's
    # name: an error already). Phrases whose only rare part is a common word (``file``,
    # ``argument``) are left out: the prefilter would try the rule on every line with it.
    Rule(
        "errno",
        Kind.ERROR,
        rb": (?:no such (?:file or directory|device|process|host)|not a directory|"
        rb"is a directory|operation not permitted|read-only file system|directory not empty|"
        rb"input/output error|exec format error|broken pipe|connection reset by peer|"
        rb"no route to host|network is unreachable|name or service not known|"
        rb"command not found|"
        # A decompressor's or a linker's word that its input is cut or no file of its kind
        # (``gzip: stdin: unexpected end of file``, ``xz: a.zip: File format not recognized``).
        rb"unexpected end of (?:file|input|stream|data)|file format not recognized|"
        rb"not in gzip format|compressed data is corrupt)" + _CLAUSE_END,
        "cat: /etc/app/config.yml: No such file or directory",
    ),
    # A Kubernetes container that cannot run, as ``kubectl get pods`` and ``describe`` say it
    # (``shop-api-7f9c   0/1   CrashLoopBackOff   5 (31s ago)   4m``): no error word either.
    Rule(
        "pod-state",
        Kind.ERROR,
        rb"\b(?:CrashLoopBackOff|ImagePullBackOff|ErrImagePull|ErrImageNeverPull|"
        rb"CreateContainer(?:Config)?Error|InvalidImageName|RunContainerError|OOMKilled)\b",
        "shop-api-7f9c6d5b8-2xkqp   0/1   CrashLoopBackOff   5 (31s ago)   4m",
        caseless=False,
    ),
    Rule("warning", Kind.WARNING, L + rb"warn(?:ing|ings)?" + R, "Warning: disk 91% full"),
    Rule("deprecated", Kind.WARNING, L + rb"deprecat", "DeprecationWarning: use load() instead"),
    # A warning's class named before its message, as Python's ``warnings`` prints it after
    # the file and line (``app.py:4: FutureWarning: ...``, ``SAWarning``) and Node after its
    # process (``(node:42) ExperimentalWarning: ...``); not a setting at a line's start
    # (``FailOnWarning: x``, ``failOnWarning: x``). One byte before it: an alternation of
    # prefixes there cost hyperscan 10% more time on every line.
    Rule(
        "warning-class",
        Kind.WARNING,
        rb"[ :)][A-Z][A-Za-z0-9_]*Warning: ",
        "app.py:4: FutureWarning: Please update",
        caseless=False,
    ),
    # No word boundary before the digits: hyperscan scans 2x faster without it. Not a URL's
    # escape (``report%2030%25.pdf``): a ``%`` and two hex digits is a byte, not a share;
    # written without a lookahead, which hyperscan lacks.
    Rule(
        "percent",
        Kind.PROGRESS,
        rb"[0-9](?:\.[0-9]+)? ?%(?:$|[^0-9A-Fa-f\n]|[0-9A-Fa-f](?:$|[^0-9A-Fa-f\n]))",
        "Uploading package 45%",
    ),
    Rule(
        "fraction",
        Kind.PROGRESS,
        rb"[\[(][ \t]*[0-9]+[ \t]*/[ \t]*[0-9]+[ \t]*[\])]",
        "[12/40] Deploying web-03",
    ),
    Rule("of-total", Kind.PROGRESS, L + rb"[0-9]+ of [0-9]+" + R, "Copied 12 of 40 files"),
    # ``==`` and ``##``, not ``==+`` and ``###*``: the same lines, but hyperscan reports
    # every end of a match, and a run-on form ends at each byte of a line of ``=``.
    Rule(
        "banner",
        Kind.INFO,
        # A title after the marks: a rule of marks alone (TAP's YAML ``  ---``) is none.
        _BOL + rb"(?:(?:==|\+\+\+|---|\*\*\*|##|>>>)[=+*#>-]*[ \t]*[\[(]?[A-Za-z0-9]|"
        rb"\[?step\b|stage\b)",
        "=== Deploying release 1.4.2 to Production ===",
    ),
    # A title at the margin, then a rule to the line's end (Ansible's ``TASK [...] ****``
    # to column 80, ``PLAY RECAP ***``): which step a failure belongs to. Twenty characters
    # at least: a masked password's stars, a progress bar's ``#``, ``git --stat``'s ``---``
    # and a ``Release 4 ---`` are no rule. Ends at the line's end: one report per line.
    Rule(
        "heading",
        Kind.INFO,
        TITLE,
        "TASK [shop : run migrations] ******************************************",
    ),
    Rule(
        "milestone",
        Kind.INFO,
        _BOL + rb"(?:starting|started|finished|completed?|deploying|deployed|success\w*)\b",
        "Deployed web-01 in 12.4s",
    ),
)

ZERO: tuple[Rule, ...] = (
    # Configure probes, section headings, the text between Python's chained tracebacks.
    Rule(
        "not-an-event",
        Kind.NOISE,
        rb"^-- (?:Looking for|Performing Test|Check|Could NOT find|Found)|^checking |"
        rb"^[=_*#-]{3,} [A-Za-z ]{1,40} [=_*#-]{3,}[ \t\r]*$|"
        rb"^(?:The above exception was the direct cause|During handling of the above exception)",
        "-- Looking for pthread_create in pthreads - not found",
        caseless=False,
        role=Role.ZERO,
    ),
    # Zero counts: "0 errors", "failed: 0", "errors: none", "no errors", "no failures",
    # MSBuild's "0 Error(s)", a counter's "errors 0", an error code of 0.
    Rule(
        "zero-count",
        Kind.NOISE,
        rb"\b0 +" + _COUNTED + rb"(?:errors?|failed|failures?|aborted)\b|\b0 +error\(s\)|"
        # (a JSON field's too: ``"failed": false``, ``"aborted":0``)
        rb"\b(?:errors?|failed|failures?|aborted)\"?[:=] *(?:0|none|false|null)\b|"
        # ... and in words: ``nothing failed``, ``no jobs were aborted``
        rb"\bnothing (?:has |was )?(?:failed|aborted)\b|"
        rb"\bno (?:[\w-]+ ){1,2}(?:were|was|have|has) (?:failed|aborted)\b|"
        rb"\b(?:no|without) (?:errors?|failures?)\b|"
        rb"\berror[ _-]?code[ \t]*[:=]?[ \t]*0\b|"  # a zero code (Flyway's ``Error Code : 0``)
        rb"\berrors +0(?:[ \t\r;)]|, |$)|"  # a counter's (``RX errors 0  dropped 0``)
        # ... and a runner's columns (``ok: 12, failed 0, skipped 1``)
        rb"\b(?:failed|failures?|aborted) +0(?:[ \t\r;,)]|$)|"
        rb"\berrors +dropped\b",  # a table of an interface's counters (``ip -s link``'s head)
        "Tests: 120 passed, 0 failed",
        role=Role.ZERO,
    ),
    # An instruction for a failure that may come, not one that came: at the line's start, a
    # condition on a present tense, then what to do ("If the deploy fails, see ...", "On
    # failure, run ..."); not a line that goes on to say what failed ("on failure: ...").
    Rule(
        "instruction",
        Kind.NOISE,
        _BOL + rb"(?:if|when|whenever|in case of|on) [^\n.:;]{0,60}?"
        rb"\b(?:fails?|failure|errors? occurs?), (?:please )?"
        rb"(?:see|run|check|contact|call|page|ping|notify|restart|rerun|re-run|retry|visit|"
        rb"open|read|consult|use|try|roll ?back|revert|ask)\b",
        "If the deploy fails, see https://wiki/deploys",
        role=Role.ZERO,
    ),
    # Zero warnings ("0 problems (0 errors, 0 warnings)"): cancels the warning words; not a
    # warning about zero ("warning: 0 bytes free").
    Rule(
        "zero-warnings",
        Kind.WARNING,
        L + rb"(?:0 +warnings|warnings[:=] *0)" + R + rb"|\b0 +warning\(s\)",
        "Lint: 0 problems (0 errors, 0 warnings)",
        role=Role.ZERO,
    ),
)
