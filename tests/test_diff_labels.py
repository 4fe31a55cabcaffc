"""``logtrim diff`` leaves out a new line that is only a label (``  STDOUT:``, a word or two
and a colon): the lines under it say what happened and are shown when new. A label that
names an error stays unless the line under it is new; a prefix with an error word keeps it."""

from __future__ import annotations

from pathlib import Path

from diff_runs import diff_json, diff_text, shown_texts

# A build tool reporting a command it ran (synthetic, in the form of a Python build
# service's exception report): the good run ran it with no error.
GOOD = b"""\
2024-05-01 10:00:01,100 INFO:build: starting build of shop-api
2024-05-01 10:00:02,200 INFO:build: RAN: /usr/bin/make package
2024-05-01 10:00:03,300 INFO:build: build of shop-api done
"""
BAD = b"""\
2024-05-01 11:00:01,100 INFO:build: starting build of shop-api
2024-05-01 11:00:02,200 INFO:build: RAN: /usr/bin/make package
  STDOUT:

  STDERR:
make: *** No rule to make target 'package'.  Stop.
2024-05-01 11:00:02,900 INFO:build:DEBUG: Exception occurred:
2024-05-01 11:00:02,901 INFO:build:DEBUG:   File "build/run.py", line 12, in package
2024-05-01 11:00:03,000 INFO:build: Problems:
2024-05-01 11:00:03,100 ERROR:build: Result summary:
2024-05-01 11:00:03,200 INFO:build: Error:
2024-05-01 11:00:03,300 INFO:build: build of shop-api done
"""


def _logs(tmp: Path) -> tuple[Path, Path]:
    (tmp / "good.log").write_bytes(GOOD)
    (tmp / "bad.log").write_bytes(BAD)
    return tmp / "good.log", tmp / "bad.log"


def test_a_label_alone_is_not_shown_what_it_heads_is(tmp_path: Path) -> None:
    report = diff_json(*_logs(tmp_path))
    assert shown_texts(report) == [
        "make: *** No rule to make target 'package'.  Stop.",
        '2024-05-01 11:00:02,901 INFO:build:DEBUG:   File "build/run.py", line 12, in package',
        # A label whose prefix says ERROR, and one that names an error with nothing new under it.
        "2024-05-01 11:00:03,100 ERROR:build: Result summary:",
        "2024-05-01 11:00:03,200 INFO:build: Error:",
    ]
    # STDOUT:, STDERR:, "Exception occurred:" (a new frame under it), "Problems:".
    assert report["labels"] == 4


def test_the_summary_counts_the_labels_left_out(tmp_path: Path) -> None:
    stdout = diff_text(*_logs(tmp_path))
    last = stdout.splitlines()[-1].decode()
    assert "4 new lines that are only a label (a word or two and a colon) not shown" in last
    assert "STDOUT" not in stdout.decode()
