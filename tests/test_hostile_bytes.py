"""Bytes a parser did not expect, in a CI's message or a task log's time field: logtrim reads
them as the CI would (not a message, a time it cannot read) and goes on. Before, a non-ASCII
character in an Octopus value raised in the engine: it failed open, and every secret the step
declared after that line reached the console and the archive in clear; ``cat``, ``trim``,
``stats`` and ``diff`` of such a log stopped with an internal error (exit 1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunLogtrim, clean_env

_LATER = ("LaterSecret-123", "AzureSecret-456", "SensitiveValue-99")
# A mask message whose value is not base64 (Calamari drops it), then three declarations of
# secrets (GitHub's, Azure's, an Octopus sensitive variable: base64 of the third), then a use.
_STEP = (
    "echo \"##octopus[mask value='\u00e9']\"\n"
    "echo '::add-mask::LaterSecret-123'\n"
    "echo '##vso[task.setsecret]AzureSecret-456'\n"
    "echo \"##octopus[setVariable name='eA==' value='U2Vuc2l0aXZlVmFsdWUtOTk=' "
    "sensitive='VHJ1ZQ==']\"\n"
    "echo 'use LaterSecret-123 AzureSecret-456 SensitiveValue-99'\n"
    "exit 4\n"
)


@pytest.mark.parametrize("ci", ["octopus", "github", "plain"])
def test_a_message_with_a_character_not_ascii_keeps_the_engine_and_later_secrets_masked(
    run_logtrim: RunLogtrim, ci: str
) -> None:
    r = run_logtrim("--ci", ci, "--", "sh", "-c", _STEP)
    assert r.code == 4
    assert b"internal error" not in r.stderr and b"Traceback" not in r.stderr
    use = next(ln for ln in r.stdout.decode().splitlines() if ln.startswith("use "))
    assert use == "use ******** ******** ********"
    for secret in _LATER:
        assert secret.encode() not in r.archive
    assert "\u00e9".encode() in r.archive  # the line itself, as written


def _log_files(tmp_path: Path) -> list[Path]:
    octo = tmp_path / "octo.log"
    octo.write_bytes(b"step ok\n##octopus[mask value='\xc3\xa9']\nERROR: x\n")
    task = tmp_path / "task.log"
    task.write_bytes(
        b"12:00:00   Info     |   Deploying\n12:00:01\xff   Info     |   a byte in the time\n"
        b"12:00:02   Error    |   failed here\n12:00:03   Info     |   done\n"
    )
    return [octo, task]


@pytest.mark.parametrize("command", [["cat"], ["trim"], ["stats"], ["diff", "GOOD"]])
def test_the_post_hoc_commands_read_such_logs(tmp_path: Path, command: list[str]) -> None:
    good = tmp_path / "good.log"
    good.write_bytes(b"step ok\n")
    for log in _log_files(tmp_path):
        args = [str(good) if a == "GOOD" else a for a in command]
        proc = subprocess.run(
            [sys.executable, "-m", "logtrim", *args, str(log)],
            env=clean_env(), capture_output=True, timeout=60, check=False, cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, (log.name, proc.stderr)
        assert b"internal error" not in proc.stderr


def test_such_logs_are_baselines(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    for log in _log_files(tmp_path):
        r = run_logtrim("--baseline", str(log), "--", "sh", "-c", "echo hello; exit 3")
        assert r.code == 3
        assert r.archive == b"hello\n", r.stderr
        assert b"warning" not in r.stderr, r.stderr


def test_a_fault_reading_a_baseline_costs_the_run_its_baseline_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A bug on a good run's bytes: one warning, and the run goes on with its engine and its
    archive (it fell back to the last resort, without an archive)."""
    import logtrim.cli.app as _cli
    from logtrim.baseline import front

    def broken(*_args: object, **_kwargs: object) -> object:
        raise ValueError("a bug in logtrim")

    monkeypatch.setattr(front, "load_with_lines", broken)
    good = tmp_path / "good.log"
    good.write_bytes(b"step ok\n")
    art = tmp_path / "a.zst"
    step = [sys.executable, "-c", "print('hello'); raise SystemExit(3)"]
    code = _cli.main(["run", "--baseline", str(good), "--artifact", str(art), "--", *step])
    out, err = capfd.readouterr()
    assert code == 3
    assert (
        "--baseline: internal error (ValueError: a bug in logtrim); this run has no baseline" in err
    )
    assert "hello" in out and art.stat().st_size > 0
    assert "internal error;" not in err  # the engine did not fail open


def test_secrets_declared_after_a_line_that_breaks_the_reader_are_still_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A fault reading one CI message (a bug of logtrim's): the engine fails open, and the
    lines after it still declare their secrets, in the same read as that line too."""
    import logtrim.cli.app as _cli
    from logtrim.dialects import servicemsg

    real = servicemsg._message

    def reader(read: str) -> object:
        if "boom" in read:
            raise ValueError("a bug in logtrim")
        return real(read)

    monkeypatch.setattr(servicemsg, "_message", reader)
    step = (
        "printf '%s\\n' '##octopus[boom]' '::add-mask::LaterSecret-123' "
        "'##vso[task.setsecret]AzureSecret-456' 'use LaterSecret-123 AzureSecret-456'; exit 4"
    )
    art = tmp_path / "a.zst"
    code = _cli.main(["run", "--ci", "plain", "--artifact", str(art), "--", "sh", "-c", step])
    out, _ = capfd.readouterr()
    assert code == 4
    assert "use ******** ********" in out, out
    assert "LaterSecret-123" not in out and "AzureSecret-456" not in out, out


def test_a_fault_in_a_declaration_reader_skips_that_message_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another system's reader fails on one message: said once, and the declarations after
    it are learned (the engine does not stop)."""
    from logtrim.dialects import choose
    from logtrim.dialects.github import GitHub
    from logtrim.engine.core import Core
    from logtrim.engine.policy import Policy

    real = GitHub.declared_secrets

    def declared(self: GitHub, text: str) -> list[str]:
        if "boom" in text:
            raise ValueError("a bug in logtrim")
        return real(self, text)

    monkeypatch.setattr(GitHub, "declared_secrets", declared)
    core = Core(Policy(verbatim=10**6), choose("plain", {}))
    core.start(0.0)
    archive, _ = core.feed(1, b"::add-mask::boom\n::add-mask::LaterSecret-123\n", 0.0)
    archive2, _ = core.feed(1, b"use LaterSecret-123\n", 0.1)
    assert b"LaterSecret-123" not in archive + archive2
    assert sum("internal error reading a CI message" in n for n in core.notes) == 1
