"""Planning ``logtrim trim``'s jobs: one per input, the output names with several inputs,
the overwrites refused; then run, in parallel processes when there are several."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from .._errors import UsageError
from ..archive.target import check
from ..engine.policy import Policy
from .inputs import is_stdout, probe_input
from .trim import TrimJob, TrimResult, trim_one


def _stem(path: str) -> tuple[str, str]:
    """``deploy.log.gz`` -> (``deploy``, ``.log``): the name without compression suffixes."""
    base = os.path.basename(path) if path != "-" else "stdin"
    for suffix in (".gz", ".zst", ".zstd"):
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    stem, ext = os.path.splitext(base)
    return (stem or base), ext


def plan(
    sources: list[str],
    output: str | None,
    artifact: str | None,
    policy: Policy,
    *,
    progress: bool = False,
    binary: bool = False,
    force: bool = False,
    baseline: frozenset[int] | None = None,
) -> list[TrimJob]:
    """One job per input; several inputs need ``-o DIR`` (and ``--artifact DIR``). Every
    check is made before anything is created: a refused ``trim`` leaves no directory and
    no file behind."""
    jobs, directories = _plan(sources, output, artifact, policy, progress)
    inputs = {key: job.source for job in jobs if (key := _identity(job.source)) is not None}
    for job in jobs:
        job.binary, job.force, job.baseline = binary, force, baseline
        _refuse_overwriting(job)
        _refuse_inputs(job, inputs)
        if job.artifact:
            check(Path(job.artifact), force=force)
        if directories and not force:
            _refuse_derived(job, (output, artifact))
        _check_output(job.output)
    for job in jobs:
        if job.source != "-":
            probe_input(job.source)  # a missing input fails before any work starts
    for directory in directories:
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create {directory}: {exc.strerror}") from None
    return jobs


def _check_output(path: str) -> None:
    """The ``-o`` file's own check (a link is never replaced, ``--force`` or not), made
    before any input is trimmed: with several inputs, the outputs before a refused one
    were written (or replaced) first. A device or FIFO is written as it is (``_Output``)."""
    if path == "-" or (os.path.exists(path) and not os.path.isfile(path)):
        return
    check(Path(path), force=True, option="-o")


def _refuse_derived(job: TrimJob, named: tuple[str | None, str | None]) -> None:
    """In a directory the user named, the files logtrim names are replaced only with
    ``--force``: the user never named them (a path the user ``named`` is checked as one:
    ``-o /dev/null`` beside ``--artifact DIR/``)."""
    for option, path in (("-o", job.output), ("--artifact", job.artifact)):
        if path and path not in named and os.path.lexists(path):
            raise UsageError(f"{option}: {path} exists (use --force to overwrite it)")


def _refuse_overwriting(job: TrimJob) -> None:
    """An output that is the input (stdin redirected from it too) or the other output
    (both new files at one path) would destroy it: refuse."""
    paths = [("input", job.source), ("-o", job.output), ("--artifact", job.artifact)]
    seen: dict[object, str] = {}
    if job.output == "-" and is_stdout(job.source):  # read as it grows by what is written
        name = "(stdin)" if job.source == "-" else job.source
        raise UsageError(f"input {name} is the file stdout writes to: refusing")
    for role, path in paths:
        if not path or (path == "-" and role != "input"):
            continue
        key = _identity(path)
        if key is None:
            continue  # /dev/null twice is fine
        if key in seen:
            raise UsageError(f"{role} {path} is the same file as the {seen[key]}: refusing")
        seen[key] = (
            ("input (stdin)" if path == "-" else role) if role == "input" else f"{role} file"
        )


def _refuse_inputs(job: TrimJob, inputs: dict[object, str]) -> None:
    """An output that is another job's input (``trim a.log out/a.trimmed.log -o out``):
    written first, it would replace that input before it is read, ``--force`` or not."""
    for option, path in (("-o", job.output), ("--artifact", job.artifact)):
        if path and path != "-" and (key := _identity(path)) in inputs:
            raise UsageError(
                f"{option} {path} is the same file as the input {inputs[key]}: refusing"
            )


def _identity(path: str) -> object | None:
    """The regular file ``path`` names (``-``: stdin's), as its device and inode; a path
    not there yet as its real path; None for anything else."""
    try:
        st = os.fstat(0) if path == "-" else os.stat(path)
    except OSError:
        return None if path == "-" else os.path.realpath(path)
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _plan(
    sources: list[str], output: str | None, artifact: str | None, policy: Policy, progress: bool
) -> tuple[list[TrimJob], list[str]]:
    """The jobs, and the directories to create for them (none for one input to a file)."""
    if len(sources) == 1 and not (output and os.path.isdir(output)):
        if not (_names_directory(output) or _names_directory(artifact)):
            return [TrimJob(sources[0], output or "-", artifact, policy, progress=progress)], []
        return _one_into_directories(sources[0], output, artifact, policy, progress)
    if output in (None, "-"):  # (``-o -`` would make a directory named ``-``)
        raise UsageError("several inputs need -o DIR: one trimmed file each (not stdout)")
    if sources.count("-") > 1:
        raise UsageError("stdin (-) can be read only once")
    directories = _directories(
        [d for d in (output, artifact) if d], " (needed with several inputs)"
    )
    jobs: list[TrimJob] = []
    seen: dict[str, str] = {}
    for source in sources:
        name, archived = _names(source)
        if name in seen:
            raise UsageError(f"{source} and {seen[name]} would both be trimmed to {name}")
        seen[name] = source
        art = os.path.join(artifact, archived) if artifact else None
        jobs.append(TrimJob(source, os.path.join(output, name), art, policy, progress=progress))
    return jobs, directories


def _names(source: str) -> tuple[str, str]:
    """The names an input's outputs take in a directory: ``a.trimmed.log``, ``a.log.zst``
    (``b.zst``, a name with no extension under its compression's: ``b.trimmed.log``)."""
    stem, ext = _stem(source)
    return f"{stem}.trimmed{ext or '.log'}", f"{stem}{ext}.zst"


def _directories(paths: list[str], why: str = "") -> list[str]:
    """``paths`` to write into: each a directory, or missing (made later)."""
    for directory in paths:
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise UsageError(f"{directory} is not a directory{why}")
    return paths


def _names_directory(path: str | None) -> bool:
    """Whether ``path`` ends with a separator (``out/``): a directory, made if missing, as
    with several inputs; never a file of that name."""
    return path is not None and path != "-" and path.endswith(("/", os.sep))


def _one_into_directories(
    source: str, output: str | None, artifact: str | None, policy: Policy, progress: bool
) -> tuple[list[TrimJob], list[str]]:
    """One input, with ``-o`` or ``--artifact`` naming a directory (:func:`_names_directory`):
    the names there as with several inputs; the other, a file, as given."""
    name, archived = _names(source)
    directories = _directories([d for d in (output, artifact) if d and _names_directory(d)])
    if _names_directory(output):
        output = os.path.join(output or "", name)
    if _names_directory(artifact):
        artifact = os.path.join(artifact or "", archived)
    return [TrimJob(source, output or "-", artifact, policy, progress=progress)], directories


def run_jobs(jobs: list[TrimJob], workers: int) -> Iterator[TrimResult]:
    """Run the jobs (from :func:`plan`), in parallel processes when there are several;
    results in input order."""
    workers = min(workers, len(jobs), _fd_workers())
    if workers <= 1 or any(job.source == "-" for job in jobs):
        for job in jobs:
            yield trim_one(job)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(trim_one, jobs)


#: Open files a worker of the pool costs, in the parent and inherited by the workers forked
#: after it (its pipes), and what a worker needs besides (its input, output and archive).
_FDS_PER_WORKER = 4
_FDS_KEPT = 32


def _fd_workers() -> int:
    """The most workers the open-file limit allows: past about half of it, a worker that
    cannot open its pipes left the pool waiting for it for ever (``ulimit -n 256`` and
    ``--jobs 150``)."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # (no such limit on Windows)
        return 1 << 16
    if soft == resource.RLIM_INFINITY:
        return 1 << 16
    return max(1, (soft - _FDS_KEPT) // _FDS_PER_WORKER)
