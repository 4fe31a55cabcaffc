"""Which line matcher runs: LOGTRIM_ENGINE (and the older LOGTRIM_NO_HYPERSCAN), what
``--version`` and ``-v`` say, and the one notice a long run on the fallback matcher prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from logtrim import __version__
from logtrim._matchers import HYPERSCAN_REQUIREMENT, NOTICE_AFTER, choice, compiler
from logtrim.engine.policy import MatcherChoice

HAVE_HS = compiler("hyperscan") is not None


def logtrim(
    *args: str, env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("LOGTRIM_")}
    result: subprocess.CompletedProcess[str] = subprocess.run(
        [sys.executable, "-m", "logtrim", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**full, **(env or {})},
        **kw,  # type: ignore[call-overload]
    )
    return result


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, MatcherChoice.AUTO),
        ({"LOGTRIM_ENGINE": "re"}, MatcherChoice.RE),
        ({"LOGTRIM_ENGINE": " HyperScan "}, MatcherChoice.HYPERSCAN),
        ({"LOGTRIM_ENGINE": "auto"}, MatcherChoice.AUTO),
        ({"LOGTRIM_NO_HYPERSCAN": "1"}, MatcherChoice.RE),
        ({"LOGTRIM_ENGINE": "hyperscan", "LOGTRIM_NO_HYPERSCAN": "1"}, MatcherChoice.HYPERSCAN),
        ({"LOGTRIM_ENGINE": "rust"}, MatcherChoice.AUTO),  # a typo warns, and chooses as usual
    ],
)
def test_the_environment_chooses(env: dict[str, str], expected: MatcherChoice) -> None:
    assert choice(env=env) is expected
    assert choice(MatcherChoice.RE, env={"LOGTRIM_ENGINE": "hyperscan"}) is MatcherChoice.RE


def test_version_names_the_matcher() -> None:
    fallback = logtrim("--version", env={"LOGTRIM_ENGINE": "re"}).stdout.strip()
    assert fallback == f"logtrim {__version__} (matcher: re, the pure-Python fallback)"
    legacy = logtrim("--version", env={"LOGTRIM_NO_HYPERSCAN": "1"}).stdout.strip()
    assert legacy == fallback
    if HAVE_HS:
        import hyperscan

        shown = logtrim("--version").stdout.strip()
        version = getattr(hyperscan, "__version__", "")
        assert shown == f"logtrim {__version__} (matcher: hyperscan {version})"


@pytest.mark.parametrize("first", [["run", "-v"], ["-v", "run"], ["--verbose", "run"]])
def test_verbose_run_logs_the_matcher(tmp_path: Path, first: list[str]) -> None:
    art = str(tmp_path / "a.zst")
    out = logtrim(
        *first, "--ci", "plain", "--artifact", art, "--", "echo", "hi", env={"LOGTRIM_ENGINE": "re"}
    )
    assert out.returncode == 0, out.stderr
    assert "line matcher (matcher='re, the pure-Python fallback')" in out.stderr
    assert out.stdout.startswith("hi\n")


def _no_hyperscan(tmp_path: Path) -> dict[str, str]:
    """An environment where ``import hyperscan`` fails, as on a platform without wheels."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "hyperscan.py").write_text("raise ImportError('no wheel here')\n")
    return {"PYTHONPATH": os.pathsep.join([str(shadow), *sys.path])}


