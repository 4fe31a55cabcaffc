"""The failure reason is the line a person would point at: checked on 42 real failing runs of
real tools (tests/data/tools/failures), their reason lines labelled by hand beforehand."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim
from hypothesis import given
from hypothesis import strategies as st
from octopus_decoder import messages

from logtrim.dialects.octopus import Octopus
from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.ending.named import as_said, completed, shortened
from logtrim.engine.ending.reason import ReasonChooser
from logtrim.engine.masking.mask import Masker
from logtrim.engine.policy import Policy

FAILURES = Path(__file__).parent / "data" / "tools" / "failures"


def _labels() -> list[tuple[str, int, str]]:
    rows = (FAILURES / "labels.tsv").read_text(encoding="utf-8").split("\n")[1:]
    out = []
    for row in rows:
        if row:
            name, code, reason = row.split("\t")[:3]
            out.append((name, int(code), reason.strip()))
    return out


def names(reason: str, line: str) -> bool:
    """Whether a failure reason names ``line``: it is the line, or the line and its detail
    (the next line of a header that ends with ``:``; where a compiler points). A line that
    the reason says in its own words is compared in them: a JSON record by its message and
    error (``as_said``), a line cut with ``...`` (pytest's summary, at the terminal's width;
    a label past 500 characters) by what comes before the cut, and a reason cut in the
    middle or on both sides of its error words (past 500 characters) by the parts kept.
    A reason may say which unittest test the line's traceback failed first, as pytest's
    summary does (``ERROR: test_port (test_parse.ParseTest.test_port) - IndexError: ...``)."""
    named = _UNITTEST_NAMED.match(reason)
    if named is not None and not _UNITTEST_NAMED.match(line):
        reason = reason[named.end() :]
    said = as_said(line.encode()).decode()
    if said != line:
        return names(reason, said)
    if line.endswith("...") and reason.startswith(line[:-3]):
        return True
    parts = reason.split(" ... ")  # cut in the middle, or on both sides of an error's words
    if len(parts) > 1 and len(line) > 500 and _in_order(parts, line):
        return True
    return reason == line or (reason.startswith(line + " ") and len(line) < 497)


_UNITTEST_NAMED = re.compile(r"(?:FAIL|ERROR): \w+ \([\w.]+\)(?: \([^)]*\))? - ")


def _in_order(parts: list[str], line: str) -> bool:
    """Whether ``line`` starts with the first part, ends with the last, and holds the others
    between them in order."""
    if not (line.startswith(parts[0]) and line.endswith(parts[-1])):
        return False
    at = len(parts[0])
    for part in parts[1:-1]:
        at = line.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return at <= len(line) - len(parts[-1])


def _result_messages(stdout: bytes) -> list[str]:
    """The reasons a run sent Octopus (``resultMessage``)."""
    return [m.attrs["message"] for m in messages(stdout) if m.name == "resultMessage"]


def _octopus_reasons(run_logtrim: RunLogtrim, child: str, code: int, *options: str) -> list[str]:
    """The reasons Octopus is given for a Python ``child`` run under logtrim (``options``
    before ``--ci octopus``), its exit code checked as ``code``."""
    result = run_logtrim(*options, "--ci", "octopus", "--", sys.executable, "-c", child)
    assert result.code == code
    return _result_messages(result.stdout)


def _chosen(lines: list[bytes], *, end: bool = False) -> str | None:
    """The reason the chooser names for ``lines`` offered in turn (an error line: one with
    ``Error`` or ``Traceback``); ``end``: the last one offered as a stream's end too."""
    chooser = ReasonChooser()
    for lineno, line in enumerate(lines):
        chooser.offer(line, lineno, error=b"Error" in line or b"Traceback" in line)
    if end:
        chooser.offer_stream_end(lines[-1], len(lines) - 1)
    return chooser.reason(Masker())


