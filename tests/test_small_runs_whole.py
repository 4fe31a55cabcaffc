"""A run that fits a small budget is shown whole: its console reads as its output, in order,
with no note of lines left out; a run that does not fit shows what it showed before, later."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env

from logtrim.dialects import Dialect
from logtrim.engine.console.whole import Whole
from logtrim.engine.core import STDOUT, Core
from logtrim.engine.policy import COMPACT_BELOW, MIN_BUDGET, TINY_BELOW, Policy

# logtrim's closing lines start at the summary; anything of its own before it is a note.
_SUMMARY = re.compile(rb"^\[logtrim\] [\d,]+ lines? \(", re.M)
_TIMES = re.compile(rb"in \d+\.\d+s")

_TEST = "def test_add():\n    assert 1 + 1 == 3\n"

_SCRIPT = """set -e
echo "Deploying version 1.4.2 to staging"
for i in 1 2 3 4 5 6 7 8; do echo "Copying file batch $i of 8 (120 files)"; done
echo "WARNING: table orders has 3 pending locks" >&2
echo "Running migrations"
cp /nonexistent/config.yml ./config.yml
echo "not reached"
"""

_APP = """import logging, sys
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
log = logging.getLogger("deployer")
for i in range(int(sys.argv[1])):
    log.info("processed item %d of the batch", i)
log.warning("retrying connection to db-01")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("step failed")
sys.exit(3)
"""


def _commands(tmp_path: Path, items: int = 5) -> dict[str, list[str]]:
    (tmp_path / "test_calc.py").write_text(_TEST)
    (tmp_path / "deploy.sh").write_text(_SCRIPT)
    (tmp_path / "app.py").write_text(_APP)
    pytest_cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist"]
    return {
        "pytest": [*pytest_cmd, "test_calc.py"],
        "bash": ["bash", "deploy.sh"],
        "logging": [sys.executable, "app.py", str(items)],
    }


def _direct(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(cmd, cwd=cwd, env=clean_env(), capture_output=True, check=False)


@pytest.mark.parametrize("budget", [MIN_BUDGET + 100, 3000, 5000, TINY_BELOW])
@pytest.mark.parametrize("which", ["pytest", "bash", "logging"])
def test_a_run_that_fits_reads_as_its_output(
    run_logtrim: RunLogtrim, tmp_path: Path, budget: int, which: str
) -> None:
    """Each stream's console is the child's output as written, in order, then the closing
    lines: no gap marker, no note that a tier stopped, no section of earlier lines."""
    cmd = _commands(tmp_path)[which]
    direct = _direct(cmd, tmp_path)
    assert direct.returncode != 0 and len(direct.stdout + direct.stderr) < budget // 2
    res = run_logtrim("--budget", str(budget), "--", *cmd)
    assert res.code == direct.returncode
    closing = _SUMMARY.search(res.stdout)
    assert closing is not None, res.stdout
    shown_out = res.stdout[: closing.start()]
    assert _TIMES.sub(b"", shown_out) == _TIMES.sub(b"", direct.stdout)
    assert res.stderr.startswith(direct.stderr), res.stderr
    assert b"[logtrim]" not in shown_out + res.stderr[: len(direct.stderr)]
    # The summary says all of it was shown.
    assert re.search(rb"shown ([\d,]+) lines? \([^)]*printed\)", res.stdout), res.stdout


@pytest.mark.parametrize("budget", [MIN_BUDGET + 100, 5000])
def test_a_run_that_does_not_fit_is_still_filtered(
    run_logtrim: RunLogtrim, tmp_path: Path, budget: int
) -> None:
    """Past what the budget can show whole, lines are left out as before, the gap marker
    says so, the failure is on the console, and the console stays within the budget."""
    cmd = _commands(tmp_path, items=200)["logging"]
    res = run_logtrim("--budget", str(budget), "--", *cmd)
    assert res.code == 3
    assert len(res.console) <= budget
    assert b"ZeroDivisionError: division by zero" in res.stderr
    assert re.search(rb"\[logtrim\] \.\.\. [\d,]+ (similar )?lines", res.console), res.console


@pytest.mark.parametrize("which", ["bash", "logging"])
def test_above_a_compact_budget_a_run_past_its_allowance_that_fits_is_whole(
    run_logtrim: RunLogtrim, tmp_path: Path, which: str
) -> None:
    """At 64 kB the allowance shown as written is 3.2 kB: a failed run of a few kB more is
    still shown whole, in order, not filtered past the allowance with its middle left out."""
    cmd = _commands(tmp_path, items=150)[which]
    if which == "bash":  # the same script, with 150 lines of output before it fails
        script = tmp_path / "deploy.sh"
        script.write_text(_SCRIPT.replace("1 2 3 4 5 6 7 8", " ".join(map(str, range(150)))))
    direct = _direct(cmd, tmp_path)
    assert direct.returncode != 0 and 4000 < len(direct.stdout + direct.stderr) < 20_000
    res = run_logtrim("--budget", "64kB", "--", *cmd)
    assert res.code == direct.returncode
    closing = _SUMMARY.search(res.stdout)
    assert closing is not None, res.stdout
    assert res.stdout[: closing.start()] == direct.stdout
    assert res.stderr == direct.stderr, res.stderr


@pytest.mark.parametrize("budget", [MIN_BUDGET + 100, TINY_BELOW, COMPACT_BELOW - 1])
def test_a_held_console_is_released_within_ten_seconds(budget: int) -> None:
    """A step watched live must not look stuck: below a compact budget the console is held
    from the first line, and a run that has not ended 10 s later shows what it printed,
    though the heartbeat is a minute."""

    def fresh() -> Core:
        core = Core(Policy(budget=budget, heartbeat=60.0), Dialect())
        core.start(0.0)
        return core

    whole = Whole(fresh(), fresh)
    printed = whole.feed(STDOUT, b"Deploying version 1.4.2 to staging\n", 0.1)[1]
    printed += whole.tick(9.0)
    assert printed == []
    printed += whole.tick(10.5)
    assert (STDOUT, b"Deploying version 1.4.2 to staging\n") in printed
    assert not whole.holding


_BUILD = """for i in $(seq 1 {n}); do
  echo "[ $((i*3))%] Building C object CMakeFiles/demo.dir/src/f$i.c.o"
