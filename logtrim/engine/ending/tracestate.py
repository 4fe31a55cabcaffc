"""Where the failure reason's chooser (:mod:`.reason`) stands in a traceback, and the lines
that go on with the line it chose.

A traceback is read a line at a time: its header, its frames, the exception that ends it, a
chain of them ("The above exception was the direct cause ..."), an exception group's members,
a Rust panic and its message. :class:`TraceState` holds where the last of each was; the
chooser asks it whether a line needs reading at all (most lines are far from any traceback).
"""

from __future__ import annotations

from dataclasses import dataclass

from .ranks import Candidate, Rank, java_exception
from .traces import EXCEPTION, GROUP_HEAD, PANIC_VALUES, ends_frames


@dataclass
class TraceState:
    """The traceback under way, if any, and where the last one's parts were."""

    inside: bool = False  # a traceback's header seen, its exception not yet
    panel: bool = False  # the traceback under way is rich's, its frames in a panel
    chained: bool = False  # "The above exception was the direct cause ..." seen
    # The chain's first link was "During handling of the above exception": its first
    # exception is the context the others were raised in, not their cause.
    handling: bool = False
    chain_root: bytes | None = None  # the chain's first exception: its root cause
    last_frame: int = -10
    last_exception: int = -10  # the chain's text may follow an exception's line
    seen: bool = False  # a traceback was seen: its lines must each be looked at
    start: int = -1  # the line of the traceback (or frames) under way
    panic_at: int = -10  # the line of the chosen Rust panic, whose message follows it
    group: int = -1  # the line of the exception group whose traceback goes on, if any
    members: int = 0  # the group's members begun so far (its separators)
    # The traceback under way is one the program went past: right under an error line that
    # says so (``log.exception("cache warm-up failed, continuing without cache")``).
    went_past: bool = False
    thread_at: int = -10  # the last line that heads a thread's traceback (not main's)
    thread: bool = False  # the traceback under way is such a thread's

    def far(self, lineno: int) -> bool:
        """Whether a line at ``lineno`` is outside any traceback, exception or group: one
        that is no error says nothing about the reason there."""
        return not self.inside and lineno - self.last_exception > 3 and self.group < 0

    def near(self, lineno: int) -> bool:
        """Whether a line at ``lineno`` is read with the lines before it: in or just after a
        traceback, its frames or a panic."""
        return (
            self.inside
            or lineno - self.last_frame <= 2
            or lineno - self.last_exception <= 3
            or lineno - self.panic_at <= 3
        )

    def link(self, body: bytes) -> None:
        """A chain's link between two tracebacks (:data:`.CHAINED`)."""
        if not self.chained:
            self.handling = body.startswith(b"During handling")
        self.chained = True

    def header(self, lineno: int, retried_at: int = -10) -> None:
        """A traceback's header (``Traceback (most recent call last):``); ``retried_at``:
        the last error line the program said it went past."""
        if not self.chained:  # a chain's block starts at its first traceback
            self.start = lineno
            self.handling = False
            self.went_past = lineno - retried_at == 1
            self.thread = lineno - self.thread_at == 1
        self.inside = self.seen = True

    def frame(self, lineno: int) -> None:
        """One of a traceback's frames."""
        if lineno - self.last_frame > 2 and not self.inside:
            self.start = lineno  # frames with no header: the block starts here
        self.last_frame = lineno

    def ends_here(self, text: bytes, body: bytes, lineno: int) -> bool:
        """Whether the line (``text`` without colour, ``body`` stripped too) is the exception
        that ends the traceback or the frames just before it."""
        frames = lineno - self.last_frame <= 2
        return (self.inside or frames) and bool(
            EXCEPTION.match(body) or (self.inside and frames and ends_frames(text))
        )

    def ended(self, body: bytes, lineno: int) -> bytes | None:
        """The exception that ends a traceback is read: the chain's root cause, when the
        traceback ends a chain (its first exception), else None."""
        if not self.chained or self.chain_root is None:
            self.chain_root = body
        root = self.chain_root if self.chained else None
        self.inside = self.chained = self.panel = False
        self.last_exception = lineno
        return root


def group_root(trace: TraceState, best: Candidate | None, text: bytes, body: bytes) -> None:
    """A line of an exception group under way (``text`` without its gutter, ``body``
    stripped): the last exception or group line of its first member is said with the group,
    unless the group has a cause of its own (``raise ExceptionGroup(...) from exc``)."""
    first = trace.members == 1 and best is not None and best.lineno == trace.group
    if first and (GROUP_HEAD.match(body) or EXCEPTION.match(body) or ends_frames(text)):
        assert best is not None
        if best.root is None or best.member:
            best.root, best.member = body, True  # the last one of the first member


def panic_goes_on(best: Candidate | None, panic_at: int, body: bytes, lineno: int) -> bool:
    """Whether the line after the chosen Rust panic goes on with it: its message (the panic's
    line ends in ``:``), then ``assert_eq!``'s values; taken into the chosen line if so."""
    if best is None or best.start != panic_at or best.lineno != lineno - 1:
        return False
    if best.lineno == panic_at and best.text.endswith(b":"):
        best.text += b" " + body
    elif best.lineno != panic_at and PANIC_VALUES.match(body):
        best.text += b", " + body
    else:
        return False
    best.lineno = lineno
    return True


def cause_belongs(best: Candidate | None, body: bytes, lineno: int) -> bool:
    """Whether a cause line belongs to the chosen line: Java's to an exception, the uncaught
    one's or one a logger or ``printStackTrace`` wrote (``java.lang.RuntimeException: ...``,
    ranked as the error line it is); Node's ``[cause]`` to the error it follows (Node prints
    ``UploadError: ...`` above its frames, ranked as an error line), which stays the reason,
    with its root cause; .NET's ``---> `` inner exception to the exception above it
    (``Unhandled exception. System.AggregateException: ...``, an error line)."""
    if best is None or lineno - best.lineno >= 200:
        return False
    if body.startswith((b"[cause]", b"---> ")):
        return best.rank >= Rank.ERROR
    return best.rank == Rank.EXCEPTION or (best.rank == Rank.ERROR and java_exception(best.text))
