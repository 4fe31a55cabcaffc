"""Choosing and building the engine's multi-pattern matcher: the I/O the engine does not do.

The engine takes a :class:`~logtrim.engine.match.matcher.Compiler` and scans with what it builds, or
uses its pure-Python matcher (``re`` behind a literal prefilter) without one; both give the
same answers. The front ends get theirs here: hyperscan (a dependency wherever it has wheels)
unless ``LOGTRIM_ENGINE=re`` (or the older ``LOGTRIM_NO_HYPERSCAN=1``) asks for ``re``. Its
compiled rules are cached under ``$XDG_CACHE_HOME/logtrim`` (compiling the two rule databases
costs about half a second; loading them, about a millisecond). Secrets are never cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import _log
from ._fork import switched_on
from .engine.match.matcher import Compiler
from .engine.policy import MatcherChoice

__all__ = ["NOTICE_AFTER", "Hyperscan", "choice", "compiler", "describe", "fallback_notice"]

#: The requirement of the compiled matcher, as pyproject.toml states it.
HYPERSCAN_REQUIREMENT = "hyperscan>=0.9.1,<1"
#: A run on the fallback engine says once, past this much output, how to get the fast one.
NOTICE_AFTER = 64 * 1024 * 1024


def choice(
    requested: MatcherChoice | str = MatcherChoice.AUTO, env: Mapping[str, str] | None = None
) -> MatcherChoice:
    """The matcher to use: ``requested`` unless it is ``auto``; then ``LOGTRIM_ENGINE``
    (``re``, ``hyperscan`` or ``auto``), then ``LOGTRIM_NO_HYPERSCAN=1`` (a synonym of ``re``)."""
    env = os.environ if env is None else env
    wanted = MatcherChoice(requested)
    if wanted is not MatcherChoice.AUTO:
        return wanted
    raw = env.get("LOGTRIM_ENGINE", "").strip().lower()
    if raw:
        try:
            return MatcherChoice(raw)
        except ValueError:  # a typo must not fail the step: say so, and choose as usual
            _log.logger().warning(
                "LOGTRIM_ENGINE must be auto, hyperscan or re; using auto", value=raw
            )
    return MatcherChoice.RE if switched_on(env.get("LOGTRIM_NO_HYPERSCAN")) else MatcherChoice.AUTO


def compiler(requested: MatcherChoice | str = MatcherChoice.AUTO) -> Compiler | None:
    """The compiler for the chosen matcher; None: the engine's pure-Python one."""
    chosen = choice(requested)
    if chosen is MatcherChoice.RE:
        return None
    found = Hyperscan.load()
    if found is None and chosen is MatcherChoice.HYPERSCAN:
        _log.logger().warning(
            "LOGTRIM_ENGINE=hyperscan, but hyperscan is not installed; using re",
            install=install_command(),
        )
    return found


def describe(engine: str) -> str:
    """The matcher in use, for ``--version`` and ``-v``: ``hyperscan 0.9.1`` or ``re, ...``."""
    if engine == "hyperscan":
        loaded = sys.modules.get("hyperscan")
        version = getattr(loaded, "__version__", "")
        return f"hyperscan {version}".strip()
    return "re, the pure-Python fallback"


def install_command() -> str:
    """The exact command that installs the compiled matcher into this interpreter."""
    return f"{sys.executable} -m pip install '{HYPERSCAN_REQUIREMENT}'"


def fallback_notice(engine: str, requested: MatcherChoice | str = MatcherChoice.AUTO) -> str | None:
    """What a long run on the fallback engine says once; None when there is nothing to say
    (the compiled matcher is in use, or ``re`` was asked for)."""
    if engine != "re" or choice(requested) is MatcherChoice.RE:
        return None
    return (
        "the line rules run on the pure-Python matcher (hyperscan is not installed); "
        f"a faster one is available: {install_command()}"
    )


