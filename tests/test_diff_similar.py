"""``logtrim diff``'s similarity stage on good/bad pairs of common tools' output: a line that
differs from a good run's only by a host, a path's part or a unit name is not reported; a new
line with no error word still is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import zstandard
from conftest import clean_env
from diff_runs import diff_json, diff_text, shown_texts


def _diff(good: bytes, bad: bytes, tmp: Path, *extra: str) -> dict[str, Any]:
    (tmp / "good.log.zst").write_bytes(zstandard.ZstdCompressor().compress(good))
    (tmp / "bad.log").write_bytes(bad)
    return diff_json(tmp / "good.log.zst", tmp / "bad.log", *extra)


PIP_GOOD = b"""\
Looking in indexes: https://pypi.internal.example.com/simple
Collecting requests==2.31.0
  Downloading requests-2.31.0-py3-none-any.whl (62 kB)
Collecting urllib3<3,>=1.21.1
  Using cached urllib3-2.0.7-py3-none-any.whl (124 kB)
Collecting certifi>=2017.4.17
  Using cached certifi-2023.7.22-py3-none-any.whl (158 kB)
Installing collected packages: urllib3, certifi, requests
Successfully installed certifi-2023.7.22 requests-2.31.0 urllib3-2.0.7
"""
# Another package among those installed; and one line no good run printed, with no error
# word in it.
PIP_NEW = b"Using legacy 'setup.py install' for pyyaml, since package 'wheel' is not installed."
PIP_BAD = (
    PIP_GOOD.replace(b"packages: urllib3, certifi, requests", b"packages: urllib3, idna, requests")
    .replace(b"Installing collected", PIP_NEW + b"\nInstalling collected")
    .replace(b"2.31.0", b"2.32.3")
)

PYTEST_GOOD = b"""\
============================= test session starts ==============================
platform linux -- Python 3.11.4, pytest-7.4.0, pluggy-1.2.0
rootdir: /home/ci/work/app
plugins: xdist-3.3.1, cov-4.1.0
collected 120 items

tests/test_api.py ........................................               [ 33%]
tests/test_models.py ........................................            [ 66%]
tests/test_views.py ........................................             [100%]

============================= 120 passed in 3.21s ==============================
"""
PYTEST_NEW = b"tests/conftest.py: fixture 'database' teardown took 31.20 seconds"
PYTEST_BAD = PYTEST_GOOD.replace(
    b"plugins: xdist-3.3.1, cov-4.1.0", b"plugins: xdist-3.3.1, anyio-4.1.0"
).replace(b"\n=====", b"\n" + PYTEST_NEW + b"\n=====", 1)

SYSTEMD_GOOD = b"".join(
    b"Dec 01 10:00:%02d build-07 systemd[1]: %s\n" % (i, line)
    for i, line in enumerate(
        [
            b"Starting Cleanup of Temporary Directories for unit app-api.service...",
            b"Started Daily Cleanup of Temporary Directories for unit app-api.service.",
            b"Reached target Multi-User System for unit app-api.service.",
            b"Started Session 4 of user deploy.",
            b"Mounting srv-data.mount - Data Volume on the shared storage...",
            b"Mounted srv-data.mount - Data Volume on the shared storage.",
        ]
    )
)
SYSTEMD_NEW = (
    b"Dec 01 10:00:09 build-07 kernel: EXT4-fs (sdb1): mounted filesystem in read-only mode"
)
SYSTEMD_BAD = (
    SYSTEMD_GOOD.replace(b"app-api.service", b"app-worker.service").replace(
        b"srv-data.mount", b"srv-cache.mount"
    )
    + SYSTEMD_NEW
    + b"\n"
)

MAKE_GOOD = b"""\
[ 10%] Building CXX object src/libfoo/CMakeFiles/foo.dir/parser.cpp.o
[ 20%] Building CXX object src/libfoo/CMakeFiles/foo.dir/lexer.cpp.o
[ 30%] Linking CXX static library libfoo.a
[ 30%] Built target foo
[ 60%] Building CXX object src/app/CMakeFiles/app.dir/main.cpp.o
[100%] Linking CXX executable app
[100%] Built target app
"""
# Another library name; and a new line.
MAKE_NEW = b"Using cached toolchain from the previous runner image instead of the pinned one"
MAKE_BAD = MAKE_GOOD.replace(b"library libfoo.a", b"library libfoo_static.a").replace(
    b"[100%] Linking", MAKE_NEW + b"\n[100%] Linking"
)

# Package mirrors chosen afresh each run: the host names differ, nothing else.
YUM_GOOD = b"""\
Loaded plugins: fastestmirror
Determining fastest mirrors
 * base: mirror.example-hosting.com
 * extras: centos.mirrors.example.net
 * updates: mirror.web-provider.org
