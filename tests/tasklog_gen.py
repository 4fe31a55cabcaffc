"""The synthetic log generators of ``samples/make_tasklog.py``, loaded by path (one copy)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

_PATH = Path(__file__).resolve().parent.parent / "samples" / "make_tasklog.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_tasklog", _PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_gen = _load()
DEPLOYMENT_FAILED: str = _gen.DEPLOYMENT_FAILED


def tasklog(size: int, seed: int = 7) -> bytes:
    """An Octopus raw task log of about ``size`` bytes (deterministic for a seed)."""
    return b"".join(_gen.tasklog(size, seed))


def noisy_log(size: int, seed: int = 7) -> bytes:
    """A plain deploy log of about ``size`` bytes with one dominant line template."""
    return b"".join(_gen.noisy_log(size, seed))


def write_tasklog(path: Path, size: int, seed: int = 7) -> int:
    """Write a raw task log to ``path`` without holding it in memory; returns its size."""
    return int(_gen.write(path, _gen.tasklog(size, seed)))