class Hyperscan:
    """Builds hyperscan block-mode databases."""

    def __init__(self, module: Any) -> None:
        self._hs = module

    @classmethod
    def load(cls) -> Hyperscan | None:
        try:
            import hyperscan
        except ImportError:
            return None
        return cls(hyperscan)

    def rules(
        self, patterns: Sequence[bytes], caseless: Sequence[bool], *, optional: bool = False
    ) -> Any:
        hs = self._hs
        flags = [hs.HS_FLAG_MULTILINE | (hs.HS_FLAG_CASELESS if c else 0) for c in caseless]
        version = getattr(hs, "__version__", "")
        key = hashlib.sha256(repr((version, list(patterns), flags)).encode())
        cache = _cache_dir() / f"rules-{key.hexdigest()[:24]}.hsdb"
        with contextlib.suppress(Exception):
            if not _trusted(cache):
                raise PermissionError(cache)  # compiled anew (and written over, as ours)
            db = hs.loadb(cache.read_bytes(), hs.HS_MODE_BLOCK)
            db.scratch = hs.Scratch(db)  # a loaded database comes without scratch space
            db.scan(b"warm-up\n", match_event_handler=lambda *_: None)
            return db
        if optional and not _can_keep(cache.parent):
            return None  # it saves less than its compile (~0.5 s) unless kept for next time
        try:
            db = self._compile(patterns, flags)
        except hs.error:
            # A user rule hyperscan cannot compile (lookaround, backreference): use ``re``.
            return None
        with contextlib.suppress(OSError):  # a read-only home only costs the compile next time
            _make(cache.parent)
            _tighten(cache.parent)
            if not _ours(cache.parent):
                return db  # another user could write there: nothing of ours goes in it
            import tempfile  # (a compile costs far more than this import)

            # A new file of a name no one can foresee: never a link planted in advance.
            fd, tmp = tempfile.mkstemp(prefix=f"{cache.stem}.", suffix=".tmp", dir=cache.parent)
            with open(fd, "wb") as out:
                out.write(hs.dumpb(db))
            os.replace(tmp, cache)
            # One file per database (a rule set makes up to five; --keep rules make new
            # sets): keep the 48 newest, about 20 MB (200 to 900 kB each).
            files = sorted(cache.parent.glob("rules-*.hsdb"), key=lambda p: p.stat().st_mtime)
            for old in files[:-48]:
                old.unlink()
        return db

    def literals(self, values: Sequence[bytes], *, caseless: bool = False) -> Any:
        # Every byte but letters and digits as \xHH: ``re.escape`` leaves a newline bare.
        patterns = [
            re.sub(rb"[^A-Za-z0-9]", lambda m: b"\\x%02x" % m.group()[0], v) for v in values
        ]
        flag = self._hs.HS_FLAG_CASELESS if caseless else 0
        return self._compile(patterns, [flag] * len(values))

    def _compile(self, patterns: Sequence[bytes], flags: Sequence[int]) -> Any:
        db = self._hs.Database(mode=self._hs.HS_MODE_BLOCK)
        db.compile(
            expressions=list(patterns),
            ids=list(range(len(patterns))),
            elements=len(patterns),
            flags=list(flags),
        )
        return db


def _can_keep(folder: Path) -> bool:
    """Whether compiled databases can be kept in ``folder`` (a read-only home: no)."""
    try:
        _make(folder)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _make(folder: Path) -> None:
    """The cache folder and the base it is in (``~/.cache``), never more: a home that does
    not exist (``HOME=/nonexistent``, as system users have) is not made; raise OSError."""
    base = folder.parent
    if not base.parent.is_dir():
        raise FileNotFoundError(base.parent)
    base.mkdir(mode=0o700, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)


def _tighten(folder: Path) -> None:
    """This user's cache folder made theirs alone (a umask of 002 leaves it group-writable,
    and then no database in it would be trusted)."""
    if hasattr(os, "getuid"):
        info = folder.stat()
        if info.st_uid == os.getuid() and info.st_mode & 0o022:
            folder.chmod(0o700)


def _trusted(cache: Path) -> bool:
    """Whether a compiled database and its folder are this user's alone: a database decides
    which lines are errors, so one that another user could have written is not loaded."""
    return _ours(cache) and _ours(cache.parent)


def _ours(path: Path) -> bool:
    """Whether ``path`` is this user's and no one else may write it (a folder another user
    can write to gets nothing of ours: they could replace it, or plant links in it)."""
    if not hasattr(os, "getuid"):
        return True  # Windows: the profile's folders are the user's
    try:
        info = path.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "logtrim"
