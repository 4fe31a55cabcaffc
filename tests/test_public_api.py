"""The public API is what ``logtrim/__init__.py`` exports, and nothing leaks or goes missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import logtrim


def test_all_is_complete_and_importable() -> None:
    """Every name in __all__ exists; every public name of the package is in __all__."""
    for name in logtrim.__all__:
        assert hasattr(logtrim, name), name
    # Subpackages (the architecture) are modules, not API names.
    public = {
        n
        for n, v in vars(logtrim).items()
        if not n.startswith("_") and not isinstance(v, ModuleType)
    }
    assert public <= set(logtrim.__all__), public - set(logtrim.__all__)


def test_version_is_single_sourced() -> None:
    """`logtrim --version` prints the package's own version, and the matcher in use."""
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip().startswith(f"logtrim {logtrim.__version__} (matcher: ")


def test_package_is_typed() -> None:
    """The py.typed marker ships with the package (PEP 561)."""
    assert (Path(logtrim.__file__).parent / "py.typed").exists()


def test_import_is_cheap() -> None:
    """`import logtrim` does not drag in the CLI, the event loop or the engine."""
    heavy = ("typer", "anyio", "logtrim.engine.core", "hyperscan")
    code = f"import sys, logtrim; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_public_names_show_the_public_path() -> None:
    """`repr(logtrim.LogtrimHandler)` reads `logtrim.LogtrimHandler`, not an internal module."""
    assert repr(logtrim.LogtrimHandler) == "<class 'logtrim.LogtrimHandler'>"
    for name in logtrim.__all__:
        obj = getattr(logtrim, name)
        if isinstance(obj, type):
            assert obj.__module__ == "logtrim", name
