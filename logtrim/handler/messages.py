"""A record's message, read apart from the text its formatter made of it: a declaration that
a prefix put off its line's start (``INFO:app:::add-mask::ghp_...`` under
``logging.basicConfig``, a structlog renderer's time stamp and level) is no command to the
CI, but the app meant it: its secret is learned before the record is masked (more masking is
always safe)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..engine.core import Core


def learn_message(core: Core, record: logging.LogRecord, text: str) -> None:
    """Learn what the message of ``record`` declares when its formatted ``text`` holds it
    after a prefix; never raises (a record is never lost to this)."""
    with suppress(Exception):
        for message in _messages(record):
            # (a formatter's text after it, ``(app.py:12)``, would go into the value the
            # engine reads from the formatted line: the message alone is read too)
            if message != text:
                learn_text(core, message)


def _messages(record: logging.LogRecord) -> list[str]:
    """What the app logged: the message ``Formatter.format`` set (a formatter of the app's
    own may set none: then the record's own), and a structlog event's text (its dict is the
    record's ``msg`` behind ``ProcessorFormatter``)."""
    message = getattr(record, "message", None)
    found: list[object] = [message] if isinstance(message, str) else []
    if isinstance(record.msg, Mapping):
        found += _event_texts(record.msg)
    elif not found:
        found.append(record.getMessage())
    return [m for m in found if isinstance(m, str) and m]


def _event_texts(event: Mapping[object, object]) -> list[object]:
    """A structlog event's text: under its own key or one an ``EventRenamer`` gave it, with
    the positional arguments a ``PositionalArgumentsFormatter`` would put in it."""
    texts = [event.get(key) for key in ("event", "message", "msg")]
    args = event.get("positional_args")
    if isinstance(args, tuple) and args:
        with suppress(Exception):
            texts += [t % args for t in texts if isinstance(t, str)]
    return texts


def learn_text(core: Core, message: str) -> None:
    """Learn what the lines of ``message`` declare, read as lines of their own."""
    from ..logs.declared import DECLARING  # (a report's module: read on first use)

    data = message.encode("utf-8", "backslashreplace")
    if any(marker in data.lower() for marker in DECLARING):
        core.secrets.learn_ahead(b"\n".join(data.splitlines()) + b"\n")


__all__ = ["learn_message", "learn_text"]