def _core_reason(name: str, code: int) -> str:
    """Feed a run's stdout and stderr (as captured apart) through the engine, in the merged
    order, and read the reason Octopus would be given."""
    stem = FAILURES / name[: -len(".log")]
    merged = (FAILURES / name).read_bytes()
    err_lines = set((stem.with_suffix(".err")).read_bytes().splitlines())
    core = Core(Policy(budget=20_000), Octopus())
    for line in merged.splitlines(keepends=True):
        stream = STDERR if line.rstrip(b"\n") in err_lines else STDOUT
        core.feed(stream, line, 0.0)
    core.finish_input(0.0)
    emits, _ = core.close(code, 1.0, archive="/tmp/x.zst", archive_name="x.zst")
    console = b"".join(data for _, data in emits)
    found = [m.attrs["message"] for m in messages(console) if m.name == "resultMessage"]
    return found[0] if found else ""


def test_reason_matches_the_hand_label_in_nine_runs_of_ten() -> None:
    """At least 90% of the 42 labelled runs get the labelled line as their reason."""
    labels = _labels()
    assert len(labels) >= 30
    misses = []
    for name, code, want in labels:
        got = _core_reason(name, code).split(" (caused by ")[0]
        if not names(got, want):
            misses.append((name, want, got))
    assert len(misses) <= len(labels) // 10, misses


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("pytest_assert.log", "FAILED tests/test_invoice.py::test_invoice_total"),
        ("make_gcc_compile.log", "main.c:4:26: error: expected"),
        ("python_stderr_then_stdout.log", "sync: permission denied writing"),
        ("java_exception.log", 'Exception in thread "main" java.lang.IllegalStateException'),
    ],
)
def test_reason_through_a_real_run(run_logtrim: RunLogtrim, name: str, label: str) -> None:
    """A real `logtrim run --ci octopus` of a child that replays a real failing run (stdout
    and stderr on their own pipes) sends that reason as Octopus's resultMessage."""
    stem = FAILURES / name[: -len(".log")]
    code = next(c for n, c, _ in _labels() if n == name)
    child = (
        "import sys, pathlib; "
        f"sys.stdout.buffer.write(pathlib.Path({str(stem.with_suffix('.out'))!r}).read_bytes()); "
        "sys.stdout.flush(); "
        f"sys.stderr.buffer.write(pathlib.Path({str(stem.with_suffix('.err'))!r}).read_bytes()); "
        f"sys.exit({code})"
    )
    reasons = _octopus_reasons(run_logtrim, child, code)
    assert len(reasons) == 1
    assert reasons[0].startswith(label), reasons[0]


def test_chained_exception_names_the_root_cause() -> None:
    """For chained exceptions the reason is the final exception, with its root cause."""
    chooser = ReasonChooser()
    lines = [
        b"Traceback (most recent call last):",
        b'  File "app.py", line 3, in load',
        b"KeyError: 'db'",
        b"",
        b"The above exception was the direct cause of the following exception:",
        b"",
        b"Traceback (most recent call last):",
        b'  File "app.py", line 9, in main',
        b"RuntimeError: config broken",
        b"make: *** [Makefile:3: deploy] Error 1",
    ]
    for lineno, line in enumerate(lines):
        chooser.offer(line, lineno, error=b"Error" in line or b"Traceback" in line)
    assert chooser.reason(Masker()) == "RuntimeError: config broken (caused by KeyError: 'db')"


def test_status_lines_and_debug_are_never_the_reason_when_better_exists() -> None:
    """`make: *** ... Error 1` only says that something failed; the compiler's error says why."""
    chooser = ReasonChooser()
    chooser.offer(b"main.c:3:5: error: expected ';'", 0, error=True)
    chooser.offer(b"make: *** [Makefile:7: main.o] Error 1", 1, error=True)
    chooser.offer(b"Process completed with exit code 2.", 2, error=True)
    assert chooser.reason(Masker()) == "main.c:3:5: error: expected ';'"