@pytest.mark.slow
def test_a_long_run_on_the_fallback_says_once_how_to_get_the_fast_one(tmp_path: Path) -> None:
    mb = NOTICE_AFTER // (1 << 20) + 4
    child = (
        "import sys\n"
        "line = b'2026-12-01 12:00:00 VERBOSE copying /srv/app/file.bin 4096 bytes\\n'\n"
        f"block = line * (1048576 // len(line))\n"
        f"for _ in range({mb}): sys.stdout.buffer.write(block)\n"
    )
    art = str(tmp_path / "a.zst")
    env = _no_hyperscan(tmp_path)
    out = logtrim(
        "run",
        "--ci",
        "plain",
        "--budget",
        "64kB",
        "--artifact",
        art,
        "--",
        sys.executable,
        "-c",
        child,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    notes = [ln for ln in out.stderr.splitlines() if "faster one is available" in ln]
    assert len(notes) == 1
    assert f"-m pip install '{HYPERSCAN_REQUIREMENT}'" in notes[0]
    assert len(out.stdout) + len(out.stderr) <= 64_000
    # Asked for by name, the fallback says nothing.
    quiet = logtrim(
        "run",
        "--ci",
        "plain",
        "--budget",
        "64kB",
        "--artifact",
        art,
        "--",
        sys.executable,
        "-c",
        child,
        env={**env, "LOGTRIM_ENGINE": "re"},
    )
    assert "faster one" not in quiet.stderr


@pytest.mark.skipif(not HAVE_HS, reason="hyperscan is not installed")
def test_a_home_that_keeps_nothing_skips_the_optional_databases(tmp_path: Path) -> None:
    """Where compiled databases cannot be kept (a read-only home), the ones that only save
    time are not compiled at every run: same console, the two-pass scan."""
    lines = b"".join(
        b"2024-05-01 12:00:00 INFO step %d\n2024-05-01 12:00:00 DEBUG 3/10 failed\n" % i
        for i in range(400)
    )
    log = tmp_path / "step.log"
    log.write_bytes(lines + b"error: disk full\n")
    args = ("trim", str(log), "--budget", "4kB")
    kept = logtrim(*args, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    lost = logtrim(*args, env={"XDG_CACHE_HOME": "/proc/no-such-cache"})
    assert kept.returncode == lost.returncode == 0, lost.stderr
    assert kept.stdout == lost.stdout
    assert "error: disk full" in kept.stdout
    stored = list((tmp_path / "cache" / "logtrim").glob("rules-*.hsdb"))
    assert len(stored) >= 4  # the two rule databases, both in one, the detail forms
    assert not Path("/proc/no-such-cache").exists()


@pytest.mark.skipif(not HAVE_HS, reason="hyperscan is not installed")
def test_a_home_that_does_not_exist_is_not_made_for_the_cache(tmp_path: Path) -> None:
    """``HOME=/nonexistent`` (a system user's): the cache goes without, the home and its
    parents are not created (they were, by ``mkdir(parents=True)``)."""
    home = tmp_path / "nonexistent" / "home"
    log = tmp_path / "step.log"
    log.write_bytes(b"".join(b"copy file %d\n" % i for i in range(300)) + b"error: disk full\n")
    env = {"HOME": str(home), "XDG_CACHE_HOME": ""}
    result = logtrim("trim", str(log), "--budget", "4kB", env=env)
    assert result.returncode == 0, result.stderr
    assert "error: disk full" in result.stdout
    assert not (tmp_path / "nonexistent").exists()
    home.mkdir(parents=True)  # a home that is there gets its cache
    assert logtrim("trim", str(log), "--budget", "4kB", env=env).returncode == 0
    assert list((home / ".cache" / "logtrim").glob("rules-*.hsdb"))


@pytest.mark.skipif(not HAVE_HS or not hasattr(os, "getuid"), reason="hyperscan, POSIX modes")
@pytest.mark.parametrize("loose", ["writable by all", "another user's"])
def test_a_cached_database_others_could_write_is_not_trusted(tmp_path: Path, loose: str) -> None:
    """The compiled rules decide which lines are errors: a database in the cache that another
    user wrote or could write (a decoy that matches nothing) is compiled anew, and the error
    shows; the folder is made this user's alone."""
    import hyperscan

    if loose == "another user's" and os.getuid() != 0:
        pytest.skip("only root can give a file to another user")
    log = tmp_path / "step.log"
    log.write_bytes(b"".join(b"copy file %d\n" % i for i in range(300)) + b"error: disk full\n")
    cache = tmp_path / "cache"
    args = ("trim", str(log), "--budget", "4kB")
    first = logtrim(*args, env={"XDG_CACHE_HOME": str(cache)})
    assert "error: disk full" in first.stdout
    decoy = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    decoy.compile(expressions=[b"zq{40}"], ids=[0], elements=1, flags=[0])
    folder = cache / "logtrim"
    for path in folder.glob("rules-*.hsdb"):
        path.write_bytes(hyperscan.dumpb(decoy))
        if loose == "writable by all":
            path.chmod(0o666)
        else:
            os.chown(path, 65534, 65534)
    folder.chmod(0o777)  # as a umask of 000 would leave it
    again = logtrim(*args, env={"XDG_CACHE_HOME": str(cache)})
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert folder.stat().st_mode & 0o077 == 0
    for path in folder.glob("rules-*.hsdb"):  # written anew, this user's alone
        assert path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077 == 0


@pytest.mark.skipif(not HAVE_HS or not hasattr(os, "getuid"), reason="hyperscan, POSIX modes")
def test_nothing_is_written_in_a_cache_folder_another_user_can_write(tmp_path: Path) -> None:
    """A cache folder another user owns (and may write: they could plant a link at the name
    a database is written under, to a file of this user's) gets nothing: the rules are
    compiled and used, and the user's file is untouched."""
    if os.getuid() != 0:
        pytest.skip("only root can give a folder to another user")
    folder = tmp_path / "cache" / "logtrim"
    folder.mkdir(parents=True)
    os.chown(folder, 65534, 65534)
    folder.chmod(0o777)
    victim = tmp_path / "notes.txt"
    victim.write_bytes(b"mine\n")
    for n in range(8):  # links at names a writer might use
        (folder / f"rules-planted{n}.tmp").symlink_to(victim)
    log = tmp_path / "step.log"
    log.write_bytes(b"".join(b"copy file %d\n" % i for i in range(300)) + b"error: disk full\n")
    result = logtrim(
        "trim", str(log), "--budget", "4kB", env={"XDG_CACHE_HOME": str(folder.parent)}
    )
    assert result.returncode == 0, result.stderr
    assert "error: disk full" in result.stdout
    assert sorted(p.name for p in folder.iterdir()) == [f"rules-planted{n}.tmp" for n in range(8)]
    assert victim.read_bytes() == b"mine\n"


_SWITCHED = [("0", "hyperscan"), ("false", "hyperscan"), ("off", "hyperscan"), ("1", "re")]


@pytest.mark.parametrize(("value", "engine"), [*_SWITCHED, ("yes", "re")])
def test_the_older_switch_reads_its_value(value: str, engine: str) -> None:
    """``LOGTRIM_NO_HYPERSCAN=0`` switched the fast matcher off: any value did."""
    if compiler(MatcherChoice.HYPERSCAN) is None and engine == "hyperscan":
        pytest.skip("no compiled matcher on this platform")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGTRIM_")}
    env["LOGTRIM_NO_HYPERSCAN"] = value
    out = subprocess.run([sys.executable, "-m", "logtrim", "--version"], env=env,
                         capture_output=True, timeout=60, check=True).stdout  # fmt: skip
    assert f"(matcher: {engine}".encode() in out
