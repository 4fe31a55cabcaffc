"""logtrim inside a Python app: a ``logging.Handler`` over the same engine as ``run``.

Every formatted record goes to a zstd archive opened at construction; the console gets what
the policy selects. All synchronous: records are compressed in batches under the handler's
lock, and a frame is ended at most ``flush_seconds`` after data arrives (on the next record,
or by a small daemon thread when the app is quiet; the archive is a
:class:`~logtrim.archive.sync.SyncArchive`), so a process killed without shutdown
leaves a readable archive. ``close()`` (``logging.shutdown()`` calls it at exit) finishes the
archive, prints the summary and publishes the artifact. The handler fails open: an engine
or archive error never reaches the app; records then go to the console unfiltered.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .._fork import after_fork_in_child, close_in_worker
from ..archive import DEFAULT_LEVEL
from ..engine.match.rules import Kind
from . import hooks
from .closing import close_handler, will_show_uncaught
from .console import Console
from .failopen import (
    STDOUT,
    PastEngine,
    fail_open,
    format_error,
    masked,
    masked_text,
    warn,
    warn_forked,
)
from .messages import learn_message, learn_text
from .tiers import DebugCommands, levelno_of, record_kind

if TYPE_CHECKING:  # the engine is imported on first use: ``import logtrim`` stays cheap
    from ..engine.core import Emit

_BATCH = 64 << 10  # archive bytes compressed at a time
_TICK = 0.25  # seconds between the idle thread's checks


class LogtrimHandler(logging.Handler):
    """Archive every record; show on ``stream`` (default stdout) what the policy selects.

    ``artifact`` is the archive path (``.log.zst``), ``budget`` the console's byte budget
    (``"20MB"`` or an int), ``ci`` the dialect (``auto`` detects it), ``name`` the artifact's
    published name (default: the file name). ``baseline``: good run(s) to compare with (a
    log, archive or directory); ``history``: a directory remembering the line shapes of
    successful runs per name (see ``logtrim run --history``). Other keywords are
    :class:`Policy` fields (``head``, ``context``, ``tail``, ``keep``, ``masks``...). Set
    ``exit_code`` before shutdown to report a failure (the failure tail is then shown).

    Every argument is checked here, by the command line's rules, before anything is opened:
    an unknown keyword is a ``TypeError``, a bad value (a negative count, a bad regular
    expression, a ``history`` that is no directory) a ``ValueError`` naming it (a
    ``UsageError`` too: :class:`logtrim.ArgumentError`). An existing ``artifact`` that is not a zstd
    archive is refused with ``FileExistsError``, as ``run --artifact`` refuses it;
    ``force=True`` replaces it.
    """

    def __init__(
        self,
        artifact: str | os.PathLike[str],
        *,
        budget: str | int = "20MB",
        ci: str = "auto",
        stream: IO[str] | None = None,
        level: int = logging.NOTSET,
        name: str | None = None,
        compression: int | str = DEFAULT_LEVEL,
        flush_seconds: float = 0.5,
        baseline: str | os.PathLike[str] | None = None,
        history: str | os.PathLike[str] | None = None,
        force: bool = False,
        **policy: Any,
    ) -> None:
        from ..archive.sync import SyncArchive
        from .checks import checked_arguments
        from .engine import build

        # Before Handler.__init__, which registers the handler for logging's exit hook: a
        # refused handler must not be closed there half made.
        pol, path, parsed = checked_arguments(
            artifact, budget, policy, {"ci": ("ci", ci), "compression": ("level", compression)},
            stream=stream, name=name, flush_seconds=flush_seconds, force=force, history=history,
        )  # fmt: skip
        # The engine too: a handler whose engine could not be made is not registered either.
        engine = build(pol, ci, baseline, history, name or path.name)
        super().__init__(level)
        assert self.lock is not None  # created by Handler.__init__ (an RLock)
        self._mutex = self.lock
        self.path = path
        self.artifact_name = name or self.path.name
        self.stream = stream
        self.exit_code = 0
        self.flush_seconds = flush_seconds
        self._history = history
        self.core, self._whole, self._baseline = engine.core, engine.whole, engine.baseline
        self._history_name = engine.history_name
        self._scan_debug = bool(self.core.policy.keep)
        self._scan_from = logging.NOTSET if self._scan_debug else logging.INFO
        self._alone = DebugCommands(self.core).alone
        self._noise = bytearray()  # DEBUG records not yet given to the engine
        self._broken = False  # engine or archive failed: forward records unfiltered
        #: The uncaught exception's record its filters took when Python's hook asked.
        self.uncaught_taken: logging.LogRecord | None = None
        self._engine_failed = False  # the engine raised: its closing is not to be trusted
        self._closed = False
        self._feeding = False  # a record is being fed (see ``_feed``)
        self._queued: list[tuple[str, int, logging.LogRecord | None]] = []
        self._out = Console()
        self._past = PastEngine(self.core, self._out)  # records past the engine, bounded
        self._forked = False  # this is a forked copy: the archive and summary are the parent's
        self._forked_said: int | None = None  # the forked process that said so
        self._archive = SyncArchive(
            self.path,
            parsed["compression"],
            frame_seconds=flush_seconds,
            report=self._archive_failed,
        )
        try:
            self._archive.open()
        except BaseException:  # refused (another handler writes it): logging's exit hook,
            self._closed = True  # which has it already, closes it quietly
            super().close()
            raise
        self._stop = threading.Event()
        self._timer = threading.Thread(target=self._idle, name="logtrim-flush", daemon=True)
        self._timer.start()
        after_fork_in_child(self)
        close_in_worker(self)  # a Pool's worker ends past atexit: its archive still closes
        # Python's own report of an uncaught exception masked; a thread's logged here
        hooks.watch(self.core.secrets.mask_text, self)

    # -- records ------------------------------------------------------------------------------
    def emit(self, record: logging.LogRecord) -> None:
        """Called by ``Handler.handle`` with the lock held."""
        try:
            text = self.format(record)
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            elif not isinstance(text, str):  # a formatter of the app's that returned no text
                raise TypeError(f"the formatter returned {type(text).__name__}, not str")
        except Exception:
            self.handleError(record)
            return
        self._feed(text, levelno_of(record.levelno), record)

    def handleError(self, record: logging.LogRecord) -> None:
        """A record that could not be formatted: said as logging says it, masked."""
        format_error(self.core, record)

    def write(self, text: str, levelno: int) -> None:
        """Feed one already rendered record (structlog's native path); thread-safe. A text
        that ends its line (``"done\\n"``) is written as it is, with no blank line after it."""
        if not isinstance(text, str) or not isinstance(levelno, int):
            raise TypeError(f"write(text: str, levelno: int), not ({text!r:.40}, {levelno!r})")
        if levelno < self.level:
            return
        if text.endswith("\n"):
            text = text[:-1]  # the record's own newline: ``_feed`` ends every record with one
        with self._mutex:
            self._feed(text, levelno, None)

    def learn(self, message: str) -> None:
        """Learn what the lines of ``message`` declare (``::add-mask::...``) before it is
        rendered: structlog's event, which its renderer puts after a time stamp and a level,
        off its line's start. Thread-safe; never raises."""
        with self._mutex:
            if isinstance(message, str):
                with suppress(Exception):
                    learn_text(self.core, message)

    def kind(self, data: bytes, levelno: int) -> Kind:
        """The tier of a record (see :func:`.tiers.record_kind`)."""
        return record_kind(self.core, data, levelno, scan_debug=self._scan_debug)

    def _feed(self, text: str, levelno: int, record: logging.LogRecord | None) -> None:
        """One record, with the lock held. A record logged while another is half fed on this
        thread (the lock is re-entrant: a signal handler that logs) waits for it: the engine
        and the archive are never entered twice."""
        if self._feeding:
            self._queued.append((text, levelno, record))
            return
        self._feeding = True
        try:
            self._feed_one(text, levelno, record)
        finally:
            try:
                while self._queued:
                    self._feed_one(*self._queued.pop(0))
            finally:
                self._feeding = False

    def _feed_one(self, text: str, levelno: int, record: logging.LogRecord | None) -> None:
        if record is not None:  # (failed open too: what it forwards is masked with them)
            learn_message(self.core, record, text)
        data = text.encode("utf-8", "backslashreplace") + b"\n"
        if self._forked:
            if self._forked_said is None:  # (once: its records are missing from the archive)
                self._forked_said = os.getpid()
                warn_forked(self.core, self.path)
            self._console([(STDOUT, masked(self.core, data))])
            return
        if self._broken or self._closed:
            self._unfiltered(data, time.monotonic())
            return
        now = time.monotonic()
        self._archive.expect(now)  # its frame ends within flush_seconds, batched or not
        try:
            # DEBUG detail: the engine takes it in batches; not a CI command (it passes, the
            # CI acts on it) or a secret's declaration (learned before anything else is masked)
            if levelno < self._scan_from and not self._alone(data):
                self._noise += data
                if len(self._noise) < _BATCH and not self._archive.due(now):
                    return
                data = b""
            self._drain(now)
            if data:
                self._take(self._whole.feed_line(STDOUT, data, self.kind(data, levelno), now), now)
                data = b""  # archived: not again below
            if self._archive.due(now):
                self._sync(now)
        except Exception:
            fail_open(self, data)
        except BaseException:
            # A signal handler raised (``sys.exit``, Ctrl-C) while the record was half fed:
            # the engine's state is not to be trusted; the record is not lost.
            fail_open(self, data, why="interrupted while taking a record")
            raise

    def _drain(self, now: float) -> None:
        """Feed the batched DEBUG records to the engine (before any other record)."""
        if self._noise:
            out = self._whole.feed_line(STDOUT, bytes(self._noise), Kind.NOISE, now)
            self._noise.clear()
            self._take(out, now)

    def _take(self, result: tuple[bytes, list[Emit]], now: float) -> None:
        archived, emits = result
        self._console(emits)
        while self.core.notes:
            warn(self.core.notes.pop(0), self.core)
        self._archive.write(archived, now)

    def _unfiltered(self, data: bytes, now: float, *, final: bool = False) -> None:
        self._past.write(self._archive, self._console, data, now,
                         final=final, closed=self._closed)  # fmt: skip

    def after_fork_in_child(self) -> None:
        """In a process forked from the app: the archive, the summary and the artifact stay
        the parent's. This copy writes nothing of the parent's (not its buffered records, no
        second summary or ``createArtifact``); the child's own records go to the console,
        masked, unfiltered."""
        self._forked = True
        self._closed = True
        self._noise = bytearray()
        self._archive.detach()

    # -- archive ------------------------------------------------------------------------------
    def _sync(self, now: float) -> None:
        """Put everything received so far on disk as complete zstd frames."""
        self._drain(now)
        self._archive.sync()

    def _archive_failed(self, path: Path, why: BaseException | str) -> None:
        """No archive: the console goes on filtered, as ``run``'s (a flood must not reach
        it); the archive keeps what it stored before and is not published."""
        with suppress(Exception):
            self.core.archive_failed()
        warn(f"archive cannot be written; it keeps what was stored before (output is still "
             f"filtered) ({why})", self.core)  # fmt: skip

    def _idle(self) -> None:
        """Daemon thread: end frames and let the engine's clock run while the app is quiet."""
        while not self._stop.wait(_TICK):
            with self._mutex:
                if self._closed:
                    return
                now = time.monotonic()
                try:
                    if self._archive.due(now):
                        self._sync(now)
                    if not self._broken:
                        self._console(self._whole.tick(now))
                except Exception:
                    fail_open(self, b"")

    def _console(self, emits: Sequence[Emit]) -> None:
        self._out.write(emits, self.stream)

    # -- the end ------------------------------------------------------------------------------
    def flush(self) -> None:
        """Put everything logged so far into the archive file (complete frames)."""
        with self._mutex:
            if not self._closed and not self._feeding:  # (not from a signal handler mid-record)
                self._sync(time.monotonic())

    def close(self, exit_code: int | None = None) -> None:
        """Finish the archive, print the summary, publish the artifact. Idempotent."""
        close_handler(self, exit_code, super().close)

    def _take_report(self, record: logging.LogRecord) -> bool:
        """An exception Python would only print (:mod:`.hooks`: a thread's uncaught one, one
        raised in ``__del__`` or an ``atexit`` callback), while this handler takes records of
        its level (``handle`` checks its filters, not its level: a logger does that); True:
        taken."""
        if not self._closed and levelno_of(record.levelno) >= self.level:
            return bool(self.handle(record))
        return False

    def _reports_uncaught(self, record: logging.LogRecord) -> bool:
        """Whether :meth:`close` will show the main thread's uncaught exception
        (:func:`.closing.will_show_uncaught`)."""
        return will_show_uncaught(self, record)

    def _mask_text(self, text: str) -> str:
        return masked_text(self.core, text)


__all__ = ["LogtrimHandler"]
