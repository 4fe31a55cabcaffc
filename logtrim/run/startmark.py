"""A command that could not be started fails the step as a run would: the CI's own failure
mark with the reason, on stdout (a normal run's start, and the last resort's)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from .. import _log
from .._errors import LogtrimError
from .._log import logger

if TYPE_CHECKING:
    from ..dialects.base import Dialect


def mark_start_failed(dialect: Dialect, error: LogtrimError) -> None:
    """The CI's own failure mark with the reason (GitHub's ``::error::``, Octopus's
    ``resultMessage``), on stdout; the error itself is logtrim's line on stderr. Nothing where
    the CI has no mark (the plain note would say that line again). Never raises."""
    from ..dialects.base import Closing, Print, failure_note

    try:
        # Masked as logtrim's own line on stderr is (a URL's password in the command's name).
        reason = _log.masked(str(error))
        closing = Closing(None, "", 0, error.exit_code, reason, env=dict(os.environ))
        plain = {a.text for a in failure_note(closing) if isinstance(a, Print)}
        actions = dialect.finish(closing)
        lines = [a.text for a in actions if isinstance(a, Print) and a.text not in plain]
        if lines:
            sys.stdout.write("".join(f"{line}\n" for line in lines))
            sys.stdout.flush()
    except Exception:  # (the error itself is what matters)
        logger().debug("no failure mark for the start error", exc_info=True)


__all__ = ["mark_start_failed"]
