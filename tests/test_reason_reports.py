"""The failure reason on common tools' failure reports: the line that says what failed, not
a tally of how many things failed, a heading over them, a line pointing "see above", or a
wrapper's report that the tool it ran failed (npm's lifecycle lines). The reports are in
tests/data/reports, in the form each tool prints (tests/data/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunLogtrim

from logtrim.dialects.base import Dialect
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.ending.ranks import Rank, line_rank
from logtrim.engine.match.kinds import Kind
from logtrim.engine.policy import Policy

REPORTS = Path(__file__).parent / "data" / "reports"

# The report, and the line a person points at.
CASES = {
    "curl.txt": "curl: (22) The requested URL returned error: 404",
    "rspec.txt": "Failure/Error: expect(cart.total(0.1)).to eq(90)",
    # Jest's heading over the failing test's report; of two, the first.
    "jest.txt": "\u25cf cart \u203a applies discount",
    "jest-two.txt": "\u25cf Order \u203a sums total",
    # Tests outside any ``describe``: the first heading (``●`` and the test's name alone).
    "jest-toplevel.txt": "\u25cf total sums price*qty",
    # node --test's spec reporter: the first failing test, with its assertion.
    "node-spec.txt": "\u2716 total sums price*qty (0.985662ms) - AssertionError"
    " [ERR_ASSERTION]: Expected values to be strictly equal:",
    "webpack.txt": "Module not found: Error: Can't resolve './foo' in '/app/src'",
    # npm 7-9 running it in a workspace: its ``Error: command failed`` and ``in workspace``
    # lines say which script failed, not why.
    "webpack-workspace.txt": "Module not found: Error: Can't resolve './CouponForm' in"
    " '/builds/shop/web/src/checkout'",
    "tsc.txt": "src/app.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    "dotnet.txt": "Assert.Equal() Failure (expected 90, actual 100)",
    # ``go test``'s message under the failing test's line and its failing subtest's.
    "go-subtest.txt": "--- FAIL: TestPricing (0.00s) - total = 89.99, want 90.00"
    " (pricing_test.go:42)",
    # ``go test -v`` logs the message before the test's line: its first one.
    "go-verbose.txt": "--- FAIL: TestPricing (0.00s) - total = 89.99, want 90.00"
    " (pricing_test.go:42)",
    # ``t.Log``'s lines before ``t.Errorf``'s, with ``-v`` and without: the one that fails.
    "go-logged.txt": "--- FAIL: TestLedgerBalance (0.01s) - balance mismatch: got 1999,"
    " want 2000 (ledger_test.go:88)",
    "go-logged-after.txt": "--- FAIL: TestLedgerBalance (0.01s) - balance mismatch: got 1999,"
    " want 2000 (ledger_test.go:88)",
    # testify's assertion block under a bare ``x_test.go:42:`` line: its message and error
    "go-testify.txt": "--- FAIL: TestSettlement (0.01s) - settlement total for batch 7781:"
    " Not equal: expected: 10710 actual : 10800 (settlement_test.go:42)",
    "go-testify-verbose.txt": "--- FAIL: TestSettlement (0.01s) - Not equal: expected: 10710"
    " actual : 10800 (settlement_test.go:42)",
    "mocha.txt": "AssertionError [ERR_ASSERTION]: 100 == 90",
    # Flyway's failed migration: the database's message, not the ``Caused by:`` that says
    # again which migration failed, nor the block's ``Error Code : 0``.
    "flyway.txt": 'Message : ERROR: relation "orders_v2" already exists',
    # Of several failing tests' reports (numbered under a tally or a heading), the first.
    "mocha-two.txt": "AssertionError [ERR_ASSERTION]: 400 == 422",
    # Node's assertion says the values on a line of their own, set apart by blank lines.
    "mocha-strict.txt": "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:"
    " 90 !== 85",
    "phpunit.txt": "TypeError: Order::ship(): Argument #1 ($address) must be of type Address,"
    " null given",
    "eslint.txt": "9:1  error  'bar' is not defined  no-undef",  # (its columns two blanks apart)
    # The error thrown, not its cause (Node prints the cause last, after its frames).
    "node-cause.txt": "UploadError: chunk 137 rejected by s3: SignatureDoesNotMatch"
    " (caused by Error: clock skew 901s)",
    # The aggregate, not the last error it holds; its first is the root cause.
    "node-aggregate.txt": "AggregateError: all mirrors failed"
    " (the first of them: Error: mirror-a timed out)",
    # A header that ends with ":" says what went wrong on its next line; rustc says where.
    # ... and the rest of that paragraph (CMake wraps its messages at 80 columns).
    "cmake.txt": "CMake Error at CMakeLists.txt:8 (find_package): By not providing"
    ' "FindZZTopLib.cmake" in CMAKE_MODULE_PATH this project has asked CMake to find a package'
    ' configuration file provided by "ZZTopLib", but CMake did not find one.',
    # Maven Surefire: the first failing test with its exception, not the build's summary.
    "surefire.txt": "[ERROR] com.shop.OrdersTest.npe -- Time elapsed: 0.016 s <<< ERROR! -"
    ' java.lang.NullPointerException: Cannot invoke "String.length()" because "s" is null',
    "rustc.txt": "error[E0308]: mismatched types (at src/main.rs:11:18)",
    # What stopped a failing Go test: its panic, under the test's line.
    "go-panic.txt": "panic: runtime error: invalid memory address or nil pointer dereference"
    " [recovered]",
    # npm's usage text after its message ("Usage:" then "npm ci") is no failing test's; its
    # sentence wrapped over three lines is read whole.
    "npm-ci.txt": "npm error The `npm ci` command can only install with an existing"
    " package-lock.json or npm-shrinkwrap.json with lockfileVersion >= 1. Run an install with"
    " npm@5 or later to generate a package-lock.json file, then try again.",
    # javac's "1 error" ends its report: the failed task after it is no failing test's.
    "gradle-javac.txt": "/home/runner/work/shop/orders/src/main/java/com/acme/shop/orders/"
    "OrderService.java:42: error: cannot find symbol",
    # A table's row (a pod in CrashLoopBackOff) lists, it is no message of the program's own
    # that a later one follows from: the newest error line says what failed.
    "kubectl.txt": 'error: deployment "shop-api" exceeded its progress deadline',
    # ... and ``kubectl get pods`` and its events printed after the error: their rows are data.
    "kubectl-after.txt": "error: timed out waiting for the condition",
}


def _failed_line(console: bytes) -> str:
    return next(x for x in console.decode().splitlines() if x.startswith("[logtrim] failed"))


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
@pytest.mark.parametrize("report", sorted(CASES))
def test_the_reason_is_the_line_that_says_what_failed(
    run_logtrim: RunLogtrim, report: str, stream: str
) -> None:
    redirect = " >&2" if stream == "stderr" else ""
    script = f'cat "$0"{redirect}; exit 1'
    r = run_logtrim("--ci", "plain", "--", "sh", "-c", script, str(REPORTS / report))
    assert r.code == 1
    assert _failed_line(r.console) == f"[logtrim] failed (exit 1): {CASES[report]}"


@pytest.mark.parametrize(
    "line",
    [
        "Tests:       1 failed, 20 passed, 21 total",
        "4 examples, 1 failure",
        "webpack 5.88.2 compiled with 1 error in 345 ms",
        "Found 2 errors in the same file, starting at: src/app.ts:3",
        "Failed!  - Failed:     1, Passed:    20, Skipped:     0, Total:    21",
        "\u2716 2 problems (2 errors, 0 warnings)",
        "Failed examples:",
        "Failures:",
        "Deployment failed, see above",
        "Build failed: check the errors above",
        "==> Done (with errors)",
        "Build finished with errors.",
        "Task completed with 3 failures",
        "# tests 2, pass 1, fail 1",
        "# fail  1",
        "npm ERR! app@1.0.0 build: `webpack --mode production`",
        "npm ERR! Failed at the app@1.0.0 build script.",
        "npm ERR!",
        "npm ERR!     /root/.npm/_logs/2024-05-01T12_00_00_000Z-debug.log",
    ],
)
def test_a_tally_a_heading_or_a_pointer_only_says_that_something_failed(line: str) -> None:
    assert line_rank(line.encode()) == Rank.STATUS


@pytest.mark.parametrize(
    "line",
    [
        # A level after a time's digits is no tally; a logfmt field counting is none either.
        "2026-12-01 05:59:43,917 ERROR deploy: Health check failed: returned 503",
        'level=fatal msg="too many failed batches, exiting" failed=3',
        "npm ERR! 404 Not Found - GET https://registry.npmjs.org/nope - Not found",
        "curl: (22) The requested URL returned error: 404",
        "Error: connect ECONNREFUSED 127.0.0.1:5432",
        "finished with errors: disk full",
    ],
)
def test_an_error_that_says_what_failed_is_no_status(line: str) -> None:
    assert line_rank(line.encode()) > Rank.STATUS


def test_a_panic_s_message_outranks_its_frames_in_a_small_tail(run_logtrim: RunLogtrim) -> None:
    """``cargo test`` at 3 kB: the tail kept a panic's library frames and left out its
    message, the line after ``panicked at ...:`` (a frame line's ``::`` passed for a GitHub
    command marker, which made the frames no part of the error, and the message none
    either)."""
    report = REPORTS / "cargo-test.txt"
    r = run_logtrim("--ci", "plain", "--budget", "3kB", "--", "sh", "-c", 'cat "$0"; exit 101',
                    str(report))  # fmt: skip
    assert r.code == 101 and len(r.console) <= 3000
    console = r.console.decode()
    assert "index out of bounds: the len is 0 but the index is 3" in console
    assert "assertion `left == right` failed: two plus two" in console


@pytest.mark.parametrize("ci", ["plain", "octopus", "github"])
def test_a_line_with_colons_is_a_command_only_if_it_is_one(ci: str) -> None:
    """``::`` is GitHub's command marker: a pytest node id or a Rust path holds it too, and
    such a line was told apart from a command only on the live path, not at the end."""
    from logtrim.dialects import choose
    from logtrim.engine.core import Core
    from logtrim.engine.policy import Policy

    core = Core(Policy(), choose(ci, {}))
    assert core.classify(b"FAILED tests/test_cart.py::test_total - AssertionError\n") == Kind.ERROR
    assert core.classify(b"   1: core::panicking::panic_fmt\n") == Kind.NOISE
    command = core.classify(b"::error file=a.py::boom\n")
    assert command == (Kind.SERVICE if ci == "github" else Kind.ERROR)


def _engine_failed_line(lines: list[tuple[int, bytes]]) -> str:
    """The ``failed`` line of a run whose streams wrote ``lines`` in this order."""
    core = Core(Policy(budget=20_000), Dialect())
    for stream, line in lines:
        core.feed(stream, line + b"\n", 0.0)
    core.finish_input(0.0)
    emits, _ = core.close(1, 1.0)
    return _failed_line(b"".join(data for _, data in emits))


def test_a_header_s_detail_comes_from_its_own_stream() -> None:
    """An indented line of the other stream written between a header and its detail is no
    part of the header's message."""
    failed = _engine_failed_line([
        (STDOUT, b"step 1"),
        (STDERR, b"CMake Error at CMakeLists.txt:8 (find_package):"),
        (STDOUT, b"  progress: 40% of files copied"),
    ])  # fmt: skip
    assert failed == "[logtrim] failed (exit 1): CMake Error at CMakeLists.txt:8 (find_package):"


