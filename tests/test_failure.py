"""The end of a failed run and long lines (issue 3): what says why it failed reaches the console.

Real children for the behaviour a user sees; the pure functions behind it (``continues``,
``incidents``, ``pick``, ``tail_share``) on examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Result, RunLogtrim, py

from logtrim.engine.ending.failure import TailLine, incidents, pick
from logtrim.engine.ending.headers import EARLIER_SHORT
from logtrim.engine.ending.incident import continues
from logtrim.engine.match.matcher import Matcher
from logtrim.engine.match.rules import RULES
from logtrim.engine.policy import Budget, tail_share

DATA = Path(__file__).parent / "data"


# -- stack traces -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "line"),
    [
        (b"Traceback (most recent call last):\n", b'  File "app.py", line 3, in <module>\n'),
        (b'Exception in thread "main" java.lang.X: y\n', b"\tat com.shop.Main.run(Main.java:9)\n"),
        (b"java.lang.X: y\n", b"Caused by: java.io.IOException: closed\n"),
        (b"\x1b[31mTraceback (most recent call last):\x1b[0m\n", b'\x1b[2m  File "a.py"\n'),
        # a logger that stamps every line of the traceback: same prefix but for the digits
        (
            b"2017-06-24 13:36:02,965 INFO:build:Traceback (most recent call last):\n",
            b'2017-06-24 13:36:02,966 INFO:build:  File "util.py", line 547, in do\n',
        ),
        (
            b"2025-03-14 09:27:57 ERROR [worker] Exception occurred:\n",
            b"2025-03-14 09:27:58 ERROR [worker]     raise ValueError(x)\n",
        ),
        # Go: the signal line, a goroutine's header, its frames' functions
        (b"panic: runtime error: nil map\n", b"[signal SIGSEGV: segmentation violation]\n"),
        (b"panic: x\n", b"goroutine 1 gp=0xc000002380 m=0 mp=0x5c4f40 [running]:\n"),
        (b"panic: x\n", b"github.com/acme/op.(*Server).Run(0xc000123, {0x1, 0x2})\n"),
        (b"panic: x\n", b"panic({0x8a3e40?, 0xd0c5a0?})\n"),
        (b"panic: x\n", b"created by main.main in goroutine 1\n"),
        (b"panic: x\n", b"example.com/shop.(*Server).handle.func1({0x7a2c40, 0xc0}, 0xc0)\n"),
        (b"panic: x\n", b"net/http.HandlerFunc.ServeHTTP(0xc0000a6090?, {0x7a2c40?}, 0x0?)\n"),
        (b"panic: x\n", b"example.com/shop/cart.Sum[...](...)\n"),
        (b"panic: x\n", b"gopkg.in/yaml%2ev3.(*decoder).unmarshal(0xc000)\n"),
        # a diagnostic drawn in a box (Terraform's): the lines in its gutter
        (
            "\u2502 Error: x\n".encode(),
            '\u2502   on main.tf line 42, in resource "a" "b":\n'.encode(),
        ),
    ],
)
def test_stack_frame_continues_its_error(head: bytes, line: bytes) -> None:
    assert continues(head, line)


@pytest.mark.parametrize(
    ("head", "line"),
    [
        # MSBuild indents everything: the next line at the same depth is not part of the error
        (
            b"        c:\\x\\Common.targets(2703,9): error MSB3021: Unable to copy file\n",
            b'        Copying file from "obj\\a.dll" to "bin\\a.dll".\n',
        ),
        (
            b"2025-03-14 09:27:57 ERROR upload failed\n",
            b"2025-03-14 09:27:58 INFO  next step\n",
        ),
        (b"ERROR: x\n", b"done\n"),
        (b"ERROR: x\n", b"   \n"),
        # a call in a log line is no Go frame: its arguments are no hex values
        (b"ERROR: upload failed, retrying\n", b"metrics.record(chunk_1, ok)\n"),
        # the box's end, and a line in another box's gutter
        ("\u2502 Error: x\n".encode(), "\u2575\n".encode()),
        ("\u2502 Error: x\n".encode(), "\u2503 next\n".encode()),
        # a table's rows, a tree's branches: no diagnostic's gutter
        (
            "\u2502 svc-5 \u2502 failed: probe timed out \u2502\n".encode(),
            "\u2502 svc-6 \u2502 running \u2502\n".encode(),
        ),
        ("\u251c\u2500\u2500 error.log\n".encode(), "\u251c\u2500\u2500 app.py\n".encode()),
    ],
)
def test_other_lines_do_not_continue_it(head: bytes, line: bytes) -> None:
    assert not continues(head, line)


def test_incidents_group_an_error_with_its_frames_and_the_lines_after() -> None:
    lines = list(
        enumerate(
            [
                b"hello\n",
                b"Traceback (most recent call last):\n",
                b'  File "a.py", line 1, in <module>\n',
                b"    boom()\n",
                b"RuntimeError: boom\n",
                b"cleaning up\n",
                b"\n",
                b"bye\n",
                b"unrelated\n",
            ]
        )
    )
    marks = incidents(lines, Matcher(RULES).line_kind, after=2, block=50)
    assert 0 not in marks and 8 not in marks  # no rule, no error nearby
    assert marks[2] == (1, False, True) and marks[3] == (1, False, True)  # frames
    assert marks[4][0] == 4  # the exception line opens its own incident
    assert marks[5] == (4, False, False)  # after it, not part of it
    assert 6 not in marks  # a blank line belongs to no incident (but is one of the two after)
    assert 7 not in marks


# -- choosing within the room left ------------------------------------------------------------
def _line(n: int, text: str, *, incident: int = -1, cont: bool = False) -> TailLine:
    marked = incident == n
    return TailLine(n, 1, text.encode() + b"\n", marked, incident, cont or marked)


def test_pick_keeps_everything_that_fits_in_order() -> None:
    lines = [_line(i, f"line {i}") for i in range(5)]
    assert pick(lines, 10_000) == lines


def test_pick_prefers_errors_and_frames_to_filler_and_shows_one_of_each_failure() -> None:
    lines = [
        _line(0, "ERROR: upload of chunk-7 failed", incident=0),
        _line(1, "  retry 1 of 3", incident=0, cont=True),
        *[_line(n, f"copying file {n:04d} of 9000 to the cache") for n in range(2, 30)],
        _line(30, "ERROR: upload of chunk-9 failed", incident=30),
        _line(31, "  retry 1 of 3", incident=30, cont=True),
        _line(32, "Traceback (most recent call last):", incident=32),
        _line(33, '  File "deploy.py", line 88, in main', incident=32, cont=True),
        _line(34, "ValueError: bad manifest", incident=34),
        _line(35, "step finished"),
    ]
    room = sum(len(line.text) for line in lines[-6:])  # just what says why it failed
    picked = pick(lines, room)
    texts = b"".join(line.text for line in picked)
    assert sum(len(line.text) for line in picked) <= room
    assert [line.lineno for line in picked] == sorted(line.lineno for line in picked)
    needed = (b"chunk-9 failed", b"Traceback", b'File "deploy.py"', b"ValueError", b"finished")
    assert all(text in texts for text in needed)
    assert b"chunk-7" not in texts  # the same failure again: the newest is enough
    assert b"copying file" not in texts


def test_pick_keeps_the_aftermath_of_errors_already_shown() -> None:
    """Two errors shown live (not candidates): what followed each is not "the same failure"
    just because neither has its error line among the candidates."""
    lines = [
        _line(1, "The full traceback has been saved in /tmp/err-1.log", incident=0),
        *[_line(n, f"copying file {n:04d} of 9000 to the cache") for n in range(2, 30)],
        _line(31, "rollback of release 7 done", incident=30),
        _line(32, "step finished"),
    ]
    picked = pick(lines, sum(len(lines[i].text) for i in (0, -2, -1)))
    assert [line.lineno for line in picked] == [1, 31, 32]


def test_pick_skips_blank_lines_unless_everything_fits() -> None:
    lines = [_line(0, "ERROR: x", incident=0), _line(1, ""), _line(2, "y" * 50)]
    assert [line.lineno for line in pick(lines, 20)] == [0]
    assert pick(lines, 1000) == lines


def test_pick_prefers_distinct_lines_to_older_copies_of_later_ones() -> None:
    """A wrapper that logs the error again at another level, a retry that prints the same
    message: under a tight budget the distinct lines come first, the newest copy stands."""
    lines = [
        _line(0, "2017-06-24 13:36:08,902 INFO:dlrn:Received exception Error in rpm", incident=0),
        _line(1, "  RAN: /usr/bin/env scripts/build_rpm.sh centos", incident=0),
        _line(2, "2017-06-24 13:36:08,905 INFO:dlrn: EXCEPTION: [Error()]", incident=0),
        _line(3, "2017-06-24 13:36:08,908 ERROR:dlrn:Received exception Error in rpm", incident=3),
        _line(4, "  RAN: /usr/bin/env scripts/build_rpm.sh centos", incident=3, cont=True),
        _line(5, "step finished"),
    ]
    room = sum(len(lines[i].text) for i in (2, 3, 4, 5))
    texts = [line.text for line in pick(lines, room)]
    assert texts == [lines[i].text for i in (2, 3, 4, 5)]


def test_small_budgets_keep_more_for_the_end_of_a_failure() -> None:
    shares = [tail_share(n) for n in (2_048, 8_000, 20_000, 100_000, 1_000_000, 20_000_000)]
    assert shares == sorted(shares, reverse=True)
    assert shares[0] == 0.70 and shares[-1] == 0.25
    budget = Budget(4_000)
    assert budget.live + budget.tail + budget.closing == budget.total


# -- with real children -----------------------------------------------------------------------
def test_held_back_traceback_is_shown_whole_at_the_end(run_logtrim: RunLogtrim) -> None:
    """Errors use up the budget early; a later traceback comes back at the end, frames too."""
    code = (
        "import sys\n"
        "names = [a + b for a in 'ghijklmnopqrstuvwxyz' for b in 'ghijklmnopqrstuvwxyz']\n"
        "for i in range(400): print(f'ERROR: item {names[i]} rejected by the validator')\n"
        "for i in range(5000): print(f'processing record {i}')\n"
        "print('Traceback (most recent call last):')\n"
        "print('  File \"/srv/deploy/migrate.py\", line 120, in apply')\n"
        "print('    cursor.execute(sql)')\n"
        "print('psycopg2.errors.UndefinedTable: relation \"orders_v2\" does not exist')\n"
        "for i in range(300): print(f'cleanup step {i}')\n"
        "sys.exit(4)\n"
    )
    r = run_logtrim("--budget", "20kB", "--", *py(code))
    assert r.code == 4
    assert len(r.console) <= 20_000
    console = r.console.decode()
    assert "error lines from here on are held for the end" in console
    earlier = EARLIER_SHORT.decode().strip()  # the short form below 32 kB
    assert earlier in console
    held = console.split(earlier)[1]
    for line in (
        "Traceback (most recent call last):",
        'File "/srv/deploy/migrate.py", line 120, in apply',
        "cursor.execute(sql)",
        'UndefinedTable: relation "orders_v2" does not exist',
    ):
        assert line in held
    assert "cleanup step 299" in console  # the last lines too
    assert r.archive.count(b"\n") == 400 + 5000 + 4 + 300


def test_failure_at_the_end_of_a_real_ci_log_fits_a_small_budget(run_logtrim: RunLogtrim) -> None:
    """The end of a failing Jenkins DLRN job (tests/data/README.md) through a 4 kB budget."""
    log = DATA / "mock-01-end.log"
    r = run_logtrim("--budget", "4000", "--", "sh", "-c", 'cat "$0"; exit 1', str(log))
    assert r.code == 1
    assert len(r.console) <= 4000
    console = r.console.decode()
    for line in (
        "IOError: [Errno 2] No such file or directory",
        "error: Bad exit status from /var/tmp/rpm-tmp.rhaVaW (%install)",
        "Traceback (most recent call last):",
        "Error: Command failed. See logs for output.",
        "# bash --login -c /usr/bin/rpmbuild -bb",
        "ERROR:dlrn:Received exception Error in build_rpm_wrapper",
        "RAN: /usr/bin/env /home/jenkins/workspace/DLRN-rpmbuild/DLRN/scripts/build_rpm.sh",
    ):
        assert line in console
    assert r.archive == log.read_bytes()


def test_long_line_shows_its_start_and_its_end(run_logtrim: RunLogtrim) -> None:
    """An error at the end of a 60 kB line (a tool's JSON result) is on the console."""
    code = (
        "print('fatal: [web-01]: FAILED! => {\"stdout\": \"' + 'x' * 60000 + "
        '\'", "msg": "rmtree failed: [Errno 30] Read-only file system"}\')'
    )
    r = run_logtrim("--budget", "16kB", "--", *py(code))
    console = r.console.decode()
    assert "fatal: [web-01]: FAILED!" in console
    assert "rmtree failed: [Errno 30] Read-only file system" in console
    assert "cut; the full log has all of it]" in console
    assert len(r.console) <= 16_000
    assert r.archive.count(b"x") >= 60_000


def test_no_part_of_a_secret_is_left_where_a_long_line_is_cut(run_logtrim: RunLogtrim) -> None:
    secret = "s3cr3t-T0KEN-0123456789-abcdef"
    # 4 kB budget: lines are cut to 512 bytes, the first 170 kept; the secret straddles that.
    code = f"print('ERROR ' + 'a' * 150 + '{secret}' + 'b' * 5000)"
    r = run_logtrim("--budget", "4000", "--mask", secret, "--", *py(code))
    console = r.console.decode()
    assert "ERROR aaaa" in console
    for i in range(0, len(secret) - 5):
        assert secret[i : i + 6] not in console
    assert secret.encode() not in r.archive


def _small_run(run_logtrim: RunLogtrim, code: str, exit_code: int) -> Result:
    """``code`` run under a 4 kB budget: its exit code kept, the console within the budget."""
    r = run_logtrim("--budget", "4000", "--", *py(code))
    assert r.code == exit_code
    assert len(r.console) <= 4000
    return r


def test_small_budget_shows_the_lines_nearest_an_error(run_logtrim: RunLogtrim) -> None:
    """When not all the context before an error fits, the lines just before it do: a linter's
    findings above the line that says the linter failed."""
    code = (
        "import sys\n"
        "for i in range(40): print(f'step {i:02d}: preparing the environment for the checks')\n"
        "print('installed: ' + ','.join(f'package{i}==1.{i}.0' for i in range(40)))\n"
        "print('app/models.py:76:1: E305 expected 2 blank lines after function definition')\n"
        "print('app/models.py:84:12: E126 continuation line over-indented')\n"
        "print('ERROR: InvocationError: flake8 app exited with 1')\n"
        "sys.exit(1)\n"
    )
    lines = _small_run(run_logtrim, code, 1).stdout.splitlines()
    error = lines.index(b"ERROR: InvocationError: flake8 app exited with 1")
    assert lines[error - 2 : error] == [
        b"app/models.py:76:1: E305 expected 2 blank lines after function definition",
        b"app/models.py:84:12: E126 continuation line over-indented",
    ]


def test_a_compiler_error_keeps_its_source_lines_when_warnings_used_the_live_room(
    run_logtrim: RunLogtrim,
) -> None:
    """Warnings used the live room of a small budget; then the error: its source and caret
    lines come right under it (they take from the tail's room, which would show them
    anyway, after the other stream's lines, apart from their error)."""
    code = (
        "import sys\n"
        "for i in range(30):\n"
        "    print(f'gcc -Wall -c f{i}.c -o f{i}.o')\n"
        "    sys.stdout.flush()\n"
        "    sys.stderr.write(f'f{i}.c:2:19: warning: unused variable \\'unused\\'\\n'\n"
        "                     f'    2 | int f{i}(void){{ int unused; return {i}; }}\\n'\n"
        "                     '      |                   ^~~~~~\\n')\n"
        "    sys.stderr.flush()\n"
        "sys.stderr.write('bad.c:4:5: error: expected \\';\\' before \\'printf\\'\\n'\n"
        "                 '    4 |     printf(\"%d\\\\n\", y);\\n'\n"
        "                 '      |     ^~~~~~\\n')\n"
        "sys.stderr.write('make: *** [Makefile:7: bad.o] Error 1\\n')\n"
        "sys.exit(2)\n"
    )
    lines = _small_run(run_logtrim, code, 2).stderr.splitlines()
    error = lines.index(b"bad.c:4:5: error: expected ';' before 'printf'")
    source, caret = b'    4 |     printf("%d\\n", y);', b"      |     ^~~~~~"
    assert lines[error + 1 : error + 3] == [source, caret]


def test_an_error_block_cut_live_comes_back_marked_as_earlier(run_logtrim: RunLogtrim) -> None:
    """An error shown live whose stack trace the budget cut, then a later line shown live: the
    rest of the trace comes at the end, once each, under a header that says it is earlier."""
    frames = "".join(
        f"print('    at shop.orders.Step{i:02d}.run(Step{i:02d}.java:{i})')\n" for i in range(40)
    )
    code = (
        "import sys\n"
        # More than the budget: a run that fits is shown whole (engine/console/whole.py).
        "for i in range(150): print(f'loading record batch {i}')\n"
        "print('ERROR: java.lang.IllegalStateException: order 42 has no customer')\n"
        f"{frames}"
        "print('STEP rollback started')\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--budget", "4000", "--keep", "^STEP ", "--", *py(code))
    assert r.code == 1
    assert len(r.console) <= 4000
    lines = r.stdout.splitlines()
    assert lines.count(b"STEP rollback started") == 1
    # (the frames came before "STEP rollback", whose marker counted them: the header says so)
    header = EARLIER_SHORT.replace(b" ---\n", b", counted above as not shown ---")
    assert lines.index(b"STEP rollback started") < lines.index(header)
    earlier = lines[lines.index(header) + 1 :]
    last = b"    at shop.orders.Step39.run(Step39.java:39)"
    assert last in earlier
    frames_shown = [line for line in lines if line.startswith(b"    at shop.orders.")]
    assert len(frames_shown) == len(set(frames_shown))
    assert frames_shown == sorted(frames_shown)  # each part in order, no frame twice


def test_frames_above_an_error_cut_from_its_context_come_back(run_logtrim: RunLogtrim) -> None:
    """A trace written frames first, exception last (sphinx, a logger's traceback), whose
    frames do not all fit the live budget with the error: none of them is lost."""
    site = "/usr/lib/python3/site-packages/sphinx"
    error = "INFO:docs: IOError: [Errno 2] No such file or directory: '/srv/docs/man/a.doctree'"
    code = (
        "import sys\n"
        "for i in range(12):\n"
        "    print(f'INFO:docs: reading sources... [{i * 8:3d}%] '\n"
        "          f'contributor/specs/command-objects/page{i}')\n"
        "print('INFO:docs: Exception occurred:')\n"
        "for name in ('application', 'builders/manpage', 'environment'):\n"
        f"    print(f'INFO:docs:   File \"{site}/{{name}}.py\", line 1097, in get_doctree')\n"
        "    print(\"INFO:docs:     f = open(doctree_filename, 'rb')\")\n"
        f"print({error!r})\n"
        "for i in range(30): print(f'cleanup step {i}')\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--budget", "4000", "--", *py(code))
    assert r.code == 1
    assert len(r.console) <= 4000
    lines = r.stdout.splitlines()
    assert b"error lines from here on are held" not in r.stdout  # the error itself was shown live
    for name in ("application", "builders/manpage", "environment"):
        frame = f'INFO:docs:   File "{site}/{name}.py", line 1097, in get_doctree'
        assert lines.count(frame.encode()) == 1
    assert lines.count(error.encode()) == 1


def test_a_line_only_just_over_the_width_is_shown_whole(run_logtrim: RunLogtrim) -> None:
    """Cutting 20 bytes out of a line behind a 50-byte note would make it longer: it is shown
    as written (a 2 kB budget: lines are cut to 256 bytes)."""
    line = "ERROR remote_client (TestSecurityGroupsBasicOps:test_cross_tenant_traffic) " + "x" * 200
    r = run_logtrim("--budget", "2048", "--", *py(f"import sys\nprint({line!r})\nsys.exit(1)"))
    assert r.stdout.splitlines().count(line.encode()) == 1
    assert len(r.console) <= 2048
    long = "ERROR remote_client (TestSecurityGroupsBasicOps:test_cross_tenant_traffic) " + "x" * 900
    r = run_logtrim("--budget", "2048", "--", *py(f"import sys\nprint({long!r})\nsys.exit(1)"))
    assert b"cut; the full log has all of it]" in r.stdout


def test_a_node_uncaught_exception_keeps_its_frames_together(run_logtrim: RunLogtrim) -> None:
    """Node prints an uncaught exception under its source excerpt: the source line (an error
    word: ``throw new Error(...)``), a caret, a blank line, then ``Error: x`` and its
    frames. The frames after ``Error: x`` were cut after ``--after`` lines, the rest coming
    under the tail's header: the trace split in two."""
    frames = [f"    at f{i} (/srv/app/job.js:{i + 2}:21)" for i in range(9)]
    trace = [
        "/srv/app/job.js:2",
        'function f(){ throw new Error("boom here"); }',
        "              ^",
        "",
        "Error: boom here",
        *frames,
        "",
        "Node.js v20.20.2",
    ]
    code = (
        "import sys\n"
        "for i in range(5000): print('processing item', i)\n"
        # One stream (as ``2>&1`` gives it): the tail's header would come between them.
        f"sys.stdout.write({chr(10).join(trace)!r} + '\\n')\n"
        "sys.exit(1)\n"
    )
    result = run_logtrim("--budget", "20kB", "--", *py(code))
    assert result.code == 1
    err = result.stdout.decode().splitlines()
    start = err.index("Error: boom here")
    assert err[start : start + 10] == ["Error: boom here", *frames]
    assert b"failed (exit 1): Error: boom here" in result.console


def test_a_rust_compiler_error_is_shown_whole(run_logtrim: RunLogtrim) -> None:
    """rustc draws a diagnostic with its source lines numbered in the first column
    (``6 |     let s: String = 5;``) and ``help:`` sections at the first column too: each
    ended the error's block, and the rest of the drawing was hidden (``7 lines not
    shown``) with nearly all of the budget left."""
    drawing = [
        "error[E0308]: mismatched types",
        " --> src/main.rs:6:21",
        "  |",
        "6 |     let s: String = 5;",
        "  |            ------   ^ expected `String`, found integer",
        "  |            |",
        "  |            expected due to this",
        "  |",
        "help: try using a conversion method",
        "  |",
        "6 |     let s: String = 5.to_string();",
        "  |                      ++++++++++++",
    ]
    code = (
        "import sys\n"
        "for i in range(3000): print(f'step {i} ok')\n"
        f"print({chr(10).join(drawing)!r})\n"
        "print()\n"
        "print('error: could not compile `rs` (bin \"rs\") due to 1 previous error')\n"
        "sys.exit(101)\n"
    )
    result = run_logtrim("--budget", "20kB", "--", *py(code))
    assert result.code == 101
    out = result.stdout.decode().splitlines()
    start = out.index(drawing[0])
    assert out[start : start + len(drawing)] == drawing


def test_indented_lines_after_a_traceback_do_not_join_it(run_logtrim: RunLogtrim) -> None:
    """After the exception that ends a Python traceback, only frames go on with it (Node
    prints them after its ``Error: x``): 180 indented ``kubectl`` lines were taken for the
    trace's and shown as its context, 7 kB of an 8 kB console, the failure tail left with
    two lines."""
    code = (
        "import sys\n"
        "for i in range(80): print(f'step {i} ok')\n"
        "print('Traceback (most recent call last):')\n"
        "print('  File \"/app/probe.py\", line 10, in <module>')\n"
        "print('    probe()')\n"
        "print('ConnectionError: probe endpoint unreachable')\n"
        "for i in range(180): print(f'  - deployment.apps/service-{i} configured "
        "(replicas {i}, image registry.example/app{i}:1.2.{i})')\n"
        "print('KubectlError: apply failed: quota exceeded')\n"
        "for i in range(250): print(f'cleanup {i}')\n"
        "sys.exit(1)\n"
    )
    result = run_logtrim("--budget", "8kB", "--", *py(code))
    assert result.code == 1
    shown = result.stdout.decode()
    assert shown.count("deployment.apps/service-") <= 8  # 3 after it, 5 before the next
    assert "KubectlError: apply failed: quota exceeded" in shown
    assert "cleanup 249" in shown  # the failure tail has its room


def test_an_indented_list_after_an_error_line_is_no_part_of_its_block(
    run_logtrim: RunLogtrim,
) -> None:
    """An error line, then a test run's indented list (``  Passed ...``): each line more
    indented than the error was taken for its block, 200 of them shown one by one at any
    budget. Lines in a row that continue a block by their indent alone end it after 20; a
    frame (``at ...``) still goes on with it."""
    code = (
        "for i in range(100): print(f'processing batch {i}')\n"
        "print('ERROR: coupon SAVE10 not found in cache')\n"
        "for i in range(3000): print(f'  Passed Shop.Tests.CatalogTests.Lists_page_{i} [< 1 ms]')\n"
        "print('Passed!  - Failed: 0, Passed: 3000')\n"
    )
    shown = run_logtrim("--budget", "64kB", "--", *py(code)).stdout.decode()
    assert "ERROR: coupon SAVE10 not found in cache" in shown
    assert shown.count("  Passed Shop.Tests") <= 30
    frames = (
        "for i in range(2000): print(f'processing batch {i}')\n"
        "print('ERROR: unhandled exception in worker')\n"
        "for i in range(60): print(f'    at Shop.Worker.Step{i}() in /src/Worker.cs:line {i}')\n"
    )
    shown = run_logtrim("--budget", "64kB", "--", *py(frames)).stdout.decode()
    assert shown.count("    at Shop.Worker.Step") == 60


def test_a_caret_is_picked_with_the_lines_it_points_at() -> None:
    """A tail that fits only in part took pytest's ``^^^^`` (short, rule-free: it fits where
    its neighbours do not) without the source line it underlines: a caret under a marker,
    pointing at nothing. It comes with the lines it leans on or not at all."""
    texts = [
        b"_______________ test_discount _______________\n",
        b'>       assert d["WINTER"] == 0.2\n',
        b"               ^^^^^^^^^^^\n",
        b"E       KeyError: 'WINTER'\n",
        b"test_shop.py:9: KeyError\n",
    ]
    lines = [TailLine(n, 1, text, marked=n == 3) for n, text in enumerate(texts)]
    for room in range(40, sum(map(len, texts)) + 1):
        picked = [line.lineno for line in pick(lines, room, last=1)]
        assert sum(len(texts[n]) for n in picked) <= room
        if 2 in picked:  # the caret: with its source line
            assert 1 in picked, (room, picked)
    gcc = [
        b"src/net/socket.c:42:17: error: 'SOCK_NONBLOCKING' undeclared\n",
        b"   42 |     int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCKING, 0);\n",
        b"      |                 ^~~~~~~~~~~~~~~~\n",
        b"make: *** [Makefile:5: all] Error 2\n",
    ]
    lines = [TailLine(n, 1, text, marked=n in (0, 3)) for n, text in enumerate(gcc)]
    for room in range(40, sum(map(len, gcc)) + 1):
        picked = [line.lineno for line in pick(lines, room, last=1)]
        for n in (1, 2):  # a quoted source line, a caret: with the diagnostic above
            if n in picked:
                assert set(range(n)) <= set(picked), (room, picked)


def test_a_level_with_no_message_is_blank_where_room_is_short() -> None:
    """Maven's summary puts ``[ERROR] `` between its paragraphs, and a lone colour reset
    ends its output: blank lines to a reader, but they took the room of lines that say
    something when only part of a tail fits."""
    texts = [
        b"[ERROR] Tests run: 3, Failures: 1, Errors: 1, Skipped: 0\n",
        b"[ERROR] \n",
        b"[ERROR] Failed to execute goal surefire:test on project pricing\n",
        b"[ERROR] \n",
        b"\x1b[0m\n",
    ]
    lines = [TailLine(n, 1, text, marked=n < 4) for n, text in enumerate(texts)]
    room = len(texts[0]) + len(texts[2])
    assert [line.lineno for line in pick(lines, room)] == [0, 2]
    assert len(pick(lines, sum(map(len, texts)))) == 5  # all of it, when it fits
