"""The failure reason on common tools' failure reports: the line that says what failed, not
a tally of how many things failed, a heading over them, a line pointing "see above", or a
wrapper's report that the tool it ran failed (npm's lifecycle lines). The reports are in
tests/data/reports, in the form each tool prints (tests/data/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunLogtrim

from logtrim.engine.ending.ranks import Rank, line_rank

REPORTS = Path(__file__).parent / "data" / "reports"

# The report, and the line a person points at.
CASES = {
    "curl.txt": "curl: (22) The requested URL returned error: 404",
    "rspec.txt": "Failure/Error: expect(cart.total(0.1)).to eq(90)",
    "jest.txt": "FAIL src/cart.test.js",
    "webpack.txt": "Module not found: Error: Can't resolve './foo' in '/app/src'",
    "tsc.txt": "src/app.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    "dotnet.txt": "Assert.Equal() Failure",
    "mocha.txt": "AssertionError [ERR_ASSERTION]: 100 == 90",
    "eslint.txt": "9:1   error  'bar' is not defined                      no-undef",
    # The error thrown, not its cause (Node prints the cause last, after its frames).
    "node-cause.txt": "UploadError: chunk 137 rejected by s3: SignatureDoesNotMatch"
    " (caused by Error: clock skew 901s)",
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
    ],
)
def test_an_error_that_says_what_failed_is_no_status(line: str) -> None:
    assert line_rank(line.encode()) > Rank.STATUS
