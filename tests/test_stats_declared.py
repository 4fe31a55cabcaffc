"""``stats`` gathers a plain file's declarations while it counts it (both processes, each
its part), not by reading the file once more first: the same report as learning them all
before counting, whether the file declares secrets or not, wherever they are."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import clean_env, examples
from hypothesis import given, settings
from hypothesis import strategies as st
from tasklog_gen import tasklog

import logtrim.logs.stats as stats_module
from logtrim.logs import linechunks, twocores
from logtrim.logs.inputs import open_input
from logtrim.logs.report import to_json
from logtrim.logs.stats import _compute, compute

SECRET = "Declared-Pa55word"
_B64 = base64.b64encode(SECRET.encode()).decode()
_FILLER = [
    b"2024-05-01T12:00:%02d.000Z [INFO] Processed batch %d in 5 ms\n",
    b"deploy web id 9f86d0ab%d took %d ms\n",
    b"ERROR cannot reach 'db-%d' (attempt %d) with " + SECRET.encode() + b"\n",
]
# Lines with a marker: declaring a secret, or not (a marker that declares nothing).
_MARKED = [
    b"::add-mask::" + SECRET.encode() + b"\n",
    b"##octopus[mask value='" + _B64.encode() + b"']\n",
    b"##octopus[createArtifact path='/tmp/a.zst' name='a.zst']\n",
    b"##vso[task.setvariable variable=x]not secret\n",
]


def _reports(
    paths: list[Path], pieces: bool = False, **patches: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON report of the files with their declarations learned before they are counted,
    and as ``compute`` makes it (the files cut for two processes, however small; ``pieces``:
    read in small chunks, lines cut in pieces)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stats_module, "ASIDE_MIN", 0)
        for key, value in patches.items():
            patch.setattr(stats_module, key, value)
        if pieces:
            for module in (linechunks, twocores):
                patch.setattr(module, "CHUNK", 16)
            patch.setattr(twocores, "MAX_LINE", 8)
        names = [str(p) for p in paths]
        before = to_json(_compute([open_input(n) for n in names], None, (), ahead=False), top=0)
        gathered = to_json(compute([open_input(n) for n in names]), top=0)
    return before, gathered


def _lines(seed: int, count: int, marks: list[tuple[int, int]]) -> bytes:
    out = [_FILLER[i % 3] % (seed + i, (seed * i) % 977) for i in range(count)]
    for at, which in sorted(marks, reverse=True):
        out.insert(at % (count + 1), _MARKED[which])
    return b"".join(out)


_MARKS = st.lists(st.tuples(st.integers(0, 400), st.integers(0, 3)), max_size=3)


@settings(max_examples=examples(25), deadline=None)
@given(st.integers(0, 100), st.integers(1, 300), _MARKS, st.booleans(), st.booleans())
def test_a_plain_log_reports_as_if_its_declarations_were_learned_first(
    seed: int, count: int, marks: list[tuple[int, int]], newline_at_end: bool, pieces: bool
) -> None:
    """Secrets declared anywhere (before the cut, after it, by either process), markers
    that declare nothing, none at all; ``pieces``: lines come in pieces (a marker may be cut
    between them): the report is the one of learning them all before counting."""
    data = _lines(seed, count, marks)
    data = data if newline_at_end else data.rstrip(b"\n")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plain.log"
        path.write_bytes(data)
        before, gathered = _reports([path], pieces)
    assert gathered == before
    declares = any(which < 2 for _, which in marks)
    shown = "Declared-Pa" in str(gathered)  # what its template leaves of the secret
    assert shown == (count > 2 and not declares) or pieces  # (pieces: cut in the lines)


@settings(max_examples=examples(15), deadline=None)
@given(st.integers(0, 30), st.integers(1, 12), _MARKS, st.booleans())
def test_a_task_log_and_a_second_file_report_as_if_declarations_were_learned_first(
    seed: int, parts: int, marks: list[tuple[int, int]], declaring_first: bool
) -> None:
    """A raw task log (its templates counted in two parts) and a plain log, either of them
    declaring: a secret declared in one masks it and the inputs after it, as before."""
    data = tasklog(15_000 + 2_000 * seed, seed=seed)
    lines = data.splitlines(keepends=True)
    for at, which in sorted(marks, reverse=True):
        lines.insert(at % (len(lines) + 1), _MARKED[which])
    with tempfile.TemporaryDirectory() as tmp:
        task, plain = Path(tmp) / "task.log", Path(tmp) / "plain.log"
        task.write_bytes(b"".join(lines))
        plain.write_bytes(_lines(seed, 50, [(seed, 0 if declaring_first else 2)]))
        before, gathered = _reports([plain, task], TASK_PARTS=parts)
    assert gathered == before


def test_a_declaring_file_masks_stdin_read_after_it(tmp_path: Path) -> None:
    """``stats FILE -``: the file declares a secret (it is read anew, masked), and stdin,
    read once, after it, is masked too."""
    path = tmp_path / "declares.log"
    path.write_bytes(_lines(3, 40, [(10, 0)]))
    used = b"login with " + SECRET.encode() + b" attempt %d\n"
    stdin = b"".join(used % i for i in range(30))
    proc = subprocess.run(
        [sys.executable, "-m", "logtrim", "stats", "--json", str(path), "-"],
        input=stdin,
        capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert "Declared-Pa" not in proc.stdout.decode()
    masked = [d.replace(SECRET.encode(), b"*" * 8) for d in (path.read_bytes(), stdin)]
    assert [(i["lines"], i["bytes"]) for i in report["inputs"]] == [
        (41, len(masked[0])),
        (30, len(masked[1])),
    ]
    assert any("login with ********" in t["template"] for t in report["templates"])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_log_s_declarations_are_masked(tmp_path: Path, encoding: str) -> None:
    """A UTF-16 log (PowerShell's ``>``) that declares a secret: ``stats`` looked for the
    declaration in its bytes, found none, and printed the secret in its templates (``cat``,
    ``trim`` and ``diff`` read its text)."""
    text = f"\ufeff::add-mask::{SECRET}\n" + "".join(f"use {SECRET} here {i}\n" for i in range(9))
    path = tmp_path / "ps.log"
    path.write_bytes(text.encode(encoding))
    for extra in ([], ["--json"]):
        proc = subprocess.run(
            [sys.executable, "-m", "logtrim", "stats", *extra, str(path)],
            capture_output=True, env=clean_env(), timeout=120, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert "Declared-Pa" not in proc.stdout.decode(), proc.stdout
        assert "use ******** here" in proc.stdout.decode()


def _stats_json(path: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", "stats", "--json", str(path)],
        capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip


def _forms(secret: bytes) -> list[bytes]:
    """The secret as UTF-8 and as UTF-16 in either byte order (a terminal shows all three)."""
    text = secret.decode()
    return [secret, text.encode("utf-16-le"), text.encode("utf-16-be")]


def test_a_utf16_log_that_starts_with_no_latin_letter_keeps_its_declared_secrets(
    tmp_path: Path,
) -> None:
    """A UTF-16 log whose first character is no Latin one (``Сборка``): ``stats`` decided on
    its first 4 bytes that it was no UTF-16, read its declarations from the raw bytes, found
    none, and printed the secret in its table."""
    text = "Сборка начата\n::add-mask::HunterSecretXYZ\nerror: token is HunterSecretXYZ\n"
    log = tmp_path / "build.log"
    log.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    proc = _stats_json(log)
    assert proc.returncode == 0, proc.stderr
    assert not any(form in proc.stdout for form in _forms(b"HunterSecretXYZ"))
    assert json.loads(proc.stdout)["total_lines"] == 3


def test_a_large_utf16_log_is_counted_as_its_text_on_one_core(tmp_path: Path) -> None:
    """A UTF-16 log large enough for ``stats`` to count its second half on the second core:
    that half was counted from its raw bytes (lines cut at NULs, a URL's password printed in
    UTF-16); it is counted as text, whole, and the password is masked."""
    lines = [f"upload part {i} to https://deploy:PwQZsecret@cdn.example/x/{i}\n" for i in range(5)]
    text = "".join(lines) + "".join(f"step {i} ok\n" for i in range(700_000))
    log = tmp_path / "big.log"
    log.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    assert log.stat().st_size > 16 << 20
    proc = _stats_json(log)
    assert proc.returncode == 0, proc.stderr
    assert not any(form in proc.stdout for form in _forms(b"PwQZsecret"))
    assert json.loads(proc.stdout)["total_lines"] == 700_005