@pytest.mark.parametrize(
    ("header", "after", "reason"),
    [
        (b"\x1b[31mCMake Error at CMakeLists.txt:8 (find_package):\x1b[0m",
         b"\x1b[0m  By not providing the module",
         "CMake Error at CMakeLists.txt:8 (find_package): By not providing the module"),
        (b"\x1b[1;31merror[E0308]\x1b[0m: mismatched types",
         b"\x1b[34m  --> \x1b[0msrc/main.rs:11:18",
         "error[E0308]: mismatched types (at src/main.rs:11:18)"),
    ],
    ids=["cmake", "rustc"],
)  # fmt: skip
def test_a_coloured_header_still_takes_its_detail(header: bytes, after: bytes, reason: str) -> None:
    """Tools that colour their output put the colour code before the indent."""
    failed = _engine_failed_line([(STDOUT, b"step 1"), (STDERR, header), (STDERR, after)])
    assert failed == f"[logtrim] failed (exit 1): {reason}"


@pytest.mark.parametrize(
    "line",
    [
        "ERROR: HTTP request failed: 502 Bad Gateway",
        "Error: login failed: 401 Unauthorized",
        "ERROR: health check failed: 3 of 8 pods not ready",
    ],
)
def test_a_status_code_after_failed_is_no_tally(line: str) -> None:
    """``failed: 502 Bad Gateway`` read as a tally (``Failed: 1, Passed: 20``): the line that
    says why lost to any later line (``done.``)."""
    failed = _engine_failed_line([(STDERR, line.encode()), (STDERR, b"done.")])
    assert failed == f"[logtrim] failed (exit 1): {line}"


