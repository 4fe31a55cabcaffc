"""What the figures run on, built once into bench-out/ and reused while their sources are unchanged:
the generated logs and the venv of a plain ``pip install .``."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from harness import BENCH, MB, OUT, ROOT, Suite


def _tag(*files: Path) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    return digest.hexdigest()[:8]


def _warm(path: Path) -> Path:
    """Read ``path`` once so that the first timed run does not pay for the disk."""
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass
    return path


def _generated(suite: Suite, script: Path, stem: str, size: int) -> Path:
    """``size`` bytes from a ``gen_*.py`` script (``--size N --out FILE``), cached."""
    path = OUT / f"{stem}-{size // MB}MB-{_tag(script)}.log"
    if not path.exists() or path.stat().st_size != size:
        for stale in OUT.glob(f"{stem}-{size // MB}MB-*.log"):
            stale.unlink()
        subprocess.run([sys.executable, script, "--size", str(size), "--out", path], check=True)
    suite.cmd("python", script.relative_to(ROOT), "--size", str(size), "--out", path)
    return _warm(path)


def deploy_log(suite: Suite, size: int) -> Path:
    """The noisy deploy log of ``gen_log.py``: long lines (~180 B), ~95% verbose noise."""
    return _generated(suite, BENCH / "gen_log.py", "deploy", size)


def short_log(suite: Suite, size: int) -> Path:
    """The second shape, from ``gen_short_log.py``: short lines (~140 B), 3% progress,
    1% warnings, 0.1% errors, so that one generator's shape cannot hide a slow path."""
    return _generated(suite, BENCH / "gen_short_log.py", "short", size)


def task_log(suite: Suite, size: int) -> Path | None:
    """A raw Octopus task log from ``samples/make_tasklog.py``, or None without the script."""
    gen = ROOT / "samples" / "make_tasklog.py"
    if not gen.exists():
        suite.notes.append("trim/stats: samples/make_tasklog.py is missing; raw task log skipped.")
        return None
    path = OUT / f"tasklog-{size // MB}MB-{_tag(gen)}.txt"
    if not path.exists():
        for stale in OUT.glob(f"tasklog-{size // MB}MB-*.txt"):
            stale.unlink()
        subprocess.run(
            [sys.executable, gen, str(size), path], check=True, stdout=subprocess.DEVNULL
        )
    suite.cmd("python", "samples/make_tasklog.py", str(size), path)
    return _warm(path)


def default_install(suite: Suite) -> Path:
    """A venv made with the README's plain install (``pip install .``, no extras): what a user
    gets by default. Rebuilt when pyproject.toml or any file under logtrim/ changes."""
    sources = [ROOT / "pyproject.toml", *sorted((ROOT / "logtrim").rglob("*.py"))]
    venv = OUT / f"venv-default-{_tag(*sources)}"
    if not (venv / "bin" / "logtrim").exists():
        for stale in OUT.glob("venv-default-*"):
            subprocess.run(["rm", "-rf", stale], check=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([venv / "bin" / "pip", "install", "-q", ROOT], check=True)
    suite.show(f"python3 -m venv {venv} && {venv}/bin/pip install -q .")
    return venv


def engine(python: Path | str, env: dict[str, str] | None = None) -> str:
    """The matcher ``python``'s logtrim would use: ``hyperscan`` when importable and allowed."""
    if env and (env.get("LOGTRIM_ENGINE") == "re" or env.get("LOGTRIM_NO_HYPERSCAN")):
        return "re"
    probe = "import importlib.util as u; print('hyperscan' if u.find_spec('hyperscan') else 're')"
    out = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False)
    return out.stdout.strip() or "?"
