"""Carrying out a dialect's closing actions (besides printing): shared by run and the handler."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from ..dialects import AppendFile, RunProgram
from ..dialects.base import Action


def carry_out(actions: Sequence[Action], warn: Callable[[str], None]) -> list[str]:
    """Append to files (GitHub's step summary), run programs (``buildkite-agent``).

    Returns the lines to print instead of programs that are not installed. Blocking: ``run``
    calls it in a worker thread. A failure is one warning, never an error: publishing the
    archive must not change the step's outcome.
    """
    missing: list[str] = []
    for action in actions:
        try:
            if isinstance(action, AppendFile):
                Path(action.path).parent.mkdir(parents=True, exist_ok=True)
                with open(action.path, "a", encoding="utf-8", errors="surrogateescape") as file:
                    file.write(action.text)
            elif isinstance(action, RunProgram):
                import shutil  # only Buildkite runs a program (start-up counts)

                if shutil.which(action.argv[0]) is None:
                    missing += [action.missing] if action.missing else []
                    continue
                subprocess.run(list(action.argv), check=False)
        except OSError as exc:
            warn(f"could not publish the archive: {exc}")
    return missing
