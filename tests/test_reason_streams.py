"""The line a person points at, whichever stream it is on and whatever follows it.

A failed command's message on stderr is the reason and is on the console, also when a
cleanup trap prints hundreds of lines on stdout after it; an errno message (``prog: path:
No such file or directory``) is an error; an error the program says it retries is outranked
by the message it stopped with; text around a CI service message on its line is read as any
line. Real children, the reason and the console as a user sees them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunLogtrim, py
from octopus_decoder import messages

# A set -e step: many lines of work, a failing command, then an EXIT trap's lines.
_TRAP = """set -e
trap 'for i in $(seq 1 {trap}); do echo "teardown: unmounting volume vol-$i"; done' EXIT
for i in $(seq 1 2500); do echo "rendering template $i of 2500 into /srv/site/page$i.html"; done
{fail}
echo never
"""


def _reason(console: bytes) -> str:
    lines = [x for x in console.decode().splitlines() if x.startswith("[logtrim] failed (")]
    assert len(lines) == 1, console.decode()[-3000:]
    return lines[0].split("): ", 1)[1]


@pytest.mark.parametrize(
    ("fail", "message"),
    [
        ("cd /nonexistent/release-dir", "/nonexistent/release-dir: No such file or directory"),
        (
            "echo 'release 7 is locked by deploy 4411 on web-03' >&2; exit 4",
            "release 7 is locked by deploy 4411 on web-03",
        ),
    ],
)
@pytest.mark.parametrize("trap", [1, 40, 400])
def test_stderr_message_before_a_trap_is_on_the_console_and_the_reason(
    run_logtrim: RunLogtrim, fail: str, message: str, trap: int
) -> None:
    script = _TRAP.format(trap=trap, fail=fail)
    r = run_logtrim("--ci", "plain", "--budget", "50kB", "--", "bash", "-c", script)
    assert r.code != 0
    assert message.encode() in r.archive
    # On the console once (the reason's line aside), on the stream it was written to.
    assert message.encode() in r.stderr, r.stdout.decode()[-2000:]
    assert message in _reason(r.stdout)
    assert "teardown" not in _reason(r.stdout)


@pytest.mark.parametrize(
    "line",
    [
        "tar: /srv/backup/site.tgz: Cannot open: Read-only file system",
        "open /etc/app/settings.toml: no such file or directory",
        "bash: line 1: kubectl: command not found",
        "rm: cannot remove '/srv/app': Directory not empty",
        "OSError: [Errno 5] Input/output error",
        "sh: 1: ./deploy.sh: Permission denied",
        "ssh: connect to host web-09 port 22: No route to host",
        "gzip: stdin: unexpected end of file",
        "xz: release.zip: File format not recognized",
        "gzip: site.tgz: not in gzip format",
        "Error: ENOENT: no such file or directory, open '/srv/app/.env'",
        "Couldn't open /etc/app.conf: No such file or directory at deploy.pl line 12.",
        "stat /srv/app/cache: no such file or directory - skipping",
        "rsync: read error: Connection reset by peer...",
    ],
)
def test_an_errno_message_is_an_error_and_the_reason(run_logtrim: RunLogtrim, line: str) -> None:
    code = f"import sys\nprint('starting')\nprint({line!r}, file=sys.stderr)\nprint('done.')\n"
    code += "sys.exit(3)\n"
    r = run_logtrim("--ci", "plain", "--", *py(code))
    assert r.code == 3
    assert _reason(r.stdout) == line
    assert "errors 1/1" in r.stdout.decode()


@pytest.mark.parametrize(
    "said",
    [
        "parser: unexpected end of file is allowed here, continuing",
        "cache: no such file or directory yet, creating /var/cache/app",
        "note: broken pipe handling is enabled for workers",
    ],
)
def test_an_errno_text_going_on_as_a_sentence_is_no_error(
    run_logtrim: RunLogtrim, said: str
) -> None:
    """The C library's text ends its clause (the line, or punctuation after it); more words
    after it make a sentence that mentions it, no error: stderr's last line is the reason."""
    last = "bundle staged with 2 items pending"
    code = (
        f"import sys\nprint('starting')\nprint({said!r}, file=sys.stderr)\n"
        f"print({last!r}, file=sys.stderr)\nsys.exit(3)\n"
    )
    r = run_logtrim("--ci", "plain", "--", *py(code))
    assert r.code == 3
    assert _reason(r.stdout) == last
    assert "errors 0/0" in r.stdout.decode()


