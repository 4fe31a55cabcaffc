"""The child process of ``logtrim run``: starting it, forwarding signals (its output is read
by :mod:`logtrim.run.reader`)."""

from __future__ import annotations

import collections
import contextlib
import errno
import os
import shlex
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable
from typing import Any

import anyio
from anyio.abc import Process

from .._errors import CommandNotExecutableError, CommandNotFoundError
from .._fork import PASSED_ON, STOPPING
from .._text import hide_secrets
from ..archive.forked import grow_pipe
from ..cli.options import RunOptions
from ..engine.core import STDERR, STDOUT
from .reader import Source


async def start(options: RunOptions) -> tuple[Process, list[tuple[Source, int]]]:
    """Start the child; return it and what to read from: (fd or stream, which stream)."""
    if os.name == "nt":
        # Windows: wait_readable works on sockets only, so read anyio's process pipes.
        process = await _open(options, subprocess.PIPE, subprocess.PIPE, [])
        assert process.stdout is not None and process.stderr is not None
        return process, [(process.stdout, STDOUT), (process.stderr, STDERR)]
    if options.pty:
        master, slave = os.openpty()
        _raw_output(slave)
        os.set_blocking(master, False)
        fds: list[tuple[int, int]] = [(master, STDOUT)]
        child_out, child_err, to_close = slave, slave, [slave]
    else:
        out_r, out_w = _pipe()
        try:
            err_r, err_w = _pipe()
        except OSError:
            os.close(out_r)
            os.close(out_w)
            raise
        fds = [(out_r, STDOUT), (err_r, STDERR)]
        child_out, child_err, to_close = out_w, err_w, [out_w, err_w]
    try:
        process = await _open(options, child_out, child_err, [fd for fd, _ in fds])
    finally:
        for fd in to_close:
            os.close(fd)
    return process, list(fds)


def _raw_output(slave: int) -> None:
    """No output processing on the terminal: the archive holds the bytes the command wrote
    (a terminal turns each ``\\n`` into ``\\r\\n``: every line would change, and a secret
    over several lines would no longer read as written)."""
    import termios

    try:
        attrs = termios.tcgetattr(slave)
        attrs[1] &= ~termios.OPOST
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
    except termios.error:  # a terminal that refuses: its line endings stay (masked anyway)
        pass


def _pipe() -> tuple[int, int]:
    read, write = os.pipe()
    grow_pipe(read)
    os.set_blocking(read, False)
    return read, write


async def _open(options: RunOptions, out: int, err: int, ours: list[int]) -> Process:
    argv = list(options.argv)
    while True:
        try:
            return await anyio.open_process(
                argv,
                stdin=None,
                stdout=out,
                stderr=err,
                # Its own process group (POSIX): forwarded signals reach its children too.
                start_new_session=os.name != "nt",
            )
        except OSError as exc:
            script = as_script(argv, exc)
            if script is not None:
                argv = script
                continue
            for fd in ours:
                os.close(fd)
            if exc.errno in _OURS:
                raise  # logtrim's own lack (no descriptor, no memory): not the command's
            raise start_error(options.argv[0], exc, options.policy.masks) from None


#: The shell POSIX ``execvp`` runs a file with (``_PATH_BSHELL``).
SHELL = "/bin/sh"


def as_script(argv: list[str], exc: OSError) -> list[str] | None:
    """``/bin/sh PATH ARGS...`` for a text file without ``#!`` that the system would not
    run (``ENOEXEC``), as POSIX ``execvp`` (``env``, a shell) runs it; None otherwise: not
    that error, already the shell's, or a binary for another system (as a shell refuses it:
    an ELF header, or a NUL byte in its first line)."""
    if exc.errno != errno.ENOEXEC or os.name == "nt" or argv[0] == SHELL:
        return None
    import shutil

    path = argv[0] if "/" in argv[0] else shutil.which(argv[0])
    try:
        with open(path or "", "rb") as file:
            head = file.read(128)
    except OSError:
        return None
    if head.startswith(b"\x7fELF") or b"\0" in head.split(b"\n", 1)[0]:
        return None
    return [SHELL, str(path), *argv[1:]]


