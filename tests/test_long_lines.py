"""A long line cut on the console (the archive keeps it whole): its start, its end, and the
message of an error in its middle (a failed item inside a tool's JSON result)."""

from __future__ import annotations

from conftest import RunLogtrim, py

from logtrim.engine.display import display

# ansible's result of a failed task: the failed item's message sits deep inside the JSON.
RESULT = (
    'fatal: [web-01]: FAILED! => {"changed": true, "stdout_lines": ['
    + ", ".join(f'"changed: [web-01] => (item=/srv/app/{i})"' for i in range(300))
    + ', "failed: [web-01] (item=/srv/cache) => {\\"msg\\": \\"rmtree failed: [Errno 30]'
    + ' Read-only file system\\"}", '
    + ", ".join(f'"ok: [web-01] => (item=/srv/data/{i})"' for i in range(40))
    + '], "rc": 2}'
)


def test_the_error_in_the_middle_of_a_long_line_reaches_a_small_console(
    run_logtrim: RunLogtrim,
) -> None:
    code = f"import sys; print({RESULT!r}); sys.exit(2)"
    r = run_logtrim("--budget", "2048", "--", *py(code))
    assert r.code == 2
    assert len(r.console) <= 2048
    console = r.console.decode()
    assert "fatal: [web-01]: FAILED!" in console
    assert "rmtree failed: [Errno 30] Read-only file system" in console
    assert '"rc": 2}' in console  # the end
    assert RESULT.encode() in r.archive


def test_a_long_line_with_no_error_in_its_middle_keeps_its_start_and_end() -> None:
    line = b"start " + b"x" * 5000 + b" end"
    shown = display(line, 300)
    assert shown.startswith(b"start xxx") and shown.endswith(b"xxx end\n")
    assert shown.count(b" ... ") == 2  # one note, between the two pieces
    assert len(shown) <= 300 + 80