def test_a_node_exception_with_a_status_code_is_the_reason() -> None:
    """Node's report of an uncaught error ends with its version: the error is the reason."""
    failed = _engine_failed_line([
        (STDOUT, b"deploying"),
        (STDERR, b"/app/deploy.js:1"),
        (STDERR, b"throw new Error('upload failed: 403 Forbidden');"),
        (STDERR, b"^"),
        (STDERR, b""),
        (STDERR, b"Error: upload failed: 403 Forbidden"),
        (STDERR, b"    at Object.<anonymous> (/app/deploy.js:1:7)"),
        (STDERR, b"    at node:internal/main/run_main_module:28:49"),
        (STDERR, b""),
        (STDERR, b"Node.js v20.20.2"),
    ])  # fmt: skip
    assert failed == "[logtrim] failed (exit 1): Error: upload failed: 403 Forbidden"


def test_node_s_aggregate_without_frames_is_the_reason() -> None:
    """``Promise.any`` rejected: Node prints ``[AggregateError: ...] {`` and the errors it
    holds; the newest of those was named."""
    failed = _engine_failed_line([
        (STDERR, b"[AggregateError: All promises were rejected] {"),
        (STDERR, b"  [errors]: ["),
        (STDERR, b"    Error: mirror-a timed out"),
        (STDERR, b"        at main (/app/agg.js:3:37),"),
        (STDERR, b"    TypeError: mirror-b bad url"),
        (STDERR, b"        at main (/app/agg.js:3:86)"),
        (STDERR, b"  ]"),
        (STDERR, b"}"),
        (STDERR, b""),
        (STDERR, b"Node.js v20.20.2"),
    ])  # fmt: skip
    assert failed == (
        "[logtrim] failed (exit 1): AggregateError: All promises were rejected"
        " (the first of them: Error: mirror-a timed out)"
    )


