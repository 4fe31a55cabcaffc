"""``logtrim diff`` run as a user runs it, for its tests: a good log (or archive, or index)
and a bad one; the report as text or as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import clean_env


def diff_text(good: Path, bad: Path) -> bytes:
    """``logtrim diff GOOD BAD``'s standard output (it must exit 0)."""
    return _diff(good, bad)


def diff_json(good: Path, bad: Path, *extra: str) -> dict[str, Any]:
    """``logtrim diff --json [EXTRA] GOOD BAD``'s report."""
    report: dict[str, Any] = json.loads(_diff(good, bad, "--json", *extra))
    return report


def shown_texts(report: dict[str, Any]) -> list[str]:
    """The text of each line the report shows, in order."""
    shown = report["shown"]
    assert isinstance(shown, list)
    return [entry["text"] for entry in shown]


def _diff(good: Path, bad: Path, *options: str) -> bytes:
    proc = subprocess.run(
        [sys.executable, "-m", "logtrim", "diff", *options, str(good), str(bad)],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
