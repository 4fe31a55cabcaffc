"""``logtrim trim``, ``stats``, ``cat`` and ``diff`` (:mod:`.diffcmd`): commands for logs that
already exist.

Commands are synchronous and raise :class:`~logtrim._errors.LogtrimError` subclasses; the
app's ``main`` turns those into one line and an exit code. A damaged compressed input (a
truncated archive, for instance) is not an error: what decodes is used, a warning goes to
stderr and the exit code stays 0.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from .._errors import InputError, UsageError
from .._log import say
from .._text import hide_secrets, plain_text
from .._writes import write_all
from ..logs.declaring import declared_across
from .params import DropOption, KeepOption, MaskEnvOption, MaskOption, option
from .reading import (
    INPUTS_HELP,
    BinaryOption,
    fail,
    refuse_stdout,
    secrets_given,
    stdin_open,
    stdout_reader,
    warn,
)
from .settings import Settings

if TYPE_CHECKING:
    import re

    from ..logs.declared import Declared
    from ..logs.inputs import Input


def trim(
    inputs: Annotated[list[str], typer.Argument(metavar="INPUT...", help=INPUTS_HELP)],
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="PATH",
            help="Output file (with several inputs, or when PATH is a directory or ends "
            "with /: one file in it per input).",
        ),
    ] = None,
    artifact: Annotated[
        str | None,
        typer.Option(
            metavar="PATH",
            help="Also write a zstd copy of the whole input here (a directory with several "
            "inputs, or when PATH ends with /).",
        ),
    ] = None,
    budget: Annotated[
        str | None, option(Settings.budget, "Output byte budget: 20MB, 512kB, 1MiB, bytes.")
    ] = None,
    jobs: Annotated[
        str | None,
        typer.Option(metavar="N", help="Inputs trimmed in parallel (default: all cores)."),
    ] = None,
    keep: KeepOption = None,
    drop: DropOption = None,
    verbatim: Annotated[str | None, option(Settings.verbatim)] = None,
    binary: BinaryOption = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an --artifact that is not a zstd archive;"
            " with -o DIR, the files it names.",
        ),
    ] = False,
    baseline: Annotated[str | None, option(Settings.baseline)] = None,
    mask: MaskOption = None,
    mask_env: MaskEnvOption = None,
) -> None:
    """Cut existing logs down to the budget, with the same rules as run.

    Octopus raw task logs keep header, node headers, Error/Fatal entries, failed nodes' tails.
    """
    from ..logs.trimjobs import plan, run_jobs
    from .config import from_command_line
    from .outputs import refuse_artifact, refuse_same
    from .values import whole_option

    refuse_artifact(artifact)
    if output is not None and not output.strip():  # (it wrote to stdout, without a word)
        raise UsageError("-o: empty: name a file or a directory (or - for stdout)")
    # Checked as run's are; trim reads no LOGTRIM_* variables or config files.
    given = {
        "budget": budget, "keep": keep, "drop": drop, "verbatim": verbatim, "baseline": baseline
    }  # fmt: skip
    settings = Settings([from_command_line(given)])
    known = None
    if settings.baseline:
        from ..baseline.load import load

        known = frozenset(load(settings.baseline).hashes)  # unreadable: exit 3, as inputs
    stdin_open(inputs)
    masks = declared_across([*inputs, *([settings.baseline] if settings.baseline else [])],
                            secrets_given(mask, mask_env))  # fmt: skip
    policy = settings.policy(masks=masks)
    workers = (os.cpu_count() or 1) if jobs is None else whole_option("--jobs", jobs, 1)
    said = settings.origin("baseline")
    for role, path in (("-o", output), ("--artifact", artifact)):
        refuse_same(path or "", role, settings.baseline, said)  # (a directory: new names in it)
    planned = plan(
        inputs, output, artifact, policy, progress=sys.stderr.isatty(), binary=binary,
        force=force, baseline=known,
    )  # fmt: skip
    failed: list[str] = []  # every input is trimmed as far as it decodes, then exit 3
    with stdout_reader(writes=output is None):
        for result in run_jobs(planned, workers):
            if result.fatal:
                failed.append(f"{result.name}: {result.damage}")
            else:
                warn(result.name, result.damage)
    fail(failed)


def stats(
    inputs: Annotated[list[str], typer.Argument(metavar="INPUT...", help=INPUTS_HELP)],
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    top: Annotated[str, typer.Option(metavar="N", help="Templates listed.")] = "10",
    baseline: Annotated[
        str | None,
        typer.Option(
            metavar="PATH", help="Good run(s) to compare with: new templates are listed first."
        ),
    ] = None,
    binary: BinaryOption = False,
    mask: MaskOption = None,
    mask_env: MaskEnvOption = None,
) -> None:
    """Show where the bytes go: by line template, by level, by step; what --drop saves most."""
    import json

    from ..logs.inputs import open_input
    from ..logs.report import render, to_json
    from ..logs.stats import compute
    from .values import baseline_file, whole_option

    listed = whole_option("--top", top, 1)
    given = [*inputs, *([baseline] if baseline is not None else [])]
    stdin_open(given)
    refuse_stdout(given)
    secrets = declared_across(given, secrets_given(mask, mask_env))
    known = None
    if baseline is not None:
        from ..baseline.load import load

        known = load(baseline_file(baseline)).hashes
    opened = [open_input(path, binary=binary) for path in inputs]
    result = compute(opened, known, secrets)
    for info in result.inputs:  # a path may hold a secret, as a line may
        info.name = hide_secrets(info.name, secrets)
    if not result.total_bytes and all(info.fatal for info in result.inputs):  # nothing decoded
        fail([f"{info.name}: {info.damage}" for info in result.inputs])
    with stdout_reader():
        if json_:
            sys.stdout.write(json.dumps(to_json(result, listed), indent=2) + "\n")
        else:
            import shutil

            # The template column takes the terminal's width: long templates must not look alike.
            width = shutil.get_terminal_size((100, 24)).columns
            sys.stdout.write(render(result, listed, width=width))
        sys.stdout.flush()
    for info in result.inputs:
        if not info.fatal:
            warn(info.name, info.damage)
    fail([f"{info.name}: {info.damage}" for info in result.inputs if info.fatal])


def cat(
    archives: Annotated[
        list[str], typer.Argument(metavar="ARCHIVE...", help="Archives (.zst) or other logs.")
    ],
    grep: Annotated[
        str | None,
        typer.Option(
            metavar="REGEX",
            help="Print only lines matching this regex, read as the line reads: without its "
            "line end (\\r\\n too) and colour codes (after their file's name when there are "
            "several files, as grep prints them).",
        ),
    ] = None,
    binary: BinaryOption = False,
    mask: MaskOption = None,
    mask_env: MaskEnvOption = None,
) -> None:
    """Decode archives to stdout, also truncated ones (a warning says where they end).

    Secrets masked as trim, stats and diff mask them: what the logs declare, URL passwords,
    and those --mask and --mask-env give."""
    import re

    from ..logs.declared import Declared
    from ..logs.inputs import open_input
    from .values import BAD_PATTERN, refuse_runaway

    pattern = None
    if grep is not None:
        try:
            pattern = re.compile(grep.encode("utf-8", "surrogateescape"))
        except BAD_PATTERN as exc:
            raise UsageError(f"bad --grep regex {grep!r}: {exc}") from None
        refuse_runaway(grep)
    if len(archives) == 1:
        stdin_open(archives)  # (among several, a closed stdin is said in its turn)
    refuse_stdout(archives)
    secrets = declared_across(archives, secrets_given(mask, mask_env))
    # A run's archive is masked already (its declarations too: nothing to learn there); a
    # plain log is masked here, from its first line (what it declares is read first).
    declared = Declared(secrets)
    unread: list[str] = []  # inputs missing or damaged past reading: said, then exit 3
    with stdout_reader():
        for n, path in enumerate(archives, 1):
            # Each opened in its turn, as cat and ``zstd -dcf`` do: one missing is said there,
            # and the next inputs still print (a FIFO waits for its writer in its turn).
            # A binary one found in its turn is said there too. Said masked with what the
            # inputs before it declared as well.
            try:
                stdin_open([path])
                inp = open_input(path, binary=binary)
                damaged = _cat_one(
                    inp, declared, pattern, len(archives) > 1, secrets, n < len(archives)
                )
            except InputError as exc:
                if len(archives) == 1:
                    raise
                say(declared.masker.mask_text(hide_secrets(str(exc), secrets)), "error")
                name = "<stdin>" if path == "-" else path
                unread.append(declared.masker.mask_text(hide_secrets(name, secrets)))
                continue
            if damaged:
                unread.append(inp.name)
    if unread:  # (masked with what the inputs after them declared too)
        said = declared.masker.mask_text(", ".join(unread))
        raise InputError(f"{said}: not read whole (the other inputs are printed)")


def _cat_one(
    inp: Input,
    declared: Declared,
    pattern: re.Pattern[bytes] | None,
    named: bool,
    secrets: list[str],
    more: bool,
) -> bool:
    """Print one input (``named``: its matches say whose they are, as grep's do); whether
    it is damaged past reading (said here when ``more`` inputs follow)."""
    from ..logs.inputs import InputFormat
    from ..logs.linechunks import line_chunks

    out = sys.stdout.buffer
    # An archive is every byte the step wrote, NULs too: only plain files can be "binary".
    inp.binary = inp.binary or inp.format != InputFormat.PLAIN
    inp.on_utf16(declared.masker.read_as_utf16, declared.feed_stored)
    learn = not declared.scan(inp)
    chunks = declared.lines(line_chunks(inp.chunks()), learn=learn)
    last = b"\n"
    name = hide_secrets(inp.name, secrets) if named else ""
    prefix = name.encode("utf-8", "surrogateescape") + b":" if name else b""
    for chunk in chunks:
        data = chunk
        if pattern is not None:
            lines = chunk.splitlines(keepends=True)
            data = b"".join(prefix + line for line in lines if pattern.search(plain_text(line)))
        write_all(out, data)
        last = data[-1:] or last
    if inp.damage and last != b"\n" and more:
        write_all(out, b"\n")  # a line cut by the damage: the next input's start its own
    out.flush()
    if inp.fatal and more:  # as ``zstd -dcf``: the next inputs still print
        say(f"{inp.name}: {inp.damage}", "error")
        return True
    warn(inp.name, inp.damage, inp.fatal)
    return False


def register(app: typer.Typer) -> None:
    """Add ``trim``, ``stats``, ``cat`` and ``diff`` to ``app``."""
    from .diffcmd import diff

    app.command()(trim)
    app.command()(stats)
    app.command()(cat)
    app.command()(diff)