# A Python traceback after an error line that only names it (an ASGI server's), as a log's
# carrier prints each line of it: Compose (v2 and v1), ``kubectl logs --prefix``, BuildKit.
_ASGI = [
    "ERROR: Exception in ASGI application",
    "Traceback (most recent call last):",
    '  File "/app/server.py", line 88, in checkout',
    "    order = await db.create_order(cart)",
    'asyncpg.exceptions.UndefinedTableError: relation "orders_v2" does not exist',
]


@pytest.mark.parametrize(
    "prefix", ["", "web-1     | ", "web_1  | ", "[pod/web-7d9f/app] ", "#7 1.823 "]
)
def test_a_traceback_behind_a_carrier_s_prefix_names_its_exception(prefix: str) -> None:
    """Behind Compose's ``web-1 | `` the frames were no frames and the exception line no
    traceback's end: the generic header was the reason."""
    lines = [(STDOUT, (prefix + line).encode()) for line in _ASGI]
    assert _engine_failed_line([*lines, (STDOUT, b"web-1 exited with code 1")]) == (
        "[logtrim] failed (exit 1): " + prefix + _ASGI[-1]
    )


def test_another_carrier_s_line_inside_a_traceback_is_none_of_it() -> None:
    """A worker's line written among web's traceback lines does not end web's traceback."""
    web = [(STDOUT, b"web-1     | " + line.encode()) for line in _ASGI]
    worker = (STDOUT, b"worker-1  | celery.exceptions.WorkerLostError: Worker exited: signal 9")
    assert _engine_failed_line([*web[:3], worker, *web[3:]]) == (
        "[logtrim] failed (exit 1): web-1     | " + _ASGI[-1]
    )


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        # Ansible's ad-hoc output: a host's status line keeps its host.
        (
            [
                "web-01 | CHANGED | rc=0 >>",
                "ok",
                "db-02 | FAILED | rc=1 >>",
                "psql: error: connection to server failed: No such file or directory",
            ],
            "db-02 | FAILED | rc=1 >>",
        ),
        (["case_2   | FAILED: timeout after 30s"], "case_2   | FAILED: timeout after 30s"),
        # A ranking whose numbers look like BuildKit's step and seconds, but not to the ms.
        (
            [
                "Slowest tests:",
                "#1 12.5 s  test_checkout",
                "#2 9.1 s  test_upload FAILED (timeout)",
            ],
            "#2 9.1 s  test_upload FAILED (timeout)",
        ),
        # Lines of one form, one by one or by their remembered rank: the same answer, the
        # one the lines without the carrier's prefix give (a library's records: the newest).
        *(
            (
                [f"web-1  | ERROR: request {k} failed: upstream timeout" for k in range(1, n)],
                f"web-1  | ERROR: request {n - 1} failed: upstream timeout",
            )
            for n in (6, 7, 13)
        ),
    ],
)
def test_lines_that_look_carried_are_named_whole(lines: list[str], reason: str) -> None:
    assert _engine_failed_line([(STDOUT, line.encode()) for line in lines]) == (
        "[logtrim] failed (exit 1): " + reason
    )