Resolving Dependencies
--> Running transaction check
---> Package git.x86_64 0:1.8.3.1-23.el7_8 will be installed
Complete!
"""
YUM_NEW = b"Package matching git-1.8.3.1-23.el7_8.x86_64 already installed. Checking for update."
YUM_BAD = (
    YUM_GOOD.replace(b"mirror.example-hosting.com", b"ftp.uni-example.de")
    .replace(b"centos.mirrors.example.net", b"mirrors.cloud-host.io")
    .replace(b"mirror.web-provider.org", b"repo-02.fast-dc.net")
    .replace(b"Complete!", YUM_NEW + b"\nComplete!")
)


@pytest.mark.parametrize(
    ("good", "bad", "new"),
    [
        (PIP_GOOD, PIP_BAD, PIP_NEW),
        (PYTEST_GOOD, PYTEST_BAD, PYTEST_NEW),
        (SYSTEMD_GOOD, SYSTEMD_BAD, SYSTEMD_NEW),
        (MAKE_GOOD, MAKE_BAD, MAKE_NEW),
        (YUM_GOOD, YUM_BAD, YUM_NEW),
    ],
    ids=["pip", "pytest", "systemd", "make", "yum-mirrors"],
)
def test_diff_reports_the_new_line_and_not_the_lines_that_differ_by_a_name(
    tmp_path: Path, good: bytes, bad: bytes, new: bytes
) -> None:
    report = _diff(good, bad, tmp_path)
    assert shown_texts(report) == [new.decode()]
    # The lines that differ by a name have shapes the good run lacks: only the similarity
    # stage leaves them out, and the report counts them.
    near = report["near_shapes"]
    assert isinstance(near, int) and near >= 1


def test_diff_text_summary_counts_the_near_lines(tmp_path: Path) -> None:
    (tmp_path / "good.log").write_bytes(SYSTEMD_GOOD)
    (tmp_path / "bad.log").write_bytes(SYSTEMD_BAD)
    out = diff_text(tmp_path / "good.log", tmp_path / "bad.log").decode().splitlines()
    assert out[0] == "7:" + SYSTEMD_NEW.decode()
    assert "near a good run's line, not shown" in out[-1]


def test_a_line_that_gains_an_error_word_is_never_near(tmp_path: Path) -> None:
    """The same words as a good run's line, plus ``failed``: reported."""
    good = b"Uploading package web to the staging feed of the deployment server\n" * 3
    bad = good + b"Uploading package web to the staging feed of the deployment server failed\n"
    assert len(shown_texts(_diff(good, bad, tmp_path))) == 1


@pytest.mark.parametrize(
    "good_line",
    [
        b"2025-01-01 10:00:00 ERROR id=7",
        b"ERROR",
        b"ERROR bad",
        b"Traceback (most recent call last):",
    ],
)
def test_sharing_an_error_word_alone_is_not_near(tmp_path: Path, good_line: bytes) -> None:
    """An error word weighs five times so that gaining one moves a line away; it must not
    bring together two lines that share nothing else: the new error is reported."""
    good = good_line + b"\n"
    bad = b"2025-01-02 11:00:00 ERROR payment gateway rejected card for order 991\n"
    assert shown_texts(_diff(good, bad, tmp_path)) == [bad.decode().rstrip("\n")]


def test_one_word_changed_in_an_error_line_is_still_near(tmp_path: Path) -> None:
    good = b"ERROR: connection to host alpha timed out after retrying three times\n"
    bad = b"ERROR: connection to host bravo timed out after retrying three times\n"
    assert shown_texts(_diff(good, bad, tmp_path)) == []


