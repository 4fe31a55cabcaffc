"""The async shell of ``logtrim run``: the engine between the child's output, the console
and the archive.

All decisions are the engine's (``Core``); this module only moves bytes. It fails open: if
the archive cannot be written, the engine keeps filtering and only the archive stops; if the
engine raises, the output goes to the console as a plain head and tail under the budget
(:mod:`logtrim.run.fallback`). Either way the exit code is still the child's. The child
itself (start, signals) is :mod:`logtrim.run.process`, the reading of its output
:mod:`logtrim.run.reader`.
"""

from __future__ import annotations

import contextlib
import copy
import signal
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from .. import _log
from .._fork import fault_hook
from .._log import logger
from .._matchers import NOTICE_AFTER, compiler, describe, fallback_notice
from .._text import hide_secrets
from ..archive import forked
from ..archive.target import Target
from ..archive.writer import ArchiveWriter
from ..cli.options import RunOptions
from ..dialects import Dialect
from ..engine.console.whole import Whole
from ..engine.core import STDERR, STDOUT, Core
from . import ending
from .console import Console
from .fallback import HeadTail
from .wholelines import ArchiveLines

if TYPE_CHECKING:  # imported with --baseline or --history only (start-up counts)
    from ..engine.shapes.baseline import Baseline
    from .aside import Ahead  # on the fallback engine only
    from .checker import Checker  # with a baseline only

# Tests of the fail-open path make the engine "fail" after this many bytes.
_FAULT_AFTER = fault_hook("LOGTRIM_FAULT_AFTER")
_BROKEN = "internal error; from here on the console shows the output's head and tail only"