@pytest.mark.parametrize(
    ("line", "rank"),
    [
        # A cause, then that the program stops: the cause is said, no status.
        ("FATAL: worker pool exhausted, aborting", Rank.FATAL),
        ("worker pool exhausted, aborting", Rank.ERROR),
        ("CRITICAL sync: worker pool exhausted, aborting", Rank.FATAL),
        # ... behind a time stamp.
        ("[2026-12-05 10:00:01] FATAL: no space left on device, aborting", Rank.FATAL),
        ("2026-12-05 10:00:01,953 CRITICAL worker pool exhausted; shutting down", Rank.FATAL),
        ("10:00:01.953 ERROR: quota of 20 GB reached, giving up", Rank.ERROR),
        # ... with a comma in brackets.
        ("checksum mismatch for app.jar (expected 3f9a1c, got 77b0e2), aborting", Rank.ERROR),
        # A clause that only says something failed, then that the program stops: a status
        # (the line before it says why).
        ("ERROR: attempt 5/5 failed, giving up", Rank.STATUS),
        ("Error: timeout, rolling back", Rank.STATUS),
        ("ERROR: migration 0042_add_users failed, rolling back", Rank.STATUS),
        ("Fatal: unrecoverable error, aborting", Rank.STATUS),
        ("CRITICAL Caught signal 15, shutting down", Rank.STATUS),
        ("ERROR: exception in worker; shutting down", Rank.STATUS),
        ("ERROR: timed out waiting for the condition, giving up", Rank.STATUS),
        ("[2026-12-05 10:00:01] ERROR: attempt 5/5 failed, giving up", Rank.STATUS),
        ("2026-12-05T10:00:01Z Fatal: unrecoverable error, aborting", Rank.STATUS),
        # A phase said to have failed, then that it stops: still only a phase.
        ("Deployment failed, aborting", Rank.PHASE),
        ("upgrade failed, rolling back", Rank.PHASE),
        ("Aborting.", Rank.STATUS),
        ("deployment aborted", Rank.STATUS),
    ],
)
def test_a_cause_before_aborting_is_no_status(line: str, rank: Rank) -> None:
    assert line_rank(line.encode()) == rank


def test_a_fatal_line_ending_in_aborting_outranks_an_exception_the_program_went_on_from() -> None:
    """docs/policy.md: a fatal line more than a few lines after a handled exception is the
    reason; ``..., aborting`` made it a status, below the exception."""
    handled = [
        b"2026-12-01 10:00:00,000 ERROR sync: shard-3 timed out; skipping",
        b"Traceback (most recent call last):",
        b'  File "sync.py", line 7, in <module>',
        b"TimeoutError: shard-3 did not answer in 900ms",
    ]
    lines = [(STDOUT, line) for line in handled]
    lines += [(STDOUT, b"2026-12-01 10:00:01,000 INFO sync: batch %d" % i) for i in range(50)]
    lines.append((STDERR, b"FATAL: worker pool exhausted, aborting"))
    assert (
        _engine_failed_line(lines)
        == "[logtrim] failed (exit 1): FATAL: worker pool exhausted, aborting"
    )


