"""A line that says why outranks an older line that only says that something failed.

A status phrase ("aborted", "exit code N") followed by its cause (``aborted: disk full``,
``exit code 1: certificate expired``) is an error line like any other, so the newest wins; a
fatal level outranks a plain error whichever stream flushed last; a Rust panic is the reason
with its message, also under ``cargo test``. Real children, the reason as the console shows it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TAKEN, RunLogtrim, py


def _reason(run_logtrim: RunLogtrim, *command: str, cwd: Path | None = None) -> str:
    r = run_logtrim("--ci", "plain", "--", *command, cwd=cwd, timeout=300)
    assert r.code != 0
    lines = [x for x in r.console.decode().splitlines() if x.startswith("[logtrim] failed (")]
    assert len(lines) == 1, r.console.decode()
    return lines[0].split("): ", 1)[1]


def _printed_reason(run_logtrim: RunLogtrim, *lines: str) -> str:
    """The reason of a script that prints ``lines`` on one stream (stdout and stderr joined,
    so their order is the order written) and exits 1."""
    script = "exec 2>&1; " + "; ".join(f"printf '%s\\n' {line!r}" for line in lines)
    return _reason(run_logtrim, "bash", "-c", script + "; exit 1")


def _child(first: str, last: str, *, last_on: str = "stderr") -> list[str]:
    """A child that writes ``first`` on stdout, then (once logtrim has read it: two pipes
    carry no order between them) ``last`` on ``last_on``, and exits 4."""
    fd = 2 if last_on == "stderr" else 1
    return py(
        TAKEN + "import os, sys\n"
        f"os.write(1, {first!r}.encode() + b'\\n')\n"
        "taken(1)\n"
        f"os.write({fd}, {last!r}.encode() + b'\\n')\n"
        "sys.exit(4)\n"
    )


@pytest.mark.parametrize(
    "cause",
    [
        "FATAL: deployment aborted: health check failed for web-07",
        "ERROR: deployment aborted: disk full on /var/www",
        "Error: Process completed with exit code 1: certificate expired",
        "ERROR: migration rolling back: column orders.total is not nullable",
        "deploy failed with exit status 2: no space left on device",
    ],
)
@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_a_status_with_its_cause_beats_an_older_error(
    run_logtrim: RunLogtrim, cause: str, stream: str
) -> None:
    command = _child("ERROR: replica lag too high", cause, last_on=stream)
    assert _reason(run_logtrim, *command) == cause


@pytest.mark.parametrize(
    "status",
    [
        "Error: Process completed with exit code 1.",
        "FATAL: deployment aborted",
        "make: *** [all] Error 2",
    ],
)
def test_a_status_alone_still_loses_to_the_error_that_says_why(
    run_logtrim: RunLogtrim, status: str
) -> None:
    command = _child("ERROR: replica lag too high", status)
    assert _reason(run_logtrim, *command) == "ERROR: replica lag too high"


def test_a_failed_commands_echo_is_no_cause(run_logtrim: RunLogtrim) -> None:
    command = _child("ERROR: bundle too large", "Command failed with exit code 1: npm run build")
    assert _reason(run_logtrim, *command) == "ERROR: bundle too large"


# A fatal line, then the cleanup's lesser errors on the way out.
_FATAL = "2026-12-02 02:00:01,120 CRITICAL db: primary unreachable after 5 attempts"
_AROUND = ["ERROR: cache warm-up skipped for 3 shards", _FATAL, "ERROR: could not remove /tmp/lock"]


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_a_fatal_line_outranks_plain_errors_before_and_after_it(
    run_logtrim: RunLogtrim, stream: str
) -> None:
    redirect = " >&2" if stream == "stderr" else ""
    script = "".join(f"echo {line!r}{redirect}; " for line in _AROUND) + "exit 3"
    # Said without its time stamp.
    assert _reason(run_logtrim, "bash", "-c", script) == _FATAL.split(",120 ")[1]


_NOTE = "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"


@pytest.mark.parametrize(
    ("panic", "reason"),
    [
        (  # Rust 1.73 on, with the thread's id since 1.88
            [
                "thread 'main' (4242) panicked at src/main.rs:4:5:",
                "config file /etc/app.toml missing",
            ],
            "thread 'main' (4242) panicked at src/main.rs:4:5: config file /etc/app.toml missing",
        ),
        (
            ["thread 'main' panicked at src/main.rs:4:5:", "config file /etc/app.toml missing"],
            "thread 'main' panicked at src/main.rs:4:5: config file /etc/app.toml missing",
        ),
        (  # before Rust 1.73: one line
            ["thread 'main' panicked at 'config file missing', src/main.rs:4:5"],
            "thread 'main' panicked at 'config file missing', src/main.rs:4:5",
        ),
    ],
)
def test_a_rust_panic_is_the_reason_with_its_message(
    run_logtrim: RunLogtrim, panic: list[str], reason: str
) -> None:
    lines = ["error: could not read the cache, going on", *panic, _NOTE]
    script = "".join(f"echo {line!r} >&2; " for line in lines) + "exit 101"
    assert _reason(run_logtrim, "bash", "-c", script) == reason


_CRATE = """
fn main() {
    eprintln!("error: could not read the cache, going on");
    let path = "/etc/app.toml";
    panic!("config file {path} missing");
}
#[cfg(test)]
mod tests {
    #[test]
    fn adds() { assert_eq!(1 + 1, 3); }
    #[test]
    fn later() { assert!(false, "second failure"); }
    #[test]
    fn passes() {}
}
"""


@pytest.fixture(scope="module")
def crate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("cargo") is None:
        pytest.skip("cargo is not installed")
    root = tmp_path_factory.mktemp("crate")
    (root / "src").mkdir()
    (root / "Cargo.toml").write_text(
        '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n'
    )
    (root / "src" / "main.rs").write_text(_CRATE)
    subprocess.run(["cargo", "build", "--offline", "-q"], cwd=root, check=True, timeout=300)
    return root


@pytest.mark.slow
@pytest.mark.parametrize("backtrace", ["0", "1"])
def test_a_real_rust_panic(run_logtrim: RunLogtrim, crate: Path, backtrace: str) -> None:
    command = ["env", f"RUST_BACKTRACE={backtrace}", str(crate / "target" / "debug" / "app")]
    reason = _reason(run_logtrim, *command)
    assert reason.startswith("thread 'main'")
    assert reason.endswith("panicked at src/main.rs:5:5: config file /etc/app.toml missing")


@pytest.mark.slow
@pytest.mark.parametrize("backtrace", ["0", "1"])
def test_cargo_tests_first_failing_assertion(
    run_logtrim: RunLogtrim, crate: Path, backtrace: str
) -> None:
    # One thread: the tests fail in a known order (else the first to fail is a race).
    command = ["env", f"RUST_BACKTRACE={backtrace}", "cargo", "test", "--offline", "-q"]
    command += ["--", "--test-threads=1"]
    reason = _reason(run_logtrim, *command, cwd=crate)
    assert reason.startswith("thread 'tests::adds'")
    assert reason.endswith("assertion `left == right` failed, left: 2, right: 3")


TERRAFORM_BOX = """\
\x1b[31m\u2577\x1b[0m\x1b[0m
\x1b[31m\u2502\x1b[0m \x1b[0m\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1mlocal-exec \
provisioner error\x1b[0m
\x1b[31m\u2502\x1b[0m \x1b[0m
\x1b[31m\u2502\x1b[0m \x1b[0m  on main.tf line 10, in resource "terraform_data" "migrate":
\x1b[31m\u2502\x1b[0m \x1b[0mError running command 'psql -f migrate.sql': exit status 2. Output:
\x1b[31m\u2502\x1b[0m \x1b[0mpsql: error: connection to server at "db-02.internal" (10.0.3.12), port
\x1b[31m\u2502\x1b[0m \x1b[0m5432 failed: Connection refused
\x1b[31m\u2575\x1b[0m\x1b[0m
"""


# ``terraform apply`` on a failed precondition (Terraform 1.11): the title says only which
# check failed; the paragraph under the source it points at says what is wrong.
TERRAFORM_PRECONDITION = """\
\u2577
\u2502 Error: Resource precondition failed
\u2502
\u2502   on main.tf line 14, in resource "terraform_data" "lb":
\u2502   14:       condition     = var.replicas >= 5
\u2502     \u251c\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500
\u2502     \u2502 var.replicas is 3
\u2502
\u2502 replicas must be at least 5 in production (got 3).
\u2575
"""


LOCAL_EXEC = (
    "Error: local-exec provisioner error: Error running command 'psql -f migrate.sql': exit"
    ' status 2. Output: psql: error: connection to server at "db-02.internal" (10.0.3.12),'
    " port 5432 failed: Connection refused"
)


@pytest.mark.parametrize(
    ("box", "reason"),
    [
        (TERRAFORM_BOX, LOCAL_EXEC),
        (re.sub("\x1b\\[[0-9;]*m", "", TERRAFORM_BOX), LOCAL_EXEC),
        (TERRAFORM_PRECONDITION, "Error: Resource precondition failed: replicas must be at"
         " least 5 in production (got 3)."),
    ],
    ids=["colour", "plain", "precondition"],
)  # fmt: skip
def test_a_boxed_diagnostic_is_named_by_its_title_and_what_it_says_is_wrong(
    run_logtrim: RunLogtrim, tmp_path: Path, box: str, reason: str
) -> None:
    """Terraform draws an error in a box (``╷ │ ╵``), its detail wrapped to the terminal: the
    error words on the box's later lines (``5432 failed: Connection refused``) are the
    detail of its title, which names the failure, without the box's gutter; the box's first
    paragraph at the gutter's margin, after the source it points at, says what is wrong (the
    title was named alone: ``Error: Resource precondition failed``)."""
    (tmp_path / "box.txt").write_text(box, encoding="utf-8")
    script = 'for i in $(seq 1 300); do echo "terraform_data.ok[$i]: Creation complete"; done; '
    script += "cat box.txt >&2; exit 1"
    assert _reason(run_logtrim, "bash", "-c", script, cwd=tmp_path) == reason


PIP_BUILD = """\
  Building wheel for fastcsv (setup.py): started
  Building wheel for fastcsv (setup.py): finished with status 'error'
  error: subprocess-exited-with-error

  \u00d7 python setup.py bdist_wheel did not run successfully.
  \u2502 exit code: 1
  \u2570\u2500> [6 lines of output]
      running build_ext
      building 'fastcsv._speed' extension
      gcc -fPIC -I/usr/include/python3.11 -c fastcsv/_speed.c -o build/_speed.o
      fastcsv/_speed.c:2:71: error: 'missing_symbol' undeclared (first use in this function)
      error: command '/usr/bin/gcc' failed with exit code 1
      [end of output]

  note: This error originates from a subprocess, and is likely not a problem with pip.
  ERROR: Failed building wheel for fastcsv
Failed to build fastcsv
ERROR: Could not build wheels for fastcsv, which is required to install pyproject.toml projects
"""


def test_pip_s_error_code_gives_way_to_the_compiler_error_it_reports(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """pip names a failed build by an error code (``error: subprocess-exited-with-error``)
    above the build's own output: that code only says that something failed; the compiler's
    error in the output says why."""
    (tmp_path / "pip.txt").write_text(PIP_BUILD, encoding="utf-8")
    reason = _reason(run_logtrim, "bash", "-c", "cat pip.txt >&2; exit 1", cwd=tmp_path)
    assert reason.startswith("fastcsv/_speed.c:2:71: error: 'missing_symbol' undeclared")


def test_a_reason_too_long_keeps_its_end(run_logtrim: RunLogtrim) -> None:
    """A progress line of dots that ends in the error (``Downloading ....... ERROR: checksum
    mismatch``), past the reason's 500 characters: cut in the middle, as the console cuts
    it, so the error is in the reason and so is what the line is about."""
    script = (
        "printf 'Downloading base image '; for i in $(seq 1 3000); do printf '.'; done; "
        "printf ' ERROR: checksum mismatch for layer sha256:9f2c\\n'; exit 1"
    )
    reason = _reason(run_logtrim, "bash", "-c", script)
    assert len(reason) <= 500
    assert reason.startswith("Downloading base image ...")
    assert reason.endswith(". ERROR: checksum mismatch for layer sha256:9f2c")


def test_a_compiler_error_keeps_where_it_points_after_much_more_output(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """cargo repeats a build script's warnings after the error: the ``--> src/main.rs:4:21``
    under the error was read only at the end, by which time the history no longer held it."""
    error = (
        "error[E0308]: mismatched types\n --> src/main.rs:4:21\n  |\n"
        "4 |     let t: String = total(&v);\n  |                     ^^^^^^^^^ expected `String`\n"
    )
    (tmp_path / "error.txt").write_text(error, encoding="utf-8")
    warnings = 'for i in $(seq 0 500); do echo "warning: app@0.1.0: generated binding $i" >&2; done'
    script = f"{warnings}; cat error.txt >&2; {warnings}; exit 101"
    r = run_logtrim("--budget", "8kB", "--", "bash", "-c", script, cwd=tmp_path)
    assert r.code == 101
    assert b"failed (exit 101): error[E0308]: mismatched types (at src/main.rs:4:21)\n" in r.stdout


def test_a_failure_the_program_ignored_is_not_the_reason(run_logtrim: RunLogtrim) -> None:
    """Ansible goes on from a task with ``ignore_errors`` (``...ignoring`` under its
    ``fatal:`` line): the task that failed the play later is the reason, not the first
    ``fatal:`` (a first-wins rank)."""
    script = "\n".join(
        [
            "echo 'TASK [ntp : Restart ntpd] ***'",
            'echo \'fatal: [web-07]: FAILED! => {"changed": false, "msg": "no service ntpd"}\'',
            "echo '...ignoring'",
            'for i in $(seq 1 30); do echo "ok: [web-$i]"; done',
            "echo 'TASK [app : Run database migrations] ***'",
            'echo \'fatal: [db-01]: FAILED! => {"changed": true, "rc": 3}\'',
            "echo 'PLAY RECAP ***'",
            "exit 2",
        ]
    )
    reason = _reason(run_logtrim, "bash", "-c", script)
    assert reason.startswith("fatal: [db-01]: FAILED!")


def test_a_json_record_is_ranked_by_what_it_says(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """A structured log: an error handled early (``using cached rate``), then the record that
    ended the run, whose message alone reads as a status (``billing run aborted``) but whose
    exception says why: ranked as said (message and exception), it is the newer error."""
    (tmp_path / "app.py").write_text(
        "import json, sys\n"
        "def log(level, event, **kv):\n"
        "    print(json.dumps({'level': level, 'event': event, **kv}), file=sys.stderr)\n"
        "tb = 'Traceback (most recent call last):\\n  File \"app.py\", line 3, in <module>\\n'\n"
        "log('error', 'fx rate lookup failed; using cached rate',\n"
        "    exception=tb + 'TimeoutError: fx-rates timed out after 5s\\n')\n"
        "for i in range(3000): log('info', 'invoice reconciled', invoice_id=i)\n"
        "log('error', 'billing run aborted',\n"
        "    exception=tb + 'LedgerError: ledger out of balance for account ACC-15366\\n')\n"
        "log('info', 'shutdown complete')\n"
        "sys.exit(1)\n",
        encoding="utf-8",
    )
    reason = _reason(run_logtrim, sys.executable, "app.py", cwd=tmp_path)
    assert reason == "billing run aborted: LedgerError: ledger out of balance for account ACC-15366"


GRADLE = """\
com.acme.billing.BillingTest > roundsToCents() PASSED

InvoiceServiceTest > totalIncludesVat(String) > [2] country=DE FAILED
    org.opentest4j.AssertionFailedError: expected: <119.00> but was: <100.00>
        at app//com.acme.billing.InvoiceServiceTest.totalIncludesVat(InvoiceServiceTest.java:42)

301 tests completed, 1 failed

> Task :billing:test FAILED

FAILURE: Build failed with an exception.

* What went wrong:
Execution failed for task ':billing:test'.

BUILD FAILED in 1m 12s
"""


def test_gradle_s_failing_test_is_the_reason_with_its_assertion(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Gradle names a failing test ``Class > method > case FAILED`` and its assertion on the
    next, indented line; ``FAILURE: Build failed with an exception.`` only says the build
    failed."""
    (tmp_path / "gradle.txt").write_text(GRADLE, encoding="utf-8")
    reason = _reason(run_logtrim, "bash", "-c", "cat gradle.txt; exit 1", cwd=tmp_path)
    assert reason == (
        "InvoiceServiceTest > totalIncludesVat(String) > [2] country=DE FAILED - "
        "org.opentest4j.AssertionFailedError: expected: <119.00> but was: <100.00>"
    )


def test_a_json_record_with_a_lone_surrogate_is_no_internal_error(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """A JSON error record whose text escapes half an emoji (``\\ud83d``: a string cut by
    JavaScript or Java) and carries an exception: read as any record, not an internal error
    that would turn filtering off for the rest of the run."""
    record = (
        '{"level":"error","msg":"cannot decode name \\ud83d from client",'
        '"exception":"Traceback (most recent call last):\\n  File \\"x.py\\", line 3, in f\\n'
        'UnicodeDecodeError: bad surrogate"}'
    )
    (tmp_path / "log.txt").write_text(
        record + "\n" + "".join(f"INFO step {i}\n" for i in range(3000)) + "ERROR: deploy failed\n"
    )
    r = run_logtrim("--", "bash", "-c", "cat log.txt; exit 1", cwd=tmp_path)
    assert r.code == 1
    assert b"internal error" not in r.stderr
    # The record's exception says why; "deploy failed" only says that it did.
    reason = r.stdout.split(b"failed (exit 1): ", 1)[1].split(b"\n", 1)[0]
    assert reason.startswith(b"cannot decode name") and reason.endswith(b"bad surrogate")


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        # pip's error code alone is its whole reason (Debian's and Ubuntu's PEP 668).
        (
            [
                "error: externally-managed-environment",
                "",
                "\u00d7 This environment is externally managed",
                "hint: See PEP 668 for the detailed specification.",
            ],
            "error: externally-managed-environment",
        ),
        # Ansible's retried task is no failing test (``FAILED ``): the task that failed is.
        (
            [
                "FAILED - RETRYING: [web-07]: Wait for the service (5 retries left).",
                "ok: [web-07]",
                "TASK [app : Migrate] ***",
                'fatal: [db-01]: FAILED! => {"changed": true, "rc": 1}',
                "PLAY RECAP ***",
            ],
            'fatal: [db-01]: FAILED! => {"changed": true, "rc": 1}',
        ),
    ],
    ids=["pep668", "ansible-retrying"],
)
def test_a_status_or_a_retry_yields_to_the_line_that_says_why(
    run_logtrim: RunLogtrim, tmp_path: Path, lines: list[str], reason: str
) -> None:
    (tmp_path / "out.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _reason(run_logtrim, "bash", "-c", "cat out.txt >&2; exit 1", cwd=tmp_path) == reason


@pytest.mark.parametrize(
    "fatal",
    [
        '{"timestamp":"2026-12-04T21:00:05Z","level":"critical","event":"worker crashed"}',
        '{"time":"2026-12-04T21:00:05Z","severity":"FATAL","message":"worker crashed"}',
    ],
)
def test_a_json_record_whose_level_is_fatal_outranks_a_later_error(
    run_logtrim: RunLogtrim, tmp_path: Path, fatal: str
) -> None:
    """A structured logger's fatal level (structlog's ``critical``), after its timestamp,
    says what stopped the program, as a ``FATAL`` line does: a cleanup's error record after
    it is not the reason."""
    later = '{"level":"error","event":"failed to flush metrics: broken pipe"}'
    (tmp_path / "log.txt").write_text(f"{fatal}\n{later}\n", encoding="utf-8")
    # (said by its message: the logger's own fields, its time and level, left out)
    assert _reason(run_logtrim, "bash", "-c", "cat log.txt >&2; exit 1", cwd=tmp_path) == (
        "worker crashed"
    )


@pytest.mark.parametrize(
    ("first", "last", "reason"),
    [
        (
            '{"level":"error","logger":"shop.payments","event":"provider rejected batch 7781:'
            ' invalid merchant id"}',
            '{"level":"critical","logger":"shop.main","event":"deployment aborted"}',
            "provider rejected batch 7781: invalid merchant id",
        ),
        (
            "2024-01-01 12:00:00,000 ERROR shop.payments: provider rejected batch 7781:"
            " invalid merchant id",
            "2024-01-01 12:00:00,000 CRITICAL shop.main: deployment aborted",
            "ERROR shop.payments: provider rejected batch 7781: invalid merchant id",
        ),
    ],
    ids=["json", "text"],
)
def test_a_fatal_record_that_only_says_it_failed_leaves_the_reason_to_the_error_before_it(
    run_logtrim: RunLogtrim, tmp_path: Path, first: str, last: str, reason: str
) -> None:
    """An error that says why, twenty debug records, then a fatal record that only says the
    deployment stopped: the text form named the error, the JSON form its fatal record
    (``deployment aborted``): a JSON record's fatal level lifted even a status."""
    debug = "".join(f'{{"level":"debug","event":"released lock lk-{i}"}}\n' for i in range(20))
    (tmp_path / "log.txt").write_text(f"{first}\n{debug}{last}\n", encoding="utf-8")
    assert _reason(run_logtrim, "bash", "-c", "cat log.txt; exit 3", cwd=tmp_path) == reason


# pino's and bunyan's records name their level by number: 30 info, 40 warn, 50 error, 60 fatal.
_PINO = '{{"level":{level},"time":{time},"pid":4242,"hostname":"worker-3","msg":"{msg}"}}'


def _pino(level: int, time: int, msg: str) -> str:
    return _PINO.format(level=level, time=time, msg=msg)


def test_a_pino_record_of_level_50_is_an_error_line_and_the_reason(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """A Node service logging with pino says "error" by ``"level":50``, its message often
    with no error word: it was an info line, under a flood of info records at a small budget
    the console lost it, and the reason was "exited with code 1"."""
    declined = _pino(50, 1733346002000, "payment declined for order 7731")
    lines = [_pino(30, 1733346000000 + i, f"processed batch {i}") for i in range(400)]
    lines += [declined, *(_pino(30, 1733346003000 + i, f"cleanup {i}") for i in range(400))]
    (tmp_path / "log.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_logtrim("--budget", "4kB", "--", "bash", "-c", "cat log.txt; exit 1", cwd=tmp_path)
    assert result.code == 1
    assert result.stdout.count(declined.encode() + b"\n") == 1
    reason = _reason(run_logtrim, "bash", "-c", "cat log.txt; exit 1", cwd=tmp_path)
    assert reason == "payment declined for order 7731"


def test_a_pino_record_of_level_60_outranks_a_later_error_record(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    fatal = _pino(60, 1733346005000, "worker crashed")
    later = _pino(50, 1733346006000, "failed to flush metrics")
    warned = _pino(40, 1733346004000, "queue is 90% full")
    (tmp_path / "log.txt").write_text(f"{warned}\n{fatal}\n{later}\n", encoding="utf-8")
    assert fatal.endswith('"msg":"worker crashed"}')
    reason = _reason(run_logtrim, "bash", "-c", "cat log.txt; exit 1", cwd=tmp_path)
    assert reason == "worker crashed"


def test_a_level_inside_a_pino_record_s_object_is_not_its_level(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Only the record's own ``"level"`` is its level: an object it carries with a field of
    that name (``"stats":{"level":50}``) made an info record an error line, and the reason."""
    nested = '{"level":30,"time":1733346001000,"stats":{"level":50},"msg":"metrics flushed"}'
    lines = [_pino(30, 1733346000000 + i, f"processed batch {i}") for i in range(50)]
    (tmp_path / "log.txt").write_text("\n".join([*lines, nested]) + "\n", encoding="utf-8")
    reason = _reason(run_logtrim, "bash", "-c", "cat log.txt; exit 1", cwd=tmp_path)
    assert reason == "exited with code 1"


@pytest.mark.parametrize(
    ("cause", "status"),
    [
        (
            "ERROR migration 0042_add_index failed: duplicate key value violates unique "
            "constraint users_email_key",
            "ERROR: 1 step failed",
        ),
        ("ERROR migration 0042 failed: duplicate key", "2 of 5 steps failed"),
        ("ERROR migration 0042 failed: duplicate key", "ERROR: deploy failed"),
        ("ERROR: connection to db-01 failed", "Build failed."),
    ],
)
def test_a_phase_said_to_have_failed_is_no_reason_over_its_cause(
    run_logtrim: RunLogtrim, tmp_path: Path, cause: str, status: str
) -> None:
    """A closing "ERROR: deploy failed" or "2 of 5 steps failed" only says that a phase
    failed: the earlier line that says why is the reason. (A name's digits, ``db-01``, are
    no tally of failures either.)"""
    (tmp_path / "log.txt").write_text(
        cause + "\n" + "".join(f"INFO cleanup {i}\n" for i in range(30)) + status + "\n"
    )
    r = run_logtrim("--", "bash", "-c", "cat log.txt; exit 1", cwd=tmp_path)
    assert f"failed (exit 1): {cause}\n".encode() in r.stdout


@pytest.mark.parametrize(
    "warning",
    [
        "warning: could not read ~/.netrc: No such file",
        "WARN [deploy] cache dir /var/cache/app: Permission denied",
    ],
)
def test_a_warning_with_an_error_phrase_is_no_reason_over_the_closing_status(
    run_logtrim: RunLogtrim, tmp_path: Path, warning: str
) -> None:
    """A warning whose text names an error (``No such file``) outranked the closing
    ``ERROR: smoke checks failed`` once that line ranked as a status: its level says the
    program went on; the status that says it stopped is the reason."""
    (tmp_path / "log.txt").write_text(
        f"{warning}\nRunning smoke checks\nERROR: smoke checks failed\n"
    )
    r = run_logtrim("--", "bash", "-c", "cat log.txt; exit 1", cwd=tmp_path)
    assert b"failed (exit 1): ERROR: smoke checks failed\n" in r.stdout


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        # a warning that says why, then only a wrapper's word that the step failed
        (["WARNING:deploy:health check failed: ConnectionError: api.internal refused",
          "make: *** [Makefile:20: deploy] Error 1"],
         "WARNING:deploy:health check failed: ConnectionError: api.internal refused"),
        # a tool's own error relayed at a warning level, then a phase said to have failed
        (["WARNING: fatal: could not read Username for 'https://github.com'",
          "ERROR: deploy failed"],
         "WARNING: fatal: could not read Username for 'https://github.com'"),
        # an error record whose labels carry a warning's severity
        (['ts=1 level=error msg="notify failed: 401 Unauthorized" labels="{severity=warning}"',
          "Deployment failed, see above"],
         'ts=1 level=error msg="notify failed: 401 Unauthorized" labels="{severity=warning}"'),
    ],
)  # fmt: skip
def test_a_warning_that_says_why_is_the_reason_over_a_wrappers_word(
    run_logtrim: RunLogtrim, tmp_path: Path, lines: list[str], reason: str
) -> None:
    """A warning ranks below a phase said to have failed, not below a wrapper's status, a
    warning field elsewhere in an error record, or a tool's error it relays."""
    (tmp_path / "log.txt").write_text("\n".join(lines) + "\n")
    r = run_logtrim("--", "bash", "-c", "cat log.txt >&2; exit 1", cwd=tmp_path)
    assert f"failed (exit 1): {reason}\n".encode() in r.stdout


HELM_DEBUG = r"""
echo "history.go:56: [debug] getting history for release web"
for i in $(seq 1 20); do
  echo "ready.go:277: [debug] Deployment is not ready: prod/web. 1 out of 3 expected pods are ready"
done
echo 'upgrade.go:436: [debug] warning: Upgrade "web" failed: context deadline exceeded'
echo "Error: UPGRADE FAILED: context deadline exceeded" >&2
echo "helm.go:84: [debug] context deadline exceeded" >&2
echo "main.newUpgradeCmd.func2" >&2
echo "	helm.sh/helm/v3/cmd/helm/upgrade.go:203" >&2
exit 1
"""


def test_helm_s_debug_lines_are_no_reason(run_logtrim: RunLogtrim) -> None:
    """``helm --debug`` prints Go's ``file.go:N: [debug] ...``: its debug line that says a
    warning was named (``[debug] warning: Upgrade "web" failed``), not ``Error: UPGRADE
    FAILED``; a lower-case level in brackets was no level."""
    assert _reason(run_logtrim, "bash", "-c", HELM_DEBUG) == (
        "Error: UPGRADE FAILED: context deadline exceeded"
    )


def test_go_s_compile_error_is_the_reason(run_logtrim: RunLogtrim) -> None:
    """``go build`` writes its errors as a source position and the message, no error word:
    the line was detail, and a wrapper's ``error: build failed`` after it was named."""
    script = (
        "echo '# example.com/shop/api'; "
        "echo './main.go:12:2: undefined: foo' >&2; "
        "echo './main.go:14:9: cannot use x (variable of type int) as string value' >&2; "
        "echo 'error: build failed' >&2; exit 1"
    )
    assert _reason(run_logtrim, "bash", "-c", script) == "./main.go:12:2: undefined: foo"


def test_a_plain_error_prefix_is_no_compiler_s_error(run_logtrim: RunLogtrim) -> None:
    """``error: ...`` at a line's start is kubectl's, git's, any tool's: it ranked as a
    compiler's error, above a fatal record the app wrote before it (the cause)."""
    script = (
        'echo \'{"level":"info","msg":"starting web"}\'; '
        'echo \'{"level":"fatal","msg":"cannot load config",'
        '"error":"open /etc/web/secrets.yaml: no such file or directory"}\'; '
        "echo 'Waiting for deployment \"web\" rollout to finish: 1 of 3 updated...'; "
        "echo 'error: deployment \"web\" exceeded its progress deadline' >&2; exit 1"
    )
    assert "cannot load config" in _reason(run_logtrim, "bash", "-c", script)


def test_rustc_s_error_without_a_code_beats_cargo_s_summary(run_logtrim: RunLogtrim) -> None:
    script = (
        "echo '   Compiling rs v0.1.0 (/tmp/rs)' >&2; "
        "echo 'error: expected one of `.`, `;`, `?`, `}`, or an operator, found `let`' >&2; "
        "echo ' --> src/main.rs:3:5' >&2; "
        "echo 'error: could not compile `rs` (bin \"rs\") due to 1 previous error' >&2; exit 101"
    )
    assert _reason(run_logtrim, "bash", "-c", script).startswith("error: expected one of")


TOOLS = {
    "mocha, passing tests named for errors": (
        "echo '  api client'; "
        "echo '    \u2713 handles error responses'; "
        "echo '    \u2713 throws when the connection is refused'; "
        "echo '  3 passing (40ms)'; "
        "echo 'dist/main.js 412.3 kB (limit 400 kB): bundle too large' >&2; exit 1",
        "dist/main.js 412.3 kB (limit 400 kB): bundle too large",
    ),
    "gradle, Kotlin": (
        "echo '> Task :app:compileKotlin FAILED'; "
        "echo 'e: file:///srv/app/src/main/kotlin/App.kt:23:17 Unresolved reference: "
        "configureRouting' >&2; "
        "echo 'FAILURE: Build failed with an exception.' >&2; "
        "echo '* What went wrong:' >&2; "
        "echo \"Execution failed for task ':app:compileKotlin'.\" >&2; exit 1",
        "e: file:///srv/app/src/main/kotlin/App.kt:23:17 Unresolved reference: configureRouting",
    ),
    "git merge": (
        "echo 'Auto-merging config/prod.yaml'; "
        "echo 'CONFLICT (content): Merge conflict in config/prod.yaml'; "
        "echo 'Automatic merge failed; fix conflicts and then commit the result.'; exit 1",
        "CONFLICT (content): Merge conflict in config/prod.yaml",
    ),
    "git push": (
        "echo 'To github.com:shop/api.git' >&2; "
        "echo ' ! [rejected]        main -> main (fetch first)' >&2; "
        "echo \"error: failed to push some refs to 'github.com:shop/api.git'\" >&2; "
        "echo 'hint: Updates were rejected because the remote contains work that you do' >&2; "
        "echo 'hint: not have locally.' >&2; exit 1",
        "! [rejected]        main -> main (fetch first)",
    ),
    "pip resolver": (
        "echo 'ERROR: Cannot install app==1.0 and lib==2.0 because these package versions have "
        "conflicting dependencies.' >&2; "
        "echo 'ERROR: ResolutionImpossible: for help visit "
        "https://pip.pypa.io/en/latest/topics/dependency-resolution/' >&2; exit 1",
        "ERROR: Cannot install app==1.0 and lib==2.0 because these package versions have "
        "conflicting dependencies.",
    ),
}


@pytest.mark.parametrize("tool", TOOLS)
def test_the_line_that_says_why_is_named_for_common_tools(
    run_logtrim: RunLogtrim, tool: str
) -> None:
    """A passing test named for an error was an error line (and the reason); Kotlin's
    compiler and git's conflict had no error word (a status was named); pip's pointer to a
    page beat the conflict it points at."""
    script, reason = TOOLS[tool]
    assert _reason(run_logtrim, "bash", "-c", script) == reason


NPM_SCRIPT = r"""echo "ERROR in ./src/checkout/Payment.tsx 41:18"
echo "Module parse failed: Unexpected token (41:18)"
echo "webpack 5.91.0 compiled with 1 error in 4821 ms"
printf 'npm %s Lifecycle script `build` failed with error:\n' "$0" >&2
for line in 'code 1' 'path /build/shop-web' 'workspace shop-web@4.12.0' \
    'location /build/shop-web' 'command failed' 'command sh -c webpack --mode production'; do
  printf 'npm %s %s\n' "$0" "$line" >&2
done
exit 1
"""


@pytest.mark.parametrize("level", ["error", "ERR!"])
def test_npms_report_of_a_failed_script_is_no_reason(run_logtrim: RunLogtrim, level: str) -> None:
    """npm 7 on names where the script ran and what it ran (``npm error workspace
    shop-web@4.12.0``, ``npm error command sh -c webpack``) after the tool's own error:
    those lines were the reason."""
    r = run_logtrim("--ci", "plain", "--", "bash", "-c", NPM_SCRIPT, level)
    assert r.code == 1
    assert b"failed (exit 1): Module parse failed: Unexpected token (41:18)\n" in r.console


def test_npms_own_error_that_starts_with_command_stays_a_reason(run_logtrim: RunLogtrim) -> None:
    """``npm error command not found: webpack`` is npm's error, not its report of what ran
    (``npm error command sh -c webpack``)."""
    code = (
        "echo 'fetched registry metadata'\n"
        "echo 'npm error command not found: webpack' >&2\n"
        "echo 'npm error A complete log of this run can be found in: /root/.npm/x.log' >&2\n"
        "exit 1\n"
    )
    r = run_logtrim("--ci", "plain", "--", "bash", "-c", code)
    assert r.code == 1
    assert b"failed (exit 1): npm error command not found: webpack\n" in r.console


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        # A thing's number before "failed" names what failed; it is no count of failures.
        ("echo 'FATAL: job 12 failed' >&2; echo bye >&2", "FATAL: job 12 failed"),
        (
            "echo 'ERROR: migration 3 failed' >&2; echo 'cleaning up' >&2",
            "ERROR: migration 3 failed",
        ),
        # A runner's count still only says that something failed: the line before says why.
        (
            "echo 'AssertionError: total 81 != 80' >&2; echo 'Tests: 1 failed, 20 passed' >&2",
            "AssertionError: total 81 != 80",
        ),
        (
            "echo 'src/a.ts(3,5): error TS2322: number is not string' >&2;"
            " echo 'Found 2 errors in 1 file.' >&2",
            "src/a.ts(3,5): error TS2322: number is not string",
        ),
    ],
)
def test_a_number_before_failed_is_a_tally_only_when_it_counts(
    run_logtrim: RunLogtrim, script: str, reason: str
) -> None:
    assert _reason(run_logtrim, "bash", "-c", script + "; exit 1") == reason


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_a_node_error_naming_a_numbered_step_is_the_reason(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Not Node's version line after its stack (``Node.js v20.1.0``)."""
    script = tmp_path / "migrate.js"
    script.write_text('function m() { throw new Error("migration 3 failed"); }\nm();\n')
    assert _reason(run_logtrim, "node", str(script)) == "Error: migration 3 failed"


_LOGGED_TRACE = (
    "java.lang.RuntimeException: Failed to load tenant configuration\n"
    "\tat shop.Svc.repo(Svc.java:2)\n"
    "\tat shop.Svc.main(Svc.java:4)\n"
    "Caused by: java.lang.IllegalArgumentException: tenant id must not be null\n"
    "\t... 2 more\n"
)


@pytest.mark.parametrize(
    "before", ["", "2024-05-01 10:00:00.123 ERROR [main] c.e.Svc - Tenant sync aborted\n"]
)
def test_a_logged_java_exception_is_named_with_its_root_cause(
    run_logtrim: RunLogtrim, tmp_path: Path, before: str
) -> None:
    """``e.printStackTrace()`` and a logger's ``log.error("...", e)`` write the chain without
    ``Exception in thread``: its ``Caused by:`` is the root cause all the same."""
    trace = tmp_path / "trace.txt"
    trace.write_text(before + _LOGGED_TRACE + "Shutdown complete\n")
    reason = _reason(run_logtrim, "sh", "-c", f"cat {trace} >&2; exit 1")
    assert reason == (
        "java.lang.RuntimeException: Failed to load tenant configuration"
        " (caused by java.lang.IllegalArgumentException: tenant id must not be null)"
    )


# An unhandled .NET exception as the runtime writes it: inner exceptions after ``---> ``, the
# innermost first to be thrown, their frames after, each inner trace closed by a separator.
_DOTNET_TRACE = (
    "Unhandled exception. System.InvalidOperationException: An exception has been raised"
    " that is likely due to a transient failure.\n"
    " ---> Npgsql.NpgsqlException (0x80004005): Failed to connect to 10.0.0.5:5432\n"
    " ---> System.Net.Sockets.SocketException (111): Connection refused\n"
    "   at Npgsql.Internal.NpgsqlConnector.Connect(NpgsqlTimeout timeout)\n"
    "   --- End of inner exception stack trace ---\n"
    "   at Npgsql.Internal.NpgsqlConnector.Open(NpgsqlTimeout timeout, Boolean async)\n"
    "   --- End of inner exception stack trace ---\n"
    "   at Shop.Api.Program.Main(String[] args) in C:\\src\\Shop.Api\\Program.cs:line 42\n"
)


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("inner", [1, 2])
def test_a_dotnet_exception_is_named_with_its_innermost_exception(
    run_logtrim: RunLogtrim, tmp_path: Path, ending: str, inner: int
) -> None:
    """.NET's inner exceptions are its causes (the last ``---> `` the root cause, as Java's
    last ``Caused by:``); its ``--- End of inner exception stack trace ---`` is a frame,
    never the reason."""
    lines = _DOTNET_TRACE.splitlines()
    if inner == 1:
        lines = [line for line in lines if "Npgsql.NpgsqlException" not in line]
    trace = tmp_path / "trace.txt"
    trace.write_bytes("".join(line + ending for line in lines).encode())
    script = f"echo 'applying migrations'; cat {trace} >&2; exit 134"
    assert _reason(run_logtrim, "sh", "-c", script) == (
        "Unhandled exception. System.InvalidOperationException: An exception has been raised"
        " that is likely due to a transient failure."
        " (caused by System.Net.Sockets.SocketException (111): Connection refused)"
    )


def test_a_dotnet_aggregate_exception_is_named_with_its_first_inner_exception(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """An AggregateException writes its other inner exceptions after the first one's trace
    (``---> (Inner Exception #1) ...<---``): siblings, not a deeper cause."""
    trace = tmp_path / "trace.txt"
    trace.write_text(
        "Unhandled exception. System.AggregateException: One or more errors occurred."
        " (first) (second)\n"
        " ---> System.InvalidOperationException: first\n"
        "   at Program.<>c.<Main>b__0_0() in /app/Program.cs:line 8\n"
        "   --- End of inner exception stack trace ---\n"
        "   at Program.Main() in /app/Program.cs:line 10\n"
        " ---> (Inner Exception #1) System.ArgumentException: second\n"
        "   at Program.<>c.<Main>b__0_1() in /app/Program.cs:line 9<---\n\n"
    )
    assert _reason(run_logtrim, "sh", "-c", f"cat {trace} >&2; exit 1") == (
        "Unhandled exception. System.AggregateException: One or more errors occurred."
        " (first) (second) (caused by System.InvalidOperationException: first)"
    )


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        # A last line that only says the program stops: the line before says why.
        (
            "for i in $(seq 1 50); do echo sync file$i; done;"
            " echo 'remote returned: 409 conflict on object app.js (version mismatch)';"
            " echo 'giving up'",
            "remote returned: 409 conflict on object app.js (version mismatch)",
        ),
        (
            "echo 'upload: part 3 rejected: checksum mismatch'; echo 'Aborting.'",
            "upload: part 3 rejected: checksum mismatch",
        ),
        # ... unless that line is an info line or says nothing failed: then the stop itself.
        ("echo 'INFO all good'; echo 'giving up'", "giving up"),
        ("echo 'Server listening on :8080' >&2; echo 'exiting' >&2", "exiting"),
        # A limit exceeded says why, on stdout too; over an error the script went on from.
        (
            "echo 'ERROR: upload of chunk 2 failed: connection reset; retrying (1/3)';"
            " echo 'Upload complete'; echo 'Quota exceeded: requested 12 vCPUs, limit is 8'",
            "Quota exceeded: requested 12 vCPUs, limit is 8",
        ),
    ],
)
def test_the_line_that_says_why_a_script_stopped_is_named(
    run_logtrim: RunLogtrim, script: str, reason: str
) -> None:
    assert _reason(run_logtrim, "bash", "-c", script + "; exit 3") == reason


@pytest.mark.parametrize(
    ("handler", "said"),
    [
        ("json.loads('{bad')", "while handling"),  # an error inside the handler: context
        ("raise RuntimeError('no config') from e", "caused by"),  # the direct cause
    ],
)
def test_an_exception_raised_while_handling_another_is_not_said_to_be_caused_by_it(
    run_logtrim: RunLogtrim, handler: str, said: str
) -> None:
    """Python's "During handling of the above exception, another exception occurred" chains
    the exception being handled as context; "The above exception was the direct cause"
    (``raise ... from``) as the cause. The reason says which."""
    code = (
        "import json\n"
        "try:\n    open('/nonexistent/config.json')\n"
        f"except FileNotFoundError as e:\n    {handler}\n"
    )
    reason = _reason(run_logtrim, sys.executable, "-c", code)
    assert f"({said} FileNotFoundError: [Errno 2] No such file or directory" in reason


def test_npm_s_error_wrapped_over_its_lines_is_named_whole(run_logtrim: RunLogtrim) -> None:
    """``npm ci`` without a lock file: npm wraps its sentence at 80 columns, each line under
    its ``npm error`` prefix; the reason was cut at the first (``... package-lock.json or``)."""
    lines = [
        "npm error code EUSAGE",
        "npm error",
        "npm error The `npm ci` command can only install with an existing package-lock.json or",
        "npm error npm-shrinkwrap.json with lockfileVersion >= 1. Run an install with npm@5 or",
        "npm error later to generate a package-lock.json file, then try again.",
        "npm error",
        "npm error Clean install a project",
    ]
    script = "; ".join(f"echo {line!r} >&2" for line in lines)
    assert _reason(run_logtrim, "bash", "-c", script + "; exit 1") == (
        "npm error The `npm ci` command can only install with an existing package-lock.json or"
        " npm-shrinkwrap.json with lockfileVersion >= 1. Run an install with npm@5 or later to"
        " generate a package-lock.json file, then try again."
    )


# npm's report of a failed fetch (npm 10 against a registry that refuses connections).
NPM_FETCH = """\
npm error code ECONNREFUSED
npm error syscall connect
npm error errno ECONNREFUSED
npm error FetchError: request to http://127.0.0.1:9/left-pad-zz failed, reason: connect ECONNREFUSED 127.0.0.1:9
npm error     at ClientRequest.<anonymous> (/usr/lib/node_modules/npm/node_modules/minipass-fetch/lib/index.js:130:14)
npm error     at ClientRequest.emit (node:events:524:28)
npm error     at process.processTicksAndRejections (node:internal/process/task_queues:83:21) {
npm error   code: 'ECONNREFUSED',
npm error   port: 9,
npm error }
npm error
npm error If you are behind a proxy, please make sure that the 'proxy' config is set properly.
npm error A complete log of this run can be found in: /root/.npm/_logs/debug-0.log
"""  # noqa: E501


def test_npm_s_error_is_named_without_the_stack_frames_under_it(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """The indented lines under npm's error (its stack frames, under the same ``npm error``
    prefix) are no wrapped sentence: they were glued onto the reason."""
    (tmp_path / "npm.txt").write_text(NPM_FETCH, encoding="utf-8")
    reason = _reason(run_logtrim, "bash", "-c", "cat npm.txt >&2; exit 1", cwd=tmp_path)
    assert reason == (
        "npm error FetchError: request to http://127.0.0.1:9/left-pad-zz failed, reason: connect"
        " ECONNREFUSED 127.0.0.1:9"
    )


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        # A numbered thing said to have failed is a phase: the line that says why wins.
        (
            [
                'psql: ERROR:  could not create unique index "orders_idx"',
                "ERROR: migration 3 failed",
            ],
            'psql: ERROR:  could not create unique index "orders_idx"',
        ),
        (
            [
                "2024-05-01 10:00:00 ERROR worker-3: Timeout waiting for lock on table orders",
                "2024-05-01 10:00:01 ERROR [runner] Batch 17 failed",
            ],
            "ERROR worker-3: Timeout waiting for lock on table orders",  # (its stamp aside)
        ),
        # A runner's label before its count: a tally.
        (
            [
                " FAIL  src/a.test.ts > adds",
                "AssertionError: expected 3 to be 4",
                "      Tests 1 failed | 10 passed (11)",
            ],
            "AssertionError: expected 3 to be 4",
        ),
        # A JVM exception logged at WARN and gone on from: a later error is the reason.
        (
            [
                "WARN  c.e.App - cache warm-up failed, continuing without cache",
                "java.net.ConnectException: Connection refused",
                "\tat c.e.Cache.warm(Cache.java:12)",
                "INFO  c.e.App - started",
                "ERROR c.e.App - Deployment failed: target /var/www/shop is read-only",
            ],
            "ERROR c.e.App - Deployment failed: target /var/www/shop is read-only",
        ),
        # A limit said not exceeded says nothing failed: the exit code is the reason.
        (["Checking quotas", "No thresholds exceeded"], "exited with code 1"),
        (["Memory limit has not been exceeded"], "exited with code 1"),
    ],
)
def test_what_only_says_a_step_failed_gives_way_to_what_says_why(
    run_logtrim: RunLogtrim, lines: list[str], reason: str
) -> None:
    assert _printed_reason(run_logtrim, *lines) == reason


@pytest.mark.parametrize(
    "failed",
    [
        "10:00:01.123 [main] ERROR c.e.Job - job 12 failed",  # logback
        'time=2024-05-01T10:00:01Z level=error msg="job 12 failed"',  # logfmt
        "E0501 10:00:01.123 1234 job.go:42] job 12 failed",  # klog
    ],
)
def test_a_numbered_job_said_failed_in_any_logger_s_format_gives_way_to_its_cause(
    run_logtrim: RunLogtrim, failed: str
) -> None:
    cause = "ERROR write /var/lib/app/out.csv: No space left on device"
    assert _printed_reason(run_logtrim, cause, failed) == cause


@pytest.mark.parametrize(
    "last",
    [
        "FATAL: Connection to 10.0.0.5:5432 failed",  # an address names what failed
        "ERROR [tls] TLS handshake with 10.0.0.5 failed",
        # a stamp is no part of what a line says: not a failing test's ``FAIL:``
        "2024-05-01T10:00:01Z ERROR migration refused: column orders.total is not nullable",
    ],
)
def test_a_line_that_names_what_failed_outranks_an_older_error(
    run_logtrim: RunLogtrim, last: str
) -> None:
    older = "ERROR could not register JMX bean metrics, going on"
    reason = _printed_reason(run_logtrim, older, last)
    assert last.endswith(reason) and "JMX" not in reason


def test_a_stamped_fail_word_is_no_failing_test(run_logtrim: RunLogtrim) -> None:
    """``FAIL:`` after a time stamp is a logger's word, not a test runner's line (which
    starts with it): the later error that says why is the reason."""
    lines = [
        "2024-05-01T10:00:01Z FAIL: redis-replica-2 lagging 12s (non-critical)",
        "2024-05-01T10:00:05Z ERROR upload to s3://bucket/out.csv failed: AccessDenied",
    ]
    assert "AccessDenied" in _printed_reason(run_logtrim, *lines)


UNITTEST = """
import unittest

def div(a, b):
    return a / b

class CartTest(unittest.TestCase):
    def test_total(self):
        self.assertEqual(2 + 2, 5, "total is off")
    def test_split(self):
        self.assertEqual(div(1, 0), 0)
    def test_ok(self):
        pass

unittest.main(module=__name__)
"""


def test_a_unittest_failure_is_named_with_its_test(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """unittest reports each failure under ``ERROR: test_split (...)`` and a rule: the reason
    was the exception alone (``ZeroDivisionError: division by zero``), no word of which test
    of three failed; pytest's ``FAILED test.py::test_split - ...`` names it."""
    script = tmp_path / "test_cart.py"
    script.write_text(UNITTEST)
    reason = _reason(run_logtrim, sys.executable, str(script))
    # (Python 3.11 names the test in its class's parentheses, earlier ones the class only)
    test = re.escape("ERROR: test_split (__main__.CartTest") + r"(?:\.test_split)?\)"
    assert re.fullmatch(test + " - ZeroDivisionError: division by zero", reason), reason


def test_the_detail_after_a_reason_is_its_line_after_when_the_output_ends_unfinished(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """stdout ends in an Octopus command left open and a last line without a newline (its
    lines are held, then flushed together at the end), stderr likewise after it: the line
    after the chosen one is its detail, not lines written before it."""
    child = tmp_path / "child.py"
    child.write_text(
        "import sys\n"
        "out, err = sys.stdout.buffer, sys.stderr.buffer\n"
        "for i in range(20): out.write(b'setup line %d\\n' % i)\n"
        "out.write(b\"##octopus[setVariable name='eA==' value='\\n\")\n"
        "for i in range(3): out.write(b'  filler %d \\n' % i)\n"
        "out.write(b'ERROR: failed to connect:\\n  cause: REAL\\n  after 0 \\ntail-no-newline')\n"
        "out.flush()\n"
        "err.write(b\"##octopus[setVariable name='eQ==' value='\\n\")\n"
        "err.write(b'e' * 100 + b'\\nwarning: x')\n"
        "err.flush()\n"
        "sys.exit(1)\n"
    )
    reason = _reason(run_logtrim, sys.executable, str(child))
    assert reason.startswith("ERROR: failed to connect: cause: REAL"), reason
    assert "filler" not in reason


@pytest.mark.parametrize("said", [True, False])
def test_a_failed_subprocess_is_named_by_what_the_tool_said(
    run_logtrim: RunLogtrim, tmp_path: Path, said: bool
) -> None:
    """``subprocess.run(..., check=True)``: the ``CalledProcessError`` only says that the tool
    failed; the tool's own message above the traceback says why. With none, it is the reason."""
    tool = "import sys; sys.stderr.write('tar: dist: Cannot stat: No such file or directory\\n')"
    if not said:  # (the traceback quotes the call, an error word in it: the code's words)
        tool = "import sys; 'exits on an error, says nothing'"
    child = tmp_path / "step.py"
    child.write_text(
        "import subprocess, sys\n"
        "print('building release bundle', flush=True)\n"
        f"subprocess.run([sys.executable, '-c', {tool + '; sys.exit(2)'!r}], check=True)\n"
    )
    reason = _reason(run_logtrim, sys.executable, str(child))
    if said:
        assert reason == "tar: dist: Cannot stat: No such file or directory"
    else:
        assert reason.startswith("subprocess.CalledProcessError: Command ")
        assert reason.endswith("returned non-zero exit status 2.")


def test_an_exception_a_formatter_wrapped_at_the_width_is_named_whole(
    run_logtrim: RunLogtrim,
) -> None:
    """rich (structlog's console renderer, with rich installed) wraps an exception's line at
    80 columns where there is no terminal, its blank left at the wrap: the reason was cut
    there (``... violates unique``), without what was violated."""
    code = (
        "import sys\n"
        "from rich.console import Console\n"
        "for i in range(200):\n"
        "    print(f'applying migration {i}')\n"
        "try:\n"
        "    raise RuntimeError('migration 0042 failed: duplicate key value violates unique'\n"
        "                       ' constraint \"orders_pkey\"')\n"
        "except RuntimeError:\n"
        "    Console(file=sys.stdout, width=80).print_exception()\n"
        "sys.exit(4)\n"
    )
    assert _reason(run_logtrim, sys.executable, "-c", code) == (
        "RuntimeError: migration 0042 failed: duplicate key value violates unique constraint"
        ' "orders_pkey"'
    )


@pytest.mark.parametrize(
    "after",
    ["Cleaning up temporary files", "make: *** [Makefile:12: deploy] Error 4", "+ rm -rf /tmp/c"],
)
def test_a_line_of_its_own_after_an_80_column_exception_is_no_part_of_it(
    run_logtrim: RunLogtrim, after: str
) -> None:
    """After rich's panel, an exception line of exactly 80 columns that happens to end in a
    blank, then the program's next sentence: the two were named as one wrapped line."""
    code = (
        "import sys\n"
        "from rich.console import Console\n"
        "msg = 'deploy of web-03 failed: health check returned 503; see '\n"
        "msg += 'x' * (79 - len('RuntimeError: ') - len(msg)) + ' '\n"
        "try:\n"
        "    raise RuntimeError(msg)\n"
        "except RuntimeError:\n"
        "    Console(file=sys.stdout, width=80).print_exception()\n"
        f"print({after!r})\n"
        "sys.exit(4)\n"
    )
    reason = _reason(run_logtrim, sys.executable, "-c", code)
    assert reason.startswith("RuntimeError: deploy of web-03 failed") and reason.endswith("xx")


def test_an_error_the_program_fell_back_from_is_no_reason_far_from_the_end(
    run_logtrim: RunLogtrim,
) -> None:
    """``ERROR: mirror eu-1 unreachable, falling back to us-1``, then a dozen lines of the
    step going on, then a silent ``set -e`` exit: the error it recovered from was named (as
    stderr's last line too). It says it went on, as ``retrying`` does."""
    code = (
        TAKEN + "import os, sys\n"
        "print('== fetch ==', flush=True)\n"
        "taken(1)\n"
        "os.write(2, b'ERROR: mirror eu-1 unreachable, falling back to us-1\\n')\n"
        "taken(2)\n"
        "for i in range(12):\n"
        "    print(f'verified package {i}', flush=True)\n"
        "sys.exit(1)\n"
    )
    assert _reason(run_logtrim, *py(code)) == "exited with code 1"


def test_an_error_the_program_skipped_past_is_no_reason_over_the_exception(
    run_logtrim: RunLogtrim,
) -> None:
    """A migration's traceback, its ``failed, rolling back``, then a long rollback whose few
    error lines each end ``..., skipping``: the last of those (a file it could not restore and
    went on without) was named, over the exception that failed the step."""
    code = (
        "import sys\n"
        "w = sys.stdout.write\n"
        "w('Traceback (most recent call last):\\n')\n"
        "w('  File \"/app/migrate.py\", line 88, in run\\n')\n"
        "w('    cur.execute(sql)\\n')\n"
        "w('psycopg2.errors.UndefinedColumn: column \"basket_id\" does not exist\\n')\n"
        "w('2024-05-02 10:05:01,000 ERROR shop.deploy: migration 0042 failed, rolling back\\n')\n"
        "for i in range(100):\n"
        "    w(f'2024-05-02 10:06:00,000 DEBUG shop.cleanup: restore file{i}.dll ok\\n')\n"
        "    if i % 50 == 25:\n"
        "        w(f'2024-05-02 10:06:00,000 ERROR shop.cleanup: could not restore file{i}.pdb:'\n"
        "          ' file in use, skipping\\n')\n"
        "sys.exit(2)\n"
    )
    reason = _reason(run_logtrim, sys.executable, "-c", code)
    assert reason == 'psycopg2.errors.UndefinedColumn: column "basket_id" does not exist'


MAVEN_TESTS_IGNORED = """\
[INFO] --- maven-surefire-plugin:3.2.2:test (default-test) @ shop-core ---
[INFO] Running com.example.core.PriceCalculatorTest
[ERROR] Tests run: 12, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.084 s <<< FAILURE! \
-- in com.example.core.PriceCalculatorTest
[ERROR] com.example.core.PriceCalculatorTest.appliesCoupon -- Time elapsed: 0.011 s <<< FAILURE!
org.opentest4j.AssertionFailedError: expected: <107.10> but was: <108.00>
\tat com.example.core.PriceCalculatorTest.appliesCoupon(PriceCalculatorTest.java:58)
[ERROR] Tests run: 43, Failures: 1, Errors: 0, Skipped: 2
[INFO] --------------------< com.example:shop-api >---------------------
[INFO] --- maven-compiler-plugin:3.11.0:compile (default-compile) @ shop-api ---
[ERROR] COMPILATION ERROR :
[ERROR] /src/shop-api/src/main/java/com/example/api/OrderController.java:[41,28] cannot find symbol
  symbol:   method applyCoupon(java.lang.String)
[INFO] shop-core .......................................... SUCCESS [ 14.210 s]
[INFO] shop-api ........................................... FAILURE [  3.007 s]
[INFO] BUILD FAILURE
[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.11.0:compile \
(default-compile) on project shop-api: Compilation failure
[ERROR] /src/shop-api/src/main/java/com/example/api/OrderController.java:[41,28] cannot find symbol
"""


def test_a_compiler_error_after_failing_tests_is_the_reason(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Maven with ``-Dmaven.test.failure.ignore=true``: a module's test fails (the module is a
    SUCCESS), the next module does not compile, the build fails. The ignored test was named:
    a failing test outranks a compiler error, but one after it is another part's, past them."""
    (tmp_path / "mvn.txt").write_text(MAVEN_TESTS_IGNORED, encoding="utf-8")
    reason = _reason(run_logtrim, "bash", "-c", "cat mvn.txt; exit 1", cwd=tmp_path)
    assert reason == (
        "[ERROR] /src/shop-api/src/main/java/com/example/api/OrderController.java:[41,28]"
        " cannot find symbol"
    )


@pytest.mark.parametrize("said", ["continuing without cache", "continuing", "skipping"])
def test_a_traceback_logged_with_an_error_it_went_past_is_no_reason(
    run_logtrim: RunLogtrim, tmp_path: Path, said: str
) -> None:
    """``log.exception("cache warm-up failed, continuing ...")`` prints its record, then the
    handled exception's traceback: the program went past both. The error that came after,
    and the exit message, say why the step failed; the handled exception was named."""
    app = tmp_path / "app.py"
    app.write_text(
        "import logging, sys\n"
        "logging.basicConfig(level=logging.INFO,"
        " format='%(asctime)s %(levelname)s %(name)s: %(message)s')\n"
        "log = logging.getLogger('deploy')\n"
        "log.info('warming cache')\n"
        "try:\n"
        "    raise ConnectionError('cache-01 unreachable')\n"
        "except ConnectionError:\n"
        f"    log.exception('cache warm-up failed, {said}')\n"
        "log.info('deploying web-07')\n"
        "log.error('health check failed for web-07: HTTP 503')\n"
        "sys.exit(3)\n"
    )
    reason = _reason(run_logtrim, sys.executable, str(app))
    assert reason == "ERROR deploy: health check failed for web-07: HTTP 503"


def test_a_traceback_logged_with_an_error_it_did_not_go_past_stays_the_reason(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    app = tmp_path / "app.py"
    app.write_text(
        "import logging, sys\n"
        "logging.basicConfig(format='%(levelname)s %(name)s: %(message)s')\n"
        "log = logging.getLogger('deploy')\n"
        "try:\n"
        "    raise ConnectionError('db-01 unreachable')\n"
        "except ConnectionError:\n"
        "    log.exception('migration failed')\n"
        "log.error('rollback done')\n"
        "sys.exit(3)\n"
    )
    assert _reason(run_logtrim, sys.executable, str(app)) == "ConnectionError: db-01 unreachable"


def test_an_error_retried_then_said_to_succeed_is_no_reason(run_logtrim: RunLogtrim) -> None:
    """``..., retrying in 2s`` and the next line says the retry succeeded: the program got
    past it, and a summary that blames it sends people the wrong way; with nothing else, the
    exit code is the reason."""
    reason = _printed_reason(
        run_logtrim,
        "ERROR: upload to s3://shop-releases failed: RequestTimeout (attempt 3/5), retrying in 2s",
        "upload to s3://shop-releases succeeded (attempt 4/5)",
        "post-step 1 ok",
        "Restarting shop-api",
    )
    assert reason == "exited with code 1"


def test_go_s_log_time_stamp_is_left_out_of_the_reason(run_logtrim: RunLogtrim) -> None:
    reason = _printed_reason(
        run_logtrim, "2024/03/14 09:21:09 dial tcp 10.0.0.5:5432: connect: connection refused"
    )
    assert reason == "dial tcp 10.0.0.5:5432: connect: connection refused"


def test_a_table_row_is_named_with_its_columns_two_blanks_apart(run_logtrim: RunLogtrim) -> None:
    reason = _printed_reason(
        run_logtrim,
        "NAME                        READY   STATUS             RESTARTS      AGE",
        "shop-api-7f9c6d5b8-2xkqp    0/1     CrashLoopBackOff   5 (31s ago)   4m",
    )
    assert reason == "shop-api-7f9c6d5b8-2xkqp  0/1  CrashLoopBackOff  5 (31s ago)  4m"


_THREAD_DIES = """
import sys, threading
def warm():
    raise TimeoutError("cache warm-up timed out after 30s")
t = threading.Thread(target=warm, name="warmer")
t.start()
t.join()
sys.stderr.flush()
taken(2)
for i in range(LINES):
    print(f"uploading chunk {i + 1}/10", flush=True)
taken(1)  # (two pipes carry no order: the last line after the others are read)
print(LAST, file=sys.stderr, flush=True)
sys.exit(2)
"""


@pytest.mark.parametrize(
    ("lines", "last", "expected"),
    [
        # The main thread went on with its work, then failed for its own reason.
        (10, "upload failed: bucket deploy-artifacts returned 403 AccessDenied",
         "upload failed: bucket deploy-artifacts returned 403 AccessDenied"),
        # Right after the thread's end, the main thread's word follows from it.
        (0, "ERROR: 1 worker failed", "TimeoutError: cache warm-up timed out after 30s"),
        # Nothing else says why: the thread's exception does.
        (10, "done", "TimeoutError: cache warm-up timed out after 30s"),
    ],
)  # fmt: skip
def test_a_threads_exception_the_main_thread_went_on_from(
    run_logtrim: RunLogtrim, lines: int, last: str, expected: str
) -> None:
    """A thread that died of an exception (``Exception in thread warmer:`` and its traceback)
    was named over the main thread's own later error unless 50 lines of other output came
    between: the program went on without the thread, so its error says why it stopped."""
    code = TAKEN + _THREAD_DIES.replace("LINES", str(lines)).replace("LAST", repr(last))
    assert _reason(run_logtrim, *py(code)) == expected


@pytest.mark.parametrize(
    ("thread", "expected"),
    [
        ("pool-1-thread-2", "ERROR: migration 0042 failed: duplicate key value"),
        ("main", 'Exception in thread "main" java.lang.IllegalStateException: pool exhausted'),
    ],
)
def test_javas_exception_in_a_thread_other_than_main(
    run_logtrim: RunLogtrim, thread: str, expected: str
) -> None:
    """Java names the thread: a pool's thread dying leaves the program going on; ``main``'s
    exception ends it."""
    trace = (
        f'Exception in thread "{thread}" java.lang.IllegalStateException: pool exhausted\\n'
        "\\tat shop.Pool.take(Pool.java:12)\\n"
        + "processing batch\\n" * 8
        + "ERROR: migration 0042 failed: duplicate key value\\n"
    )
    assert _reason(run_logtrim, "sh", "-c", f"printf '{trace}' >&2; exit 3") == expected


def test_a_threads_exception_logged_by_the_handler_is_a_threads(run_logtrim: RunLogtrim) -> None:
    """logtrim's handler logs a thread's uncaught exception under its own record
    (``uncaught TimeoutError in thread warmer``): read as Python's hook prints it."""
    trace = (
        "ERROR:logtrim:uncaught TimeoutError in thread warmer\\n"
        "Traceback (most recent call last):\\n"
        '  File "app.py", line 6, in warm\\n'
        "TimeoutError: cache warm-up timed out after 30s\\n"
        + "INFO:deploy:uploading chunk\\n" * 10
        + "ERROR:deploy:upload failed: bucket returned 403 AccessDenied\\n"
    )
    reason = _reason(run_logtrim, "sh", "-c", f"printf '{trace}' >&2; exit 2")
    assert reason == "ERROR:deploy:upload failed: bucket returned 403 AccessDenied"


@pytest.mark.parametrize(
    ("last", "reason"),
    [
        # A cause, then that what it did stopped: the fatal line says why.
        ("FATAL: too many invalid rows (3000 > 100), import aborted", None),
        ("FATAL: import aborted because too many rows were invalid", None),
        # ... but ``because`` of errors says no more than that it stopped.
        ("FATAL: import aborted due to errors", "ERROR: validation failed for record 2: bad sku"),
        ("FATAL: import aborted", "ERROR: validation failed for record 2: bad sku"),
    ],
)
def test_a_fatal_line_with_its_cause_before_or_after_aborted(
    run_logtrim: RunLogtrim, last: str, reason: str | None
) -> None:
    """``FATAL: too many invalid rows (3000 > 100), import aborted`` was read as a status
    (``aborted``), so an older plain error line was named over it: a cause then ``X
    aborted``, or ``aborted because`` a cause, is the fatal line it is."""
    first = "ERROR: validation failed for record 2: bad sku"
    assert _printed_reason(run_logtrim, first, last) == (reason or last)


@pytest.mark.parametrize(
    "last", ["giving up after 3 attempts", "attempt 3/3 failed, giving up", "all retries failed"]
)
def test_the_retries_over_give_way_to_the_last_error_retried(
    run_logtrim: RunLogtrim, last: str
) -> None:
    """A script's last line that only says its retries are over was named over the error
    line it retried: that line says why."""
    cause = "ERROR: upload failed: connection reset by peer (attempt 3/3), retrying in 2s"
    lines = [cause.replace("3/3", "1/3"), cause.replace("3/3", "2/3"), cause, last]
    assert _printed_reason(run_logtrim, *lines) == cause


@pytest.mark.parametrize(("tried", "named"), [("3/3", True), ("3 of 3", True), ("2/3", False)])
def test_the_last_attempt_is_no_retry(run_logtrim: RunLogtrim, tried: str, named: bool) -> None:
    """``(attempt 3/3)``: the last try, after which the program stopped (here it rolls back
    26 hosts). It was passed over as one the program went on from, and the exit code was
    named; ``(attempt 2/3)`` is one it went on from."""
    error = f"[web-27] GET http://web-27:8080/healthz -> 503 Service Unavailable (attempt {tried})"
    rollback = [f"rolled back web-{m}" for m in range(1, 27)]
    lines = ["Deploying to host 27 of 40: web-27", error, "Rolling back 26 hosts", *rollback]
    assert (_printed_reason(run_logtrim, *lines) == error) is named


def test_dockers_refused_push_is_named_on_stdout_too(run_logtrim: RunLogtrim) -> None:
    """``denied: requested access to the resource is denied`` was no error line: named only
    as stderr's last line, so not after ``exec 2>&1`` (or under ``--pty``)."""
    denied = "denied: requested access to the resource is denied"
    lines = [
        "The push refers to repository [registry.example.com/shop/api]",
        "5f70bf18a086: Preparing",
    ]
    assert _printed_reason(run_logtrim, *lines, denied) == denied


def test_unittests_tally_gives_way_to_the_failing_test(run_logtrim: RunLogtrim) -> None:
    """``FAILED (failures=1)`` is unittest's tally, not a test's id (as pytest's ``FAILED
    tests/a.py::b``): it was named over the failing test and its assertion."""
    lines = [
        *(f"test_checkout_{i} ... ok" for i in range(1, 6)),
        "test_checkout_payment_webhook ... FAILED",
        "AssertionError: expected webhook status 200, got 504",
        "Ran 6 tests in 1.4s",
        "FAILED (failures=1)",
    ]
    assert _printed_reason(run_logtrim, *lines) in lines[5:7]
