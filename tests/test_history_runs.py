"""``--history`` and ``--baseline`` on real runs: a good run teaches the next failing one."""

from __future__ import annotations

import base64
import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from conftest import RunLogtrim, clean_env, py

from logtrim import LogtrimHandler
from logtrim.baseline import store

# A step that copies files (and maybe says one more thing), says where it deploys, and exits.
STEP = """
import sys
for i in range(3000):
    print(f"copying file {i:05d}.dat to /srv/app/releases/{i % 7}")
    if i == 1500 and len(sys.argv) > 2:  # far from the end: no failure tail shows it
        print(sys.argv[2])
print(f"Deploying release {sys.argv[1]} to Production")
sys.exit(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
"""
SILENT = "Using cached credentials from /home/deploy/.aws/config"
OPTIONS = ("--budget", "8kB")


def step(*args: str) -> list[str]:
    return ["--", *py(STEP), *args]


def test_history_learns_from_a_good_run_and_shows_what_is_new_next(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    history = str(tmp_path / "history")
    good = run_logtrim(*OPTIONS, "--history", history, *step("41"))
    assert good.code == 0, good.stderr
    assert [p.suffix for p in Path(history).iterdir()] == [".shapes"]  # and nothing else
    bad = run_logtrim(*OPTIONS, "--history", history, *step("42", SILENT, "3"))
    assert bad.code == 3
    assert SILENT.encode() in bad.stdout  # no error word, but no good run printed it
    assert b"1 new line shape against the baseline" in bad.stdout
    assert SILENT.encode() in bad.archive  # and the archive has every line, as always
    # The same failing run without a history: the line is one of 3,000 detail lines.
    blind = run_logtrim(*OPTIONS, "--history", str(tmp_path / "empty"), *step("42", SILENT, "3"))
    assert SILENT.encode() not in blind.stdout


def test_the_first_run_under_a_history_is_a_run_without_one(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Nothing to compare with: the console and the counts are those of a run without a
    baseline. Before, every line counted as one good runs also print and dropped a tier (an
    info line hidden, a warning counted as detail), and the summary's counts were wrong."""
    child = (
        "for i in range(3000): print(f'2025-03-14T09:00:00Z DEBUG copy lib/mod{i}.py ok')\n"
        "print('2025-03-14T09:01:01Z INFO  Copied 3000 files')\n"
        "print('2025-03-14T09:01:01Z WARN  certificate for billing.internal expires soon')\n"
        "for i in range(10): print(f'2025-03-14T09:01:01Z INFO  health check {i}/10 passed')\n"
    )
    art = tmp_path / "same.zst"
    plain = run_logtrim("--budget", "50kB", "--", *py(child), artifact=art)
    art.unlink()
    first = run_logtrim("--budget", "50kB", "--history", str(tmp_path / "h"), "--", *py(child),
                        artifact=art)  # fmt: skip
    assert (first.code, plain.code) == (0, 0)
    # But the time taken, and the archive's size: with a history it ends with its shapes.
    varies = re.compile(rb"^\[logtrim\] archive: .*$| in [0-9.]+s;", re.M)
    assert varies.sub(b"", first.stdout) == varies.sub(b"", plain.stdout)
    assert b"warnings 1/1" in first.stdout
    assert list((tmp_path / "h").glob("*.shapes"))  # and it learnt


def test_a_failed_run_does_not_teach_the_history(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    history = str(tmp_path / "history")
    run_logtrim(*OPTIONS, "--history", history, *step("41"))
    run_logtrim(*OPTIONS, "--history", history, *step("42", SILENT, "1"))
    again = run_logtrim(*OPTIONS, "--history", history, *step("43", SILENT, "1"))
    assert SILENT.encode() in again.stdout


@pytest.mark.parametrize("where", ["option", "variable", "config"])
def test_history_makes_its_directory_but_never_a_missing_parent(
    run_logtrim: RunLogtrim, tmp_path: Path, where: str
) -> None:
    """A mistyped ``--history`` (or ``LOGTRIM_HISTORY``, or the config's ``history``) must
    not build a tree: DIR is made when its parent exists, else one line, exit 2, no run."""
    work = tmp_path / "work"
    work.mkdir()
    for history, made in ((work / "typo" / "history", False), (work / "history", True)):
        args: list[str] = []
        env = {}
        if where == "option":
            args = ["--history", str(history)]
        elif where == "variable":
            env = {"LOGTRIM_HISTORY": str(history)}
        else:
            (work / "logtrim.toml").write_text(f"history = '{history}'\n")
        marker = work / "ran"
        result = run_logtrim(*args, "--", "touch", str(marker), env=env, cwd=work)
        if made:
            assert result.code == 0, result.stderr
            assert [p.suffix for p in history.iterdir()] == [".shapes"]
        else:
            assert result.code == 2
            assert result.stderr.startswith(b"logtrim: error: ")
            assert result.stderr.count(b"\n") == 1 and b"typo" in result.stderr
            assert not marker.exists() and not (work / "typo").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc (Linux)")
def test_a_history_that_cannot_be_made_is_said_before_the_step(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Its parent exists, but no directory can be made there (``/proc``, as a read-only
    disk): one line and exit 2 before the step starts (before, a warning after it ended)."""
    marker = tmp_path / "ran"
    result = run_logtrim("--history", "/proc/logtrim-history", "--", "touch", str(marker))
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(b"logtrim: error: --history: cannot create /proc/")
    assert result.stderr.count(b"\n") == 1
    assert not marker.exists()


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_index_is_a_warning_and_the_run_proceeds(
    run_logtrim: RunLogtrim, tmp_path: Path, damage: str
) -> None:
    history = tmp_path / "history"
    run_logtrim(*OPTIONS, "--history", str(history), *step("41"))
    (index,) = history.glob("*.shapes")
    data = index.read_bytes()
    corrupt = data[:12] + bytes(b ^ 0x5A for b in data[12:])  # its sums no longer hold
    index.write_bytes(data[: len(data) // 2] if damage == "truncated" else corrupt)
    result = run_logtrim(*OPTIONS, "--history", str(history), *step("42", SILENT, "0"))
    assert result.code == 0
    warnings = [ln for ln in result.stderr.splitlines() if b"damaged" in ln]
    assert len(warnings) == 1 and b"warning" in warnings[0]
    assert result.archive.count(b"\n") == 3002  # nothing lost
    assert store.read_index(index) is not None  # the good run wrote a whole index again


def test_a_file_that_is_no_index_is_left_alone(run_logtrim: RunLogtrim, tmp_path: Path) -> None:
    """A file of the user's where the index would go is read as no baseline and never
    replaced (nor is a link there followed); the run proceeds and loses nothing."""
    history = tmp_path / "history"
    run_logtrim(*OPTIONS, "--history", str(history), *step("41"))
    (index,) = history.glob("*.shapes")
    index.write_bytes(b"the user's notes, not logtrim's\n")
    result = run_logtrim(*OPTIONS, "--history", str(history), *step("42", SILENT, "0"))
    assert result.code == 0
    assert index.read_bytes() == b"the user's notes, not logtrim's\n"
    assert b"is no logtrim index (left alone)" in result.stderr
    assert result.archive.count(b"\n") == 3002


def test_runs_finishing_at_once_both_land_in_the_index(tmp_path: Path) -> None:
    history = tmp_path / "history"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "logtrim",
                "run",
                "--artifact",
                str(tmp_path / f"r{n}.zst"),
                "--name",
                "deploy",
                "--history",
                str(history),
                *OPTIONS,
                *step(str(n), f"only in {word}"),
            ],
            env=clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for n, word in enumerate(["alpha", "beta", "gamma"])
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    runs = store.read_index(store.index_path(history, "deploy"))
    assert runs is not None and len(runs) == 3
    # The index alone: no lock file or temporary file is left next to it.
    assert [p.name for p in history.iterdir()] == ["deploy.shapes"]
    # Each run's own line is in the index: no write was lost to another.
    known = store.remembered(history, "deploy") or set()
    from logtrim.engine.shapes.baseline import Baseline

    check = Baseline(known)
    assert check.new_lines(b"only in alpha\nonly in beta\nonly in gamma\n") == []


def test_run_with_the_archive_of_a_good_run_as_baseline(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    good = run_logtrim(*OPTIONS, *step("41"))
    assert good.artifact is not None
    bad = run_logtrim(*OPTIONS, "--baseline", str(good.artifact), *step("42", SILENT, "2"))
    assert bad.code == 2
    assert SILENT.encode() in bad.stdout


def test_a_missing_baseline_is_a_usage_error_before_the_step_starts(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    marker = tmp_path / "started"
    result = run_logtrim("--baseline", str(tmp_path / "nope"), "--", "touch", str(marker))
    assert result.code == 2
    assert result.stderr.startswith(b"logtrim: error: --baseline: ")
    assert not marker.exists()


@pytest.mark.parametrize("name", ["good.zst", "new.zst"])
def test_no_output_goes_into_a_directory_of_good_runs(
    run_logtrim: RunLogtrim, tmp_path: Path, name: str
) -> None:
    """``--baseline DIR --artifact DIR/good.zst`` replaced a good run with this one (the file
    form was refused); a new name there would join the good runs, failed or not."""
    good = tmp_path / "good-runs"
    good.mkdir()
    (good / "good.zst").write_bytes(zstandard.ZstdCompressor().compress(b"deployed\n"))
    before = (good / "good.zst").read_bytes()
    marker = tmp_path / "started"
    result = run_logtrim("--baseline", str(good), "--", "touch", str(marker),
                         artifact=good / name)  # fmt: skip
    assert result.code == 2
    assert b"is in the --baseline directory" in result.stderr
    assert sorted(p.name for p in good.iterdir()) == ["good.zst"]
    assert (good / "good.zst").read_bytes() == before
    assert not marker.exists()
    trim = subprocess.run(
        [sys.executable, "-m", "logtrim", "trim", "--baseline", str(good), str(good / "good.zst"),
         "-o", str(good / name)],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert trim.returncode == 2
    assert (good / "good.zst").read_bytes() == before


@pytest.mark.parametrize("where", ["environment", "config file"])
def test_a_refusal_names_where_the_baseline_was_set(
    run_logtrim: RunLogtrim, tmp_path: Path, where: str
) -> None:
    """A baseline set by ``LOGTRIM_BASELINE`` or ``logtrim.toml``: the refusal named the
    ``--baseline`` option, which the user never gave."""
    good = tmp_path / "goods"
    good.mkdir()
    env = {"LOGTRIM_BASELINE": "goods"} if where == "environment" else None
    if where == "config file":
        (tmp_path / "logtrim.toml").write_text('baseline = "goods"\n')
    result = run_logtrim("--", "true", artifact=good / "y.log.zst", cwd=tmp_path, env=env)
    assert result.code == 2
    said = "LOGTRIM_BASELINE" if env else f"baseline in {tmp_path / 'logtrim.toml'}"
    assert result.stderr.decode() == (
        f"logtrim: error: --artifact {good / 'y.log.zst'} is in the baseline directory goods"
        f" ({said}): refusing (the run would join its good runs)\n"
    )
    assert not any(good.iterdir())


def test_no_made_up_archive_in_a_directory_of_good_runs(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """``cd good-runs && logtrim run --baseline . -- step``: the archive logtrim names itself
    went into the directory, and the failed run was a good run for the next one."""
    good = tmp_path / "good-runs"
    good.mkdir()
    (good / "a.log").write_text("deployed\n")
    result = run_logtrim("--baseline", ".", "--", "sh", "-c", "echo FAILED; exit 1",
                         artifact=None, cwd=good)  # fmt: skip
    assert result.code == 2
    assert b"the --baseline directory" in result.stderr
    assert sorted(p.name for p in good.iterdir()) == ["a.log"]


def test_a_binary_baseline_is_a_warning_that_names_no_option_run_lacks(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Before, the warning said "use --binary to read it anyway": ``run`` has no such option."""
    binary = tmp_path / "sparse.log"
    binary.write_bytes(b"\0" * 4096)
    result = run_logtrim("--baseline", str(binary), "--", "echo", "hi")
    assert result.code == 0
    assert b"binary file" in result.stderr and b"--binary" not in result.stderr
    assert result.archive == b"hi\n"


def test_the_handler_takes_a_baseline(tmp_path: Path) -> None:
    good = tmp_path / "good.log"
    good.write_text("".join(f"uploaded part {i} of 900\n" for i in range(900)))
    out = io.StringIO()
    handler = LogtrimHandler(
        tmp_path / "h.log.zst", budget="8kB", stream=out, baseline=good, head=0, verbatim=0
    )
    log = logging.getLogger("test_the_handler_takes_a_baseline")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        for i in range(900):
            log.debug("uploaded part %d of 900", i)
        log.debug(SILENT)
    finally:
        log.removeHandler(handler)
        handler.close()
    assert SILENT in out.getvalue()
    assert "uploaded part 17 of 900" not in out.getvalue()


def test_a_secret_in_the_name_is_no_part_of_the_history_s_file_names(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """``--name deploy-Zq7xPw0rdZ`` with that secret masked: the index is kept under the
    masked name (it was ``deploy-ZqxPwrdZ.shapes``, the secret less its digits), and the
    next run of that name still finds it."""
    history = tmp_path / "history"
    secret = "Zq7xPw0rdZ"
    named = ("--mask", secret, "--name", f"deploy-{secret}", "--history", str(history))
    good = run_logtrim(*OPTIONS, *named, *step("41"))
    assert good.code == 0, good.stderr
    files = [p.name for p in history.iterdir()]
    assert len(files) == 1
    assert not any(part in files[0] for part in ("ZqxPwrdZ", "Zq", "Pw"))
    bad = run_logtrim(*OPTIONS, *named, *step("42", SILENT, "3"))
    assert SILENT.encode() in bad.stdout
    assert b"ZqxPwrdZ" not in bad.console


@pytest.mark.parametrize("name", ["poetry", "yarn"])
def test_the_history_touches_no_file_but_its_index(
    run_logtrim: RunLogtrim, tmp_path: Path, name: str
) -> None:
    """``--history .`` in a project: the user's ``poetry.lock`` beside the index stays, and
    an empty file where the index would go is the user's too, left alone."""
    (tmp_path / f"{name}.lock").write_text("# lockfile v1\n")
    (tmp_path / f"{name}.shapes").write_bytes(b"")
    result = run_logtrim(*OPTIONS, "--history", str(tmp_path), "--name", name, *step("1"))
    assert result.code == 0
    assert (tmp_path / f"{name}.lock").read_text() == "# lockfile v1\n"
    assert (tmp_path / f"{name}.shapes").read_bytes() == b""
    assert b"is no logtrim index (left alone)" in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_a_history_folder_locked_by_another_process_does_not_hold_the_run(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Anyone who can read the history folder can lock it, and a run stopped while it holds
    the lock holds it on: a run that finished waits a few seconds for it, then ends with its
    own exit code and a warning, its shapes not recorded (the step is not held)."""
    import fcntl

    history = tmp_path / "history"
    history.mkdir()
    first = run_logtrim("--history", str(history), *step("41"))
    assert first.code == 0
    (index,) = history.iterdir()
    before = index.read_bytes()
    fd = os.open(history, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        r = run_logtrim("--history", str(history), *step("42"))
    finally:
        os.close(fd)
    assert r.code == 0
    assert b"--history: cannot write" in r.stderr and b"locked by another process" in r.stderr
    assert index.read_bytes() == before


@pytest.mark.parametrize(
    "declare", ["::add-mask::{}", "##vso[task.setsecret]{}", "##octopus[mask value='{b64}']"]
)
def test_a_secret_the_step_declares_is_no_part_of_the_history_s_file_names(
    run_logtrim: RunLogtrim, tmp_path: Path, declare: str
) -> None:
    """A step run as ``bash deploy.sh TokenSecretQ`` that declares its argument a secret:
    the index is not kept under a name holding it (the next runs list the folder's names
    on their console)."""
    secret = "TokenSecretQ"
    line = declare.format(secret, b64=base64.b64encode(secret.encode()).decode())
    (tmp_path / "deploy.sh").write_text(f'echo "{line}"; echo "deploying with token $1"\n')
    history = tmp_path / "history"
    good = run_logtrim("--history", str(history), "--", "bash", "deploy.sh", secret,
                       artifact=False)  # fmt: skip
    assert good.code == 0, good.stderr
    assert secret.encode() not in good.console
    names = [p.name for p in history.iterdir()]
    assert len(names) == 1 and not any(part in names[0] for part in ("Token", "SecretQ"))


def test_two_steps_under_the_default_archive_name_keep_two_histories(
    run_logtrim: RunLogtrim, tmp_path: Path
) -> None:
    """Without ``--artifact``, the archive is ``bash-<time>.log.zst`` for every ``bash``
    step: they shared one history, and a step never run before took another's good runs as
    its baseline (its first warning shown as a known one, a tier lower). So did two steps
    named in CJK (their names' letters dropped: ``log.zst``)."""
    (tmp_path / "web.sh").write_text('echo "WARNING: cache cold, rebuilding"; echo "web ok"\n')
    (tmp_path / "db.sh").write_text('echo "WARNING: cache cold, rebuilding"; echo "db ok"\n')
    history = str(tmp_path / "history")
    first = run_logtrim("--history", history, "--", "bash", "web.sh", artifact=False)
    again = run_logtrim("--history", history, "--", "bash", "web.sh", artifact=False)
    other = run_logtrim("--history", history, "--", "bash", "db.sh", artifact=False)
    assert first.code == again.code == other.code == 0
    assert b"known to the baseline" in again.stdout  # (the same step: its history)
    assert b"known to the baseline" not in other.stdout, other.stdout
    cjk = [tmp_path / f"{name}-20250314-092107.log.zst" for name in ("部署网站", "数据库迁移")]
    for path, script in zip(cjk, ("web.sh", "db.sh"), strict=True):
        res = run_logtrim("--history", history + "2", "--", "bash", script, artifact=path)
        assert res.code == 0
    assert b"known to the baseline" not in res.stdout, res.stdout
    assert len(list(Path(history + "2").glob("*.shapes"))) == 2


@pytest.mark.parametrize("letter", ["部", "é", "ж"])
def test_a_long_name_in_any_script_keeps_its_history(
    run_logtrim: RunLogtrim, tmp_path: Path, letter: str
) -> None:
    """A step named in 100 CJK characters: its index's name was cut at 120 characters, 360
    bytes, past a file name's 255; every run warned ``File name too long`` and none learnt.
    The name is cut by bytes now, and the next run finds what the good one left."""
    history = str(tmp_path / "history")
    name = letter * 100 + ".log.zst"
    good = run_logtrim(*OPTIONS, "--history", history, "--name", name, *step("41"))
    assert good.code == 0, good.stderr
    assert b"too long" not in good.stderr
    (index,) = Path(history).iterdir()
    assert len(index.name.encode()) <= 255 and index.name.startswith(letter * 10)
    bad = run_logtrim(*OPTIONS, "--history", history, "--name", name, *step("42", SILENT, "3"))
    assert bad.code == 3
    assert b"too long" not in bad.stderr
    assert b"1 new line shape against the baseline" in bad.stdout


def test_a_binary_baseline_file_is_not_read_through(tmp_path: Path) -> None:
    """A directory of good runs holding a binary file (a core dump, a sparse image): the
    baseline skips it, yet what it declares was scanned for in all of it first (a 50 GB
    sparse file held the step's start 16.8 s). A file refused as binary is no good run's
    log: nothing of it is printed, and it is not read past its start."""
    from logtrim.logs.declaring import declared_across

    good = tmp_path / "good"
    good.mkdir()
    (good / "run.log").write_text("::add-mask::Tq9-good-run-secret\ndeploy ok\n")
    (good / "dump.log").write_bytes(b"\0" * 4096 + b"\n::add-mask::Zq9-not-a-log\n")
    found = declared_across([str(good)], [], alone=True, decode=False)
    assert found == ["Tq9-good-run-secret"]


def test_two_long_names_alike_at_their_start_keep_two_histories() -> None:
    """Names of more than 120 ASCII characters that differ after them (``deploy-xxx...
    -frontend``, ``...-backend``) shared one index: both steps' shapes in one baseline."""
    from logtrim.baseline.store import key_for

    front, back = (f"deploy-{'x' * 130}-{part}.log.zst" for part in ("frontend", "backend"))
    assert key_for(front) != key_for(back)
    assert len(key_for(front).encode()) <= 120
    assert key_for("deploy-web.log.zst") == "deploy-web.log.zst"
