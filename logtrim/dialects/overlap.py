"""Whether a secret breaks a CI's commands: it spans their syntax (``::error``,
``message text``), so a command that holds it is masked whole.

A secret never passes, so such a command is masked whole (:meth:`.Dialect.mask_command`) and
the CI no longer reads it: right for a secret, but a value that takes in a marker, a command's
name or a key silently breaks every command that holds it, logtrim's closing ones included.
A secret that *is* a syntax word (``error``) is not one: it is kept there. Sans-IO.
"""

from __future__ import annotations

from .actions import Closing, Print
from .base import MASK, Dialect

# A failed run's closing, as logtrim writes it: the commands of each kind it sends.
_SAMPLE = Closing(
    archive_path="/builds/step.log.zst",
    archive_name="step.log.zst",
    archive_size=1,
    exit_code=1,
    reason="error: the step failed",
    first_errors=("error: the step failed",),
)


def breaks_commands(dialect: Dialect, secret: str) -> bool:
    """Whether masking ``secret`` (and its escaped forms) changes the syntax of one of the
    commands ``dialect`` closes a failed run with, or masks it whole."""
    forms = [f.encode("utf-8", "surrogateescape") for f in {secret, *dialect.secret_forms(secret)}]
    forms = [f for f in forms if f]

    def mask(data: bytes) -> bytes:
        for form in forms:
            data = data.replace(form, MASK)
        return data

    for line, syntax in _samples(dialect):
        if not any(form in line for form in forms):
            continue
        masked = dialect.mask_command(line, mask)
        if masked is None or _syntax(dialect, masked) != syntax:
            return True
    return False


_SAMPLES: dict[str, tuple[tuple[bytes, list[bytes]], ...]] = {}


def _samples(of: Dialect) -> tuple[tuple[bytes, list[bytes]], ...]:
    """The closing's command lines of ``of``'s CI, each with its syntax (made once)."""
    found = _SAMPLES.get(of.name)
    if found is None:
        found = _SAMPLES[of.name] = _made(type(of)())
    return found


def _made(dialect: Dialect) -> tuple[tuple[bytes, list[bytes]], ...]:
    lines = [
        line.encode("utf-8", "surrogateescape")
        for action in dialect.finish(_SAMPLE)
        if isinstance(action, Print)
        for line in action.text.splitlines()
    ]
    return tuple((line, syntax) for line in lines if (syntax := _syntax(dialect, line)))


def _syntax(dialect: Dialect, line: bytes) -> list[bytes]:
    return [line[start:end] for start, end in dialect.syntax_spans(line)]


__all__ = ["breaks_commands"]
