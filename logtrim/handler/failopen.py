"""The handler's fail-open path: records go out masked and unfiltered (under a head and a
tail of the budget left), never unmasked.

Used once the engine failed, after ``close()``, and in a process forked from the app (whose
archive is the parent's). Masking keeps working from the secrets already known, and learns
what each record declares (an ``::add-mask::``, a sensitive variable).
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING

from .._log import WITHHELD, say, verbose
from .._sizes import format_size
from ..run.fallback import HeadTail

if TYPE_CHECKING:
    from ..archive.sync import SyncArchive
    from ..engine.core import Core, Emit
    from .console import Console
    from .handler import LogtrimHandler

STDOUT = 1


def fail_open(h: LogtrimHandler, data: bytes, why: str = "") -> None:
    """The handler fails open (called in an ``except`` block): what the engine showed before
    it failed, a warning, and from now on records go out unfiltered, ``data`` first."""
    h._broken = h._engine_failed = True
    with suppress(Exception):
        h._console(h._whole.release())
    if not why:
        # One line naming the exception, as ``run`` says it (the traceback with -v; not
        # ``handleError``, which would print the record's arguments).
        exc = sys.exc_info()[1]
        why = f"internal error ({type(exc).__name__}: {exc})" if exc else "internal error"
        if verbose():
            warn(traceback.format_exc().rstrip(), h.core)
    warn(f"{why}; forwarding all records unfiltered", h.core)
    waiting = b""  # records the engine holds for a secret's end: older than the batch
    with suppress(Exception):
        waiting = h.core.records.take(STDOUT)
    data, h._noise = waiting + bytes(h._noise) + data, bytearray()
    h._unfiltered(data, time.monotonic())


def warn(message: str, core: Core | None = None) -> None:
    """logtrim's own problems, one line on stderr (not through logging: no recursion),
    masked with ``core``'s secrets (a path, an error's text may hold one)."""
    with suppress(Exception):
        say(masked_text(core, message) if core is not None else message, "warning")


def masked_text(core: Core, text: str) -> str:
    """``text`` masked; a fixed line if the masker fails (a secret must not pass)."""
    try:
        return core.secrets.mask_text(text)
    except Exception:
        return WITHHELD


def unfiltered(
    core: Core,
    archive: SyncArchive,
    console: Callable[[Sequence[Emit]], None],
    data: bytes,
    now: float,
    *,
    final: bool,
    closed: bool,
) -> None:
    """Show ``data`` masked (a secret split across records too) and archive it while the
    archive works; after ``close`` only the final bytes that waited are archived."""
    try:
        masked, shown = core.secrets.failing.passthrough_forms(
            STDOUT, data, final=final, learn=True
        )
    except Exception as exc:
        if not archive.failed and not closed:
            archive.fail(exc)  # unmasked bytes go nowhere
        return
    console([(STDOUT, shown)])
    if archive.failed or (closed and not final):
        return
    archive.write(masked, now)


def masked(core: Core, data: bytes) -> bytes:
    """Whole records in a forked copy: masked for the console (what they declare is learned);
    nothing when the masker fails, for a secret must not pass."""
    try:
        return core.secrets.failing.passthrough_forms(STDOUT, data, final=True, learn=True)[1]
    except Exception:
        return b""


def format_error(core: Core, record: logging.LogRecord) -> None:
    """A record that could not be formatted (``logging.info("%s %s", secret)``), told as
    ``logging.Handler.handleError`` tells it (the error, the message and its arguments),
    but masked: the arguments may hold a secret. Only while ``logging.raiseExceptions``."""
    if not logging.raiseExceptions or sys.stderr is None:
        return
    parts = ["--- Logging error ---\n", traceback.format_exc()]
    for name, value in (("Message", record.msg), ("Arguments", record.args)):
        try:
            parts.append(f"{name}: {value!r}\n")
        except Exception:  # a __repr__ that raises too
            parts.append(f"{name}: (cannot be shown)\n")
    try:
        text = core.secrets.mask_text("".join(parts))
    except Exception:  # nothing unmasked goes out
        text = "--- Logging error --- (a record could not be formatted)\n"
    with suppress(Exception):
        sys.stderr.write(text)


_AFTER_CLOSE = (
    "records logged after the handler closed are not archived, and past {} not shown either"
)
#: The warning's longest line (``say``'s prefix, a size of 7 characters at most).
_AFTER_SAID = len(f"logtrim: warning: {_AFTER_CLOSE.format('1000 kB')}\n")


class PastEngine:
    """Records past the engine (it failed, or the handler closed), masked, under a head and
    a tail of the budget left (``run``'s fail-open rule): a flood after the failure does not
    reach the console. Records logged after ``close()`` (a teardown) take half the closing
    reserve at most, and no more than the budget has left after what ``console`` printed;
    one warning says the rest is not shown."""

    def __init__(self, core: Core, console: Console) -> None:
        self._core = core
        self._printed = console
        self._fallback: HeadTail | None = None
        self._after_close: HeadTail | None = None
        self._after_room = 0
        self._said = False

    def write(
        self,
        archive: SyncArchive,
        console: Callable[[Sequence[Emit]], None],
        data: bytes,
        now: float,
        *,
        final: bool,
        closed: bool,
    ) -> None:
        after = closed and not final
        bounded = self._bound(after)

        def shown(emits: Sequence[Emit]) -> None:
            console([part for emit in emits for part in bounded.write(*emit)])

        unfiltered(self._core, archive, shown, data, now, final=final, closed=closed)
        if final:
            console(bounded.finish())
        elif after and not self._said:  # at the first: none of them is in the archive
            self._said = True
            if self._core.budget.total - self._printed.printed >= _AFTER_SAID:
                head = format_size(self._after_room // 2)
                warn(_AFTER_CLOSE.format(head), self._core)

    def _bound(self, after: bool) -> HeadTail:
        found = self._after_close if after else self._fallback
        if found is None:
            budget = self._core.budget
            if after:  # a head of half the reserve, within what the summary left
                # (and the warning's line: the budget caps what logtrim prints too)
                left = max(budget.total - self._printed.printed - _AFTER_SAID, 0)
                room = self._after_room = min(budget.closing, 2 * left)
            else:
                room = max(budget.total - budget.used - budget.closing, 0)
            found = HeadTail(room, self._core.dialect.name)
            if after:
                self._after_close = found
            else:
                self._fallback = found
        return found


def warn_forked(core: Core | None, path: object) -> None:
    """Said once by a process forked from the one whose handler writes the archive: its own
    records go to its console only (docs/python-api.md: give it a handler of its own)."""
    warn(
        f"process {os.getpid()} was forked from the one that writes {path}: its records go "
        "to the console only, not into the archive (give it a handler of its own: "
        "docs/python-api.md)",
        core,
    )
