"""``docker build --progress=plain`` (BuildKit) puts its step and seconds before each line of
the build's output (``#8 3.205 npm ERR! ...``): the line's level is read after them, as
without them, and the reason is the tool's error, not BuildKit's report that the step
failed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
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


@pytest.mark.parametrize(
    ("tail", "reason"),
    [
        ("#10 3.201 cmd/app/main.go:12:2: undefined: foo\n", "#10 3.201 cmd/app/main.go:12:2"),
        ("#12 97.331 Killed\n", "#12 97.331 Killed"),
        ("#9 1.402 main.c:3:5: error: expected ';' before 'return'\n", "#9 1.402 main.c:3:5"),
    ],
)
def test_a_tools_error_behind_the_stamp_is_the_reason(
    tmp_path: Path, run_logtrim: RunLogtrim, tail: str, reason: str
) -> None:
    """Forms anchored at a line's start (Go's compiler, the kernel's ``Killed``) read after
    the stamp too: BuildKit's own ``did not complete successfully`` was the reason."""
    out = tmp_path / "build.txt"
    out.write_text(
        "#10 [build 3/4] RUN go build ./...\n" + tail + '#10 ERROR: process "/bin/sh -c go build'
        ' ./..." did not complete successfully: exit code: 1\n'
    )
    code = f"import sys\nsys.stdout.write(open({str(out)!r}).read())\nsys.exit(1)\n"
    result = run_logtrim("--ci", "plain", "--", sys.executable, "-c", code)
    assert result.code == 1
    assert f"failed (exit 1): {reason}".encode() in result.console
