"""Outputs a user names, checked before anything is written: an archive is a file, and no
output may replace a good run that a ``--baseline`` compares with."""

from __future__ import annotations

import os
from pathlib import Path

from .._errors import UsageError


def _in_baseline_folder(output: str, baseline: str) -> bool:
    """Whether ``output`` would be one of the files of the directory ``baseline`` (read at
    its top level, hidden names left out: :mod:`logtrim.baseline.load`)."""
    out = Path(output)
    if out.name.startswith(".") or not os.path.isdir(baseline):
        return False
    return out.resolve().parent == Path(baseline).resolve()


def refuse_same(output: str, role: str, baseline: str, given: str = "") -> None:
    """Refuse an output (``role``: its option) that is the ``baseline`` file: writing it
    would replace the good run it is compared with. Of a directory of good runs, no file in
    it: the run would replace one, or join them as a good run (failed or not). ``given``:
    where the baseline was set, if not by ``--baseline`` (:meth:`.Settings.origin`)."""
    # (set by a variable or a config file: named so, not as an option the user never gave)
    said, where = ("baseline", f" ({given})") if given else ("--baseline", "")
    if not baseline or not output or output == "-":
        return
    if os.path.isdir(baseline):
        if _in_baseline_folder(output, baseline):
            raise UsageError(
                f"{role} {output} is in the {said} directory {baseline}{where}: refusing "
                "(the run would join its good runs)"
            )
        return
    if not os.path.isfile(baseline):
        return
    try:
        same = os.path.samefile(output, baseline)
    except OSError:
        return  # not there yet: a new file
    if same:
        raise UsageError(f"{role} {output} is the same file as the {said}{where}: refusing")


def refuse_artifact(
    artifact: str | Path | None, name: str | None = None, *, published: bool = False
) -> None:
    """An ``--artifact`` that is no file: ``-`` (stdout, for ``trim -o``; an archive is a
    file). ``published`` (``run``): nor may the artifact's name be blank, ``--name`` or, by
    default, the archive's file name."""
    if artifact is not None and str(artifact) == "-":
        raise UsageError("--artifact: the archive cannot go to stdout; name a file")
    if artifact is not None and not str(artifact):
        # (``trim --artifact ""`` wrote no archive, and said nothing of it)
        raise UsageError("--artifact: empty, or a directory: name the archive's file")
    if artifact is not None and str(artifact).startswith("--"):
        # ``--artifact --budget 5MB`` or ``--artifact -- cmd``: the value was left out.
        raise UsageError(
            f"--artifact: {str(artifact)!r} is an option, not a file name (a file of that name:"
            f" give its path, as in /tmp/{artifact})"
        )
    if not published:
        return
    if name is not None and not name.strip():
        raise UsageError("--name: empty or blanks only (leave it out for the archive's file name)")
    if name is None and artifact is not None and not Path(artifact).name:
        # ``--artifact ""`` arrives as ``.``: say what was wrong, not what it became.
        raise UsageError("--artifact: empty, or a directory: name the archive's file")
    if name is None and artifact is not None and not Path(artifact).name.strip():
        raise UsageError(
            f"--artifact: {str(artifact)!r}: a file name of blanks only would be the artifact's"
            " name (give another, or --name)"
        )