@pytest.mark.parametrize(
    "retried",
    [
        "ERROR upload of part 4 failed, retrying (1/5)",
        "Error: request to https://registry.example/v2/ timed out; will retry in 4s",
        "ERROR: connection to db-02:5432 refused (attempt 2 of 6)",
    ],
)
@pytest.mark.parametrize("final_on", ["stdout", "stderr"])
def test_an_error_being_retried_loses_to_the_message_the_run_stopped_with(
    run_logtrim: RunLogtrim, retried: str, final_on: str
) -> None:
    final = "rollout halted: 3 of 8 pods never became ready within 600s"
    stream = "sys.stderr" if final_on == "stderr" else "sys.stdout"
    code = (
        "import sys\n"
        f"print({retried!r})\n"
        "print('part 4 uploaded')\n"
        "for i in range(60): print(f'waiting for pods {i}')\n"
        f"print({final!r}, file={stream})\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--", *py(code))
    assert _reason(r.stdout) == final


def test_a_retried_error_is_still_the_reason_when_nothing_else_says_why(
    run_logtrim: RunLogtrim,
) -> None:
    line = "ERROR upload of part 4 failed, retrying (1/5)"
    code = f"import sys\nprint({line!r})\nfor i in range(9): print(f'.')\nsys.exit(1)\n"
    r = run_logtrim("--ci", "plain", "--", *py(code))
    assert _reason(r.stdout) == line


@pytest.mark.parametrize("budget", ["3kB", "20MB"])
def test_a_retried_error_the_script_went_on_from_is_not_why_it_failed(
    run_logtrim: RunLogtrim, tmp_path: Path, budget: str
) -> None:
    """A ``set -e`` script: a transient error it recovered from, then the rest of the step,
    then a command that fails without a word. The recovered error is not the reason (it was
    named): the exit code is, and the last lines show where the script stopped."""
    script = tmp_path / "deploy.sh"
    script.write_text(
        "set -e\n"
        "echo 'ERROR: could not reach cache server, retrying'\n"
        "echo 'cache reached'\n"
        'for i in $(seq 1 50); do echo "copy file $i of 50"; done\n'
        "grep -q needle /dev/null\n"
        "echo done\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", budget, "--", "bash", str(script))
    assert r.code == 1
    assert _reason(r.stdout) == "exited with code 1"
    assert b"copy file 50 of 50\n" in r.stdout


_BILLING = """
import logging, sys
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
log = logging.getLogger("billing")
for i in range(1, 301):
    log.info("processed invoice %d of 300", i)
    if i == 100:
        try:
            100 / 0
        except ZeroDivisionError:
            log.exception("could not charge invoice %d", i)
log.critical("billing run aborted: ledger out of balance by 12.50 EUR")
sys.exit(4)
"""


@pytest.mark.parametrize("budget", ["4kB", "20MB"])
def test_a_fatal_line_after_an_exception_the_app_went_on_from_is_the_reason(
    run_logtrim: RunLogtrim, budget: str
) -> None:
    """An app logs a handled exception and goes on; 200 lines later it logs CRITICAL and
    stops: the CRITICAL line is why (the exception was named)."""
    r = run_logtrim("--ci", "plain", "--budget", budget, "--", *py(_BILLING))
    assert r.code == 4
    assert _reason(r.stdout) == (
        "CRITICAL billing: billing run aborted: ledger out of balance by 12.50 EUR"
    )


