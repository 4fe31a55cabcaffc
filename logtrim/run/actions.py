"""Carrying out a dialect's closing actions (besides printing): shared by run and the handler."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Sequence

from ..dialects import AppendFile, RunProgram
from ..dialects.base import Action

#: How long a program that publishes the archive may take (an upload of a large archive).
UPLOAD_SECONDS = 600
_SAID = 4096  # bytes of a failed program's output read for its last line


def carry_out(
    actions: Sequence[Action], warn: Callable[[str], None], mask: Callable[[str], str] = str
) -> list[str]:
    """Append to files (GitHub's step summary), run programs (``buildkite-agent``).

    Returns the lines to print instead of programs that are not installed. Blocking: ``run``
    calls it in a worker thread. A failure is one warning, never an error: publishing the
    archive must not change the step's outcome. A program's output is not the console's
    (it is no part of the budget, and may repeat a secret in the archive's path): on a
    failure its last line, masked with ``mask``, is in the warning; past
    :data:`UPLOAD_SECONDS` it is stopped.
    """
    missing: list[str] = []
    for action in actions:
        try:
            if isinstance(action, AppendFile):
                _append(action, warn, mask)
            elif isinstance(action, RunProgram):
                import shutil  # only Buildkite runs a program (start-up counts)

                if shutil.which(action.argv[0]) is None:
                    missing += [action.missing] if action.missing else []
                    continue
                _run(list(action.argv), warn, mask)
        except OSError as exc:
            warn(mask(f"could not publish the archive: {exc}"))
    return missing


def _append(action: AppendFile, warn: Callable[[str], None], mask: Callable[[str], str]) -> None:
    """Append to a file (the step summary): what failed is that file, not the archive's
    publishing (its message went out). No directory is made: the runner's summary file is
    in one that exists, and a mistyped path is a warning, not a new tree."""
    try:
        # Opened without waiting (a FIFO with no reader would hold the step's end for ever),
        # then written only if it is a file: the runner's summary is one.
        fd = os.open(action.path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_CREAT, 0o666)
        with open(fd, "a", encoding="utf-8", errors="surrogateescape") as file:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                warn(mask(f"could not write the step summary {action.path}: not a file"))
                return
            os.set_blocking(fd, True)
            file.write(action.text)
    except OSError as exc:
        warn(mask(f"could not write the step summary {action.path}: {exc.strerror or exc}"))


def _run(argv: list[str], warn: Callable[[str], None], mask: Callable[[str], str]) -> None:
    """Run a program that publishes the archive, its output kept off the console."""
    import tempfile

    with tempfile.TemporaryFile() as out:
        try:
            code = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                  timeout=UPLOAD_SECONDS, check=False).returncode  # fmt: skip
        except subprocess.TimeoutExpired:
            warn(mask(f"could not publish the archive: {argv[0]} did not finish in "
                      f"{UPLOAD_SECONDS} s (stopped)"))  # fmt: skip
            return
        if code == 0:
            return
        size = out.seek(0, 2)
        out.seek(max(size - _SAID, 0))
        said = out.read().decode("utf-8", "replace").strip().splitlines()
    # Masked whole, then cut: a cut first could leave a secret's first half unmasked. A
    # line longer than what was read is not quoted (it may begin inside a secret).
    whole = bool(said) and (size <= _SAID or len(said) > 1)
    last = f": {mask(said[-1])[:300]}" if whole else ""
    warn(mask(f"could not publish the archive: {argv[0]} exited with code {code}{last}"))
