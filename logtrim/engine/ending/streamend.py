"""A stream's last line as a failure reason candidate: where a program writes why it stops
(stderr's), or says that something failed (stdout's), or a shell's trace of its last command
(:meth:`.ReasonChooser.offer_stream_end`)."""

from __future__ import annotations

import re

from ..._regex import lazy
from .ranks import Rank, line_rank
from .traces import XTRACE

# An action announced: one clause that ends in an ellipsis (``Cloning into 'repo'...``); a
# cause before it (``Certificate expired, renewing...``) makes the line a message.
_ANNOUNCES = lazy(rb"^[^,;:]*(?:\.\.\.|\xe2\x80\xa6)$")
# stdout's last line is a reason only if it says that something failed (error-tier words
# made it an error line already): a "main done" or a cleanup trap's echo is none.
_SAYS_FAILED = lazy(
    rb"\b(?:abort(?:ed|ing)|rolling back|shutting down|giving up|gave up|halted|"
    rb"exit(?:ed)? (?:with )?(?:code|status)|non-zero exit|fail(?:ed|ure|s)?|fatal|errors?)\b",
    re.I,
)
# ... or that the script refuses to go on, and why: ``release 4.12 is locked by deploy
# #4411, not proceeding``, ``checksum mismatch: expected 9f1c got 77ab`` (a mismatch said
# as a finding, not counted: ``no mismatches``, ``0 mismatches`` say none), ``Quota
# exceeded: requested 12 vCPUs, limit is 8``.
_SAYS_REFUSED = lazy(
    rb"\b(?:not proceeding|refus(?:e|es|ed|ing) to|will not (?:proceed|continue|deploy|run)|"
    rb"can(?:not|'t) (?:proceed|continue|deploy)|is locked by)\b|"
    # a limit found exceeded (not ``no thresholds exceeded``, ``has not been exceeded``)
    rb"(?<![Nn]o )(?<![0-9] )\b(?:quota|limit|deadline|timeout|threshold|budget|capacity|size|"
    rb"rate)s? (?:was |has been |is )?exceeded\b|"
    rb"(?<![Nn]o )(?<![0-9] )\bmismatch(?:es)?\b(?=\s*[:()]|\s*$)",
    re.I,
)


def says_failure(body: bytes) -> bool:
    """Whether a line says that something failed, or that the script refuses to go on."""
    return _SAYS_FAILED.search(body) is not None or _SAYS_REFUSED.search(body) is not None


def end_rank(body: bytes, *, stderr: bool, message: bool, quiet: bool) -> Rank | None:
    """The rank of a stream's last line (:meth:`.ReasonChooser.offer_stream_end`), None
    when it is no candidate."""
    if XTRACE.match(body):
        # A silent command that fails under ``set -e`` leaves its trace as the only
        # sign; a stream's other last line is then output of an earlier command.
        return Rank.TRACED
    if not stderr:
        if quiet or not (_SAYS_FAILED.search(body) or _SAYS_REFUSED.search(body)):
            return None  # says nothing went wrong ("rollout halted: ..." says something did)
        return Rank.OUT_END
    if line_rank(body) == Rank.RETRIED:
        return None  # it says the program went on from it (``falling back to us-1``)
    if quiet or (_ANNOUNCES.search(body) and not _SAYS_FAILED.search(body)):
        # Says nothing went wrong (a loop's last line, an info level), or what starts
        # (git's ``Cloning into 'repo'...``): the exit code says more.
        return None
    return Rank.STREAM_END if message else Rank.OUT_END


__all__ = ["end_rank"]
