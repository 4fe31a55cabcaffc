"""A clean-up that found nothing to clean: said after another error, it follows from it
(:meth:`.ReasonChooser.take_error`); alone, it may be what failed. And a run that says it
winds down after an error (a rollback, a clean-up): what fails after that fails in it.
Sans-IO."""

from __future__ import annotations

from dataclasses import dataclass

from ..._regex import lazy
from .ranks import Candidate, Rank

# A clean-up that found nothing to clean (an EXIT trap's ``rm: cannot remove '/run/x.lock': No
# such file or directory``, ``kill: (4711) - No such process``, ``umount: /mnt/x: not
# mounted``, Docker's ``Error: No such container: web``): said after another error, it follows
# from it (the reason stays that error); alone, it may be what failed.
_NOTHING_TO_CLEAN = lazy(
    # GNU's, BusyBox's (``can't``), BSD's (``rm: X: No such ...``), Go's (``remove X: no such``)
    rb"(?i:cannot remove|can't remove|failed to remove|could not remove|unable to remove)\b.*"
    rb": (?:No such file or directory|not found)$|^rm: .+: No such file or directory$|"
    rb"\bremove \S+: no such file or directory$|"
    # a shell's ``kill`` (bash's builtin names its script first), ``umount``
    rb"\bkill: .*No such process$|^umount: .*: not mounted\.?$|"
    # Docker's (``docker rm``, ``docker kill``'s ``Cannot kill container: web: No such ...``)
    rb"(?i:no such (?:container|volume|network|image))(?:: |$)|(?i:\bnetwork \S+ not found)$|"
    # PowerShell's Remove-Item
    rb"^Remove-Item : Cannot find path .* because it does not exist\.$"
)


#: Lines after the chosen error within which a line may say the run winds down.
WIND_DOWN_NEAR = 20
# A run that says it undoes what it did (``step failed, rolling back``, ``Cleaning up build
# root``, ``Tearing down the test stack``): what fails after it fails in the clean-up.
_WINDS_DOWN = lazy(
    rb"(?i)\b(?:roll(?:ing|ed)?[ -]?backs?|revert(?:ing)?|tearing down|tear ?down|"
    rb"clean(?:ing)?[ -]?up|undoing)\b"
)


@dataclass
class WindDown:
    """Where the run said it winds down after the chosen error (:meth:`see`); from there an
    error of no higher rank is the clean-up's, and the chosen one stays the reason."""

    at: int = -1

    def see(self, best: Candidate, line: bytes, lineno: int) -> None:
        """A line after ``best``: is it the first within reach that says the run winds down?"""
        if (
            0 < lineno - best.lineno <= WIND_DOWN_NEAR
            and self.at < best.lineno
            and best.rank > Rank.RETRIED
            and _WINDS_DOWN.search(line) is not None
        ):
            self.at = lineno

    def keeps(self, best: Candidate, rank: Rank, lineno: int) -> bool:
        """Whether ``best`` stays the reason against an error of ``rank`` at ``lineno``."""
        return best.lineno < self.at < lineno and rank <= best.rank


def nothing_to_clean(body: bytes) -> bool:
    """Whether an error line only says that what a clean-up removes is not there."""
    return _NOTHING_TO_CLEAN.search(body) is not None


__all__ = ["WIND_DOWN_NEAR", "WindDown", "nothing_to_clean"]