def test_a_silent_command_failing_under_set_ex_is_named_by_its_trace(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """A bash step with ``set -ex`` whose failing command says nothing of why (``grep -c``
    prints a count): the reason is that command's trace, not the last line printed."""
    script = tmp_path / "deploy.sh"
    script.write_text(
        "set -ex\n"
        "echo 'deploying app'\n"
        'for i in 1 2; do echo "step $i"; done\n'
        "grep -c ready /dev/null\n"
        "echo 'not reached'\n"
    )
    result = run_logtrim("--ci", "plain", "--", "bash", str(script))
    assert result.code == 1
    assert b"failed (exit 1): + grep -c ready /dev/null" in result.stderr + result.stdout


def test_an_error_line_still_beats_the_trace_of_the_command_that_printed_it() -> None:
    """The trace says which command failed; an error line says why, and wins."""
    chooser = ReasonChooser()
    chooser.offer(b"curl: (22) The requested URL returned error: 404", 5, error=True)
    chooser.offer_stream_end(b"+ curl -fsS https://example.com/app.tar.gz", 4)
    chooser.offer_stream_end(b"downloading", 3)
    assert chooser.reason(Masker()) == "curl: (22) The requested URL returned error: 404"


def test_a_json_record_holding_a_traceback_is_the_reason(run_logtrim: RunLogtrim) -> None:
    """A JSON log line whose field holds a formatted traceback (its newlines escaped, as a
    JSON formatter's ``formatException`` gives it) is an error line: it was taken for a
    traceback's header, waiting for frames that never came, and an error the program had
    recovered from thousands of lines before was named instead, to Octopus too."""
    child = (
        "import json, sys\n"
        "def p(**d): print(json.dumps(d))\n"
        "p(level='ERROR', msg='page 7: upstream returned 502, skipping')\n"
        "for i in range(3000): p(level='DEBUG', msg=f'fetched page {i}')\n"
        "p(level='ERROR', msg='sync aborted: missing field', exc='Traceback (most recent call "
        "last):\\n  File \"sync.py\", line 18\\nKeyError: \\'customer_id\\'')\n"
        "sys.exit(4)\n"
    )
    reasons = _octopus_reasons(run_logtrim, child, 4, "--budget", "20kB")
    assert reasons == ["sync aborted: missing field: KeyError: 'customer_id'"]


def test_an_error_after_the_program_went_on_from_an_exception_is_the_reason(
    run_logtrim: RunLogtrim,
) -> None:
    """An exception logged and handled (``log.exception(...); continuing``), hundreds of
    ordinary lines, then the error that fails the step: the reason named the handled
    exception. Errors right after an exception (its cleanup) still leave it the reason
    (tests/test_failure_rank.py)."""
    child = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stdout, "
        "format='%(levelname)s %(message)s')\n"
        "log = logging.getLogger('deploy')\n"
        "try:\n"
        "    raise ConnectionError('cache server unreachable')\n"
        "except ConnectionError:\n"
        "    log.exception('cache warm-up failed; continuing without cache')\n"
        "for i in range(500): log.info('synced record %d', i)\n"
        "log.error('health check failed: /api/orders returned 503')\n"
        "sys.exit(1)\n"
    )
    reasons = _octopus_reasons(run_logtrim, child, 1)
    assert reasons == ["ERROR health check failed: /api/orders returned 503"]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception groups are Python 3.11's")
def test_an_exception_group_is_named_with_its_first_member(run_logtrim: RunLogtrim) -> None:
    """asyncio's TaskGroup raises an exception group, whose traceback Python draws behind a
    ``  | `` gutter with ``+-+---- 1 ----`` separators: the reason was the last member with
    its gutter (``| ConnectionError: host 2 refused``), or through the handler a separator
    (``+------------------------------------``)."""
    child = (
        "import asyncio\n"
        "async def fail(n):\n"
        "    await asyncio.sleep(0)\n"
        "    raise ConnectionError(f'host {n} refused')\n"
        "async def main():\n"
        "    async with asyncio.TaskGroup() as tg:\n"
        "        for n in range(3): tg.create_task(fail(n))\n"
        "for i in range(3000): print('working', i)\n"
        "asyncio.run(main())\n"
    )
    reasons = _octopus_reasons(run_logtrim, child, 1, "--budget", "20kB")
    assert reasons == [
        "ExceptionGroup: unhandled errors in a TaskGroup (3 sub-exceptions) "
        "(the first of them: ConnectionError: host 0 refused)"
    ]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception groups are Python 3.11's")