def test_npm_s_report_behind_buildkit_s_stamp_names_its_first_line() -> None:
    """``docker build --progress=plain`` stamps each line of a step (``#7 0.613 ``): npm's
    report was ranked with it, and its heading ``Could not resolve dependency:`` named."""
    report = [
        "npm ERR! code ERESOLVE",
        "npm ERR! ERESOLVE could not resolve",
        "npm ERR! ",
        "npm ERR! While resolving: billing-web@3.2.0",
        "npm ERR! Found: react@18.2.0",
        "npm ERR! ",
        "npm ERR! Could not resolve dependency:",
        'npm ERR! peer react@"^17.0.0" from react-table@7.8.0',
        "npm ERR! ",
        "npm ERR! Fix the upstream dependency conflict, or retry",
        "npm ERR! this command with --force or --legacy-peer-deps",
        "npm ERR! ",
        "npm ERR! A complete log of this run can be found in: /root/.npm/_logs/debug-0.log",
    ]
    lines = [(STDERR, f"#7 0.6{k:02} {line}".encode()) for k, line in enumerate(report)]
    lines.append((STDERR, b'#7 ERROR: process "/bin/sh -c npm ci" did not complete successfully'))
    assert _engine_failed_line(lines) == (
        "[logtrim] failed (exit 1): #7 0.601 npm ERR! ERESOLVE could not resolve"
    )


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        # systemd's bullets are at the margin: no failing test's heading.
        (
            [
                "Error: cannot open /etc/app.conf: No such file or directory",
                "  UNIT          LOAD   ACTIVE SUB    DESCRIPTION",
                "\u25cf app.service   loaded failed failed My App",
            ],
            "Error: cannot open /etc/app.conf: No such file or directory",
        ),
        # Jest's config error: its heading, then what is wrong, which says it.
        (
            [
                "\u25cf Validation Error:",
                "",
                "  Module ts-jest in the transform option was not found.",
            ],
            "Module ts-jest in the transform option was not found.",
        ),
    ],
)
def test_a_bullet_is_a_failing_test_only_as_jest_indents_one(lines: list[str], reason: str) -> None:
    got = _engine_failed_line([(STDOUT, line.encode()) for line in lines])
    assert got == "[logtrim] failed (exit 1): " + reason


def test_jest_s_warning_two_spaces_after_its_bullet_is_no_failing_test() -> None:
    """Jest warns with ``  ●  Cannot log after tests are done`` (two spaces after the bullet),
    even in a passing suite: it was taken as the first failing test's heading."""
    lines = [
        " PASS  src/api/client.test.ts",
        "  \u25cf  Cannot log after tests are done. Did you forget to wait for something async?",
        '    Attempted to log "Error: Failed to complete fetch request. Task was canceled.".',
        " FAIL  src/cart/total.test.ts",
        "  \u25cf cart \u203a applies discount",
        "    expect(received).toBe(expected) // Object.is equality",
        "Tests:       1 failed, 7 passed, 8 total",
    ]
    got = _engine_failed_line([(STDOUT, line.encode()) for line in lines])
    assert got == "[logtrim] failed (exit 1): \u25cf cart \u203a applies discount"


@pytest.mark.parametrize(("calm", "first_stays"), [(2, True), (3, True), (4, False), (6, False)])
def test_a_burst_of_a_programs_own_messages_ends_after_three_calm_lines(
    calm: int, first_stays: bool
) -> None:
    """A program's own message stays the reason over another within its burst: up to three
    lines of other output between them. Each error line was counted once too often (the
    chosen one on one path, the one offered on another), so four calm lines kept the first:
    ``terraform apply -no-color`` named a shell command's wrapped first line, not the
    ``psql: error`` its output ended with."""
    first = b"Error running command 'migrate.sh db-2; for i in 1 2 3; do echo step $i;"
    last = b'psql: error: connection to server at "db-2" failed: Connection refused'
    lines = [
        (STDERR, first),
        (STDERR, b"done; echo 'psql: error: connection to server' >&2; exit 2'"),
        *((STDERR, b"step %d" % i) for i in range(calm)),
        (STDERR, last),
    ]
    reason = (first if first_stays else last).decode()
    assert _engine_failed_line(lines) == f"[logtrim] failed (exit 1): {reason}"


@pytest.mark.parametrize("cleanup", [3, 5, 40])
def test_a_run_that_says_it_ended_with_errors_names_the_error_before(
    run_logtrim: RunLogtrim, cleanup: int
) -> None:
    # A wrapper's last word after its cleanup ("==> Done (with errors)"), however many
    # cleanup lines come between: the error line above says what went wrong.
    script = (
        'echo "Error: creating IAM Role (deploy-role): AccessDenied"; '
        'for i in $(seq 1 "$0"); do echo "cleanup: removing temp file /tmp/tf-$i"; done; '
        'echo "==> Done (with errors)"; exit 1'
    )
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", "bash", "-c", script, str(cleanup))
    assert r.code == 1
    reason = "Error: creating IAM Role (deploy-role): AccessDenied"
    assert _failed_line(r.console) == f"[logtrim] failed (exit 1): {reason}"
