"""``logtrim diff``: what a reader sees of a failing run's new lines. A line that differs from
a good run's only by a count and its plural or by a duration is not new; the frames of a new
stack trace show whole, even those that share a shape once their file names are masked."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from diff_runs import diff_json, shown_texts


def _report(good: bytes, bad: bytes) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "good.log").write_bytes(good)
        (Path(tmp) / "bad.log").write_bytes(bad)
        return diff_json(Path(tmp) / "good.log", Path(tmp) / "bad.log")


def _shown(good: bytes, bad: bytes) -> list[str]:
    return shown_texts(_report(good, bad))


# A unittest-style runner's summary and a build tool's timing line.
COUNTS_GOOD = b"""\
test_parse (test_cli.ParserTests) ... ok
----------------------------------------------------------------------
Ran 1 test in 0.010s
OK
Compiled 1 file in 850ms, cache 12kB
"""
COUNTS_BAD = b"""\
test_parse (test_cli.ParserTests) ... ok
----------------------------------------------------------------------
Ran 2 tests in 6.680s
OK
Compiled 14 files in 2.5s, cache 1.2MB
flake8: 3 style problems reported in the package sources
"""


def test_another_count_or_duration_is_not_a_new_line() -> None:
    shown = _shown(COUNTS_GOOD, COUNTS_BAD)
    assert shown == ["flake8: 3 style problems reported in the package sources"]


GOOD_RUN = b"""\
Collecting the node pool configuration
Validating providers
Configuration is valid
"""
# Python's frames: ``File "<str>", line <n>, in main`` twice, from two files.
TRACE_RUN = b"""\
Collecting the node pool configuration
Traceback (most recent call last):
  File "pool/cmd/poolcmd.py", line 353, in main
    return PoolCmd.main()
  File "pool/cmd/__init__.py", line 136, in main
    return cls()._main(argv=argv)
  File "pool/cmd/__init__.py", line 126, in _main
    return self._do_run()
schema.MultipleInvalid: required key not provided @ data['providers'][2]['cloud']
Retrying once
  File "pool/cmd/poolcmd.py", line 353, in main
"""


def test_every_frame_of_a_new_traceback_is_shown() -> None:
    shown = _shown(GOOD_RUN, TRACE_RUN)
    assert '  File "pool/cmd/poolcmd.py", line 353, in main' in shown
    assert '  File "pool/cmd/__init__.py", line 136, in main' in shown
    assert '  File "pool/cmd/__init__.py", line 126, in _main' in shown
    # The same frame again, away from the trace: counted with its first line, not shown.
    assert shown.count('  File "pool/cmd/poolcmd.py", line 353, in main') == 1


def test_a_new_list_of_lines_of_one_shape_shows_its_first_line() -> None:
    """A list (a file each, quoted) is one novelty: its first line, the others counted."""
    bad = GOOD_RUN + b"".join(b'Removing stale artefact "%s"\n' % name for name in NAMES)
    report = _report(GOOD_RUN, bad)
    shown = report["shown"]
    assert [e["text"] for e in shown] == ['Removing stale artefact "alpha.tar"']
    assert shown[0]["repeats"] == len(NAMES) - 1


NAMES = (b"alpha.tar", b"bravo.zip", b"charlie.tgz", b"delta.whl")
