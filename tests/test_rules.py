"""The built-in rules: each documented example gets its tier, on both matcher engines; a
table of real tools' lines, labelled by hand, is classified as a person reads it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from logtrim._matchers import compiler
from logtrim.engine.match.matcher import Matcher
from logtrim.engine.match.rules import RULES, Kind, Role, Rule

ENGINES = ["re"] + (["hyperscan"] if compiler() is not None else [])
TOOLS = Path(__file__).parent / "data" / "tools"
TIER = {
    "error": Kind.ERROR,
    "warning": Kind.WARNING,
    "info": Kind.INFO,
    "progress": Kind.PROGRESS,
    "detail": Kind.NOISE,
}


def _expected(rule: Rule) -> Kind:
    # A zero rule alone leaves an ordinary line; a detail level hides its line.
    return Kind.INFO if rule.role is Role.ZERO else rule.kind


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_each_example_gets_its_tier(rule: Rule, engine: str) -> None:
    """The example line in docs/reference.md is classified as the rule says."""
    matcher = Matcher(compiler=compiler(engine))
    example = rule.example.encode()
    assert re.search(rule.pattern, example, (re.I if rule.caseless else 0) | re.M), rule.name
    expected = _expected(rule)
    assert matcher.line_kind(example) == expected
    chunk = b"noise before\n" + example + b"\nnoise after\n"
    assert matcher.scan(chunk) == ([(13, expected)] if expected != Kind.NOISE else [])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (b"\x1b[31mERROR\x1b[0m: coloured", Kind.ERROR),
        # Forms that start a line, coloured (``pytest --color=yes``, a coloured make).
        (b"\x1b[1m\x1b[31mE       assert (10.0 * 1.2) == 12.5\x1b[0m", Kind.ERROR),
        (b"\x1b[1m\x1b[31mE       KeyError: 'db_url'\x1b[0m", Kind.ERROR),
        (b"\x1b[31mmake: *** [Makefile:7: all] Stop.\x1b[0m", Kind.ERROR),
        (b"loading ErrorPageRenderer.dll", Kind.NOISE),
        (b"Build: 0 errors, 3 warnings", Kind.WARNING),
        (b"Tests: 120 passed, 0 failed", Kind.INFO),
        (b"copying /var/www/app/static/main.css", Kind.NOISE),
        (b"  42%|####      | 42/100", Kind.PROGRESS),
        # Words inside names, options and settings are no errors.
        (b"plugins: timeout-2.4.0, anyio-4.16.0, hypothesis-6.170.17", Kind.NOISE),
        (b"urllib3 connect timeout=30 read timeout=60", Kind.NOISE),
        (b"pytest --fail-fast -x tests", Kind.NOISE),
        (b"stats: error_count=0 warnings=2", Kind.NOISE),
        # An instruction for a failure that may come; a tally of zero warnings.
        (b"If the deploy fails, see https://wiki/failed-deploys", Kind.INFO),
        (b"On failure, run ./rollback.sh to restore", Kind.INFO),
        (b"Error when the upload fails: timed out", Kind.ERROR),
        (b"ERROR: if the deploy fails again, page the on-call", Kind.ERROR),
        (b"Lint: 0 problems (0 errors, 0 warnings)", Kind.INFO),
        (b"Lint: 2 problems (0 errors, 2 warnings)", Kind.WARNING),
        (b"Build: 3 errors, 0 warnings", Kind.ERROR),
        (b"On node-3: failure to allocate 4096 bytes", Kind.ERROR),
        (b"on failure: database connection refused", Kind.ERROR),
        (b"when connecting to db-01 a fatal error occurs", Kind.ERROR),
        (b"warning: 0 bytes free on /dev/sda1", Kind.WARNING),
        (b"warning: no warnings file found, using defaults", Kind.WARNING),
        # labelled at the line's start, as ``WARNING:`` is: the label decides (the error
        # words after it are the warning's message: git's ``warning: unable to access ...``)
        (b"warning: no warnings file found, aborting", Kind.WARNING),
        (
            b"warning: unable to access '/root/.config/git/attributes': Permission denied",
            Kind.WARNING,
        ),
        ("\u2502 Warning: Unable to open CLI configuration file".encode(), Kind.WARNING),
        ("\u2502 Error: Unable to open CLI configuration file".encode(), Kind.ERROR),
        # Kubernetes containers that cannot run (no error word)
        (b"shop-api-7f9c6d5b8-2xkqp    0/1     CrashLoopBackOff   5 (31s ago)   4m", Kind.ERROR),
        (b"shop-api-7f9c6d5b8-9zlmn    0/1     ImagePullBackOff   0             4m", Kind.ERROR),
        (b"      Reason:       OOMKilled", Kind.ERROR),
        (b"Warning: 0 of 3 replicas available", Kind.WARNING),
        (b"Compiling ErrorHandler.cs", Kind.NOISE),
        # A path's last segment is a name, not an exception (``du -ah /usr``'s lines).
        (b"8.0K\t/usr/share/perl/5.36.0/autodie/exception", Kind.NOISE),
        (b"0\t/usr/lib/jvm/java-17/legal/java.naming/ASSEMBLY_EXCEPTION", Kind.NOISE),
        (b"caught (RuntimeException) while closing", Kind.ERROR),
        (b"\x1b[31mException\x1b[0m: bad input", Kind.ERROR),
        (b"Setting FailedLoginAttempts to 5", Kind.NOISE),
        (b"Ran 12 tests: 0 failures", Kind.INFO),
        # A count above zero keeps the words a zero count on the same line cancels.
        (b"Tests run: 10, Failures: 2, Errors: 0, Skipped: 0", Kind.ERROR),
        (b"Tests run: 10, Failures: 0, Errors: 0, Skipped: 0", Kind.INFO),
        (b"FAILED (failures=2, errors=0)", Kind.ERROR),
        (b"1 failed, 0 errors", Kind.ERROR),
        (b"Tests: 120 passed, 0 failed, 3 errors", Kind.ERROR),
        (b"Build: lib 0 errors, app 2 errors", Kind.ERROR),
        (b"Lint: lib 0 warnings, app 12 warnings", Kind.WARNING),
        (b"Summary: 0 failed, 0 errors, 10 passed", Kind.INFO),
        # A number before a count's label is no count (a worker's, a time's, a port's).
        (b"Worker 3 errors: 0", Kind.INFO),
        (b"10:15:13 errors: 0 warnings: 0", Kind.INFO),
        (b"Job 17 failed: 0, succeeded: 12", Kind.INFO),
        (b"2 tests failed, 0 errors", Kind.ERROR),
        (b"0 jobs failed", Kind.INFO),  # the zero count takes the noun the count does
        # "no failures" is a zero count, as "no errors" is; a count above zero still counts.
        (b"error-free build: no failures detected", Kind.INFO),
        (b"Completed without failures", Kind.INFO),
        (b"ERROR: no failures expected, 3 failed", Kind.ERROR),
        (b"Summary: 0 steps failed, 5 steps passed", Kind.INFO),
        (b"Errors: 0 Warnings: 12", Kind.WARNING),
        # dotnet test's aligned counts, MSBuild's "(s)".
        (b"Passed!  - Failed:     0, Passed:   118, Skipped:     0, Total:   120", Kind.INFO),
        (b"Failed!  - Failed:     2, Passed:   118, Skipped:     0, Total:   120", Kind.ERROR),
        (b"    0 Warning(s)", Kind.INFO),
        (b"    0 Error(s)", Kind.INFO),
        (b"    3 Error(s)", Kind.ERROR),
        (b"Build succeeded. 0 Warning(s) 0 Error(s)", Kind.INFO),
        (b"Build FAILED. 0 Warning(s) 3 Error(s)", Kind.ERROR),
        (b"failures: 0", Kind.INFO),
        # "none" is a zero count; an error code of zero is none (Flyway's field), another one is.
        (b"invalidation I2J3 created: 1 paths, errors: none", Kind.INFO),
        (b"Error Code : 0", Kind.INFO),
        (b"errorCode=0 status=done", Kind.INFO),
        (b"Error Code : 1062", Kind.ERROR),
        (b"error code: 0x80070005", Kind.ERROR),
        # A passing test's line is detail whatever its name says.
        ("  \u2713 handles error responses".encode(), Kind.NOISE),
        (b"ok 3 - retries on failure", Kind.NOISE),
        (b"--- PASS: TestErrorPath (0.00s)", Kind.NOISE),
        (b"not ok 3 - retries on failure", Kind.ERROR),
        # Kotlin's compiler (Gradle), git's merge conflict.
        (b"e: file:///srv/app/src/main/kotlin/App.kt:23:17 Unresolved reference: x", Kind.ERROR),
        (b"CONFLICT (content): Merge conflict in config/prod.yaml", Kind.ERROR),
        (b" ! [rejected]        main -> main (fetch first)", Kind.ERROR),
        # Go's compiler: a source position, no error word; not a test's log line.
        (b"./main.go:12:2: undefined: foo", Kind.ERROR),
        (b"    main_test.go:12: expected 3, got 4", Kind.NOISE),
        # A banner has a title: a rule of marks alone (TAP's YAML block) is none.
        (b"  ---", Kind.NOISE),
        (b"----------------------------------------", Kind.NOISE),
        (b">>> [1/3] Deploying web-01", Kind.INFO),
        # A bracketed level in any case, after a Go logger's source file and line (helm's).
        (b'upgrade.go:436: [debug] warning: Upgrade "web" failed: deadline exceeded', Kind.NOISE),
        (b"2025/03/14 09:30:01 main.go:42: [error] upload rejected", Kind.ERROR),
        (b"[Warn] disk 91% full", Kind.WARNING),
        (b"[errorhandler] starting", Kind.NOISE),
        # A program's word that it stops for what it said before it.
        (b"checksum mismatch for payments-api-2.8.0.jar (got 77b0e2), aborting", Kind.ERROR),
        (b"quota of 20 GB reached; giving up", Kind.ERROR),
        # ... at the line's end: not one that goes on.
        (b"Aborting on container exit...", Kind.NOISE),
        (b"Lock held by another process, giving up on lock and using cached index", Kind.NOISE),
        (b"gave up waiting for mirror-2 after 3s, using mirror-1", Kind.NOISE),
        (b"rollback: aborting 2 staged migrations (dry run, nothing applied)", Kind.NOISE),
        (b"Not aborting: --keep-going is set", Kind.NOISE),
        (b"docker compose up --abort-on-container-exit", Kind.NOISE),
        # A counter's label before its zero (ip's and ifconfig's).
        (b"        RX errors 0  dropped 0  overruns 0  frame 0", Kind.INFO),
        (b"    RX:  bytes packets errors dropped  missed   mcast", Kind.INFO),
        (b"    TX errors 3  dropped 0 overruns 0  carrier 0  collisions 0", Kind.ERROR),
        (b"found errors 0.5% above the threshold", Kind.ERROR),
        (b"gcc -Wall -Werror -c main.c", Kind.NOISE),
        # The level field decides; weak words never raise a line above it.
        (b"2026-12-01 10:00:00,123 INFO app: progress 5000/20000", Kind.INFO),
        (b"2026-12-01 10:00:00,123 DEBUG app: got error from cache, retrying", Kind.NOISE),
        (b"2026-12-01 10:00:00,123 INFO app: Uploading 45%", Kind.PROGRESS),
        (b'time="2026-12-01T12:00:00Z" level=info msg="upload failed, retrying later"', Kind.INFO),
        (b'{"severity":"ERROR","message":"boom"}', Kind.ERROR),
        (b"[INFO] Tests run: 5, Failures: 1, Errors: 0, Skipped: 0", Kind.INFO),
        (b"I1201 12:00:00.000000    1 main.go:42] synced", Kind.INFO),
        (b"npm WARN deprecated glob@7.2.3", Kind.WARNING),
        # A command line a tool refused (getopt's and coreutils' words after its name).
        (b"cp: missing destination file operand after 'release.tar'", Kind.ERROR),
        (b"mkdir: missing operand", Kind.ERROR),
        (b"ls: unrecognized option '--budget'", Kind.ERROR),
        (b"grep: invalid option -- 'Q'", Kind.ERROR),
        (b"sort: option '--buffer-size' requires an argument", Kind.ERROR),
        (b"rm: extra operand 'b'", Kind.ERROR),
        (b"Try 'cp --help' for more information.", Kind.NOISE),
        (b"curl: option --bogus: is unknown", Kind.ERROR),
        (b"Unknown option: -Z", Kind.ERROR),
        (b"unknown flag: --bogus", Kind.ERROR),
        # A level before the words decides.
        (b"WARNING: unrecognized option 'colour' in deploy.cfg", Kind.WARNING),
        (b"warn: invalid option x", Kind.WARNING),
        (b"the operand is missing here, see the manual", Kind.NOISE),
        # A CI's annotation printed as text (``--ci plain``, or in a pause): its level.
        (b"::warning::schema check failed", Kind.WARNING),
        (b"::warning file=app.py,line=3,title=Deprecated::call to helper() failed", Kind.WARNING),
        (b"##[warning]Task failed to clean up", Kind.WARNING),
        (b"::notice::rollout failed over to the standby", Kind.INFO),
        (b"::debug::retry 2 failed, will retry", Kind.NOISE),
        (b"::error::schema check", Kind.ERROR),
        (b"echo '::warning::x failed'", Kind.ERROR),  # not at the line's start: words decide
        # A warning's class, as Python's warnings module and Node print it.
        (b"/srv/app/setup.py:4: FutureWarning: Please update to setuptools v70.1", Kind.WARNING),
        (b"app.py:9: UserWarning: no config found, using defaults", Kind.WARNING),
        (b"(node:4242) ExperimentalWarning: VM Modules is an experimental feature", Kind.WARNING),
        (b"class PaymentWarningBanner renders", Kind.NOISE),
        (b"failOnWarning: false", Kind.NOISE),  # a setting, not a warning's class
        (b"FailOnWarning: false", Kind.NOISE),
        (b"/venv/sqlalchemy/engine.py:12: SAWarning: Dialect does not support", Kind.WARNING),
        # go test -v's lines per test, below info; its failures are errors.
        (b"=== RUN   TestOrdersHandler/EUR_basket", Kind.NOISE),
        (b"--- PASS: TestOrdersHandler (0.00s)", Kind.NOISE),
        (b"--- FAIL: TestOrdersHandler (0.72s)", Kind.ERROR),
        (b"=== Deploying release 1.4.2 to Production ===", Kind.INFO),
        (b"ok: [web-01]", Kind.INFO),
        (b"16:05:22   Verbose  |   Guided failure is not enabled", Kind.NOISE),
        # Strong failure forms raise a line above its level.
        (b"[INFO] BUILD FAILURE", Kind.ERROR),
        (b"2026-12-01 10:00:00,123 INFO app: Traceback (most recent call last):", Kind.ERROR),
        (b"tests/test_invoice.py::test_total FAILED                        [ 50%]", Kind.ERROR),
        # A refusal said as one (docker's push; Windows' ``Access is denied.``).
        (b"denied: requested access to the resource is denied", Kind.ERROR),
        (b"Access is denied.", Kind.ERROR),
        (b"this denied-list entry is unused", Kind.NOISE),
        # A program that says it gave up, a count on its line or not (not a progress line).
        (b"Rollout aborted: 2 of 3 health checks did not pass", Kind.ERROR),
        (b"Finished: ABORTED", Kind.ERROR),
        (b"Tests: 12 passed, 0 aborted", Kind.INFO),
        (b"aborted_connects=3", Kind.NOISE),
        # ... but not where it says none was (a JSON field, in words).
        (b'{"job":"deploy","aborted":false,"ok":true}', Kind.INFO),
        (b'"failed": 0', Kind.INFO),
        (b"no jobs were aborted", Kind.INFO),
        (b"Nothing failed", Kind.INFO),
        (b"ok: 12, failed 0, skipped 1", Kind.INFO),
        (b"Failed 3 Passed 9", Kind.ERROR),
        # A tally in columns: twelve passed, none failed; a count before a column still counts.
        (b"Passed 12 Failed 0", Kind.INFO),
        (b"Tests Passed 12 Failed 0 Skipped 1", Kind.INFO),
        (b"Passed 12 Failed 3", Kind.ERROR),
        (b"3 errors 0 warnings", Kind.ERROR),
        (b"Found 2 errors and 0 failures", Kind.ERROR),
        (b"there were 3 errors, 0 failures", Kind.ERROR),
        (b"Build finished: 3 errors", Kind.ERROR),
        (b'{"failed": 2}', Kind.ERROR),
        # Configure probes and section headings are no failures.
        (b"-- Looking for pthread_create in pthreads - not found", Kind.INFO),
        (
            b"=================================== FAILURES ===================================",
            Kind.INFO,
        ),
    ],
)
def test_tricky_lines(engine: str, line: bytes, kind: Kind) -> None:
    """Colour codes, words inside names, levels and zero counts: a person's reading."""
    matcher = Matcher(compiler=compiler(engine))
    assert matcher.line_kind(line) == kind
    assert [k for _, k in matcher.scan(line + b"\n")] == ([kind] if kind != Kind.NOISE else [])