def test_an_exception_group_s_own_cause_is_its_cause_not_a_member(run_logtrim: RunLogtrim) -> None:
    """A group's members are no causes: the reason said "caused by" its first member, and that
    member replaced the cause the group was raised from."""
    child = (
        "def check():\n"
        "    try:\n"
        "        {}['DB_HOST']\n"
        "    except KeyError as exc:\n"
        "        members = [ValueError(\"bad port 'abc'\"), TypeError('bad type')]\n"
        "        raise ExceptionGroup('startup checks failed', members) from exc\n"
        "check()\n"
    )
    group = "ExceptionGroup: startup checks failed (2 sub-exceptions)"
    assert _octopus_reasons(run_logtrim, child, 1) == [f"{group} (caused by KeyError: 'DB_HOST')"]
    alone = "raise ExceptionGroup('startup checks failed', [ValueError(\"bad port 'abc'\")])\n"
    assert _octopus_reasons(run_logtrim, alone, 1) == [
        "ExceptionGroup: startup checks failed (1 sub-exception) "
        "(the first of them: ValueError: bad port 'abc')"
    ]


def test_an_exception_group_logged_through_the_handler_is_the_reason() -> None:
    """The same through ``logging.exception`` and the chooser alone: lines as the handler
    offers them, the separators never the reason."""
    lines = [
        b"ERROR:deploy:deploy failed",
        b"  + Exception Group Traceback (most recent call last):",
        b'  |   File "app.py", line 7, in <module>',
        b"  | ExceptionGroup: deploy to 3 hosts failed (2 sub-exceptions)",
        b"  +-+---------------- 1 ----------------",
        b"    | ConnectionError: web-1 refused",
        b"    +---------------- 2 ----------------",
        b"    | TimeoutError: web-2 timed out",
        b"    +------------------------------------",
    ]
    assert _chosen(lines, end=True) == (
        "ExceptionGroup: deploy to 3 hosts failed (2 sub-exceptions) "
        "(the first of them: ConnectionError: web-1 refused)"
    )


