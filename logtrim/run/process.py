"""The child process of ``logtrim run``: starting it, forwarding signals (its output is read
by :mod:`logtrim.run.reader`)."""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import shutil
import subprocess
from collections.abc import Iterable
from typing import Protocol

import anyio
from anyio.abc import Process

from .._errors import CommandNotExecutableError, CommandNotFoundError
from .._text import hide_secrets
from ..archive.forked import grow_pipe
from ..cli.options import RunOptions
from ..engine.core import STDERR, STDOUT
from . import inherited
from .reader import Source


class Step(Protocol):
    """The step's command as ``run`` sees it: anyio's ``Process``, or a :class:`Child`."""

    @property
    def pid(self) -> int: ...
    @property
    def returncode(self) -> int | None: ...
    async def wait(self) -> int: ...
    async def aclose(self) -> None: ...


async def start(options: RunOptions) -> tuple[Step, list[tuple[Source, int]]]:
    """Start the child; return it and what to read from: (fd or stream, which stream)."""
    if os.name == "nt":
        # Windows: wait_readable works on sockets only, so read anyio's process pipes.
        process = await _open(options, subprocess.PIPE, subprocess.PIPE, [])
        assert isinstance(process, Process)
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


class Child:
    """The step's command (POSIX), as much of anyio's ``Process`` as ``run`` uses. Started by
    ``subprocess`` and waited for on the loop (:func:`~logtrim._threads.reaped`): asyncio's
    child watcher on Python 3.10 and 3.11 starts a thread per child, and where none can start
    it fails after the command is running (its output and exit code were lost)."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self._popen = popen
        self.pid = popen.pid

    @property
    def returncode(self) -> int | None:
        return self._popen.returncode

    async def wait(self) -> int:
        from .._threads import reaped

        popen = self._popen
        if popen.returncode is None:
            try:
                status = await reaped(self.pid)
            except ChildProcessError:  # reaped elsewhere: Popen knows, or it is lost
                popen.poll()
                if popen.returncode is None:
                    popen.returncode = 255
            else:
                popen.returncode = os.waitstatus_to_exitcode(status)
        return popen.returncode

    async def aclose(self) -> None:
        await self.wait()


async def _open(options: RunOptions, out: int, err: int, ours: list[int]) -> Process | Child:
    argv = list(options.argv)
    while True:
        try:
            if os.name == "nt":
                return await anyio.open_process(argv, stdin=None, stdout=out, stderr=err)
            # Its own process group: forwarded signals reach its children too. (Popen only
            # forks and execs, on the loop, as asyncio's own ``subprocess_exec`` does.)
            popen = subprocess.Popen(  # noqa: ASYNC220
                argv, stdin=None, stdout=out, stderr=err, start_new_session=True,
                pass_fds=inherited.passed(),  # (the step's own ``3>file``, a jobserver)
            )  # fmt: skip
            return Child(popen)
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
    if command.startswith("-"):  # ``logtrim run -- --budget 8kB cmd``
        return "an option after '--' is the command's: logtrim's options go before '--'"
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