def _not_found_hint(command: str, shown: str) -> str | None:
    """What a newcomer likely meant: a script in this directory (a name without ``/`` is
    looked up on PATH only, as a shell does), or a whole command line given as one word."""
    # A name a shell could not take as printed (a newline, cut at 80 characters): no hint.
    if os.sep not in command and os.path.isfile(command) and _pastable(command):
        path = shlex.quote(f"./{shown}")
        if not os.access(command, os.X_OK):
            return f"a file of that name is here, not executable: chmod +x {path} first"
        return f"a file of that name is here: {path} runs it"
    first = command.split(maxsplit=1)[0] if command.strip() else ""
    if first != command.strip() and first and (shutil.which(first) or os.path.isfile(first)):
        return "a command and its arguments in one word: give them as separate words"
    return None


def _pastable(command: str) -> bool:
    return command.isprintable() and len(command) <= _SHOWN_MAX


# As a shell says: a name that cannot be found is 127, anything found but not runnable 126.
_NOT_FOUND = {errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG}
_SHOWN_MAX = 80  # the longest command name an error shows whole
# Starting failed for want of a resource: the command may be fine (the last resort runs it).
_OURS = {errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.EAGAIN}


def start_error(
    command: str, exc: OSError, secrets: Iterable[str] = ()
) -> CommandNotFoundError | CommandNotExecutableError:
    """The one-line error for a command that could not be started (``secrets`` masked)."""
    if not command:  # as a shell says it (exec would say EACCES or ENOENT)
        return CommandNotFoundError("command not found: '' (the command is an empty string)")
    shown = hide_secrets(command, secrets)
    shown = shown if len(shown) <= _SHOWN_MAX else shown[: _SHOWN_MAX - 3] + "..."
    if exc.errno in _NOT_FOUND:
        why = "" if exc.errno == errno.ENOENT else f" ({exc.strerror})"
        if (interpreter := _missing_interpreter(command)) is not None:
            why = f" (it exists; its interpreter {hide_secrets(interpreter, secrets)} does not)"
        elif (hint := _not_found_hint(command, shown)) is not None:
            why = f" ({hint})"
        return CommandNotFoundError(f"command not found: {shown}{why}")
    why = exc.strerror or str(exc)
    if exc.errno in _OURS:  # the command may be fine: say what is missing
        return CommandNotExecutableError(
            f"cannot start {shown}: {why} (no file descriptor or memory left: see ulimit)"
        )
    if exc.errno == errno.ENOEXEC:
        why = "not a program this system can run (Exec format error)"
    elif os.path.isdir(command):
        why = "is a directory"
    return CommandNotExecutableError(f"command not executable: {shown}: {why}")


def _missing_interpreter(command: str) -> str | None:
    """The interpreter a script found at ``command`` names in its ``#!`` line, when that is
    what is missing (the kernel says ENOENT for either)."""
    import shutil

    path = command if os.sep in command else shutil.which(command)
    try:
        with open(path or "", "rb") as file:
            first = file.readline(4096)
    except OSError:
        return None
    words = first[2:].split() if first.startswith(b"#!") else []
    if not words:
        return None
    interpreter = os.fsdecode(words[0])
    return None if os.path.exists(interpreter) else interpreter


def close_sources(sources: list[tuple[Source, int]]) -> None:
    """Close the pipe ends we read from (anyio's streams close with the process)."""
    for source, _ in sources:
        if isinstance(source, int):
            with contextlib.suppress(OSError):
                os.close(source)