def test_an_exception_right_before_a_fatal_line_stays_the_reason(run_logtrim: RunLogtrim) -> None:
    """A fatal line that follows the traceback at once says only that it stopped: the
    exception says why."""
    code = _BILLING.replace("if i == 100:", "if i == 300:")
    r = run_logtrim("--ci", "plain", "--", *py(code))
    assert _reason(r.stdout) == "ZeroDivisionError: division by zero"


def test_the_message_before_a_success_line_on_the_other_stream_is_the_reason(
    run_logtrim: RunLogtrim,
) -> None:
    """A milestone printed last on stdout (a rollback's "complete") says nothing went wrong."""
    code = (
        "import sys\n"
        "print('deploying 4.12.0')\n"
        "print('smoke test: GET /health returned 503', file=sys.stderr)\n"
        "print('Rollback completed')\n"
        "sys.exit(2)\n"
    )
    r = run_logtrim("--ci", "plain", "--", *py(code))
    assert _reason(r.stdout) == "smoke test: GET /health returned 503"


_MSG = "##octopus[progress percentage='NTA=' message='aGFsZg==']"


@pytest.mark.parametrize("ci", ["plain", "octopus"])
def test_an_error_after_a_service_message_on_its_line_is_an_error(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    text = "fatal: unable to write /srv/releases/42: quota exceeded"
    code = f"import sys\nprint({_MSG + text!r})\nsys.exit(3)\n"
    r = run_logtrim("--ci", ci, "--", *py(code))
    out = r.stdout.decode()
    assert (_MSG + text) in out.splitlines()  # the message verbatim, the text with it
    assert "errors 1/1" in out
    if ci == "plain":
        assert _reason(r.stdout) == text
    else:
        assert "##octopus[resultMessage" in out


def test_a_long_error_text_after_a_service_message_is_cut_not_dropped(
    run_logtrim: RunLogtrim,
) -> None:
    code = (
        f"print({_MSG!r} + 'ERROR: volume /var is full ' + 'x' * 60000 + ' tail-of-line')\n"
        "raise SystemExit(5)\n"
    )
    r = run_logtrim("--ci", "octopus", "--budget", "100kB", "--", *py(code))
    line = next(x for x in r.stdout.decode().splitlines() if x.startswith(_MSG))
    assert "ERROR: volume /var is full" in line
    assert "the full log has all of it" in line
    assert line.endswith("tail-of-line")
    assert len(line) < 20_000
    assert "errors 1/1" in r.stdout.decode()


def test_text_before_an_azure_command_is_read_as_a_line(run_logtrim: RunLogtrim) -> None:
    text = "Error: resource group rg-prod not found"
    code = (
        f"print({text + ' ##vso[task.setvariable variable=stage]deploy'!r})\nraise SystemExit(2)\n"
    )
    r = run_logtrim("--ci", "azure", "--", *py(code))
    assert f"##vso[task.logissue type=error]{text}" in r.stdout.decode()


@pytest.mark.parametrize(
    "on_stderr", ["Downloaded 45.2 MB of 45.2 MB (100%)", "WARNING: pip is out of date"]
)
def test_a_progress_or_warning_line_on_stderr_does_not_outrank_stdout(
    run_logtrim: RunLogtrim, on_stderr: str
) -> None:
    """A progress bar or a warning is not what a program stops with: the newest line wins."""
    final = "upgrade halted: schema version 12 is newer than this release supports"
    code = (
        "import sys, time\n"
        f"print({on_stderr!r}, file=sys.stderr, flush=True)\n"
        # Two pipes: only a pause makes the stderr line arrive first on a busy machine.
        "time.sleep(0.3)\n"
        "print('installing into /opt/app')\n"
        f"print({final!r})\n"
        "sys.exit(1)\n"
    )
    r = run_logtrim("--ci", "plain", "--", *py(code))
    assert _reason(r.stdout) == final


def test_a_warning_the_run_went_on_from_is_not_why_it_failed(run_logtrim: RunLogtrim) -> None:
    """A ``set -e`` script that failed on a silent command (``grep -q``): stderr's last
    line, a warning 150 lines before the end, was named as the reason, and read as the
    cause. The exit code is the reason then."""
    script = (
        "set -e\n"
        'for i in $(seq 1 300); do echo "processing item $i"\n'
        '  if [ $i -eq 150 ]; then echo "warning: item $i has no checksum" >&2; fi\n'
        "done\n"
        "grep -q nothing-matches-this /dev/null\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "6kB", "--", "bash", "-c", script)
    assert r.code == 1
    assert _reason(r.stdout) == "exited with code 1"


@pytest.mark.parametrize(("level", "named"), [("stdout-ignore", False), ("stdout-verbose", True)])
def test_a_line_the_ci_ignores_is_no_failure_reason(
    run_logtrim: RunLogtrim, level: str, named: bool
) -> None:
    """Under Octopus's ``stdout-ignore`` the server shows nothing of a line: it was named in
    the ``resultMessage`` all the same. A Verbose line is in the task log: it may be."""
    script = f"echo '##octopus[{level}]'; echo 'ERROR: internal-only detail'; exit 3"
    r = run_logtrim("--ci", "octopus", "--", "sh", "-c", script)
    assert r.code == 3
    results = [m.attrs["message"] for m in messages(r.stdout) if m.name == "resultMessage"]
    assert results == (["ERROR: internal-only detail"] if named else [])


@pytest.mark.parametrize(
    ("last", "named"),
    [
        ("release 4.12.0 is locked by deploy #4411, not proceeding", True),
        ("checksum mismatch: expected 9f1c got 77ab", True),
        ("config key db.url not found in prod.yaml", True),
        ("main done", False),  # says nothing of what went wrong: the exit code does
        ("cleanup: removed temp dir", False),
        # words of a failure counted as none, named in a path, or given as a tip
        ("No conflicts found", False),
        ("Verified checksums: no mismatches", False),
        ("Summary: 120 checked, 0 missing, 0 denied", False),
        ("cleanup: removed stale lock file /var/run/deploy.locked", False),
        ("Tip: if the upload is rejected, run deployctl login", False),
    ],
)
def test_a_script_that_says_why_on_stdout_is_named(
    run_logtrim: RunLogtrim, last: str, named: bool
) -> None:
    """A shell script ``echo``es its last word to stdout, then exits: a line that says
    something failed or was refused is the reason, not ``exited with code N``."""
    script = f"for i in $(seq 1 300); do echo step $i ok; done; echo {last!r}; exit 3"
    r = run_logtrim("--ci", "plain", "--", "bash", "-c", script)
    assert r.code == 3
    assert _reason(r.stdout) == (last if named else "exited with code 3")


def test_an_action_announced_on_stderr_is_still_no_reason(run_logtrim: RunLogtrim) -> None:
    """A word of a refusal inside an announced action says nothing went wrong yet."""
    script = "echo step ok; echo 'Checking for missing migrations...' >&2; exit 1"
    r = run_logtrim("--ci", "plain", "--", "bash", "-c", script)
    assert _reason(r.stdout) == "exited with code 1"


@pytest.mark.parametrize(
    ("complaint", "pointer"),
    [
        ("cp: missing destination file operand after 'release.tar'",
         "Try 'cp --help' for more information."),
        ("ls: unrecognized option '--budget'", "Try 'ls --help' for more information."),
        ("Usage: deployctl [OPTION]... TARGET", "Try 'deployctl --help' for more information."),
        ("curl: option --bogus: is unknown",
         "curl: try 'curl --help' or 'curl --manual' for more information"),
        ("Unknown option: -Z", "Try `python -h' for more information."),
        ("unknown flag: --bogus", "Run 'docker --help' for more information"),
    ],
)  # fmt: skip
def test_a_tools_pointer_to_its_help_is_not_the_reason(
    run_logtrim: RunLogtrim, complaint: str, pointer: str
) -> None:
    """A tool's pointer to its help (``Try 'cp --help' for more information.``, curl's,
    Python's, docker's) points at the line before it, which says what was wrong with the
    command line: that line is the reason."""
    script = 'printf \'%s\\n%s\\n\' "$1" "$2" >&2; exit 2'
    r = run_logtrim("--", "sh", "-c", script, "sh", complaint, pointer)
    assert r.code == 2
    assert f"[logtrim] failed (exit 2): {complaint}" in r.stdout.decode().splitlines()


@pytest.mark.parametrize(
    "frames",
    [
        ['\tmain::check("four") called at deploy.pl line 3'],
        ['\tmain::check("four") called at deploy.pl line 9',
         "\tmain::validate() called at deploy.pl line 14"],
        ["\teval {...} called at deploy.pl line 20"],
    ],
)  # fmt: skip
def test_perls_frames_under_its_message_point_at_the_message(
    run_logtrim: RunLogtrim, frames: list[str]
) -> None:
    """Perl's ``croak`` writes the message, then the frames that called it (Carp's): the
    message is the reason, not the caller's frame."""
    message = "invalid replica count 'four' at deploy.pl line 2."
    script = "printf '%s\\n' \"$@\" >&2; exit 255"
    r = run_logtrim("--", "sh", "-c", script, "sh", message, *frames)
    assert r.code == 255
    assert f"[logtrim] failed (exit 255): {message}" in r.stdout.decode().splitlines()


_TCL_TRACE = [
    "replica count must be positive, got 0",
    "    while executing",
    '"error "replica count must be positive, got $n""',
    '    (procedure "check" line 1)',
    "    invoked from within",
    '"check 0"',
    '    (file "deploy.tcl" line 3)',
]


@pytest.mark.parametrize("nested", [False, True])
def test_tcls_message_above_its_trace_is_the_reason(run_logtrim: RunLogtrim, nested: bool) -> None:
    """tclsh writes the error's message, then its trace (``errorInfo``): the commands it
    quotes are the code's words (``"error "replica count ...""``), not the message."""
    trace = _TCL_TRACE
    if nested:  # another procedure around it
        trace = [
            *trace[:-1],
            '    (procedure "main" line 4)',
            "    invoked from within",
            '"main"',
            trace[-1],
        ]
    script = "echo validating; printf '%s\\n' \"$@\" >&2; exit 1"
    r = run_logtrim("--", "sh", "-c", script, "sh", *trace)
    assert r.code == 1
    assert "[logtrim] failed (exit 1): replica count must be positive, got 0" in r.stdout.decode()


def test_a_caret_alone_is_no_reason(run_logtrim: RunLogtrim) -> None:
    code = "import sys\nprint('compiling')\nprint('  ^--- error here', file=sys.stderr)\n"
    r = run_logtrim("--ci", "plain", "--", *py(code + "sys.exit(3)\n"))
    assert _reason(r.stdout) == "exited with code 3"


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        # sqlite3: the message, the statement quoted, a caret under it that says "error here"
        (
            ['Error: in prepare, near "selec": syntax error', "  selec * from t;",
             "  ^--- error here"],
            'Error: in prepare, near "selec": syntax error',
        ),
        # unzip wraps its sentence onto an indented line
        (
            ["Archive:  nz.zip", "unzip:  cannot find zipfile directory in one of nz.zip or",
             "        nz.zip.zip, and cannot find nz.zip.ZIP, period."],
            "unzip:  cannot find zipfile directory in one of nz.zip or nz.zip.zip, and cannot"
            " find nz.zip.ZIP, period.",
        ),
    ],
)  # fmt: skip
def test_a_pointer_or_a_wrapped_line_gives_its_place_to_the_message(
    run_logtrim: RunLogtrim, lines: list[str], reason: str
) -> None:
    """The reason was the caret line (``^--- error here``) or the second half of a sentence
    (``nz.zip.zip, and cannot find nz.zip.ZIP, period.``): a line no one points at."""
    code = "import sys\n" + "".join(f"print({x!r}, file=sys.stderr)\n" for x in lines)
    r = run_logtrim("--ci", "plain", "--", *py(code + "sys.exit(9)\n"))
    assert r.code == 9
    assert _reason(r.stdout) == reason