def _table() -> list[tuple[str, Kind, bytes]]:
    rows = []
    text = (TOOLS / "lines.tsv").read_text(encoding="utf-8")
    for row in text.split("\n")[1:]:
        if row:
            tool, tier, line = row.split("\t", 2)  # a line may hold tabs (Java frames)
            rows.append((tool, TIER[tier], line.encode()))
    return rows


@pytest.mark.parametrize("engine", ENGINES)
def test_error_tier_on_real_tools_lines(engine: str) -> None:
    """On 574 lines of real tools' output labelled by hand (tests/data/tools/README.md), the
    error tier's precision and recall are both at least 95%."""
    matcher = Matcher(compiler=compiler(engine))
    table = _table()
    assert len(table) >= 150
    got = [matcher.line_kind(line) for _, _, line in table]
    tp = sum(g == w == Kind.ERROR for g, (_, w, _) in zip(got, table, strict=True))
    fp = sum(g == Kind.ERROR != w for g, (_, w, _) in zip(got, table, strict=True))
    fn = sum(w == Kind.ERROR != g for g, (_, w, _) in zip(got, table, strict=True))
    assert tp / (tp + fp) >= 0.95, (tp, fp)
    assert tp / (tp + fn) >= 0.95, (tp, fn)
    # The same answers from a whole-chunk scan as line by line.
    chunk = b"\n".join(line for _, _, line in table) + b"\n"
    starts = [0]
    for _, _, line in table[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    expected = [(s, k) for s, k in zip(starts, got, strict=True) if k != Kind.NOISE]
    assert matcher.scan(chunk) == expected


def test_the_compiled_matcher_takes_every_built_in_rule() -> None:
    """Where hyperscan is installed it compiles the whole rule set: a pattern it refuses would
    silently send every line through the slow ``re`` path."""
    if compiler() is None:
        pytest.skip("no compiled matcher on this platform")
    assert Matcher(compiler=compiler()).engine == "hyperscan"


@pytest.mark.xfail(strict=True, reason="hyperscan 0.9.1 misses this line in its one-pass database")
def test_the_compiled_matcher_sees_a_note_after_a_coloured_fail() -> None:
    """A known miss of the compiled engine (docs/design.md): with these rules in one database,
    hyperscan reports no match of ``note:`` on the line after ``fail:`` and a colour code. The
    exact path finds it. Strict: when the engine no longer misses it, this says so (one set
    of rules made a database that found it; the next missed it again)."""
    if compiler() is None:
        pytest.skip("no compiled matcher on this platform")
    chunk = b"->32m%fail:\x1b[32m\n note: \n"
    assert Matcher(compiler=compiler()).scan(chunk) == Matcher().scan(chunk)
