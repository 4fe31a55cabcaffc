"""When no line says what went wrong, the failure reason is the exit code: stdout's last line
("main done", a cleanup trap's echo) is no reason, stderr's last line still is."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from conftest import RunLogtrim
from octopus_decoder import messages

_QUIET_FAILURE = """\
set -e
trap 'echo "cleanup: removed temp dir"' EXIT
echo "Deploying release 7"
echo "Checking feature flag"
grep -q feature-x-enabled /dev/null
echo "Feature enabled"
"""


def _failed_line(console: bytes) -> str:
    return next(x for x in console.decode().splitlines() if x.startswith("[logtrim] failed"))


def _result_messages(stdout: bytes) -> list[str]:
    return [m.attrs["message"] for m in messages(stdout) if m.name == "resultMessage"]


def test_a_silent_failure_before_a_cleanup_trap_names_the_exit_code(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    script = tmp_path / "quiet.sh"
    script.write_text(_QUIET_FAILURE)
    r = run_logtrim("--ci", "plain", "--", "bash", str(script))
    assert r.code == 1
    assert _failed_line(r.console) == "[logtrim] failed (exit 1): exited with code 1"
    # Octopus keeps its own "failed with exit code 1": no resultMessage replaces it.
    r = run_logtrim("--ci", "octopus", "--", "bash", str(script))
    assert r.code == 1
    assert b"cleanup: removed temp dir" in r.stdout
    assert _result_messages(r.stdout) == []


def test_stdout_s_last_line_with_no_failure_word_is_no_reason(run_logtrim: RunLogtrim) -> None:
    cmd = ["bash", "-c", 'echo "starting daemon"; echo "main done"; exit 5']
    r = run_logtrim("--ci", "octopus", "--", *cmd)
    assert r.code == 5
    assert _result_messages(r.stdout) == []
    r = run_logtrim("--ci", "plain", "--", *cmd)
    assert _failed_line(r.console) == "[logtrim] failed (exit 5): exited with code 5"


def test_stderr_s_last_line_stays_the_reason_after_a_cleanup_line_on_stdout(
    run_logtrim: RunLogtrim,
) -> None:
    script = (
        "trap 'echo \"cleanup: removed temp dir\"' EXIT\n"
        'echo "Deploying release 7"\n'
        'echo "release 7 is locked by deploy 4411" >&2\n'
        "exit 4\n"
    )
    r = run_logtrim("--ci", "octopus", "--", "bash", "-c", script)
    assert r.code == 4
    assert _result_messages(r.stdout) == ["release 7 is locked by deploy 4411"]
    r = run_logtrim("--ci", "plain", "--", "bash", "-c", script)
    assert _failed_line(r.console).endswith("(exit 4): release 7 is locked by deploy 4411")


def test_stdout_s_last_line_that_says_something_failed_is_the_reason(
    run_logtrim: RunLogtrim,
) -> None:
    line = "rollout halted: 3 of 8 pods never became ready within 600s"
    r = run_logtrim("--ci", "octopus", "--", "bash", "-c", f'echo "waiting"; echo "{line}"; exit 1')
    assert r.code == 1
    assert _result_messages(r.stdout) == [line]
    assert base64.b64encode(line.encode()).decode() in r.stdout.decode()


def test_stderr_s_last_line_that_says_nothing_went_wrong_is_no_reason(
    run_logtrim: RunLogtrim,
) -> None:
    """An action announced (git writes ``Cloning into 'repo'...`` on stderr) or a loop's last
    line names no failure: the exit code does. One that says something failed still does."""
    announced = 'echo "Health check result: 503"; echo "Cloning into \'config-repo\'..." >&2'
    looped = 'for i in 1 2 3; do echo "removed temp file /tmp/x$i" >&2; done'
    for script in (announced, looped):
        r = run_logtrim("--ci", "octopus", "--", "bash", "-c", f"{script}; exit 1")
        assert r.code == 1
        assert _result_messages(r.stdout) == []
        r = run_logtrim("--ci", "plain", "--", "bash", "-c", f"{script}; exit 1")
        assert _failed_line(r.console) == "[logtrim] failed (exit 1): exited with code 1"
    for said in ("Rolling back...", "Certificate expired, renewing..."):
        r = run_logtrim("--ci", "plain", "--", "bash", "-c", f'echo "{said}" >&2; exit 1')
        assert _failed_line(r.console) == f"[logtrim] failed (exit 1): {said}"


def test_a_traced_return_of_a_code_names_what_ran_before_it(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """``set -x``: a function that fails by ``return 22`` leaves ``+ return 22`` as stderr's
    last line, which says no more than the exit code; the trace before it says what the
    function did last."""
    script = tmp_path / "deploy.sh"
    script.write_text(
        "set -x\n"
        'call_api() { echo "HTTP/1.1 401 Unauthorized"; return 22; }\n'
        "call_api -sf https://api.internal/deploy\n"
    )
    r = run_logtrim("--ci", "plain", "--", "bash", str(script))
    assert r.code == 22
    assert (
        _failed_line(r.console) == "[logtrim] failed (exit 22): + echo 'HTTP/1.1 401 Unauthorized'"
    )
    script.write_text("set -x\necho 'no release found for tag v9'\nexit 3\n")
    r = run_logtrim("--ci", "plain", "--", "bash", str(script))
    assert r.code == 3
    assert (
        _failed_line(r.console) == "[logtrim] failed (exit 3): + echo 'no release found for tag v9'"
    )


def _script_reason(run_logtrim: RunLogtrim, tmp_path: Path, text: str) -> tuple[int, str]:
    """``text`` run as ``bash deploy.sh``: its exit code and logtrim's ``failed`` line."""
    script = tmp_path / "deploy.sh"
    script.write_text(text)
    r = run_logtrim("--ci", "plain", "--", "bash", str(script))
    return r.code, _failed_line(r.console)


