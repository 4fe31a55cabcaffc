"""``trim``, ``stats``, ``cat`` and ``diff`` told of a secret: ``--mask VALUE``, ``--mask-env
NAME`` and ``LOGTRIM_MASK_ENV``, as ``run`` is. They had no way to be told one: a log kept
the secret in what they printed and wrote (``trim --artifact`` too), and ``--mask`` was
refused as an unknown option."""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import clean_env, decode_zstd

SECRET = "TrimSecret99"
LOG = (
    "2026-12-01 10:00:00 INFO connecting to db-01\n"
    f"2026-12-01 10:00:01 INFO login user=deploy password={SECRET}\n"
    f"2026-12-01 10:00:02 ERROR auth failed for {SECRET} on db-01\n"
    # (again: a template of two lines, for which ``stats`` suggests a --drop rule)
    f"2026-12-01 10:00:03 INFO login user=deploy password={SECRET}\n"
    f"Traceback (most recent call last):\nKeyError: '{SECRET}'\n"
).encode()


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "logtrim", *args],
        capture_output=True, env=clean_env(env), timeout=120, check=False,
    )  # fmt: skip


COMMANDS = {
    "trim": lambda log: ["trim", str(log)],
    "stats": lambda log: ["stats", str(log)],
    "stats --json": lambda log: ["stats", "--json", str(log)],
    "cat": lambda log: ["cat", str(log)],
    "diff": lambda log: ["diff", str(log.with_name("good.log")), str(log)],
}
WAYS = {
    "--mask": (["--mask", SECRET], {}),
    "--mask-env": (["--mask-env", "DB_PASSWORD"], {"DB_PASSWORD": SECRET}),
    "LOGTRIM_MASK_ENV": ([], {"LOGTRIM_MASK_ENV": "DB_PASSWORD", "DB_PASSWORD": SECRET}),
}


@pytest.mark.parametrize("suffix", [".log", ".log.gz"])
@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_secret_given_is_masked_in_what_the_command_prints(
    tmp_path: Path, command: str, way: str, suffix: str
) -> None:
    log = tmp_path / f"bad{suffix}"
    log.write_bytes(gzip.compress(LOG) if suffix.endswith(".gz") else LOG)
    (tmp_path / "good.log").write_bytes(b"2026-12-01 10:00:00 INFO connecting to db-01\n")
    args, env = WAYS[way]
    result = _cli(*COMMANDS[command](log), *args, env=env)
    assert result.returncode == 0, result.stderr
    # (``stats`` prints templates: ``TrimSecret<n>`` unmasked, its digits a number's)
    assert b"TrimSecret" not in result.stdout + result.stderr
    unmasked = _cli(*COMMANDS[command](log))
    assert b"TrimSecret" in unmasked.stdout  # (the log does hold it: the test can fail)


def test_trims_artifact_copy_is_masked(tmp_path: Path) -> None:
    log, copy = tmp_path / "bad.log", tmp_path / "bad.zst"
    log.write_bytes(LOG)
    result = _cli("trim", str(log), "-o", str(tmp_path / "out.log"), "--artifact", str(copy),
                  "--mask", SECRET)  # fmt: skip
    assert result.returncode == 0, result.stderr
    stored = decode_zstd(copy.read_bytes())
    assert SECRET.encode() not in stored + (tmp_path / "out.log").read_bytes()
    assert stored == LOG.replace(SECRET.encode(), b"********")


def test_an_unset_variable_is_a_warning_and_an_empty_mask_a_usage_error(tmp_path: Path) -> None:
    log = tmp_path / "bad.log"
    log.write_bytes(LOG)
    unset = _cli("cat", str(log), "--mask-env", "NO_SUCH_VARIABLE")
    assert unset.returncode == 0
    said = b"logtrim: warning: mask-env names NO_SUCH_VARIABLE, which is unset or empty\n"
    assert unset.stderr == said
    empty = _cli("trim", str(log), "--mask", "")
    assert empty.returncode == 2 and b"--mask: an empty value masks nothing" in empty.stderr
    listed = _cli("stats", str(log), env={"LOGTRIM_MASK_ENV": "A,,B"})
    assert listed.returncode == 2 and listed.stderr.count(b"\n") == 1


