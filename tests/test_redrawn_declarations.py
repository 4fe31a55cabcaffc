"""A secret declared on a line that a lone ``\\r`` goes on from (``::add-mask::S\\rdownloading
20%\\r...``): the CI's .NET reader takes ``::add-mask::S`` as a line as soon as the next byte
comes, long before the line's newline. logtrim learns it then too: a use on the other stream
in the meantime is masked on the console and in the archive. Before, the secret was learned
only at the newline, and such a use went out in clear (found by an attacker)."""

from __future__ import annotations

import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env, py
from hypothesis import given, settings
from hypothesis import strategies as st

from logtrim._matchers import compiler
from logtrim.dialects import choose
from logtrim.engine.core import Core
from logtrim.engine.policy import Policy

SECRET = "Zq9xK2mW7v"
DECLARE = {
    "github": "::add-mask::",
    "azure": "##vso[task.setsecret]",
    "azure-variable": "##vso[task.setvariable variable=A;issecret=true]",
}
STDOUT, STDERR = 1, 2


def _run(ci: str, declare: str, cuts: list[int], engine: str) -> tuple[bytes, bytes]:
    """The engine fed the declaration and some redraws on stdout in pieces cut at ``cuts``
    (no newline yet), then a use on stderr, then the line's end: (archive, console)."""
    head = f"{declare}{SECRET}\rdownloading 0%\rdownloading 20%".encode()
    core = Core(Policy(budget=200_000), choose(ci, {}), compiler=compiler(engine))
    core.start(0.0)
    archive: list[bytes] = []
    console: list[bytes] = []

    def feed(stream: int, data: bytes) -> None:
        arch, emits = core.feed(stream, data, 0.0)
        archive.append(arch)
        console.extend(e[1] for e in emits)

    first = head.index(b"\r") + 1  # the declaration is ended by the \r: the runner has it
    bounds = [0, *sorted({c for c in cuts if first <= c < len(head)}), len(head)]
    for a, b in pairwise(bounds):
        feed(STDOUT, head[a:b])
    feed(STDERR, f"token is {SECRET}\n".encode())
    feed(STDOUT, b"\rdone\n")
    arch, emits = core.finish_input(0.0)
    archive.append(arch)
    console.extend(e[1] for e in emits)
    return b"".join(archive), b"".join(console)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(DECLARE)),
    st.sampled_from(["github", "azure", "plain"]),
    st.lists(st.integers(min_value=0, max_value=120), max_size=6),
    st.sampled_from(["auto", "re"]),
)
def test_a_declaration_a_lone_cr_ends_is_learned_before_the_newline(
    form: str, ci: str, cuts: list[int], engine: str
) -> None:
    archive, console = _run(ci, DECLARE[form], cuts, engine)
    assert SECRET.encode() not in archive
    assert b"token is ********" in console
    # Only the CI's own declaration passes as written (its runner must learn the secret).
    ours = ci == form.split("-", maxsplit=1)[0]
    assert console.count(SECRET.encode()) == (1 if ours else 0)


CHILD = """
import os, sys, time
secret, declare = sys.argv[1], sys.argv[2]
os.write(1, (declare + secret + "\\r").encode())
for i in range(4):
    os.write(1, f"downloading {i * 25}%\\r".encode())
    time.sleep(0.3)
    if i == 1:
        os.write(2, f"token is {secret}\\n".encode())
os.write(1, b"done\\n")
"""


@pytest.mark.parametrize("form", sorted(DECLARE))
@pytest.mark.parametrize("engine", ["auto", "re"])
def test_a_use_on_stderr_before_the_declaring_line_ends_is_masked(
    run_logtrim: RunLogtrim, form: str, engine: str
) -> None:
    ci = form.split("-", maxsplit=1)[0]
    env = {"LOGTRIM_ENGINE": engine}
    r = run_logtrim("--ci", ci, "--", *py(CHILD), SECRET, DECLARE[form], env=env)
    assert r.code == 0
    assert b"token is ********" in r.stderr
    assert SECRET.encode() not in r.archive
    assert r.console.count(SECRET.encode()) == 1  # the declaration, for the runner