@pytest.mark.parametrize(
    "trap",
    [
        "rm -rf /tmp/deploy.$$",
        'echo "cleanup: removed /tmp/deploy.$$"',
        "rm -f a; true",
        "cleanup",  # a function's call, then its body
        "set +x; echo done",
        "teardown_env",
    ],
)
def test_an_exit_trap_traced_after_the_failing_command_is_no_reason(
    run_logtrim: RunLogtrim, tmp_path: Path, trap: str
) -> None:
    """``set -euxo pipefail`` with an EXIT trap: bash traces the trap's clean-up after the
    command that failed silently, and that trace (``+ rm -rf /tmp/deploy.25584``) was named
    as the reason; the command traced before it is what failed."""
    code, failed = _script_reason(
        run_logtrim,
        tmp_path,
        "set -euxo pipefail\n"
        'cleanup() { rm -rf "/tmp/deploy.$$"; }\n'
        "teardown_env() { unset DEPLOY_ENV; }\n"
        f"trap '{trap}' EXIT\n"
        'for i in $(seq 1 30); do echo "sync asset $i/30"; done\n'
        "grep -q 'release: 4.2.0' /dev/null\n"
        "echo never\n",
    )
    assert code == 1
    assert failed == "[logtrim] failed (exit 1): + grep -q 'release: 4.2.0' /dev/null"