@pytest.mark.parametrize(
    ("line", "said"),
    [
        # structlog's format_exc_info and JSONRenderer
        (b'{"event": "migration failed", "level": "error", "exception": "Traceback (most '
         b'recent call last):\\n  File \\"m.py\\", line 3\\nConnectionError: db refused"}',
         b"migration failed: ConnectionError: db refused"),
        # pino: the error as an object, its stack
        (b'{"level":50,"msg":"upload failed","err":{"type":"Error","message":"EACCES",'
         b'"stack":"Error: EACCES: permission denied\\n    at open (fs.js:1:1)"}}',
         b"upload failed: Error: EACCES: permission denied"),
        # zap: the error as a one-line string that names no exception: said after the message
        (b'{"level":"error","msg":"dial failed","error":"dial tcp 10.0.0.5:5432: refused"}',
         b"dial failed: dial tcp 10.0.0.5:5432: refused"),
        (b'{"ts": "2025-06-01T10:00:02.999Z", "level": "error", "logger": "deployer", "msg": '
         b'"migration 0042_add_orders failed", "error": "relation \\"orders_v2\\" does not '
         b'exist", "sqlstate": "42P01"}',
         b'migration 0042_add_orders failed: relation "orders_v2" does not exist'),
        # Go's stack as the error: it names no exception, the record as it is
        (b'{"level":"error","msg":"worker crashed","error":"goroutine 1 [running]:\\nmain.f()"}',
         b'{"level":"error","msg":"worker crashed","error":"goroutine 1 [running]:\\nmain.f()"}'),
        # a Java trace: its root cause, the last "Caused by"
        (b'{"message": "Deployment failed", "stack_trace": "java.lang.IllegalStateException: '
         b'Deployment failed\\n\\tat App.main(App.java:3)\\nCaused by: java.sql.SQLException:'
         b' FATAL: password authentication failed\\n\\t... 5 more"}',
         b"Deployment failed: java.sql.SQLException: FATAL: password authentication failed"),
        # a Python exception with a note after it: the exception, not the note
        (b'{"event": "migration failed", "exception": "Traceback (most recent call last):\\n'
         b'  File \\"m.py\\", line 3\\nKeyError: \'orders_v2\'\\nwhile applying 0042"}',
         b"migration failed: KeyError: 'orders_v2'"),
        # a message beside a short event name: the message
        (b'{"event": "db.migrate", "message": "migration 0042 failed", "exception": '
         b'"ValueError: duplicate column"}',
         b"migration 0042 failed: ValueError: duplicate column"),
        # no error field: its message and the fields that may say what went wrong, not the
        # logger's own (time, level, service)
        (b'{"level": "error", "msg": "request failed", "status": 503}',
         b"request failed (status=503)"),
        (b'{"timestamp":"2026-12-06T19:48:47.356Z","level":"fatal","service":"checkout-worker",'
         b'"msg":"shutting down: cannot reach database after 5 attempts","exitCode":2}',
         b"shutting down: cannot reach database after 5 attempts (exitCode=2)"),
        (b'{"time": "2026-12-06T19:48:47Z", "level": "error", "msg": "disk full"}',
         b"disk full"),
        # Docker BuildKit's recap of a failed step: the seconds since the step began, before
        # the level, go as a time stamp does; a number before anything else stays
        (b"3.400 ERROR: Could not find a version that satisfies the requirement foo==9",
         b"ERROR: Could not find a version that satisfies the requirement foo==9"),
        (b"1.500 MB of 2.000 MB uploaded, then the link failed",
         b"1.500 MB of 2.000 MB uploaded, then the link failed"),
        # no message field, or not JSON: the line as it is
        (b'{"level": "error", "code": 7}', b'{"level": "error", "code": 7}'),
        (b"{not json} ERROR x", b"{not json} ERROR x"),
    ],
)  # fmt: skip
def test_a_structured_record_is_said_by_its_message_and_error(line: bytes, said: bytes) -> None:
    """A JSON log line as the reason was the whole object (450 characters of fields in
    Octopus's resultMessage): its message, and the last line of the error it carries."""
    assert as_said(line) == said


def test_a_cut_summary_is_completed_only_from_one_message() -> None:
    """Two failing tests whose messages start alike: the cut summary of the first was
    completed with the second's message (the test's name beside another test's message);
    it stays cut then."""
    cut = b"FAILED t.py::test_table_exists[eu-orders_v2] - AssertionError: missing table..."
    eu = b"AssertionError: missing table orders_v2 in region eu"
    us = b"AssertionError: missing table payments_v4 in region us"
    assert completed(cut, [eu, us]) == cut
    assert completed(cut, [eu]) == b"FAILED t.py::test_table_exists[eu-orders_v2] - " + eu


def test_a_nested_group_leaves_the_outer_group_the_reason() -> None:
    """A group nested in a group took the reason from the outer one; the outer group is the
    reason, its first member what it ended in (a chained member: its last exception)."""
    nested = [
        b"  + Exception Group Traceback (most recent call last):",
        b'  |   File "d.py", line 2, in <module>',
        b"  | ExceptionGroup: deploy failed (2 sub-exceptions)",
        b"  +-+---------------- 1 ----------------",
        b"    | ValueError: billing: schema mismatch",
        b"    +---------------- 2 ----------------",
        b"    | ExceptionGroup: cleanup failed (1 sub-exception)",
        b"    +-+---------------- 1 ----------------",
        b"      | KeyError: 'tmpdir'",
        b"      +------------------------------------",
    ]
    assert _chosen(nested) == (
        "ExceptionGroup: deploy failed (2 sub-exceptions) "
        "(the first of them: ValueError: billing: schema mismatch)"
    )
    chained = [
        b"  + Exception Group Traceback (most recent call last):",
        b"  | ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)",
        b"  +-+---------------- 1 ----------------",
        b"    | Traceback (most recent call last):",
        b"    | OSError: connection refused",
        b"    | ",
        b"    | The above exception was the direct cause of the following exception:",
        b"    | ",
        b"    | RuntimeError: service billing did not start",
        b"    +------------------------------------",
    ]
    assert _chosen(chained) == (
        "ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception) "
        "(the first of them: RuntimeError: service billing did not start)"
    )


