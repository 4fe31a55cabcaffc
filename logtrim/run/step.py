"""One step from start to end: the archive opened, the child started, its output fed to the
:class:`~logtrim.run.pipeline.Pipeline` until it exits and its pipes are drained, then the
closing lines. The exit code is the child's (``128 + N`` for a signal), whatever happens here.
"""

from __future__ import annotations

import os
import signal

import anyio

from .._errors import LogtrimError
from .._log import logger
from ..archive.writer import ArchiveWriter
from ..cli.options import RunOptions
from . import closing, collector
from . import process as _process
from . import signals as _signals
from .pipeline import Pipeline
from .process import Step
from .reader import Reader, Source
from .startmark import mark_start_failed

_HELD = (
    "the command exited, but a process it started still held its output {:g}s later "
    "(--drain-timeout): what it writes from now on is not archived"
)


async def run(options: RunOptions, archive: ArchiveWriter | None = None) -> int:
    """Run the child through the pipeline; return the exit code logtrim should exit with.

    ``archive``: a writer the caller forked early, while the process was still small.
    """
    try:
        pipeline = Pipeline(options, archive)
    except Exception:  # a bug before the child started: run the step as is
        if archive is not None:
            await archive.discard()
        return await _unfiltered(options)
    # The archive first: a writer process is forked before any thread exists.
    await pipeline.archive.open()
    pipeline.start_aside()
    early = _signals.EarlySignals()
    if os.name != "nt":
        early.record()  # a signal while the command starts is passed on once it has
    try:
        process, sources = await _process.start(options)
    except BaseException as exc:
        early.restore()
        await pipeline.archive.discard()  # no child, no archive
        pipeline.drop()
        if pipeline.ahead is not None:
            await pipeline.ahead.close()
        if isinstance(exc, LogtrimError):
            _mark_failed(options, exc)
            raise
        if not isinstance(exc, Exception):
            raise
        # Not the command's fault (no file descriptor left, a bug): the step runs all the
        # same, without what holds descriptors here (the writer and the scanner are gone).
        return await _unfiltered(options)
    code = 1
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(pipeline.archive_task)
            if pipeline.ahead is not None:
                tg.start_soon(pipeline.ahead.run)
            with collector.relaxed():  # an error flood's objects: run/collector.py
                code = await _until_exit(pipeline, process, sources, early)
            await pipeline.finish(code)
        size = await pipeline.archive.close(pipeline.trailer())
        await closing.close(pipeline, code, size)
    finally:
        early.restore()
        _process.close_sources(sources)
        with anyio.CancelScope(shield=True):
            await process.aclose()
    return code


def _mark_failed(options: RunOptions, error: LogtrimError) -> None:
    mark_start_failed(options.dialect, error)


async def _unfiltered(options: RunOptions) -> int:
    """Before the child started, logtrim broke: the last resort runs the step."""
    from .unfiltered import run_masked, say_internal_error

    policy = options.policy
    say_internal_error(policy.masks)
    # In this thread, blocking the loop (nothing else runs now): only the main thread may
    # set the handlers that pass SIGTERM and the rest on to the step.
    times = (options.drain_timeout, options.grace)
    return run_masked(options.argv, policy.masks, policy.budget, options.dialect.name, times)


async def _until_exit(
    pipeline: Pipeline,
    process: Step,
    sources: list[tuple[Source, int]],
    early: _signals.EarlySignals,
) -> int:
    """Feed the child's output to the pipeline until it exits and its pipes are drained."""
    options = pipeline.options
    async with anyio.create_task_group() as inner:
        inner.start_soon(pipeline.ticker)
        inner.start_soon(pipeline.archive.watch)
        if os.name != "nt":
            console = pipeline.console
            inner.start_soon(
                _signals.forward_signals, process, options.grace, pipeline.received, early,
                lambda: console.writing or pipeline.busy,
            )  # fmt: skip
        gone = pipeline.console.gone.__contains__
        readers = [Reader(source, stream, pipeline.feed, gone) for source, stream in sources]

        def wake(stream: int) -> None:
            for reader in readers:
                if reader.stream == stream:
                    reader.wake()

        pipeline.console.on_gone = wake
        Reader.pair(readers, pipeline.learn_ahead, pipeline.settled)
        for reader in readers:
            inner.start_soon(reader.run)
        returncode = await process.wait()
        if returncode < 0:  # a signal ended the command: that is why it failed
            pipeline.died(signal.Signals(-returncode).name)
        # A grandchild may hold the pipe open: wait for the output's end a bounded time only,
        # then read what the pipes hold and stop. Never a cancel: a reader held up by the
        # archive's backpressure holds bytes the command wrote, on their way to the archive.
        with anyio.move_on_after(options.drain_timeout) as drain:
            for reader in readers:
                await reader.done.wait()
        for reader in readers:
            reader.stop()
        for reader in readers:
            await reader.done.wait()
        if drain.cancelled_caught and _held_open(readers):
            pipeline.release()  # (a small run's console waits to be shown whole)
            logger().warning(_HELD.format(options.drain_timeout))
        inner.cancel_scope.cancel()
    # A pipe a reader closed (its console's reader left) is not closed again at the end.
    sources[:] = [(r.source, r.stream) for r in readers if not r.closed]
    return 128 - returncode if returncode < 0 else returncode


def _held_open(readers: list[Reader]) -> bool:
    """Whether a pipe the drain stopped reading still has a writer (a process the command
    started): a pipe whose writers all closed polls as hung up."""
    if os.name == "nt":
        return False  # anyio's pipes there: nothing to ask
    import select

    for reader in readers:
        if isinstance(reader.source, int) and not reader.closed:
            poll = select.poll()
            poll.register(reader.source, select.POLLIN)
            if not any(event & select.POLLHUP for _, event in poll.poll(0)):
                return True
    return False


__all__ = ["run"]
