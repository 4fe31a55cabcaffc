"""A record's message, read apart from the text its formatter made of it: a declaration that
a prefix put off its line's start (``INFO:app:::add-mask::ghp_...`` under
``logging.basicConfig``) is no command to the CI, but the app meant it: its secret is learned
before the record is masked (more masking is always safe)."""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine.core import Core


def learn_message(core: Core, record: logging.LogRecord, text: str) -> None:
    """Learn what the message of ``record`` declares when its formatted ``text`` holds it
    after a prefix; never raises (a record is never lost to this)."""
    message = getattr(record, "message", None)  # (set by ``Formatter.format``)
    if not isinstance(message, str) or not message or text.startswith(message):
        return
    with suppress(Exception):
        from ..logs.declared import DECLARING  # (a report's module: read on first use)

        data = message.encode("utf-8", "backslashreplace")
        lowered = data.lower()
        if any(marker in lowered for marker in DECLARING):
            core.secrets.learn_ahead(b"\n".join(data.splitlines()) + b"\n")


__all__ = ["learn_message"]