@pytest.mark.parametrize("command", ["cat", "trim", "stats", "diff"])
@pytest.mark.parametrize("before", [(1 << 20) - 11, (1 << 20) - 5, (1 << 20) - 1])
def test_a_secret_across_a_long_lines_chunks_is_masked(
    tmp_path: Path, command: str, before: int
) -> None:
    """A line over 1 MiB is read in pieces: ``cat --mask`` masked each piece alone, and a
    secret across the cut between two reached stdout in clear."""
    log = tmp_path / "bad.log"
    log.write_bytes(b"a" * before + SECRET.encode() + b"a" * 10 + b"\nERROR done\n")
    (tmp_path / "good.log").write_bytes(b"ERROR done\n")
    result = _cli(*COMMANDS[command](log), "--mask", SECRET)
    assert result.returncode == 0, result.stderr
    assert b"TrimSecret" not in result.stdout + result.stderr


DECLARING = b"INFO start\n::add-mask::SierraSecret99\nINFO using ********\n"
USING = b"INFO start\nERROR auth failed for token SierraSecret99\nINFO using SierraSecret99\n"
ACROSS: dict[str, Callable[[str, str, str], list[str]]] = {
    "diff": lambda good, bad, _out: ["diff", good, bad],
    "diff --json": lambda good, bad, _out: ["diff", "--json", good, bad],
    "stats --baseline": lambda good, bad, _out: ["stats", "--baseline", good, bad],
    "trim --baseline": lambda good, bad, _out: ["trim", "--baseline", good, bad],
    "trim two logs": lambda good, bad, out: ["trim", good, bad, "-o", out],
    "cat, the user first": lambda good, bad, _out: ["cat", bad, good],
}


@pytest.mark.parametrize("command", ACROSS)
def test_a_secret_one_log_declares_is_masked_in_the_other(tmp_path: Path, command: str) -> None:
    """A command that reads two logs masks in each what the other declares: ``diff``,
    ``stats --baseline`` and ``trim --baseline`` printed BAD's use of a secret GOOD declared,
    and ``cat`` one declared by a later file."""
    good, bad, out = tmp_path / "good.log", tmp_path / "bad.log", tmp_path / "out"
    good.write_bytes(DECLARING)
    bad.write_bytes(USING)
    out.mkdir()
    result = _cli(*ACROSS[command](str(good), str(bad), str(out)))
    assert result.returncode == 0, result.stderr
    written = b"".join(p.read_bytes() for p in out.iterdir())
    assert b"SierraSecret" not in result.stdout + result.stderr + written
    assert b"auth failed" in result.stdout + written  # (BAD's line is there: the test can fail)


@pytest.mark.parametrize("form", ["stdin BAD", "GOOD in a directory", "GOOD gzipped"])
def test_a_declaration_reaches_the_other_input_in_any_form(tmp_path: Path, form: str) -> None:
    """GOOD's declarations were read ahead only from a plain file named beside another one:
    BAD on stdin, GOOD in a directory of good runs or compressed printed the secret."""
    good, bad = tmp_path / "good.log", tmp_path / "bad.log"
    good.write_bytes(DECLARING)
    bad.write_bytes(USING)
    if form == "GOOD in a directory":
        (tmp_path / "runs").mkdir()
        good = good.rename(tmp_path / "runs" / "good.log").parent
    elif form == "GOOD gzipped":
        gz = tmp_path / "good.log.gz"
        gz.write_bytes(gzip.compress(DECLARING))
        good.unlink()
        good = gz
    stdin = bad.read_bytes() if form == "stdin BAD" else None
    args = ["diff", str(good), "-" if stdin is not None else str(bad)]
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", *args], input=stdin, capture_output=True,
        env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert b"auth failed" in result.stdout
    assert b"SierraSecret" not in result.stdout + result.stderr


