"""Python's loggers as a program configures them: the level read where the format puts it
(the logging cookbook's ``%(asctime)s - %(name)s - %(levelname)s - %(message)s``, loguru's
``... | DEBUG    | ...``, a logger's name between bars or a thread's name before the level),
so a DEBUG record that says ``probe failed`` is detail, not an error line."""

from __future__ import annotations

import re

import pytest
from conftest import RunLogtrim, py

# logging's format strings; loguru's default layout written by hand (no loguru here).
FORMATS = {
    "cookbook": "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
    "thread": "%(asctime)s %(threadName)s %(levelname)s %(message)s",
    "loguru": "%(asctime)s.000 | %(levelname)-8s | %(module)s:%(funcName)s:%(lineno)d"
    " - %(message)s",
    # the logger's name between bars before the level
    "bars": "%(asctime)s | %(name)s | %(levelname)-8s | %(message)s",
}
# The reason, its time stamp and the separator after it left out.
REASONS = {
    "cookbook": "deploy.poll - ERROR - health check failed: api-2 returned 503",
    "thread": "MainThread ERROR health check failed: api-2 returned 503",
    "loguru": "ERROR | <string>:<module>:8 - health check failed: api-2 returned 503",
    "bars": "deploy.poll | ERROR | health check failed: api-2 returned 503",
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_a_debug_record_with_an_error_word_is_detail_in_pythons_common_formats(
    run_logtrim: RunLogtrim, name: str
) -> None:
    code = (
        "import logging, sys\n"
        f"logging.basicConfig(stream=sys.stdout, level=logging.DEBUG, format={FORMATS[name]!r},"
        " datefmt='%Y-%m-%d %H:%M:%S')\n"
        "log = logging.getLogger('deploy.poll')\n"
        "for i in range(300):\n"
        "    log.debug('probe %d failed: connection refused, retrying', i)\n"
        "    log.info('waiting for api-%d', i % 3)\n"
        "log.warning('readiness took 300 probes')\n"
        "log.error('health check failed: api-2 returned 503')\n"
        "sys.exit(4)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "200kB", "--verbatim", "0", "--", *py(code))
    assert r.code == 4
    out = r.stdout.decode()
    # (the first records are the head, shown as written: the others count as detail)
    assert "errors 1/1 · warnings 1/1" in out, out[-1500:]
    assert re.search(r"detail 0/29\d", out), out[-600:]
    assert f"[logtrim] failed (exit 4): {REASONS[name]}\n" in out


@pytest.mark.parametrize(
    ("fmt", "error", "reason"),
    [
        # a time of day alone, a level padded to its column
        ("%(asctime)s %(levelname)-8s %(message)s", "log.error('ledger out of balance')",
         "ERROR ledger out of balance"),
        # structlog's console layout: the level and the event padded to their columns
        ("%(message)s", "log.error('[error    ] ledger out of balance       ledger=eu-2')",
         "[error] ledger out of balance ledger=eu-2"),
    ],
)  # fmt: skip
def test_the_reason_leaves_out_a_time_of_day_and_a_columns_padding(
    run_logtrim: RunLogtrim, fmt: str, error: str, reason: str
) -> None:
    code = (
        "import logging, sys\n"
        f"logging.basicConfig(stream=sys.stdout, level=logging.INFO, format={fmt!r},"
        " datefmt='%H:%M:%S')\n"
        "log = logging.getLogger('billing')\n"
        "for i in range(100):\n"
        "    log.info('invoice %d ok', i)\n"
        f"{error}\n"
        "sys.exit(2)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "4kB", "--", *py(code))
    assert r.code == 2
    assert f"[logtrim] failed (exit 2): {reason}\n" in r.stdout.decode(), r.stdout[-800:]


def test_tornados_one_letter_level_is_read(run_logtrim: RunLogtrim) -> None:
    """Tornado's and Jupyter's log format gives the level as its first letter in brackets
    (``[C 261206 17:00:00 app:9] ...``): a DEBUG record with an error word was an error line,
    and the program's CRITICAL record lost the reason to an exception it had handled."""
    code = (
        "import logging, sys\n"
        "logging.basicConfig(stream=sys.stdout, level=logging.DEBUG,"
        " format='[%(levelname)1.1s %(asctime)s %(module)s:%(lineno)d] %(message)s',"
        " datefmt='%y%m%d %H:%M:%S')\n"
        "log = logging.getLogger('billing')\n"
        "try:\n"
        "    {}['customer_id']\n"
        "except KeyError:\n"
        "    log.exception('invoice 7 skipped')\n"
        "for i in range(160):\n"
        "    log.debug('cache probe %d failed, refetching', i)\n"
        "    log.info('invoice %d ok', i)\n"
        "log.critical('billing run aborted: ledger out of balance')\n"
        "sys.exit(2)\n"
    )
    r = run_logtrim("--ci", "plain", "--budget", "200kB", "--verbatim", "0", "--", *py(code))
    assert r.code == 2
    out = r.stdout.decode()
    assert re.search(r"\[logtrim\] failed \(exit 2\): \[C [0-9 :]+<string>:[0-9]+\] billing run "
                     r"aborted: ledger out of balance\n", out), out[-800:]  # fmt: skip
    # the handled exception's record and its trace, the CRITICAL record; no DEBUG record
    assert "errors 4/4" in out and re.search(r"detail 0/15\d", out), out[-800:]
