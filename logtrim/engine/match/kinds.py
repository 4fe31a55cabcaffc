"""What a line is (its tier), and the names each tier goes by: the one table of them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Kind(IntEnum):
    """What a line is, lowest tier first: the order in which tiers go when the budget runs low."""

    NOISE = 0  # detail: archive only
    PROGRESS = 1
    INFO = 2
    WARNING = 3
    ERROR = 4
    KEEP = 5  # always shown (``--keep``, node headers of a task log)
    SERVICE = 6  # a CI service message: verbatim, never dropped for budget


# The members under plain names, for the per-line paths: on CPython 3.11 ``Kind.NOISE`` is a
# look-up through the enum's metaclass, several times the cost of a module global.
NOISE, PROGRESS, INFO, WARNING, ERROR, KEEP, SERVICE = Kind


@dataclass(frozen=True)
class TierName:
    """How logtrim names a tier in what it prints."""

    name: str  # ``stats``: "error"
    plural: str  # the summary's counts: "errors"
    level: str  # the log level that stands for it in a task log: "Error"

    @property
    def lines(self) -> str:
        """``error lines``, as the budget markers say."""
        return f"{self.name} lines"


TIERS = {
    Kind.NOISE: TierName("detail", "detail", "Verbose"),
    Kind.PROGRESS: TierName("progress", "progress", "Progress"),
    Kind.INFO: TierName("info", "info", "Info"),
    Kind.WARNING: TierName("warning", "warnings", "Warning"),
    Kind.ERROR: TierName("error", "errors", "Error"),
    Kind.KEEP: TierName("kept", "kept", "Info"),
    Kind.SERVICE: TierName("service", "service messages", "Info"),
}
