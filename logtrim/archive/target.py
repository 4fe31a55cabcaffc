"""Where an archive goes: checked before any work, written under a temporary name, renamed.

``--artifact deploy.sh`` must not empty the script, a symlink must not redirect the archive,
and a reader (or a second run with the same path) must never see a half-written file. So:

- an existing path must be a regular file that already holds a zstd archive (``force``
  allows any regular file); a directory, device, FIFO or symlink never: the rename would
  put a file in place of the system's or the user's link (``/dev/stdout`` is one, and with
  stdout redirected to a file it points to a regular file), and following a link would let
  it redirect the archive;
- bytes go to ``.<name>.<random>.tmp`` in the same directory, created exclusively, and
  :meth:`Target.commit` renames it over the path (atomic on POSIX): of two runs at once,
  the last to finish wins, and both archives are whole.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from .._errors import UsageError


def _is_zstd(path: Path) -> bool:
    # Imported here: zstandard loads in the forked writer, not in ``run`` before the fork
    # (start-up counts); an existing archive to replace is rare.
    from .zstd import is_zstd

    with open(path, "rb") as file:
        head = file.read(4)
    return is_zstd(head)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a FIFO" if stat.S_ISFIFO(mode) else "not a regular file"


def check(
    path: Path, *, force: bool, option: str = "--artifact", force_name: str = "--force"
) -> None:
    """Raise :class:`UsageError` when ``path`` must not be replaced by an archive
    (``force_name``: how the message names ``force``)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(f"{option}: cannot create {path}: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        # Even with --force: the rename would replace the link (/dev/stdout), not write
        # where it points; only a regular file is ever replaced.
        raise UsageError(
            f"{option}: {path} is a symbolic link; logtrim never replaces one "
            "(name the file it points to)"
        )
    if not stat.S_ISREG(st.st_mode):
        # Even with --force: a device or FIFO is not a file to put an archive in place of.
        raise UsageError(f"{option}: {path} is {_kind(st.st_mode)}")
    if force or st.st_size == 0:
        return
    try:
        archive = _is_zstd(path)
    except OSError as exc:
        raise UsageError(f"{option}: cannot read {path}: {exc.strerror}") from None
    if not archive:
        raise UsageError(
            f"{option}: {path} exists and is not a zstd archive (use {force_name} to overwrite it)"
        )


def remove_placeholder(path: Path) -> None:
    """Remove the empty file made to hold a default name, if it is still empty (the run
    did not start)."""
    with contextlib.suppress(OSError):
        if os.stat(path).st_size == 0:
            os.unlink(path)


#: Bytes of the archive's name its temporary file keeps: with the rest, 255 at most.
_TEMP_STEM = 240


class Target:
    """An archive's temporary file, open for writing; :meth:`commit` puts it in place."""

    def __init__(self, path: Path, temp: Path, fd: int, *, reserved: bool = False) -> None:
        self.path = path
        self.temp = temp
        self.fd = fd
        self.reserved = reserved  # ``path`` is an empty file this run made: discard removes it

    @classmethod
    def create(
        cls, path: Path, *, force: bool = False, option: str = "--artifact", reserved: bool = False
    ) -> Target:
        """Check ``path`` and create its temporary file; :class:`UsageError` if either fails.
        ``reserved``: ``path`` is an empty file made to hold the name (a default name)."""
        path = Path(path)
        check(path, force=force, option=option)
        directory = path.parent
        # Its name's start (a name of up to 255 bytes is legal: the temporary one adds 14).
        stem = path.name.encode("utf-8", "surrogateescape")[:_TEMP_STEM]
        name = f".{stem.decode('utf-8', 'ignore')}.{os.urandom(4).hex()}.tmp"
        temp = directory / name
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(temp, flags | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            why = exc.strerror or str(exc)
            raise UsageError(f"{option}: cannot create {path}: {why}") from None
        _keep_mode(path, fd)
        return cls(path, temp, fd, reserved=reserved)

    def take_fd(self) -> int:
        """The open file, now the caller's to close."""
        fd, self.fd = self.fd, -1
        return fd

    def commit(self) -> None:
        """Rename the temporary file over the path (closing it first if still ours)."""
        self.close()
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        """Remove the temporary file (and the name's empty placeholder): nothing was archived."""
        self.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temp)
        if self.reserved:
            remove_placeholder(self.path)

    def close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1


def _keep_mode(path: Path, fd: int) -> None:
    """An archive that replaces a file keeps that file's permissions (a ``chmod 600`` on
    the last run's archive holds for the next), where the system can say and set them."""
    fchmod = getattr(os, "fchmod", None)  # not on Windows before Python 3.13
    if fchmod is None:
        return
    try:
        mode = os.stat(path, follow_symlinks=False).st_mode
        if stat.S_ISREG(mode):
            fchmod(fd, stat.S_IMODE(mode) & 0o777)
    except OSError:
        pass  # no file there yet, or one we may not read: the umask's mode
