"""``docker build --progress=plain`` (BuildKit) puts its step and seconds before each line of
the build's output (``#8 3.205 npm ERR! ...``): the line's level is read after them, as
without them, and the reason is the tool's error, not BuildKit's report that the step
failed."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import RunLogtrim

BUILD = """#8 [4/6] RUN npm ci --omit=dev
#8 1.512 npm WARN deprecated inflight@1.0.6: This module is not supported, and leaks memory.
#8 3.204 npm ERR! code ETARGET
#8 3.205 npm ERR! notarget No matching version found for left-pad@^9.9.9.
#8 3.205 npm ERR! notarget In most cases you or one of your dependencies are requesting
#8 3.205 npm ERR! notarget a package version that doesn't exist.
#8 3.210
#8 ERROR: process "/bin/sh -c npm ci --omit=dev" did not complete successfully: exit code: 1
ERROR: failed to solve: process "/bin/sh -c npm ci --omit=dev" did not complete successfully: exit code: 1
"""  # noqa: E501


def _step(tmp_path: Path, before: int) -> list[str]:
    out = tmp_path / "build.txt"
    steps = "".join(f"#7 {i / 1000:.3f} copying layer sha256:{i:064x}\n" for i in range(before))
    out.write_text(steps + BUILD)
    code = f"import sys\nsys.stdout.write(open({str(out)!r}).read())\nsys.exit(1)\n"
    return [sys.executable, "-c", code]


def test_the_reason_is_npms_error_behind_the_stamp(tmp_path: Path, run_logtrim: RunLogtrim) -> None:
    result = run_logtrim("--ci", "plain", "--", *_step(tmp_path, 10))
    assert result.code == 1
    assert (
        b"failed (exit 1): #8 3.205 npm ERR! notarget No matching version found for "
        b"left-pad@^9.9.9.\n" in result.console
    )


def test_a_warning_behind_the_stamp_stays_a_warning(
    tmp_path: Path, run_logtrim: RunLogtrim
) -> None:
    """Thousands of copy lines before it, a small budget: the warning is shown."""
    result = run_logtrim("--ci", "plain", "--budget", "8kB", "--", *_step(tmp_path, 5000))
    assert result.code == 1
    assert b"#8 1.512 npm WARN deprecated inflight@1.0.6" in result.stdout