@pytest.mark.parametrize("form", ["plain", "gzipped", "in a directory"])
def test_run_masks_what_its_baseline_declares(tmp_path: Path, form: str) -> None:
    """``run --baseline GOOD``: a secret the good run's log declared was printed by this run."""
    good, bad = tmp_path / "good.log", tmp_path / "bad.log"
    good.write_bytes(DECLARING)
    bad.write_bytes(USING)
    if form == "gzipped":
        good = good.rename(tmp_path / "good.log.gz")
        good.write_bytes(gzip.compress(DECLARING))
    elif form == "in a directory":
        (tmp_path / "runs").mkdir()
        good = good.rename(tmp_path / "runs" / "good.log").parent
    result = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "plain", "--baseline", str(good),
         "--artifact", str(tmp_path / "a.zst"), "--", "cat", str(bad)],
        capture_output=True, env=clean_env(), timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert b"auth failed" in result.stdout
    assert b"SierraSecret" not in result.stdout + result.stderr
    assert b"SierraSecret" not in decode_zstd((tmp_path / "a.zst").read_bytes())


@pytest.mark.parametrize(
    "args",
    [
        lambda tmp: ["cat", "--mask-env", "TOKEN", f"{tmp}/missing/{SECRET}.log.zst"],
        lambda tmp: ["trim", "--mask-env", "TOKEN", f"{tmp}/a.log", "-o", f"{tmp}/no/{SECRET}"],
        lambda tmp: ["stats", "--mask", SECRET, "--top", SECRET, f"{tmp}/a.log"],
        lambda tmp: ["diff", "--mask", SECRET, f"{tmp}/a.log", f"{tmp}/nope/{SECRET}"],
    ],
    ids=["cat-path", "trim-output", "stats-value", "diff-path"],
)
def test_an_error_line_is_masked_with_the_secrets_given(
    tmp_path: Path, args: Callable[[Path], list[str]]
) -> None:
    """``run`` masked its errors; the others quoted a path or a value holding the secret
    they were told to mask."""
    (tmp_path / "a.log").write_bytes(LOG)
    r = _cli(*args(tmp_path), env={"TOKEN": SECRET})
    assert r.returncode in (2, 3, 4)
    assert r.stderr.startswith(b"logtrim: error: ") and b"********" in r.stderr
    assert SECRET.encode() not in r.stdout + r.stderr


def test_stats_masks_a_secret_in_an_input_s_path(tmp_path: Path) -> None:
    """The report names each input by its path: a path holding the secret showed it."""
    log = tmp_path / f"g_{SECRET}.log"
    log.write_bytes(LOG)
    for extra in ([], ["--json"]):
        r = _cli("stats", *extra, "--mask", SECRET, str(log))
        assert r.returncode == 0, r.stderr
        assert b"g_********.log" in r.stdout
        assert SECRET.encode() not in r.stdout + r.stderr


@pytest.mark.parametrize("command", ["diff", "trim --baseline", "cat, the user first"])
def test_a_frame_at_an_archive_s_end_that_is_no_index_does_not_vouch_for_it(
    tmp_path: Path, command: str
) -> None:
    """Any frame at a zstd file's end with the trailer's footer made it pass for an archive
    of ``run`` (masked already): what it declares was not read ahead, and BAD's use of the
    secret was printed. Only an index that reads whole vouches for it."""
    import zstandard

    from logtrim.archive import trailer

    packed = zstandard.ZstdCompressor().compress(DECLARING)
    good, bad, out = tmp_path / "good.log.zst", tmp_path / "bad.log", tmp_path / "out"
    good.write_bytes(packed + trailer.frame(b"junk", len(packed)))
    bad.write_bytes(USING)
    out.mkdir()
    result = _cli(*ACROSS[command](str(good), str(bad), str(out)))
    assert result.returncode == 0, result.stderr
    assert b"SierraSecret" not in result.stdout + result.stderr
    assert b"auth failed" in result.stdout