def test_a_wrappers_line_after_a_cleanup_leaves_the_exception_the_reason() -> None:
    """A traceback, a cleanup trap's 15 lines, then the wrapper's ``ERROR: deploy.sh failed
    at line 42``: the exception names the cause, the wrapper's line none."""
    lines = [
        b"Traceback (most recent call last):",
        b'  File "migrate.py", line 3, in <module>',
        b'psycopg2.OperationalError: FATAL: password authentication failed for user "deploy"',
        *[b"cleanup: removing temp dir /tmp/d%d" % i for i in range(15)],
        b"ERROR: deploy.sh failed at line 42",
    ]
    assert _chosen(lines) == (
        'psycopg2.OperationalError: FATAL: password authentication failed for user "deploy"'
    )


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        (
            "trap 'echo \"cleanup: removing lock\"; rm /nonexistent-dir/deploy.lock' EXIT\n"
            "cp /nonexistent-dir/app.yaml /tmp/app.yaml\n",
            "cp: cannot stat '/nonexistent-dir/app.yaml': No such file or directory",
        ),
        (
            "trap 'echo \"Error: lease stage-7 was not held\" >&2' EXIT\n"
            'echo "Error from server (Forbidden): deployments.apps shop-api is forbidden" >&2\n'
            "exit 1\n",
            "Error from server (Forbidden): deployments.apps shop-api is forbidden",
        ),
        (
            "cleanup() {\n  echo 'tearing down staging stack'\n"
            "  echo \"rm: cannot remove '/srv/stage/lock': No such file or directory\" >&2\n"
            "  echo 'Error response from daemon: No such container: shop-api-stage' >&2\n}\n"
            "trap cleanup EXIT\n"
            "echo 'psql:m.sql:12: ERROR:  column \"basket_id\" does not exist' >&2\nexit 3\n",
            'psql:m.sql:12: ERROR:  column "basket_id" does not exist',
        ),
        # A logged ERROR record, then the trap's removals of what is not there (a record is
        # no program's own message: the newest error won, the first ``rm`` of eight).
        (
            'log() { echo "2026-12-05T22:22:04Z [$1] $2"; }\n'
            "cleanup() {\n  echo 'cleanup: removing temp files'\n"
            "  for f in a b c d e f g h; do rm /nonexistent-dir/tmp-$f 2>&1; done\n}\n"
            "trap cleanup EXIT\n"
            "log WARN 'api not ready (attempt 4/4), retrying in 1s'\n"
            "log ERROR 'api at 127.0.0.1:9 never became ready'\nexit 7\n",
            "[ERROR] api at 127.0.0.1:9 never became ready",  # (its time stamp left out)
        ),
    ],
)
def test_a_cleanup_traps_errors_after_the_failure_leave_it_the_reason(
    run_logtrim: RunLogtrim, tmp_path: Path, script: str, reason: str
) -> None:
    """A ``set -e`` script's EXIT trap cleans up after the failing command and complains
    (``rm: cannot remove ...``, ``No such container``): those errors follow from the failure,
    a line or two after it, and were named instead. A program's own message (at the margin,
    no level field) stays the reason over another one in its burst (three calm lines)."""
    path = tmp_path / "deploy.sh"
    path.write_text("set -euo pipefail\n" + script)
    result = run_logtrim("--ci", "plain", "--", "bash", str(path))
    assert result.code != 0
    assert f"failed (exit {result.code}): {reason}\n".encode() in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        (
            "echo 'Removing stale lock' >&2\necho >&2\nrm /nonexistent-dir/stale.lock\n",
            "rm: cannot remove '/nonexistent-dir/stale.lock': No such file or directory",
        ),
        (
            "echo 'Status: Downloaded newer image for registry.example.com/api:42' >&2\n"
            "echo 'Error response from daemon: No such container: api-v41' >&2\nexit 1\n",
            "Error response from daemon: No such container: api-v41",
        ),
        (
            'set -x\nremove_release() {\n  rm "/nonexistent-dir/$1" || return 1\n}\n'
            "remove_release v1.2.3\n",
            "rm: cannot remove '/nonexistent-dir/v1.2.3': No such file or directory",
        ),
    ],
)
def test_a_removal_that_is_the_failure_stays_the_reason(
    run_logtrim: RunLogtrim, tmp_path: Path, script: str, reason: str
) -> None:
    """A removal that finds nothing follows from an error said before it; with none before,
    it is what failed: named, not the line before it (an announcement, Docker's pull
    status, a trace)."""
    path = tmp_path / "step.sh"
    path.write_text("set -e\n" + script)
    result = run_logtrim("--ci", "plain", "--", "bash", str(path))
    assert result.code != 0
    assert f"failed (exit {result.code}): {reason}\n".encode() in result.stdout + result.stderr