done
echo "src/f17.c:3:5: error: expected ';' before 'return'" >&2
echo "gmake: *** [Makefile:91: all] Error 2" >&2
exit 2
"""


@pytest.mark.parametrize(("lines", "whole"), [(28, True), (29, True), (31, False)])
def test_a_run_whose_closing_lines_fit_beside_it_is_whole(
    run_logtrim: RunLogtrim, tmp_path: Path, lines: int, whole: bool
) -> None:
    """The closing reserve is for the worst closing lines (a reason of 500 characters): a
    failed build of 1.7 kB at a 2 kB budget, whose own closing lines take 240 B, was cut to
    its first lines and a marker. It is whole now; one that does not fit is still filtered."""
    script = tmp_path / "build.sh"
    script.write_text(_BUILD.format(n=lines))
    direct = _direct(["bash", str(script)], tmp_path)
    assert len(direct.stdout + direct.stderr) > 1_600
    short = Path(f"/tmp/lt{os.getpid()}-{lines}.zst")  # the closing lines name it twice
    try:
        res = run_logtrim(
            "--ci", "plain", "--budget", "2kB", "--", "bash", str(script), artifact=short
        )
    finally:
        short.unlink(missing_ok=True)
    assert res.code == 2
    assert len(res.console) <= 2_000
    closing = _SUMMARY.search(res.stdout)
    assert closing is not None, res.stdout
    if whole:
        assert res.stdout[: closing.start()] == direct.stdout
        assert res.stderr == direct.stderr
    else:
        assert b"[logtrim] ..." in res.stdout[: closing.start()]
    assert b"failed (exit 2): src/f17.c:3:5: error: expected ';'" in res.stdout


@pytest.mark.parametrize("size", range(1_550, 1_900, 25))
@pytest.mark.parametrize(
    ("option", "said"),
    [(("--mask", "abc"), b"not masking"), (("--mask-env", "LT_UNSET_X"), b"unset or empty")],
)
def test_a_diagnostic_printed_first_counts_against_a_whole_run(
    run_logtrim: RunLogtrim, size: int, option: tuple[str, str], said: bytes
) -> None:
    """logtrim's own warning on stderr (a ``--mask`` too short to mask, a ``--mask-env``
    variable unset, said while the options are read) is paid from the budget: a run shown
    whole because its output and closing lines fitted took 2,099 B of a 2 kB budget with it."""
    code = (
        "import sys\n"
        f"n = {size} // 33\n"
        "for i in range(n): print(f'compiling unit {i:05d} of the project')\n"
        "print('ERROR: build failed: missing header foo.h'); sys.exit(1)\n"
    )
    short = Path(f"/tmp/lt{os.getpid()}-{size}.zst")  # the closing lines name it twice
    try:
        r = run_logtrim("--ci", "plain", "--budget", "2kB", *option, "--",
                        sys.executable, "-c", code, artifact=short)  # fmt: skip
    finally:
        short.unlink(missing_ok=True)
    assert r.code == 1
    assert said in r.stderr
    assert len(r.stdout) + len(r.stderr) <= 2_000
