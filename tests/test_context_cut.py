"""The context before an error when the budget cuts it: it never starts inside a block whose
first lines were cut (a compiler warning's caret under nothing), and a cut of debug lines
alone is not shown after the failure."""

from __future__ import annotations

import random
import re

import pytest

from logtrim.engine.core import STDERR, STDOUT, Core
from logtrim.engine.policy import Policy

_MARKER = re.compile(rb"^\[logtrim\] \.\.\. .* not shown \.\.\.$")


def _console(writes: list[tuple[int, str]], budget: int, exit_code: int = 2) -> list[bytes]:
    """The console's lines, in the order printed, of ``writes`` (stream, line) fed in order."""
    core = Core(Policy(budget=budget, verbatim=0))
    core.start(0.0)
    out: list[bytes] = []
    for n, (stream, line) in enumerate(writes):
        out += [data for _, data in core.feed(stream, line.encode() + b"\n", n * 0.001)[1]]
    out += [data for _, data in core.finish_input(1.0)[1]]
    out += [data for _, data in core.close(exit_code, 1.0)[0]]
    return b"".join(out).splitlines()


def _make_k(files: int) -> list[tuple[int, str]]:
    """``make -k`` of C files that each warn (a warning, its source line, its caret on
    stderr; make's command on stdout), then one that fails."""
    writes: list[tuple[int, str]] = []
    for i in range(1, files + 1):
        writes += [
            (STDOUT, f"cc -Wall -Wextra -O0 -c m{i}.c -o m{i}.o"),
            (STDERR, f"m{i}.c: In function 'f{i}':"),
            (STDERR, f"m{i}.c:1:20: warning: unused variable 'unused' [-Wunused-variable]"),
            (STDERR, f"    1 | int f{i}(int x){{ int unused; return x + {i}; }}"),
            (STDERR, "      |                    ^~~~~~"),
        ]
    return [
        *writes,
        (STDOUT, "cc -Wall -Wextra -O0 -c main.c -o main.o"),
        (STDERR, "main.c: In function 'main':"),
        (STDERR, "main.c:2:32: error: 'undefined_var' undeclared (first use in this function)"),
        (STDERR, '    2 | int main(void){ printf("%d\\n", undefined_var) return 0; }'),
        (STDERR, "      |                                ^~~~~~~~~~~~~"),
        (STDERR, "make: *** [Makefile:7: main.o] Error 1"),
    ]


@pytest.mark.parametrize("budget", [3600, 4400, 5000, 6200])
def test_an_errors_context_does_not_start_inside_a_block_cut(budget: int) -> None:
    lines = _console(_make_k(40), budget)
    error = lines.index(
        b"main.c:2:32: error: 'undefined_var' undeclared (first use in this function)"
    )
    marker = max(i for i in range(error) if _MARKER.match(lines[i]))
    # The lines between the marker and the error: its context, none a caret under nothing.
    context = lines[marker + 1 : error]
    assert not context or not context[0].startswith(b" "), lines[marker : error + 1]
    # What was cut is shown whole at the end: the warning with its source and caret.
    for i, line in enumerate(lines):
        if line.startswith(b"      |                    ^"):
            assert lines[i - 1].startswith(b"    1 | int f"), lines[i - 2 : i + 1]


def _billing() -> list[tuple[int, str]]:
    """A logging app with custom levels: trace lines, a handled exception, more trace lines
    as it cleans up, then its fatal line."""
    stamp = "2026-12-07 20:22:16,015"
    lines = [f"{stamp} INFO     billing: service starting, pid=1234"]
    lines += [
        f"{stamp} TRACE    billing: polling queue shard={i % 8} depth={i * 3}" for i in range(200)
    ]
    lines += [
        f"{stamp} NOTICE   billing: config reloaded from /etc/billing.yaml",
        f"{stamp} WARNING  billing: retrying invoice 881 (attempt 2/3)",
        f"{stamp} ERROR    billing: failed to charge customer 881",
        "Traceback (most recent call last):",
        '  File "/srv/billing/app.py", line 14, in <module>',
        "    charge(12)",
        '  File "/srv/billing/app.py", line 12, in charge',
        '    return {"card": None}["card"]["number"]',
        "           ~~~~~~~~~~~~~~~~~~~~~~^^^^^^^^^^",
        "TypeError: 'NoneType' object is not subscriptable",
    ]
    lines += [f"{stamp} TRACE    billing: cleanup step {i}" for i in range(30)]
    lines.append(f"{stamp} CRITICAL billing: shutting down: unrecoverable billing state")
    return [(STDOUT, line) for line in lines]