class EarlySignals:
    """The signals :func:`forward_signals` passes on, recorded from before the command
    starts until it listens: a SIGTERM then would otherwise end logtrim with its default
    action, the command left running with no reader of its output.

    A signal ignored when logtrim started (a background job's SIGINT, nohup's SIGHUP) is
    ignored by the command too: neither recorded nor forwarded."""

    def __init__(self) -> None:
        ignored = signal.SIG_IGN
        self.stopping = [s for s in STOPPING if signal.getsignal(s) is not ignored]
        # Signals a command is told things with (dump state, reopen logs): passed on, nothing
        # more; the command decides what they do (by default it ends, and says so by its status).
        self.passed = [s for s in PASSED_ON if signal.getsignal(s) is not ignored]
        self.pending: list[int] = []
        self._before: dict[int, Any] = {}

    def record(self) -> None:
        """From now on, until :meth:`restore` or :func:`forward_signals` listens."""
        for sig in (*self.stopping, *self.passed):
            self._before[sig] = signal.signal(sig, self._note)

    def _note(self, sig: int, _frame: object) -> None:
        self.pending.append(sig)

    def taken(self) -> None:
        """The receiver of :func:`forward_signals` handles them now."""
        self._before.clear()

    def restore(self) -> None:
        """The handlers from before :meth:`record`, unless taken (no command to pass
        signals to, or the run is over)."""
        for sig, before in self._before.items():
            signal.signal(sig, before)
        self._before.clear()


async def forward_signals(
    process: Process,
    grace: float,
    received: Callable[[signal.Signals], None] | None,
    early: EarlySignals,
    blocked: Callable[[], bool] = lambda: False,
) -> None:
    """Forward SIGINT/SIGTERM/SIGHUP to the child's group; SIGKILL after the grace period.
    SIGUSR1/SIGUSR2/SIGALRM are passed on to it alone (no grace period, no interruption).

    ``received`` is told of each signal (the summary says what interrupted the run);
    ``early``: the signals that came while the command started, passed on first;
    ``blocked``: whether the loop is held in a console write (a reader that stopped reading):
    a stopping signal is then passed on at once, from its handler, not when the loop runs.
    """
    escalating = False
    at_once: collections.Counter[int] = collections.Counter()  # passed on from the handler

    def kill(sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)

    # The grace period runs on a thread: the loop's timer could not fire while the loop is
    # held in a console write (a reader that stopped reading), however the signal came.
    timer = threading.Timer(grace, kill, (signal.SIGKILL,))
    timer.daemon = True

    def handle(sig: int) -> None:
        nonlocal escalating
        if sig in early.passed:
            kill(sig)
            return
        # Once the command has exited (its output still draining), a signal is no reason
        # it failed: its own exit code is.
        if received is not None and process.returncode is None:
            received(signal.Signals(sig))
        if at_once[sig]:  # passed on already, while the loop was held
            at_once[sig] -= 1
        elif escalating and sig == signal.SIGINT:
            kill(signal.SIGKILL)  # a second Ctrl-C: now
            return
        else:
            kill(sig)
        if not escalating:
            escalating = True
            timer.start()

    def held(sig: int, _frame: object) -> None:
        # Runs in the interrupted write (Python retries it after handlers): the loop would
        # see the signal only once a reader takes the console's bytes. (The loop still
        # gets it through its wakeup descriptor, and settles the rest then.)
        nonlocal escalating
        if blocked():
            # A second Ctrl-C is SIGKILL, as when the loop runs.
            again = sig == signal.SIGINT and (escalating or at_once[signal.SIGINT] > 0)
            kill(signal.SIGKILL if again else sig)
            at_once[sig] += 1
            if not escalating:
                escalating = True
                timer.start()

    if not early.stopping and not early.passed:
        return
    with anyio.open_signal_receiver(*early.stopping, *early.passed) as signals:
        # Listening now (the receiver took the handlers over): those noted before go first.
        early.taken()
        # Also a handler of our own for the stopping signals: the loop's restarts the system
        # call it interrupts, so a write held by a reader that stopped reading never ends.
        before = {sig: signal.signal(sig, held) for sig in early.stopping}
        try:
            for sig in early.pending:
                handle(sig)
            early.pending.clear()
            async for sig in signals:
                handle(sig)
        finally:
            timer.cancel()
            for sig, handler in before.items():
                signal.signal(sig, handler)