# A line first: the engine fails on it, before the declaration comes.
FIRST_A_LINE = "import os, time\nos.write(1, b'hello world line\\n')\ntime.sleep(0.2)\n" + CHILD


@pytest.mark.parametrize("fault", ["5", "17"])
@pytest.mark.parametrize("ci", ["plain", "github"])
def test_after_the_engine_failed_a_cr_ended_declaration_is_learned_at_once(
    run_logtrim: RunLogtrim, fault: str, ci: str
) -> None:
    """The same when the engine failed before the declaration (fail-open): the use on the
    other stream before the declaring line's newline went out in clear."""
    env = {"LOGTRIM_FAULT_AFTER": fault}
    r = run_logtrim("--ci", ci, "--", *py(FIRST_A_LINE), SECRET, DECLARE["github"], env=env)
    assert r.code == 0
    assert b"token is ********" in r.stderr
    assert SECRET.encode() not in r.archive
    assert r.console.count(SECRET.encode()) == (1 if ci == "github" else 0)


OCTOPUS_CR = """
import base64, sys
b = lambda s: base64.b64encode(s.encode()).decode()
secret = sys.argv[1]
attrs = (b("n"), b(secret), b("True"))
print("##octopus[setVariable name='%s' value='%s'\\rsensitive='%s']" % attrs)
print("use " + secret)
"""


@pytest.mark.parametrize("ci", ["octopus", "plain"])
def test_an_octopus_message_whose_attributes_a_lone_cr_parts_declares(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    """``value='...'\\rsensitive='...'``: read with a blank at the ``\\r``, as the same message
    over two lines is (the reading without one glues the attributes, and learnt nothing)."""
    r = run_logtrim("--ci", ci, "--", *py(OCTOPUS_CR), SECRET)
    assert r.code == 0
    assert SECRET.encode() not in r.console
    assert SECRET.encode() not in r.archive
    assert b"use ********" in r.stdout


# A progress line past 2 MiB (a line too long to hold: handed out in pieces of 1 MiB), then a
# declaration a lone \r ends, then a use on stderr before the line's newline.
LONG_LINE = """
import os, sys, time
secret, declare, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.write(1, b"#" * size + ("\\r" + declare + secret + "\\r").encode())
time.sleep(0.5)
os.write(2, f"token is {secret}\\n".encode())
time.sleep(0.3)
os.write(1, b"done\\n")
"""
# logtrim with starting the step broken inside the run: its last resort runs the step.
_LAST_RESORT = """
import sys
import logtrim.run.step as step
import logtrim.cli.app as app

async def broken(*_args):
    raise OSError(24, "Too many open files")

step._process.start = broken
sys.exit(app.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("size", [1_000_000, 2_500_000])
@pytest.mark.parametrize("path", ["engine", "failed engine", "last resort"])
def test_a_declaration_a_lone_cr_ends_deep_in_a_long_line_is_learned_at_once(
    run_logtrim: RunLogtrim, tmp_path: Path, size: int, path: str
) -> None:
    """Past 2 MiB, the bytes a long line keeps below the piece size were not looked at for
    declarations until they were cut or the line ended; in the last resort, an unfinished
    line past 64 kB not at all: the use on stderr went out in clear, and to the archive."""
    argv = ["--ci", "github", "--budget", "20MB", "--", *py(LONG_LINE), SECRET,
            DECLARE["github"], str(size)]  # fmt: skip
    if path == "last resort":
        proc = subprocess.run(
            [sys.executable, "-c", _LAST_RESORT, "run", *argv], capture_output=True,
            env=clean_env(), timeout=120, cwd=tmp_path, check=False,
        )  # fmt: skip
        assert b"running the command unfiltered" in proc.stderr
        assert proc.returncode == 0
        assert b"token is ********" in proc.stderr
        return
    env = {"LOGTRIM_FAULT_AFTER": "100"} if path == "failed engine" else {}
    r = run_logtrim(*argv, env=env)
    assert r.code == 0
    assert b"token is ********" in r.stderr
    assert SECRET.encode() not in r.archive