def test_an_index_file_as_good_keeps_the_exact_stage(tmp_path: Path) -> None:
    """A --history index has hashes, no lines: diff still runs, by shape alone."""
    from logtrim.baseline import store
    from logtrim.baseline.load import load

    (tmp_path / "good.log").write_bytes(SYSTEMD_GOOD)
    index = tmp_path / "hist"
    store.record(index, "step", load(tmp_path / "good.log").hashes)
    (tmp_path / "bad.log").write_bytes(SYSTEMD_BAD)
    report = diff_json(store.index_path(index, "step"), tmp_path / "bad.log")
    assert report["near_shapes"] == 0
    assert SYSTEMD_NEW.decode() in [e["text"] for e in report["shown"]]


def test_a_new_line_with_the_same_words_as_an_earlier_one_is_counted_with_it(
    tmp_path: Path,
) -> None:
    """Another prefix, the same words: one novelty, shown once; a failure reported again by
    another layer in other case (``Error:``, ``ERROR:``) is shown each time."""
    good = b"Building the release package for the staging environment\n" * 3
    bad = good + (
        b"Fetching index from cache.example.net\n"
        b"Build step one finished\n"
        b">  Fetching index from cache.example.net\n"
        b"Error: Command failed. See logs for output.\n"
        b"Build step two finished\n"
        b"ERROR: Command failed. See logs for output.\n"
    )
    report = _diff(good, bad, tmp_path)
    shown = report["shown"]
    assert isinstance(shown, list)
    texts = [entry["text"] for entry in shown]
    assert texts.count("Fetching index from cache.example.net") == 1
    assert not any(t.startswith(">") for t in texts)
    fetch = next(e for e in shown if e["text"].startswith("Fetching"))
    assert fetch["repeats"] == 1
    assert "Error: Command failed. See logs for output." in texts
    assert "ERROR: Command failed. See logs for output." in texts


def test_a_message_printed_again_is_counted_with_its_first_line(tmp_path: Path) -> None:
    """A tool that prints its error again under it (indented, without its ``error:``), and
    a failure a second logger reports again at another level, are one novelty each: shown
    once, counted; a line that says a word the one before did not is shown."""
    good = b"2024-05-01 10:00:00,001 INFO:build:Building the release package\n" * 3
    bad = good + (
        b"2024-05-01 10:00:01,002 INFO:build:RPM build errors:\n"
        b"2024-05-01 10:00:01,003 INFO:build:error: Bad exit status from /tmp/rpm-1 (%install)\n"
        b"2024-05-01 10:00:01,004 INFO:build:    Bad exit status from /tmp/rpm-1 (%install)\n"
        b"2024-05-01 10:00:01,005 INFO:build:    Bad exit status from /tmp/rpm-1 after retry\n"
        b"2024-05-01 10:00:02,006 INFO:dlrn:Received exception Error in build_wrapper for pkg:\n"
        b"2024-05-01 10:00:02,007 INFO:dlrn:Uploading the logs of the failed build\n"
        b"2024-05-01 10:00:03,008 ERROR:dlrn:Received exception Error in build_wrapper for pkg:\n"
    )
    report = _diff(good, bad, tmp_path)
    shown = report["shown"]
    assert isinstance(shown, list)
    texts = [entry["text"] for entry in shown]
    assert not any(t.endswith("    Bad exit status from /tmp/rpm-1 (%install)") for t in texts)
    assert any(t.endswith("after retry") for t in texts)  # a word the error did not say
    bad_exit = next(e for e in shown if "error: Bad exit" in e["text"])
    assert bad_exit["repeats"] == 1
    received = [e for e in shown if "Received exception" in e["text"]]
    assert len(received) == 1 and received[0]["repeats"] == 1


