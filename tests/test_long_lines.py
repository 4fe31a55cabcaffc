"""A long line cut on the console (the archive keeps it whole): its start, its end, and the
message of an error in its middle (a failed item inside a tool's JSON result)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import RunLogtrim, clean_env, examples, py
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim._text import char_start
from logtrim.engine.console.display import display

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


@given(
    text=st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), min_size=1, max_size=40),
    repeat=st.integers(20, 400),
    error_at=st.none() | st.integers(0, 10_000),
    max_line=st.integers(60, 600),
)
@settings(max_examples=examples(300), deadline=None)
def test_a_cut_line_keeps_whole_characters(
    text: str, repeat: int, error_at: int | None, max_line: int
) -> None:
    """Whatever the text and wherever an error word sits, the console form of a long line
    of UTF-8 is UTF-8: no piece begins or ends inside a character."""
    body = (text * repeat).encode()
    if error_at is not None:
        at = char_start(body, error_at % len(body))
        body = body[:at] + " error: ü€😀 ".encode() + body[at:]
    shown = display(body, max_line)
    shown.decode("utf-8")  # raises on a half character
    assert len(shown) <= max(len(body) + 1, max_line + 80)


def test_a_long_line_of_accented_words_reaches_the_console_as_text(
    run_logtrim: RunLogtrim,
) -> None:
    """A step prints a long line of multi-byte characters (a translated message, emoji):
    the console shows its start and end as text, with no replacement character."""
    line = "step 1/3: " + "Überprüfung läuft: 🚀 " * 3000  # its cut falls inside a "Ü"
    code = f"import sys; sys.stdout.write({line!r} + '\\n')"
    r = run_logtrim("--", *py(code))
    assert r.code == 0
    first = r.stdout.decode("utf-8").splitlines()[0]  # strict: raises on a half character
    assert first.startswith("step 1/3: Überprüfung läuft: 🚀") and "cut; the full log has" in first
    assert first.endswith("Überprüfung läuft: 🚀 ")
    assert r.archive == (line + "\n").encode()


def test_a_line_just_over_the_width_is_not_cut_for_a_few_bytes() -> None:
    """An 816-byte Maven ``[ERROR] Failed to execute goal`` line at a 6 kB budget was cut to
    save 5 bytes, with a 55-byte note in it. A cut must save more than its note takes."""
    line = b"[ERROR] Failed to execute goal " + b"org.apache.maven:maven-core:jar:2.0.6, " * 20
    for over in (10, 60, 100):
        width = len(line) - over
        assert display(line, width) == line + b"\n"
    shown = display(line, len(line) - 400)
    assert b"cut; the full log has all of it" in shown and len(shown) < len(line) - 250


def test_a_line_too_long_to_hold_says_so_where_the_shown_whole_output_ends(
    run_logtrim: RunLogtrim,
) -> None:
    """A line past 1 MiB ends the output shown whole (when within it that happens would
    depend on the reads); the note says why, not that the output passed its allowance."""
    code = "print('start'); print('x' * 1_500_000); print('end')"
    r = run_logtrim("--verbatim", "200MB", "--", *py(code))
    assert r.code == 0
    out = r.stdout.decode()
    assert "a line longer than 1.05 MB: from here on only what matters is shown" in out
    assert "output passed" not in out
    assert out.index("start") < out.index("a line longer") < out.index("end")


# A structured logger that writes its payload before the level and the message (as some order
# their keys): the line is longer than the console shows, its error at its end.
_LATE_ERROR = (
    '{"ts": "2025-03-14T09:21:07Z", "request": {"body": "' + "a" * 20_000 + '"}, '
    '"level": "error", "msg": "payment provider rejected batch: invalid IBAN"}'
)


def test_an_error_at_the_end_of_a_20_kB_line_is_counted_and_named(
    run_logtrim: RunLogtrim,
) -> None:
    """A line past the console's width (16 kB) is cut there, but its tier is all of it's: its
    error at the end is counted, named as the failure, and ``stats`` of the archive agrees."""
    code = (
        "import sys; print('starting job')\n"
        f"print({_LATE_ERROR!r})\n"
        "print('cleaning up'); sys.exit(1)"
    )
    r = run_logtrim("--", *py(code))
    assert r.code == 1
    console = r.console.decode()
    assert "errors 1/1" in console
    reason = next(ln for ln in console.splitlines() if ln.startswith("[logtrim] failed"))
    assert "payment provider rejected batch: invalid IBAN" in reason
    assert r.artifact is not None
    out = subprocess.run(
        [sys.executable, "-m", "logtrim", "stats", "--json", str(r.artifact)],
        env=clean_env(), capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    assert json.loads(out.stdout)["tier_lines"].get("error") == 1


def test_a_line_longer_than_logtrim_holds_is_classified_on_its_start(
    run_logtrim: RunLogtrim,
) -> None:
    """Past 1 MiB a line comes in pieces, its tier decided on its first 16 kB: an error word
    at its end is in the archive, not counted (as documented)."""
    code = "import sys; print('x' * 1_200_000 + ' ERROR: boom'); sys.exit(1)"
    r = run_logtrim("--", *py(code))
    assert r.code == 1
    assert "errors 0/0" in r.console.decode()
    assert b"x ERROR: boom\n" in r.archive


def test_the_error_at_the_end_of_a_200_kB_line_is_the_reason(run_logtrim: RunLogtrim) -> None:
    """Past 64 kB a line is read for the reason as its start and its end (each of the
    reason's forms searches the whole line): the error at its end is still named."""
    code = (
        "import sys; print('upload: ' + 'a' * 200_000 + ' -> Error: quota exceeded'); sys.exit(1)"
    )
    r = run_logtrim("--", *py(code))
    assert r.code == 1
    reason = next(ln for ln in r.console.decode().splitlines() if ln.startswith("[logtrim] failed"))
    assert reason.startswith("[logtrim] failed (exit 1): upload: aaa")
    assert reason.endswith("aaa -> Error: quota exceeded")
