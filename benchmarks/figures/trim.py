"""trim / stats: MB/s of the post-hoc commands on each generated log shape, grep for reference."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from harness import GREP_KEYWORDS, MB, OUT, Suite, mb, medians, secs, wall
from inputs import default_install, deploy_log, short_log, task_log


def bench(suite: Suite) -> None:
    size = suite.size(256 * MB, 8 * MB)
    inputs: list[tuple[str, Path]] = [
        ("noisy deploy log", deploy_log(suite, size)),
        ("short-line log", short_log(suite, size)),
    ]
    if raw := task_log(suite, size):
        inputs.append(("raw Octopus task log", raw))
    # What users get: the README's install, when the suite builds it.
    lt = (
        [str(default_install(suite) / "bin" / "logtrim")]
        if suite.default_install
        else suite.logtrim
    )
    where = ", default install" if suite.default_install else ""
    for label, path in inputs:
        n = path.stat().st_size
        grep = suite.cmd("grep", "-E", "-i", "-c", GREP_KEYWORDS, path)
        for name, cmd in (
            (
                "trim --budget 1MB",
                suite.cmd(*lt, "trim", path, "--budget", "1MB", "-o", "/dev/null"),
            ),
            ("stats --json", suite.cmd(*lt, "stats", "--json", path)),
        ):
            t_lt, t_grep = medians(
                suite.runs,
                partial(wall, cmd, OUT / "trim.out"),
                partial(wall, grep, OUT / "grep.out", check=False),
            )
            rate = n / MB / t_lt
            suite.add(
                f"`{name}`, {mb(n)} {label}{where}",
                f"{rate:.0f} MB/s ({secs(t_lt)})",
                f"{n / MB / t_grep:.0f} MB/s grep -E -i -c",
                f"{t_grep / t_lt:.2f}x of grep",
                "≥ 150 MB/s",
                ok=rate >= 150,
            )
