"""The docs and the CLI cannot drift: the reference is generated, and every command runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import clean_env

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("*.md"))
_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.M | re.S)


def _bash_blocks(page: Path) -> list[str]:
    """The ``bash`` blocks of a page that run logtrim (install commands are CI's own job)."""
    blocks = _BLOCK.findall(page.read_text(encoding="utf-8"))
    return [b for b in blocks if b.lstrip().startswith("logtrim")]


def test_reference_matches_the_cli() -> None:
    """docs/reference.md is exactly what the CLI's own options generate."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_reference.py"), "--check"],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode()


def test_every_option_is_documented() -> None:
    """Every command and option of ``--help`` appears in the reference page."""
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    for command in ("run", "trim", "stats", "cat"):
        help_text = subprocess.run(
            [sys.executable, "-m", "logtrim", command, "--help"],
            capture_output=True, text=True, timeout=60, env=clean_env({"COLUMNS": "200"}),
        ).stdout  # fmt: skip
        assert f"## `logtrim {command}`" in reference
        for option in set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}:
            assert f"`{option}`" in reference, f"{command} {option} is not in docs/reference.md"


@pytest.mark.parametrize("command", ["run", "trim", "stats", "cat", "diff"])
def test_each_synopsis_is_the_one_help_prints(command: str) -> None:
    """Before, the reference gave ``logtrim diff [OPTIONS] GOOD... BAD...``: diff takes one
    of each (the option lines were checked, the synopsis was not)."""
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    help_text = subprocess.run(
        [sys.executable, "-m", "logtrim", command, "--help"],
        capture_output=True, text=True, timeout=60, env=clean_env({"COLUMNS": "200"}),
    ).stdout  # fmt: skip
    usage = re.search(r"Usage: (logtrim .*)", help_text)
    assert usage is not None
    synopsis = re.sub(r"[{}]", "", usage.group(1)).strip()
    assert f"```text\n{synopsis}\n```" in reference


def test_exit_codes_are_documented() -> None:
    """Every exit code logtrim's errors map to is on the exit codes page."""
    from logtrim import _errors

    page = (ROOT / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    codes = {
        cls.exit_code
        for cls in vars(_errors).values()
        if isinstance(cls, type)
        and issubclass(cls, _errors.LogtrimError)
        and cls is not _errors.LogtrimError
    }
    for code in codes | {0, 2, 128}:
        assert re.search(rf"\b{code}\b", page), f"exit code {code} is not documented"


@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in PAGES if _bash_blocks(p)], ids=lambda p: p.name)
def test_every_command_in_the_docs_runs(page: Path, tmp_path: Path) -> None:
    """Each ``logtrim`` command a page shows runs as written, in order, from a project root."""
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    env = clean_env()
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    for block in _bash_blocks(page):
        result = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", block],
            cwd=tmp_path, env=env, capture_output=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, f"{page.name}: {block!r} failed:\n{result.stderr.decode()}"


def test_every_config_key_is_documented() -> None:
    """Each config key, its option and its LOGTRIM_* variable are in docs/config.md."""
    from logtrim.cli.settings import names

    page = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    for key in names():
        assert f"`{key.replace('_', '-')}`" in page, key
        assert f"`LOGTRIM_{key.upper()}`" in page, key


def test_the_handler_example_exits_with_the_code_it_reports(tmp_path: Path) -> None:
    """python-api.md's ``LogtrimHandler`` example, as written: the process exits with the code the
    console reports, and the traceback is printed once (by the handler), not again by Python."""
    page = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    section = page.split("## `LogtrimHandler`", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example is not None
    step = "def run_deployment() -> None:\n    raise RuntimeError('database unreachable')\n\n"
    script = tmp_path / "app.py"
    script.write_text(step + example.group(1), encoding="utf-8")
    env = clean_env({"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])})
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    console = result.stdout.decode()
    assert "failed (exit 3)" in console, console
    assert result.returncode == 3, result.stderr.decode()
    both = console + result.stderr.decode()
    assert both.count("Traceback (most recent call last)") == 1, both
    assert "RuntimeError: database unreachable" in console


def test_the_structlog_recipe_prints_no_frame_locals(tmp_path: Path) -> None:
    """python-api.md's structlog recipe, as written, with an exception logged: where ``rich``
    is installed (typer brings it), structlog's default traceback drew each frame's local
    variables, a password among them, onto the console and into the archive."""
    from conftest import decode_zstd

    page = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    blocks = re.finditer(r"```python\n(.*?)```", page.split("## structlog", 1)[1], re.S)
    example = next((b for b in blocks if "ProcessorFormatter" in b.group(1)), None)
    assert example is not None
    failing = (
        "def connect() -> None:\n"
        "    password = 'Local-Pw-4417'\n"
        "    raise ConnectionError('db-02 refused ' + str(len(password)))\n"
        "try:\n    connect()\nexcept ConnectionError:\n    log.exception('deploy failed')\n"
    )
    script = tmp_path / "app.py"
    script.write_text(
        example.group(1).replace("logging.shutdown()", failing + "logging.shutdown()")
    )
    env = clean_env({"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])})
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    console = result.stdout + result.stderr
    archive = decode_zstd((tmp_path / "deploy.log.zst").read_bytes())
    for text in (console, archive):
        assert b"ConnectionError: db-02 refused 13" in text
        assert b"Local-Pw-4417" not in text


def _sample(page: Path, after: str) -> list[str]:
    """The lines of the first console sample after ``after`` on ``page``, its ``...``
    elisions, prompts and the shell's own ``exit code`` line left out."""
    text = page.read_text(encoding="utf-8")
    block = re.search(r"```(?:console|text)\n(.*?)```", text[text.index(after) :], re.S)
    assert block is not None
    skip = ("...", "$ ", "exit code: ")
    return [line for line in block.group(1).splitlines() if not line.startswith(skip)]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("page", "after", "args"),
    [
        ("README.md", "## What a run looks like", ["--budget", "200kB"]),
        ("docs/index.md", "A failing run of the bundled sample", ["--budget", "200kB"]),
        ("docs/getting-started.md", "## Wrap a step", []),
        ("docs/getting-started.md", "## Make it fail", []),
    ],
)
def test_the_console_samples_are_what_a_run_prints(
    page: str, after: str, args: list[str], tmp_path: Path
) -> None:
    """Each line of the README's and getting-started's console samples of ``samples/deploy.py``
    is a line the current code prints (secrets masked as they are), in the same order."""
    sample = _sample(ROOT / page, after)
    fail = ["--fail"] if "fail" in after.lower() or args else []
    home = tmp_path / "home" / "me" / "logtrim"
    shutil.copytree(ROOT / "samples", home / "samples")
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", *args, "--artifact", str(home / "deploy.log.zst"),
         "--", sys.executable, "samples/deploy.py", *fail],
        cwd=home, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
    )  # fmt: skip
    console = result.stdout.decode().replace(str(home), "/home/me/logtrim")
    console = re.sub(r"Python [0-9.]+,", "Python 3.11.7,", console)
    printed = [_figures(line) for line in console.splitlines()]
    at = 0
    for line in sample:
        line = _figures(line.replace("deploy-failed", "deploy"))
        assert line in printed[at:], f"{page}: {line!r} is not printed (in this order)"
        at = printed.index(line, at) + 1


def _figures(line: str) -> str:
    """logtrim's own line with its figures left out: where the verbatim allowance ends (and
    so a marker's count) moves with the length of the working directory's name."""
    return re.sub(r"[0-9][0-9,.]*", "N", line) if line.startswith("[logtrim]") else line
