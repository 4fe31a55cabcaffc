"""The handler's fail-open path: records go out masked and unfiltered, never unmasked.

Used once the engine or the archive failed, and in a process forked from the app (whose
archive is the parent's). Masking keeps working from the secrets already known, and learns
what each record declares (an ``::add-mask::``, a sensitive variable).
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING

from .._log import WITHHELD, say

if TYPE_CHECKING:
    from ..archive.sync import SyncArchive
    from ..engine.core import Core, Emit

STDOUT = 1


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
        masked, shown = core.secrets.passthrough_forms(STDOUT, data, final=final, learn=True)
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
        return core.secrets.passthrough_forms(STDOUT, data, final=True, learn=True)[1]
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