def test_an_error_echoing_the_line_before_it_is_the_one_shown(tmp_path: Path) -> None:
    """pytest prints the code that raised (``>   raise ConnectionError(...)``), then the
    exception under it with no word the line above lacks: one novelty, shown by its error."""
    good = b"tests/test_db.py .                                         [ 33%]\n" * 3
    error = b"E       ConnectionError: could not connect to postgres at db-01:5432"
    bad = good + (
        b'>       raise ConnectionError("could not connect to postgres at db-01:5432")\n'
        + error
        + b"\n"
    )
    shown = _diff(good, bad, tmp_path)["shown"]
    assert isinstance(shown, list)
    assert [entry["text"] for entry in shown] == [error.decode()]
    assert shown[0]["repeats"] == 1


def test_an_archive_with_an_index_frame_gives_what_its_log_gives(tmp_path: Path) -> None:
    """A run with a baseline ends its archive with its shapes; as GOOD, that archive still
    gives its lines to the similarity stage: the same report as the plain log."""
    log = tmp_path / "good.log"
    log.write_bytes(SYSTEMD_GOOD)
    archive = tmp_path / "good.zst"
    run = subprocess.run(
        [sys.executable, "-m", "logtrim", "run", "--ci", "plain", "--artifact", str(archive),
         "--baseline", str(log), "--", "cat", str(log)],
        capture_output=True, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (tmp_path / "bad.log").write_bytes(SYSTEMD_BAD)
    reports = []
    for good in (log, archive):
        reports.append(diff_json(good, tmp_path / "bad.log"))
    assert reports[0] == reports[1]
    assert reports[0]["near_shapes"] >= 1


PYTEST_GOOD = b"""\
..............................                                           [100%]
30 passed in 2.71s
"""
# pytest's report of a failing assertion (a run of a small shop project's tests).
PYTEST_BAD = b"""\
..............................F                                          [100%]
=================================== FAILURES ===================================
___________________________________ test_vat ___________________________________

    def test_vat():
>       assert vat(10) == 12
E       assert 14.399999999999999 == 12
E        +  where 14.399999999999999 = vat(10)

test_shop.py:9: AssertionError
=========================== short test summary info ============================
FAILED test_shop.py::test_vat - assert 14.399999999999999 == 12
1 failed, 30 passed in 2.40s
"""


def test_lines_sharing_one_word_are_eachshown_texts(tmp_path: Path) -> None:
    """pytest's ``>   assert f(10) == 12`` and the ``E   assert 14.4 == 12`` under it share
    only the word ``assert``: both are shown, the second says what went wrong."""
    texts = shown_texts(_diff(PYTEST_GOOD, PYTEST_BAD, tmp_path))
    assert ">       assert vat(10) == 12" in texts
    assert "E       assert 14.399999999999999 == 12" in texts


def test_the_exception_that_ends_a_traceback_is_shown_not_its_raise(tmp_path: Path) -> None:
    """Python prints the frame's source line (``    raise RuntimeError("...") from e``), then
    the exception at the traceback's end with no word the line above lacks: both are error
    lines, and the exception is the line a person looks for."""
    good = b"start\ndone\n"
    raised = b'    raise RuntimeError("could not parse batch 17") from e\n'
    error = b"RuntimeError: could not parse batch 17"
    bad = (
        b"start\nTraceback (most recent call last):\n"
        b'  File "/srv/job.py", line 7, in <module>\n' + raised + error + b"\n"
    )
    shown = _diff(good, bad, tmp_path)["shown"]
    assert isinstance(shown, list)
    texts = [entry["text"] for entry in shown]
    assert error.decode() in texts
    assert raised.decode().rstrip("\n") not in texts  # counted with it: one novelty


def test_of_two_error_lines_with_the_same_words_the_one_that_says_more_stays(
    tmp_path: Path,
) -> None:
    """Only an exception under the frame's line that raised it takes that line's place: an
    indented error line that says more keeps it (the shorter one after it is its echo)."""
    good = b"starting deploy\nstep one ok\ndone\n"
    detailed = b"    ERROR: upload to cdn-origin failed: bucket quota exceeded for prod-assets"
    bad = good.replace(b"done\n", detailed + b"\nERROR: upload to cdn-origin failed\ndone\n")
    shown = _diff(good, bad, tmp_path)["shown"]
    assert isinstance(shown, list)
    assert [entry["text"] for entry in shown] == [detailed.decode()]