@pytest.mark.parametrize("budget", [3000, 4000, 5000])
def test_a_cut_of_debug_lines_alone_is_not_shown_after_the_failure(budget: int) -> None:
    """The trace lines before the fatal line, cut from its context by the budget: shown
    after the failure (under "held back"), they would only say that the program went on."""
    lines = _console(_billing(), budget)
    fatal = next(i for i, line in enumerate(lines) if line.endswith(b"unrecoverable billing state"))
    later = [line for line in lines[fatal + 1 :] if not line.startswith(b"[logtrim] ")]
    assert not any(b"TRACE" in line for line in later), lines[fatal:]


def _handled_errors() -> list[tuple[int, str]]:
    """A batch job that logs a handled exception every 250 rows (``log.exception``)."""
    writes: list[tuple[int, str]] = []
    for n in range(20000):
        writes.append((STDOUT, f"INFO job: processed row {n}"))
        if n % 250 == 7:
            writes += [
                (STDOUT, f"ERROR job: row {n} failed"),
                (STDOUT, "Traceback (most recent call last):"),
                (STDOUT, '  File "/srv/job.py", line 8, in <module>'),
                (STDOUT, '    raise TimeoutError(f"backend timeout row={n}")'),
                (STDOUT, f"TimeoutError: backend timeout row={n}"),
            ]
    return writes


@pytest.mark.parametrize("budget", [16_000, 20_000, 24_000])
def test_the_errors_held_back_start_with_an_error_line(budget: int) -> None:
    """The oldest errors held back give way when the budget's room for them is full: the
    lines under each error (its trace, the lines after it) go with it, not after it (the
    section began with ``INFO job: processed row 10260``, the rest of an error left out)."""
    lines = _console(_handled_errors(), budget, exit_code=1)
    header = next(i for i, line in enumerate(lines) if line.startswith(b"[logtrim] --- held back"))
    assert lines[header + 1].startswith(b"ERROR job: row "), lines[header : header + 4]


def _numbered(seed: int, count: int) -> list[tuple[int, str]]:
    """A build's numbered lines: errors, warnings, progress, info, runs of one line."""
    rng = random.Random(seed)
    names = [f"node{k}" for k in range(12)]

    def words(k: int) -> str:
        return " ".join(rng.choice(names) + rng.choice(names) for _ in range(k))

    out: list[tuple[int, str]] = []
    for n in range(count):
        r = rng.random()
        if r < 0.03:
            body = f"ERROR {words(3)} failed"
        elif r < 0.06:
            body = f"WARNING: {words(3)}"
        elif r < 0.15:
            body = f"INFO {words(2)} done"
        else:
            body = words(rng.randint(1, 6))
        out.append((STDOUT, f"#{n:06d}# {body}"))
    return out


@pytest.mark.parametrize(("seed", "budget"), [(1, 64_000), (2, 64_000), (1, 40_000)])
def test_each_stretch_the_last_lines_leave_out_is_counted(seed: int, budget: int) -> None:
    """Above a compact budget, the last lines of a failed run pay for the counts of the
    stretches they leave out with a line or two fewer: each is ``... N lines not shown ...``
    with N the lines missing there, not a bare ``[logtrim] ...``."""
    lines = _console(_numbered(seed, 30_000), budget, exit_code=1)
    start = next(i for i, line in enumerate(lines) if line.startswith(b"[logtrim] --- last "))
    last = None
    for line in lines[start + 1 :]:
        assert line != b"[logtrim] ...", lines[start:]
        if (count := re.match(rb"\[logtrim\] \.\.\. ([\d,]+) lines? not shown", line)) is not None:
            missing = int(count.group(1).replace(b",", b""))
        elif (number := re.match(rb"#(\d{6})# ", line)) is not None:
            if last is not None:
                assert int(number.group(1)) - last - 1 == missing, (line, last, missing)
            last, missing = int(number.group(1)), 0
