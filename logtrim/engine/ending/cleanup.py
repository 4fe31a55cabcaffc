"""A clean-up that found nothing to clean: said after another error, it follows from it
(:meth:`.ReasonChooser.take_error`); alone, it may be what failed. Sans-IO."""

from __future__ import annotations

from ..._regex import lazy

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


def nothing_to_clean(body: bytes) -> bool:
    """Whether an error line only says that what a clean-up removes is not there."""
    return _NOTHING_TO_CLEAN.search(body) is not None


__all__ = ["nothing_to_clean"]
