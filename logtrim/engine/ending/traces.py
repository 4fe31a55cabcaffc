"""What tracebacks, panics and a shell's xtrace look like, for the failure reason
(:mod:`.reason`): its lines are matched stripped of colour and of their line end."""

from __future__ import annotations

from ..._regex import lazy
from ..match.levels import RUST_PANIC

EXCEPTION = lazy(
    rb"^(?:[\w.$]+\.)?[A-Z]\w*(?:Error|Exception|Interrupt|Exit|Failure)\b"
    rb"(?: \[[A-Z][A-Z0-9_]*\])?(?::|$)"  # Node's code: ``TypeError [ERR_X]: ...``
)
# What ends a traceback's frames whatever its class is called: voluptuous's MultipleInvalid.
# A class name has a lower-case letter: not a level (``INFO:``) logged after the trace.
TRACE_END = lazy(rb"^(?:[\w$]+\.)*[A-Z][A-Z0-9_$]*[a-z][\w$]*(?::(?: |$)|$)")
JAVA_HEAD = lazy(rb'^Exception in thread "[^"]*" ([\w.$]+(?::.*)?)$')
# What heads a thread's traceback that is not the main thread's: Python's default hook
# (``Exception in thread worker-1:``), logtrim's handler (``uncaught TimeoutError in thread
# warmer``, after the record's own prefix), Java's for a thread it names (``Exception in thread
# "pool-1-thread-2" java.lang...``). The thread died; the program may well have gone on.
THREAD_HEAD = lazy(
    rb'^Exception in thread (?!MainThread:)[^"\n]+:$|\buncaught [\w.]+ in thread (?!MainThread$)|'
    rb'^Exception in thread "(?!main")'
)
# Java's "Caused by: X", Node's "[cause]: X" (an Error's ``cause``, printed after its
# frames), .NET's " ---> X" (an inner exception, printed before its outer one's frames;
# not Docker's `` ---> Running in 3f2a`` under a build step).
CAUSED_BY = lazy(
    rb"^(?:(?:Caused by|\[cause\]): (.+)|---> ((?:[\w.]+\.)?\w+(?:Exception|Error)\b.*))$"
)
# An AggregateException's other inner exceptions (``---> (Inner Exception #1) X: ...<---``):
# its siblings, no deeper cause; part of its trace.
INNER_SIBLING = lazy(rb"^---> \(Inner Exception #[0-9]+\) ")
# The header alone on its line (after any prefix): in a one-line record (a JSON field
# holding a formatted traceback, its newlines escaped) it is part of an error message.
TRACEBACK = lazy(rb"Traceback \(most recent call last\):?[ \t]*$")
# rich's traceback (``rich.traceback``, typer's and structlog's console): the header in the
# title of a panel (``╭──── Traceback (most recent call last) ────╮``), the frames, their
# code and locals inside it (``│ ... │``, ``╰────╯``), the exception after it.
RICH_TRACEBACK = lazy(
    rb"^\xe2\x95\xad\xe2\x94\x80.* Traceback \(most recent call last\) \xe2\x94\x80"
)
PANEL_SIDES = ("\u2502".encode(), "\u2570".encode())
# Python's exception group (3.11+): its traceback's lines behind a gutter (``  | ``, the
# header's ``  + ``), its separators, and the group's own line, which counts its members.
# What a log's carrier puts before each line of a program's: a Compose service's name and
# replica (``web-1     | ``, ``web_1  | ``), ``kubectl logs --prefix``'s pod, BuildKit's step
# and seconds to the millisecond (``#7 1.823 ``), the gutter of Terraform's boxed diagnostic
# (``│ ``). A traceback behind it reads as without; a line is ranked without it (its words
# are the program's: ``web-1  | Warning: unable to read .env`` is a warning) and named with it.
CARRIER = lazy(
    rb"^(?:[a-z0-9][\w.-]*[-_][0-9]+ +\| |\[pod/[^\]\s]+\] |#[0-9]+ [0-9]+\.[0-9]{3} "
    rb"|\xe2\x94\x82 )"
)
GROUP_GUTTER = lazy(rb"^[ ]*(?:\|(?: |$)|\+ (?=Exception Group Traceback))")
GROUP_RULE = lazy(rb"^[ ]*\+-")
GROUP_HEAD = lazy(rb"^(?:[\w.$]+\.)?\w*ExceptionGroup: .*\([0-9]+ sub-exceptions?\)$")
CHAINED = lazy(rb"^(?:The above exception was the direct cause|During handling of the above)")
# .NET's ``--- End of inner exception stack trace ---`` (and "of stack trace from previous
# location") sits among its frames, as a frame.
FRAME = lazy(rb'^\s+(?:File "|at |\.\.\. [0-9]+ more|--- End of )')
# Rust's panic: "thread 'main' panicked at src/main.rs:4:5:" and its message on the next line
# (Rust 1.73 on; older: "panicked at 'msg', src/main.rs:4:5"); assert_eq!'s values after it.
PANIC = lazy(RUST_PANIC)
MAIN_PANIC = lazy(rb"^thread 'main'")
PANIC_VALUES = lazy(rb"^ ?(?:left|right): ")
# A shell's xtrace line (PS4 "+ ", one "+" per level of nesting): the command it ran.
XTRACE = lazy(rb"^\++ [^\s+]")
# A line the chooser reads with its neighbours (FRAME, CHAINED, CAUSED_BY, PANIC and its
# values) in text as written: after any colour and blanks, or a line starting with another
# escape (a superset). Searched from each newline (the text with one put before it), so the
# cost is per line, not per byte (engine/flow/flood.py ends a run there).
NEIGHBOURLY_IN_TEXT = lazy(
    rb"\n(?:\x1b\[[0-?]*[ -/]*[@-~]|[ \t\r\f\v])*(?:\x1b(?!\[)|File \"|at |\.\.\. [0-9]"
    rb"|Caused by: |\[cause\]: |---> |--- End of |The above exception|During handling|thread '"
    rb"|left: |right: )"
)


def ends_frames(text: bytes) -> bool:
    """Whether ``text`` (a line right after a frame) is the unindented ``Name: message``
    that ends a traceback."""
    return text[:1] not in b" \t" and bool(TRACE_END.match(text))
