"""How the failure reason reads a line near a traceback, a panic or an exception group.

:meth:`.ReasonChooser.offer` passes most lines over; those it does not (an error line, a
line inside or just after a traceback) are read here: a traceback's frames and the exception
it ends in, Java's ``Caused by:`` chain, a Rust panic, a Python exception group, Node's
AggregateError, a PowerShell error record. What is found is offered to the chooser as a
candidate (:meth:`.ReasonChooser.take`); the chooser decides what wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._text import ANSI_BYTES as _ANSI
from . import traces
from .nodeerrors import HEAD as NODE_AGGREGATE
from .psrecords import message_of
from .ranks import Rank, line_rank
from .tracestate import cause_belongs, group_root, panic_goes_on

if TYPE_CHECKING:
    from .reason import ReasonChooser


def read(ch: ReasonChooser, line: bytes, lineno: int, error: bool) -> None:
    """A line :meth:`.ReasonChooser.offer` did not pass over: part of a traceback, a panic or an
    exception group, or an error line ranked by its words."""
    trace = ch.trace
    text = _ANSI.sub(b"", line).rstrip(b"\r\n")
    if trace.panel and trace.inside and text.startswith(traces.PANEL_SIDES):
        trace.frame(lineno)  # rich's panel: the frames, their code and locals
        return
    # A carrier's prefix (``web-1  | ``): the traceback is read without it, a line of
    # another carrier's inside it is none of it; a candidate keeps it (whose it is).
    prefix = carrier.group() if (carrier := traces.CARRIER.match(text)) else b""
    if prefix:
        if trace.inside and prefix != ch.carried:
            if error:
                ch.take_error(line, text.strip(), lineno)
            return
        text = text[len(prefix) :]
    if (gutter := traces.GROUP_GUTTER.match(text)) is not None:
        text = text[gutter.end() :]  # a line of an exception group's traceback
        if _grouped(ch, text, lineno):
            return
    elif traces.GROUP_RULE.match(text):
        trace.members += trace.group >= 0  # a separator starts the group's next member
        return  # its separators (``+-+---- 1 ----``) are no reason
    else:
        trace.group = -1
    body = text.strip()
    if not body or (
        lineno - trace.panic_at <= 3 and panic_goes_on(ch.best, trace.panic_at, body, lineno)
    ):
        return
    if _powershell(ch, body, lineno):
        return
    if b"in thread " in body and traces.THREAD_HEAD.search(body):
        trace.thread_at = lineno  # (read on: it may be an error line, Java's exception)
    if (rich := traces.RICH_TRACEBACK.match(text) is not None) or traces.TRACEBACK.search(text):
        trace.header(lineno, ch.retried_at)
        trace.panel = rich
        ch.carried = prefix
    elif traces.FRAME.match(text) or traces.INNER_SIBLING.match(body):
        trace.frame(lineno)
    elif traces.CHAINED.match(body):
        trace.link(body)
    elif (aggregate := NODE_AGGREGATE.match(body)) is not None:
        ch.take(Rank.EXCEPTION, aggregate.group(1), lineno, start=lineno)
    elif ch.node.inside(ch.best, text, body, lineno):
        pass  # one of the errors of Node's AggregateError: its first is the root cause
    elif traces.JAVA_HEAD.match(body):
        ch.take(Rank.EXCEPTION, body, lineno, root=None, start=lineno)
        _of_thread(ch, lineno, trace.thread_at == lineno)
    elif (caused := traces.CAUSED_BY.match(body)) and cause_belongs(ch.best, body, lineno):
        assert ch.best is not None
        ch.best.root = caused.group(1) or caused.group(2)  # the last cause is the root cause
        ch.best.lineno = lineno
    elif trace.ends_here(text, body, lineno):
        _exception(ch, body, lineno, prefix)
    elif traces.PANIC.match(body):
        # cargo test runs each test on a thread named after it: the first failing test
        # wins; a worker thread's panic comes before main's that finds it joining.
        main = bool(traces.MAIN_PANIC.match(body))
        ch.take(Rank.EXCEPTION if main else Rank.TEST_ASSERTION, body, lineno, start=lineno)
        if ch.best is not None and ch.best.lineno == lineno:
            trace.panic_at = trace.last_exception = lineno  # (its message: no error word)
    elif trace.inside and text[:1] in b" \t":
        pass  # a traceback's quoted source line (its frames' code): the code's words
    elif error:
        ch.take_error(line, body, lineno, shown=(prefix + text).strip() if prefix else None)


def _powershell(ch: ReasonChooser, body: bytes, lineno: int) -> bool:
    """A line of a PowerShell error record (:mod:`.psrecords`): its message, found at its
    position line, is ranked as the error line it is (a native tool's stderr line that
    PowerShell wraps, ``git : From https://...``, an error the script goes on from, a
    wrapper's ``... failed with exit code 1`` say no more than their words). False: no
    such line."""
    ours, message = ch.powershell.read(body, lineno)
    if message is not None and (text := message_of(message)):
        ch.take_error(message, text, lineno - 1)
    return ours


def _exception(ch: ReasonChooser, body: bytes, lineno: int, prefix: bytes = b"") -> None:
    """The exception that ends a traceback; in a chain the first one is the root cause."""
    handling = ch.trace.handling  # (the chain's first link: a cause, or only its context)
    went_past, thread = ch.trace.went_past, ch.trace.thread
    panel = ch.trace.panel  # rich's: its exception line may be wrapped at the width
    root = ch.trace.ended(body, lineno)
    # In a failing test's report it is that test's reason: an exception a passing
    # test logs later (the suite goes on) does not replace it.
    # The first traceback after a failing test's line is its report.
    in_test = ch.tests.in_test(lineno) or ch.tests.in_reports(lineno)
    rank = Rank.TEST_ASSERTION if in_test else Rank.EXCEPTION
    if rank == Rank.EXCEPTION and root is None and line_rank(body) == Rank.STATUS:
        # A wrapper's word that the tool it ran failed (``subprocess.CalledProcessError:
        # Command '...' returned non-zero exit status 2.``): the tool's own message says why.
        rank = Rank.STATUS
    elif rank == Rank.EXCEPTION and went_past:
        rank = Rank.RETRIED  # logged with a record that says the program went on from it
    ch.take(rank, prefix + body, lineno, root=root, start=ch.trace.start, handling=handling)
    if panel and ch.best is not None and ch.best.lineno == lineno:
        ch.best.wrapped = True
    _of_thread(ch, lineno, thread)


def _of_thread(ch: ReasonChooser, lineno: int, thread: bool) -> None:
    """Mark the exception chosen at ``lineno`` as a thread's (not the main one's), when it is."""
    if thread and ch.best is not None and ch.best.lineno == lineno:
        ch.best.thread = True


def _grouped(ch: ReasonChooser, text: bytes, lineno: int) -> bool:
    """A line of a Python exception group's traceback, its gutter taken off: the group's
    line (``ExceptionGroup: deploy failed (2 sub-exceptions)``) is taken as an exception,
    the exception its first member ends in (a group nested there included) as its cause;
    the group's other lines are no candidates. False: the line is looked at as any (the
    frames above the group's line)."""
    body, trace = text.strip(), ch.trace
    if trace.group < 0:
        if not traces.GROUP_HEAD.match(body):
            return False
        _exception(ch, body, lineno)
        trace.group, trace.members = lineno, 0
        return True
    group_root(trace, ch.best, text, body)
    return True


__all__ = ["read"]
