"""Choosing and building the engine's multi-pattern matcher: the I/O the engine does not do.

The engine takes a :class:`~logtrim.engine.rules.Compiler` and scans with what it builds, or
uses Python's ``re`` without one; both give the same answers. The front ends get theirs here:
hyperscan when it is installed (and ``LOGTRIM_NO_HYPERSCAN`` is not set), its compiled rules
cached under ``$XDG_CACHE_HOME/logtrim`` (compiling costs ~60 ms). Secrets are never cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .engine.matcher import Compiler

__all__ = ["Hyperscan", "compiler"]


def compiler(engine: str = "auto") -> Compiler | None:
    """The compiler for ``Policy.engine``: ``auto``, ``hyperscan`` (required) or ``re`` (None)."""
    if engine == "re":
        return None
    found = None if os.environ.get("LOGTRIM_NO_HYPERSCAN") else Hyperscan.load()
    if found is None and engine == "hyperscan":
        raise RuntimeError("hyperscan is not installed")
    return found


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

    def rules(self, patterns: Sequence[bytes], caseless: Sequence[bool]) -> Any:
        hs = self._hs
        flags = [hs.HS_FLAG_MULTILINE | (hs.HS_FLAG_CASELESS if c else 0) for c in caseless]
        version = getattr(hs, "__version__", "")
        key = hashlib.sha256(repr((version, list(patterns), flags)).encode())
        cache = _cache_dir() / f"rules-{key.hexdigest()[:24]}.hsdb"
        with contextlib.suppress(Exception):
            db = hs.loadb(cache.read_bytes(), hs.HS_MODE_BLOCK)
            db.scratch = hs.Scratch(db)  # a loaded database comes without scratch space
            db.scan(b"warm-up\n", match_event_handler=lambda *_: None)
            return db
        try:
            db = self._compile(patterns, flags)
        except hs.error:
            # A user rule hyperscan cannot compile (lookaround, backreference): use ``re``.
            return None
        with contextlib.suppress(OSError):  # a read-only home only costs the compile next time
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(hs.dumpb(db))
            tmp.replace(cache)
            # One file per rule set (--keep rules make new ones): keep the 16 newest.
            files = sorted(cache.parent.glob("rules-*.hsdb"), key=lambda p: p.stat().st_mtime)
            for old in files[:-16]:
                old.unlink()
        return db

    def literals(self, values: Sequence[bytes]) -> Any:
        # Every byte but letters and digits as \xHH: ``re.escape`` leaves a newline bare.
        patterns = [
            re.sub(rb"[^A-Za-z0-9]", lambda m: b"\\x%02x" % m.group()[0], v) for v in values
        ]
        return self._compile(patterns, [0] * len(values))

    def _compile(self, patterns: Sequence[bytes], flags: Sequence[int]) -> Any:
        db = self._hs.Database(mode=self._hs.HS_MODE_BLOCK)
        db.compile(
            expressions=list(patterns),
            ids=list(range(len(patterns))),
            elements=len(patterns),
            flags=list(flags),
        )
        return db


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "logtrim"