class Pipeline:
    """One run: feeds the engine, writes the console and the archive, fails open."""

    def __init__(self, options: RunOptions, archive: ArchiveWriter | None = None) -> None:
        self.options = options
        # Good runs' shapes, loaded before the child starts (a bad baseline is a warning);
        # imported only then: a run without them pays nothing at start-up.
        self.baseline: Baseline | None = None
        # The name a --history index is kept under: a secret in --name is no file's name.
        self.history_name = hide_secrets(options.name, options.policy.masks)
        if options.baseline or options.history:
            from ..baseline import front, store

            if options.reserved and options.name == Path(options.artifact).name:
                # The default archive name is the command's and the time: every ``bash``
                # step's would share one history. Its words say which step it is.
                named = store.command_key(options.argv)
                self.history_name = hide_secrets(named, options.policy.masks)

            self.baseline, declared = front.for_run_declaring(
                options.baseline, options.history, self.history_name
            )
            if declared:  # what a compressed baseline log declares is masked here too
                masks = (*options.policy.masks, *declared)
                self.options = options = replace(
                    options, policy=replace(options.policy, masks=masks)
                )
        started = time.monotonic()
        pristine = copy.deepcopy(options.dialect)  # before any line: for a run shown whole
        self.core = self._engine(options.dialect)
        # At a small budget the console waits until the run is known not to fit
        # (engine/console/whole.py).
        self.whole = Whole(self.core, lambda: self._engine(copy.deepcopy(pristine), started))
        engine = self.core.matcher.engine
        if _log.verbose():
            logger().debug("line matcher", matcher=describe(engine))
        # Said once, past NOTICE_AFTER bytes, when the pure-Python matcher was not asked for.
        self._notice = fallback_notice(engine, options.policy.engine)
        self.console = Console()
        self.archive: ArchiveWriter = archive or writer_for(options)
        self.broken = False  # the engine failed: head and tail from now on
        # The engine is at work on a chunk (a flood of distinct errors: seconds a chunk): a
        # signal is passed on from its handler then, not when the loop next runs.
        self.busy = False
        self._told_lost = False  # the engine knows the archive failed
        self._fallback: HeadTail | None = None
        self.interrupted: str | None = None  # the first signal logtrim forwarded, by name
        self.killed_by: str | None = None  # the signal that ended the command, by name
        self.core.start(started)
        self._lines = ArchiveLines(self.core.archived)  # once broken: lines whole
        _log.unlimit()  # (with a note on the warnings past their share before the run)
        _log.charge_to(self.core.out.spend_own)  # our diagnostics count against the budget
        _log.mask_with(self.core.secrets.mask_text)  # with the secrets the step declares too
        self._drain_notes()  # e.g. a --mask value too short to mask: said whatever the child prints
        self._send, self._receive = anyio.create_memory_object_stream[bytes](4)
        # The scans (or the baseline's look-ups) on the second core (``start_aside``).
        self.ahead: Ahead | Checker | None = None

    def drop(self) -> None:
        """No child started: the archive's stream is closed unused."""
        self._send.close()
        self._receive.close()

    def _engine(self, dialect: Dialect, started: float | None = None) -> Core:
        options = self.options
        core = Core(options.policy, dialect, compiler=compiler(options.policy.engine),
                    baseline=self.baseline)  # fmt: skip
        core.finish.reserve_closing(str(options.artifact.resolve()), options.name)
        if started is not None:
            core.start(started)
        return core

    def start_aside(self) -> None:
        """The second core's share, forked now, before the child (and any thread) starts
        (:mod:`.second`). Fails open: without it, the work stays here."""
        from ..archive.forked import ForkedArchive
        from . import second

        forked = isinstance(self.archive, ForkedArchive)
        self.ahead = second.start(self.core, self._process, writer=forked)

    @property
    def unfiltered(self) -> bool:
        """The engine broke. (A lost archive is not a reason to stop filtering.)"""
        return self.broken

    @property
    def fallback(self) -> HeadTail:
        if self._fallback is None:
            budget = self.core.budget
            dialect = self.core.dialect
            self._fallback = HeadTail(budget.room(budget.closing), dialect.name, _safely(dialect))
        return self._fallback

    async def feed(self, stream: int, data: bytes) -> None:
        if self.ahead is not None:
            await self.ahead.feed(stream, data)  # to the engine in its turn, scanned aside
        else:
            await self._process(stream, data)

    async def settled(self) -> bool:
        """Wait until the chunks fed so far reached the engine (a helper on the second core
        holds them until then); whether there were any."""
        return await self.ahead.settled() if self.ahead is not None else False

    def learn_ahead(self, lines: bytes) -> None:
        """What whole lines of one stream declare, learned before their turn (see
        :meth:`.Reader.pair`); a fault here is met again, and handled, in their turn."""
        with contextlib.suppress(Exception):
            self.whole.learn_ahead(lines)

    async def _process(self, stream: int, data: bytes) -> None:
        if _FAULT_AFTER is not None and not self.broken and self.core.nbytes >= _FAULT_AFTER:
            self._break(traceback=False)  # fault injection, for the fail-open tests
        if not self.unfiltered:
            self.busy = True
            try:
                archived, emits = self.whole.feed(stream, data, time.monotonic())
            except Exception:
                self.busy = False
                self._break()
            else:
                self.busy = False
                self.console.write(emits)
                self._drain_notes()
                if self.archive.failed and not self._told_lost:
                    self._told_lost = True
                    self.core.archive_failed()
                if self._notice is not None and self.core.nbytes > NOTICE_AFTER:
                    _log.say(self._notice)  # charged to the budget, like all our messages
                    self._notice = None
                if archived:
                    await self._send.send(archived)
                return
        held, shown = self.core.take_held(stream)
        await self._unfiltered(stream, held + data, shown=shown)

    def _break(self, *, traceback: bool = True) -> None:
        """The engine failed: what its console held (output and CI commands written before)
        goes out now, before the fallback's, to keep the order; the budget counted it."""
        self.broken = True
        self.console.write(self.whole.abandon())
        logger().warning(_BROKEN, exc_info=traceback)

    async def _unfiltered(
        self, stream: int, data: bytes, *, final: bool = False, shown: bytes = b""
    ) -> None:
        """Fail-open: the console gets every byte, the known secrets masked (a secret split
        across writes too: the bytes that could start one wait for the next write); the
        archive too while it can be written. Unfiltered is never unmasked. ``shown``: the
        console form of the start of ``data`` the engine showed already (a line's start
        shown while it waited for its end), not shown again."""
        try:
            masked, shown_now = self.core.secrets.failing.passthrough_forms(
                stream, data, final=final, learn=True
            )
        except Exception:
            # Not even the crude masking works: nothing more is printed or archived.
            logger().warning("internal error; output no longer forwarded", exc_info=True)
            self.archive.failed = True
            return
        if shown_now.startswith(shown):
            shown_now = shown_now[len(shown) :]
        if masked:  # under the budget all the same: the head and the tail of what is left
            self.console.write(self.fallback.write(stream, shown_now))
        # (At the end, the line the archive held for its end goes too.)
        archived = self._lines.whole(stream, masked, final=final)
        if archived and not self.archive.failed:
            try:
                await self._send.send(archived)
            except Exception:
                self.archive.failed = True

    def received(self, sig: signal.Signals) -> None:
        """A signal logtrim forwards to the child: the first one is what interrupted it."""
        if self.interrupted is None:
            self.interrupted = sig.name

    def died(self, name: str) -> None:
        """The command was ended by signal ``name`` (its own crash, or one logtrim sent)."""
        self.killed_by = name

    def _drain_notes(self) -> None:
        while self.core.notes:
            logger().warning(self.core.notes.pop(0))

    async def archive_task(self) -> None:
        async with self._receive:
            while True:
                data = b""
                # Only the wait may time out: a cancelled write would lose compressed bytes.
                with anyio.move_on_after(0.5):
                    try:
                        data = await self._receive.receive()
                    except anyio.EndOfStream:
                        return
                if data and not self.archive.failed:
                    await self.archive.write(data)
                await self.archive.tick()

    async def ticker(self) -> None:
        while True:
            await anyio.sleep(0.25)
            self.console.watch()
            if not self.unfiltered:
                try:
                    self.console.write(self.whole.tick(time.monotonic()))
                except Exception:
                    self._break()

    def release(self) -> None:
        """The console held while the run could be shown whole, printed now: what logtrim
        says next on stderr must come after the lines the command wrote before it."""
        if not self.unfiltered and self.whole.holding:
            try:
                self.console.write(self.whole.release())
            except Exception:
                self._break()

    async def finish(self, exit_code: int) -> None:
        if self.ahead is not None:
            await self.ahead.end()
        if not self.unfiltered:
            try:
                archived, emits = self.whole.finish_input(time.monotonic())
                self.console.write(emits)
                self._drain_notes()
                if archived:
                    await self._send.send(archived)
            except Exception:
                self._break()
        if self.unfiltered:
            for stream in (STDOUT, STDERR):
                held, shown = self.core.take_held(stream)
                await self._unfiltered(stream, held, final=True, shown=shown)
        await self._send.aclose()

    def trailer(self) -> bytes:
        """The run's line shapes, for its archive's end (see :func:`.ending.trailer`)."""
        return ending.trailer(self.baseline, broken=self.unfiltered)


def _safely(dialect: Dialect) -> Callable[[str], None]:
    """``dialect.observe``, for the fail-open path: a fault there loses a switch back, never
    a line."""

    def observe(line: str) -> None:
        with contextlib.suppress(Exception):
            dialect.observe(line)

    return observe


def writer_for(options: RunOptions) -> ArchiveWriter:
    """The forked writer where forking is safe, else the in-process one."""
    target = Target.create(options.artifact)
    if forked.available():
        return forked.ForkedArchive(target, options.level)
    from ..archive.inprocess import InProcessArchive

    return InProcessArchive(target, options.level)


__all__ = ["Pipeline", "RunOptions", "writer_for"]
