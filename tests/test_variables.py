"""Values the template does not replace: a token that varies among a good run's lines of one
shape is a value, and a failing run's line that differs from them only there is not new."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import clean_env

from logtrim.engine.console.output import STDOUT
from logtrim.engine.ending.failure import TailLine, pick
from logtrim.engine.shapes.baseline import Baseline
from logtrim.engine.shapes.shapes import Shapes

# A package manager's mirror list (yum's "Loading mirror speeds"): another mirror each run.
GOOD = (
    b"".join(
        b" * %s: %s\n" % (repo, host)
        for repo in (b"base", b"updates")
        for host in (b"mirror.alpha.example.org", b"ftp.bravo.example.net")
    )
    + b"Tests PASSED\nUsing profile staging.eu-west from the config\n"
)


def _new(good: bytes, bad: bytes) -> list[int]:
    shapes = Shapes()
    shapes.feed(good)
    return Baseline(shapes.hashes).new_lines(bad)


def test_a_value_that_varies_in_the_good_run_makes_no_line_new() -> None:
    assert _new(GOOD, b" * updates: mirrors.charlie.example.com\n") == []


def test_a_word_is_never_a_value() -> None:
    # ``FAILED`` for ``PASSED``: the line that says why.
    assert _new(GOOD, b"Tests FAILED\n") == [0]


def test_a_value_the_good_run_never_varied_stays_new() -> None:
    assert _new(GOOD, b"Using profile production.us-east from the config\n") == [0]


def test_a_long_line_with_its_mapping_in_another_order_is_not_new() -> None:
    """Python 2 printed a dict's keys in another order each run."""
    names = b"id state reuse nodes declined_by node_types requestor stat".split()
    keys = [b"'%s': u'%s'" % (name, name.upper()) for name in names]
    good = b"Assigning request <Request {%s}>\n" % b", ".join(keys)
    bad = b"Assigning request <Request {%s}>\n" % b", ".join(keys[::-1])
    assert _new(good, bad) == []
    # A short line says something else with its words in another order.
    assert _new(b"copy alpha to bravo\n", b"copy bravo to alpha\n") == [0]


def test_the_run_learns_its_values_for_the_next_run() -> None:
    """What a run remembers (its archive's trailer, ``--history``) holds its values too."""
    shapes = Shapes()
    shapes.feed(GOOD)
    run = Baseline(shapes.hashes)
    run.new_lines(GOOD)
    assert Baseline(run.seen.hashes).new_lines(b" * base: mirror.delta.example.io\n") == []


def test_diff_shows_the_new_line_and_not_a_new_mirror(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.log", tmp_path / "bad.log"
    good.write_bytes(GOOD)
    bad.write_bytes(b" * base: mirror.echo.example.org\nTests FAILED\n")
    proc = subprocess.run(
        [sys.executable, "-m", "logtrim", "diff", str(good), str(bad)],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().splitlines()[:1] == ["2:Tests FAILED"]
    assert b"1 new line shape" in proc.stdout


def _incidents(new: bool) -> list[TailLine]:
    """Two errors, each followed by two lines (the older error's second one new), then the
    step's last two lines."""
    words = iter(b"alpha bravo charlie delta echo foxtrot golf hotel".split())
    out = []
    for head in (0, 10):
        text = b"ERROR: step %s failed\n" % next(words)
        out.append(TailLine(head, STDOUT, text, True, head, True))
        for k in (1, 2):
            text = b"cleaning up the %s workspace of the step\n" % next(words)
            fresh = new and head == 0 and k == 2
            out.append(TailLine(head + k, STDOUT, text, True, head, False, new=fresh))
    return [*out, TailLine(20, STDOUT, b"+ exit 1\n"), TailLine(21, STDOUT, b"+ cleanup\n")]


def test_the_tail_takes_an_error_s_new_lines_before_lines_good_runs_print() -> None:
    """Room for one line after the errors: the new one, though its error is the older."""
    lines = _incidents(True)
    room = sum(len(t.text) for t in lines if t.lineno % 10 == 0 or t.lineno > 20) + 50
    assert [t.lineno for t in pick(lines, room)] == [0, 2, 10, 20, 21]
    # Without a baseline the newer error's line goes first, as it did.
    assert [t.lineno for t in pick(_incidents(False), room)] == [0, 10, 11, 20, 21]


def test_the_tail_takes_a_new_line_before_errors_every_good_run_prints() -> None:
    """An error every good run also prints is rarely the cause: with little room, the line
    no good run printed (held back, no error word) is shown rather than more of those."""
    lines = [
        TailLine(n, STDOUT, b"ERROR: cannot load plugin %s\n" % word, True, n, True)
        for n, word in enumerate(b"alpha bravo charlie delta echo foxtrot".split(), start=10)
    ]
    text = b"Using cached credentials from /home/deploy/.aws/config\n"
    silent = TailLine(2, STDOUT, text, False, 2, False, True, new=True)
    room = sum(len(t.text) for t in lines[-2:]) + len(text)  # the last two, and one more
    assert [t.lineno for t in pick([silent, *lines], room)] == [2, 14, 15]


def test_an_id_spelled_in_digits_alone_is_no_new_shape() -> None:
    """A hex id is ``<hex>`` when it holds a letter and ``<n>`` when it happens to be all digits
    (a commit hash once in 27 runs): that line was new, shown and even named the reason."""
    good = b"".join(
        b"sync object %05d etag=%016x size=%d\n" % (i, 0xA0 << 56 | i, i) for i in range(5)
    )
    digits = b"sync object 00960 etag=1206706657373641 size=27682\n"
    assert _new(good, digits) == []
    assert _new(digits, good.splitlines(keepends=True)[0]) == []  # and the other way round
    assert _new(good, b"sync object 00960 etag=1206706657373641 checksum mismatch\n") == [0]