@pytest.mark.parametrize(
    "line", ["smoke test: GET /api/orders -> 502 Bad Gateway", "health check returned 503"]
)
def test_a_servers_5xx_answer_is_the_reason_over_an_old_error(
    run_logtrim: RunLogtrim, tmp_path: Path, line: str
) -> None:
    """A smoke test's ``502 Bad Gateway`` has no error word: the reason was an optional
    check's ``ERROR`` 120 lines before it that the script went on from, or the exit code."""
    path = tmp_path / "smoke.sh"
    path.write_text(
        'echo "ERROR: optional check slack-webhook unreachable (notifications disabled)"\n'
        'for i in $(seq 1 120); do echo "uploading file $i/120"; done\n'
        f'echo "{line}"\nexit 1\n'
    )
    result = run_logtrim("--ci", "plain", "--", "bash", str(path))
    assert f"failed (exit 1): {line}\n".encode() in result.stdout


_TS = b'time="2026-12-01T06:00:03Z" '
KLOG = b'E1201 06:00:06.430260   21571 memcache.go:265] "Unhandled Error" err="refused"'


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        # logrus and logfmt put the level after the time: that record stopped the program;
        # an error logged on the way out (a flush, a close) is no reason.
        (
            [_TS + b'level=fatal msg="config invalid: no upstream"',
             _TS + b'level=error msg="metrics flush failed"'],
            _TS + b'level=fatal msg="config invalid: no upstream"',
        ),
        # After a library's records (klog's), the program's own message a line later is
        # what it says went wrong (kubectl's).
        (
            [KLOG, b"The connection to the server localhost:8080 was refused"],
            b"The connection to the server localhost:8080 was refused",
        ),
        # A record after a program's own message takes its place: an error a script went
        # on from (``rm old.pid || true``) is no cause of the record that follows it.
        (
            [b"rm: cannot remove 'old.pid': No such file or directory",
             b"starting migration",
             b'ERROR: relation "users" does not exist'],
            b'ERROR: relation "users" does not exist',
        ),
        # ... and so does a line indented under it (a report's detail).
        (
            [b"cp: cannot stat /srv/app.yaml: No such file or directory",
             b"    ERROR: detail of the copy"],
            b"ERROR: detail of the copy",
        ),
    ],
)  # fmt: skip
def test_of_error_lines_close_together_the_one_that_says_why_is_the_reason(
    lines: list[bytes], reason: bytes
) -> None:
    chooser = ReasonChooser()
    for lineno, line in enumerate(lines):
        chooser.offer(line, lineno, error=b"starting" not in line)
    assert chooser.reason(Masker()) == reason.decode()