def test_make_s_report_gives_way_to_what_the_recipe_wrote_before_it(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """``make: *** [Makefile:3: all] Error 2`` says a recipe failed; the shell's message
    above it, with no error word, says why."""
    (tmp_path / "Makefile").write_text('all:\n\t@echo "packaging"\n\t@x=$$(( % 5 ))\n')
    r = run_logtrim("--ci", "plain", "--", "make", "-C", str(tmp_path))
    assert r.code == 2
    failed = _failed_line(r.console)
    assert failed.startswith("[logtrim] failed (exit 2): /bin/sh: "), failed
    assert "% 5" in failed


def test_a_trap_s_clean_up_after_a_tool_s_message_gives_way_to_the_message(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """``set -ex`` with a trap of two clean-ups, after make's own complaint: the message the
    tool wrote is the reason, not the trap's ``+ echo 'Cleaning up'``."""
    code, failed = _script_reason(
        run_logtrim,
        tmp_path,
        "set -ex\n"
        "trap 'rm -rf /tmp/zz; echo \"Cleaning up\"' EXIT\n"
        f"make -C {tmp_path / 'no-such-dir'}\n",
    )
    assert code == 2
    assert failed.startswith("[logtrim] failed (exit 2): make: *** "), failed


def test_an_error_make_ignored_is_not_the_reason_of_the_recipe_that_failed_later(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """``-false`` in a recipe: make says ``Error 1 (ignored)`` and goes on; a later command
    fails with no message of its own. Make's report of that failure is the reason, not the
    error it was told to ignore."""
    (tmp_path / "Makefile").write_text('all:\n\t-@false\n\t@echo building\n\t@sh -c "exit 3"\n')
    r = run_logtrim("--ci", "plain", "--", "make", "-C", str(tmp_path))
    assert r.code == 2
    failed = _failed_line(r.console)
    assert failed.startswith("[logtrim] failed (exit 2): make: *** [Makefile:4: all] Error 3"), (
        failed
    )


def test_a_command_stopped_by_timeout_is_not_named_by_its_last_line(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """``timeout`` stops a command at its time limit (exit 124): its last line is wherever it
    was then (a server's ``Serving HTTP on port 8000``), no reason; an error line it wrote
    still is one."""
    code, failed = _script_reason(
        run_logtrim,
        tmp_path,
        "echo 'starting the smoke server'\n"
        "timeout 1 sh -c 'echo \"Serving HTTP on 127.0.0.1 port 8000\" >&2; sleep 10'\n",
    )
    assert code == 124
    assert failed == "[logtrim] failed (exit 124): exited with code 124"
    code, failed = _script_reason(
        run_logtrim,
        tmp_path,
        'timeout 1 sh -c \'echo "ERROR: cache warm-up failed: redis unreachable" >&2; '
        'echo "Serving HTTP on 127.0.0.1 port 8000" >&2; sleep 10\'\n',
    )
    assert code == 124
    assert failed == "[logtrim] failed (exit 124): ERROR: cache warm-up failed: redis unreachable"


@pytest.mark.parametrize(
    "trap",
    [
        "cleanup() { local rc=$?; rm -f /tmp/x.lock; exit $rc; }; trap cleanup EXIT",
        'cleanup() { echo "removing temp dir"; rm -rf /tmp/deploy.$$; }; trap cleanup EXIT',
        'on_exit() { rc=$?; set +x; echo "exit handler rc=$rc"; }; trap on_exit EXIT',
        'trap "rc=\\$?; rm -rf /tmp/deploy.1; exit \\$rc" EXIT',
        "exec 2>&1; trap 'rc=$?; rm -rf /tmp/deploy.1; exit $rc' EXIT",
    ],
)
def test_an_exit_trap_s_common_forms_give_way_to_the_command_that_failed(
    run_logtrim: RunLogtrim, tmp_path: Path, trap: str
) -> None:
    """The usual EXIT traps under ``set -ex``: the status kept (``+ rc=1``, ``+ local
    rc=1``), a message, a clean-up, the status passed on (``+ exit 1``), after a long run
    that pushed the failing command out of the last three lines kept of its stream."""
    code, failed = _script_reason(
        run_logtrim,
        tmp_path,
        f"set -ex\n{trap}\n"
        'for i in $(seq 1 300); do echo "deploying file$i ok"; done\n'
        "grep -q 'release: 4.2.0' /dev/null\n",
    )
    assert code == 1
    assert failed == "[logtrim] failed (exit 1): + grep -q 'release: 4.2.0' /dev/null"


def test_a_failing_function_named_for_clean_up_is_still_named(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """A function of the step itself whose name says clean-up, failing with its code alone:
    it is what failed (not its ``+ return 3``)."""
    code, failed = _script_reason(
        run_logtrim,
        tmp_path,
        "set -ex\ncleanup_old_releases() { return 3; }\necho 'pruning'\ncleanup_old_releases\n",
    )
    assert code == 3
    assert failed == "[logtrim] failed (exit 3): + cleanup_old_releases"


_WINDS_DOWN = """\
exec 2>&1
{failure} || rc=$?
echo "{announce}"
for i in $(seq 1 60); do echo "restored object $i"; done
{cleanup_error}
exit ${{rc:-1}}
"""


@pytest.mark.parametrize(
    ("failure", "named"),
    [
        (
            "python3 -c 'raise RuntimeError(\"migration 0042 failed: lock timeout\")'",
            "RuntimeError: migration 0042 failed: lock timeout",
        ),
        (
            "echo 'ERROR: upload of release 7 rejected: quota exceeded' >&2; false",
            "ERROR: upload of release 7 rejected: quota exceeded",
        ),
    ],
)
@pytest.mark.parametrize(
    "announce", ["step failed, rolling back", "Cleaning up the release directory", "Reverting"]
)
@pytest.mark.parametrize(
    "cleanup_error",
    [
        "rm /nonexistent-dir/deploy.lock",
        "echo 'curl: (7) Failed to connect to hooks.example.com port 443: Connection refused'",
    ],
)
def test_an_error_after_the_run_says_it_winds_down_is_the_clean_up_s(
    run_logtrim: RunLogtrim,
    tmp_path: Path,
    failure: str,
    named: str,
    announce: str,
    cleanup_error: str,
) -> None:
    """An error, then a line saying the run undoes its work, then 60 lines of it and an
    error of the clean-up (a lock already gone, a notification that failed): the error that
    made it roll back is what a person points at, however long the clean-up ran."""
    text = _WINDS_DOWN.format(failure=failure, announce=announce, cleanup_error=cleanup_error)
    code, failed = _script_reason(run_logtrim, tmp_path, text)
    assert code == 1
    assert failed.endswith(named), failed


def test_without_a_word_of_winding_down_a_later_error_is_where_it_stopped(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """An exception the program went on from, then 60 lines of other work and an error:
    that later error is named, as before (nothing said the run was undoing its work)."""
    text = _WINDS_DOWN.format(
        failure="python3 -c 'raise RuntimeError(\"cache warm-up failed\")'",
        announce="continuing without the cache",
        cleanup_error="echo 'ERROR: deploy of web-3 failed: disk full' >&2",
    )
    code, failed = _script_reason(run_logtrim, tmp_path, text)
    assert code == 1
    assert failed.endswith("ERROR: deploy of web-3 failed: disk full"), failed