@given(
    st.integers(501, 3000),
    st.lists(st.sampled_from(["error", "failed", "x", " ", ", ", "abc", "é"]), min_size=1,
             max_size=12).map("".join),
)  # fmt: skip
def test_a_long_reason_is_cut_to_the_limit(size: int, filler: str) -> None:
    line = (filler * (size // len(filler) + 1))[:size]
    assert len(shortened(line, 500)) <= 500


@given(st.integers(520, 750), st.floats(0.0, 1.0), st.sampled_from(["x", "word ", "a=1, "]))
def test_a_long_reason_keeps_its_error_and_the_words_around_it(
    size: int, where: float, filler: str
) -> None:
    """The cut was always in the middle: a tool's JSON result that says its failure there
    lost it (``"stderr": "Error: migration 0042_add_orders_v2 failed: ..."`` lost
    ``migration 0042_add_orders_``)."""
    phrase = "Error: migration 0042_add_orders_v2 failed: duplicate column"
    body = (filler * size)[: size - len(phrase)]
    at = 100 + int(where * (len(body) - 200))
    line = body[:at] + phrase + body[at:]
    cut = shortened(line, 500)
    assert len(cut) <= 500
    assert phrase in cut, cut


def test_a_long_reason_keeps_its_end_and_the_error_in_its_middle() -> None:
    """One cut beside the error words sent the cut towards an end and lost what the line
    ends with (``connect: connection refused``); and of a stretch of many error words too
    long to keep whole, nothing was kept. The words around the error word nearest the middle
    are kept, and both ends."""
    line = (
        "migrate: apply migrations from /home/runner/work/billing/db/migrations to "
        "postgres://ci@db.internal:5432/billing using the lock timeout of 15 seconds and "
        "the statement timeout: migration 0042_add_invoice_index.sql failed after 3 retries "
        "with backoff 1s, 2s, 4s (tried hosts db.internal, db-replica.internal, 10.0.12.5 "
        "in that order over 7.2 seconds): dial tcp 10.0.12.5:5432: connect: connection "
        "refused (hint: check that the database service container is running and its port "
        "is published to the runner; see https://docs.example.com/runbooks/db-connectivity)"
    )
    cut = shortened(line, 500)
    assert len(cut) <= 500
    assert "0042_add_invoice_index.sql failed after 3 retries" in cut
    assert "connect: connection refused" in cut
    assert cut.startswith("migrate: apply migrations")
    many = "x" * 300 + " error ".join("abcdefghij" for _ in range(60)) + "y" * 300
    assert " error " in shortened(many, 500)


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        # Said right after an error: the clean-up follows from it, whatever its tool's words.
        *(
            (["ERROR: deploy failed", "cleaning up", cleanup], "ERROR: deploy failed")
            for cleanup in (
                "rm: /tmp/app.lock: No such file or directory",  # BSD's rm
                "rm: can't remove '/tmp/app.lock': No such file or directory",  # BusyBox's
                "Error response from daemon: Cannot kill container: web: No such container: web",
                "Error response from daemon: No such image: app:ci",
                "Error response from daemon: network ci_net not found",
                "Error response from daemon: get ci_data: no such volume",
                "cleanup: remove /tmp/app.lock: no such file or directory",  # Go's os.Remove
                "Remove-Item : Cannot find path 'C:\\build\\app.lock' because it does not exist.",
                "deploy.sh: line 9: kill: (4711) - No such process",  # bash's builtin
            )
        ),
        # An error the program went on from leaves a removal after it the reason ...
        (
            [
                "ERROR: cache server unreachable, continuing without cache",
                "step 2",
                "rm: cannot remove '/srv/release/artifact.tar': No such file or directory",
            ],
            "rm: cannot remove '/srv/release/artifact.tar': No such file or directory",
        ),
        # ... and a removal that found nothing keeps no program's next message from it.
        (
            [
                "rm: cannot remove '/srv/stale.lock': No such file or directory",
                "cp: cannot stat '/srv/dist/app-2.0.tar': No such file or directory",
            ],
            "cp: cannot stat '/srv/dist/app-2.0.tar': No such file or directory",
        ),
    ],
)
def test_a_clean_up_that_finds_nothing_follows_from_the_error_before_it(
    lines: list[str], reason: str
) -> None:
    chooser = ReasonChooser()
    for lineno, line in enumerate(lines):
        chooser.offer(line.encode(), lineno, error=line not in {"step 2", "cleaning up"})
    chooser.offer_stream_end(lines[-1].encode(), len(lines) - 1)
    assert chooser.reason(Masker()) == reason
